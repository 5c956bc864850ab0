//! Why IAM refused a call, for `sim iam explain` and the app's "Why?": the Deny statement that
//! decided it, or the Allow statements that nearly allowed it and the part of each that did not
//! match; and the smallest change that would let exactly this call through. Explanations are
//! worked out when the call is denied, against the policies the role had then.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::policy::{self, Decision, Effect, Element, FailedCondition, Policy, Request};
use crate::sim::Millis;

/// Denials the world keeps for explaining; older ones are dropped.
pub const DENIALS_KEPT_MAX: usize = 50;
/// Nearly-matching statements an explanation lists, nearest first.
pub const NEAR_MISSES_MAX: usize = 3;

/// A policy that applies to a role's sessions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySource {
    pub name: String,
    /// The managed policy's ARN; `None` for an inline policy.
    pub arn: Option<String>,
}

/// An `Action` or `Resource` element as written: its patterns, and whether it is the `Not…` form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementText {
    pub not: bool,
    pub patterns: Vec<String>,
}

impl From<&Element> for ElementText {
    fn from(element: &Element) -> Self {
        ElementText {
            not: matches!(element, Element::AllExcept(_)),
            patterns: element.patterns().to_vec(),
        }
    }
}

impl ElementText {
    /// `a, b`, or `everything but a, b` for a `Not…` element.
    pub fn describe(&self) -> String {
        let listed = self.patterns.join(", ");
        if self.not {
            format!("everything but {listed}")
        } else {
            listed
        }
    }
}

/// One statement of one of the role's policies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRef {
    pub policy: PolicySource,
    /// 1-based position in the policy's `Statement` list.
    pub number: usize,
    pub sid: Option<String>,
    pub action: ElementText,
    pub resource: ElementText,
}

impl StatementRef {
    /// `statement 2 (Sid "WriteLogs") of inline policy write-logs`.
    pub fn describe(&self) -> String {
        let sid = self
            .sid
            .as_ref()
            .map(|sid| format!(" (Sid \"{sid}\")"))
            .unwrap_or_default();
        let policy = match &self.policy.arn {
            None => format!("inline policy {}", self.policy.name),
            Some(arn) => format!("managed policy {} ({arn})", self.policy.name),
        };
        format!("statement {}{sid} of {policy}", self.number)
    }
}

/// A condition key test that did not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionMiss {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// What the request had for the key; `None` when it had no value.
    pub request_values: Option<Vec<String>>,
}

impl From<FailedCondition> for ConditionMiss {
    fn from(failed: FailedCondition) -> Self {
        ConditionMiss {
            operator: failed.operator,
            key: failed.key,
            values: failed.values,
            request_values: failed.request_values,
        }
    }
}

impl ConditionMiss {
    /// `StringEquals aws:RequestedRegion ["eu-west-1"] (the request has ["us-east-1"])`.
    pub fn describe(&self) -> String {
        let had = match &self.request_values {
            Some(values) => format!("the request has {}", json!(values)),
            None => "the request has no value for it".to_string(),
        };
        format!(
            "{} {} {} ({had})",
            self.operator,
            self.key,
            json!(self.values)
        )
    }
}

/// Which part of an Allow statement kept it from allowing the call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mismatch {
    /// Action and resource match; these conditions did not hold.
    Condition(Vec<ConditionMiss>),
    /// The action matches; the resource is not one of the statement's.
    Resource,
    /// The resource matches, and the statement names actions of the same service, but not this one.
    Action,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NearMiss {
    pub statement: StatementRef,
    pub mismatch: Mismatch,
}

/// Why a call was denied, worked out against the policies the role had when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Explanation {
    pub principal: String,
    pub role: String,
    pub action: String,
    pub resource: String,
    pub decision: Decision,
    /// `false` when the role no longer exists.
    pub role_exists: bool,
    /// The policies that were evaluated.
    pub policies: Vec<PolicySource>,
    /// For an explicit deny: the Deny statements that matched.
    pub denied_by: Vec<StatementRef>,
    /// For an implicit deny: Allow statements that nearly matched, nearest first.
    pub near_misses: Vec<NearMiss>,
}

