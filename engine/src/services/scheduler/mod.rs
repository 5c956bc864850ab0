//! EventBridge Scheduler: schedule groups and schedules (`at`, `rate` and `cron` in an IANA time
//! zone, `expression`) that invoke a Lambda function or send to an SQS queue ("templated
//! targets") with the schedule's `Input`. Unlike rules, Scheduler calls its target as the
//! schedule's execution role, so each invocation is authorized through IAM when it happens. A
//! flexible time window moves each invocation to a time drawn from the world's RNG.

pub mod expression;

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use self::expression::{Expression, TIME_ZONE_DEFAULT, parse_time_zone};
use super::iam::Iam;
use super::iam::policy::{Context, Decision};
use super::lambda::{Lambda, Trigger};
use super::sqs::Sqs;
use super::{ACCOUNT_ID, ServiceError, Services, Targets};
use crate::sim::{Env, Event, Millis, format_iso};

pub const REGION: &str = "us-east-1";
/// The group every account has and schedules land in when they name none.
pub const DEFAULT_GROUP: &str = "default";
/// The service principal an execution role must trust.
pub const PRINCIPAL: &str = "scheduler.amazonaws.com";
/// Names of schedules and groups: 1 to 64 of `[0-9a-zA-Z-_.]`.
pub const NAME_LEN_MAX: usize = 64;
pub const DESCRIPTION_LEN_MAX: usize = 512;
/// FlexibleTimeWindow's MaximumWindowInMinutes runs from 1 to 1440 (one day).
pub const WINDOW_MINUTES_MAX: i64 = 1440;
/// A recurring schedule's StartDate may lie at most five minutes in the past.
pub const START_DATE_PAST_MS_MAX: Millis = 5 * 60_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleState {
    Enabled,
    Disabled,
}

impl ScheduleState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScheduleState::Enabled => "ENABLED",
            ScheduleState::Disabled => "DISABLED",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionAfterCompletion {
    None,
    /// Delete the schedule after its last invocation.
    Delete,
}

