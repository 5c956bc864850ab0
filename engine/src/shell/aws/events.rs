//! `aws events …`: event buses and rules, in the shapes of the EventBridge API.

use serde_json::{Value, json};

use super::shapes::{Shape, member, required as req};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::Targets;
use crate::services::eventbridge::input::{InputTransformer, TargetInput};
use crate::services::eventbridge::{
    self, DEFAULT_BUS, EventBridgeError, PutEventsEntry, PutRule, PutTarget, Rule, RuleState,
    Target, bus_arn,
};
use crate::shell::Ctx;

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("events", name, api_name, params, call)
}

static ENTRY: Shape = Shape::Structure(&[
    member("Time", &Shape::Timestamp),
    member("Source", &Shape::String),
    member("Resources", &Shape::List(&Shape::String)),
    member("DetailType", &Shape::String),
    member("Detail", &Shape::String),
    member("EventBusName", &Shape::String),
    member("TraceHeader", &Shape::String),
]);
static ENTRIES: Shape = Shape::List(&ENTRY);
static TARGET: Shape = Shape::Structure(&[
    req("Id", &Shape::String),
    req("Arn", &Shape::String),
    member("RoleArn", &Shape::String),
    member("Input", &Shape::String),
    member("InputPath", &Shape::String),
    member("InputTransformer", &INPUT_TRANSFORMER),
]);
static INPUT_TRANSFORMER: Shape = Shape::Structure(&[
    member("InputPathsMap", &Shape::StringMap),
    req("InputTemplate", &Shape::String),
]);
static TARGETS: Shape = Shape::List(&TARGET);
const RULE: super::Param = required("--rule", ParamKind::String);

const NAME: super::Param = required("--name", ParamKind::String);
const BUS: super::Param = param("--event-bus-name", ParamKind::String);

pub static OPERATIONS: &[Operation] = &[
    op(
        "create-event-bus",
        "CreateEventBus",
        &[NAME],
        create_event_bus,
    ),
    op("delete-rule", "DeleteRule", &[NAME, BUS], delete_rule),
    op("describe-rule", "DescribeRule", &[NAME, BUS], describe_rule),
    op("disable-rule", "DisableRule", &[NAME, BUS], disable_rule),
    op("enable-rule", "EnableRule", &[NAME, BUS], enable_rule),
    op(
        "list-event-buses",
        "ListEventBuses",
        &[param("--name-prefix", ParamKind::String)],
        list_event_buses,
    ),
    op(
        "list-targets-by-rule",
        "ListTargetsByRule",
        &[RULE, BUS],
        list_targets_by_rule,
    ),
    op(
        "list-rules",
        "ListRules",
        &[param("--name-prefix", ParamKind::String), BUS],
        list_rules,
    ),
    op(
        "put-events",
        "PutEvents",
        &[required(
            "--entries",
            ParamKind::Structure("Entries", &ENTRIES),
        )],
        put_events,
    ),
    op(
        "put-rule",
        "PutRule",
        &[
            NAME,
            param("--schedule-expression", ParamKind::String),
            param("--event-pattern", ParamKind::String),
            param("--state", ParamKind::String),
            param("--description", ParamKind::String),
            param("--role-arn", ParamKind::String),
            BUS,
        ],
        put_rule,
    ),
    op(
        "put-targets",
        "PutTargets",
        &[
            RULE,
            BUS,
            required("--targets", ParamKind::Structure("Targets", &TARGETS)),
        ],
        put_targets,
    ),
    op(
        "remove-targets",
        "RemoveTargets",
        &[RULE, BUS, required("--ids", ParamKind::String)],
        remove_targets,
    ),
    op(
        "test-event-pattern",
        "TestEventPattern",
        &[
            required("--event-pattern", ParamKind::String),
            required("--event", ParamKind::String),
        ],
        test_event_pattern,
    ),
];

impl From<EventBridgeError> for CallError {
    fn from(err: EventBridgeError) -> Self {
        CallError::api(err.code, err.message, err.hint)
    }
}

fn bus(args: &Args) -> &str {
    args.text("--event-bus-name").unwrap_or(DEFAULT_BUS)
}

fn put_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let text = |flag| args.text(flag).map(str::to_string);
    let request = PutRule {
        name: args.required_text("--name").to_string(),
        bus: text("--event-bus-name"),
        schedule_expression: text("--schedule-expression"),
        event_pattern: text("--event-pattern"),
        description: text("--description"),
        state: text("--state"),
    };
    let (services, mut env) = ctx.world.split();
    let arn = services.eventbridge.put_rule(&mut env, request)?;
    Ok(json!({ "RuleArn": arn }))
}

/// A rule as ListRules and DescribeRule show it.
fn rule_json(rule: &Rule) -> Value {
    let mut out = json!({ "Name": rule.name, "Arn": rule.arn() });
    if let Some(pattern) = &rule.event_pattern {
        out["EventPattern"] = json!(pattern);
    }
    if let Some(expression) = &rule.schedule_expression {
        out["ScheduleExpression"] = json!(expression);
    }
    out["State"] = json!(rule.state.as_str());
    if let Some(description) = &rule.description {
        out["Description"] = json!(description);
    }
    out["EventBusName"] = json!(rule.bus);
    out
}

