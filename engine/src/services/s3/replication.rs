//! Replication: new objects written under a rule's prefix are copied, a little later on the
//! simulated clock, to a destination bucket (same key, same version ID). As on S3, objects that
//! existed before the configuration are not copied, and the bucket must be versioned.

use serde::{Deserialize, Serialize};

use super::{
    Bucket, ReplicationStatus, S3, S3Error, S3Event, StorageClass, Versioning, rule_heading,
};
use crate::services::ACCOUNT_ID;
use crate::sim::{Env, Event, Millis};

/// Most objects replicate within seconds; S3 Replication Time Control promises 15 minutes.
const REPLICATION_DELAY_MS: (Millis, Millis) = (2_000, 30_000);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReplicationConfiguration {
    pub role: String,
    pub rules: Vec<ReplicationRule>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReplicationRule {
    #[serde(rename = "ID")]
    pub id: Option<String>,
    pub priority: Option<i64>,
    pub prefix: Option<String>,
    pub filter: Option<ReplicationFilter>,
    pub status: String,
    pub destination: ReplicationDestination,
    pub delete_marker_replication: Option<DeleteMarkerReplication>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReplicationFilter {
    pub prefix: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DeleteMarkerReplication {
    pub status: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ReplicationDestination {
    /// An ARN, `arn:aws:s3:::bucket-name`.
    pub bucket: String,
    pub account: Option<String>,
    pub storage_class: Option<String>,
}

impl ReplicationRule {
    fn prefix(&self) -> &str {
        self.prefix
            .as_deref()
            .or(self.filter.as_ref().and_then(|f| f.prefix.as_deref()))
            .unwrap_or("")
    }

    fn destination_bucket(&self) -> Option<&str> {
        self.destination
            .bucket
            .strip_prefix("arn:aws:s3:::")
            .filter(|name| !name.is_empty())
    }

    /// The rule in one line for people, as the S3 panel lists it:
    /// `logs (logs/*) → s3://backup as STANDARD_IA, priority 2`.
    pub fn describe(&self) -> String {
        let heading = rule_heading(self.id.as_deref(), self.prefix(), self.status == "Enabled");
        let target = self
            .destination_bucket()
            .map_or_else(|| self.destination.bucket.clone(), |b| format!("s3://{b}"));
        let class = self
            .destination
            .storage_class
            .as_deref()
            .map(|c| format!(" as {c}"))
            .unwrap_or_default();
        let priority = self
            .priority
            .map(|p| format!(", priority {p}"))
            .unwrap_or_default();
        format!("{heading} → {target}{class}{priority}")
    }
}

fn request(message: &str) -> S3Error {
    S3Error::InvalidRequest {
        message: message.to_string(),
    }
}

/// S3's checks when a replication configuration is put on `source`.
pub fn validate(s3: &S3, source: &str, config: &ReplicationConfiguration) -> Result<(), S3Error> {
    let bucket = s3.bucket(source)?;
    if bucket.versioning != Versioning::Enabled {
        return Err(request(
            "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
        ));
    }
    if !is_role_arn(&config.role) {
        return Err(S3Error::InvalidArgument { message: "Invalid ReplicationConfiguration: Role must be an IAM role ARN (arn:aws:iam::123456789012:role/name)".into() });
    }
    if config.rules.is_empty() {
        return Err(S3Error::MalformedXml);
    }
    let mut priorities = Vec::new();
    for rule in &config.rules {
        if !matches!(rule.status.as_str(), "Enabled" | "Disabled") {
            return Err(S3Error::MalformedXml);
        }
        // The V2 schema (rules with a Filter) needs a priority and DeleteMarkerReplication.
        if rule.filter.is_some() && rule.delete_marker_replication.is_none() {
            return Err(request(
                "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema.",
            ));
        }
        if rule.filter.is_some() && rule.priority.is_none() {
            return Err(request(
                "Priority must be specified for this version of Cross Region Replication configuration schema.",
            ));
        }
        if let Some(priority) = rule.priority {
            if priorities.contains(&priority) {
                return Err(request(
                    "Found duplicate priority 1 for rules; priorities must be unique"
                        .replace('1', &priority.to_string())
                        .as_str(),
                ));
            }
            priorities.push(priority);
        }
        let destination = rule
            .destination_bucket()
            .ok_or_else(|| S3Error::InvalidArgument {
                message: "Invalid bucket ARN.".into(),
            })?;
        if rule
            .destination
            .account
            .as_deref()
            .is_some_and(|account| account != ACCOUNT_ID)
        {
            return Err(S3Error::NotSimulated {
                what: "Replication to another account".into(),
            });
        }
        if destination == source {
            return Err(request(
                "Destination bucket cannot be the same as the source bucket.",
            ));
        }
        let target = s3
            .bucket(destination)
            .map_err(|_| request("Destination bucket must exist."))?;
        if target.versioning != Versioning::Enabled {
            return Err(request("Destination bucket must have versioning enabled."));
        }
        if let Some(class) = &rule.destination.storage_class {
            StorageClass::parse(class).ok_or(S3Error::InvalidStorageClass)?;
        }
    }
    Ok(())
}

fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) && !role.is_empty()
}

/// The enabled rule (highest priority first) that covers `key`, if any.
fn rule_for<'a>(config: &'a ReplicationConfiguration, key: &str) -> Option<&'a ReplicationRule> {
    config
        .rules
        .iter()
        .filter(|rule| rule.status == "Enabled" && key.starts_with(rule.prefix()))
        .max_by_key(|rule| rule.priority.unwrap_or(0))
}

