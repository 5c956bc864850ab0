//! Lifecycle configuration: rules that move objects to cheaper storage classes and expire them
//! after a number of days. S3 evaluates them once a day; so does the playground, at 00:00 UTC.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Bucket, DAY_MS, S3, S3Error, S3Event, StorageClass, Versioning, midnight_at_or_after,
    rule_heading,
};
use crate::sim::{Env, Event, Millis};

/// Since September 2024 S3 does not transition objects smaller than this unless a rule's
/// filter sets `ObjectSizeGreaterThan` itself.
const TRANSITION_SIZE_MIN_DEFAULT: u64 = 128 * 1024;
const RULES_MAX: usize = 1000;
const RULE_ID_CHARS_MAX: usize = 255;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleConfiguration {
    pub rules: Vec<LifecycleRule>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LifecycleRule {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    /// The older, rule-level prefix (still accepted by S3).
    pub prefix: Option<String>,
    pub filter: Option<LifecycleFilter>,
    pub status: String,
    pub transitions: Vec<Transition>,
    pub expiration: Option<Expiration>,
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct LifecycleFilter {
    pub prefix: Option<String>,
    pub tag: Option<Tag>,
    pub object_size_greater_than: Option<i64>,
    pub object_size_less_than: Option<i64>,
    pub and: Option<FilterAnd>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FilterAnd {
    pub prefix: Option<String>,
    pub tags: Vec<Tag>,
    pub object_size_greater_than: Option<i64>,
    pub object_size_less_than: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Transition {
    pub days: Option<i64>,
    pub date: Option<String>,
    pub storage_class: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Expiration {
    pub days: Option<i64>,
    pub date: Option<String>,
    pub expired_object_delete_marker: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct NoncurrentVersionExpiration {
    pub noncurrent_days: Option<i64>,
    pub newer_noncurrent_versions: Option<i64>,
}

/// What a rule selects, flattened from `Prefix`, `Filter` and `Filter.And`.
struct Selector<'a> {
    prefix: &'a str,
    tags: Vec<&'a Tag>,
    size_greater_than: Option<u64>,
    size_less_than: Option<u64>,
}

impl LifecycleRule {
    fn enabled(&self) -> bool {
        self.status == "Enabled"
    }

    fn selector(&self) -> Selector<'_> {
        let filter = self.filter.as_ref();
        let and = filter.and_then(|f| f.and.as_ref());
        let prefix = self
            .prefix
            .as_deref()
            .or(filter.and_then(|f| f.prefix.as_deref()))
            .or(and.and_then(|a| a.prefix.as_deref()))
            .unwrap_or("");
        let mut tags: Vec<&Tag> = filter.and_then(|f| f.tag.as_ref()).into_iter().collect();
        tags.extend(and.map(|a| a.tags.iter()).into_iter().flatten());
        let size = |own: Option<i64>, nested: Option<i64>| own.or(nested).map(|n| n.max(0) as u64);
        Selector {
            prefix,
            tags,
            size_greater_than: size(
                filter.and_then(|f| f.object_size_greater_than),
                and.and_then(|a| a.object_size_greater_than),
            ),
            size_less_than: size(
                filter.and_then(|f| f.object_size_less_than),
                and.and_then(|a| a.object_size_less_than),
            ),
        }
    }

    /// How S3 names a rule's filter in its error messages: `(prefix=logs/)`.
    fn filter_label(&self) -> String {
        format!("(prefix={})", self.selector().prefix)
    }

    /// The rule in one line for people, as the S3 panel lists it:
    /// `archive-logs (log-*): STANDARD_IA after 30 days, GLACIER after 90 days, expire after 365 days`.
    pub fn describe(&self) -> String {
        let when = |days: Option<i64>, date: &Option<String>| match (days, date) {
            (Some(1), _) => "after 1 day".to_string(),
            (Some(days), _) => format!("after {days} days"),
            (None, Some(date)) => format!("on {date}"),
            (None, None) => "(no time)".to_string(),
        };
        let mut actions: Vec<String> = self
            .transitions
            .iter()
            .map(|t| format!("{} {}", t.storage_class, when(t.days, &t.date)))
            .collect();
        if let Some(expiration) = &self.expiration {
            if expiration.days.is_some() || expiration.date.is_some() {
                actions.push(format!(
                    "expire {}",
                    when(expiration.days, &expiration.date)
                ));
            }
            if expiration.expired_object_delete_marker == Some(true) {
                actions.push("remove expired delete markers".to_string());
            }
        }
        if let Some(days) = self
            .noncurrent_version_expiration
            .as_ref()
            .and_then(|n| n.noncurrent_days)
        {
            actions.push(format!("expire old versions {}", when(Some(days), &None)));
        }
        let heading = rule_heading(self.id.as_deref(), self.selector().prefix, self.enabled());
        format!("{heading}: {}", actions.join(", "))
    }
}

impl Selector<'_> {
    fn matches(&self, key: &str, size: u64, tags: &BTreeMap<String, String>) -> bool {
        key.starts_with(self.prefix)
            && self
                .tags
                .iter()
                .all(|tag| tags.get(&tag.key) == Some(&tag.value))
            && self.size_greater_than.is_none_or(|min| size > min)
            && self.size_less_than.is_none_or(|max| size < max)
    }
}

impl LifecycleConfiguration {
    /// S3's own checks on a configuration, with its error codes.
    pub fn validate(&self) -> Result<(), S3Error> {
        if self.rules.is_empty() || self.rules.len() > RULES_MAX {
            return Err(S3Error::MalformedXml);
        }
        let mut ids = Vec::new();
        for rule in &self.rules {
            if let Some(id) = &rule.id {
                if id.chars().count() > RULE_ID_CHARS_MAX {
                    return Err(invalid("ID length should not exceed allowed limit of 255"));
                }
                if ids.contains(&id) {
                    return Err(invalid(
                        "Rule ID must be unique. Found same ID for more than one rule",
                    ));
                }
                ids.push(id);
            }
            validate_rule(rule)?;
        }
        Ok(())
    }
}

fn invalid(message: &str) -> S3Error {
    S3Error::InvalidArgument {
        message: message.to_string(),
    }
}

fn validate_rule(rule: &LifecycleRule) -> Result<(), S3Error> {
    if !matches!(rule.status.as_str(), "Enabled" | "Disabled")
        || (rule.prefix.is_some() && rule.filter.is_some())
    {
        return Err(S3Error::MalformedXml);
    }
    if rule.transitions.is_empty()
        && rule.expiration.is_none()
        && rule.noncurrent_version_expiration.is_none()
    {
        return Err(S3Error::InvalidRequest {
            message: "At least one action needs to be specified in a rule".into(),
        });
    }
    let dated = rule.transitions.iter().any(|t| t.date.is_some())
        || rule.expiration.as_ref().is_some_and(|e| e.date.is_some());
    if dated {
        return Err(S3Error::NotSimulated {
            what: "A lifecycle action with a Date (use Days)".into(),
        });
    }
    let mut transition_days_max = None;
    for transition in &rule.transitions {
        let class = transition_class(&transition.storage_class)?;
        let days = transition.days.ok_or(S3Error::MalformedXml)?;
        if days < 0 {
            return Err(invalid("'Days' in Transition action must be nonnegative"));
        }
        if (days as u32) < class.transition_days_min() {
            return Err(invalid(&format!(
                "'Days' in Transition action must be greater than or equal to 30 for storageClass '{}'",
                class.as_str()
            )));
        }
        transition_days_max = transition_days_max.max(Some(days));
    }
    if let Some(expiration) = &rule.expiration {
        match (expiration.days, expiration.expired_object_delete_marker) {
            (Some(days), None) if days <= 0 => {
                return Err(invalid(
                    "'Days' for Expiration action must be a positive integer",
                ));
            }
            (Some(days), None) if transition_days_max.is_some_and(|max| days <= max) => {
                return Err(invalid(&format!(
                    "'Days' in the Expiration action for filter '{}' must be greater than 'Days' in the Transition action",
                    rule.filter_label()
                )));
            }
            (Some(_), None) => {}
            (None, Some(_)) => {
                return Err(S3Error::NotSimulated {
                    what: "ExpiredObjectDeleteMarker".into(),
                });
            }
            _ => return Err(S3Error::MalformedXml),
        }
    }
    if let Some(noncurrent) = &rule.noncurrent_version_expiration
        && noncurrent.noncurrent_days.is_none_or(|days| days <= 0)
    {
        return Err(invalid(
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        ));
    }
    Ok(())
}

/// Transitions may target any class but STANDARD (S3 rejects that as malformed).
fn transition_class(name: &str) -> Result<StorageClass, S3Error> {
    StorageClass::parse(name)
        .filter(|class| *class != StorageClass::Standard)
        .ok_or(S3Error::MalformedXml)
}

/// Makes sure the daily run is on the queue (once) at the next midnight.
pub fn ensure_daily_run(env: &mut Env) {
    let event = Event::S3(S3Event::LifecycleDaily);
    if !env.is_scheduled(&event) {
        // A full queue means something else is running away; that error surfaces there.
        let _ = env.schedule(midnight_at_or_after(env.now_ms + 1), event);
    }
}

/// What one rule did to one bucket in a daily run.
#[derive(Default)]
struct RunCounts {
    transitioned: u64,
    expired: u64,
    noncurrent_expired: u64,
    too_small: u64,
}

impl RunCounts {
    fn is_empty(&self) -> bool {
        self.transitioned + self.expired + self.noncurrent_expired + self.too_small == 0
    }
}

/// The daily run: every enabled rule of every bucket, then the next run tomorrow.
pub fn run_daily(s3: &mut S3, env: &mut Env) {
    let names: Vec<String> = s3
        .buckets
        .values()
        .filter(|b| b.lifecycle.is_some())
        .map(|b| b.name.clone())
        .collect();
    for name in &names {
        let bucket = s3.buckets.get_mut(name).expect("listed above");
        let rules = bucket
            .lifecycle
            .clone()
            .map(|config| config.rules)
            .unwrap_or_default();
        for rule in rules.iter().filter(|rule| rule.enabled()) {
            let counts = apply_rule(bucket, env, rule);
            // Quiet days stay out of the trace; a year of them would drown what happened.
            if counts.is_empty() {
                continue;
            }
            env.record(
                "s3",
                "lifecycle-ran",
                vec![
                    ("bucket", name.as_str().into()),
                    ("rule", rule.id.clone().unwrap_or_default().into()),
                    ("transitioned", counts.transitioned.into()),
                    ("expired", counts.expired.into()),
                    ("noncurrent_expired", counts.noncurrent_expired.into()),
                    ("too_small_to_transition", counts.too_small.into()),
                ],
            );
        }
    }
    if !names.is_empty() {
        ensure_daily_run(env);
    }
}

/// When an action `days` after `since` falls due: S3 adds the days and rounds up to midnight.
fn due_ms(since_ms: Millis, days: i64) -> Millis {
    midnight_at_or_after(since_ms + days * DAY_MS)
}

fn apply_rule(bucket: &mut Bucket, env: &mut Env, rule: &LifecycleRule) -> RunCounts {
    let selector = rule.selector();
    let now = env.now_ms;
    let mut counts = RunCounts::default();
    let versioned = bucket.versioning != Versioning::Unversioned;
    let keys: Vec<String> = bucket
        .objects
        .keys()
        .filter(|key| key.starts_with(selector.prefix))
        .cloned()
        .collect();
    for key in keys {
        let versions = bucket.objects.get_mut(&key).expect("listed above");
        if let Some(noncurrent) = rule
            .noncurrent_version_expiration
            .as_ref()
            .and_then(|n| n.noncurrent_days)
        {
            let before = versions.len();
            versions.retain(|v| {
                v.noncurrent_since_ms
                    .is_none_or(|since| due_ms(since, noncurrent) > now)
            });
            counts.noncurrent_expired += (before - versions.len()) as u64;
        }
        let Some(current) = versions.last_mut() else {
            bucket.objects.remove(&key);
            continue;
        };
        let created = current.last_modified_ms;
        let Some(object) = current.object.as_mut() else {
            continue;
        };
        if !selector.matches(&key, object.size, &object.tags) {
            continue;
        }
        let expire_days = rule.expiration.as_ref().and_then(|e| e.days);
        if expire_days.is_some_and(|days| due_ms(created, days) <= now) {
            counts.expired += 1;
            env.record(
                "s3",
                "object-expired",
                vec![
                    ("bucket", bucket.name.as_str().into()),
                    ("key", key.as_str().into()),
                ],
            );
            if versioned {
                // Expiring a current version in a versioned bucket leaves a delete marker.
                let _ = bucket.delete(env, &key, None);
            } else {
                bucket.objects.remove(&key);
            }
            continue;
        }
        let due = rule
            .transitions
            .iter()
            .filter(|t| t.days.is_some_and(|days| due_ms(created, days) <= now))
            .filter_map(|t| StorageClass::parse(&t.storage_class).map(|class| (t.days, class)))
            .max_by_key(|(days, _)| *days);
        let Some((_, target)) = due else { continue };
        if !object.storage_class.can_transition_to(target) {
            continue;
        }
        if selector.size_greater_than.is_none() && object.size < TRANSITION_SIZE_MIN_DEFAULT {
            counts.too_small += 1;
            continue;
        }
        let from = object.storage_class;
        object.storage_class = target;
        object.class_since_ms = now;
        counts.transitioned += 1;
        env.record(
            "s3",
            "object-transitioned",
            vec![
                ("bucket", bucket.name.as_str().into()),
                ("key", key.as_str().into()),
                ("from", from.as_str().into()),
                ("to", target.as_str().into()),
            ],
        );
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: serde_json::Value) -> LifecycleConfiguration {
        serde_json::from_value(serde_json::json!({ "Rules": [json] })).unwrap()
    }

    fn check_invalid(json: serde_json::Value, expect: &str) {
        let err = rule(json).validate().unwrap_err();
        assert_eq!(format!("{}: {}", err.code(), err.message()), expect);
    }

    #[test]
    fn a_course_rule_is_valid() {
        let config = rule(serde_json::json!({
            "ID": "archive-logs", "Filter": {"Prefix": "log-"}, "Status": "Enabled",
            "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}, {"Days": 90, "StorageClass": "GLACIER"}],
            "Expiration": {"Days": 365}
        }));
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(config.rules[0].selector().prefix, "log-");
        assert_eq!(
            config.rules[0].describe(),
            "archive-logs (log-*): STANDARD_IA after 30 days, GLACIER after 90 days, expire after 365 days"
        );
    }

    #[test]
    fn rules_read_in_one_line() {
        let config = rule(serde_json::json!({
            "Status": "Disabled", "Filter": {},
            "Expiration": {"Days": 1, "ExpiredObjectDeleteMarker": false},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 7}
        }));
        assert_eq!(
            config.rules[0].describe(),
            "(no ID) (every object) [Disabled]: expire after 1 day, expire old versions after 7 days"
        );
        let dated = rule(serde_json::json!({
            "ID": "cold", "Prefix": "raw/", "Status": "Enabled",
            "Transitions": [{"Date": "2023-01-01T00:00:00Z", "StorageClass": "DEEP_ARCHIVE"}]
        }));
        assert_eq!(
            dated.rules[0].describe(),
            "cold (raw/*): DEEP_ARCHIVE on 2023-01-01T00:00:00Z"
        );
    }

    #[test]
    fn s3_rejects_what_it_rejects() {
        check_invalid(
            serde_json::json!({"Status": "Enabled", "Filter": {"Prefix": "a/"}, "Transitions": [{"Days": 7, "StorageClass": "STANDARD_IA"}]}),
            "InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
        );
        check_invalid(
            serde_json::json!({"Status": "Enabled", "Filter": {"Prefix": "a/"}, "Expiration": {"Days": 0}}),
            "InvalidArgument: 'Days' for Expiration action must be a positive integer",
        );
        check_invalid(
            serde_json::json!({"Status": "Enabled", "Filter": {"Prefix": "a/"}, "Transitions": [{"Days": 60, "StorageClass": "GLACIER"}], "Expiration": {"Days": 30}}),
            "InvalidArgument: 'Days' in the Expiration action for filter '(prefix=a/)' must be greater than 'Days' in the Transition action",
        );
        check_invalid(
            serde_json::json!({"Status": "On", "Expiration": {"Days": 1}}),
            "MalformedXML: The XML you provided was not well-formed or did not validate against our published schema",
        );
        check_invalid(
            serde_json::json!({"Status": "Enabled", "Filter": {}}),
            "InvalidRequest: At least one action needs to be specified in a rule",
        );
        check_invalid(
            serde_json::json!({"Status": "Enabled", "Transitions": [{"Days": 1, "StorageClass": "STANDARD"}]}),
            "MalformedXML: The XML you provided was not well-formed or did not validate against our published schema",
        );
        let two = serde_json::json!({"Rules": [
            {"ID": "x", "Status": "Enabled", "Expiration": {"Days": 1}},
            {"ID": "x", "Status": "Enabled", "Expiration": {"Days": 2}}]});
        let err = serde_json::from_value::<LifecycleConfiguration>(two)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(
            err.message(),
            "Rule ID must be unique. Found same ID for more than one rule"
        );
    }

    #[test]
    fn due_dates_round_up_to_midnight() {
        let start = crate::sim::DEFAULT_START_MS;
        assert_eq!(due_ms(start, 1), start + DAY_MS);
        assert_eq!(due_ms(start + 1, 1), start + 2 * DAY_MS);
    }

    #[test]
    fn selectors_combine_prefix_tags_and_size() {
        let config = rule(
            serde_json::json!({"Status": "Enabled", "Expiration": {"Days": 1},
            "Filter": {"And": {"Prefix": "raw/", "Tags": [{"Key": "tier", "Value": "cold"}], "ObjectSizeGreaterThan": 10}}}),
        );
        let selector = config.rules[0].selector();
        let tags: BTreeMap<String, String> = [("tier".to_string(), "cold".to_string())].into();
        assert!(selector.matches("raw/a.json", 11, &tags));
        assert!(!selector.matches("raw/a.json", 10, &tags));
        assert!(!selector.matches("raw/a.json", 11, &BTreeMap::new()));
        assert!(!selector.matches("other/a.json", 11, &tags));
    }
}
