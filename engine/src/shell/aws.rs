//! `aws …`: the AWS CLI v2 front end. Splits global options from `<service> <operation>
//! --parameters`, checks parameters as the CLI's argument parser does, calls the operation and
//! prints its response as the CLI does (JSON, 4-space indent). Errors use the CLI's exact shapes:
//! usage errors end in `aws: error: …`, API errors read
//! `An error occurred (Code) when calling the Operation operation: message`.

use serde_json::{Value, json};

use super::args::{ArgCursor, split_flag};
use super::{CommandError, Ctx, Reply};

/// The account every learner's world lives in (the account ID AWS's own documentation uses).
pub const ACCOUNT_ID: &str = "123456789012";

const USAGE: &str = "usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\n\
To see help text, you can run:\n\
\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n";

/// An error returned by a service, as the CLI prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// One parameter of an operation: `--bucket` and whether it must be given.
struct Param {
    flag: &'static str,
    required: bool,
}

struct Operation {
    service: &'static str,
    /// The CLI's name, `get-caller-identity`.
    name: &'static str,
    /// The API's name, `GetCallerIdentity`, as error messages spell it.
    api_name: &'static str,
    params: &'static [Param],
    call: fn(&mut Ctx, &OperationArgs) -> Result<Value, CallError>,
}

/// Why a call failed: the SDK's client-side parameter validation, or the service itself.
pub enum CallError {
    Validation(String),
    #[allow(
        dead_code,
        reason = "the S3, IAM and Lambda issues return service errors"
    )]
    Api(ApiError),
}

/// Parameter values by flag name, after the CLI's checks.
pub struct OperationArgs {
    values: Vec<(String, String)>,
}

impl OperationArgs {
    /// The value of a parameter the operation declared as required.
    fn required(&self, flag: &str) -> &str {
        self.values
            .iter()
            .find(|(name, _)| name == flag)
            .map(|(_, value)| value.as_str())
            .expect("parse_params checks required parameters")
    }
}

const OPERATIONS: &[Operation] = &[
    Operation {
        service: "sts",
        name: "get-access-key-info",
        api_name: "GetAccessKeyInfo",
        params: &[Param {
            flag: "--access-key-id",
            required: true,
        }],
        call: sts_get_access_key_info,
    },
    Operation {
        service: "sts",
        name: "get-caller-identity",
        api_name: "GetCallerIdentity",
        params: &[],
        call: sts_get_caller_identity,
    },
];

/// Global options: name and whether it takes a value.
const GLOBAL_OPTIONS: &[(&str, bool)] = &[
    ("--region", true),
    ("--profile", true),
    ("--output", true),
    ("--no-cli-pager", false),
    ("--no-paginate", false),
    ("--cli-binary-format", true),
];
const OUTPUT_CHOICES: &[&str] = &["json", "text", "table", "yaml", "yaml-stream"];

fn services() -> Vec<&'static str> {
    let mut names: Vec<&str> = OPERATIONS.iter().map(|op| op.service).collect();
    names.dedup();
    names
}

pub fn help_text() -> String {
    let mut text = String::from(USAGE);
    text.push_str("\nServices simulated here (the real CLI has many more):\n");
    for service in services() {
        let ops: Vec<&str> = OPERATIONS
            .iter()
            .filter(|op| op.service == service)
            .map(|op| op.name)
            .collect();
        text.push_str(&format!("  {service:<8} {}\n", ops.join(", ")));
    }
    text
}

fn usage_error(message: &str) -> CommandError {
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

struct Parsed<'a> {
    service: Option<&'a str>,
    operation: Option<&'a str>,
    output: String,
    rest: Vec<&'a str>,
}

