//! Event patterns: compiled from their JSON and matched against events, with the matching
//! language of the EventBridge user guide ("Creating event patterns", "Content filtering in
//! event patterns"): exact values, arrays as OR, nested fields, `prefix`, `suffix`,
//! `anything-but`, `numeric`, `cidr`, `exists`, `equals-ignore-case`, `wildcard` and `$or`.
//! Numbers match JSON numbers only (by value, so 3 matches 3.0); `null` matches JSON null only,
//! never a missing field or an empty string; where the event holds an array, any element may
//! match.

use serde_json::{Map, Value};

/// Why a pattern is rejected, in the words after AWS's "Event pattern is not valid. Reason: ".
pub type PatternError = String;

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// All of these must hold.
    fields: Vec<FieldRule>,
    /// Each inner list is one `$or`: at least one of its patterns must hold.
    any_of: Vec<Vec<Pattern>>,
}

#[derive(Clone, Debug, PartialEq)]
enum FieldRule {
    Nested(String, Pattern),
    /// The value at this key must satisfy at least one matcher.
    Leaf(String, Vec<Matcher>),
}

#[derive(Clone, Debug, PartialEq)]
enum Matcher {
    /// A string, boolean or null, compared as JSON.
    Exact(Value),
    Number(f64),
    Prefix(String, bool),
    Suffix(String, bool),
    EqualsIgnoreCase(String),
    Wildcard(String),
    Numeric(Vec<(Comparison, f64)>),
    Cidr(u32, u32),
    Exists(bool),
    AnythingBut(Vec<Matcher>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Comparison {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        match &value {
            Value::Object(fields) => compile(fields),
            _ => Err("Filter is not an object".into()),
        }
    }

    pub fn matches(&self, event: &Value) -> bool {
        self.fields.iter().all(|rule| match rule {
            FieldRule::Nested(key, pattern) => {
                let values = values_at(event, key);
                values.iter().any(|value| pattern.matches(value))
            }
            FieldRule::Leaf(key, matchers) => {
                let values = values_at(event, key);
                matchers.iter().any(|matcher| matcher.holds(&values))
            }
        }) && self
            .any_of
            .iter()
            .all(|alternatives| alternatives.iter().any(|p| p.matches(event)))
    }
}

/// The values under `key`, with arrays flattened (any element may match).
fn values_at<'a>(event: &'a Value, key: &str) -> Vec<&'a Value> {
    fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    if let Some(value) = event.get(key) {
        flatten(value, &mut out);
    }
    out
}

