//! `aws scheduler …`: EventBridge Scheduler's schedules and schedule groups, in the shapes of the
//! Scheduler API (`CreateSchedule`, `GetSchedule`, `ListSchedules`, …) as the AWS CLI prints them.

use serde_json::{Map, Value, json};

use super::s3api::cli_time;
use super::shapes::{Shape, member, required as req};
use super::{Args, CallError, Operation, Param, ParamKind, param, required};
use crate::services::scheduler::{
    FlexibleTimeWindow, Schedule, ScheduleRequest, ScheduleState, Target, group_arn,
};
use crate::shell::Ctx;
use crate::sim::{Millis, parse_iso};

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("scheduler", name, api_name, params, call)
}

static WINDOW: Shape = Shape::Structure(&[
    member("MaximumWindowInMinutes", &Shape::Integer),
    req("Mode", &Shape::String),
]);
static RETRY_POLICY: Shape = Shape::Structure(&[
    member("MaximumEventAgeInSeconds", &Shape::Integer),
    member("MaximumRetryAttempts", &Shape::Integer),
]);
static TARGET: Shape = Shape::Structure(&[
    req("Arn", &Shape::String),
    member("DeadLetterConfig", &Shape::Opaque),
    member("EcsParameters", &Shape::Opaque),
    member("EventBridgeParameters", &Shape::Opaque),
    member("Input", &Shape::String),
    member("KinesisParameters", &Shape::Opaque),
    member("RetryPolicy", &RETRY_POLICY),
    req("RoleArn", &Shape::String),
    member("SageMakerPipelineParameters", &Shape::Opaque),
    member("SqsParameters", &Shape::Opaque),
]);
/// Target members the playground does not simulate: no retries, dead-letter queues or
/// service-specific parameters.
const TARGET_NOT_SIMULATED: &[&str] = &[
    "DeadLetterConfig",
    "EcsParameters",
    "EventBridgeParameters",
    "KinesisParameters",
    "RetryPolicy",
    "SageMakerPipelineParameters",
    "SqsParameters",
];
/// What GetSchedule shows as a target's RetryPolicy when none was set (the API's defaults).
const RETRY_EVENT_AGE_DEFAULT_S: i64 = 86_400;
const RETRY_ATTEMPTS_DEFAULT: i64 = 185;

const NAME: Param = required("--name", ParamKind::String);
const GROUP: Param = param("--group-name", ParamKind::String);
const CLIENT_TOKEN: Param = param("--client-token", ParamKind::String);
/// CreateSchedule's and UpdateSchedule's parameters: UpdateSchedule takes the whole schedule.
const SCHEDULE_PARAMS: &[Param] = &[
    NAME,
    GROUP,
    required("--schedule-expression", ParamKind::String),
    param("--schedule-expression-timezone", ParamKind::String),
    param("--start-date", ParamKind::String),
    param("--end-date", ParamKind::String),
    required(
        "--flexible-time-window",
        ParamKind::Structure("FlexibleTimeWindow", &WINDOW),
    ),
    required("--target", ParamKind::Structure("Target", &TARGET)),
    param("--state", ParamKind::String),
    param("--action-after-completion", ParamKind::String),
    param("--description", ParamKind::String),
    param("--kms-key-arn", ParamKind::String),
    CLIENT_TOKEN,
];

pub static OPERATIONS: &[Operation] = &[
    op(
        "create-schedule",
        "CreateSchedule",
        SCHEDULE_PARAMS,
        create_schedule,
    ),
    op(
        "create-schedule-group",
        "CreateScheduleGroup",
        &[NAME, CLIENT_TOKEN],
        create_schedule_group,
    ),
    op(
        "delete-schedule",
        "DeleteSchedule",
        &[NAME, GROUP, CLIENT_TOKEN],
        delete_schedule,
    ),
    op("get-schedule", "GetSchedule", &[NAME, GROUP], get_schedule),
    op(
        "list-schedule-groups",
        "ListScheduleGroups",
        &[param("--name-prefix", ParamKind::String)],
        list_schedule_groups,
    ),
    op(
        "list-schedules",
        "ListSchedules",
        &[
            param("--name-prefix", ParamKind::String),
            param("--state", ParamKind::String),
            GROUP,
        ],
        list_schedules,
    ),
    op(
        "update-schedule",
        "UpdateSchedule",
        SCHEDULE_PARAMS,
        update_schedule,
    ),
];

/// A timestamp parameter, as botocore checks it before sending.
fn timestamp(args: &Args, flag: &str, member: &str) -> Result<Option<Millis>, CallError> {
    let Some(text) = args.text(flag) else {
        return Ok(None);
    };
    parse_iso(text).map(Some).map_err(|_| {
        CallError::Validation(format!(
            "Invalid type for parameter {member}, value: {text}, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string"
        ))
    })
}

