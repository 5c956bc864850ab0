//! `aws sqs …`: standard queues in the shapes of the SQS API.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::shapes::{self, Shape, member};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::sqs::{self, BatchEntry, Received, SqsError, queue_url};
use crate::shell::Ctx;

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("sqs", name, api_name, params, call)
}

const URL: super::Param = required("--queue-url", ParamKind::String);
static ATTRIBUTES: Shape = Shape::StringMap;
static SEND_ENTRY: Shape = Shape::Structure(&[
    shapes::required("Id", &Shape::String),
    shapes::required("MessageBody", &Shape::String),
    member("DelaySeconds", &Shape::Integer),
    member("MessageAttributes", &Shape::Opaque),
    member("MessageSystemAttributes", &Shape::Opaque),
    member("MessageDeduplicationId", &Shape::String),
    member("MessageGroupId", &Shape::String),
]);
static SEND_ENTRIES: Shape = Shape::List(&SEND_ENTRY);
static DELETE_ENTRY: Shape = Shape::Structure(&[
    shapes::required("Id", &Shape::String),
    shapes::required("ReceiptHandle", &Shape::String),
]);
static DELETE_ENTRIES: Shape = Shape::List(&DELETE_ENTRY);
/// The system attributes ReceiveMessage can return, in the order SQS lists them.
const SYSTEM_ATTRIBUTES: [&str; 4] = [
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "SentTimestamp",
];

pub static OPERATIONS: &[Operation] = &[
    op(
        "create-queue",
        "CreateQueue",
        &[
            required("--queue-name", ParamKind::String),
            param(
                "--attributes",
                ParamKind::Structure("Attributes", &ATTRIBUTES),
            ),
        ],
        create_queue,
    ),
    op(
        "change-message-visibility",
        "ChangeMessageVisibility",
        &[
            URL,
            required("--receipt-handle", ParamKind::String),
            required("--visibility-timeout", ParamKind::Integer),
        ],
        change_message_visibility,
    ),
    op(
        "delete-message",
        "DeleteMessage",
        &[URL, required("--receipt-handle", ParamKind::String)],
        delete_message,
    ),
    op(
        "delete-message-batch",
        "DeleteMessageBatch",
        &[
            URL,
            required(
                "--entries",
                ParamKind::Structure("Entries", &DELETE_ENTRIES),
            ),
        ],
        delete_message_batch,
    ),
    op("delete-queue", "DeleteQueue", &[URL], delete_queue),
    op(
        "get-queue-attributes",
        "GetQueueAttributes",
        &[URL, param("--attribute-names", ParamKind::Strings)],
        get_queue_attributes,
    ),
    op(
        "get-queue-url",
        "GetQueueUrl",
        &[required("--queue-name", ParamKind::String)],
        get_queue_url,
    ),
    op(
        "list-queues",
        "ListQueues",
        &[param("--queue-name-prefix", ParamKind::String)],
        list_queues,
    ),
    op("purge-queue", "PurgeQueue", &[URL], purge_queue),
    op(
        "receive-message",
        "ReceiveMessage",
        &[
            URL,
            param("--max-number-of-messages", ParamKind::Integer),
            param("--visibility-timeout", ParamKind::Integer),
            param("--wait-time-seconds", ParamKind::Integer),
            param("--attribute-names", ParamKind::Strings),
            param("--message-system-attribute-names", ParamKind::Strings),
            param("--message-attribute-names", ParamKind::Strings),
        ],
        receive_message,
    ),
    op(
        "send-message",
        "SendMessage",
        &[
            URL,
            required("--message-body", ParamKind::String),
            param("--delay-seconds", ParamKind::Integer),
        ],
        send_message,
    ),
    op(
        "send-message-batch",
        "SendMessageBatch",
        &[
            URL,
            required("--entries", ParamKind::Structure("Entries", &SEND_ENTRIES)),
        ],
        send_message_batch,
    ),
    op(
        "set-queue-attributes",
        "SetQueueAttributes",
        &[
            URL,
            required(
                "--attributes",
                ParamKind::Structure("Attributes", &ATTRIBUTES),
            ),
        ],
        set_queue_attributes,
    ),
];

impl From<SqsError> for CallError {
    fn from(err: SqsError) -> Self {
        CallError::api(err.code, err.message, None)
    }
}