impl ActionAfterCompletion {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionAfterCompletion::None => "NONE",
            ActionAfterCompletion::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlexibleTimeWindow {
    Off,
    /// Each invocation happens at a time drawn within this many minutes after the scheduled one.
    Flexible {
        maximum_window_minutes: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub arn: String,
    pub role_arn: String,
    pub input: Option<String>,
}

impl Target {
    /// What the target receives: the Input, or an empty JSON object.
    pub fn payload(&self) -> &str {
        self.input.as_deref().unwrap_or("{}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub name: String,
    pub group: String,
    pub description: Option<String>,
    pub expression: String,
    pub time_zone: String,
    pub start_ms: Option<Millis>,
    pub end_ms: Option<Millis>,
    pub window: FlexibleTimeWindow,
    pub target: Target,
    pub state: ScheduleState,
    pub action_after_completion: ActionAfterCompletion,
    pub created_ms: Millis,
    pub modified_ms: Millis,
    /// Rates count from here: the StartDate, or when the schedule was created or last updated.
    anchor_ms: Millis,
}

impl Schedule {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/{}/{}",
            self.group, self.name
        )
    }

    fn parsed(&self) -> (Expression, Tz) {
        let expression = Expression::parse(&self.expression).expect("checked when it was set");
        let zone = parse_time_zone(&self.time_zone).expect("checked when it was set");
        (expression, zone)
    }

    /// The first invocation time at or after `from_ms` within StartDate and EndDate (which
    /// one-time schedules ignore).
    pub fn next_at_or_after(&self, from_ms: Millis) -> Option<Millis> {
        let (expression, zone) = self.parsed();
        if expression.is_one_time() {
            return expression.next_at_or_after(zone, self.anchor_ms, from_ms);
        }
        let from_ms = from_ms.max(self.start_ms.unwrap_or(Millis::MIN));
        expression
            .next_at_or_after(zone, self.anchor_ms, from_ms)
            .filter(|at| self.end_ms.is_none_or(|end| *at < end))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleGroup {
    pub name: String,
    pub created_ms: Millis,
}

pub fn group_arn(name: &str) -> String {
    format!("arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule-group/{name}")
}

/// CreateSchedule's and UpdateSchedule's request, as the shell read it.
#[derive(Clone, Debug, Default)]
pub struct ScheduleRequest {
    pub name: String,
    pub group: Option<String>,
    pub expression: String,
    pub time_zone: Option<String>,
    pub start_ms: Option<Millis>,
    pub end_ms: Option<Millis>,
    pub window_mode: String,
    pub maximum_window_minutes: Option<i64>,
    pub target: Option<Target>,
    pub state: Option<String>,
    pub action_after_completion: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SchedulerEvent {
    /// A schedule's invocation time: draw its flexible window and queue the next one.
    Due {
        group: String,
        name: String,
        scheduled_ms: Millis,
    },
    /// The time drawn within a flexible window: invoke the target. `last` when no invocation
    /// follows, so ActionAfterCompletion DELETE applies after it.
    Invoke {
        group: String,
        name: String,
        scheduled_ms: Millis,
        last: bool,
    },
}

impl SchedulerEvent {
    pub fn describe(&self) -> String {
        match self {
            SchedulerEvent::Due { group, name, .. } => {
                format!("scheduler: schedule {group}/{name} is due")
            }
            SchedulerEvent::Invoke { group, name, .. } => {
                format!("scheduler: schedule {group}/{name} invokes its target")
            }
        }
    }

    fn schedule(&self) -> (&str, &str) {
        match self {
            SchedulerEvent::Due { group, name, .. }
            | SchedulerEvent::Invoke { group, name, .. } => (group, name),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Scheduler {
    /// Groups created with CreateScheduleGroup; `default` always exists.
    groups: BTreeMap<String, ScheduleGroup>,
    /// Schedules by group, then by name.
    schedules: BTreeMap<String, BTreeMap<String, Schedule>>,
}

fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", message)
}

/// AWS's server-side constraint message: `1 validation error detected: Value 'x' at 'name' …`.
fn constraint(value: &str, member: &str, rule: &str) -> ServiceError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    ))
}

fn check_name(name: &str, member: &str) -> Result<(), ServiceError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if name.is_empty() || name.len() > NAME_LEN_MAX {
        return Err(constraint(
            name,
            member,
            &format!("Member must have length less than or equal to {NAME_LEN_MAX}"),
        ));
    }
    if !name.chars().all(allowed) {
        return Err(constraint(
            name,
            member,
            "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$",
        ));
    }
    Ok(())
}

fn no_such_schedule(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Schedule {name} does not exist."),
    )
}

fn no_such_group(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Schedule group {name} does not exist."),
    )
}

/// The prefixes of the targets the playground invokes.
fn lambda_prefix() -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:")
}

fn sqs_prefix() -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:")
}

impl Scheduler {
    /// Every group, `default` first, then by name.
    pub fn groups(&self) -> impl Iterator<Item = (&str, Option<&ScheduleGroup>)> {
        std::iter::once((DEFAULT_GROUP, None))
            .chain(self.groups.values().map(|g| (g.name.as_str(), Some(g))))
    }