/// The schedule a create-schedule or update-schedule command describes.
fn schedule_request(args: &Args) -> Result<ScheduleRequest, CallError> {
    if args.text("--kms-key-arn").is_some() {
        return Err(CallError::NotSimulated(
            "--kms-key-arn is not simulated: the playground does not encrypt schedules".into(),
        ));
    }
    let target = args.json("--target").expect("the CLI requires --target");
    if let Some(member) = TARGET_NOT_SIMULATED
        .iter()
        .find(|m| target.get(**m).is_some())
    {
        return Err(CallError::NotSimulated(format!(
            "a target's {member} is not simulated: the playground's Scheduler makes one attempt per invocation and records failures in the trace"
        )));
    }
    let window = args
        .json("--flexible-time-window")
        .expect("the CLI requires --flexible-time-window");
    let text = |flag| args.text(flag).map(str::to_string);
    let string = |value: &Value, key: &str| value[key].as_str().map(str::to_string);
    Ok(ScheduleRequest {
        name: args.required_text("--name").to_string(),
        group: text("--group-name"),
        expression: args.required_text("--schedule-expression").to_string(),
        time_zone: text("--schedule-expression-timezone"),
        start_ms: timestamp(args, "--start-date", "StartDate")?,
        end_ms: timestamp(args, "--end-date", "EndDate")?,
        window_mode: string(window, "Mode").unwrap_or_default(),
        maximum_window_minutes: window["MaximumWindowInMinutes"].as_i64(),
        target: Some(Target {
            arn: string(target, "Arn").unwrap_or_default(),
            role_arn: string(target, "RoleArn").unwrap_or_default(),
            input: string(target, "Input"),
        }),
        state: text("--state"),
        action_after_completion: text("--action-after-completion"),
        description: text("--description"),
    })
}

fn create_schedule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let request = schedule_request(args)?;
    let (services, mut env) = ctx.world.split();
    let arn = services.scheduler.create_schedule(&mut env, request)?;
    Ok(json!({ "ScheduleArn": arn }))
}

fn update_schedule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let request = schedule_request(args)?;
    let (services, mut env) = ctx.world.split();
    let arn = services.scheduler.update_schedule(&mut env, request)?;
    Ok(json!({ "ScheduleArn": arn }))
}

fn delete_schedule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.scheduler.delete_schedule(
        &mut env,
        args.text("--group-name"),
        args.required_text("--name"),
    )?;
    Ok(json!({}))
}

/// GetSchedule's reply, members in the API's (alphabetical) order.
fn schedule_json(schedule: &Schedule) -> Value {
    let mut out = Map::new();
    let mut put = |key: &str, value: Value| {
        out.insert(key.to_string(), value);
    };
    put(
        "ActionAfterCompletion",
        json!(schedule.action_after_completion.as_str()),
    );
    put("Arn", json!(schedule.arn()));
    put("CreationDate", json!(cli_time(schedule.created_ms)));
    if let Some(description) = &schedule.description {
        put("Description", json!(description));
    }
    if let Some(end) = schedule.end_ms {
        put("EndDate", json!(cli_time(end)));
    }
    put(
        "FlexibleTimeWindow",
        match schedule.window {
            FlexibleTimeWindow::Off => json!({ "Mode": "OFF" }),
            FlexibleTimeWindow::Flexible {
                maximum_window_minutes,
            } => json!({ "MaximumWindowInMinutes": maximum_window_minutes, "Mode": "FLEXIBLE" }),
        },
    );
    put("GroupName", json!(schedule.group));
    put(
        "LastModificationDate",
        json!(cli_time(schedule.modified_ms)),
    );
    put("Name", json!(schedule.name));
    put("ScheduleExpression", json!(schedule.expression));
    put("ScheduleExpressionTimezone", json!(schedule.time_zone));
    if let Some(start) = schedule.start_ms {
        put("StartDate", json!(cli_time(start)));
    }
    put("State", json!(schedule.state.as_str()));
    let mut target = json!({ "Arn": schedule.target.arn });
    if let Some(input) = &schedule.target.input {
        target["Input"] = json!(input);
    }
    target["RetryPolicy"] = json!({
        "MaximumEventAgeInSeconds": RETRY_EVENT_AGE_DEFAULT_S,
        "MaximumRetryAttempts": RETRY_ATTEMPTS_DEFAULT,
    });
    target["RoleArn"] = json!(schedule.target.role_arn);
    put("Target", target);
    Value::Object(out)
}

fn get_schedule(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let schedule = ctx
        .world
        .services()
        .scheduler
        .schedule(args.text("--group-name"), args.required_text("--name"))?;
    Ok(schedule_json(schedule))
}

fn list_schedules(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let state = match args.text("--state") {
        None => None,
        Some("ENABLED") => Some(ScheduleState::Enabled),
        Some("DISABLED") => Some(ScheduleState::Disabled),
        Some(other) => {
            return Err(CallError::api(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{other}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]"
                ),
                None,
            ));
        }
    };
    let schedules = ctx.world.services().scheduler.schedules(
        args.text("--group-name"),
        args.text("--name-prefix").unwrap_or(""),
        state,
    )?;
    let summaries: Vec<Value> = schedules
        .into_iter()
        .map(|s| {
            json!({
                "Arn": s.arn(),
                "CreationDate": cli_time(s.created_ms),
                "GroupName": s.group,
                "LastModificationDate": cli_time(s.modified_ms),
                "Name": s.name,
                "State": s.state.as_str(),
                "Target": { "Arn": s.target.arn },
            })
        })
        .collect();
    Ok(json!({ "Schedules": summaries }))
}

fn create_schedule_group(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let arn = services
        .scheduler
        .create_group(&mut env, args.required_text("--name"))?;
    Ok(json!({ "ScheduleGroupArn": arn }))
}

/// ListScheduleGroups: `default` has no dates, as the CLI's own example shows.
fn list_schedule_groups(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let prefix = args.text("--name-prefix").unwrap_or("");
    let groups: Vec<Value> = ctx
        .world
        .services()
        .scheduler
        .groups()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(name, group)| match group {
            None => json!({ "Arn": group_arn(name), "Name": name, "State": "ACTIVE" }),
            Some(group) => json!({
                "Arn": group_arn(name),
                "CreationDate": cli_time(group.created_ms),
                "LastModificationDate": cli_time(group.created_ms),
                "Name": name,
                "State": "ACTIVE",
            }),
        })
        .collect();
    Ok(json!({ "ScheduleGroups": groups }))
}
