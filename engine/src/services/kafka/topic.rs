//! Topics: name rules, per-topic configs (overrides of the broker defaults, checked with
//! Kafka's `LogConfig` wording) and the partitions.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::KafkaError;
use super::log::SegmentLimits;
use super::partition::Partition;
use crate::sim::Millis;

/// Kafka's longest topic name (`Topic.MAX_NAME_LENGTH`).
pub const TOPIC_NAME_LEN_MAX: usize = 249;

/// The topic configs the playground knows, with the broker defaults they override.
pub const TOPIC_CONFIG_DEFAULTS: &[(&str, &str)] = &[
    ("cleanup.policy", "delete"),
    ("min.insync.replicas", "1"),
    ("retention.bytes", "-1"),
    ("retention.ms", "604800000"),
    ("segment.bytes", "1073741824"),
    ("segment.ms", "604800000"),
    ("unclean.leader.election.enable", "false"),
];

/// Each topic config's broker-side synonym and that one's default, as `DescribeConfigs` lists
/// them under `synonyms` (`DEFAULT_CONFIG:log.retention.hours=168` for `retention.ms`).
pub const TOPIC_CONFIG_BROKER_SYNONYMS: &[(&str, &str, &str)] = &[
    ("cleanup.policy", "log.cleanup.policy", "delete"),
    ("min.insync.replicas", "min.insync.replicas", "1"),
    ("retention.bytes", "log.retention.bytes", "-1"),
    ("retention.ms", "log.retention.hours", "168"),
    ("segment.bytes", "log.segment.bytes", "1073741824"),
    ("segment.ms", "log.roll.hours", "168"),
    (
        "unclean.leader.election.enable",
        "unclean.leader.election.enable",
        "false",
    ),
];

/// The broker default a topic config falls back to, for the configs the playground knows.
pub fn default_of(name: &str) -> Option<&'static str> {
    TOPIC_CONFIG_DEFAULTS
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| *value)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub name: String,
    /// Kafka's `Uuid` as it prints it: 22 characters of URL-safe base64.
    pub topic_id: String,
    pub partitions: Vec<Partition>,
    /// Only the overrides, as `--describe` prints them under `Configs:`; changed only
    /// through `set_config`, which clears `parsed` so it is worked out again.
    configs: BTreeMap<String, String>,
    /// The placement's start index, reused when partitions are added (as `AdminUtils` does).
    pub(super) start_index: usize,
    /// `config()` parsed once: every produce and fetch reads it.
    #[serde(skip)]
    parsed: ParsedConfig,
}

/// A cache of the parsed configs; not part of the topic's value (equal, not saved).
#[derive(Clone, Debug, Default)]
struct ParsedConfig(OnceLock<TopicConfig>);

impl PartialEq for ParsedConfig {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for ParsedConfig {}

/// A topic's effective settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopicConfig {
    pub min_insync_replicas: u32,
    pub retention_ms: i64,
    pub retention_bytes: i64,
    pub segment: SegmentLimits,
    pub compact: bool,
    pub unclean_leader_election: bool,
}

impl Topic {
    pub(super) fn new(
        name: String,
        topic_id: String,
        partitions: Vec<Partition>,
        configs: BTreeMap<String, String>,
        start_index: usize,
    ) -> Self {
        Self {
            name,
            topic_id,
            partitions,
            configs,
            start_index,
            parsed: ParsedConfig::default(),
        }
    }

    /// The config overrides.
    pub fn configs(&self) -> &BTreeMap<String, String> {
        &self.configs
    }

    /// Sets (`Some`) or removes (`None`) an override.
    pub(super) fn set_config(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.configs.insert(key.to_string(), value.to_string()),
            None => self.configs.remove(key),
        };
        self.parsed = ParsedConfig::default();
    }

    pub fn replication_factor(&self) -> usize {
        self.partitions[0].replicas.len()
    }

    pub fn config(&self) -> TopicConfig {
        *self.parsed.0.get_or_init(|| self.parse_config())
    }

    fn parse_config(&self) -> TopicConfig {
        let get = |name: &str| -> &str {
            self.configs
                .get(name)
                .map(String::as_str)
                .unwrap_or_else(|| default_of(name).expect("every read config has a default"))
        };
        let number = |name: &str| get(name).parse::<i64>().expect("validated at write");
        TopicConfig {
            min_insync_replicas: number("min.insync.replicas") as u32,
            retention_ms: number("retention.ms"),
            retention_bytes: number("retention.bytes"),
            segment: SegmentLimits {
                segment_ms: number("segment.ms") as Millis,
                segment_bytes: number("segment.bytes") as u64,
            },
            compact: get("cleanup.policy")
                .split(',')
                .any(|p| p.trim() == "compact"),
            unclean_leader_election: get("unclean.leader.election.enable") == "true",
        }
    }
}

