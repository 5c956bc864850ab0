//! Structured AWS CLI parameters (`--lifecycle-configuration`, `--restore-request` …): read as
//! JSON, `file://` JSON, or the CLI's shorthand syntax (`Days=1,GlacierJobParameters={Tier=Standard}`),
//! then checked against the operation's input shape with botocore's own error wording, so the
//! learner sees `Parameter validation failed:` exactly as the real CLI prints it.

use serde_json::{Map, Number, Value};

use crate::shell::HostFiles;

/// The part of an API model the CLI validates before sending: members, requiredness, types.
pub enum Shape {
    Structure(&'static [Member]),
    List(&'static Shape),
    /// String to string, like `Metadata` and `Tags`.
    StringMap,
    String,
    Integer,
    Boolean,
    /// A time: an ISO 8601 string or epoch seconds, as botocore's `parse_to_aware_datetime`
    /// takes them (read with `timestamp_ms`).
    Timestamp,
    /// Accepted as given: parts of a model the playground does not simulate in depth.
    Opaque,
}

pub struct Member {
    pub name: &'static str,
    pub shape: &'static Shape,
    pub required: bool,
}

pub const fn member(name: &'static str, shape: &'static Shape) -> Member {
    Member {
        name,
        shape,
        required: false,
    }
}

pub const fn required(name: &'static str, shape: &'static Shape) -> Member {
    Member {
        name,
        shape,
        required: true,
    }
}

/// Reads a structured parameter's text (JSON, `file://…`, or shorthand) into JSON.
pub fn read_value(
    flag: &str,
    text: &str,
    shape: &Shape,
    files: &dyn HostFiles,
) -> Result<Value, String> {
    let text = match text.strip_prefix("file://") {
        Some(path) => {
            let bytes = files.read(path).map_err(|err| {
                format!("Error parsing parameter '{flag}': Unable to load paramfile {text}: [Errno 2] {err}")
            })?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        None => text.to_string(),
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('{')
        || trimmed.starts_with('[')
        || matches!(shape, Shape::List(_)) && trimmed.starts_with('"')
    {
        return serde_json::from_str(&text).map_err(|err| {
            format!("Error parsing parameter '{flag}': Invalid JSON: {err}\nJSON received: {text}")
        });
    }
    shorthand(&text, shape).map_err(|why| {
        format!(
            "Error parsing parameter '{flag}': Expected: '=', received: '{why}' for input:\n{text}"
        )
    })
}

/// Checks `value` against `shape` and returns every problem, as botocore lists them.
pub fn validate(name: &str, value: &Value, shape: &Shape) -> Vec<String> {
    let mut errors = Vec::new();
    check(name, value, shape, &mut errors);
    errors
}

fn check(path: &str, value: &Value, shape: &Shape, errors: &mut Vec<String>) {
    match (shape, value) {
        (Shape::Structure(members), Value::Object(object)) => {
            for member in members
                .iter()
                .filter(|m| m.required && !object.contains_key(m.name))
            {
                errors.push(format!(
                    "Missing required parameter in {path}: \"{}\"",
                    member.name
                ));
            }
            for (key, item) in object {
                match members.iter().find(|m| m.name == key) {
                    Some(member) => check(&format!("{path}.{key}"), item, member.shape, errors),
                    None => {
                        let names: Vec<&str> = members.iter().map(|m| m.name).collect();
                        errors.push(format!(
                            "Unknown parameter in {path}: \"{key}\", must be one of: {}",
                            names.join(", ")
                        ));
                    }
                }
            }
        }
        (Shape::List(item_shape), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check(&format!("{path}[{i}]"), item, item_shape, errors);
            }
        }
        (Shape::StringMap, Value::Object(object)) => {
            for (key, item) in object {
                if !item.is_string() {
                    errors.push(type_error(&format!("{path}.{key}"), item, "<class 'str'>"));
                }
            }
        }
        (Shape::String, Value::String(_))
        | (Shape::Boolean, Value::Bool(_))
        | (Shape::Opaque, _) => {}
        (Shape::Integer, Value::Number(n)) if n.is_i64() => {}
        (Shape::Timestamp, value) if timestamp_ms(value).is_some() => {}
        _ => errors.push(type_error(path, value, valid_types(shape))),
    }
}

fn valid_types(shape: &Shape) -> &'static str {
    match shape {
        Shape::Structure(_) | Shape::StringMap => "<class 'dict'>",
        Shape::List(_) => "<class 'list'>, <class 'tuple'>",
        Shape::String => "<class 'str'>",
        Shape::Integer => "<class 'int'>",
        Shape::Boolean => "<class 'bool'>",
        Shape::Timestamp => "<class 'datetime.datetime'>, timestamp-string",
        Shape::Opaque => "<class 'object'>",
    }
}

/// A timestamp parameter's instant: epoch seconds (a number or digits) or an ISO 8601 time.
pub fn timestamp_ms(value: &Value) -> Option<crate::sim::Millis> {
    let seconds = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    if let Some(seconds) = seconds {
        return Some((seconds * 1000.0).round() as crate::sim::Millis);
    }
    crate::sim::parse_iso(value.as_str()?).ok()
}

/// `Invalid type for parameter X, value: V, type: <class 'T'>, valid types: …`, with the value
/// and type as Python would print them.
fn type_error(path: &str, value: &Value, valid: &str) -> String {
    let (shown, python_type) = match value {
        Value::String(s) => (s.clone(), "str"),
        Value::Number(n) if n.is_i64() || n.is_u64() => (n.to_string(), "int"),
        Value::Number(n) => (n.to_string(), "float"),
        Value::Bool(b) => ((if *b { "True" } else { "False" }).to_string(), "bool"),
        Value::Null => ("None".into(), "NoneType"),
        Value::Array(_) => (value.to_string(), "list"),
        Value::Object(_) => (value.to_string(), "dict"),
    };
    format!(
        "Invalid type for parameter {path}, value: {shown}, type: <class '{python_type}'>, valid types: {valid}"
    )
}

/// The CLI's shorthand: `a=1,b={c=x,d=[p,q]}`. Scalars are typed by the shape, as the CLI does.
fn shorthand(text: &str, shape: &Shape) -> Result<Value, String> {
    // A list of structures takes one structure per shorthand value (`Id=1,Arn=…`).
    if let Shape::List(item @ Shape::Structure(_)) = shape {
        return Ok(Value::Array(vec![shorthand(text, item)?]));
    }
    let chars: Vec<char> = text.trim().chars().collect();
    let mut at = 0;
    let value = parse_pairs(&chars, &mut at, shape, false)?;
    if at < chars.len() {
        return Err(chars[at..].iter().collect());
    }
    Ok(value)
}

fn parse_pairs(
    chars: &[char],
    at: &mut usize,
    shape: &Shape,
    nested: bool,
) -> Result<Value, String> {
    let mut object = Map::new();
    loop {
        let key: String = take_while(chars, at, |c| c != '=' && c != ',' && c != '}');
        if chars.get(*at) != Some(&'=') {
            return Err(key);
        }
        *at += 1;
        let member_shape = member_shape(shape, key.trim());
        let value = parse_value(chars, at, member_shape)?;
        object.insert(key.trim().to_string(), value);
        match chars.get(*at) {
            Some(',') => *at += 1,
            Some('}') if nested => return Ok(Value::Object(object)),
            None => return Ok(Value::Object(object)),
            Some(_) => return Err(chars[*at..].iter().collect()),
        }
    }
}

fn parse_value(chars: &[char], at: &mut usize, shape: Option<&Shape>) -> Result<Value, String> {
    match chars.get(*at) {
        Some('{') => {
            *at += 1;
            let value = parse_pairs(chars, at, shape.unwrap_or(&Shape::StringMap), true)?;
            *at += 1;
            Ok(value)
        }
        Some('[') => {
            *at += 1;
            let item = match shape {
                Some(Shape::List(item)) => Some(*item),
                _ => None,
            };
            let mut items = Vec::new();
            while chars.get(*at).is_some_and(|c| *c != ']') {
                items.push(parse_value(chars, at, item)?);
                if chars.get(*at) == Some(&',') {
                    *at += 1;
                }
            }
            *at += 1;
            Ok(Value::Array(items))
        }
        _ => {
            let text: String = take_while(chars, at, |c| c != ',' && c != '}' && c != ']');
            Ok(scalar(text.trim(), shape))
        }
    }
}

fn scalar(text: &str, shape: Option<&Shape>) -> Value {
    match shape {
        Some(Shape::Integer) => text
            .parse::<i64>()
            .map(|n| Value::Number(Number::from(n)))
            .unwrap_or_else(|_| Value::from(text)),
        Some(Shape::Boolean) => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::from(text),
        },
        _ => Value::from(text),
    }
}

fn member_shape(shape: &Shape, name: &str) -> Option<&'static Shape> {
    match shape {
        Shape::Structure(members) => members.iter().find(|m| m.name == name).map(|m| m.shape),
        _ => Some(&Shape::String),
    }
}

