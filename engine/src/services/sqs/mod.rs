//! SQS standard queues on the virtual clock: send (with delay), receive (up to 10, hidden for the
//! visibility timeout), delete by receipt handle, and redelivery when a message is not deleted in
//! time — the at-least-once delivery learners need to see. Receipt handles are random per
//! receive, so an old handle no longer deletes a redelivered message.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{ACCOUNT_ID, md5_hex, uuid};
use crate::sim::{Env, Millis};

pub const REGION: &str = "us-east-1";
const VISIBILITY_TIMEOUT_DEFAULT_S: i64 = 30;
const VISIBILITY_TIMEOUT_MAX_S: i64 = 43_200;
const DELAY_MAX_S: i64 = 900;
pub const RECEIVE_MAX: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsError {
    pub code: &'static str,
    pub message: String,
}

fn error(code: &'static str, message: impl Into<String>) -> SqsError {
    SqsError {
        code,
        message: message.into(),
    }
}

fn no_such_queue() -> SqsError {
    error(
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    pub body: String,
    pub md5: String,
    pub sent_ms: Millis,
    /// Hidden (delayed, or received and not yet deleted) until then.
    pub visible_ms: Millis,
    pub receive_count: u32,
    /// The handle of the latest receive; only it deletes the message.
    pub receipt_handle: Option<String>,
    /// Handles of earlier receives: deleting with one succeeds but deletes nothing, as on AWS.
    pub stale_handles: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub name: String,
    pub visibility_timeout_s: i64,
    pub delay_s: i64,
    pub created_ms: Millis,
    messages: Vec<Message>,
}

impl Queue {
    pub fn url(&self) -> String {
        queue_url(&self.name)
    }

    pub fn arn(&self) -> String {
        format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{}", self.name)
    }

    /// (visible, in flight, delayed) at `now_ms`: ApproximateNumberOfMessages, …NotVisible and
    /// …Delayed. In flight means received and not yet deleted or visible again.
    pub fn counts(&self, now_ms: Millis) -> (usize, usize, usize) {
        let hidden = |m: &&Message| m.visible_ms > now_ms;
        let in_flight = self
            .messages
            .iter()
            .filter(hidden)
            .filter(|m| m.receive_count > 0)
            .count();
        let delayed = self
            .messages
            .iter()
            .filter(hidden)
            .filter(|m| m.receive_count == 0)
            .count();
        (
            self.messages.len() - in_flight - delayed,
            in_flight,
            delayed,
        )
    }
}

pub fn queue_url(name: &str) -> String {
    format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}")
}

/// A received message, as ReceiveMessage returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub id: String,
    pub receipt_handle: String,
    pub md5: String,
    pub body: String,
    pub receive_count: u32,
    pub sent_ms: Millis,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sqs {
    queues: BTreeMap<String, Queue>,
}

