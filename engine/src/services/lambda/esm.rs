//! Event source mappings: Lambda's pollers reading an SQS queue and invoking a function with
//! batches. A poll receives up to `BatchSize` messages (hidden for the queue's visibility
//! timeout), invokes the function synchronously with SQS's event shape, and deletes the batch
//! when it succeeds; on failure the messages reappear after the visibility timeout, so the
//! queue's redrive policy moves poison messages to the dead-letter queue. With
//! `ReportBatchItemFailures`, only the records the function names stay.
//!
//! A mapping polls only while there may be work: after a batch it polls again when the
//! invocation ends; on an empty queue it waits (a registered wake-up in `Sqs`, like a long
//! poll) for a send, or for the next hidden message to become visible. An idle world schedules
//! nothing.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{ACCOUNT_ID, Invocation, LambdaEvent, Outcome, REGION, Trigger, constraint};
use crate::services::iam::policy::{Context, Decision};
use crate::services::sqs::{self, Received};
use crate::services::{ServiceError, Services, uuid};
use crate::sim::{Env, Event, Millis};

/// BatchSize for SQS: 1 to 10,000, ten unless given.
pub const BATCH_SIZE_DEFAULT: u32 = 10;
pub const BATCH_SIZE_MAX: i64 = 10_000;
/// Above ten records a batch needs a batching window.
pub const BATCH_SIZE_MAX_WITHOUT_WINDOW: u32 = 10;
/// MaximumBatchingWindowInSeconds: 0 to 300.
pub const BATCHING_WINDOW_MAX_S: i64 = 300;
pub const REPORT_BATCH_ITEM_FAILURES: &str = "ReportBatchItemFailures";

/// The SQS permissions Lambda needs on the queue, checked in this order when a mapping is made
/// (AWSLambdaSQSQueueExecutionRole grants them).
const QUEUE_ACTIONS: [(&str, &str); 3] = [
    ("sqs:ReceiveMessage", "ReceiveMessage"),
    ("sqs:DeleteMessage", "DeleteMessage"),
    ("sqs:GetQueueAttributes", "GetQueueAttributes"),
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSourceMapping {
    pub uuid: String,
    /// The function's name.
    pub function: String,
    pub event_source_arn: String,
    pub batch_size: u32,
    pub maximum_batching_window_s: u32,
    pub report_batch_item_failures: bool,
    pub enabled: bool,
    pub last_modified_ms: Millis,
    /// When the current batching window opened: the first poll that found too few messages.
    pub window_opened_ms: Option<Millis>,
}

impl EventSourceMapping {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:lambda:{REGION}:{ACCOUNT_ID}:event-source-mapping:{}",
            self.uuid
        )
    }

    pub fn function_arn(&self) -> String {
        super::function_arn(&self.function)
    }

    pub fn function_response_types(&self) -> Vec<&'static str> {
        if self.report_batch_item_failures {
            vec![REPORT_BATCH_ITEM_FAILURES]
        } else {
            Vec::new()
        }
    }
}

/// What CreateEventSourceMapping and UpdateEventSourceMapping may set.
#[derive(Clone, Debug, Default)]
pub struct MappingConfig {
    pub function: Option<String>,
    pub batch_size: Option<i64>,
    pub maximum_batching_window_s: Option<i64>,
    pub function_response_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

fn not_found() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterValueException", message)
}

fn poll_event(uuid: &str) -> Event {
    Event::Lambda(LambdaEvent::Poll {
        mapping_uuid: uuid.to_string(),
    })
}

impl super::Lambda {
    pub fn mappings(&self) -> impl Iterator<Item = &EventSourceMapping> {
        self.mappings.values()
    }

    pub fn mapping(&self, uuid: &str) -> Result<&EventSourceMapping, ServiceError> {
        self.mappings.get(uuid).ok_or_else(not_found)
    }
}

