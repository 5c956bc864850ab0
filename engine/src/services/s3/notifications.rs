//! Event notifications: when an object is created or removed, S3 sends an event record to each
//! Lambda function or SQS queue whose configuration matches the event type and the key's
//! prefix and suffix filters. Delivery happens just after the write, on the event queue.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{S3Error, S3Event};
use crate::services::lambda::Trigger;
use crate::services::{ACCOUNT_ID, Targets, uuid};
use crate::sim::{Env, Event, Millis, format_iso};

/// Event types a configuration may name (the ones the playground produces, and their `*` forms).
const EVENT_TYPES: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
];

/// One destination: where events go, which event types, which keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub id: String,
    pub arn: String,
    pub events: Vec<String>,
    pub prefix: String,
    pub suffix: String,
}

impl Destination {
    fn wants(&self, event_name: &str, key: &str) -> bool {
        key.starts_with(&self.prefix)
            && key.ends_with(&self.suffix)
            && self.events.iter().any(|wanted| {
                let wanted = wanted.trim_start_matches("s3:");
                match wanted.strip_suffix('*') {
                    Some(family) => event_name.starts_with(family),
                    None => wanted == event_name,
                }
            })
    }

    /// Whether two destinations could both receive one event (AWS refuses such overlaps).
    fn overlaps(&self, other: &Destination) -> bool {
        let prefixes =
            self.prefix.starts_with(&other.prefix) || other.prefix.starts_with(&self.prefix);
        let suffixes = self.suffix.ends_with(&other.suffix) || other.suffix.ends_with(&self.suffix);
        let family = |e: &str| {
            e.trim_start_matches("s3:")
                .split(':')
                .next()
                .unwrap_or("")
                .to_string()
        };
        let shared_event = self.events.iter().any(|a| {
            other.events.iter().any(|b| {
                a == b || (family(a) == family(b) && (a.ends_with('*') || b.ends_with('*')))
            })
        });
        prefixes && suffixes && shared_event
    }

    fn to_json(&self, arn_member: &str) -> Value {
        let mut out = json!({ "Id": self.id, arn_member: self.arn, "Events": self.events });
        let mut rules = Vec::new();
        if !self.prefix.is_empty() {
            rules.push(json!({ "Name": "Prefix", "Value": self.prefix }));
        }
        if !self.suffix.is_empty() {
            rules.push(json!({ "Name": "Suffix", "Value": self.suffix }));
        }
        if !rules.is_empty() {
            out["Filter"] = json!({ "Key": { "FilterRules": rules } });
        }
        out
    }
}

/// A bucket's notification configuration: Lambda functions and SQS queues.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationConfiguration {
    pub lambda: Vec<Destination>,
    pub queues: Vec<Destination>,
}

/// What a delivery carries: the record and where it goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub bucket: String,
    pub arn: String,
    pub record: String,
}

impl NotificationConfiguration {
    /// Reads PutBucketNotificationConfiguration's document (its JSON form).
    pub fn parse(value: &Value) -> Result<NotificationConfiguration, S3Error> {
        let invalid = |message: &str| S3Error::InvalidArgument {
            message: message.to_string(),
        };
        if value
            .get("TopicConfigurations")
            .is_some_and(|t| t.as_array().is_some_and(|a| !a.is_empty()))
            || value.get("EventBridgeConfiguration").is_some()
        {
            return Err(S3Error::NotSimulated {
                what: "notifications to SNS topics and to EventBridge".into(),
            });
        }
        let read = |member: &str, arn_member: &str| -> Result<Vec<Destination>, S3Error> {
            let mut destinations = Vec::new();
            for (index, item) in value
                .get(member)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let arn = item
                    .get(arn_member)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let events: Vec<String> = item
                    .get("Events")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect();
                if events.is_empty() || events.iter().any(|e| !EVENT_TYPES.contains(&e.as_str())) {
                    return Err(invalid("The event is not supported for notifications"));
                }
                let mut destination = Destination {
                    id: item
                        .get("Id")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("{member}-{index}"), str::to_string),
                    arn: arn.to_string(),
                    events,
                    prefix: String::new(),
                    suffix: String::new(),
                };
                let rules = item
                    .pointer("/Filter/Key/FilterRules")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for rule in rules {
                    let name = rule.get("Name").and_then(Value::as_str).unwrap_or_default();
                    let text = rule
                        .get("Value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    let slot = match name.to_ascii_lowercase().as_str() {
                        "prefix" => &mut destination.prefix,
                        "suffix" => &mut destination.suffix,
                        _ => {
                            return Err(invalid(
                                "filter rule name must be either prefix or suffix",
                            ));
                        }
                    };
                    if !slot.is_empty() {
                        return Err(invalid(
                            "Cannot specify more than one prefix rule in a filter.",
                        ));
                    }
                    *slot = text;
                }
                destinations.push(destination);
            }
            Ok(destinations)
        };
        let config = NotificationConfiguration {
            lambda: read("LambdaFunctionConfigurations", "LambdaFunctionArn")?,
            queues: read("QueueConfigurations", "QueueArn")?,
        };
        let all: Vec<&Destination> = config.destinations().collect();
        for (i, a) in all.iter().enumerate() {
            if all[i + 1..].iter().any(|b| a.overlaps(b)) {
                return Err(invalid(
                    "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                ));
            }
        }
        Ok(config)
    }

    pub fn destinations(&self) -> impl Iterator<Item = &Destination> {
        self.lambda.iter().chain(&self.queues)
    }

    /// GetBucketNotificationConfiguration's reply.
    pub fn to_json(&self) -> Value {
        let mut out = json!({});
        if !self.queues.is_empty() {
            out["QueueConfigurations"] =
                self.queues.iter().map(|d| d.to_json("QueueArn")).collect();
        }
        if !self.lambda.is_empty() {
            out["LambdaFunctionConfigurations"] = self
                .lambda
                .iter()
                .map(|d| d.to_json("LambdaFunctionArn"))
                .collect();
        }
        out
    }

    /// Queues one delivery per matching destination for an event on `key`.
    pub fn notify(
        &self,
        env: &mut Env,
        bucket: &str,
        key: &str,
        event_name: &str,
        size: u64,
        etag: &str,
    ) {
        for destination in self.destinations().filter(|d| d.wants(event_name, key)) {
            let record = record(env, bucket, key, event_name, size, etag, &destination.id);
            let delivery = Delivery {
                bucket: bucket.to_string(),
                arn: destination.arn.clone(),
                record: json!({ "Records": [record] }).to_string(),
            };
            // A full event queue drops the notification, as the world reports on its own.
            let _ = env.schedule(env.now_ms, Event::S3(S3Event::Notify(delivery)));
        }
    }
}

