//! JSON lines as Athena reads them with `org.openx.data.jsonserde.JsonSerDe` and writes them
//! with Hive's `JsonSerDe` (the SerDe of CTAS `format = 'JSON'`).
//!
//! Reading ports the SerDe's rules rather than using a strict JSON parser: each line is trimmed,
//! lines that do not start with `{` or `[` are rows of NULLs, and objects are parsed with the
//! lenient grammar of the `org.json` tokener the SerDe embeds (single quotes, unquoted words,
//! `=>` and `;` are accepted), so malformed lines fail with the same `JSONException` text.
//! Keys match columns case-insensitively, missing keys are NULL, unknown keys are ignored,
//! and a key repeated in one object is an error, as on Athena.

use arrow::array::{Array, ArrayRef};
use arrow::datatypes::{DataType, Schema};
use arrow::record_batch::RecordBatch;

use super::column::{ColumnBuilder, Kind, Rules};
use super::value::{self, Invalid};
use super::{JsonOptions, Projection, bad_data};
use crate::table::ScanError;

/// Deeper nesting than this is reported as malformed instead of risking the stack.
const NESTING_DEPTH_MAX: usize = 256;

/// Bytes that end an unquoted word in `org.json`: its delimiters and control characters.
const ENDS_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < b' ' {
        table[byte as usize] = true;
        byte += 1;
    }
    let delimiters = b",:]}/\\\"[{;=#";
    let mut i = 0;
    while i < delimiters.len() {
        table[delimiters[i] as usize] = true;
        i += 1;
    }
    table
};

/// A syntax error in `org.json`'s words, with its ` at N [character N+1 line 1]` suffix.
#[derive(Debug, PartialEq, Eq)]
struct Malformed(String);

/// One value of a line, as byte ranges into the line or into the row's unescape buffer.
#[derive(Clone, Copy, Debug)]
enum Value {
    Null,
    Bool(bool),
    /// A string; `escaped` when its text lives in the unescape buffer.
    Quoted {
        start: usize,
        end: usize,
        escaped: bool,
    },
    /// An unquoted word or number, as written.
    Bare {
        start: usize,
        end: usize,
    },
    /// An object or array, as written.
    Nested {
        start: usize,
        end: usize,
    },
}

/// Where each column's value is in the current line. `row` stamps avoid clearing per line.
#[derive(Clone, Copy)]
struct Slot {
    row: u64,
    value: Value,
}

/// The per-line parse: the `org.json` tokener over one trimmed line.
struct Tokener<'a> {
    line: &'a [u8],
    pos: usize,
    /// Unescaped strings of this line.
    unescaped: &'a mut String,
}

impl<'a> Tokener<'a> {
    fn next(&mut self) -> u8 {
        let byte = self.line.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        byte
    }

    fn back(&mut self) {
        self.pos -= 1;
    }

    fn next_clean(&mut self) -> u8 {
        loop {
            let byte = self.next();
            if byte == 0 || byte > b' ' {
                return byte;
            }
        }
    }

    /// `org.json` counts characters read, including one past the end when it hit the end.
    fn error(&self, message: &str) -> Malformed {
        let read = self.pos.min(self.line.len());
        let past_end = self.pos - read;
        let chars = self.line[..read]
            .iter()
            .filter(|byte| (**byte & 0xC0) != 0x80)
            .count()
            + past_end;
        Malformed(format!(
            "{message} at {chars} [character {} line 1]",
            chars + 1
        ))
    }

    fn value(&mut self, depth: usize) -> Result<Value, Malformed> {
        let byte = self.next_clean();
        match byte {
            b'"' | b'\'' => self.string(byte),
            b'{' | b'[' => {
                self.back();
                let start = self.pos;
                if byte == b'{' {
                    self.object(depth + 1, |_, _, _| Ok(()))?;
                } else {
                    self.array(depth + 1, |_, _| Ok(()))?;
                }
                Ok(Value::Nested {
                    start,
                    end: self.pos,
                })
            }
            _ => self.bare(),
        }
    }

