//! CloudWatch Logs, as far as Lambda needs it: log groups (`/aws/lambda/<function>`), one log
//! stream per execution environment, and events in time order. `aws logs tail` and
//! `filter-log-events` read them; Lambda writes them only when the function's role may.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ServiceError;
use crate::sim::Millis;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub timestamp_ms: Millis,
    pub ingestion_ms: Millis,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroup {
    pub created_ms: Millis,
    /// Events by stream name, each stream in time order.
    pub streams: BTreeMap<String, Vec<LogEvent>>,
}

impl LogGroup {
    pub fn stored_bytes(&self) -> u64 {
        self.streams
            .values()
            .flatten()
            .map(|event| event.message.len() as u64)
            .sum()
    }
}

/// One event found by a filter, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundEvent<'a> {
    pub stream: &'a str,
    /// The event's index in its stream: with the stream it makes the event id.
    pub index: usize,
    pub event: &'a LogEvent,
}

/// Which events a reader wants.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub start_ms: Option<Millis>,
    pub end_ms: Option<Millis>,
    pub streams: Vec<String>,
    pub stream_prefix: Option<String>,
    pub pattern: Option<FilterPattern>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Logs {
    groups: BTreeMap<String, LogGroup>,
}

pub fn no_such_group() -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

impl Logs {
    pub fn groups(&self) -> impl Iterator<Item = (&String, &LogGroup)> {
        self.groups.iter()
    }

    pub fn group(&self, name: &str) -> Result<&LogGroup, ServiceError> {
        self.groups.get(name).ok_or_else(no_such_group)
    }

    /// Appends `messages` to a stream, creating the group and the stream as Lambda's runtime
    /// does (CreateLogGroup, CreateLogStream, PutLogEvents).
    pub fn put(
        &mut self,
        group: &str,
        stream: &str,
        now_ms: Millis,
        messages: impl IntoIterator<Item = (Millis, String)>,
    ) {
        let group = self
            .groups
            .entry(group.to_string())
            .or_insert_with(|| LogGroup {
                created_ms: now_ms,
                streams: BTreeMap::new(),
            });
        let events = group.streams.entry(stream.to_string()).or_default();
        for (timestamp_ms, message) in messages {
            events.push(LogEvent {
                timestamp_ms,
                ingestion_ms: timestamp_ms + 1,
                message,
            });
        }
        events.sort_by_key(|event| event.timestamp_ms);
    }

    /// The events of `group` that pass `filter`, across streams in time order (ties by stream).
    pub fn find(&self, group: &str, filter: &Filter) -> Result<Vec<FoundEvent<'_>>, ServiceError> {
        let group = self.group(group)?;
        let mut found: Vec<FoundEvent> = group
            .streams
            .iter()
            .filter(|(name, _)| filter.streams.is_empty() || filter.streams.contains(name))
            .filter(|(name, _)| {
                filter
                    .stream_prefix
                    .as_ref()
                    .is_none_or(|prefix| name.starts_with(prefix.as_str()))
            })
            .flat_map(|(name, events)| {
                events
                    .iter()
                    .enumerate()
                    .map(move |(index, event)| FoundEvent {
                        stream: name,
                        index,
                        event,
                    })
            })
            .filter(|found| {
                let t = found.event.timestamp_ms;
                filter.start_ms.is_none_or(|start| t >= start)
                    && filter.end_ms.is_none_or(|end| t < end)
                    && filter
                        .pattern
                        .as_ref()
                        .is_none_or(|p| p.matches(&found.event.message))
            })
            .collect();
        found.sort_by(|a, b| {
            (a.event.timestamp_ms, a.stream, a.index).cmp(&(
                b.event.timestamp_ms,
                b.stream,
                b.index,
            ))
        });
        Ok(found)
    }

    pub fn delete_group(&mut self, name: &str) -> Result<(), ServiceError> {
        self.groups
            .remove(name)
            .map(|_| ())
            .ok_or_else(no_such_group)
    }
}

/// A filter pattern over unstructured log events, as CloudWatch Logs defines it: terms that must
/// all appear (`ERROR Exception`), quoted phrases (`"Task timed out"`), `?term` alternatives
/// (any one of them), and `-term` exclusions. Matching is case-sensitive, as on AWS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterPattern {
    all: Vec<String>,
    any: Vec<String>,
    none: Vec<String>,
}

