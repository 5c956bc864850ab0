//! Where each event-pattern rule sends what it matches: one event fanned out to its targets,
//! with when each Lambda target last got an event from that rule. Read-only, for the
//! EventBridge panel's arrows.

use super::{EventBridge, RuleState};
use crate::services::lambda::{self, Invocation, Trigger};
use crate::services::{ACCOUNT_ID, sqs};
use crate::sim::Millis;

/// One event-pattern rule and its targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FanOut {
    pub bus: String,
    pub rule: String,
    pub enabled: bool,
    /// Targets by id, as PutTargets named them.
    pub targets: Vec<FanOutTarget>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FanOutTarget {
    pub id: String,
    pub kind: TargetKind,
    /// The function's or queue's name; the whole ARN for any other service.
    pub name: String,
    /// The start of the latest invocation of this function caused by this rule.
    pub last_delivered_ms: Option<Millis>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Lambda,
    Sqs,
    Other,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Lambda => "Lambda",
            TargetKind::Sqs => "SQS",
            TargetKind::Other => "other",
        }
    }
}

/// What kind of resource `arn` names, and its short name.
pub fn target_of(arn: &str) -> (TargetKind, String) {
    let sqs_prefix = format!("arn:aws:sqs:{}:{}:", sqs::REGION, ACCOUNT_ID);
    if let Some(queue) = arn.strip_prefix(&sqs_prefix) {
        return (TargetKind::Sqs, queue.to_string());
    }
    if arn.starts_with("arn:aws:lambda:") {
        return (TargetKind::Lambda, lambda::name_of(arn).to_string());
    }
    (TargetKind::Other, arn.to_string())
}

/// Every event-pattern rule on every bus (buses and rules by name), scheduled rules left out.
pub fn fan_out(events: &EventBridge, invocations: &[Invocation]) -> Vec<FanOut> {
    events
        .buses()
        .flat_map(|bus| events.rules(bus, "").unwrap_or_default())
        .filter(|rule| rule.event_pattern.is_some())
        .map(|rule| {
            let rule_arn = rule.arn();
            let targets = rule
                .targets
                .values()
                .map(|target| {
                    let (kind, name) = target_of(&target.arn);
                    let last_delivered_ms = (kind == TargetKind::Lambda)
                        .then(|| last_invocation_by(invocations, &name, &rule_arn))
                        .flatten();
                    FanOutTarget {
                        id: target.id.clone(),
                        kind,
                        name,
                        last_delivered_ms,
                    }
                })
                .collect();
            FanOut {
                bus: rule.bus.clone(),
                rule: rule.name.clone(),
                enabled: rule.state == RuleState::Enabled,
                targets,
            }
        })
        .collect()
}

fn last_invocation_by(
    invocations: &[Invocation],
    function: &str,
    rule_arn: &str,
) -> Option<Millis> {
    invocations
        .iter()
        .filter(|i| i.function == function)
        .filter(|i| matches!(&i.trigger, Trigger::EventBridge { rule_arn: arn } if arn == rule_arn))
        .map(|i| i.start_ms)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Session;

    /// Runs `script`, then writes each fan-out as `bus/rule [DISABLED] → id:kind:name, …`.
    fn check(script: &[&str], expect: &[&str]) {
        let mut session = Session::with_seed(1);
        for line in script {
            let outcome = session.exec(line);
            assert!(outcome.ok, "{line}: {}", outcome.output);
        }
        let services = session.world().services();
        let got: Vec<String> = fan_out(&services.eventbridge, services.lambda.invocations())
            .iter()
            .map(|f| {
                let targets: Vec<String> = f
                    .targets
                    .iter()
                    .map(|t| format!("{}:{}:{}", t.id, t.kind.as_str(), t.name))
                    .collect();
                let state = if f.enabled { "" } else { " DISABLED" };
                format!("{}/{}{state} → {}", f.bus, f.rule, targets.join(", "))
            })
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn lists_pattern_rules_with_their_targets_by_bus_and_name() {
        check(
            &[
                "aws events create-event-bus --name orders",
                r#"aws events put-rule --name placed --event-bus-name orders --event-pattern '{"source": ["shop"]}'"#,
                "aws events put-targets --rule placed --event-bus-name orders --targets Id=pay,Arn=arn:aws:lambda:us-east-1:123456789012:function:payment Id=inv,Arn=arn:aws:lambda:us-east-1:123456789012:function:invoice",
                r#"aws events put-rule --name audit --event-pattern '{"source": ["shop"]}' --state DISABLED"#,
                "aws events put-targets --rule audit --targets Id=q,Arn=arn:aws:sqs:us-east-1:123456789012:audit-queue Id=sns,Arn=arn:aws:sns:us-east-1:123456789012:alerts",
                // A scheduled rule is no fan-out of an event.
                "aws events put-rule --name tick --schedule-expression 'rate(5 minutes)'",
            ],
            &[
                "default/audit DISABLED → q:SQS:audit-queue, sns:other:arn:aws:sns:us-east-1:123456789012:alerts",
                "orders/placed → inv:Lambda:invoice, pay:Lambda:payment",
            ],
        );
    }

    #[test]
    fn names_the_resource_an_arn_points_at() {
        assert_eq!(
            target_of("arn:aws:lambda:us-east-1:123456789012:function:f:live"),
            (TargetKind::Lambda, "f".to_string())
        );
        assert_eq!(
            target_of("arn:aws:sqs:us-east-1:123456789012:q"),
            (TargetKind::Sqs, "q".to_string())
        );
    }
}
