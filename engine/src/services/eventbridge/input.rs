//! What a rule's target receives: the whole event, a constant (`Input`), the part a JSONPath
//! selects (`InputPath`), or a template filled from the event (`InputTransformer`), with the
//! rules of the EventBridge User Guide, "Amazon EventBridge input transformation".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{EventBridgeError, error};
use crate::sim::{Millis, format_iso};

/// An InputTransformer: variables read from the event by JSONPath, and the template they fill.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputTransformer {
    pub input_paths_map: BTreeMap<String, String>,
    pub input_template: String,
}

/// What a target is sent; AWS takes at most one of Input, InputPath and InputTransformer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetInput {
    /// The matched event, whole.
    #[default]
    Event,
    /// `Input`: this JSON text, whatever the event.
    Constant(String),
    /// `InputPath`: the part of the event this JSONPath selects.
    Path(String),
    Transformer(InputTransformer),
}

/// InputPathsMap holds at most this many variables.
pub const INPUT_PATHS_MAX: usize = 100;
/// Names the template may use without defining them.
pub const PREDEFINED: &[&str] = &[
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event",
    "aws.events.event.ingestion-time",
    "aws.events.event.json",
];

impl TargetInput {
    /// PutTargets' checks for one target, with the ValidationException texts AWS returns.
    pub fn choose(
        target_id: &str,
        input: Option<String>,
        input_path: Option<String>,
        transformer: Option<InputTransformer>,
    ) -> Result<TargetInput, EventBridgeError> {
        let given = [input.is_some(), input_path.is_some(), transformer.is_some()];
        if given.iter().filter(|g| **g).count() > 1 {
            return Err(error(
                "ValidationException",
                format!(
                    "Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}."
                ),
            ));
        }
        if let Some(text) = input {
            serde_json::from_str::<Value>(&text).map_err(|_| not_json(target_id))?;
            return Ok(TargetInput::Constant(text));
        }
        if let Some(path) = input_path {
            JsonPath::parse(&path).ok_or_else(|| invalid_path(target_id, "InputPath", &path))?;
            return Ok(TargetInput::Path(path));
        }
        let Some(transformer) = transformer else {
            return Ok(TargetInput::Event);
        };
        check_transformer(target_id, &transformer)?;
        Ok(TargetInput::Transformer(transformer))
    }

    /// The text the target receives for `event`, matched by the rule `rule_name`/`rule_arn`
    /// and received by EventBridge at `ingestion_ms`.
    pub fn render(&self, event: &Value, rule: (&str, &str), ingestion_ms: Millis) -> String {
        match self {
            TargetInput::Event => event.to_string(),
            TargetInput::Constant(text) => text.clone(),
            TargetInput::Path(path) => JsonPath::parse(path)
                .and_then(|p| p.select(event))
                .map_or_else(String::new, Value::to_string),
            TargetInput::Transformer(transformer) => {
                let values = Variables::read(transformer, event, rule, ingestion_ms);
                fill(&transformer.input_template, &values)
            }
        }
    }
}

fn not_json(target_id: &str) -> EventBridgeError {
    error(
        "ValidationException",
        format!("Input for target {target_id} is not a valid JSON text."),
    )
}

// AWS's wording for a malformed path was not found; this sentence follows its other
// PutTargets messages, and the hint says what the playground reads.
fn invalid_path(target_id: &str, member: &str, path: &str) -> EventBridgeError {
    EventBridgeError {
        code: "ValidationException",
        message: format!("{member} for target {target_id} is not a valid JSON path: {path}."),
        hint: Some(
            "use dot notation from the event's root, e.g. $.detail.state or $.resources[0]".into(),
        ),
    }
}

fn check_transformer(
    target_id: &str,
    transformer: &InputTransformer,
) -> Result<(), EventBridgeError> {
    if transformer.input_paths_map.len() > INPUT_PATHS_MAX {
        return Err(error(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to {INPUT_PATHS_MAX}"
            ),
        ));
    }
    for (name, path) in &transformer.input_paths_map {
        // The API reference's key pattern; it also keeps out the reserved `aws.events.…` names.
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !name_ok {
            return Err(error(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{name}' at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]"
                ),
            ));
        }
        JsonPath::parse(path).ok_or_else(|| invalid_path(target_id, "InputPathsMap", path))?;
    }
    for name in placeholders(&transformer.input_template) {
        if !transformer.input_paths_map.contains_key(name) && !PREDEFINED.contains(&name) {
            return Err(error(
                "ValidationException",
                format!(
                    "InputTemplate for target {target_id} contains invalid placeholder {name}."
                ),
            ));
        }
    }
    Ok(())
}

/// The `<name>`s of a template, in order.
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .match_indices('<')
        .filter_map(|(at, _)| placeholder_at(&template[at..]))
}