    fn known_group<'a>(&self, group: Option<&'a str>) -> Result<&'a str, ServiceError> {
        let group = group.unwrap_or(DEFAULT_GROUP);
        if group == DEFAULT_GROUP || self.groups.contains_key(group) {
            Ok(group)
        } else {
            check_name(group, "groupName")?;
            Err(no_such_group(group))
        }
    }

    pub fn create_group(&mut self, env: &mut Env, name: &str) -> Result<String, ServiceError> {
        check_name(name, "name")?;
        if name == DEFAULT_GROUP || self.groups.contains_key(name) {
            return Err(ServiceError::new(
                "ConflictException",
                format!("Schedule group {name} already exists."),
            ));
        }
        self.groups.insert(
            name.to_string(),
            ScheduleGroup {
                name: name.to_string(),
                created_ms: env.now_ms,
            },
        );
        env.record("scheduler", "group-created", vec![("group", name.into())]);
        Ok(group_arn(name))
    }

    pub fn schedule(&self, group: Option<&str>, name: &str) -> Result<&Schedule, ServiceError> {
        let group = self.known_group(group)?;
        self.schedules
            .get(group)
            .and_then(|schedules| schedules.get(name))
            .ok_or_else(|| no_such_schedule(name))
    }

    /// Schedules in every group (or one), by group and name, filtered by prefix and state.
    pub fn schedules(
        &self,
        group: Option<&str>,
        prefix: &str,
        state: Option<ScheduleState>,
    ) -> Result<Vec<&Schedule>, ServiceError> {
        if let Some(group) = group {
            self.known_group(Some(group))?;
        }
        Ok(self
            .schedules
            .iter()
            .filter(|(g, _)| group.is_none_or(|wanted| wanted == g.as_str()))
            .flat_map(|(_, schedules)| schedules.values())
            .filter(|s| s.name.starts_with(prefix))
            .filter(|s| state.is_none_or(|wanted| s.state == wanted))
            .collect())
    }

    pub fn create_schedule(
        &mut self,
        env: &mut Env,
        request: ScheduleRequest,
    ) -> Result<String, ServiceError> {
        let schedule = self.checked(env, request, None)?;
        if self.schedule(Some(&schedule.group), &schedule.name).is_ok() {
            return Err(ServiceError::new(
                "ConflictException",
                format!("Schedule {} already exists.", schedule.name),
            ));
        }
        Ok(self.put(env, schedule, "schedule-created"))
    }

    /// UpdateSchedule replaces every setting; what the request leaves out returns to its
    /// default, as the API reference warns.
    pub fn update_schedule(
        &mut self,
        env: &mut Env,
        request: ScheduleRequest,
    ) -> Result<String, ServiceError> {
        let created_ms = self
            .schedule(request.group.as_deref(), &request.name)?
            .created_ms;
        let schedule = self.checked(env, request, Some(created_ms))?;
        cancel(env, &schedule.group, &schedule.name);
        Ok(self.put(env, schedule, "schedule-updated"))
    }

    pub fn delete_schedule(
        &mut self,
        env: &mut Env,
        group: Option<&str>,
        name: &str,
    ) -> Result<(), ServiceError> {
        let group = self.schedule(group, name)?.group.clone();
        self.remove(env, &group, name, "deleted");
        Ok(())
    }

    fn remove(&mut self, env: &mut Env, group: &str, name: &str, reason: &str) {
        if let Some(schedules) = self.schedules.get_mut(group) {
            schedules.remove(name);
        }
        cancel(env, group, name);
        env.record(
            "scheduler",
            "schedule-deleted",
            vec![
                ("schedule", name.into()),
                ("group", group.into()),
                ("reason", reason.into()),
            ],
        );
    }

    /// Stores the schedule, records `kind` and queues its first invocation.
    fn put(&mut self, env: &mut Env, schedule: Schedule, kind: &str) -> String {
        let arn = schedule.arn();
        env.record(
            "scheduler",
            kind,
            vec![
                ("schedule", schedule.name.as_str().into()),
                ("group", schedule.group.as_str().into()),
                ("expression", schedule.expression.as_str().into()),
                ("time-zone", schedule.time_zone.as_str().into()),
                ("state", schedule.state.as_str().into()),
            ],
        );
        if schedule.state == ScheduleState::Enabled
            && let Some(at) = schedule.next_at_or_after(env.now_ms)
        {
            queue_due(env, &schedule, at);
        }
        self.schedules
            .entry(schedule.group.clone())
            .or_default()
            .insert(schedule.name.clone(), schedule);
        arn
    }

    /// Checks every field of a request, in AWS's order, before anything changes.
    fn checked(
        &self,
        env: &Env,
        request: ScheduleRequest,
        created_ms: Option<Millis>,
    ) -> Result<Schedule, ServiceError> {
        check_name(&request.name, "name")?;
        let group = self.known_group(request.group.as_deref())?.to_string();
        if let Some(description) = &request.description
            && description.len() > DESCRIPTION_LEN_MAX
        {
            return Err(constraint(
                description,
                "description",
                &format!("Member must have length less than or equal to {DESCRIPTION_LEN_MAX}"),
            ));
        }
        let expression = Expression::parse(&request.expression).map_err(|e| {
            validation(format!(
                "Invalid Schedule Expression {}.",
                request.expression
            ))
            .with_hint(e.explanation)
        })?;
        let time_zone = request
            .time_zone
            .unwrap_or_else(|| TIME_ZONE_DEFAULT.to_string());
        if parse_time_zone(&time_zone).is_none() {
            return Err(
                validation(format!("Invalid time zone {time_zone}.")).with_hint(
                    "use an IANA time zone name such as UTC, Asia/Seoul or America/New_York",
                ),
            );
        }
        let window = check_window(&request.window_mode, request.maximum_window_minutes)?;
        let target = request.target.expect("the CLI requires --target");
        check_target(&target)?;
        let state = match request.state.as_deref() {
            None | Some("ENABLED") => ScheduleState::Enabled,
            Some("DISABLED") => ScheduleState::Disabled,
            Some(other) => {
                return Err(constraint(
                    other,
                    "state",
                    "Member must satisfy enum value set: [ENABLED, DISABLED]",
                ));
            }
        };
        let action_after_completion = match request.action_after_completion.as_deref() {
            None | Some("NONE") => ActionAfterCompletion::None,
            Some("DELETE") => ActionAfterCompletion::Delete,
            Some(other) => {
                return Err(constraint(
                    other,
                    "actionAfterCompletion",
                    "Member must satisfy enum value set: [NONE, DELETE]",
                ));
            }
        };
        if !expression.is_one_time() {
            check_dates(env.now_ms, request.start_ms, request.end_ms)?;
        }
        Ok(Schedule {
            name: request.name,
            group,
            description: request.description,
            expression: request.expression,
            time_zone,
            start_ms: request.start_ms,
            end_ms: request.end_ms,
            window,
            target,
            state,
            action_after_completion,
            created_ms: created_ms.unwrap_or(env.now_ms),
            modified_ms: env.now_ms,
            anchor_ms: request.start_ms.unwrap_or(env.now_ms),
        })
    }
}