    /// An unquoted value: characters up to a delimiter, trimmed; `true`, `false` and `null`
    /// in any case are literals, anything else is kept as text.
    fn bare(&mut self) -> Result<Value, Malformed> {
        let start = self.pos - 1;
        let mut byte = self.line.get(start).copied().unwrap_or(0);
        while !ENDS_WORD[usize::from(byte)] {
            byte = self.next();
        }
        self.back();
        let raw = &self.line[start..self.pos];
        let leading = raw.iter().take_while(|b| **b <= b' ').count();
        let trailing = raw.iter().rev().take_while(|b| **b <= b' ').count();
        if leading == raw.len() {
            return Err(self.error("Missing value"));
        }
        let word = &raw[leading..raw.len() - trailing];
        Ok(if word.eq_ignore_ascii_case(b"null") {
            Value::Null
        } else if word.eq_ignore_ascii_case(b"true") {
            Value::Bool(true)
        } else if word.eq_ignore_ascii_case(b"false") {
            Value::Bool(false)
        } else {
            Value::Bare {
                start: start + leading,
                end: start + raw.len() - trailing,
            }
        })
    }

    /// A string up to the closing `quote`; unescaped into the buffer only if it has escapes.
    fn string(&mut self, quote: u8) -> Result<Value, Malformed> {
        let start = self.pos;
        self.pos = special_in_string(self.line, start, quote);
        if self.line.get(self.pos) == Some(&quote) {
            self.pos += 1;
            return Ok(Value::Quoted {
                start,
                end: self.pos - 1,
                escaped: false,
            });
        }
        let buffer_start = self.unescaped.len();
        let verbatim = std::str::from_utf8(&self.line[start..self.pos]).expect("lines are UTF-8");
        self.unescaped.push_str(verbatim);
        loop {
            let byte = self.next();
            match byte {
                0 => return Err(self.error("Unterminated string")),
                b'\\' => self.escape()?,
                _ if byte == quote => {
                    return Ok(Value::Quoted {
                        start: buffer_start,
                        end: self.unescaped.len(),
                        escaped: true,
                    });
                }
                _ => {
                    // Copy the whole UTF-8 sequence this byte starts.
                    let start = self.pos - 1;
                    let len = utf8_len(byte);
                    self.pos = (start + len).min(self.line.len());
                    let text =
                        std::str::from_utf8(&self.line[start..self.pos]).expect("lines are UTF-8");
                    self.unescaped.push_str(text);
                }
            }
        }
    }

    fn escape(&mut self) -> Result<(), Malformed> {
        let byte = self.next();
        let decoded = match byte {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            // org.json appends BEL and then falls through to VT for `\a`.
            b'a' => {
                self.unescaped.push('\u{7}');
                '\u{b}'
            }
            b'v' => '\u{b}',
            b'"' | b'\'' | b'\\' | b'/' => byte as char,
            b'u' => return self.unicode_escape(),
            _ => return Err(self.error("Illegal escape.")),
        };
        self.unescaped.push(decoded);
        Ok(())
    }