/// The name of the placeholder `text` starts with, if it starts with one.
fn placeholder_at(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('<')?;
    let name = &rest[..rest.find('>')?];
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    ok.then_some(name)
}

/// The JSONPath subset EventBridge reads: `$`, then `.name` steps (letters, digits, `-`, `_`,
/// `/`) and `[n]` array indices.
#[derive(Debug, PartialEq, Eq)]
struct JsonPath(Vec<Step>);

#[derive(Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl JsonPath {
    fn parse(text: &str) -> Option<JsonPath> {
        let mut rest = text.strip_prefix('$')?;
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('.') {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "-_/".contains(c)))
                    .unwrap_or(after.len());
                if end == 0 {
                    return None;
                }
                steps.push(Step::Key(after[..end].to_string()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix('[') {
                let end = after.find(']')?;
                steps.push(Step::Index(after[..end].parse().ok()?));
                rest = &after[end + 1..];
            } else {
                return None;
            }
        }
        Some(JsonPath(steps))
    }

    fn select<'a>(&self, event: &'a Value) -> Option<&'a Value> {
        self.0.iter().try_fold(event, |value, step| match step {
            Step::Key(key) => value.get(key),
            Step::Index(i) => value.get(i),
        })
    }
}

/// The template's values: the InputPathsMap's (those whose path exists in the event) and the
/// predefined ones.
struct Variables(BTreeMap<String, Value>);

impl Variables {
    fn read(
        transformer: &InputTransformer,
        event: &Value,
        (rule_name, rule_arn): (&str, &str),
        ingestion_ms: Millis,
    ) -> Variables {
        let mut values: BTreeMap<String, Value> = transformer
            .input_paths_map
            .iter()
            .filter_map(|(name, path)| {
                let value = JsonPath::parse(path)?.select(event)?;
                Some((name.clone(), value.clone()))
            })
            .collect();
        // `aws.events.event` is the envelope without `detail`, with `detail-type` spelled
        // `detailType`, as AWS sends it (recorded in LocalStack's tests against AWS,
        // tests/aws/services/events/test_events_inputs.snapshot.json).
        let envelope: serde_json::Map<String, Value> = event
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| *key != "detail")
            .map(|(key, value)| match key.as_str() {
                "detail-type" => ("detailType".to_string(), value.clone()),
                _ => (key.clone(), value.clone()),
            })
            .collect();
        let predefined = [
            ("aws.events.rule-arn", Value::from(rule_arn)),
            ("aws.events.rule-name", Value::from(rule_name)),
            ("aws.events.event", Value::Object(envelope)),
            (
                "aws.events.event.ingestion-time",
                Value::from(format_iso(ingestion_ms)),
            ),
            ("aws.events.event.json", event.clone()),
        ];
        for (name, value) in predefined {
            values.insert(name.to_string(), value);
        }
        Variables(values)
    }
}