/// CreateEventSourceMapping for an SQS queue. An enabled mapping starts polling now.
pub fn create(
    services: &mut Services,
    env: &mut Env,
    function: &str,
    event_source_arn: &str,
    config: MappingConfig,
) -> Result<EventSourceMapping, ServiceError> {
    let function = super::name_of(function).to_string();
    let mut mapping = EventSourceMapping {
        uuid: String::new(),
        function,
        event_source_arn: event_source_arn.to_string(),
        batch_size: BATCH_SIZE_DEFAULT,
        maximum_batching_window_s: 0,
        report_batch_item_failures: false,
        enabled: true,
        last_modified_ms: env.now_ms,
        window_opened_ms: None,
    };
    apply(&mut mapping, config)?;
    check(services, &mapping)?;
    if let Some(existing) = services
        .lambda
        .mappings()
        .find(|m| m.function == mapping.function && m.event_source_arn == event_source_arn)
    {
        return Err(ServiceError::new(
            "ResourceConflictException",
            format!(
                "An event source mapping with SQS arn (\" {event_source_arn} \") and function (\" {} \") already exists. Please update or delete the existing mapping with UUID {}",
                mapping.function, existing.uuid
            ),
        ));
    }
    mapping.uuid = uuid(env);
    env.record(
        "lambda",
        "event-source-mapping-created",
        vec![
            ("uuid", mapping.uuid.as_str().into()),
            ("function", mapping.function.as_str().into()),
            ("source", event_source_arn.into()),
        ],
    );
    if mapping.enabled {
        start(env, &mapping.uuid);
    }
    services
        .lambda
        .mappings
        .insert(mapping.uuid.clone(), mapping.clone());
    Ok(mapping)
}

/// UpdateEventSourceMapping: the changed mapping is checked as a new one would be.
pub fn update(
    services: &mut Services,
    env: &mut Env,
    uuid: &str,
    config: MappingConfig,
) -> Result<(EventSourceMapping, bool), ServiceError> {
    let mut mapping = services.lambda.mapping(uuid)?.clone();
    let was_enabled = mapping.enabled;
    apply(&mut mapping, config)?;
    check(services, &mapping)?;
    mapping.last_modified_ms = env.now_ms;
    mapping.window_opened_ms = None;
    stop(services, env, uuid);
    if mapping.enabled {
        start(env, uuid);
    }
    env.record(
        "lambda",
        "event-source-mapping-updated",
        vec![
            ("uuid", uuid.into()),
            ("enabled", mapping.enabled.into()),
            ("batch_size", i64::from(mapping.batch_size).into()),
        ],
    );
    services
        .lambda
        .mappings
        .insert(uuid.to_string(), mapping.clone());
    Ok((mapping, was_enabled))
}

/// DeleteEventSourceMapping: polling stops at once.
pub fn delete(
    services: &mut Services,
    env: &mut Env,
    uuid: &str,
) -> Result<EventSourceMapping, ServiceError> {
    let mapping = services
        .lambda
        .mappings
        .remove(uuid)
        .ok_or_else(not_found)?;
    stop(services, env, uuid);
    env.record(
        "lambda",
        "event-source-mapping-deleted",
        vec![("uuid", uuid.into())],
    );
    Ok(mapping)
}

fn start(env: &mut Env, uuid: &str) {
    // A full event queue drops the poll; the world reports that itself.
    let _ = env.schedule_earliest(env.now_ms, poll_event(uuid));
}

fn stop(services: &mut Services, env: &mut Env, uuid: &str) {
    let event = poll_event(uuid);
    env.cancel(&event);
    services.sqs.stop_waiting(&event);
}

/// Applies the request's values, with Lambda's constraints on each.
fn apply(mapping: &mut EventSourceMapping, config: MappingConfig) -> Result<(), ServiceError> {
    if let Some(size) = config.batch_size {
        if !(1..=BATCH_SIZE_MAX).contains(&size) {
            let rule = if size < 1 {
                "Member must have value greater than or equal to 1".to_string()
            } else {
                format!("Member must have value less than or equal to {BATCH_SIZE_MAX}")
            };
            return Err(constraint(&size.to_string(), "batchSize", &rule));
        }
        mapping.batch_size = size as u32;
    }
    if let Some(window) = config.maximum_batching_window_s {
        if !(0..=BATCHING_WINDOW_MAX_S).contains(&window) {
            let rule = if window < 0 {
                "Member must have value greater than or equal to 0".to_string()
            } else {
                format!("Member must have value less than or equal to {BATCHING_WINDOW_MAX_S}")
            };
            return Err(constraint(
                &window.to_string(),
                "maximumBatchingWindowInSeconds",
                &rule,
            ));
        }
        mapping.maximum_batching_window_s = window as u32;
    }
    if let Some(types) = config.function_response_types {
        if types.iter().any(|t| t != REPORT_BATCH_ITEM_FAILURES) {
            return Err(constraint(
                &format!("[{}]", types.join(", ")),
                "functionResponseTypes",
                "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]",
            ));
        }
        mapping.report_batch_item_failures = !types.is_empty();
    }
    if let Some(function) = config.function {
        mapping.function = super::name_of(&function).to_string();
    }
    if let Some(enabled) = config.enabled {
        mapping.enabled = enabled;
    }
    Ok(())
}