fn describe_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let rule = ctx
        .world
        .services()
        .eventbridge
        .rule(bus(args), args.required_text("--name"))?;
    let mut out = rule_json(rule);
    out["CreatedBy"] = json!(crate::services::ACCOUNT_ID);
    Ok(out)
}

fn list_rules(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let prefix = args.text("--name-prefix").unwrap_or("");
    let rules = ctx.world.services().eventbridge.rules(bus(args), prefix)?;
    Ok(json!({ "Rules": rules.into_iter().map(rule_json).collect::<Vec<_>>() }))
}

fn set_state(ctx: &mut Ctx, args: &Args, state: RuleState) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .eventbridge
        .set_state(&mut env, bus(args), args.required_text("--name"), state)?;
    Ok(json!({}))
}

fn enable_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    set_state(ctx, args, RuleState::Enabled)
}

fn disable_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    set_state(ctx, args, RuleState::Disabled)
}

fn delete_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .eventbridge
        .delete_rule(&mut env, bus(args), args.required_text("--name"))?;
    Ok(json!({}))
}

fn create_event_bus(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let arn = services
        .eventbridge
        .create_bus(&mut env, args.required_text("--name"))?;
    Ok(json!({ "EventBusArn": arn }))
}

fn list_event_buses(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let prefix = args.text("--name-prefix").unwrap_or("");
    let buses: Vec<Value> = ctx
        .world
        .services()
        .eventbridge
        .buses()
        .filter(|name| name.starts_with(prefix))
        .map(|name| json!({ "Name": name, "Arn": bus_arn(name) }))
        .collect();
    Ok(json!({ "EventBuses": buses }))
}

fn test_event_pattern(_ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let result = eventbridge::test_event_pattern(
        args.required_text("--event-pattern"),
        args.required_text("--event"),
    )?;
    Ok(json!({ "Result": result }))
}

fn put_events(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let text = |entry: &Value, key: &str| entry[key].as_str().map(str::to_string);
    let entries = args
        .json("--entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|entry| PutEventsEntry {
            time_ms: entry.get("Time").and_then(super::shapes::timestamp_ms),
            source: text(entry, "Source"),
            detail_type: text(entry, "DetailType"),
            detail: text(entry, "Detail"),
            bus: text(entry, "EventBusName"),
            resources: entry["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
        })
        .collect::<Vec<_>>();
    if entries.is_empty() {
        // botocore checks the list's minimum length before sending.
        return Err(CallError::Validation(
            "Invalid length for parameter Entries, value: 0, valid min length: 1".into(),
        ));
    }
    let (services, mut env) = ctx.world.split();
    let results = services.eventbridge.put_events(
        &mut env,
        &mut Targets {
            sqs: &mut services.sqs,
            lambda: &services.lambda,
        },
        entries,
    )?;
    let failed = results.iter().filter(|r| r.is_err()).count();
    let entries: Vec<Value> = results
        .into_iter()
        .map(|result| match result {
            Ok(id) => json!({ "EventId": id }),
            Err((code, message)) => json!({ "ErrorCode": code, "ErrorMessage": message }),
        })
        .collect();
    Ok(json!({ "FailedEntryCount": failed, "Entries": entries }))
}

fn put_targets(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let text = |t: &Value, key: &str| t[key].as_str().map(str::to_string);
    let targets: Vec<PutTarget> = args
        .json("--targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| PutTarget {
            id: text(t, "Id").unwrap_or_default(),
            arn: text(t, "Arn").unwrap_or_default(),
            input: text(t, "Input"),
            input_path: text(t, "InputPath"),
            input_transformer: t.get("InputTransformer").map(|it| InputTransformer {
                input_paths_map: it["InputPathsMap"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect(),
                input_template: text(it, "InputTemplate").unwrap_or_default(),
            }),
        })
        .collect();
    let (services, mut env) = ctx.world.split();
    services
        .eventbridge
        .put_targets(&mut env, bus(args), args.required_text("--rule"), targets)?;
    Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
}

fn remove_targets(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    // `--ids a b` in the CLI; here one id, a comma list or a JSON list.
    let text = args.required_text("--ids");
    let ids: Vec<String> = serde_json::from_str(text).unwrap_or_else(|_| {
        text.split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
            .collect()
    });
    let (services, mut env) = ctx.world.split();
    services
        .eventbridge
        .remove_targets(&mut env, bus(args), args.required_text("--rule"), &ids)?;
    Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
}

fn list_targets_by_rule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let rule = ctx
        .world
        .services()
        .eventbridge
        .rule(bus(args), args.required_text("--rule"))?;
    let targets: Vec<Value> = rule.targets.values().map(target_json).collect();
    Ok(json!({ "Targets": targets }))
}

/// A target as ListTargetsByRule shows it: its input option only when it has one.
fn target_json(target: &Target) -> Value {
    let mut out = json!({ "Id": target.id, "Arn": target.arn });
    match &target.input {
        TargetInput::Event => {}
        TargetInput::Constant(text) => out["Input"] = json!(text),
        TargetInput::Path(path) => out["InputPath"] = json!(path),
        TargetInput::Transformer(transformer) => {
            let mut shown = json!({});
            if !transformer.input_paths_map.is_empty() {
                shown["InputPathsMap"] = json!(transformer.input_paths_map);
            }
            shown["InputTemplate"] = json!(transformer.input_template);
            out["InputTransformer"] = shown;
        }
    }
    out
}
