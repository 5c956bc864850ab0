//! `aws …`: the AWS CLI v2 front end. Splits global options from `<service> <operation>
//! --parameters`, checks parameters as the CLI's argument parser and botocore's validator do,
//! calls the operation and prints its response as the CLI does (JSON, 4-space indent). Errors
//! use the CLI's exact shapes: usage errors end in `aws: error: …`, API errors read
//! `An error occurred (Code) when calling the Operation operation: message`.
//! `aws s3 …` (the high-level file commands) lives in `s3.rs`; operations in `s3api.rs`, `sts.rs`.

mod athena;
mod events;
mod iam;
mod lambda;
mod logs;
mod s3;
mod s3api;
mod scheduler;
mod shapes;
mod sqs;
mod sts;

use serde_json::Value;

use super::args::{ArgCursor, split_flag};
use super::{CommandError, Ctx, HostFiles, Reply};
use crate::services::s3::S3Error;
use crate::services::{NOT_SIMULATED, ServiceError};
use shapes::Shape;

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n\
To see help text, you can run:\n\
\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

/// The region commands run in unless `--region` says otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

/// An error returned by a service, as the CLI prints it, plus our hint for learners.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
}

/// Why a call failed: the SDK's client-side parameter validation, the service itself, or a
/// feature the playground does not simulate.
pub enum CallError {
    Validation(String),
    /// The CLI's own complaint about an argument, printed as it is (`Invalid base64: "…"`).
    Client(String),
    Api(ApiError),
    NotSimulated(String),
}

impl CallError {
    /// A service's error in AWS's words: its code and message, and our hint if any.
    pub fn api(code: impl Into<String>, message: impl Into<String>, hint: Option<String>) -> Self {
        CallError::Api(ApiError {
            code: code.into(),
            message: message.into(),
            hint,
        })
    }
}

impl From<S3Error> for CallError {
    fn from(err: S3Error) -> Self {
        match err {
            S3Error::NotSimulated { .. } => CallError::NotSimulated(err.message()),
            _ => CallError::api(err.code(), err.message(), err.hint()),
        }
    }
}

impl From<ServiceError> for CallError {
    fn from(err: ServiceError) -> Self {
        if err.code == NOT_SIMULATED {
            CallError::NotSimulated(err.message)
        } else {
            CallError::api(err.code, err.message, err.hint)
        }
    }
}

/// How a parameter's value is given on the command line.
pub enum ParamKind {
    /// One word; `file://path` reads the file, as the CLI does for every parameter.
    String,
    /// One or more words up to the next `--flag` (`--action-names s3:GetObject s3:PutObject`).
    Strings,
    Integer,
    /// JSON, `file://`, or shorthand, checked against a shape; the name is the API member's.
    Structure(&'static str, &'static Shape),
    /// A local file path whose bytes are the value (`--body`).
    Blob,
    /// A flag without a value: `--enabled` is true, `--no-enabled` false.
    Boolean,
}

pub struct Param {
    pub flag: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

pub const fn param(flag: &'static str, kind: ParamKind) -> Param {
    Param {
        flag,
        kind,
        required: false,
    }
}

pub const fn required(flag: &'static str, kind: ParamKind) -> Param {
    Param {
        flag,
        kind,
        required: true,
    }
}

pub struct Operation {
    pub service: &'static str,
    /// The CLI's name, `get-caller-identity`.
    pub name: &'static str,
    /// The API's name, `GetCallerIdentity`, as error messages spell it.
    pub api_name: &'static str,
    pub params: &'static [Param],
    /// The name of a required positional argument (get-object's `outfile`).
    pub positional: Option<&'static str>,
    pub call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
}

impl Operation {
    /// An operation without a positional argument.
    pub const fn new(
        service: &'static str,
        name: &'static str,
        api_name: &'static str,
        params: &'static [Param],
        call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
    ) -> Operation {
        Operation {
            service,
            name,
            api_name,
            params,
            positional: None,
            call,
        }
    }
}

/// An operation's checked arguments.
pub struct Args {
    values: Vec<(&'static str, ArgValue)>,
    positional: Option<String>,
    pub region: String,
    /// `--cli-binary-format raw-in-base64-out`: blob parameters are raw text, not base64.
    pub raw_blobs: bool,
}

enum ArgValue {
    Text(String),
    List(Vec<String>),
    Integer(i64),
    Json(Value),
    Bytes(Vec<u8>),
    Bool(bool),
}

impl Args {
    fn get(&self, flag: &str) -> Option<&ArgValue> {
        self.values
            .iter()
            .find(|(name, _)| *name == flag)
            .map(|(_, value)| value)
    }