/// `Topic.validate`: Kafka's rules for a legal topic name, in its words.
pub fn validate_topic_name(name: &str) -> Result<(), KafkaError> {
    let illegal = |why: &str| KafkaError::InvalidTopic {
        message: format!("Topic name \"{name}\" is illegal, {why}"),
    };
    if name.is_empty() {
        return Err(KafkaError::InvalidTopic {
            message: "Topic name is illegal, it can't be empty".into(),
        });
    }
    if name == "." || name == ".." {
        return Err(KafkaError::InvalidTopic {
            message: "Topic name cannot be \".\" or \"..\"".into(),
        });
    }
    if name.len() > TOPIC_NAME_LEN_MAX {
        return Err(illegal(&format!(
            "it can't be longer than {TOPIC_NAME_LEN_MAX} characters"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(illegal(
            "it contains a character other than ASCII alphanumerics, '.', '_' and '-'",
        ));
    }
    Ok(())
}

/// Checks `--config` overrides as `LogConfig.validate` does.
pub fn validate_configs(configs: &BTreeMap<String, String>) -> Result<(), KafkaError> {
    for (name, value) in configs {
        let invalid = |why: &str| KafkaError::InvalidConfig {
            message: format!("Invalid value {value} for configuration {name}: {why}"),
        };
        match name.as_str() {
            "cleanup.policy" => {
                if !value
                    .split(',')
                    .all(|p| matches!(p.trim(), "compact" | "delete"))
                {
                    return Err(invalid("String must be one of: compact, delete"));
                }
            }
            "unclean.leader.election.enable" => {
                if !matches!(value.as_str(), "true" | "false") {
                    return Err(invalid("Expected value to be either true or false"));
                }
            }
            "min.insync.replicas"
            | "retention.bytes"
            | "retention.ms"
            | "segment.bytes"
            | "segment.ms" => {
                let kind = if matches!(name.as_str(), "min.insync.replicas" | "segment.bytes") {
                    "INT"
                } else {
                    "LONG"
                };
                let number: i64 = value
                    .parse()
                    .map_err(|_| invalid(&format!("Not a number of type {kind}")))?;
                let least = match name.as_str() {
                    "min.insync.replicas" | "segment.ms" => 1,
                    "segment.bytes" => 14,
                    _ => -1,
                };
                if number < least {
                    return Err(invalid(&format!("Value must be at least {least}")));
                }
            }
            _ => {
                return Err(KafkaError::InvalidConfig {
                    message: format!("Unknown topic config name: {name}"),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn names_follow_kafkas_rules() {
        assert!(validate_topic_name("orders.v1_x-2").is_ok());
        let err = validate_topic_name("bad name").unwrap_err();
        assert_eq!(
            err,
            KafkaError::InvalidTopic {
                message: "Topic name \"bad name\" is illegal, it contains a character other \
                          than ASCII alphanumerics, '.', '_' and '-'"
                    .into()
            }
        );
        assert!(validate_topic_name("..").is_err());
        assert!(validate_topic_name(&"a".repeat(250)).is_err());
    }

    #[test]
    fn configs_are_checked_by_type_and_name() {
        assert!(validate_configs(&configs(&[("min.insync.replicas", "2")])).is_ok());
        assert_eq!(
            validate_configs(&configs(&[("min.insync.replicas", "two")])).unwrap_err(),
            KafkaError::InvalidConfig {
                message: "Invalid value two for configuration min.insync.replicas: Not a number of type INT".into()
            }
        );
        assert_eq!(
            validate_configs(&configs(&[("flush.bogus", "1")])).unwrap_err(),
            KafkaError::InvalidConfig {
                message: "Unknown topic config name: flush.bogus".into()
            }
        );
        assert!(validate_configs(&configs(&[("cleanup.policy", "compact,delete")])).is_ok());
        assert!(validate_configs(&configs(&[("segment.bytes", "10")])).is_err());
    }
}