    /// `\uXXXX`, joining a surrogate pair into one character as Java strings do.
    fn unicode_escape(&mut self) -> Result<(), Malformed> {
        let unit = self.hex4()?;
        if (0xD800..0xDC00).contains(&unit) && self.line[self.pos..].starts_with(b"\\u") {
            let saved = self.pos;
            self.pos += 2;
            let low = self.hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                self.unescaped
                    .push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                return Ok(());
            }
            self.pos = saved;
        }
        self.unescaped
            .push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Malformed> {
        if self.pos + 4 > self.line.len() {
            self.pos = self.line.len() + 1;
            return Err(self.error("Substring bounds error"));
        }
        let digits = std::str::from_utf8(&self.line[self.pos..self.pos + 4]).unwrap_or("");
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.error("Illegal escape."))
    }

    /// An object; `field` receives each key (as a value) with its value and the key's end.
    fn object(
        &mut self,
        depth: usize,
        mut field: impl FnMut(&Self, Value, Value) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        if depth > NESTING_DEPTH_MAX {
            return Err(self.error("Nesting too deep"));
        }
        if self.next_clean() != b'{' {
            return Err(self.error("A JSONObject text must begin with '{'"));
        }
        loop {
            match self.next_clean() {
                0 => return Err(self.error("A JSONObject text must end with '}'")),
                b'}' => return Ok(()),
                _ => self.back(),
            }
            let key = self.value(depth)?;
            match self.next_clean() {
                b'=' => {
                    if self.next() != b'>' {
                        self.back();
                    }
                }
                b':' => {}
                _ => return Err(self.error("Expected a ':' after a key")),
            }
            let value = self.value(depth)?;
            field(self, key, value)?;
            match self.next_clean() {
                b',' | b';' => {
                    if self.next_clean() == b'}' {
                        return Ok(());
                    }
                    self.back();
                }
                b'}' => return Ok(()),
                _ => return Err(self.error("Expected a ',' or '}'")),
            }
        }
    }

    /// An array; `element` receives each value with its position.
    fn array(
        &mut self,
        depth: usize,
        mut element: impl FnMut(usize, Value) -> Result<(), Malformed>,
    ) -> Result<(), Malformed> {
        if depth > NESTING_DEPTH_MAX {
            return Err(self.error("Nesting too deep"));
        }
        if self.next_clean() != b'[' {
            return Err(self.error("A JSONArray text must start with '['"));
        }
        if self.next_clean() == b']' {
            return Ok(());
        }
        self.back();
        for index in 0.. {
            let value = if self.next_clean() == b',' {
                self.back();
                Value::Null
            } else {
                self.back();
                self.value(depth)?
            };
            element(index, value)?;
            match self.next_clean() {
                b',' | b';' => {
                    if self.next_clean() == b']' {
                        return Ok(());
                    }
                    self.back();
                }
                b']' => return Ok(()),
                _ => return Err(self.error("Expected a ',' or ']'")),
            }
        }
        unreachable!("the loop above only ends by returning")
    }
}

/// The position of the first `quote`, backslash, NUL or line break at or after `from` (or the
/// end): the only bytes that stop the copy of a string. Eight bytes at a time, since string
/// contents are most of a line.
#[inline(always)]
fn special_in_string(line: &[u8], from: usize, quote: u8) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Sets the high bit of each zero byte (the classic "has zero byte" test; exact for the
    // lowest one, which is the one found).
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    let (quotes, backslashes) = (ONES * u64::from(quote), ONES * u64::from(b'\\'));
    let (line_feeds, returns) = (ONES * u64::from(b'\n'), ONES * u64::from(b'\r'));
    let mut pos = from;
    while pos + 8 <= line.len() {
        let word = u64::from_le_bytes(line[pos..pos + 8].try_into().expect("eight bytes"));
        let hits = zero_bytes(word ^ quotes)
            | zero_bytes(word ^ backslashes)
            | zero_bytes(word)
            | zero_bytes(word ^ line_feeds)
            | zero_bytes(word ^ returns);
        if hits != 0 {
            return pos + (hits.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while pos < line.len() && ![quote, b'\\', 0, b'\n', b'\r'].contains(&line[pos]) {
        pos += 1;
    }
    pos
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Reads JSON lines into the projected columns.
pub(crate) fn read(
    text: &str,
    schema: &Schema,
    projection: &Projection,
    options: &JsonOptions,
) -> Result<(Vec<ArrayRef>, usize), ScanError> {
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| field.name().to_lowercase())
        .collect();
    let mut reader = LineReader::new(&names);
    let mut builders = projection.builders(text.len() / 64);
    let mut rows = 0;
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        // A line's leading blanks are trimmed.
        while bytes
            .get(start)
            .is_some_and(|&b| b <= b' ' && b != b'\n' && b != b'\r')
        {
            start += 1;
        }
        if start == bytes.len() {
            break;
        }
        if bytes[start] == b'{' {
            reader.row += 1;
            if let Some(end) = reader.parse_plain(text, start) {
                reader.append(text, projection, &mut builders, options)?;
                rows += 1;
                // org.json ignores whatever follows the object on its line.
                start = after_line_break(bytes, line_end(text, end));
                continue;
            }
        }
        let end = line_end(text, start);
        let line = text[start..end].trim_end_matches(|c: char| c <= ' ');
        start = after_line_break(bytes, end);
        if line.is_empty() {
            continue;
        }
        match reader.parse(line) {
            Ok(()) => reader.append(line, projection, &mut builders, options)?,
            Err(Malformed(_)) if options.ignore_malformed_json => {
                builders.iter_mut().for_each(ColumnBuilder::append_null);
            }
            Err(Malformed(message)) => {
                return Err(ScanError {
                    code: "HIVE_CURSOR_ERROR".into(),
                    message: format!("Row is not a valid JSON Object - JSONException: {message}"),
                });
            }
        }
        rows += 1;
    }
    Ok((projection.finish(&mut builders), rows))
}

/// Where the line holding `from` ends: at the next `\n` or `\r`, as Hadoop's line reader
/// splits text.
#[inline(always)]
fn line_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |offset| from + offset)
}