impl FilterPattern {
    pub fn parse(text: &str) -> Result<FilterPattern, ServiceError> {
        let text = text.trim();
        let mut pattern = FilterPattern::default();
        if text.is_empty() || text == "\"\"" {
            return Ok(pattern);
        }
        if text.starts_with('{') || text.starts_with('[') || text.starts_with('%') {
            return Err(ServiceError::not_simulated(
                "JSON, space-delimited and regular-expression filter patterns are not simulated; use terms, \"quoted phrases\", ?alternatives and -exclusions",
            ));
        }
        for term in terms(text)? {
            if let Some(rest) = term.strip_prefix('?') {
                pattern.any.push(rest.to_string());
            } else if let Some(rest) = term.strip_prefix('-') {
                pattern.none.push(rest.to_string());
            } else {
                pattern.all.push(term);
            }
        }
        Ok(pattern)
    }

    pub fn matches(&self, message: &str) -> bool {
        self.all.iter().all(|term| message.contains(term.as_str()))
            && (self.any.is_empty() || self.any.iter().any(|t| message.contains(t.as_str())))
            && !self.none.iter().any(|term| message.contains(term.as_str()))
    }
}

/// Splits a pattern into terms; a quoted phrase is one term (its `?`/`-` prefix kept outside).
fn terms(text: &str) -> Result<Vec<String>, ServiceError> {
    let mut terms = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut term = String::new();
        if c == '?' || c == '-' {
            term.push(c);
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                term.push(c);
            }
            if !closed {
                return Err(ServiceError::new(
                    "InvalidParameterException",
                    "Invalid filter pattern: a quoted phrase is not closed",
                ));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                term.push(c);
                chars.next();
            }
        }
        terms.push(term);
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logs() -> Logs {
        let mut logs = Logs::default();
        logs.put(
            "/aws/lambda/f",
            "2022/06/12/[$LATEST]b",
            10,
            [
                (20, "START RequestId: 2".to_string()),
                (25, "END RequestId: 2".into()),
            ],
        );
        logs.put(
            "/aws/lambda/f",
            "2022/06/12/[$LATEST]a",
            10,
            [
                (10, "START RequestId: 1".to_string()),
                (12, "[ERROR] AccessDenied".into()),
                (30, "REPORT RequestId: 1".into()),
            ],
        );
        logs
    }

    fn messages(logs: &Logs, filter: &Filter) -> Vec<String> {
        logs.find("/aws/lambda/f", filter)
            .unwrap()
            .iter()
            .map(|found| found.event.message.clone())
            .collect()
    }

    #[test]
    fn events_come_back_in_time_order_across_streams() {
        let all = messages(&logs(), &Filter::default());
        assert_eq!(
            all,
            [
                "START RequestId: 1",
                "[ERROR] AccessDenied",
                "START RequestId: 2",
                "END RequestId: 2",
                "REPORT RequestId: 1"
            ]
        );
        let window = Filter {
            start_ms: Some(12),
            end_ms: Some(25),
            ..Filter::default()
        };
        assert_eq!(
            messages(&logs(), &window),
            ["[ERROR] AccessDenied", "START RequestId: 2"]
        );
    }

    // Term, phrase, ?-alternative and --exclusion semantics from the CloudWatch Logs User Guide,
    // "Filter pattern syntax for metric filters, subscription filters, filter log events".
    #[test]
    fn filter_patterns_match_terms_phrases_alternatives_and_exclusions() {
        let with = |pattern: &str| {
            let filter = Filter {
                pattern: Some(FilterPattern::parse(pattern).unwrap()),
                ..Filter::default()
            };
            messages(&logs(), &filter)
        };
        assert_eq!(with("ERROR"), ["[ERROR] AccessDenied"]);
        assert_eq!(with("RequestId: 2").len(), 2, "terms are ANDed");
        assert_eq!(
            with("\"RequestId: 2\""),
            ["START RequestId: 2", "END RequestId: 2"]
        );
        assert_eq!(with("?REPORT ?ERROR").len(), 2);
        assert_eq!(
            with("RequestId -START"),
            ["END RequestId: 2", "REPORT RequestId: 1"]
        );
        assert_eq!(with("error"), Vec::<String>::new(), "case-sensitive");
        assert_eq!(with("").len(), 5);
    }

    #[test]
    fn bad_patterns_and_groups_are_errors() {
        assert_eq!(
            FilterPattern::parse("\"open").unwrap_err().code,
            "InvalidParameterException"
        );
        assert!(FilterPattern::parse("{ $.level = \"ERROR\" }").is_err());
        assert_eq!(
            logs()
                .find("/aws/lambda/none", &Filter::default())
                .unwrap_err()
                .code,
            "ResourceNotFoundException"
        );
        let mut logs = logs();
        assert!(logs.delete_group("/aws/lambda/none").is_err());
        logs.delete_group("/aws/lambda/f").unwrap();
        assert_eq!(logs.groups().count(), 0);
    }
}
