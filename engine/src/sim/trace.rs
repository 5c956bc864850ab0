//! The trace: an append-only record of everything that happened, in order.
//!
//! The UI's trace panel, the lessons' goal checks and the determinism tests all read it. Its JSON
//! form is canonical: the trace hash is SHA-256 over one compact JSON object per line.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Millis, format_iso};

/// A field value. Integers are `i64` on every platform so wasm32 and x86_64 agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TraceValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl From<&str> for TraceValue {
    fn from(value: &str) -> Self {
        Self::Str(value.to_string())
    }
}

impl From<String> for TraceValue {
    fn from(value: String) -> Self {
        Self::Str(value)
    }
}

impl From<i64> for TraceValue {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<u64> for TraceValue {
    fn from(value: u64) -> Self {
        Self::Int(i64::try_from(value).expect("trace integers fit in i64"))
    }
}

impl From<bool> for TraceValue {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl TraceValue {
    fn to_json(&self) -> Value {
        match self {
            Self::Str(s) => Value::from(s.as_str()),
            Self::Int(i) => Value::from(*i),
            Self::Bool(b) => Value::from(*b),
        }
    }
}

impl std::fmt::Display for TraceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Int(i) => write!(f, "{i}"),
            Self::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One thing that happened: when, in which service, what kind, and its details in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub seq: u64,
    pub time_ms: Millis,
    pub service: String,
    pub kind: String,
    pub fields: Vec<(String, TraceValue)>,
}

impl TraceEvent {
    pub fn field(&self, name: &str) -> Option<&TraceValue> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }

    /// The canonical JSON form (keys in a fixed order), as the UI, `sim trace --json` and the
    /// trace hash see it.
    pub fn to_json(&self) -> Value {
        let fields: Map<String, Value> = self
            .fields
            .iter()
            .map(|(key, value)| (key.clone(), value.to_json()))
            .collect();
        json!({
            "seq": self.seq,
            "time": format_iso(self.time_ms),
            "time_ms": self.time_ms,
            "service": self.service,
            "kind": self.kind,
            "fields": fields,
        })
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Trace {
    events: Vec<TraceEvent>,
}

impl Trace {
    pub fn record(
        &mut self,
        time_ms: Millis,
        service: &str,
        kind: &str,
        fields: Vec<(String, TraceValue)>,
    ) -> &TraceEvent {
        let seq = self.events.len() as u64 + 1;
        let service = service.to_string();
        let kind = kind.to_string();
        self.events.push(TraceEvent {
            seq,
            time_ms,
            service,
            kind,
            fields,
        });
        self.events.last().expect("just pushed")
    }

    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The last `n` events (all of them when there are fewer).
    pub fn last(&self, n: usize) -> &[TraceEvent] {
        &self.events[self.events.len().saturating_sub(n)..]
    }

    /// Drops everything after the first `len` events (used by rewind; the trace only grows
    /// otherwise).
    pub fn truncate(&mut self, len: usize) {
        assert!(len <= self.events.len(), "a rewind cannot grow the trace");
        self.events.truncate(len);
    }

    /// One compact JSON object per line: the form that is hashed and exported.
    pub fn to_jsonl(&self) -> String {
        let mut out = String::new();
        for event in &self.events {
            out.push_str(&event.to_json().to_string());
            out.push('\n');
        }
        out
    }

    /// `sha256:<hex>` of `to_jsonl()`. Equal hashes mean identical traces.
    pub fn hash(&self) -> String {
        let digest = Sha256::digest(self.to_jsonl().as_bytes());
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("sha256:{hex}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Trace {
        let mut trace = Trace::default();
        trace.record(
            1000,
            "shell",
            "command",
            vec![("line".into(), "sim advance 1s".into())],
        );
        trace.record(
            2000,
            "sim",
            "tick",
            vec![("n".into(), 3i64.into()), ("ok".into(), true.into())],
        );
        trace
    }

    #[test]
    fn json_keeps_field_order_and_iso_time() {
        let line = sample().to_jsonl();
        let first = line.lines().next().unwrap();
        assert_eq!(
            first,
            r#"{"seq":1,"time":"1970-01-01T00:00:01Z","time_ms":1000,"service":"shell","kind":"command","fields":{"line":"sim advance 1s"}}"#
        );
    }

    #[test]
    fn hash_changes_with_any_field() {
        let a = sample();
        let mut b = sample();
        assert_eq!(a.hash(), b.hash());
        b.record(3000, "sim", "tick", vec![]);
        assert_ne!(a.hash(), b.hash());
        b.truncate(2);
        assert_eq!(a.hash(), b.hash());
        assert!(a.hash().starts_with("sha256:") && a.hash().len() == 7 + 64);
    }
}