/// The start of the next line after a line ending at `end` (`\r\n` is one break).
#[inline(always)]
fn after_line_break(bytes: &[u8], end: usize) -> usize {
    match (bytes.get(end), bytes.get(end + 1)) {
        (Some(b'\r'), Some(b'\n')) => end + 2,
        _ => end + 1,
    }
}

struct LineReader<'n> {
    /// Table column names, lower-cased.
    names: &'n [String],
    slots: Vec<Slot>,
    /// Keys of this line that match no column, to find repeated ones.
    extra_keys: Vec<String>,
    /// The same for the plain-line pass, as byte ranges of the line.
    extra_ranges: Vec<(usize, usize)>,
    unescaped: String,
    /// Stamp of the current line in `slots`; 0 stamps no line.
    row: u64,
}

impl<'n> LineReader<'n> {
    fn new(names: &'n [String]) -> Self {
        let empty = Slot {
            row: 0,
            value: Value::Null,
        };
        LineReader {
            names,
            slots: vec![empty; names.len()],
            extra_keys: Vec::new(),
            extra_ranges: Vec::new(),
            unescaped: String::new(),
            row: 0,
        }
    }

    /// Parses one trimmed line into `slots` with the general tokener.
    fn parse(&mut self, line: &str) -> Result<(), Malformed> {
        // A fresh stamp, in case the plain pass filled slots before giving up on this line.
        self.row += 1;
        self.unescaped.clear();
        self.extra_keys.clear();
        let bytes = line.as_bytes();
        let (row, names, slots, extra_keys) =
            (self.row, self.names, &mut self.slots, &mut self.extra_keys);
        let mut tokener = Tokener {
            line: bytes,
            pos: 0,
            unescaped: &mut self.unescaped,
        };
        match bytes[0] {
            b'{' => {
                let mut hint = 0;
                tokener.object(0, |tokener, key, value| {
                    let key_text = text_of(key, line, tokener.unescaped);
                    let column = find_column(names, key_text, hint);
                    let Some(column) = column else {
                        let lower = key_text.to_lowercase();
                        if extra_keys.contains(&lower) {
                            return Err(Malformed(format!("Duplicate key \"{lower}\"")));
                        }
                        extra_keys.push(lower);
                        return Ok(());
                    };
                    hint = column + 1;
                    if slots[column].row == row {
                        return Err(Malformed(format!("Duplicate key \"{}\"", names[column])));
                    }
                    slots[column] = Slot { row, value };
                    Ok(())
                })
            }
            b'[' => tokener.array(0, |index, value| {
                if let Some(slot) = slots.get_mut(index) {
                    *slot = Slot { row, value };
                }
                Ok(())
            }),
            // The SerDe reads any other line as a row of NULLs.
            _ => Ok(()),
        }
    }

    /// The common line shape in one tight pass over the object at `text[start]` (a `{`):
    /// `{"key": value, …}` with plain string keys and values that are plain strings, numbers,
    /// `true`, `false` or `null`. Anything else (escapes, single quotes, nesting, bare words,
    /// `=>`, `;`, a trailing comma, a repeated key, a line break) returns `None` and the general
    /// tokener reads the line, so both agree on every line this accepts. Returns the position
    /// after the `}`; value ranges index `text`.
    fn parse_plain(&mut self, text: &str, start: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let skip_blanks = |pos: &mut usize| {
            while matches!(bytes.get(*pos), Some(b' ' | b'\t')) {
                *pos += 1;
            }
        };
        let mut pos = start + 1;
        skip_blanks(&mut pos);
        if bytes.get(pos) == Some(&b'}') {
            return Some(pos + 1);
        }
        self.extra_ranges.clear();
        let mut hint = 0;
        loop {
            if bytes.get(pos) != Some(&b'"') {
                return None;
            }
            let key_start = pos + 1;
            let key_end = special_in_string(bytes, key_start, b'"');
            if bytes.get(key_end) != Some(&b'"') {
                return None;
            }
            pos = key_end + 1;
            skip_blanks(&mut pos);
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            pos += 1;
            skip_blanks(&mut pos);
            let value = plain_value(bytes, &mut pos)?;
            skip_blanks(&mut pos);
            let key = &text[key_start..key_end];
            match find_column(self.names, key, hint) {
                Some(column) => {
                    if self.slots[column].row == self.row {
                        return None;
                    }
                    self.slots[column] = Slot {
                        row: self.row,
                        value,
                    };
                    hint = column + 1;
                }
                None => {
                    let repeated = self
                        .extra_ranges
                        .iter()
                        .any(|&(start, end)| text[start..end].eq_ignore_ascii_case(key));
                    if repeated || !key.is_ascii() {
                        return None;
                    }
                    self.extra_ranges.push((key_start, key_end));
                }
            }
            match bytes.get(pos) {
                Some(b',') => {
                    pos += 1;
                    skip_blanks(&mut pos);
                }
                Some(b'}') => return Some(pos + 1),
                _ => return None,
            }
        }
    }