fn compile(fields: &Map<String, Value>) -> Result<Pattern, PatternError> {
    if fields.is_empty() {
        return Err("Empty objects are not allowed".into());
    }
    let mut pattern = Pattern {
        fields: Vec::new(),
        any_of: Vec::new(),
    };
    for (key, value) in fields {
        if key == "$or" {
            let alternatives = value
                .as_array()
                .filter(|a| a.len() >= 2)
                .ok_or("\"$or\" must be an array of at least two objects")?;
            let compiled = alternatives
                .iter()
                .map(|a| match a {
                    Value::Object(fields) => compile(fields),
                    _ => Err("\"$or\" must be an array of at least two objects".into()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            pattern.any_of.push(compiled);
            continue;
        }
        match value {
            Value::Object(inner) => pattern
                .fields
                .push(FieldRule::Nested(key.clone(), compile(inner)?)),
            Value::Array(items) => {
                if items.is_empty() {
                    return Err(format!("Empty arrays are not allowed at \"{key}\""));
                }
                let matchers = items.iter().map(matcher).collect::<Result<_, _>>()?;
                pattern.fields.push(FieldRule::Leaf(key.clone(), matchers));
            }
            _ => return Err(format!("\"{key}\" must be an object or an array")),
        }
    }
    Ok(pattern)
}

fn matcher(value: &Value) -> Result<Matcher, PatternError> {
    match value {
        Value::Number(n) => Ok(Matcher::Number(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(_) | Value::Bool(_) | Value::Null => Ok(Matcher::Exact(value.clone())),
        Value::Array(_) => Err("Match value must be String, number, true, false, or null".into()),
        Value::Object(fields) => {
            let mut entries = fields.iter();
            let (Some((kind, argument)), None) = (entries.next(), entries.next()) else {
                return Err("Only one key allowed in match expression".into());
            };
            operator(kind, argument)
        }
    }
}

fn text<'a>(kind: &str, value: &'a Value) -> Result<&'a str, PatternError> {
    value
        .as_str()
        .ok_or_else(|| format!("{kind} match pattern must be a string"))
}

/// `"x"` or `{"equals-ignore-case": "x"}`, as `prefix` and `suffix` take.
fn text_or_ignore_case<'a>(kind: &str, value: &'a Value) -> Result<(&'a str, bool), PatternError> {
    if let Some(inner) = value.get("equals-ignore-case") {
        return Ok((text(kind, inner)?, true));
    }
    Ok((text(kind, value)?, false))
}

fn operator(kind: &str, argument: &Value) -> Result<Matcher, PatternError> {
    match kind {
        "prefix" => {
            let (text, ignore_case) = text_or_ignore_case(kind, argument)?;
            Ok(Matcher::Prefix(text.into(), ignore_case))
        }
        "suffix" => {
            let (text, ignore_case) = text_or_ignore_case(kind, argument)?;
            Ok(Matcher::Suffix(text.into(), ignore_case))
        }
        "equals-ignore-case" => Ok(Matcher::EqualsIgnoreCase(text(kind, argument)?.into())),
        "wildcard" => {
            let text = text(kind, argument)?;
            if text.contains("**") {
                return Err("Consecutive wildcard characters at pos ".to_string()
                    + &text.find("**").unwrap_or(0).to_string());
            }
            Ok(Matcher::Wildcard(text.into()))
        }
        "exists" => match argument {
            Value::Bool(b) => Ok(Matcher::Exists(*b)),
            _ => Err("exists match pattern must be either true or false.".into()),
        },
        "numeric" => numeric(argument),
        "cidr" => cidr(text(kind, argument)?),
        "anything-but" => anything_but(argument),
        other => Err(format!("Unrecognized match type {other}")),
    }
}

fn numeric(argument: &Value) -> Result<Matcher, PatternError> {
    let items = argument
        .as_array()
        .ok_or("Value of numeric must be an array.")?;
    if items.is_empty() || items.len() % 2 != 0 || items.len() > 4 {
        return Err("Value of numeric must be an array of one or two comparisons, e.g. [\">\", 0, \"<=\", 5]".into());
    }
    let mut comparisons = Vec::new();
    for pair in items.chunks(2) {
        let op = match pair[0].as_str() {
            Some("=") => Comparison::Eq,
            Some("<") => Comparison::Lt,
            Some("<=") => Comparison::Le,
            Some(">") => Comparison::Gt,
            Some(">=") => Comparison::Ge,
            _ => return Err(format!("Unrecognized numeric range operator: {}", pair[0])),
        };
        let number = pair[1]
            .as_f64()
            .ok_or("Value of numeric operators must be a number")?;
        comparisons.push((op, number));
    }
    let ranged = |op| {
        matches!(
            op,
            Comparison::Lt | Comparison::Le | Comparison::Gt | Comparison::Ge
        )
    };
    if let [(a, x), (b, y)] = comparisons.as_slice() {
        let lower = |op| matches!(op, Comparison::Gt | Comparison::Ge);
        if !ranged(*a) || !ranged(*b) || lower(*a) == lower(*b) {
            return Err("Two numeric comparisons make a range: one of > >= and one of < <=".into());
        }
        let (low, high) = if lower(*a) { (x, y) } else { (y, x) };
        if low >= high {
            return Err("Bottom must be less than top".into());
        }
    }
    Ok(Matcher::Numeric(comparisons))
}

fn cidr(text: &str) -> Result<Matcher, PatternError> {
    let bad = || format!("Nonstandard IP address: {text}");
    let (address, bits) = text.split_once('/').ok_or_else(bad)?;
    let bits: u32 = bits.parse().ok().filter(|b| *b <= 32).ok_or_else(bad)?;
    let address = parse_ipv4(address).ok_or_else(bad)?;
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    Ok(Matcher::Cidr(address & mask, mask))
}

fn parse_ipv4(text: &str) -> Option<u32> {
    let parts: Vec<u8> = text
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [a, b, c, d] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

fn anything_but(argument: &Value) -> Result<Matcher, PatternError> {
    let inner = match argument {
        Value::String(_) | Value::Number(_) => vec![matcher(argument)?],
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| match item {
                Value::String(_) | Value::Number(_) => matcher(item),
                _ => Err("Inside anything-but list, number|string|null expected".into()),
            })
            .collect::<Result<_, _>>()?,
        Value::Object(fields) if fields.len() == 1 => {
            let (kind, value) = fields.iter().next().expect("one entry");
            match kind.as_str() {
                "prefix" => vec![Matcher::Prefix(text(kind, value)?.into(), false)],
                "suffix" => vec![Matcher::Suffix(text(kind, value)?.into(), false)],
                "wildcard" => vec![operator(kind, value)?],
                "equals-ignore-case" => match value {
                    Value::Array(items) => items
                        .iter()
                        .map(|i| Ok(Matcher::EqualsIgnoreCase(text(kind, i)?.into())))
                        .collect::<Result<_, PatternError>>()?,
                    _ => vec![Matcher::EqualsIgnoreCase(text(kind, value)?.into())],
                },
                other => return Err(format!("Unsupported anything-but pattern: {other}")),
            }
        }
        _ => {
            return Err(
                "Value of anything-but must be an array or single string/number value.".into(),
            );
        }
    };
    Ok(Matcher::AnythingBut(inner))
}

impl Matcher {
    /// Whether the values found at a key (none when it is missing) satisfy this matcher.
    fn holds(&self, values: &[&Value]) -> bool {
        match self {
            Matcher::Exists(should) => values.is_empty() != *should,
            // anything-but needs the field, and no value of it may be excluded.
            Matcher::AnythingBut(excluded) => {
                !values.is_empty()
                    && values
                        .iter()
                        .any(|v| !excluded.iter().any(|m| m.matches_value(v)))
            }
            _ => values.iter().any(|v| self.matches_value(v)),
        }
    }

    fn matches_value(&self, value: &Value) -> bool {
        let string = value.as_str();
        match self {
            Matcher::Exact(expected) => value == expected,
            Matcher::Number(n) => value.as_f64() == Some(*n),
            Matcher::Prefix(p, false) => string.is_some_and(|s| s.starts_with(p.as_str())),
            Matcher::Prefix(p, true) => string.is_some_and(|s| {
                s.len() >= p.len()
                    && s.is_char_boundary(p.len())
                    && s[..p.len()].to_lowercase() == p.to_lowercase()
            }),
            Matcher::Suffix(x, false) => string.is_some_and(|s| s.ends_with(x.as_str())),
            Matcher::Suffix(x, true) => {
                string.is_some_and(|s| s.to_lowercase().ends_with(&x.to_lowercase()))
            }
            Matcher::EqualsIgnoreCase(x) => {
                string.is_some_and(|s| s.to_lowercase() == x.to_lowercase())
            }
            Matcher::Wildcard(w) => string.is_some_and(|s| wildcard(w, s)),
            Matcher::Numeric(comparisons) => value.as_f64().is_some_and(|n| {
                value.is_number()
                    && comparisons.iter().all(|(op, x)| match op {
                        Comparison::Eq => n == *x,
                        Comparison::Lt => n < *x,
                        Comparison::Le => n <= *x,
                        Comparison::Gt => n > *x,
                        Comparison::Ge => n >= *x,
                    })
            }),
            Matcher::Cidr(network, mask) => string
                .and_then(parse_ipv4)
                .is_some_and(|ip| ip & mask == *network),
            Matcher::Exists(_) | Matcher::AnythingBut(_) => self.holds(&[value]),
        }
    }
}

/// `*` matches any run of characters; `\*` is a literal star.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => parts
                .last_mut()
                .expect("one part")
                .push(chars.next().unwrap_or('\\')),
            '*' => parts.push(String::new()),
            c => parts.last_mut().expect("one part").push(c),
        }
    }
    let (first, rest) = parts.split_first().expect("one part");
    let Some(mut remaining) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part.as_str()) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn matches(pattern: &str, event: Value) -> bool {
        Pattern::parse(pattern).unwrap().matches(&event)
    }

    fn reason(pattern: &str) -> String {
        Pattern::parse(pattern).unwrap_err()
    }

    // Examples of the user guide's "Content filtering in event patterns" page.
    #[test]
    fn matches_like_the_user_guide() {
        let order = json!({
            "source": "shop.orders", "detail-type": "OrderPlaced",
            "detail": {"state": "running", "price": 42.5, "count": 3, "ip": "10.0.0.17",
                       "tags": ["a", "b"], "empty": "", "nothing": null, "file": "logs/2022/x.json"}
        });
        assert!(matches(r#"{"source": ["shop.orders"]}"#, order.clone()));
        assert!(matches(
            r#"{"source": ["other", "shop.orders"]}"#,
            order.clone()
        ));
        assert!(!matches(r#"{"source": ["other"]}"#, order.clone()));
        assert!(matches(
            r#"{"detail": {"state": ["running"], "count": [3]}}"#,
            order.clone()
        ));
        assert!(matches(r#"{"detail": {"count": [3.0]}}"#, order.clone()));
        assert!(!matches(r#"{"detail": {"count": ["3"]}}"#, order.clone()));
        assert!(matches(r#"{"detail": {"tags": ["b"]}}"#, order.clone()));
        assert!(matches(r#"{"detail": {"nothing": [null]}}"#, order.clone()));
        assert!(!matches(r#"{"detail": {"empty": [null]}}"#, order.clone()));
        assert!(matches(r#"{"detail": {"empty": [""]}}"#, order.clone()));
        assert!(!matches(
            r#"{"detail": {"missing": [null]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"prefix": "run"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"prefix": {"equals-ignore-case": "RUN"}}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"file": [{"suffix": ".json"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"equals-ignore-case": "RUNNING"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"file": [{"wildcard": "logs/*/*.json"}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"file": [{"wildcard": "logs/*.csv"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"price": [{"numeric": [">", 0, "<=", 50]}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"price": [{"numeric": ["<", 10]}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"ip": [{"cidr": "10.0.1.0/24"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"exists": true}], "gone": [{"exists": false}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"anything-but": ["stopped", "pending"]}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"state": [{"anything-but": "running"}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"gone": [{"anything-but": "x"}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"state": [{"anything-but": {"prefix": "stop"}}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"state": [{"anything-but": {"equals-ignore-case": ["RUNNING"]}}]}}"#,
            order.clone()
        ));
        assert!(matches(
            r#"{"detail": {"$or": [{"state": ["stopped"]}, {"count": [{"numeric": [">=", 3]}]}]}}"#,
            order.clone()
        ));
        assert!(!matches(
            r#"{"detail": {"$or": [{"state": ["stopped"]}, {"count": [{"numeric": [">", 3]}]}]}}"#,
            order
        ));
    }

    #[test]
    fn rejects_malformed_patterns() {
        assert_eq!(reason("[1]"), "Filter is not an object");
        assert_eq!(reason(r#"{"detail": {}}"#), "Empty objects are not allowed");
        assert_eq!(
            reason(r#"{"source": "x"}"#),
            "\"source\" must be an object or an array"
        );
        assert_eq!(
            reason(r#"{"a": [{"prefixx": "x"}]}"#),
            "Unrecognized match type prefixx"
        );
        assert_eq!(
            reason(r#"{"a": [{"suffix": ["x"]}]}"#),
            "suffix match pattern must be a string"
        );
        assert_eq!(
            reason(r#"{"a": [{"numeric": [">", 5, "<", 1]}]}"#),
            "Bottom must be less than top"
        );
        assert_eq!(
            reason(r#"{"a": [{"numeric": ["~", 5]}]}"#),
            "Unrecognized numeric range operator: \"~\""
        );
        assert_eq!(
            reason(r#"{"a": [{"exists": "yes"}]}"#),
            "exists match pattern must be either true or false."
        );
        assert_eq!(
            reason(r#"{"a": [{"cidr": "10.0.0.0/40"}]}"#),
            "Nonstandard IP address: 10.0.0.0/40"
        );
        assert_eq!(
            reason(r#"{"a": [{"prefix": "x", "suffix": "y"}]}"#),
            "Only one key allowed in match expression"
        );
        assert_eq!(
            reason(r#"{"a": []}"#),
            "Empty arrays are not allowed at \"a\""
        );
        assert_eq!(
            reason(r#"{"$or": [{"a": ["x"]}]}"#),
            "\"$or\" must be an array of at least two objects"
        );
    }

    #[test]
    fn wildcards_anchor_both_ends() {
        assert!(wildcard("a*c", "abbbc"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a*c", "abcd"));
        assert!(wildcard("a\\*c", "a*c"));
        assert!(!wildcard("a\\*c", "abc"));
        assert!(wildcard("*.png", "x.png"));
        assert!(!wildcard("ab*ba", "aba"));
    }
}