/// What would let the call through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Allow exactly this action on exactly this resource with one more inline policy.
    Allow {
        policy_name: String,
        /// The one statement, pretty-printed with the CLI's 4-space indent.
        statement: String,
        /// `aws iam put-role-policy …` with the whole document, ready to type.
        command: String,
    },
    /// An Allow cannot override an explicit Deny: these statements must go or be narrowed.
    /// The commands show where they are.
    RemoveDeny { commands: Vec<String> },
    /// The role is gone; nothing in IAM's policies can help until it exists again.
    CreateRole,
}

/// Works out why `request` was refused by the role's `policies`.
pub fn explain(
    principal: &str,
    role: &str,
    policies: Option<&[(PolicySource, Policy)]>,
    request: &Request,
    decision: Decision,
) -> Explanation {
    let mut explanation = Explanation {
        principal: principal.to_string(),
        role: role.to_string(),
        action: request.action.to_string(),
        resource: request.resource.to_string(),
        decision,
        role_exists: policies.is_some(),
        policies: Vec::new(),
        denied_by: Vec::new(),
        near_misses: Vec::new(),
    };
    let Some(policies) = policies else {
        return explanation;
    };
    let mut near = Vec::new();
    for (source, document) in policies {
        explanation.policies.push(source.clone());
        let statements = document.statements().iter().enumerate();
        for ((index, statement), fit) in statements.zip(policy::fit(document, request)) {
            let reference = || StatementRef {
                policy: source.clone(),
                number: index + 1,
                sid: statement.sid.clone(),
                action: (&statement.action).into(),
                resource: (&statement.resource).into(),
            };
            let applies = fit.action && fit.resource && fit.failed_conditions.is_empty();
            match statement.effect {
                Effect::Deny if applies => explanation.denied_by.push(reference()),
                Effect::Deny => {}
                Effect::Allow => {
                    if let Some((rank, mismatch)) = mismatch(fit, &statement.action, request) {
                        near.push((rank, reference(), mismatch));
                    }
                }
            }
        }
    }
    if decision == Decision::ImplicitDeny {
        // Stable: statements of equal rank keep their order in the policies.
        near.sort_by_key(|(rank, _, _)| *rank);
        explanation.near_misses = near
            .into_iter()
            .take(NEAR_MISSES_MAX)
            .map(|(_, statement, mismatch)| NearMiss {
                statement,
                mismatch,
            })
            .collect();
    }
    explanation
}

/// How near an Allow statement came (lower is nearer), or `None` when it is not near at all:
/// neither its action nor its resource match, or only its resource matches and it is about
/// another service (every `Resource: "*"` statement would be "near" otherwise).
fn mismatch(fit: policy::Fit, action: &Element, request: &Request) -> Option<(u8, Mismatch)> {
    match (fit.action, fit.resource) {
        (true, true) if !fit.failed_conditions.is_empty() => Some((
            0,
            Mismatch::Condition(
                fit.failed_conditions
                    .into_iter()
                    .map(ConditionMiss::from)
                    .collect(),
            ),
        )),
        (true, false) => Some((1, Mismatch::Resource)),
        (false, true) if same_service(action, request.action) => Some((2, Mismatch::Action)),
        _ => None,
    }
}

/// Whether a listed action pattern belongs to the action's service (`s3:GetObject` for
/// `s3:PutObject`).
fn same_service(action: &Element, wanted: &str) -> bool {
    let Element::Listed(patterns) = action else {
        return false;
    };
    let service = |text: &str| text.split(':').next().unwrap_or_default().to_lowercase();
    patterns.iter().any(|p| service(p) == service(wanted))
}