impl Sqs {
    pub fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.values()
    }

    /// The queue a URL (or, leniently, a bare name) names.
    pub fn queue(&self, url: &str) -> Result<&Queue, SqsError> {
        self.queues.get(name_of(url)).ok_or_else(no_such_queue)
    }

    fn queue_mut(&mut self, url: &str) -> Result<&mut Queue, SqsError> {
        self.queues.get_mut(name_of(url)).ok_or_else(no_such_queue)
    }

    /// CreateQueue: creating an existing queue with the same attributes returns it again.
    pub fn create_queue(
        &mut self,
        env: &mut Env,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<String, SqsError> {
        let valid_name = !name.is_empty()
            && name.len() <= 80
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if name.ends_with(".fifo") {
            return Err(error(
                "InvalidParameterValue",
                "FIFO queues are not simulated by the playground yet; use a standard queue name",
            ));
        }
        if !valid_name {
            return Err(error(
                "InvalidParameterValue",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            ));
        }
        let mut visibility_timeout_s = VISIBILITY_TIMEOUT_DEFAULT_S;
        let mut delay_s = 0;
        for (key, value) in attributes {
            let (slot, max) = match key.as_str() {
                "VisibilityTimeout" => (&mut visibility_timeout_s, VISIBILITY_TIMEOUT_MAX_S),
                "DelaySeconds" => (&mut delay_s, DELAY_MAX_S),
                _ => {
                    return Err(error(
                        "InvalidAttributeName",
                        format!("Unknown Attribute {key}."),
                    ));
                }
            };
            *slot = value
                .parse()
                .ok()
                .filter(|v| (0..=max).contains(v))
                .ok_or_else(|| {
                    error(
                        "InvalidAttributeValue",
                        format!("Invalid value for the parameter {key}."),
                    )
                })?;
        }
        if let Some(existing) = self.queues.get(name) {
            let differs = [
                (
                    "VisibilityTimeout",
                    existing.visibility_timeout_s != visibility_timeout_s,
                ),
                ("DelaySeconds", existing.delay_s != delay_s),
            ];
            if let Some((attribute, _)) = differs.iter().find(|(_, d)| *d) {
                return Err(error(
                    "QueueAlreadyExists",
                    format!(
                        "A queue already exists with the same name and a different value for attribute {attribute}"
                    ),
                ));
            }
            return Ok(existing.url());
        }
        let queue = Queue {
            name: name.to_string(),
            visibility_timeout_s,
            delay_s,
            created_ms: env.now_ms,
            messages: Vec::new(),
        };
        env.record("sqs", "queue-created", vec![("queue", name.into())]);
        let url = queue.url();
        self.queues.insert(name.to_string(), queue);
        Ok(url)
    }

    pub fn delete_queue(&mut self, env: &mut Env, url: &str) -> Result<(), SqsError> {
        let name = self.queue(url)?.name.clone();
        self.queues.remove(&name);
        env.record("sqs", "queue-deleted", vec![("queue", name.into())]);
        Ok(())
    }

    /// SendMessage; returns the message id and the body's MD5.
    pub fn send_message(
        &mut self,
        env: &mut Env,
        url: &str,
        body: &str,
        delay_s: Option<i64>,
    ) -> Result<(String, String), SqsError> {
        if body.is_empty() {
            return Err(error(
                "MissingParameter",
                "The request must contain the parameter MessageBody.",
            ));
        }
        if body.len() > 262_144 {
            return Err(error(
                "InvalidParameterValue",
                "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
            ));
        }
        if let Some(delay) = delay_s.filter(|d| !(0..=DELAY_MAX_S).contains(d)) {
            return Err(error(
                "InvalidParameterValue",
                format!(
                    "Value {delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
                ),
            ));
        }
        let id = uuid(env);
        let queue = self.queue_mut(url)?;
        let delay_s = delay_s.unwrap_or(queue.delay_s);
        let md5 = md5_hex(body.as_bytes());
        queue.messages.push(Message {
            id: id.clone(),
            body: body.to_string(),
            md5: md5.clone(),
            sent_ms: env.now_ms,
            visible_ms: env.now_ms + delay_s * 1000,
            receive_count: 0,
            receipt_handle: None,
            stale_handles: Vec::new(),
        });
        let name = queue.name.clone();
        env.record(
            "sqs",
            "message-sent",
            vec![("queue", name.into()), ("id", id.as_str().into())],
        );
        Ok((id, md5))
    }

    /// ReceiveMessage: up to `max` visible messages, oldest first, hidden for the visibility
    /// timeout (the queue's unless given).
    pub fn receive_message(
        &mut self,
        env: &mut Env,
        url: &str,
        max: Option<i64>,
        visibility_timeout_s: Option<i64>,
    ) -> Result<Vec<Received>, SqsError> {
        let max = max.unwrap_or(1);
        if !(1..=RECEIVE_MAX).contains(&max) {
            return Err(error(
                "InvalidParameterValue",
                format!(
                    "Value {max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."
                ),
            ));
        }
        if let Some(v) =
            visibility_timeout_s.filter(|v| !(0..=VISIBILITY_TIMEOUT_MAX_S).contains(v))
        {
            return Err(error(
                "InvalidParameterValue",
                format!(
                    "Value {v} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
                ),
            ));
        }
        let now = env.now_ms;
        let queue = self.queue_mut(url)?;
        let timeout = visibility_timeout_s.unwrap_or(queue.visibility_timeout_s);
        let queue_name = queue.name.clone();
        let mut received = Vec::new();
        for message in queue
            .messages
            .iter_mut()
            .filter(|m| m.visible_ms <= now)
            .take(max as usize)
        {
            let handle = format!("{}-{}", uuid(env), uuid(env));
            message.receive_count += 1;
            message.visible_ms = now + timeout * 1000;
            if let Some(old) = message.receipt_handle.replace(handle.clone()) {
                message.stale_handles.push(old);
            }
            received.push(Received {
                id: message.id.clone(),
                receipt_handle: handle,
                md5: message.md5.clone(),
                body: message.body.clone(),
                receive_count: message.receive_count,
                sent_ms: message.sent_ms,
            });
        }
        for message in &received {
            env.record(
                "sqs",
                "message-received",
                vec![
                    ("queue", queue_name.as_str().into()),
                    ("id", message.id.as_str().into()),
                    ("receive_count", i64::from(message.receive_count).into()),
                ],
            );
        }
        Ok(received)
    }

    /// DeleteMessage by the handle of the latest receive. An earlier handle of a message that was
    /// received again "succeeds" without deleting it (the SQS Developer Guide's warning); a handle
    /// SQS never gave out is invalid.
    pub fn delete_message(
        &mut self,
        env: &mut Env,
        url: &str,
        handle: &str,
    ) -> Result<(), SqsError> {
        let queue = self.queue_mut(url)?;
        if let Some(message) = queue
            .messages
            .iter()
            .find(|m| m.stale_handles.iter().any(|h| h == handle))
        {
            let (name, id) = (queue.name.clone(), message.id.clone());
            env.record(
                "sqs",
                "stale-receipt-handle",
                vec![("queue", name.into()), ("id", id.into())],
            );
            return Ok(());
        }
        let Some(index) = queue
            .messages
            .iter()
            .position(|m| m.receipt_handle.as_deref() == Some(handle))
        else {
            return Err(error(
                "ReceiptHandleIsInvalid",
                format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
            ));
        };
        let message = queue.messages.remove(index);
        let name = queue.name.clone();
        env.record(
            "sqs",
            "message-deleted",
            vec![("queue", name.into()), ("id", message.id.into())],
        );
        Ok(())
    }

    pub fn purge_queue(&mut self, env: &mut Env, url: &str) -> Result<(), SqsError> {
        let queue = self.queue_mut(url)?;
        let purged = queue.messages.len();
        queue.messages.clear();
        let name = queue.name.clone();
        env.record(
            "sqs",
            "queue-purged",
            vec![("queue", name.into()), ("messages", (purged as i64).into())],
        );
        Ok(())
    }
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/name` → `name`.
fn name_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}