fn check_window(mode: &str, minutes: Option<i64>) -> Result<FlexibleTimeWindow, ServiceError> {
    match (mode, minutes) {
        ("OFF", None) => Ok(FlexibleTimeWindow::Off),
        ("OFF", Some(_)) => Err(validation(
            "MaximumWindowInMinutes must not be set when FlexibleTimeWindow Mode is OFF.",
        )),
        ("FLEXIBLE", None) => Err(validation(
            "MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.",
        )),
        ("FLEXIBLE", Some(m)) if !(1..=WINDOW_MINUTES_MAX).contains(&m) => Err(constraint(
            &m.to_string(),
            "flexibleTimeWindow.maximumWindowInMinutes",
            &if m < 1 {
                "Member must have value greater than or equal to 1".to_string()
            } else {
                format!("Member must have value less than or equal to {WINDOW_MINUTES_MAX}")
            },
        )),
        ("FLEXIBLE", Some(m)) => Ok(FlexibleTimeWindow::Flexible {
            maximum_window_minutes: m as u32,
        }),
        (other, _) => Err(constraint(
            other,
            "flexibleTimeWindow.mode",
            "Member must satisfy enum value set: [OFF, FLEXIBLE]",
        )),
    }
}

fn check_target(target: &Target) -> Result<(), ServiceError> {
    if !target.arn.starts_with("arn:") {
        return Err(constraint(
            &target.arn,
            "target.arn",
            "Member must have length greater than or equal to 1 and satisfy regular expression pattern: ^arn:(aws[a-zA-Z-]*)?:.+$",
        ));
    }
    if super::iam::role_name_of(&target.role_arn).is_none() {
        return Err(constraint(
            &target.role_arn,
            "target.roleArn",
            "Member must satisfy regular expression pattern: ^arn:aws(-[a-z]+)?:iam::\\d{12}:role\\/[\\w+=,.@\\/-]+$",
        ));
    }
    if !target.arn.starts_with(&lambda_prefix()) && !target.arn.starts_with(&sqs_prefix()) {
        return Err(ServiceError::not_simulated(format!(
            "the playground's Scheduler invokes Lambda functions ({}NAME) and SQS queues ({}NAME), not {}",
            lambda_prefix(),
            sqs_prefix(),
            target.arn
        )));
    }
    Ok(())
}

