//! SQS standard queues on the virtual clock: send (one or a batch, with delay), receive (up to
//! 10, hidden for the visibility timeout), delete by receipt handle, and redelivery when a message
//! is not deleted in time — the at-least-once delivery learners need to see. Receipt handles are
//! random per receive, so an old handle no longer deletes a redelivered message. A queue with a
//! `RedrivePolicy` moves a message received more than `maxReceiveCount` times to its dead-letter
//! queue on the next receive attempt. Consumers that wait for work (Lambda's pollers) register
//! an event to be woken with, as a long poll waits, so an idle queue schedules nothing.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use super::{ACCOUNT_ID, md5_hex, uuid};
use crate::sim::{Env, Event, Millis};

pub const REGION: &str = "us-east-1";
const VISIBILITY_TIMEOUT_DEFAULT_S: i64 = 30;
pub const VISIBILITY_TIMEOUT_MAX_S: i64 = 43_200;
const DELAY_MAX_S: i64 = 900;
pub const RECEIVE_MAX: i64 = 10;
/// SendMessageBatch and DeleteMessageBatch take at most ten entries.
pub const BATCH_ENTRIES_MAX: usize = 10;
/// A batch entry id is 1 to 80 letters, digits, hyphens and underscores.
const BATCH_ENTRY_ID_LEN_MAX: usize = 80;
/// One message, and all the messages of one batch together, may be at most 256 KiB.
const MESSAGE_BYTES_MAX: usize = 262_144;
/// A redrive policy's maxReceiveCount is 1 to 1000.
const MAX_RECEIVE_COUNT_MAX: i64 = 1_000;
/// Who sent a message (ReceiveMessage's `SenderId`): the learner's IAM user id, the one
/// `aws sts get-caller-identity` shows. The playground does not track senders further.
pub const SENDER_ID: &str = "AIDAPLAYGROUNDLEARNER";

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
    /// When the message was first received (ApproximateFirstReceiveTimestamp).
    pub first_received_ms: Option<Millis>,
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
    pub redrive_policy: Option<RedrivePolicy>,
    pub created_ms: Millis,
    messages: Vec<Message>,
}

/// Where a queue sends messages it failed to deliver, and after how many receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedrivePolicy {
    pub dead_letter_target_arn: String,
    pub max_receive_count: u32,
}

impl RedrivePolicy {
    /// The attribute as GetQueueAttributes returns it: compact JSON, the count a number.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "deadLetterTargetArn": self.dead_letter_target_arn,
            "maxReceiveCount": self.max_receive_count,
        })
        .to_string()
    }
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

    /// Messages a receive at `now_ms` could return (or move to the dead-letter queue).
    pub fn visible_count(&self, now_ms: Millis) -> usize {
        self.messages
            .iter()
            .filter(|m| m.visible_ms <= now_ms)
            .count()
    }

    /// The next instant a hidden message becomes visible, if any is hidden.
    pub fn next_visible_ms(&self, now_ms: Millis) -> Option<Millis> {
        self.messages
            .iter()
            .map(|m| m.visible_ms)
            .filter(|&t| t > now_ms)
            .min()
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
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
    pub first_received_ms: Millis,
}

/// One entry of a SendMessageBatch request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchEntry {
    pub id: String,
    pub body: String,
    pub delay_s: Option<i64>,
}

/// Each entry's id with its outcome: (message id, body MD5) sent, or why not.
pub type SendBatchResult = Vec<(String, Result<(String, String), SqsError>)>;

/// Each entry's id with whether its message was deleted.
pub type DeleteBatchResult = Vec<(String, Result<(), SqsError>)>;