/// `--attributes` as names and string values (a number given in JSON becomes its text).
fn attributes(args: &Args) -> BTreeMap<String, String> {
    args.json("--attributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect()
}

fn create_queue(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let attributes = attributes(args);
    let (services, mut env) = ctx.world.split();
    let url =
        services
            .sqs
            .create_queue(&mut env, args.required_text("--queue-name"), &attributes)?;
    Ok(json!({ "QueueUrl": url }))
}

fn set_queue_attributes(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let attributes = attributes(args);
    let (services, mut env) = ctx.world.split();
    services
        .sqs
        .set_queue_attributes(&mut env, args.required_text("--queue-url"), &attributes)?;
    Ok(json!({}))
}

fn send_message_batch(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let items = args
        .json("--entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if items
        .iter()
        .any(|item| item.get("MessageAttributes").is_some())
    {
        return Err(CallError::NotSimulated(
            "message attributes are not simulated yet; send the data in the body".into(),
        ));
    }
    let text = |item: &Value, key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let entries: Vec<BatchEntry> = items
        .iter()
        .map(|item| BatchEntry {
            id: text(item, "Id"),
            body: text(item, "MessageBody"),
            delay_s: item.get("DelaySeconds").and_then(Value::as_i64),
        })
        .collect();
    let (services, mut env) = ctx.world.split();
    let results =
        services
            .sqs
            .send_message_batch(&mut env, args.required_text("--queue-url"), &entries)?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (id, result) in results {
        match result {
            Ok((message_id, md5)) => successful
                .push(json!({ "Id": id, "MessageId": message_id, "MD5OfMessageBody": md5 })),
            Err(err) => failed.push(batch_failure(&id, &err)),
        }
    }
    Ok(json!({ "Successful": successful, "Failed": failed }))
}

/// A `Failed` entry of a batch reply: the sender's fault, with SQS's code and message.
fn batch_failure(id: &str, err: &SqsError) -> Value {
    json!({ "Id": id, "SenderFault": true, "Code": err.code, "Message": err.message })
}

fn delete_message_batch(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let entries: Vec<(String, String)> = args
        .json("--entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| {
            let text = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            (text("Id"), text("ReceiptHandle"))
        })
        .collect();
    let (services, mut env) = ctx.world.split();
    let results =
        services
            .sqs
            .delete_message_batch(&mut env, args.required_text("--queue-url"), &entries)?;
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (id, result) in results {
        match result {
            Ok(()) => successful.push(json!({ "Id": id })),
            Err(err) => failed.push(batch_failure(&id, &err)),
        }
    }
    Ok(json!({ "Successful": successful, "Failed": failed }))
}

fn change_message_visibility(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let timeout = args
        .integer("--visibility-timeout")
        .expect("parse_params checks required parameters");
    let (services, mut env) = ctx.world.split();
    services.sqs.change_message_visibility(
        &mut env,
        args.required_text("--queue-url"),
        args.required_text("--receipt-handle"),
        timeout,
    )?;
    Ok(json!({}))
}

fn get_queue_url(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let name = args.required_text("--queue-name");
    let queue = ctx.world.services().sqs.queue(&queue_url(name))?;
    Ok(json!({ "QueueUrl": queue.url() }))
}

fn list_queues(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let prefix = args.text("--queue-name-prefix").unwrap_or("");
    let urls: Vec<String> = ctx
        .world
        .services()
        .sqs
        .queues()
        .filter(|q| q.name.starts_with(prefix))
        .map(|q| q.url())
        .collect();
    // ListQueues leaves QueueUrls out when there are none, so the CLI prints nothing.
    if urls.is_empty() {
        return Ok(json!({}));
    }
    Ok(json!({ "QueueUrls": urls }))
}

fn delete_queue(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .sqs
        .delete_queue(&mut env, args.required_text("--queue-url"))?;
    Ok(json!({}))
}

fn purge_queue(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .sqs
        .purge_queue(&mut env, args.required_text("--queue-url"))?;
    Ok(json!({}))
}

fn send_message(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let (id, md5) = services.sqs.send_message(
        &mut env,
        args.required_text("--queue-url"),
        args.required_text("--message-body"),
        args.integer("--delay-seconds"),
    )?;
    Ok(json!({ "MD5OfMessageBody": md5, "MessageId": id }))
}

fn receive_message(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    // Long polling: the answer is the same at once, since nothing else runs while a command does.
    if let Some(wait) = args
        .integer("--wait-time-seconds")
        .filter(|w| !(0..=20).contains(w))
    {
        return Err(CallError::api(
            "InvalidParameterValue",
            format!(
                "Value {wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            ),
            None,
        ));
    }
    let (services, mut env) = ctx.world.split();
    let received = services.sqs.receive_message(
        &mut env,
        args.required_text("--queue-url"),
        args.integer("--max-number-of-messages"),
        args.integer("--visibility-timeout"),
    )?;
    if received.is_empty() {
        return Ok(json!({}));
    }
    // `--attribute-names` is the older name of `--message-system-attribute-names`.
    let names: Vec<&str> = args
        .strings("--attribute-names")
        .iter()
        .chain(args.strings("--message-system-attribute-names"))
        .flat_map(|word| word.split(','))
        .collect();
    let messages: Vec<Value> = received
        .into_iter()
        .map(|m| {
            let mut message = json!({
                "MessageId": m.id,
                "ReceiptHandle": m.receipt_handle,
                "MD5OfBody": m.md5,
                "Body": m.body,
            });
            let attributes = system_attributes(&m, &names);
            if !attributes.is_empty() {
                message["Attributes"] = Value::Object(attributes);
            }
            message
        })
        .collect();
    Ok(json!({ "Messages": messages }))
}

/// The system attributes asked for (`All` or names), as ReceiveMessage returns them.
fn system_attributes(message: &Received, names: &[&str]) -> serde_json::Map<String, Value> {
    let value = |name: &str| match name {
        "SenderId" => sqs::SENDER_ID.to_string(),
        "ApproximateFirstReceiveTimestamp" => message.first_received_ms.to_string(),
        "ApproximateReceiveCount" => message.receive_count.to_string(),
        _ => message.sent_ms.to_string(),
    };
    SYSTEM_ATTRIBUTES
        .iter()
        .filter(|name| names.iter().any(|n| *n == "All" || n == *name))
        .map(|name| (name.to_string(), json!(value(name))))
        .collect()
}

fn delete_message(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.sqs.delete_message(
        &mut env,
        args.required_text("--queue-url"),
        args.required_text("--receipt-handle"),
    )?;
    Ok(json!({}))
}

fn get_queue_attributes(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let now = ctx.world.now_ms();
    let queue = ctx
        .world
        .services()
        .sqs
        .queue(args.required_text("--queue-url"))?;
    let (visible, in_flight, delayed) = queue.counts(now);
    let mut all = BTreeMap::from([
        ("ApproximateNumberOfMessages", visible.to_string()),
        (
            "ApproximateNumberOfMessagesNotVisible",
            in_flight.to_string(),
        ),
        ("ApproximateNumberOfMessagesDelayed", delayed.to_string()),
        ("CreatedTimestamp", (queue.created_ms / 1000).to_string()),
        ("DelaySeconds", queue.delay_s.to_string()),
        ("QueueArn", queue.arn()),
        ("VisibilityTimeout", queue.visibility_timeout_s.to_string()),
    ]);
    if let Some(policy) = &queue.redrive_policy {
        all.insert("RedrivePolicy", policy.to_json());
    }
    // Names as words (`All`, `A B`), `A,B`, or a JSON list.
    let names: Vec<String> = args
        .strings("--attribute-names")
        .iter()
        .flat_map(|text| match serde_json::from_str::<Vec<String>>(text) {
            Ok(list) => list,
            Err(_) => text
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .collect();
    if let Some(unknown) = names
        .iter()
        .find(|n| *n != "All" && *n != "RedrivePolicy" && !all.contains_key(n.as_str()))
    {
        return Err(CallError::api(
            "InvalidAttributeName",
            format!("Unknown Attribute {unknown}."),
            None,
        ));
    }
    // Without names, GetQueueAttributes returns no attributes at all.
    if names.is_empty() {
        return Ok(json!({}));
    }
    let mut attributes = serde_json::Map::new();
    for (key, value) in all {
        if names.iter().any(|n| n == "All" || n == key) {
            attributes.insert(key.into(), json!(value));
        }
    }
    Ok(json!({ "Attributes": attributes }))
}