fn take_while(chars: &[char], at: &mut usize, keep: impl Fn(char) -> bool) -> String {
    let start = *at;
    while chars.get(*at).is_some_and(|c| keep(*c)) {
        *at += 1;
    }
    chars[start..*at].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::MemoryFiles;

    static TIER: Shape = Shape::Structure(&[required("Tier", &Shape::String)]);
    static RESTORE: Shape = Shape::Structure(&[
        member("Days", &Shape::Integer),
        member("GlacierJobParameters", &TIER),
    ]);
    static NAMES: Shape = Shape::List(&Shape::String);
    static WITH_NAMES: Shape = Shape::Structure(&[member("Names", &NAMES)]);

    #[test]
    fn shorthand_is_typed_by_the_shape() {
        let value = read_value(
            "--restore-request",
            "Days=1,GlacierJobParameters={Tier=Standard}",
            &RESTORE,
            &MemoryFiles::default(),
        )
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!({"Days": 1, "GlacierJobParameters": {"Tier": "Standard"}})
        );
        let list = shorthand("Names=[a,b]", &WITH_NAMES).unwrap();
        assert_eq!(list, serde_json::json!({"Names": ["a", "b"]}));
    }

    #[test]
    fn json_inline_and_from_files() {
        let mut files = MemoryFiles::default();
        crate::shell::HostFiles::write(&mut files, "r.json", br#"{"Days": 2}"#).unwrap();
        assert_eq!(
            read_value("--r", "file://r.json", &RESTORE, &files).unwrap(),
            serde_json::json!({"Days": 2})
        );
        let missing = read_value("--r", "file://nope.json", &RESTORE, &files).unwrap_err();
        assert_eq!(
            missing,
            "Error parsing parameter '--r': Unable to load paramfile file://nope.json: [Errno 2] nope.json: No such file or directory"
        );
        let bad = read_value("--r", "{Days: 2}", &RESTORE, &files).unwrap_err();
        assert!(
            bad.starts_with("Error parsing parameter '--r': Invalid JSON: key must be a string"),
            "{bad}"
        );
    }

    #[test]
    fn validation_speaks_botocore() {
        let value = serde_json::json!({"Days": "1", "GlacierJobParameters": {}, "Extra": true});
        assert_eq!(
            validate("RestoreRequest", &value, &RESTORE),
            [
                "Invalid type for parameter RestoreRequest.Days, value: 1, type: <class 'str'>, valid types: <class 'int'>",
                "Missing required parameter in RestoreRequest.GlacierJobParameters: \"Tier\"",
                "Unknown parameter in RestoreRequest: \"Extra\", must be one of: Days, GlacierJobParameters",
            ]
        );
    }
}