fn check_dates(
    now_ms: Millis,
    start_ms: Option<Millis>,
    end_ms: Option<Millis>,
) -> Result<(), ServiceError> {
    if let Some(start) = start_ms
        && start < now_ms - START_DATE_PAST_MS_MAX
    {
        return Err(validation(
            "The StartDate you specify cannot be earlier than 5 minutes ago.",
        ));
    }
    if let Some(end) = end_ms {
        if end <= now_ms {
            return Err(validation(
                "The EndDate you specify cannot be earlier than now.",
            ));
        }
        if start_ms.is_some_and(|start| end <= start) {
            return Err(validation("The EndDate must be later than the StartDate."));
        }
    }
    Ok(())
}

fn queue_due(env: &mut Env, schedule: &Schedule, scheduled_ms: Millis) {
    let event = Event::Scheduler(SchedulerEvent::Due {
        group: schedule.group.clone(),
        name: schedule.name.clone(),
        scheduled_ms,
    });
    // A full queue drops the invocation; the world's limits report that themselves.
    let _ = env.schedule(scheduled_ms, event);
}

/// Drops a schedule's pending events, when it is updated or deleted.
fn cancel(env: &mut Env, group: &str, name: &str) {
    env.cancel_if(|event| matches!(event, Event::Scheduler(e) if e.schedule() == (group, name)));
}

/// Handles a schedule's event: at its due time, queue the next due time and the invocation
/// (now, or at a time drawn within the flexible window); at the invocation, call the target.
pub fn on_event(services: &mut Services, env: &mut Env, event: SchedulerEvent) {
    match event {
        SchedulerEvent::Due {
            group,
            name,
            scheduled_ms,
        } => {
            let Ok(schedule) = services.scheduler.schedule(Some(&group), &name) else {
                return;
            };
            let next = schedule.next_at_or_after(scheduled_ms + 1);
            if let Some(at) = next {
                queue_due(env, schedule, at);
            }
            let last = next.is_none();
            let window = schedule.window;
            match window {
                FlexibleTimeWindow::Off => invoke(services, env, &group, &name, scheduled_ms, last),
                FlexibleTimeWindow::Flexible {
                    maximum_window_minutes,
                } => {
                    let window_ms = u64::from(maximum_window_minutes) * 60_000;
                    let actual_ms = scheduled_ms + env.rng.below(window_ms) as Millis;
                    let event = Event::Scheduler(SchedulerEvent::Invoke {
                        group,
                        name,
                        scheduled_ms,
                        last,
                    });
                    let _ = env.schedule(actual_ms, event);
                }
            }
        }
        SchedulerEvent::Invoke {
            group,
            name,
            scheduled_ms,
            last,
        } => invoke(services, env, &group, &name, scheduled_ms, last),
    }
}

fn invoke(
    services: &mut Services,
    env: &mut Env,
    group: &str,
    name: &str,
    scheduled_ms: Millis,
    last: bool,
) {
    let Services {
        scheduler,
        iam,
        lambda,
        sqs,
        ..
    } = services;
    let Ok(schedule) = scheduler.schedule(Some(group), name) else {
        return;
    };
    env.record(
        "scheduler",
        "schedule-fired",
        vec![
            ("schedule", name.into()),
            ("group", group.into()),
            ("scheduled-time", format_iso(scheduled_ms).into()),
            ("time", format_iso(env.now_ms).into()),
            ("target", schedule.target.arn.as_str().into()),
        ],
    );
    let (kind, mut fields) = match deliver(env, iam, lambda, sqs, schedule) {
        Ok(()) => ("target-invoked", vec![]),
        Err(reason) => ("target-failed", vec![("reason", reason.into())]),
    };
    fields.splice(0..0, [("schedule", name.into()), ("group", group.into())]);
    env.record("scheduler", kind, fields);
    if last && schedule.action_after_completion == ActionAfterCompletion::Delete {
        scheduler.remove(env, group, name, "completed");
    }
}