/// After a write to `bucket`, marks the version PENDING and schedules its copy.
pub fn schedule_if_matching(bucket: &mut Bucket, env: &mut Env, key: &str, version_id: &str) {
    let Some(config) = &bucket.replication else {
        return;
    };
    let Some(rule) = rule_for(config, key) else {
        return;
    };
    let rule_id = rule.id.clone().unwrap_or_default();
    let Some(object) = bucket
        .objects
        .get_mut(key)
        .and_then(|v| v.last_mut())
        .and_then(|v| v.object.as_mut())
    else {
        return;
    };
    if object.replication == Some(ReplicationStatus::Replica) {
        return;
    }
    object.replication = Some(ReplicationStatus::Pending);
    let at = env.now_ms
        + env
            .rng
            .between(REPLICATION_DELAY_MS.0, REPLICATION_DELAY_MS.1);
    let event = S3Event::Replicate {
        bucket: bucket.name.clone(),
        key: key.into(),
        version_id: version_id.into(),
        rule_id,
    };
    if env.schedule(at, Event::S3(event)).is_err() {
        object.replication = Some(ReplicationStatus::Failed);
    }
}

/// Copies one version to its rule's destination and records the outcome on both sides.
pub fn replicate(
    s3: &mut S3,
    env: &mut Env,
    source: &str,
    key: &str,
    version_id: &str,
    rule_id: &str,
) {
    let Some(bucket) = s3.buckets.get(source) else {
        return;
    };
    let Some(version) = bucket
        .objects
        .get(key)
        .and_then(|v| v.iter().find(|v| v.version_id == version_id))
    else {
        return;
    };
    let Some(object) = version.object.clone() else {
        return;
    };
    let rule = bucket.replication.as_ref().and_then(|config| {
        config
            .rules
            .iter()
            .find(|r| r.id.clone().unwrap_or_default() == rule_id)
    });
    let destination = rule
        .and_then(|r| r.destination_bucket())
        .map(str::to_string);
    let class = rule
        .and_then(|r| r.destination.storage_class.as_deref())
        .and_then(StorageClass::parse);
    let (last_modified_ms, version_id) = (version.last_modified_ms, version.version_id.clone());
    let target = destination
        .as_deref()
        .and_then(|name| s3.buckets.get_mut(name))
        .filter(|b| b.versioning == Versioning::Enabled);
    let status = match target {
        Some(target) => {
            let mut replica = object;
            replica.replication = Some(ReplicationStatus::Replica);
            replica.storage_class = class.unwrap_or(replica.storage_class);
            let copy = super::ObjectVersion {
                version_id: version_id.clone(),
                last_modified_ms,
                noncurrent_since_ms: None,
                object: Some(replica),
            };
            target.push_version(copy, key, env.now_ms);
            ReplicationStatus::Completed
        }
        None => ReplicationStatus::Failed,
    };
    if let Some(object) = s3.object_mut(source, key, &version_id) {
        object.replication = Some(status);
    }
    env.record(
        "s3",
        "object-replicated",
        vec![
            ("bucket", source.into()),
            ("key", key.into()),
            ("destination", destination.unwrap_or_default().into()),
            ("status", status.as_str().into()),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_are_checked() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/s3-replication"));
        assert!(!is_role_arn("arn:aws:iam::123:role/x"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/x"));
    }

    #[test]
    fn the_highest_priority_matching_rule_wins() {
        let config: ReplicationConfiguration = serde_json::from_value(serde_json::json!({
            "Role": "arn:aws:iam::123456789012:role/r",
            "Rules": [
                {"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {"Prefix": ""}, "Destination": {"Bucket": "arn:aws:s3:::a"}},
                {"ID": "logs", "Priority": 2, "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Destination": {"Bucket": "arn:aws:s3:::b"}},
                {"ID": "off", "Priority": 3, "Status": "Disabled", "Filter": {"Prefix": "logs/"}, "Destination": {"Bucket": "arn:aws:s3:::c"}}
            ]
        }))
        .unwrap();
        assert_eq!(
            rule_for(&config, "logs/x").unwrap().id.as_deref(),
            Some("logs")
        );
        let described: Vec<String> = config.rules.iter().map(ReplicationRule::describe).collect();
        assert_eq!(
            described,
            [
                "all (every object) → s3://a, priority 1",
                "logs (logs/*) → s3://b, priority 2",
                "off (logs/*) [Disabled] → s3://c, priority 3",
            ]
        );
        assert_eq!(
            rule_for(&config, "other").unwrap().id.as_deref(),
            Some("all")
        );
    }
}
