//! Small argument helpers shared by the command families: `--flag value` / `--flag=value`
//! options, switches, positionals, durations (`90s`, `1h30m`) and counts.

use std::collections::BTreeMap;

use crate::sim::Millis;

/// Options and positionals of one command line, after checking every `--flag` is known.
#[derive(Debug, Default)]
pub struct Flags {
    values: BTreeMap<String, String>,
    switches: Vec<String>,
    pub positionals: Vec<String>,
}

/// Walks command-line words and hands out flag values the way the real tools take them:
/// `--name=value`, or `--name value` from the next word.
pub struct ArgCursor<'a, S> {
    args: &'a [S],
    next: usize,
}

impl<'a, S: AsRef<str>> ArgCursor<'a, S> {
    pub fn new(args: &'a [S]) -> Self {
        Self { args, next: 0 }
    }

    pub fn next_word(&mut self) -> Option<&'a str> {
        let word = self.args.get(self.next)?.as_ref();
        self.next += 1;
        Some(word)
    }

    /// The next word, without taking it.
    pub fn peek(&self) -> Option<&'a str> {
        self.args.get(self.next).map(AsRef::as_ref)
    }

    /// A flag's value: the inline one, else the next word; `None` when there is neither.
    pub fn value(&mut self, inline: Option<&'a str>) -> Option<&'a str> {
        inline.or_else(|| self.next_word())
    }
}

/// Splits `--name=value` into the flag name and its inline value; other words have none.
pub fn split_flag(word: &str) -> (&str, Option<&str>) {
    match word.split_once('=') {
        Some((name, value)) if name.starts_with("--") => (name, Some(value)),
        _ => (word, None),
    }
}

impl Flags {
    /// `valued` flags take a value; `switches` take none. Arguments that start with `--` must be
    /// one of them; anything else (including `-5m`) is a positional.
    pub fn parse(args: &[String], valued: &[&str], switches: &[&str]) -> Result<Self, String> {
        let mut flags = Flags::default();
        let mut cursor = ArgCursor::new(args);
        while let Some(word) = cursor.next_word() {
            let (word, inline) = split_flag(word);
            let Some(name) = word.strip_prefix("--") else {
                flags.positionals.push(word.to_string());
                continue;
            };
            if valued.contains(&name) {
                let value = cursor
                    .value(inline)
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                if flags
                    .values
                    .insert(name.to_string(), value.to_string())
                    .is_some()
                {
                    return Err(format!("--{name} is given twice"));
                }
            } else if switches.contains(&name) && inline.is_none() {
                flags.switches.push(name.to_string());
            } else if switches.contains(&name) {
                return Err(format!("--{name} takes no value"));
            } else {
                return Err(unknown_option(word, valued, switches));
            }
        }
        Ok(flags)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }
}

fn unknown_option(arg: &str, valued: &[&str], switches: &[&str]) -> String {
    let known: Vec<String> = valued
        .iter()
        .chain(switches)
        .map(|name| format!("--{name}"))
        .collect();
    if known.is_empty() {
        format!("unknown option `{arg}`: this command takes no options")
    } else {
        format!("unknown option `{arg}` (known: {})", known.join(", "))
    }
}

const UNITS: [(&str, Millis); 5] = [
    ("ms", 1),
    ("s", 1000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

/// A positive duration written as one or more `<number><unit>` parts: `500ms`, `90s`, `5m`,
/// `1h30m`, `2d`.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    if text.is_empty() {
        return Err("a duration is missing (e.g. 90s, 5m, 1h, 2d)".into());
    }
    if text.starts_with('-') {
        return Err(format!(
            "`{text}` is negative: simulated time only moves forward"
        ));
    }
    let mut total: Millis = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!(
                "`{text}` needs a number before each unit (e.g. 90s, 5m, 1h30m)"
            ));
        }
        let (number, after) = rest.split_at(digits);
        if after.starts_with(['.', ',']) {
            return Err(format!(
                "`{text}` has a fraction: write whole units, as in 1h30m or 1500ms"
            ));
        }
        let unit_len = after.chars().take_while(char::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(format!(
                "`{text}` has no unit: write {number}s, {number}m, {number}h or {number}d"
            ));
        }
        let Some(&(_, size)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(format!(
                "`{text}` has an unknown unit `{unit}`: use ms, s, m, h or d"
            ));
        };
        let value: Millis = number
            .parse()
            .map_err(|_| format!("`{text}` is too long"))?;
        total = value
            .checked_mul(size)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| format!("`{text}` is too long"))?;
        rest = after;
    }
    if total == 0 {
        return Err(format!(
            "`{text}` is zero: a duration must be longer than that"
        ));
    }
    Ok(total)
}

/// A positive whole number such as the N of `--last N`.
pub fn parse_count(what: &str, text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) | Err(_) => Err(format!(
            "{what} must be a whole number above zero, not `{text}`"
        )),
        Ok(n) => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn durations_in_every_unit() {
        assert_eq!(parse_duration("90s"), Ok(90_000));
        assert_eq!(parse_duration("5m"), Ok(300_000));
        assert_eq!(parse_duration("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("2d"), Ok(172_800_000));
        assert_eq!(parse_duration("250ms"), Ok(250));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
    }

    #[test]
    fn bad_durations_explain_themselves() {
        assert_eq!(
            parse_duration("-5m").unwrap_err(),
            "`-5m` is negative: simulated time only moves forward"
        );
        assert_eq!(
            parse_duration("5x").unwrap_err(),
            "`5x` has an unknown unit `x`: use ms, s, m, h or d"
        );
        assert_eq!(
            parse_duration("5").unwrap_err(),
            "`5` has no unit: write 5s, 5m, 5h or 5d"
        );
        assert!(parse_duration("m").unwrap_err().contains("needs a number"));
        assert!(parse_duration("0s").unwrap_err().contains("zero"));
        assert!(
            parse_duration("99999999999999999999d")
                .unwrap_err()
                .contains("too long")
        );
        assert!(parse_duration("").unwrap_err().contains("missing"));
        assert!(parse_duration("1.5h").unwrap_err().contains("whole units"));
    }

    #[test]
    fn flags_values_switches_and_positionals() {
        let args = strings(&["--last", "5", "--json", "x", "--seed=3"]);
        let flags = Flags::parse(&args, &["last", "seed"], &["json"]).unwrap();
        assert_eq!(flags.value("last"), Some("5"));
        assert_eq!(flags.value("seed"), Some("3"));
        assert!(flags.switch("json"));
        assert_eq!(flags.positionals, ["x"]);
    }

    #[test]
    fn bad_flags_are_named() {
        let err = Flags::parse(&strings(&["--bogus"]), &["last"], &["json"]).unwrap_err();
        assert_eq!(err, "unknown option `--bogus` (known: --last, --json)");
        assert!(
            Flags::parse(&strings(&["--last"]), &["last"], &[])
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(
            Flags::parse(&strings(&["--json=1"]), &[], &["json"])
                .unwrap_err()
                .contains("takes no value")
        );
        assert!(
            Flags::parse(&strings(&["--x"]), &[], &[])
                .unwrap_err()
                .contains("takes no options")
        );
        let twice = strings(&["--last", "1", "--last", "2"]);
        assert!(
            Flags::parse(&twice, &["last"], &[])
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn counts_are_positive_integers() {
        assert_eq!(parse_count("N", "3"), Ok(3));
        assert!(parse_count("N", "0").is_err());
        assert!(parse_count("N", "-1").is_err());
        assert!(parse_count("N", "x").is_err());
    }
}