/// What Lambda checks of a mapping against its function and queue.
fn check(services: &Services, mapping: &EventSourceMapping) -> Result<(), ServiceError> {
    let function = services.lambda.function(&mapping.function)?;
    if !mapping.event_source_arn.starts_with("arn:aws:sqs:") {
        return Err(ServiceError::not_simulated(format!(
            "{}: only SQS queues are event sources in the playground",
            mapping.event_source_arn
        )));
    }
    let queue = services
        .sqs
        .queue_by_arn(&mapping.event_source_arn)
        .map_err(|_| {
            invalid(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.",
            )
        })?;
    let role = crate::services::iam::role_name_of(&function.role)
        .and_then(|name| services.iam.role(name).ok());
    for (action, operation) in QUEUE_ACTIONS {
        let allowed = role.is_some_and(|role| {
            let evaluation =
                services
                    .iam
                    .simulate(role, action, &mapping.event_source_arn, &Context::new());
            evaluation.decision == Decision::Allowed
        });
        if !allowed {
            return Err(invalid(format!(
                "The function execution role does not have permissions to call {operation} on SQS"
            ))
            .with_hint(format!(
                "attach arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole to {}, or allow {action} on {}",
                function.role, mapping.event_source_arn
            )));
        }
    }
    if queue.visibility_timeout_s < i64::from(function.timeout_s) {
        return Err(invalid(format!(
            "Queue visibility timeout: {} seconds is less than Function timeout: {} seconds",
            queue.visibility_timeout_s, function.timeout_s
        )));
    }
    if mapping.batch_size > BATCH_SIZE_MAX_WITHOUT_WINDOW && mapping.maximum_batching_window_s == 0
    {
        return Err(invalid(
            "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10",
        ));
    }
    Ok(())
}

/// One poll of an enabled mapping: wait, gather, or receive a batch and invoke the function.
pub fn poll(services: &mut Services, env: &mut Env, uuid: &str) {
    let Some(mapping) = services
        .lambda
        .mappings
        .get(uuid)
        .filter(|m| m.enabled)
        .cloned()
    else {
        return;
    };
    let now = env.now_ms;
    let Ok(queue) = services.sqs.queue_by_arn(&mapping.event_source_arn) else {
        env.record(
            "lambda",
            "event-source-queue-missing",
            vec![
                ("uuid", uuid.into()),
                ("source", mapping.event_source_arn.as_str().into()),
            ],
        );
        return;
    };
    let queue_name = queue.name.clone();
    let visible = queue.visible_count(now);
    let next_visible_ms = queue.next_visible_ms(now);
    if visible == 0 {
        services.sqs.wait(&queue_name, poll_event(uuid));
        if let Some(at) = next_visible_ms {
            let _ = env.schedule_earliest(at, poll_event(uuid));
        }
        return;
    }
    // A batching window gathers up to BatchSize records before the first invocation.
    if visible < mapping.batch_size as usize && mapping.maximum_batching_window_s > 0 {
        let opened = mapping.window_opened_ms.unwrap_or(now);
        let closes = opened + Millis::from(mapping.maximum_batching_window_s) * 1000;
        if now < closes {
            set_window(services, uuid, Some(opened));
            services.sqs.wait(&queue_name, poll_event(uuid));
            let _ = env.schedule_earliest(closes, poll_event(uuid));
            return;
        }
    }
    set_window(services, uuid, None);
    let received = services
        .sqs
        .receive(env, &queue_name, mapping.batch_size as usize, None)
        .expect("the queue was just looked up");
    let next_poll_ms = if received.is_empty() {
        // Every visible message moved to the dead-letter queue; look again.
        now
    } else {
        process(services, env, &mapping, &queue_name, &received)
    };
    let _ = env.schedule_earliest(next_poll_ms, poll_event(uuid));
}