/// Separates global options (allowed anywhere, as in the CLI) from the command words.
fn parse_globals(args: &[String]) -> Result<Parsed<'_>, CommandError> {
    let mut parsed = Parsed {
        service: None,
        operation: None,
        output: "json".into(),
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
            if name == "--output" {
                if !OUTPUT_CHOICES.contains(&value) {
                    return Err(invalid_choice("--output", OUTPUT_CHOICES));
                }
                parsed.output = value.to_string();
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

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
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
    let ops: Vec<&Operation> = OPERATIONS
        .iter()
        .filter(|op| op.service == service)
        .collect();
    let Some(name) = parsed.operation else {
        return Err(usage_error(
            "the following arguments are required: operation",
        ));
    };
    if name == "help" {
        let names: Vec<&str> = ops.iter().map(|op| op.name).collect();
        return Ok(Reply::text(format!(
            "{service} operations simulated here:\n  {}\n",
            names.join("\n  ")
        )));
    }
    let Some(operation) = ops.iter().find(|op| op.name == name) else {
        let names: Vec<&str> = ops.iter().map(|op| op.name).collect();
        return Err(invalid_choice("operation", &names));
    };
    let op_args = parse_params(operation, &parsed.rest)?;
    let response = (operation.call)(ctx, &op_args).map_err(|err| match err {
        CallError::Validation(message) => {
            CommandError::Rendered(format!("\nParameter validation failed:\n{message}\n"))
        }
        CallError::Api(err) => CommandError::Rendered(format!(
            "\nAn error occurred ({}) when calling the {} operation: {}\n",
            err.code, operation.api_name, err.message
        )),
    })?;
    Ok(Reply::text(render(&response, &parsed.output)))
}

/// Matches `--flag value` pairs against the operation's parameters, like the CLI's parser:
/// unknown flags are listed together; missing required ones are named together.
fn parse_params(operation: &Operation, rest: &[&str]) -> Result<OperationArgs, CommandError> {
    let mut values = Vec::new();
    let mut unknown = Vec::new();
    let mut cursor = ArgCursor::new(rest);
    while let Some(word) = cursor.next_word() {
        let (flag, inline) = split_flag(word);
        if !operation.params.iter().any(|param| param.flag == flag) {
            unknown.push(word);
            continue;
        }
        let value = cursor
            .value(inline)
            .ok_or_else(|| expected_one_argument(flag))?;
        values.push((flag.to_string(), value.to_string()));
    }
    if !unknown.is_empty() {
        return Err(CommandError::Rendered(format!(
            "\n{USAGE}\nUnknown options: {}\n",
            unknown.join(",")
        )));
    }
    let missing: Vec<&str> = operation
        .params
        .iter()
        .filter(|param| param.required && !values.iter().any(|(flag, _)| flag == param.flag))
        .map(|param| param.flag)
        .collect();
    if !missing.is_empty() {
        return Err(usage_error(&format!(
            "the following arguments are required: {}",
            missing.join(", ")
        )));
    }
    Ok(OperationArgs { values })
}

/// The CLI's JSON output: 4-space indent, keys in the response's order. Other output formats
/// print JSON too, with a note, until they are simulated.
fn render(response: &Value, output: &str) -> String {
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

/// STS's GetAccessKeyInfo: which account an access key belongs to. Every key in the playground
/// belongs to the learner's account. The length rule is the API model's (16 to 128).
fn sts_get_access_key_info(_ctx: &mut Ctx, args: &OperationArgs) -> Result<Value, CallError> {
    let key = args.required("--access-key-id");
    let length = key.chars().count();
    if length < 16 {
        return Err(CallError::Validation(format!(
            "Invalid length for parameter AccessKeyId, value: {length}, valid min length: 16"
        )));
    }
    if length > 128 {
        return Err(CallError::Validation(format!(
            "Invalid length for parameter AccessKeyId, value: {length}, valid max length: 128"
        )));
    }
    Ok(json!({ "Account": ACCOUNT_ID }))
}

fn sts_get_caller_identity(_ctx: &mut Ctx, _args: &OperationArgs) -> Result<Value, CallError> {
    Ok(json!({
        "UserId": "AIDAPLAYGROUNDLEARNER",
        "Account": ACCOUNT_ID,
        "Arn": format!("arn:aws:iam::{ACCOUNT_ID}:user/learner"),
    }))
}