/// Fills `template`. In a JSON template (one that starts with `{` or `[`) a bare placeholder
/// becomes the value's JSON (strings quoted) and one inside a string its raw text, unescaped, as
/// the user guide says; any other template takes raw text everywhere. A variable whose path is
/// not in the event is left out: empty text, or `null` for a bare JSON placeholder (AWS does
/// not document that case; `null` keeps the JSON valid). JSON that parses is sent minified.
fn fill(template: &str, values: &Variables) -> String {
    let json = template.trim_start().starts_with(['{', '[']);
    let mut out = String::with_capacity(template.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if let Some(name) = placeholder_at(rest) {
            let text = match (json && !in_string, values.0.get(name)) {
                (true, Some(value)) => value.to_string(),
                (true, None) => "null".to_string(),
                (false, Some(Value::String(s))) => s.clone(),
                (false, Some(value)) => value.to_string(),
                (false, None) => String::new(),
            };
            out.push_str(&text);
            rest = &rest[name.len() + 2..];
            continue;
        }
        if json {
            if escaped {
                escaped = false;
            } else if in_string && c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = !in_string;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if json && let Ok(value) = serde_json::from_str::<Value>(&out) {
        return value.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The EventBridge User Guide's example event and Input Path, "Amazon EventBridge input
    // transformation" (eb-transform-target-input), section "Input transform examples".
    const EVENT: &str = r#"{
        "version": "0", "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
        "account": "123456789012", "time": "2015-11-11T21:29:54Z", "region": "us-east-1",
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
        "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}}"#;
    const RULE: (&str, &str) = (
        "example",
        "arn:aws:events:us-east-2:123456789012:rule/example",
    );

    fn check(template: &str, expect: &str) {
        let paths: BTreeMap<String, String> = [
            ("timestamp", "$.time"),
            ("instance", "$.detail.instance-id"),
            ("state", "$.detail.state"),
            ("resource", "$.resources[0]"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let transformer = InputTransformer {
            input_paths_map: paths,
            input_template: template.to_string(),
        };
        let input = TargetInput::choose("t", None, None, Some(transformer)).unwrap();
        let event: Value = serde_json::from_str(EVENT).unwrap();
        assert_eq!(input.render(&event, RULE, 1_447_277_394_000), expect);
    }

    #[test]
    fn user_guide_templates() {
        // Simple string.
        check(
            r#""instance <instance> is in <state>""#,
            r#""instance i-0123456789 is in RUNNING""#,
        );
        // String with escaped quotes (the console's behaviour the guide shows).
        check(
            r#""instance \"<instance>\" is in <state>""#,
            r#""instance \"i-0123456789\" is in RUNNING""#,
        );
        // Simple JSON.
        check(
            r#"{"instance" : <instance>, "state": <state>}"#,
            r#"{"instance":"i-0123456789","state":"RUNNING"}"#,
        );
        // JSON with strings and variables.
        check(
            r#"{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}"#,
            r#"{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"}"#,
        );
        // JSON with a mix of variables and static information.
        check(
            r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#,
            r#"{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}"#,
        );
        // Including reserved variables in a string.
        check(
            r#""<aws.events.rule-name> triggered""#,
            r#""example triggered""#,
        );
        // The API reference's plain-text template (InputTransformer, InputTemplate).
        check(
            "<instance> is in state <state>",
            "i-0123456789 is in state RUNNING",
        );
        check(
            "<resource>",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111",
        );
    }

    #[test]
    fn reserved_variables_in_json() {
        check(
            r#"{"instance" : <instance>, "ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>,
                "at": <aws.events.event.ingestion-time>, "originalEvent" : <aws.events.event>}"#,
            concat!(
                r#"{"instance":"i-0123456789","ruleArn":"arn:aws:events:us-east-2:123456789012:rule/example","#,
                r#""ruleName":"example","at":"2015-11-11T21:29:54Z","originalEvent":{"version":"0","#,
                r#""id":"7bf73129-1428-4cd3-a780-95db273d1602","#,
                r#""detailType":"EC2 Instance State-change Notification","source":"aws.ec2","#,
                r#""account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","#,
                r#""resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}}"#
            ),
        );
    }

    // "If you specify a variable to match a JSON path that doesn't exist in the event, that
    // variable isn't created and won't appear in the output" (Common issues).
    #[test]
    fn missing_paths_leave_nothing() {
        let transformer = InputTransformer {
            input_paths_map: [("nope".to_string(), "$.detail.nope".to_string())].into(),
            input_template: r#"{"a": "x<nope>y", "b": <nope>}"#.into(),
        };
        let event: Value = serde_json::from_str(EVENT).unwrap();
        let out = TargetInput::Transformer(transformer).render(&event, RULE, 0);
        assert_eq!(out, r#"{"a":"xy","b":null}"#);
    }

    #[test]
    fn input_path_selects_part_of_the_event() {
        let event: Value = serde_json::from_str(EVENT).unwrap();
        let render = |path: &str| TargetInput::Path(path.into()).render(&event, RULE, 0);
        assert_eq!(
            render("$.detail"),
            r#"{"instance-id":"i-0123456789","state":"RUNNING"}"#
        );
        assert_eq!(render("$.detail.state"), r#""RUNNING""#);
        assert_eq!(render("$"), event.to_string());
    }

    // Texts recorded against AWS in LocalStack's test_events_inputs.snapshot.json.
    #[test]
    fn put_targets_rejects_what_aws_rejects() {
        let transformer = |template: &str| InputTransformer {
            input_paths_map: [("a".to_string(), "$.detail".to_string())].into(),
            input_template: template.into(),
        };
        let message = |r: Result<TargetInput, EventBridgeError>| r.unwrap_err().message;
        assert_eq!(
            message(TargetInput::choose(
                "t1",
                Some("{}".into()),
                Some("$".into()),
                None
            )),
            "Only one of Input, InputPath, or InputTransformer must be provided for target t1."
        );
        assert_eq!(
            message(TargetInput::choose(
                "t1",
                None,
                None,
                Some(transformer("<a> <notdefinedkey>"))
            )),
            "InputTemplate for target t1 contains invalid placeholder notdefinedkey."
        );
        assert_eq!(
            message(TargetInput::choose(
                "t1",
                Some("not json".into()),
                None,
                None
            )),
            "Input for target t1 is not a valid JSON text."
        );
        assert!(TargetInput::choose("t1", None, Some("detail".into()), None).is_err());
        let mut reserved = transformer("<a>");
        reserved
            .input_paths_map
            .insert("aws.events.rule-name".into(), "$.id".into());
        assert!(TargetInput::choose("t1", None, None, Some(reserved)).is_err());
        assert_eq!(
            TargetInput::choose(
                "t1",
                None,
                None,
                Some(transformer("<a> <aws.events.event.json>"))
            ),
            Ok(TargetInput::Transformer(transformer(
                "<a> <aws.events.event.json>"
            )))
        );
    }
}
