//! EventBridge: event buses and rules. A rule with a schedule expression (`schedule`) fires on
//! the virtual clock and records the Scheduled Event it sends; event patterns (`pattern`) are
//! compiled when a rule is put and can be tried with TestEventPattern. PutEvents matches events
//! to rules; each target gets the event, or what its `input` makes of it.

pub mod fanout;
pub mod input;
pub mod pattern;
pub mod schedule;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use self::input::{InputTransformer, TargetInput};
use self::pattern::Pattern;
use self::schedule::Schedule;
use super::lambda::Trigger;
use super::{ACCOUNT_ID, Targets, uuid};
use crate::sim::{Env, Event, Millis, format_iso};

pub const DEFAULT_BUS: &str = "default";
pub const REGION: &str = "us-east-1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBridgeError {
    pub code: &'static str,
    pub message: String,
    /// Our explanation, for mistakes AWS only calls "not valid".
    pub hint: Option<String>,
}

fn error(code: &'static str, message: impl Into<String>) -> EventBridgeError {
    EventBridgeError {
        code,
        message: message.into(),
        hint: None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleState {
    Enabled,
    Disabled,
}

impl RuleState {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleState::Enabled => "ENABLED",
            RuleState::Disabled => "DISABLED",
        }
    }

    pub fn parse(text: &str) -> Result<RuleState, EventBridgeError> {
        match text {
            "ENABLED" => Ok(RuleState::Enabled),
            "DISABLED" => Ok(RuleState::Disabled),
            _ => Err(error(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{text}' at 'state' failed to satisfy constraint: \
                     Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
                ),
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub bus: String,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    pub description: Option<String>,
    pub state: RuleState,
    /// When the rule was last created, replaced or enabled: rates count from here.
    pub since_ms: Millis,
    /// Where matched events go, by target id.
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: String,
    pub arn: String,
    #[serde(default)]
    pub input: TargetInput,
}

/// One target of a PutTargets request, before its input options are checked.
#[derive(Clone, Debug, Default)]
pub struct PutTarget {
    pub id: String,
    pub arn: String,
    pub input: Option<String>,
    pub input_path: Option<String>,
    pub input_transformer: Option<InputTransformer>,
}

/// PutTargets and RemoveTargets allow this many targets per rule.
pub const TARGETS_PER_RULE_MAX: usize = 5;

impl Rule {
    pub fn arn(&self) -> String {
        match self.bus.as_str() {
            DEFAULT_BUS => format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{}", self.name),
            bus => format!(
                "arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{bus}/{}",
                self.name
            ),
        }
    }
}

pub fn bus_arn(bus: &str) -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/{bus}")
}

/// PutRule's request.
#[derive(Clone, Debug, Default)]
pub struct PutRule {
    pub name: String,
    pub bus: Option<String>,
    pub schedule_expression: Option<String>,
    pub event_pattern: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
}

/// One entry of a PutEvents request.
#[derive(Clone, Debug, Default)]
pub struct PutEventsEntry {
    /// `Time`: the event's `time`; the PutEvents call's time when absent, as on AWS.
    pub time_ms: Option<Millis>,
    pub source: Option<String>,
    pub detail_type: Option<String>,
    pub detail: Option<String>,
    pub bus: Option<String>,
    pub resources: Vec<String>,
}

/// PutEvents' answer for one entry: the event's id, or AWS's error code and message.
pub type EntryResult = Result<String, (&'static str, String)>;

/// PutEvents takes at most this many entries.
pub const PUT_EVENTS_ENTRIES_MAX: usize = 10;
/// The entries of one PutEvents request may add up to 256 KB, counted as the user guide's
/// "Calculating PutEvents event entry size" does (`entry_size`).
pub const PUT_EVENTS_BYTES_MAX: usize = 256 * 1024;
/// A given `Time` counts this many bytes.
const ENTRY_TIME_BYTES: usize = 14;

impl PutEventsEntry {
    /// The entry's size by the user guide's rule: Time 14 bytes, then the UTF-8 bytes of
    /// Source, DetailType, Detail and each resource.
    pub fn size(&self) -> usize {
        let text = |t: &Option<String>| t.as_deref().map_or(0, str::len);
        self.time_ms.map_or(0, |_| ENTRY_TIME_BYTES)
            + text(&self.source)
            + text(&self.detail_type)
            + text(&self.detail)
            + self.resources.iter().map(String::len).sum::<usize>()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventBridgeEvent {
    /// A scheduled rule's next fire time.
    Fire { bus: String, rule: String },
}

impl EventBridgeEvent {
    pub fn describe(&self) -> String {
        match self {
            EventBridgeEvent::Fire { rule, .. } => format!("events: scheduled rule {rule} fires"),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EventBridge {
    /// Custom buses; `default` always exists.
    buses: BTreeSet<String>,
    /// Rules by bus, then by name.
    rules: BTreeMap<String, BTreeMap<String, Rule>>,
}

impl EventBridge {
    pub fn buses(&self) -> impl Iterator<Item = &str> {
        std::iter::once(DEFAULT_BUS).chain(self.buses.iter().map(String::as_str))
    }

    pub fn create_bus(&mut self, env: &mut Env, name: &str) -> Result<String, EventBridgeError> {
        check_name("name", name, 256, "[/\\.\\-_A-Za-z0-9]+", |c| {
            c.is_ascii_alphanumeric() || "/.-_".contains(c)
        })?;
        if name == DEFAULT_BUS || self.buses.contains(name) {
            return Err(error(
                "ResourceAlreadyExistsException",
                format!("Event bus {name} already exists."),
            ));
        }
        if name.starts_with("aws.") {
            return Err(error(
                "ValidationException",
                "Event source aws.* names are reserved for partner event buses.",
            ));
        }
        self.buses.insert(name.to_string());
        env.record("events", "bus-created", vec![("bus", name.into())]);
        Ok(bus_arn(name))
    }

    fn known_bus<'a>(&self, bus: &'a str) -> Result<&'a str, EventBridgeError> {
        if bus == DEFAULT_BUS || self.buses.contains(bus) {
            Ok(bus)
        } else {
            Err(error(
                "ResourceNotFoundException",
                format!("Event bus {bus} does not exist."),
            ))
        }
    }

    /// The rules of `bus` whose names start with `prefix`, by name.
    pub fn rules(&self, bus: &str, prefix: &str) -> Result<Vec<&Rule>, EventBridgeError> {
        let bus = self.known_bus(bus)?;
        Ok(self
            .rules
            .get(bus)
            .into_iter()
            .flat_map(|rules| rules.values())
            .filter(|rule| rule.name.starts_with(prefix))
            .collect())
    }

    fn rule_mut(&mut self, bus: &str, name: &str) -> Result<&mut Rule, EventBridgeError> {
        let bus = self.known_bus(bus)?.to_string();
        self.rules
            .get_mut(&bus)
            .and_then(|rules| rules.get_mut(name))
            .ok_or_else(|| no_such_rule(name, &bus))
    }

    pub fn rule(&self, bus: &str, name: &str) -> Result<&Rule, EventBridgeError> {
        let bus = self.known_bus(bus)?;
        self.rules
            .get(bus)
            .and_then(|rules| rules.get(name))
            .ok_or_else(|| no_such_rule(name, bus))
    }

    /// Creates or replaces a rule; a scheduled rule that is enabled starts firing.
    pub fn put_rule(
        &mut self,
        env: &mut Env,
        request: PutRule,
    ) -> Result<String, EventBridgeError> {
        check_name("name", &request.name, 64, "[\\.\\-_A-Za-z0-9]+", |c| {
            c.is_ascii_alphanumeric() || ".-_".contains(c)
        })?;
        let bus = self
            .known_bus(request.bus.as_deref().unwrap_or(DEFAULT_BUS))?
            .to_string();
        if request.schedule_expression.is_none() && request.event_pattern.is_none() {
            return Err(error(
                "ValidationException",
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            ));
        }
        if let Some(expression) = &request.schedule_expression {
            if bus != DEFAULT_BUS {
                return Err(error(
                    "ValidationException",
                    "ScheduleExpression is supported only on the default event bus.",
                ));
            }
            Schedule::parse(expression).map_err(|e| EventBridgeError {
                code: "ValidationException",
                message: schedule::INVALID_MESSAGE.into(),
                hint: Some(e.explanation),
            })?;
        }
        if let Some(pattern) = &request.event_pattern {
            check_pattern(pattern)?;
        }
        let state = match &request.state {
            Some(text) => RuleState::parse(text)?,
            None => RuleState::Enabled,
        };
        cancel_fires(env, &bus, &request.name);
        // PutRule replaces a rule's settings but keeps its targets.
        let targets = self
            .rules
            .get(&bus)
            .and_then(|rules| rules.get(&request.name))
            .map(|rule| rule.targets.clone())
            .unwrap_or_default();
        let rule = Rule {
            name: request.name.clone(),
            bus: bus.clone(),
            schedule_expression: request.schedule_expression,
            event_pattern: request.event_pattern,
            description: request.description,
            state,
            since_ms: env.now_ms,
            targets,
        };
        let arn = rule.arn();
        env.record(
            "events",
            "rule-put",
            vec![
                ("rule", rule.name.as_str().into()),
                ("bus", bus.as_str().into()),
                ("state", state.as_str().into()),
            ],
        );
        let now_ms = env.now_ms;
        schedule_next(env, &rule, now_ms);
        self.rules
            .entry(bus)
            .or_default()
            .insert(request.name, rule);
        Ok(arn)
    }

    pub fn set_state(
        &mut self,
        env: &mut Env,
        bus: &str,
        name: &str,
        state: RuleState,
    ) -> Result<(), EventBridgeError> {
        let rule = self.rule_mut(bus, name)?;
        if rule.state == state {
            return Ok(());
        }
        rule.state = state;
        rule.since_ms = env.now_ms;
        let bus = rule.bus.clone();
        cancel_fires(env, &bus, name);
        let kind = match state {
            RuleState::Enabled => "rule-enabled",
            RuleState::Disabled => "rule-disabled",
        };
        env.record("events", kind, vec![("rule", name.into())]);
        let now_ms = env.now_ms;
        schedule_next(env, rule, now_ms);
        Ok(())
    }

    /// Deletes a rule; deleting one that does not exist succeeds, as on AWS.
    pub fn delete_rule(
        &mut self,
        env: &mut Env,
        bus: &str,
        name: &str,
    ) -> Result<(), EventBridgeError> {
        let bus = self.known_bus(bus)?;
        if let Some(rules) = self.rules.get_mut(bus)
            && rules.remove(name).is_some()
        {
            cancel_fires(env, bus, name);
            env.record("events", "rule-deleted", vec![("rule", name.into())]);
        }
        Ok(())
    }

    /// PutEvents: each valid entry becomes an event on its bus, matched against the bus's
    /// enabled rules; invalid entries fail on their own, as on AWS.
    pub fn put_events(
        &mut self,
        env: &mut Env,
        targets: &mut Targets,
        entries: Vec<PutEventsEntry>,
    ) -> Result<Vec<EntryResult>, EventBridgeError> {
        if entries.len() > PUT_EVENTS_ENTRIES_MAX {
            return Err(error(
                "ValidationException",
                format!(
                    "1 validation error detected: Value at 'entries' failed to satisfy constraint: \
                     Member must have length less than or equal to {PUT_EVENTS_ENTRIES_MAX}"
                ),
            ));
        }
        // AWS refuses the whole request, not single entries, when they are too big together
        // (its message as users report it, e.g. awslabs/aws-service-catalog-puppet#563).
        if entries.iter().map(PutEventsEntry::size).sum::<usize>() > PUT_EVENTS_BYTES_MAX {
            return Err(error(
                "ValidationException",
                "Total size of the entries in the request is over the limit.",
            ));
        }
        Ok(entries
            .into_iter()
            .map(|entry| self.put_event(env, targets, entry))
            .collect())
    }

    fn put_event(
        &mut self,
        env: &mut Env,
        targets: &mut Targets,
        entry: PutEventsEntry,
    ) -> EntryResult {
        let required = |value: Option<String>, name: &str| {
            value.filter(|v| !v.is_empty()).ok_or_else(|| {
                (
                    "InvalidArgument",
                    format!(
                        "Parameter {name} is not valid. Reason: {name} is a required argument."
                    ),
                )
            })
        };
        let source = required(entry.source, "Source")?;
        let detail_type = required(entry.detail_type, "DetailType")?;
        let detail = required(entry.detail, "Detail")?;
        let detail: serde_json::Value = serde_json::from_str(&detail)
            .ok()
            .filter(serde_json::Value::is_object)
            .ok_or(("MalformedDetail", "Detail is malformed.".to_string()))?;
        let bus = entry.bus.unwrap_or_else(|| DEFAULT_BUS.into());
        let bus = self
            .known_bus(&bus)
            .map_err(|e| ("ResourceNotFoundException", e.message))?
            .to_string();
        let id = uuid(env);
        // Events carry whole seconds; a given Time is cut to its second.
        let time = entry.time_ms.map_or_else(
            || format_iso(env.now_ms),
            |ms| format_iso(ms - ms.rem_euclid(1000)),
        );
        let event = serde_json::json!({
            "version": "0",
            "id": id,
            "detail-type": detail_type,
            "source": source,
            "account": ACCOUNT_ID,
            "time": time,
            "region": REGION,
            "resources": entry.resources,
            "detail": detail,
        });
        env.record(
            "events",
            "event-put",
            vec![
                ("id", id.as_str().into()),
                ("bus", bus.as_str().into()),
                ("source", source.as_str().into()),
                ("detail-type", detail_type.as_str().into()),
            ],
        );
        for rule in self.rules.get(&bus).into_iter().flat_map(|r| r.values()) {
            let pattern = rule
                .event_pattern
                .as_deref()
                .and_then(|p| Pattern::parse(p).ok());
            if rule.state == RuleState::Enabled && pattern.is_some_and(|p| p.matches(&event)) {
                env.record(
                    "events",
                    "rule-matched",
                    vec![
                        ("rule", rule.name.as_str().into()),
                        ("id", id.as_str().into()),
                    ],
                );
                deliver(env, targets, rule, &event);
            }
        }
        Ok(id)
    }

    pub fn on_event(&mut self, env: &mut Env, targets: &mut Targets, event: EventBridgeEvent) {
        let EventBridgeEvent::Fire { bus, rule } = event;
        let Some(rule) = self.rules.get(&bus).and_then(|rules| rules.get(&rule)) else {
            return;
        };
        if rule.state != RuleState::Enabled {
            return;
        }
        let id = uuid(env);
        let scheduled = serde_json::json!({
            "version": "0",
            "id": id,
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": format_iso(env.now_ms),
            "region": REGION,
            "resources": [rule.arn()],
            "detail": {},
        });
        env.record(
            "events",
            "scheduled-event",
            vec![
                ("rule", rule.name.as_str().into()),
                ("id", id.into()),
                ("source", "aws.events".into()),
                ("detail-type", "Scheduled Event".into()),
                ("time", format_iso(env.now_ms).into()),
                ("resources", rule.arn().into()),
            ],
        );
        deliver(env, targets, rule, &scheduled);
        let now_ms = env.now_ms;
        schedule_next(env, rule, now_ms);
    }

    /// PutTargets: adds or replaces targets by id. Every target is checked before any is put,
    /// so a refused request changes nothing.
    pub fn put_targets(
        &mut self,
        env: &mut Env,
        bus: &str,
        rule: &str,
        targets: Vec<PutTarget>,
    ) -> Result<(), EventBridgeError> {
        let rule = self.rule_mut(bus, rule)?;
        if let Some(bad) = targets.iter().find(|t| !t.arn.starts_with("arn:")) {
            return Err(error(
                "ValidationException",
                format!(
                    "Parameter {} is not valid. Reason: Provided Arn is not in correct format.",
                    bad.arn
                ),
            ));
        }
        let targets = targets
            .into_iter()
            .map(|t| {
                let input = TargetInput::choose(&t.id, t.input, t.input_path, t.input_transformer)?;
                Ok(Target {
                    id: t.id,
                    arn: t.arn,
                    input,
                })
            })
            .collect::<Result<Vec<Target>, EventBridgeError>>()?;
        let ids: BTreeSet<&str> = rule
            .targets
            .keys()
            .map(String::as_str)
            .chain(targets.iter().map(|t| t.id.as_str()))
            .collect();
        if ids.len() > TARGETS_PER_RULE_MAX {
            return Err(error(
                "LimitExceededException",
                format!(
                    "The requested resource exceeds the maximum number allowed. Rule {} can have at most {TARGETS_PER_RULE_MAX} targets.",
                    rule.name
                ),
            ));
        }
        for target in targets {
            env.record(
                "events",
                "target-put",
                vec![
                    ("rule", rule.name.as_str().into()),
                    ("target", target.id.as_str().into()),
                    ("arn", target.arn.as_str().into()),
                ],
            );
            rule.targets.insert(target.id.clone(), target);
        }
        Ok(())
    }

    /// RemoveTargets; ids the rule does not have are ignored, as on AWS.
    pub fn remove_targets(
        &mut self,
        env: &mut Env,
        bus: &str,
        rule: &str,
        ids: &[String],
    ) -> Result<(), EventBridgeError> {
        let rule = self.rule_mut(bus, rule)?;
        for id in ids {
            if rule.targets.remove(id).is_some() {
                env.record(
                    "events",
                    "target-removed",
                    vec![
                        ("rule", rule.name.as_str().into()),
                        ("target", id.as_str().into()),
                    ],
                );
            }
        }
        Ok(())
    }
}

/// Sends `event` (received now) to each of the rule's targets, as each target's input makes
/// it, recording each delivery or its failure.
fn deliver(env: &mut Env, targets: &mut Targets, rule: &Rule, event: &serde_json::Value) {
    let rule_arn = rule.arn();
    for target in rule.targets.values() {
        let trigger = Trigger::EventBridge {
            rule_arn: rule_arn.clone(),
        };
        let payload = target
            .input
            .render(event, (&rule.name, &rule_arn), env.now_ms);
        let outcome = targets.send(
            env,
            &target.arn,
            "events.amazonaws.com",
            &rule_arn,
            payload,
            trigger,
        );
        let (kind, mut fields) = match outcome {
            Ok(()) => ("target-invoked", vec![]),
            Err(reason) => ("target-failed", vec![("reason", reason.into())]),
        };
        fields.splice(
            0..0,
            [
                ("rule", rule.name.as_str().into()),
                ("target", target.id.as_str().into()),
            ],
        );
        env.record("events", kind, fields);
    }
}

/// Queues an enabled scheduled rule's next fire after `after_ms`.
fn schedule_next(env: &mut Env, rule: &Rule, after_ms: Millis) {
    if rule.state != RuleState::Enabled {
        return;
    }
    let Some(schedule) = rule
        .schedule_expression
        .as_deref()
        .and_then(|e| Schedule::parse(e).ok())
    else {
        return;
    };
    if let Some(at) = schedule.next_after(rule.since_ms, after_ms) {
        let event = Event::EventBridge(EventBridgeEvent::Fire {
            bus: rule.bus.clone(),
            rule: rule.name.clone(),
        });
        // A full queue drops the fire; the world's limits say so in their own errors.
        let _ = env.schedule(at, event);
    }
}

/// Drops a rule's pending fire, when the rule is replaced, enabled, disabled or deleted.
fn cancel_fires(env: &mut Env, bus: &str, rule: &str) {
    env.cancel(&Event::EventBridge(EventBridgeEvent::Fire {
        bus: bus.to_string(),
        rule: rule.to_string(),
    }));
}

fn no_such_rule(name: &str, bus: &str) -> EventBridgeError {
    error(
        "ResourceNotFoundException",
        format!("Rule {name} does not exist on EventBus {bus}."),
    )
}

/// AWS's server-side constraint messages for a name.
fn check_name(
    member: &str,
    name: &str,
    max: usize,
    pattern: &str,
    allowed: impl Fn(char) -> bool,
) -> Result<(), EventBridgeError> {
    let constraint = if name.is_empty() || name.chars().count() > max {
        format!("Member must have length less than or equal to {max}")
    } else if !name.chars().all(allowed) {
        format!("Member must satisfy regular expression pattern: {pattern}")
    } else {
        return Ok(());
    };
    Err(error(
        "ValidationException",
        format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    ))
}

fn check_pattern(pattern: &str) -> Result<Pattern, EventBridgeError> {
    Pattern::parse(pattern).map_err(|reason| EventBridgeError {
        code: "InvalidEventPatternException",
        message: format!("Event pattern is not valid. Reason: {reason}"),
        hint: None,
    })
}

/// The envelope fields TestEventPattern requires of its event (`resources` may be left out).
const ENVELOPE: &[&str] = &["id", "account", "source", "time", "region", "detail-type"];

/// TestEventPattern: whether `event` (JSON text with the envelope) matches `pattern`.
pub fn test_event_pattern(pattern: &str, event: &str) -> Result<bool, EventBridgeError> {
    let pattern = check_pattern(pattern)?;
    let invalid = |hint: String| EventBridgeError {
        code: "ValidationException",
        message: "Parameter Event is not valid.".into(),
        hint: Some(hint),
    };
    let event: serde_json::Value =
        serde_json::from_str(event).map_err(|e| invalid(format!("the event is not JSON: {e}")))?;
    let missing: Vec<&str> = ENVELOPE
        .iter()
        .copied()
        .filter(|field| event.get(field).is_none_or(|v| !v.is_string()))
        .collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "an event needs the string fields {}; missing or not a string: {}",
            ENVELOPE.join(", "),
            missing.join(", ")
        )));
    }
    Ok(pattern.matches(&event))
}

#[cfg(test)]
mod tests {
    use super::*;

    // TestEventPattern's documented request: a pattern and a full event with its envelope.
    #[test]
    fn tests_patterns_against_whole_events() {
        let event = r#"{"id": "1", "account": "123456789012", "source": "shop.orders", "time": "2022-06-12T00:00:00Z",
            "region": "us-east-1", "resources": [], "detail-type": "OrderPlaced", "detail": {"total": 30}}"#;
        assert_eq!(
            test_event_pattern(r#"{"source": ["shop.orders"]}"#, event),
            Ok(true)
        );
        assert_eq!(
            test_event_pattern(r#"{"detail": {"total": [{"numeric": [">", 100]}]}}"#, event),
            Ok(false)
        );
        let err = test_event_pattern(r#"{"source": ["x"]}"#, r#"{"source": "x"}"#).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            ("ValidationException", "Parameter Event is not valid.")
        );
        assert!(
            err.hint
                .unwrap()
                .ends_with("missing or not a string: id, account, time, region, detail-type")
        );
        let err = test_event_pattern(r#"{"source": "x"}"#, event).unwrap_err();
        assert_eq!(
            (err.code, err.message.as_str()),
            (
                "InvalidEventPatternException",
                "Event pattern is not valid. Reason: \"source\" must be an object or an array"
            )
        );
    }

    #[test]
    fn names_follow_the_api_constraints() {
        assert!(
            check_name("name", "log-generator_1.v2", 64, "p", |c| c
                .is_ascii_alphanumeric()
                || ".-_".contains(c))
            .is_ok()
        );
        let message = check_name("name", "my rule", 64, "[\\.\\-_A-Za-z0-9]+", |c| {
            c.is_ascii_alphanumeric() || ".-_".contains(c)
        })
        .unwrap_err()
        .message;
        assert_eq!(
            message,
            "1 validation error detected: Value 'my rule' at 'name' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
        );
    }
}