/// The event record S3 sends (event message structure version 2.1); keys are URL-encoded.
fn record(
    env: &mut Env,
    bucket: &str,
    key: &str,
    event_name: &str,
    size: u64,
    etag: &str,
    configuration: &str,
) -> Value {
    let request_id = uuid(env)[..16].replace('-', "").to_uppercase();
    let mut object =
        json!({ "key": url_encode(key), "sequencer": format!("{:016X}", env.now_ms as u64) });
    if event_name.starts_with("ObjectCreated") {
        object["size"] = json!(size);
        object["eTag"] = json!(etag.trim_matches('"'));
    }
    json!({
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": event_time(env.now_ms),
        "eventName": event_name,
        "userIdentity": { "principalId": format!("AWS:{ACCOUNT_ID}") },
        "requestParameters": { "sourceIPAddress": "127.0.0.1" },
        "responseElements": { "x-amz-request-id": request_id, "x-amz-id-2": "playground" },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration,
            "bucket": {
                "name": bucket,
                "ownerIdentity": { "principalId": ACCOUNT_ID },
                "arn": format!("arn:aws:s3:::{bucket}"),
            },
            "object": object,
        },
    })
}

fn event_time(ms: Millis) -> String {
    let iso = format_iso(ms);
    format!("{}.{:03}Z", &iso[..19], ms.rem_euclid(1000))
}

/// Keys appear URL-encoded in records, with `+` for spaces (as S3 writes them).
fn url_encode(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Hands a queued record to its destination, as `s3.amazonaws.com` on behalf of the bucket.
pub fn deliver(env: &mut Env, targets: &mut Targets, delivery: Delivery) {
    let source = format!("arn:aws:s3:::{}", delivery.bucket);
    let trigger = Trigger::S3 {
        bucket: delivery.bucket.clone(),
    };
    let outcome = targets.send(
        env,
        &delivery.arn,
        "s3.amazonaws.com",
        &source,
        delivery.record,
        trigger,
    );
    let (kind, reason) = match outcome {
        Ok(()) => ("notification-sent", None),
        Err(reason) => ("notification-failed", Some(reason)),
    };
    let mut fields = vec![
        ("bucket", delivery.bucket.as_str().into()),
        ("destination", delivery.arn.as_str().into()),
    ];
    if let Some(reason) = reason {
        fields.push(("reason", reason.into()));
    }
    env.record("s3", kind, fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<NotificationConfiguration, S3Error> {
        NotificationConfiguration::parse(&serde_json::from_str(text).unwrap())
    }

    // Prefix/suffix filtering and overlap rules from the S3 User Guide, "Configuring event
    // notifications using object key name filtering".
    #[test]
    fn filters_pick_the_keys_and_events() {
        let c = config(r#"{"LambdaFunctionConfigurations": [{"Id": "jpg", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"}, {"Name": "suffix", "Value": ".jpg"}]}}}]}"#).unwrap();
        let d = &c.lambda[0];
        assert!(d.wants("ObjectCreated:Put", "images/cat.jpg"));
        assert!(d.wants("ObjectCreated:Copy", "images/a/b.jpg"));
        assert!(!d.wants("ObjectCreated:Put", "images/cat.png"));
        assert!(!d.wants("ObjectCreated:Put", "raw/cat.jpg"));
        assert!(!d.wants("ObjectRemoved:Delete", "images/cat.jpg"));
    }

    #[test]
    fn overlapping_or_invalid_configurations_are_refused() {
        let overlap = r#"{"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:a", "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"}]}}},
            {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:b", "Events": ["s3:ObjectCreated:Put"], "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/cats/"}]}}}]}"#;
        assert!(
            matches!(config(overlap), Err(S3Error::InvalidArgument { message }) if message.starts_with("Configurations overlap"))
        );
        let disjoint = overlap.replace("images/cats/", "videos/");
        assert_eq!(config(&disjoint).unwrap().lambda.len(), 2);
        let bad_event = r#"{"QueueConfigurations": [{"QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "Events": ["s3:ObjectTouched"]}]}"#;
        assert!(matches!(
            config(bad_event),
            Err(S3Error::InvalidArgument { .. })
        ));
        assert_eq!(config("{}").unwrap(), NotificationConfiguration::default());
    }

    #[test]
    fn keys_are_url_encoded_in_records() {
        assert_eq!(url_encode("logs/my file+1.json"), "logs/my+file%2B1.json");
    }
}