    /// Appends the parsed line's projected values.
    fn append(
        &self,
        line: &str,
        projection: &Projection,
        builders: &mut [ColumnBuilder],
        options: &JsonOptions,
    ) -> Result<(), ScanError> {
        for (builder, &(column, kind)) in builders.iter_mut().zip(&projection.columns) {
            let slot = self.slots[column];
            let value = if slot.row == self.row {
                slot.value
            } else {
                Value::Null
            };
            let appended = match value {
                Value::Null => {
                    builder.append_null();
                    Ok(())
                }
                Value::Bool(flag) => builder.append_text(bool_text(flag), Rules::OpenXJson),
                Value::Quoted { .. } | Value::Bare { .. } => {
                    builder.append_text(text_of(value, line, &self.unescaped), Rules::OpenXJson)
                }
                Value::Nested { start, end } => append_nested(builder, kind, &line[start..end]),
            };
            if let Err(Invalid(message)) = appended {
                if !options.use_null_for_invalid_data {
                    let text = match value {
                        Value::Nested { start, end } => &line[start..end],
                        _ => text_of(value, line, &self.unescaped),
                    };
                    return Err(bad_data(text, column, &message));
                }
                builder.append_null();
            }
        }
        Ok(())
    }
}

fn bool_text(flag: bool) -> &'static str {
    if flag { "true" } else { "false" }
}

/// A plain string, number run, `true`, `false` or `null` at `*pos`, as the general tokener
/// would read it; `None` for anything else.
#[inline(always)]
fn plain_value(bytes: &[u8], pos: &mut usize) -> Option<Value> {
    let start = *pos;
    let literal = |word: &[u8], value: Value, pos: &mut usize| {
        bytes[start..].starts_with(word).then(|| {
            *pos += word.len();
            value
        })
    };
    match bytes.get(start)? {
        b'"' => {
            let end = special_in_string(bytes, start + 1, b'"');
            (bytes.get(end) == Some(&b'"')).then(|| {
                *pos = end + 1;
                Value::Quoted {
                    start: start + 1,
                    end,
                    escaped: false,
                }
            })
        }
        b't' => literal(b"true", Value::Bool(true), pos),
        b'f' => literal(b"false", Value::Bool(false), pos),
        b'n' => literal(b"null", Value::Null, pos),
        b'0'..=b'9' | b'-' => {
            let length = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
                .count();
            *pos = start + length;
            Some(Value::Bare { start, end: *pos })
        }
        _ => None,
    }
}

/// The text a key or scalar value stands for. Ranges start and end at ASCII bytes, so they
/// slice the line on character boundaries.
#[inline(always)]
fn text_of<'a>(value: Value, line: &'a str, unescaped: &'a str) -> &'a str {
    match value {
        Value::Null => "null",
        Value::Bool(flag) => bool_text(flag),
        Value::Quoted {
            start,
            end,
            escaped: true,
        } => &unescaped[start..end],
        Value::Quoted { start, end, .. }
        | Value::Bare { start, end }
        | Value::Nested { start, end } => &line[start..end],
    }
}