/// The queue attributes one request sets, checked before any is applied.
#[derive(Default)]
struct Settings {
    visibility_timeout_s: Option<i64>,
    delay_s: Option<i64>,
    /// `Some(None)` removes the policy (an empty `RedrivePolicy`).
    redrive_policy: Option<Option<RedrivePolicy>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sqs {
    queues: BTreeMap<String, Queue>,
    /// Events to schedule when a queue gets a message, by queue name: consumers waiting on an
    /// empty queue, woken as a long poll is. Each fires once and must register again.
    waiters: BTreeMap<String, Vec<Event>>,
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

    /// The queue an ARN (`arn:aws:sqs:us-east-1:123456789012:name`) names.
    pub fn queue_by_arn(&self, arn: &str) -> Result<&Queue, SqsError> {
        queue_name_of_arn(arn)
            .and_then(|name| self.queues.get(name))
            .filter(|queue| queue.arn() == arn)
            .ok_or_else(no_such_queue)
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
        let settings = self.settings(name, attributes)?;
        let visibility_timeout_s = settings
            .visibility_timeout_s
            .unwrap_or(VISIBILITY_TIMEOUT_DEFAULT_S);
        let delay_s = settings.delay_s.unwrap_or(0);
        let redrive_policy = settings.redrive_policy.flatten();
        if let Some(existing) = self.queues.get(name) {
            let differs = [
                (
                    "VisibilityTimeout",
                    existing.visibility_timeout_s != visibility_timeout_s,
                ),
                ("DelaySeconds", existing.delay_s != delay_s),
                ("RedrivePolicy", existing.redrive_policy != redrive_policy),
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
            redrive_policy,
            created_ms: env.now_ms,
            messages: Vec::new(),
        };
        env.record("sqs", "queue-created", vec![("queue", name.into())]);
        let url = queue.url();
        self.queues.insert(name.to_string(), queue);
        Ok(url)
    }

    /// SetQueueAttributes: every attribute is checked before any changes.
    pub fn set_queue_attributes(
        &mut self,
        env: &mut Env,
        url: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), SqsError> {
        let name = self.queue(url)?.name.clone();
        let settings = self.settings(&name, attributes)?;
        let queue = self.queue_mut(&name)?;
        if let Some(timeout) = settings.visibility_timeout_s {
            queue.visibility_timeout_s = timeout;
        }
        if let Some(delay) = settings.delay_s {
            queue.delay_s = delay;
        }
        if let Some(policy) = settings.redrive_policy {
            queue.redrive_policy = policy;
        }
        let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
        env.record(
            "sqs",
            "queue-attributes-set",
            vec![
                ("queue", name.as_str().into()),
                ("attributes", names.join(",").as_str().into()),
            ],
        );
        Ok(())
    }

    /// Checks the attributes CreateQueue or SetQueueAttributes sets on queue `name`.
    fn settings(
        &self,
        name: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Result<Settings, SqsError> {
        let mut settings = Settings::default();
        for (key, value) in attributes {
            let (slot, max) = match key.as_str() {
                "VisibilityTimeout" => {
                    (&mut settings.visibility_timeout_s, VISIBILITY_TIMEOUT_MAX_S)
                }
                "DelaySeconds" => (&mut settings.delay_s, DELAY_MAX_S),
                "RedrivePolicy" => {
                    settings.redrive_policy = Some(self.redrive_policy(name, value)?);
                    continue;
                }
                _ => {
                    return Err(error(
                        "InvalidAttributeName",
                        format!("Unknown Attribute {key}."),
                    ));
                }
            };
            let parsed = value
                .parse()
                .ok()
                .filter(|v| (0..=max).contains(v))
                .ok_or_else(|| {
                    error(
                        "InvalidAttributeValue",
                        format!("Invalid value for the parameter {key}."),
                    )
                })?;
            *slot = Some(parsed);
        }
        Ok(settings)
    }

    /// A `RedrivePolicy` attribute for queue `source`, checked as SQS checks it; empty removes it.
    fn redrive_policy(&self, source: &str, raw: &str) -> Result<Option<RedrivePolicy>, SqsError> {
        if raw.is_empty() {
            return Ok(None);
        }
        let invalid = |reason: String| {
            error(
                "InvalidParameterValue",
                format!("Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}"),
            )
        };
        let Ok(Value::Object(policy)) = serde_json::from_str::<Value>(raw) else {
            return Err(error(
                "InvalidParameterValue",
                "Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.",
            ));
        };
        for key in ["maxReceiveCount", "deadLetterTargetArn"] {
            if !policy.contains_key(key) {
                return Err(invalid(format!(
                    "Redrive policy does not contain mandatory attribute: {key}."
                )));
            }
        }
        // SQS takes the count as a number or a numeric string (the CLI examples quote it).
        let count = &policy["maxReceiveCount"];
        let (shown, parsed) = match count {
            Value::String(text) => (text.clone(), text.parse::<i64>().ok()),
            other => (other.to_string(), other.as_i64()),
        };
        let Some(max_receive_count) = parsed.filter(|n| (1..=MAX_RECEIVE_COUNT_MAX).contains(n))
        else {
            return Err(invalid(format!(
                "Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."
            )));
        };
        let arn = policy["deadLetterTargetArn"].as_str().unwrap_or_default();
        let Some(target) = queue_name_of_arn(arn) else {
            return Err(invalid(
                "Dead-letter target ARN should be fully qualified ARN.".into(),
            ));
        };
        if policy.len() > 2 {
            return Err(invalid(
                "Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn]."
                    .into(),
            ));
        }
        if self.queue_by_arn(arn).is_err() {
            return Err(invalid("Dead letter target does not exist.".into()));
        }
        if target == source {
            return Err(invalid(
                "Dead-letter target cannot be the source queue.".into(),
            ));
        }
        Ok(Some(RedrivePolicy {
            dead_letter_target_arn: arn.to_string(),
            max_receive_count: max_receive_count as u32,
        }))
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
        if body.len() > MESSAGE_BYTES_MAX {
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
        let name = self.queue(url)?.name.clone();
        let id = uuid(env);
        let queue = self.queue_mut(&name)?;
        let delay_s = delay_s.unwrap_or(queue.delay_s);
        let md5 = md5_hex(body.as_bytes());
        let visible_ms = env.now_ms + delay_s * 1000;
        queue.messages.push(Message {
            id: id.clone(),
            body: body.to_string(),
            md5: md5.clone(),
            sent_ms: env.now_ms,
            visible_ms,
            receive_count: 0,
            first_received_ms: None,
            receipt_handle: None,
            stale_handles: Vec::new(),
        });
        env.record(
            "sqs",
            "message-sent",
            vec![("queue", name.as_str().into()), ("id", id.as_str().into())],
        );
        self.wake(env, &name, visible_ms);
        Ok((id, md5))
    }

    /// SendMessageBatch: the request as a whole is checked first (AWS's batch errors); then
    /// each entry is sent or fails on its own, as SendMessage would.
    pub fn send_message_batch(
        &mut self,
        env: &mut Env,
        url: &str,
        entries: &[BatchEntry],
    ) -> Result<SendBatchResult, SqsError> {
        let name = self.queue(url)?.name.clone();
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        check_batch("SendMessageBatchRequestEntry", &ids)?;
        let bytes: usize = entries.iter().map(|e| e.body.len()).sum();
        if bytes > MESSAGE_BYTES_MAX {
            return Err(error(
                "AWS.SimpleQueueService.BatchRequestTooLong",
                format!(
                    "Batch requests cannot be longer than {MESSAGE_BYTES_MAX} bytes. You have sent {bytes} bytes."
                ),
            ));
        }
        Ok(entries
            .iter()
            .map(|entry| {
                let sent = self.send_message(env, &name, &entry.body, entry.delay_s);
                (entry.id.clone(), sent)
            })
            .collect())
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
        self.receive(env, url, max as usize, visibility_timeout_s)
    }

    /// Receives up to `max` visible messages (Lambda's pollers take more than ten). A message
    /// already received `maxReceiveCount` times moves to the dead-letter queue instead, keeping
    /// its id and body: SQS moves a message once its receive count exceeds maxReceiveCount (SQS
    /// Developer Guide, "Using dead-letter queues in Amazon SQS"), which happens on this attempt.
    pub fn receive(
        &mut self,
        env: &mut Env,
        url: &str,
        max: usize,
        visibility_timeout_s: Option<i64>,
    ) -> Result<Vec<Received>, SqsError> {
        let now = env.now_ms;
        let source = self.queue(url)?;
        let name = source.name.clone();
        // A dead-letter queue that was deleted since keeps nothing: messages stay.
        let redrive = source.redrive_policy.as_ref().and_then(|policy| {
            let target = self.queue_by_arn(&policy.dead_letter_target_arn).ok()?;
            Some((target.name.clone(), policy.max_receive_count))
        });
        let queue = self.queue_mut(&name)?;
        let timeout = visibility_timeout_s.unwrap_or(queue.visibility_timeout_s);
        let mut received = Vec::new();
        let mut moved = Vec::new();
        let mut index = 0;
        while index < queue.messages.len() && received.len() < max {
            let message = &mut queue.messages[index];
            if message.visible_ms > now {
                index += 1;
                continue;
            }
            if let Some((_, max_receive_count)) = &redrive
                && message.receive_count >= *max_receive_count
            {
                moved.push(queue.messages.remove(index));
                continue;
            }
            let handle = format!("{}-{}", uuid(env), uuid(env));
            message.receive_count += 1;
            message.visible_ms = now + timeout * 1000;
            let first_received_ms = *message.first_received_ms.get_or_insert(now);
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
                first_received_ms,
            });
            index += 1;
        }
        for message in &received {
            env.record(
                "sqs",
                "message-received",
                vec![
                    ("queue", name.as_str().into()),
                    ("id", message.id.as_str().into()),
                    ("receive_count", i64::from(message.receive_count).into()),
                ],
            );
        }
        if let Some((target, _)) = redrive {
            self.move_to_dead_letter_queue(env, &name, &target, moved);
        }
        Ok(received)
    }

    fn move_to_dead_letter_queue(
        &mut self,
        env: &mut Env,
        source: &str,
        target: &str,
        moved: Vec<Message>,
    ) {
        let Some(queue) = self.queues.get_mut(target) else {
            return;
        };
        for message in moved {
            env.record(
                "sqs",
                "message-moved-to-dead-letter-queue",
                vec![
                    ("queue", source.into()),
                    ("dead_letter_queue", target.into()),
                    ("id", message.id.as_str().into()),
                    ("receive_count", i64::from(message.receive_count).into()),
                ],
            );
            queue.messages.push(Message {
                visible_ms: env.now_ms,
                receive_count: 0,
                first_received_ms: None,
                receipt_handle: None,
                stale_handles: Vec::new(),
                ..message
            });
        }
        let now = env.now_ms;
        self.wake(env, target, now);
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
            return Err(invalid_handle(handle));
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

    /// DeleteMessageBatch: (entry id, receipt handle) pairs; each entry succeeds or fails alone.
    pub fn delete_message_batch(
        &mut self,
        env: &mut Env,
        url: &str,
        entries: &[(String, String)],
    ) -> Result<DeleteBatchResult, SqsError> {
        let name = self.queue(url)?.name.clone();
        let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        check_batch("DeleteMessageBatchRequestEntry", &ids)?;
        Ok(entries
            .iter()
            .map(|(id, handle)| (id.clone(), self.delete_message(env, &name, handle)))
            .collect())
    }

    /// ChangeMessageVisibility: hides a received message for `timeout_s` more seconds from now
    /// (0 makes it visible at once). Only a message in flight can change.
    pub fn change_message_visibility(
        &mut self,
        env: &mut Env,
        url: &str,
        handle: &str,
        timeout_s: i64,
    ) -> Result<(), SqsError> {
        if !(0..=VISIBILITY_TIMEOUT_MAX_S).contains(&timeout_s) {
            return Err(error(
                "InvalidParameterValue",
                format!(
                    "Value {timeout_s} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
                ),
            ));
        }
        let now = env.now_ms;
        let queue = self.queue_mut(url)?;
        let name = queue.name.clone();
        let Some(message) = queue
            .messages
            .iter_mut()
            .find(|m| m.receipt_handle.as_deref() == Some(handle))
        else {
            return Err(invalid_handle(handle));
        };
        if message.visible_ms <= now {
            return Err(error(
                "AWS.SimpleQueueService.MessageNotInflight",
                format!(
                    "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
                ),
            ));
        }
        message.visible_ms = now + timeout_s * 1000;
        let (id, visible_ms) = (message.id.clone(), message.visible_ms);
        env.record(
            "sqs",
            "visibility-changed",
            vec![
                ("queue", name.as_str().into()),
                ("id", id.into()),
                ("visibility_timeout_s", timeout_s.into()),
            ],
        );
        self.wake(env, &name, visible_ms);
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

    /// Registers `event` to be scheduled when queue `name` next gets a message (once).
    pub fn wait(&mut self, name: &str, event: Event) {
        let waiting = self.waiters.entry(name.to_string()).or_default();
        if !waiting.contains(&event) {
            waiting.push(event);
        }
    }

    /// Forgets `event` wherever it waits (a consumer that stopped).
    pub fn stop_waiting(&mut self, event: &Event) {
        for waiting in self.waiters.values_mut() {
            waiting.retain(|e| e != event);
        }
        self.waiters.retain(|_, waiting| !waiting.is_empty());
    }

    /// Schedules the events waiting on queue `name` for `at_ms`, when its new message is visible.
    fn wake(&mut self, env: &mut Env, name: &str, at_ms: Millis) {
        for event in self.waiters.remove(name).unwrap_or_default() {
            // A full event queue drops the wake-up; the world reports that itself.
            let _ = env.schedule_earliest(at_ms, event);
        }
    }
}

fn invalid_handle(handle: &str) -> SqsError {
    error(
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

/// The errors of a batch request as a whole, in the order SQS checks them.
fn check_batch(entry_shape: &str, ids: &[&str]) -> Result<(), SqsError> {
    if ids.is_empty() {
        return Err(error(
            "AWS.SimpleQueueService.EmptyBatchRequest",
            format!("There should be at least one {entry_shape} in the request."),
        ));
    }
    if ids.len() > BATCH_ENTRIES_MAX {
        return Err(error(
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            format!(
                "Maximum number of entries per request are {BATCH_ENTRIES_MAX}. You have sent {}.",
                ids.len()
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for id in ids {
        let valid = !id.is_empty()
            && id.len() <= BATCH_ENTRY_ID_LEN_MAX
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(error(
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
        if !seen.insert(*id) {
            return Err(error(
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                format!("Id {id} repeated."),
            ));
        }
    }
    Ok(())
}

/// `https://sqs.us-east-1.amazonaws.com/123456789012/name` → `name`.
fn name_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// The queue name in a fully qualified SQS ARN, `arn:aws:sqs:REGION:ACCOUNT:name`.
pub fn queue_name_of_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:aws:sqs:")?;
    let mut parts = rest.splitn(3, ':');
    let (region, account, name) = (parts.next()?, parts.next()?, parts.next()?);
    let account_ok = account.len() == 12 && account.chars().all(|c| c.is_ascii_digit());
    (!region.is_empty() && account_ok && !name.is_empty()).then_some(name)
}