/// Calls the target as the execution role: the role must trust Scheduler and allow the call.
/// A refusal is kept for `sim iam explain`, the schedule's name as the role session's.
fn deliver(
    env: &mut Env,
    iam: &mut Iam,
    lambda: &Lambda,
    sqs: &mut Sqs,
    schedule: &Schedule,
) -> Result<(), String> {
    let target = &schedule.target;
    let role = iam
        .role_by_arn(&target.role_arn)
        .map_err(|e| format!("{}: {}", e.code, e.message))?;
    if !role.trusts(PRINCIPAL) {
        return Err(format!(
            "the execution role {} does not let {PRINCIPAL} sts:AssumeRole in its trust policy",
            target.role_arn
        ));
    }
    let action = if target.arn.starts_with(&lambda_prefix()) {
        "lambda:InvokeFunction"
    } else {
        "sqs:SendMessage"
    };
    let decision = iam
        .simulate(role, action, &target.arn, &Context::new())
        .decision;
    if decision != Decision::Allowed {
        let message = format!(
            "AccessDenied: the execution role {} is not authorized to perform: {action} on resource: {} ({})",
            target.role_arn,
            target.arn,
            decision.as_str()
        );
        let role = role.name.clone();
        let (session, context) = (&schedule.name, &Context::new());
        iam.record_refusal(
            env.now_ms,
            &role,
            session,
            action,
            &target.arn,
            context,
            message.clone(),
        );
        return Err(message);
    }
    let trigger = Trigger::Scheduler {
        schedule_arn: schedule.arn(),
    };
    Targets { sqs, lambda }.deliver(env, &target.arn, target.payload().to_string(), trigger)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::api::Session;
    use crate::shell::MemoryFiles;
    use crate::sim::{TraceEvent, TraceValue, World, WorldConfig, parse_iso};

    const ROLE: &str = "arn:aws:iam::123456789012:role/scheduler-role";
    const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:ticks";

    /// A session at `start` with a queue and an execution role Scheduler may use to send to it.
    fn session(seed: u64, start: &str) -> Session {
        let config = WorldConfig {
            seed,
            start_ms: parse_iso(start).unwrap(),
        };
        let mut session = Session::new(config, Box::new(MemoryFiles::default()));
        for line in [
            "aws sqs create-queue --queue-name ticks",
            r#"aws iam create-role --role-name scheduler-role --assume-role-policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'"#,
            r#"aws iam put-role-policy --role-name scheduler-role --policy-name send --policy-document '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}'"#,
        ] {
            let outcome = session.exec(line);
            assert!(outcome.ok, "{line}: {}", outcome.output);
        }
        session
    }

    fn request(name: &str, expression: &str) -> ScheduleRequest {
        ScheduleRequest {
            name: name.into(),
            expression: expression.into(),
            window_mode: "OFF".into(),
            target: Some(Target {
                arn: QUEUE.into(),
                role_arn: ROLE.into(),
                input: None,
            }),
            ..ScheduleRequest::default()
        }
    }

    fn events<'a>(session: &'a Session, kind: &str) -> Vec<&'a TraceEvent> {
        session
            .world()
            .trace()
            .events()
            .iter()
            .filter(|e| e.service == "scheduler" && e.kind == kind)
            .collect()
    }

    fn time_field(event: &TraceEvent, name: &str) -> Millis {
        match event.field(name) {
            Some(TraceValue::Str(text)) => parse_iso(text).unwrap(),
            other => panic!("{name}: {other:?}"),
        }
    }

    /// Calls CreateSchedule on the service directly and checks that a refusal changed nothing.
    fn refused(world: &mut World, request: ScheduleRequest) -> ServiceError {
        let before = world.snapshot();
        let (services, mut env) = world.split();
        let err = services
            .scheduler
            .create_schedule(&mut env, request)
            .unwrap_err();
        assert_eq!(
            world.snapshot(),
            before,
            "a refused request changed the world"
        );
        err
    }

    // Error codes and messages of the Scheduler API Reference (CreateSchedule, Errors);
    // "Schedule N already exists." / "does not exist." as AWS returns them (aws-sdk-js-v3#5720),
    // "Invalid Schedule Expression …." as LocalStack recorded it from AWS.
    #[test]
    fn bad_requests_get_aws_errors_and_change_nothing() {
        let mut world = World::new(WorldConfig::default());
        let now_ms = world.now_ms();
        let check = |world: &mut World, request: ScheduleRequest, code: &str, message: &str| {
            let err = refused(world, request);
            assert_eq!((err.code, err.message.as_str()), (code, message));
        };
        check(
            &mut world,
            request("every", "rate( 10 minutes )"),
            "ValidationException",
            "Invalid Schedule Expression rate( 10 minutes ).",
        );
        check(
            &mut world,
            ScheduleRequest {
                time_zone: Some("Mars/Olympus_Mons".into()),
                ..request("every", "rate(10 minutes)")
            },
            "ValidationException",
            "Invalid time zone Mars/Olympus_Mons.",
        );
        check(
            &mut world,
            ScheduleRequest {
                window_mode: "FLEXIBLE".into(),
                maximum_window_minutes: Some(1441),
                ..request("every", "rate(10 minutes)")
            },
            "ValidationException",
            "1 validation error detected: Value '1441' at 'flexibleTimeWindow.maximumWindowInMinutes' failed to satisfy constraint: Member must have value less than or equal to 1440",
        );
        check(
            &mut world,
            ScheduleRequest {
                group: Some("reports".into()),
                ..request("every", "rate(10 minutes)")
            },
            "ResourceNotFoundException",
            "Schedule group reports does not exist.",
        );
        check(
            &mut world,
            ScheduleRequest {
                start_ms: Some(now_ms - 86_400_000),
                ..request("every", "rate(10 minutes)")
            },
            "ValidationException",
            "The StartDate you specify cannot be earlier than 5 minutes ago.",
        );
        let (services, mut env) = world.split();
        services
            .scheduler
            .create_schedule(&mut env, request("every", "rate(10 minutes)"))
            .unwrap();
        check(
            &mut world,
            request("every", "rate(1 hour)"),
            "ConflictException",
            "Schedule every already exists.",
        );
        let (services, mut env) = world.split();
        let err = services
            .scheduler
            .update_schedule(&mut env, request("missing", "rate(1 hour)"))
            .unwrap_err();
        assert_eq!(err.message, "Schedule missing does not exist.");
    }

    // User guide: without a StartDate a rate schedule starts invoking at once.
    #[test]
    fn a_rate_sends_input_to_the_queue_from_creation_on() {
        let mut session = session(1, "2022-06-12T00:00:00Z");
        let outcome = session.exec(&format!(
            "aws scheduler create-schedule --name every-5 --schedule-expression 'rate(5 minutes)' --flexible-time-window Mode=OFF --target Arn={QUEUE},RoleArn={ROLE}"
        ));
        assert!(outcome.ok, "{}", outcome.output);
        assert!(session.exec("sim advance 12m").ok);
        let fired: Vec<String> = events(&session, "schedule-fired")
            .iter()
            .map(|e| format_iso(time_field(e, "time")))
            .collect();
        assert_eq!(
            fired,
            [
                "2022-06-12T00:00:00Z",
                "2022-06-12T00:05:00Z",
                "2022-06-12T00:10:00Z"
            ]
        );
        assert_eq!(events(&session, "target-invoked").len(), 3);
        let queue = session.world().services().sqs.queue("ticks").unwrap();
        assert_eq!(queue.counts(session.world().now_ms()).0, 3);
    }

    // A daily 02:30 in New York across both 2022 transitions, through the event queue.
    #[test]
    fn a_new_york_cron_skips_the_spring_gap_and_runs_once_in_autumn() {
        for (start, expected) in [
            // 2022-03-13 02:30 does not exist in New York.
            (
                "2022-03-11T12:00:00Z",
                vec!["2022-03-12T07:30:00Z", "2022-03-14T06:30:00Z"],
            ),
            // 2022-11-06 02:30 comes once, after the repeated hour, in EST.
            (
                "2022-11-04T12:00:00Z",
                vec![
                    "2022-11-05T06:30:00Z",
                    "2022-11-06T07:30:00Z",
                    "2022-11-07T07:30:00Z",
                ],
            ),
        ] {
            let mut session = session(1, start);
            let outcome = session.exec(&format!(
                "aws scheduler create-schedule --name nightly --schedule-expression 'cron(30 2 * * ? *)' --schedule-expression-timezone America/New_York --flexible-time-window Mode=OFF --target Arn={QUEUE},RoleArn={ROLE}"
            ));
            assert!(outcome.ok, "{}", outcome.output);
            assert!(session.exec("sim advance 3d").ok);
            let fired: Vec<String> = events(&session, "schedule-fired")
                .iter()
                .map(|e| format_iso(time_field(e, "scheduled-time")))
                .collect();
            assert_eq!(fired, expected, "from {start}");
        }
    }

    #[test]
    fn a_one_time_schedule_with_delete_runs_once_and_goes() {
        let mut session = session(1, "2022-06-12T00:00:00Z");
        let outcome = session.exec(&format!(
            "aws scheduler create-schedule --name once --schedule-expression 'at(2022-06-12T09:05:00)' --schedule-expression-timezone Asia/Seoul --action-after-completion DELETE --flexible-time-window Mode=OFF --target Arn={QUEUE},RoleArn={ROLE}"
        ));
        assert!(outcome.ok, "{}", outcome.output);
        assert!(session.exec("sim advance 1h").ok);
        let fired = events(&session, "schedule-fired");
        assert_eq!(fired.len(), 1);
        assert_eq!(
            format_iso(time_field(fired[0], "time")),
            "2022-06-12T00:05:00Z"
        );
        let deleted = events(&session, "schedule-deleted");
        assert_eq!(
            deleted[0].field("reason"),
            Some(&TraceValue::from("completed"))
        );
        assert!(
            session
                .world()
                .services()
                .scheduler
                .schedule(None, "once")
                .is_err()
        );
        assert!(session.world().queue().is_empty());
    }

    #[test]
    fn a_role_without_permission_fails_the_target_and_sends_nothing() {
        let mut session = session(1, "2022-06-12T00:00:00Z");
        assert!(
            session
                .exec("aws iam delete-role-policy --role-name scheduler-role --policy-name send")
                .ok
        );
        assert!(session.exec(&format!(
            "aws scheduler create-schedule --name every --schedule-expression 'rate(1 minute)' --flexible-time-window Mode=OFF --target Arn={QUEUE},RoleArn={ROLE}"
        )).ok);
        assert!(session.exec("sim advance 30s").ok);
        let failed = events(&session, "target-failed");
        assert_eq!(failed.len(), 1);
        let Some(TraceValue::Str(reason)) = failed[0].field("reason") else {
            panic!("a reason");
        };
        assert!(reason.starts_with("AccessDenied"), "{reason}");
        let queue = session.world().services().sqs.queue("ticks").unwrap();
        assert_eq!(queue.counts(session.world().now_ms()), (0, 0, 0));
    }

    #[test]
    fn same_seed_same_trace() {
        let run = |seed| {
            let mut session = session(seed, "2022-06-12T00:00:00Z");
            assert!(session.exec(&format!(
                "aws scheduler create-schedule --name jitter --schedule-expression 'rate(10 minutes)' --flexible-time-window Mode=FLEXIBLE,MaximumWindowInMinutes=15 --target Arn={QUEUE},RoleArn={ROLE}"
            )).ok);
            assert!(session.exec("sim advance 3h").ok);
            session.world().trace().hash()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        // Every invocation of a flexible schedule happens within
        // [scheduled, scheduled + MaximumWindowInMinutes), whatever the seed and window.
        #[test]
        fn flexible_invocations_stay_in_their_window(seed in 0u64..1_000, window in 1i64..=WINDOW_MINUTES_MAX, rate in 1i64..=90) {
            let mut session = session(seed, "2022-06-12T00:00:00Z");
            let unit = if rate == 1 { "minute" } else { "minutes" };
            let outcome = session.exec(&format!(
                "aws scheduler create-schedule --name jitter --schedule-expression 'rate({rate} {unit})' --flexible-time-window Mode=FLEXIBLE,MaximumWindowInMinutes={window} --target Arn={QUEUE},RoleArn={ROLE}"
            ));
            prop_assert!(outcome.ok, "{}", outcome.output);
            // Long enough for the first invocation even with a day-long window.
            let advance = format!("sim advance {}m", window + 180);
            prop_assert!(session.exec(&advance).ok);
            let fired = events(&session, "schedule-fired");
            prop_assert!(!fired.is_empty());
            for event in fired {
                let (scheduled, actual) = (time_field(event, "scheduled-time"), time_field(event, "time"));
                prop_assert!(scheduled <= actual && actual < scheduled + window * 60_000,
                    "seed {seed}: scheduled {scheduled}, invoked {actual}, window {window} min");
            }
        }
    }
}