/// A column named `key`, ignoring case; keys usually come in column order, so `hint` (the
/// column after the last match) is tried first.
#[inline(always)]
fn find_column(names: &[String], key: &str, hint: usize) -> Option<usize> {
    // Keys are usually already lower case: try exact matches before folding case.
    let same = |name: &String| name == key;
    if names.get(hint).is_some_and(same) {
        return Some(hint);
    }
    let folded = |name: &String| {
        if key.is_ascii() {
            name.eq_ignore_ascii_case(key)
        } else {
            *name == key.to_lowercase()
        }
    };
    names
        .iter()
        .position(same)
        .or_else(|| names.iter().position(folded))
}

/// An object or array value: JSON text for a string column (without insignificant
/// whitespace), `false` for a boolean, and an error for numbers and times, as on Athena.
fn append_nested(builder: &mut ColumnBuilder, kind: Kind, raw: &str) -> Result<(), Invalid> {
    match kind {
        Kind::Varchar => builder.append_text(&minify(raw), Rules::OpenXJson),
        Kind::Boolean => builder.append_text("false", Rules::OpenXJson),
        _ => Err(Invalid(format!("For input string: \"{raw}\""))),
    }
}

fn minify(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut quote = None;
    let mut escaped = false;
    for c in raw.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c <= ' ' => {}
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// Writes one object per line as Hive's `JsonSerDe` does: every column, keys lower-cased in
/// column order, NULL as `null`, timestamps as Hive text, doubles as Java prints them.
pub(crate) fn write(schema: &Schema, batches: &[RecordBatch]) -> Vec<u8> {
    let keys: Vec<String> = schema
        .fields()
        .iter()
        .map(|field| {
            let mut key = String::new();
            push_json_string(&field.name().to_lowercase(), &mut key);
            key.push(':');
            key
        })
        .collect();
    let mut out = String::new();
    for batch in batches {
        for row in 0..batch.num_rows() {
            out.push('{');
            for (index, (key, column)) in keys.iter().zip(batch.columns()).enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(key);
                push_json_value(column.as_ref(), row, &mut out);
            }
            out.push_str("}\n");
        }
    }
    out.into_bytes()
}

fn push_json_value(column: &dyn Array, row: usize, out: &mut String) {
    use arrow::array::AsArray;
    use arrow::datatypes::{
        Date32Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
        TimestampMillisecondType,
    };
    if column.is_null(row) {
        out.push_str("null");
        return;
    }
    match column.data_type() {
        DataType::Boolean => out.push_str(bool_text(column.as_boolean().value(row))),
        DataType::Int8 => out.push_str(&column.as_primitive::<Int8Type>().value(row).to_string()),
        DataType::Int16 => out.push_str(&column.as_primitive::<Int16Type>().value(row).to_string()),
        DataType::Int32 => out.push_str(&column.as_primitive::<Int32Type>().value(row).to_string()),
        DataType::Int64 => out.push_str(&column.as_primitive::<Int64Type>().value(row).to_string()),
        DataType::Float32 => push_number(
            f64::from(column.as_primitive::<Float32Type>().value(row)),
            true,
            out,
        ),
        DataType::Float64 => {
            push_number(column.as_primitive::<Float64Type>().value(row), false, out)
        }
        DataType::Utf8 => push_json_string(column.as_string::<i32>().value(row), out),
        DataType::Date32 => {
            out.push('"');
            value::format_date(column.as_primitive::<Date32Type>().value(row).into(), out);
            out.push('"');
        }
        DataType::Timestamp(_, _) => {
            out.push('"');
            let millis = column.as_primitive::<TimestampMillisecondType>().value(row);
            value::format_hive_timestamp(millis, out);
            out.push('"');
        }
        other => unreachable!("write checks column types first, found {other}"),
    }
}

/// A number as Jackson writes a Java `double` (or `float`): `Double.toString`, with NaN and
/// the infinities quoted because JSON has no literal for them.
fn push_number(number: f64, float: bool, out: &mut String) {
    let mut text = String::new();
    if float {
        value::format_java_float(number as f32, &mut text);
    } else {
        value::format_java_double(number, &mut text);
    }
    if number.is_finite() {
        out.push_str(&text);
    } else {
        push_json_string(&text, out);
    }
}