impl Explanation {
    /// The smallest change that lets exactly this call through.
    pub fn fix(&self) -> Fix {
        if !self.role_exists {
            return Fix::CreateRole;
        }
        if self.decision == Decision::ExplicitDeny {
            let commands = self
                .denied_by
                .iter()
                .map(|statement| match &statement.policy.arn {
                    None => format!(
                        "aws iam get-role-policy --role-name {} --policy-name {}",
                        self.role, statement.policy.name
                    ),
                    Some(arn) => format!(
                        "aws iam detach-role-policy --role-name {} --policy-arn {arn}",
                        self.role
                    ),
                })
                .collect();
            return Fix::RemoveDeny { commands };
        }
        let statement = json!({
            "Effect": "Allow",
            "Action": self.action,
            "Resource": policy::escape_wildcards(&self.resource),
        });
        let document = json!({ "Version": policy::VERSION_2012, "Statement": [statement] });
        let policy_name = format!("allow-{}", self.action.replace(':', "-"));
        let command = format!(
            "aws iam put-role-policy --role-name {} --policy-name {policy_name} --policy-document {}",
            self.role,
            single_quoted(&document.to_string())
        );
        Fix::Allow {
            policy_name,
            statement: pretty(&statement),
            command,
        }
    }
}

/// `text` in single quotes for the shell, a `'` inside written as `'\''`.
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn pretty(value: &serde_json::Value) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("JSON values always serialise");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A denied call as the world remembers it, numbered from 1 in the order they happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenialRecord {
    pub id: u64,
    pub time_ms: Millis,
    /// AWS's AccessDenied sentence, as the caller saw it.
    pub message: String,
    pub explanation: Explanation,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::iam::policy::Context;

    const ROLE: &str = "fn-role";
    const PRINCIPAL: &str = "arn:aws:sts::123456789012:assumed-role/fn-role/invoice-service";
    const PUT: &str = "s3:PutObject";
    const OBJECT: &str = "arn:aws:s3:::invoices/invoices/A1.json";

    fn inline(name: &str, document: &str) -> (PolicySource, Policy) {
        let source = PolicySource {
            name: name.into(),
            arn: None,
        };
        (source, Policy::parse(document).expect("test policy parses"))
    }

    fn check(
        policies: Option<&[(PolicySource, Policy)]>,
        context: &Context,
        decision: Decision,
    ) -> Explanation {
        let request = Request {
            action: PUT,
            resource: OBJECT,
            context,
        };
        explain(PRINCIPAL, ROLE, policies, &request, decision)
    }

    fn allow_fix(explanation: &Explanation) -> (String, String) {
        match explanation.fix() {
            Fix::Allow {
                statement, command, ..
            } => (statement, command),
            other => panic!("expected an Allow fix, got {other:?}"),
        }
    }

    #[test]
    fn an_explicit_deny_names_its_policy_and_sid_and_the_fix_removes_it() {
        let policies = [
            inline(
                "write-all",
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
            ),
            inline(
                "no-invoices",
                r#"{"Version": "2012-10-17", "Statement": [
                    {"Sid": "ReadOnly", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
                    {"Sid": "KeepInvoicesSafe", "Effect": "Deny", "Action": "s3:Put*", "Resource": "arn:aws:s3:::invoices/*"}]}"#,
            ),
        ];
        let explanation = check(Some(&policies), &Context::new(), Decision::ExplicitDeny);
        assert_eq!(explanation.denied_by.len(), 1);
        assert_eq!(
            explanation.denied_by[0].describe(),
            "statement 2 (Sid \"KeepInvoicesSafe\") of inline policy no-invoices"
        );
        assert!(explanation.near_misses.is_empty());
        assert_eq!(
            explanation.fix(),
            Fix::RemoveDeny {
                commands: vec![
                    "aws iam get-role-policy --role-name fn-role --policy-name no-invoices".into()
                ]
            }
        );
    }

    #[test]
    fn an_implicit_deny_lists_the_statement_on_the_wrong_bucket() {
        let policies = [
            inline(
                "logs",
                r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}"#,
            ),
            inline(
                "write-reports",
                r#"{"Version": "2012-10-17", "Statement": [
                    {"Sid": "ReadInvoices", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::invoices/*"},
                    {"Sid": "WriteReports", "Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::reports/*"}]}"#,
            ),
        ];
        let explanation = check(Some(&policies), &Context::new(), Decision::ImplicitDeny);
        assert!(explanation.denied_by.is_empty());
        let near: Vec<(String, &Mismatch)> = explanation
            .near_misses
            .iter()
            .map(|n| (n.statement.describe(), &n.mismatch))
            .collect();
        // The wrong bucket first (right action), then the wrong action on the right bucket; the
        // logs statement is about another service and is not near.
        assert_eq!(
            near,
            [
                (
                    "statement 2 (Sid \"WriteReports\") of inline policy write-reports".into(),
                    &Mismatch::Resource
                ),
                (
                    "statement 1 (Sid \"ReadInvoices\") of inline policy write-reports".into(),
                    &Mismatch::Action
                ),
            ]
        );
        assert_eq!(
            explanation.near_misses[0].statement.resource.describe(),
            "arn:aws:s3:::reports/*"
        );
        let (statement, command) = allow_fix(&explanation);
        assert_eq!(
            statement,
            "{\n    \"Effect\": \"Allow\",\n    \"Action\": \"s3:PutObject\",\n    \"Resource\": \"arn:aws:s3:::invoices/invoices/A1.json\"\n}"
        );
        assert_eq!(
            command,
            r#"aws iam put-role-policy --role-name fn-role --policy-name allow-s3-PutObject --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::invoices/invoices/A1.json"}]}'"#
        );
    }

    #[test]
    fn a_failed_condition_is_named_with_what_the_request_had() {
        let policies = [inline(
            "eu-only",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}, "Bool": {"aws:SecureTransport": "true"}}}]}"#,
        )];
        let context = Context::from([
            ("aws:requestedregion".to_string(), vec!["us-east-1".into()]),
            ("aws:securetransport".to_string(), vec!["true".into()]),
        ]);
        let explanation = check(Some(&policies), &context, Decision::ImplicitDeny);
        let [near] = explanation.near_misses.as_slice() else {
            panic!("{explanation:?}");
        };
        let Mismatch::Condition(misses) = &near.mismatch else {
            panic!("{near:?}");
        };
        let described: Vec<String> = misses.iter().map(ConditionMiss::describe).collect();
        assert_eq!(
            described,
            [r#"StringEquals aws:RequestedRegion ["eu-west-1"] (the request has ["us-east-1"])"#]
        );
    }

    #[test]
    fn a_role_without_policies_has_nothing_near_and_a_role_that_is_gone_needs_creating() {
        let explanation = check(Some(&[]), &Context::new(), Decision::ImplicitDeny);
        assert!(explanation.role_exists);
        assert!(explanation.policies.is_empty() && explanation.near_misses.is_empty());
        let (_, command) = allow_fix(&explanation);
        assert!(command.contains("--role-name fn-role --policy-name allow-s3-PutObject"));
        let gone = check(None, &Context::new(), Decision::ImplicitDeny);
        assert_eq!(gone.fix(), Fix::CreateRole);
    }

    #[test]
    fn the_fix_quotes_for_the_shell_and_keeps_wildcards_literal() {
        let explanation = Explanation {
            resource: "arn:aws:s3:::b/it's*.json".into(),
            ..check(Some(&[]), &Context::new(), Decision::ImplicitDeny)
        };
        let (_, command) = allow_fix(&explanation);
        assert!(
            command.ends_with(r#""Resource":"arn:aws:s3:::b/it'\''s${*}.json"}]}'"#),
            "{command}"
        );
    }
}
