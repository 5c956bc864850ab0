//! `aws sqs …`: standard queues in the shapes of the SQS API.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::shapes::Shape;
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::sqs::{SqsError, queue_url};
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

pub static OPERATIONS: &[Operation] = &[
    op(
        "create-queue",
        "CreateQueue",
        &[
            required("--queue-name", ParamKind::String),
            param(
                "--attributes",
                ParamKind::Structure("Attributes", &Shape::StringMap),
            ),
        ],
        create_queue,
    ),
    op(
        "delete-message",
        "DeleteMessage",
        &[URL, required("--receipt-handle", ParamKind::String)],
        delete_message,
    ),
    op("delete-queue", "DeleteQueue", &[URL], delete_queue),
    op(
        "get-queue-attributes",
        "GetQueueAttributes",
        &[URL, param("--attribute-names", ParamKind::String)],
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
];

impl From<SqsError> for CallError {
    fn from(err: SqsError) -> Self {
        CallError::api(err.code, err.message, None)
    }
}

fn create_queue(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let attributes: BTreeMap<String, String> = args
        .json("--attributes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            )
        })
        .collect();
    let (services, mut env) = ctx.world.split();
    let url =
        services
            .sqs
            .create_queue(&mut env, args.required_text("--queue-name"), &attributes)?;
    Ok(json!({ "QueueUrl": url }))
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
    let messages: Vec<Value> = received
        .into_iter()
        .map(|m| {
            json!({
                "MessageId": m.id,
                "ReceiptHandle": m.receipt_handle,
                "MD5OfBody": m.md5,
                "Body": m.body,
            })
        })
        .collect();
    Ok(json!({ "Messages": messages }))
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
    let all = BTreeMap::from([
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
    // `All`, `A,B`, or a JSON list of names.
    let text = args.text("--attribute-names").unwrap_or("");
    let names: Vec<String> = match serde_json::from_str::<Vec<String>>(text) {
        Ok(list) => list,
        Err(_) => text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect(),
    };
    if let Some(unknown) = names
        .iter()
        .find(|n| *n != "All" && !all.contains_key(n.as_str()))
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