/// A JSON string literal with the escapes JSON requires.
pub(crate) fn push_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Float64Array, StringArray, TimestampMillisecondArray};
    use arrow::datatypes::{Field, TimeUnit};
    use proptest::prelude::*;

    use super::*;
    use crate::formats::{FileFormat, read as read_format, render};
    use crate::table::ScanRequest;

    fn schema() -> Arc<Schema> {
        Arc::new(Schema::new(vec![
            Field::new(
                "timestamp",
                DataType::Timestamp(TimeUnit::Millisecond, None),
                true,
            ),
            Field::new("device_name", DataType::Utf8, true),
            Field::new("metric", DataType::Float64, true),
        ]))
    }

    fn check_with(options: JsonOptions, input: &str, expect: &str) {
        let format = FileFormat::Json(options);
        let request = ScanRequest::default();
        let actual = match read_format(input.as_bytes(), &format, &schema(), &request) {
            Ok(output) => render(&output.batches),
            Err(error) => format!("{}: {}", error.code, error.message),
        };
        assert_eq!(actual, expect.trim(), "\n{actual}");
    }

    fn check(input: &str, expect: &str) {
        check_with(JsonOptions::default(), input, expect);
    }

    #[test]
    fn keys_match_columns_ignoring_case_and_order() {
        check(
            r#"{"timestamp":"2022-06-12 00:00:01.000","device_name":"device-17","metric":42.5}
{"METRIC": 7, "Device_Name": "d\u00e9vice \"2\"", "extra": {"a": [1, 2]}}

{"device_name": null, "timestamp": 1655000000000}
"#,
            r#"
timestamp | device_name | metric
2022-06-12T00:00:01 | "device-17" | 42.5
NULL | "dévice \"2\"" | 7.0
2022-06-12T02:13:20 | NULL | NULL
"#,
        );
    }

    #[test]
    fn lenient_syntax_reads_as_org_json_does() {
        check(
            "{'device_name' => bare words ; metric: '1.5',}\n\
             [\"2022-06-12T00:00:00Z\", 3, \"4\"]\n\
             not json at all",
            r#"
timestamp | device_name | metric
NULL | "bare words" | 1.5
2022-06-12T00:00:00 | "3" | 4.0
NULL | NULL | NULL
"#,
        );
    }

    #[test]
    fn nested_values_read_as_json_text() {
        check(
            r#"{"device_name": { "a" : [1, "x y"] }, "metric": null}"#,
            r#"
timestamp | device_name | metric
NULL | "{\"a\":[1,\"x y\"]}" | NULL
"#,
        );
    }

    #[test]
    fn malformed_lines_fail_in_org_json_words() {
        let prefix = "HIVE_CURSOR_ERROR: Row is not a valid JSON Object - JSONException: ";
        let cases = [
            (
                r#"{"country":"Italy","languages" "Italian"}"#,
                "Expected a ':' after a key at 32 [character 33 line 1]",
            ),
            (
                "{\n  \"metric\": 1\n}",
                "A JSONObject text must end with '}' at 2 [character 3 line 1]",
            ),
            (r#"{"metric": 1, "METRIC": 2}"#, "Duplicate key \"metric\""),
            (r#"{"a": 1, "A": 2}"#, "Duplicate key \"a\""),
            (
                r#"{"device_name": "unterminated}"#,
                "Unterminated string at 31 [character 32 line 1]",
            ),
            (
                r#"{"metric": 1 "x": 2}"#,
                "Expected a ',' or '}' at 14 [character 15 line 1]",
            ),
            (
                r#"{"metric": }"#,
                "Missing value at 11 [character 12 line 1]",
            ),
            (
                r#"{"é": "\q"}"#,
                "Illegal escape. at 9 [character 10 line 1]",
            ),
        ];
        for (input, message) in cases {
            check(input, &format!("{prefix}{message}"));
        }
    }

    #[test]
    fn ignore_malformed_json_reads_the_row_as_nulls() {
        let options = JsonOptions {
            ignore_malformed_json: true,
            ..JsonOptions::default()
        };
        check_with(
            options,
            "{\"metric\": 1\n{\"metric\": 2}",
            r#"
timestamp | device_name | metric
NULL | NULL | NULL
NULL | NULL | 2.0
"#,
        );
    }

    #[test]
    fn values_of_the_wrong_type_are_bad_data() {
        check(
            r#"{"metric": "abc"}"#,
            r#"HIVE_BAD_DATA: Error parsing field value 'abc' for field 2: For input string: "abc""#,
        );
        check(
            r#"{"timestamp": "last tuesday"}"#,
            "HIVE_BAD_DATA: Error parsing field value 'last tuesday' for field 0: \
             Text 'last tuesday' could not be parsed",
        );
        check(
            r#"{"metric": [1]}"#,
            r#"HIVE_BAD_DATA: Error parsing field value '[1]' for field 2: For input string: "[1]""#,
        );
        let lenient = JsonOptions {
            use_null_for_invalid_data: true,
            ..JsonOptions::default()
        };
        check_with(
            lenient,
            r#"{"metric": "abc", "device_name": "x"}"#,
            r#"
timestamp | device_name | metric
NULL | "x" | NULL
"#,
        );
    }

    /// What each column holds after a parse: its kind and text.
    fn slots(reader: &LineReader, text: &str) -> Vec<Option<String>> {
        reader
            .slots
            .iter()
            .map(|slot| {
                (slot.row == reader.row).then(|| {
                    let kind = match slot.value {
                        Value::Null => "null",
                        Value::Bool(_) => "bool",
                        Value::Quoted { .. } => "quoted",
                        Value::Bare { .. } => "bare",
                        Value::Nested { .. } => "nested",
                    };
                    format!("{kind} {}", text_of(slot.value, text, &reader.unescaped))
                })
            })
            .collect()
    }

    fn plain_line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "\"timestamp\"",
            "\"metric\"",
            "\"METRIC\"",
            "\"x\"",
            "\"X\"",
            "\"é\"",
            "\"a\\\"b\"",
            "metric",
            "'metric'",
        ]);
        let value = prop::sample::select(vec![
            "\"2022-06-12 00:00:01\"",
            "42.5",
            "-1e3",
            "007",
            "true",
            "false",
            "null",
            "NULL",
            "tru",
            "\"a, b\"",
            "\"\"",
            "{}",
            "[1, 2]",
            "'q'",
            "1 2",
            "12abc",
            "-",
            "\"x\\ny\"",
        ]);
        let blank = prop::sample::select(vec!["", " ", "\t"]);
        let pair = (key, blank.clone(), blank.clone(), value)
            .prop_map(|(k, b1, b2, v)| format!("{k}{b1}:{b2}{v}"));
        let tail =
            prop::sample::select(vec!["}", "}", " }", ",}", "} trailing", "}\n{\"x\":1}", ""]);
        (
            prop::collection::vec(pair, 0..5),
            prop::sample::select(vec![",", ", ", ";", " , "]),
            tail,
        )
            .prop_map(|(pairs, comma, tail)| format!("{{{}{tail}", pairs.join(comma)))
    }

    proptest::proptest! {
        /// The plain pass is an optimisation: on every line it accepts, the general tokener
        /// must read the same values.
        #[test]
        fn plain_and_general_passes_agree(line in plain_line()) {
            let names = vec!["timestamp".to_string(), "device_name".into(), "metric".into()];
            let mut reader = LineReader::new(&names);
            reader.row += 1;
            if reader.parse_plain(&line, 0).is_some() {
                let plain = slots(&reader, &line);
                let first_line = line.lines().next().unwrap_or_default().trim();
                proptest::prop_assert!(reader.parse(first_line).is_ok(), "{}", line);
                proptest::prop_assert_eq!(plain, slots(&reader, first_line), "{}", line);
            }
        }
    }

    #[test]
    fn writes_hive_json_lines() {
        let batch = RecordBatch::try_new(
            schema(),
            vec![
                Arc::new(TimestampMillisecondArray::from(vec![
                    Some(1_655_000_001_000),
                    None,
                ])),
                Arc::new(StringArray::from(vec![Some("a \"quoted\"\nline"), None])),
                Arc::new(Float64Array::from(vec![Some(100.0), Some(1e10)])),
            ],
        )
        .unwrap();
        let text = String::from_utf8(write(&schema(), &[batch])).unwrap();
        assert_eq!(
            text,
            r#"{"timestamp":"2022-06-12 02:13:21","device_name":"a \"quoted\"\nline","metric":100.0}
{"timestamp":null,"device_name":null,"metric":1.0E10}
"#
        );
    }
}