    pub fn text(&self, flag: &str) -> Option<&str> {
        match self.get(flag) {
            Some(ArgValue::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// A parameter the operation declared as required.
    pub fn required_text(&self, flag: &str) -> &str {
        self.text(flag)
            .expect("parse_params checks required parameters")
    }

    /// A list parameter's words (empty when it was not given).
    pub fn strings(&self, flag: &str) -> &[String] {
        match self.get(flag) {
            Some(ArgValue::List(words)) => words,
            _ => &[],
        }
    }

    pub fn integer(&self, flag: &str) -> Option<i64> {
        match self.get(flag) {
            Some(ArgValue::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn json(&self, flag: &str) -> Option<&Value> {
        match self.get(flag) {
            Some(ArgValue::Json(value)) => Some(value),
            _ => None,
        }
    }

    /// A `--flag` / `--no-flag` pair's value, if either was given.
    pub fn boolean(&self, flag: &str) -> Option<bool> {
        match self.get(flag) {
            Some(ArgValue::Bool(value)) => Some(*value),
            _ => None,
        }
    }

    pub fn bytes(&self, flag: &str) -> Option<&[u8]> {
        match self.get(flag) {
            Some(ArgValue::Bytes(bytes)) => Some(bytes),
            _ => None,
        }
    }

    pub fn positional(&self) -> &str {
        self.positional
            .as_deref()
            .expect("parse_params checks the positional argument")
    }
}

fn operations() -> impl Iterator<Item = &'static Operation> {
    sts::OPERATIONS
        .iter()
        .chain(s3api::OPERATIONS)
        .chain(athena::OPERATIONS)
        .chain(events::OPERATIONS)
        .chain(sqs::OPERATIONS)
        .chain(lambda::OPERATIONS)
        .chain(logs::OPERATIONS)
        .chain(iam::OPERATIONS)
        .chain(scheduler::OPERATIONS)
}

/// Global options: name and whether it takes a value.
const GLOBAL_OPTIONS: &[(&str, bool)] = &[
    ("--region", true),
    ("--profile", true),
    ("--output", true),
    ("--no-cli-pager", false),
    ("--no-paginate", false),
    ("--cli-binary-format", true),
];
const BINARY_FORMATS: &[&str] = &["base64", "raw-in-base64-out"];
const OUTPUT_CHOICES: &[&str] = &["json", "text", "table", "yaml", "yaml-stream"];

/// Services in the CLI's command list: every one with operations, plus `s3`.
fn services() -> Vec<&'static str> {
    let mut names: Vec<&str> = operations().map(|op| op.service).chain(["s3"]).collect();
    names.sort();
    names.dedup();
    names
}

pub fn help_text() -> String {
    let mut text = String::from(USAGE);
    text.push_str("\nServices simulated here (the real CLI has many more):\n");
    text.push_str(&format!("  {:<8} {}\n", "s3", s3::COMMANDS.join(", ")));
    for service in services().into_iter().filter(|s| *s != "s3") {
        let ops: Vec<&str> = operations()
            .filter(|op| op.service == service)
            .map(|op| op.name)
            .collect();
        text.push_str(&format!("  {service:<8} {}\n", ops.join(", ")));
    }
    text
}

pub fn usage_error(message: &str) -> CommandError {
    CommandError::Rendered(format!("\n{USAGE}\naws: error: {message}\n"))
}

fn expected_one_argument(flag: &str) -> CommandError {
    usage_error(&format!("argument {flag}: expected one argument"))
}

fn invalid_choice(argument: &str, choices: &[&str]) -> CommandError {
    usage_error(&format!(
        "argument {argument}: Invalid choice, valid choices are:\n\n{}",
        choice_table(choices)
    ))
}

/// argparse's two-column `a | b` table of choices.
fn choice_table(choices: &[&str]) -> String {
    choices
        .chunks(2)
        .map(|pair| match pair {
            [left, right] => format!("{left:<40} | {right}"),
            [left] => left.to_string(),
            _ => unreachable!("chunks(2)"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn unknown_options(unknown: &[&str]) -> CommandError {
    CommandError::Rendered(format!(
        "\n{USAGE}\nUnknown options: {}\n",
        unknown.join(",")
    ))
}

struct Parsed<'a> {
    service: Option<&'a str>,
    operation: Option<&'a str>,
    output: String,
    region: String,
    raw_blobs: bool,
    rest: Vec<&'a str>,
}

/// Separates global options (allowed anywhere, as in the CLI) from the command words.
fn parse_globals(args: &[String]) -> Result<Parsed<'_>, CommandError> {
    let mut parsed = Parsed {
        service: None,
        operation: None,
        output: "json".into(),
        region: DEFAULT_REGION.into(),
        raw_blobs: false,
        rest: Vec::new(),
    };
    let mut cursor = ArgCursor::new(args);
    while let Some(word) = cursor.next_word() {
        let (name, inline) = split_flag(word);
        if let Some(&(_, takes_value)) = GLOBAL_OPTIONS.iter().find(|(option, _)| *option == name) {
            if !takes_value {
                continue;
            }
            let value = cursor
                .value(inline)
                .ok_or_else(|| expected_one_argument(name))?;
            match name {
                "--output" if !OUTPUT_CHOICES.contains(&value) => {
                    return Err(invalid_choice("--output", OUTPUT_CHOICES));
                }
                "--output" => parsed.output = value.to_string(),
                "--cli-binary-format" if !BINARY_FORMATS.contains(&value) => {
                    return Err(invalid_choice("--cli-binary-format", BINARY_FORMATS));
                }
                "--cli-binary-format" => parsed.raw_blobs = value == "raw-in-base64-out",
                "--region" => parsed.region = value.to_string(),
                _ => {}
            }
            continue;
        }
        if parsed.service.is_none() && !word.starts_with('-') {
            parsed.service = Some(word);
        } else if parsed.operation.is_none() && parsed.service.is_some() && !word.starts_with('-') {
            parsed.operation = Some(word);
        } else {
            parsed.rest.push(word);
        }
    }
    Ok(parsed)
}

pub fn run(ctx: &mut Ctx, args: &[String], stdin: Option<String>) -> Result<Reply, CommandError> {
    let parsed = parse_globals(args)?;
    let Some(service) = parsed.service else {
        return Err(usage_error("the following arguments are required: command"));
    };
    if service == "help" {
        return Ok(Reply::text(help_text()));
    }
    let known = services();
    if !known.contains(&service) {
        return Err(invalid_choice("command", &known));
    }
    if service == "s3" {
        return s3::run(ctx, parsed.operation, &parsed.rest, &parsed.region, stdin);
    }
    if service == "logs" && parsed.operation == Some("tail") {
        return logs::tail(ctx, &parsed.rest);
    }
    let names: Vec<&str> = operations()
        .filter(|op| op.service == service)
        .map(|op| op.name)
        .collect();
    let Some(name) = parsed.operation else {
        return Err(usage_error(
            "the following arguments are required: operation",
        ));
    };
    if name == "help" {
        return Ok(Reply::text(format!(
            "{service} operations simulated here:\n  {}\n",
            names.join("\n  ")
        )));
    }
    let Some(operation) = operations().find(|op| op.service == service && op.name == name) else {
        return Err(invalid_choice("operation", &names));
    };
    let mut op_args = parse_params(operation, &parsed.rest, parsed.region, ctx.files)?;
    op_args.raw_blobs = parsed.raw_blobs;
    let response =
        (operation.call)(ctx, &op_args).map_err(|err| render_error(err, operation.api_name))?;
    Ok(Reply::text(render(&response, &parsed.output)))
}

/// AWS CLI v2's standard retry mode makes up to this many attempts of a throttled call. In the
/// playground they all happen at the same instant, so they meet the same limit.
const CLI_ATTEMPTS_MAX: u32 = 3;
/// Error codes the standard retry mode treats as throttling.
const THROTTLING_CODES: &[&str] = &["ThrottlingException", "TooManyRequestsException"];

/// The CLI's text for a failed call.
pub fn render_error(err: CallError, api_name: &str) -> CommandError {
    CommandError::Rendered(match err {
        CallError::Validation(message) => format!("\nParameter validation failed:\n{message}\n"),
        CallError::Client(message) => format!("\n{message}\n"),
        CallError::Api(err) => {
            let hint = err
                .hint
                .map(|hint| format!("hint: {hint}\n"))
                .unwrap_or_default();
            // The CLI retries throttling errors (standard retry mode) before it gives up.
            let retries = if THROTTLING_CODES.contains(&err.code.as_str()) {
                format!(" (reached max retries: {})", CLI_ATTEMPTS_MAX - 1)
            } else {
                String::new()
            };
            format!(
                "\nAn error occurred ({}) when calling the {api_name} operation{retries}: {}\n{hint}",
                err.code, err.message
            )
        }
        CallError::NotSimulated(message) => format!("playground: {message}\n"),
    })
}

/// Matches `--flag value` pairs against the operation's parameters, like the CLI's parser:
/// unknown flags are listed together; missing required ones are named together; structured
/// values are parsed and validated with botocore's messages.
fn parse_params(
    operation: &Operation,
    rest: &[&str],
    region: String,
    files: &dyn HostFiles,
) -> Result<Args, CommandError> {
    let mut args = Args {
        values: Vec::new(),
        positional: None,
        region,
        raw_blobs: false,
    };
    let mut unknown = Vec::new();
    let mut cursor = ArgCursor::new(rest);
    while let Some(word) = cursor.next_word() {
        let (flag, inline) = split_flag(word);
        if !flag.starts_with("--") && operation.positional.is_some() && args.positional.is_none() {
            args.positional = Some(word.to_string());
            continue;
        }
        if let Some(param) = flag.strip_prefix("--no-").and_then(|name| {
            operation
                .params
                .iter()
                .find(|p| matches!(p.kind, ParamKind::Boolean) && &p.flag[2..] == name)
        }) {
            args.values.push((param.flag, ArgValue::Bool(false)));
            continue;
        }
        let Some(param) = operation.params.iter().find(|p| p.flag == flag) else {
            unknown.push(word);
            continue;
        };
        if let ParamKind::Boolean = param.kind {
            args.values.push((param.flag, ArgValue::Bool(true)));
            continue;
        }
        // A list of structures takes several shorthand values, one per word (`--entries
        // Id=1,MessageBody=a Id=2,MessageBody=b`), as the CLI's list arguments do.
        if let ParamKind::Structure(api_name, list @ Shape::List(_)) = &param.kind {
            let mut words: Vec<&str> = inline.into_iter().collect();
            while let Some(next) = cursor.peek().filter(|w| !w.starts_with("--")) {
                words.push(next);
                cursor.next_word();
            }
            if words.is_empty() {
                return Err(expected_one_argument(flag));
            }
            let value = list_value(param.flag, api_name, list, &words, files)?;
            args.values.push((param.flag, ArgValue::Json(value)));
            continue;
        }
        if let ParamKind::Strings = param.kind {
            let mut words: Vec<String> = inline.map(str::to_string).into_iter().collect();
            while let Some(next) = cursor.peek().filter(|w| !w.starts_with("--")) {
                words.push(next.to_string());
                cursor.next_word();
            }
            if words.is_empty() {
                return Err(usage_error(&format!(
                    "argument {flag}: expected at least one argument"
                )));
            }
            args.values.push((param.flag, ArgValue::List(words)));
            continue;
        }
        let text = cursor
            .value(inline)
            .ok_or_else(|| expected_one_argument(flag))?;
        let mut value = convert(param, text, files)?;
        // A list parameter takes more words, one item each (`--targets Id=a,Arn=… Id=b,Arn=…`).
        if let (ParamKind::Structure(_, Shape::List(_)), ArgValue::Json(Value::Array(items))) =
            (&param.kind, &mut value)
        {
            while let Some(next) = cursor.peek().filter(|w| !w.starts_with("--")) {
                cursor.next_word();
                if let ArgValue::Json(Value::Array(more)) = convert(param, next, files)? {
                    items.extend(more);
                }
            }
        }
        args.values.push((param.flag, value));
    }
    if !unknown.is_empty() {
        return Err(unknown_options(&unknown));
    }
    let mut missing: Vec<&str> = operation
        .params
        .iter()
        .filter(|param| param.required && args.get(param.flag).is_none())
        .map(|param| param.flag)
        .collect();
    if let (Some(name), None) = (operation.positional, &args.positional) {
        missing.push(name);
    }
    if !missing.is_empty() {
        return Err(usage_error(&format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )));
    }
    Ok(args)
}

/// The items of every word, concatenated, then checked against the list's shape.
fn list_value(
    flag: &str,
    api_name: &str,
    list: &Shape,
    words: &[&str],
    files: &dyn HostFiles,
) -> Result<Value, CommandError> {
    let mut items = Vec::new();
    for word in words {
        match shapes::read_value(flag, word, list, files)
            .map_err(|err| CommandError::Rendered(format!("\n{err}\n")))?
        {
            Value::Array(more) => items.extend(more),
            other => items.push(other),
        }
    }
    let value = Value::Array(items);
    let errors = shapes::validate(api_name, &value, list);
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(CommandError::Rendered(format!(
            "\nParameter validation failed:\n{}\n",
            errors.join("\n")
        )))
    }
}

fn convert(param: &Param, text: &str, files: &dyn HostFiles) -> Result<ArgValue, CommandError> {
    match &param.kind {
        ParamKind::String => match text.strip_prefix("file://") {
            Some(path) => files
                .read(path)
                .map(|bytes| ArgValue::Text(String::from_utf8_lossy(&bytes).into_owned()))
                .map_err(|err| {
                    CommandError::Rendered(format!(
                        "\nError parsing parameter '{}': Unable to load paramfile {text}: [Errno 2] {err}\n",
                        param.flag
                    ))
                }),
            None => Ok(ArgValue::Text(text.to_string())),
        },
        ParamKind::Strings | ParamKind::Boolean => {
            unreachable!("parse_params handles list and boolean parameters")
        }
        ParamKind::Integer => text.parse().map(ArgValue::Integer).map_err(|_| {
            usage_error(&format!(
                "argument {}: invalid int value: '{text}'",
                param.flag
            ))
        }),
        ParamKind::Structure(api_name, shape) => {
            let value = shapes::read_value(param.flag, text, shape, files)
                .map_err(|err| CommandError::Rendered(format!("\n{err}\n")))?;
            let errors = shapes::validate(api_name, &value, shape);
            if errors.is_empty() {
                Ok(ArgValue::Json(value))
            } else {
                Err(CommandError::Rendered(format!(
                    "\nParameter validation failed:\n{}\n",
                    errors.join("\n")
                )))
            }
        }
        ParamKind::Blob => {
            let bytes = files.read(text).map_err(|err| {
                CommandError::Rendered(format!("\nError parsing parameter '{}': Unable to load paramfile ({err}), text contents could not be decoded.\n", param.flag))
            })?;
            Ok(ArgValue::Bytes(bytes))
        }
    }
}

/// The CLI's JSON output: 4-space indent, keys in the response's order. Other output formats
/// print JSON too, with a note, until they are simulated. Empty responses print nothing.
fn render(response: &Value, output: &str) -> String {
    if response.as_object().is_some_and(|object| object.is_empty()) {
        return String::new();
    }
    let mut text = to_json_4(response);
    text.push('\n');
    if output != "json" {
        text.push_str(&format!(
            "note: --output {output} is not simulated yet; the playground printed JSON\n"
        ));
    }
    text
}

pub fn to_json_4(value: &Value) -> String {
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    serde::Serialize::serialize(value, &mut serializer).expect("JSON values serialise");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}