fn set_window(services: &mut Services, uuid: &str, opened: Option<Millis>) {
    if let Some(mapping) = services.lambda.mappings.get_mut(uuid) {
        mapping.window_opened_ms = opened;
    }
}

/// Invokes the function with one batch and deletes what succeeded; returns when the poller is
/// free again (the invocation's end).
fn process(
    services: &mut Services,
    env: &mut Env,
    mapping: &EventSourceMapping,
    queue_name: &str,
    received: &[Received],
) -> Millis {
    let payload = sqs_event(&mapping.event_source_arn, received).to_string();
    let trigger = Trigger::Sqs {
        queue_arn: mapping.event_source_arn.clone(),
        mapping_uuid: mapping.uuid.clone(),
    };
    let invocation = super::invoke(services, env, &mapping.function, &payload, trigger);
    let ids: Vec<&str> = received.iter().map(|r| r.id.as_str()).collect();
    let failed = match &invocation {
        Ok(invocation) => failed_ids(mapping, invocation, &ids),
        Err(_) => ids.iter().map(|id| id.to_string()).collect(),
    };
    for record in received.iter().filter(|r| !failed.contains(&r.id)) {
        // The handle is the latest: the visibility timeout outlasts the function's timeout.
        let _ = services
            .sqs
            .delete_message(env, queue_name, &record.receipt_handle);
    }
    let mut fields = vec![
        ("uuid", mapping.uuid.as_str().into()),
        ("function", mapping.function.as_str().into()),
        ("records", (received.len() as i64).into()),
        ("failed", (failed.len() as i64).into()),
    ];
    if let Err(err) = &invocation {
        fields.push(("error", err.message.as_str().into()));
    }
    env.record("lambda", "event-source-batch", fields);
    invocation.map_or(env.now_ms, |invocation| invocation.end_ms())
}

/// The records that stay on the queue. A failed invocation keeps the whole batch. With
/// ReportBatchItemFailures, a successful one keeps the records its `batchItemFailures` names;
/// an identifier that is not in the batch makes Lambda treat the whole batch as failed (Lambda
/// Developer Guide, "Handling errors for an SQS event source in Lambda").
fn failed_ids(
    mapping: &EventSourceMapping,
    invocation: &Invocation,
    ids: &[&str],
) -> BTreeSet<String> {
    let all = || ids.iter().map(|id| id.to_string()).collect();
    let Outcome::Success(payload) = &invocation.outcome else {
        return all();
    };
    if !mapping.report_batch_item_failures {
        return BTreeSet::new();
    }
    let response: Value = serde_json::from_str(payload).unwrap_or(Value::Null);
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return BTreeSet::new(),
        Some(Value::Array(failures)) => failures,
        Some(_) => return all(),
    };
    let mut failed = BTreeSet::new();
    for failure in failures {
        match failure.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if ids.contains(&id) => failed.insert(id.to_string()),
            _ => return all(),
        };
    }
    failed
}

/// The event Lambda sends for an SQS batch (Lambda Developer Guide, "Using Lambda with Amazon
/// SQS": example standard queue message event).
pub fn sqs_event(queue_arn: &str, received: &[Received]) -> Value {
    let records: Vec<Value> = received
        .iter()
        .map(|r| {
            json!({
                "messageId": r.id,
                "receiptHandle": r.receipt_handle,
                "body": r.body,
                "attributes": {
                    "ApproximateReceiveCount": r.receive_count.to_string(),
                    "SentTimestamp": r.sent_ms.to_string(),
                    "SenderId": sqs::SENDER_ID,
                    "ApproximateFirstReceiveTimestamp": r.first_received_ms.to_string(),
                },
                "messageAttributes": {},
                "md5OfBody": r.md5,
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": sqs::REGION,
            })
        })
        .collect();
    json!({ "Records": records })
}
