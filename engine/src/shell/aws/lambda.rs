//! `aws lambda …`: functions made from the built-in handlers, invoked synchronously (the CLI
//! waits, so the clock moves by the invocation's duration) or asynchronously.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};

use super::s3api::cli_time;
use super::shapes::{Shape, member};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::lambda::esm::{self, EventSourceMapping, MappingConfig};
use crate::services::lambda::handlers::Builtin;
use crate::services::lambda::{self, Function, FunctionConfig, Outcome, Permission, Trigger};
use crate::services::{ACCOUNT_ID, ServiceError};
use crate::shell::Ctx;
use crate::sim::{Millis, format_iso};

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("lambda", name, api_name, params, call)
}

const NAME: super::Param = required("--function-name", ParamKind::String);
static ENVIRONMENT: Shape = Shape::Structure(&[member("Variables", &Shape::StringMap)]);

const UUID: super::Param = required("--uuid", ParamKind::String);

/// The mapping parameters CreateEventSourceMapping and UpdateEventSourceMapping share.
macro_rules! mapping_params {
    ($($first:expr),*) => {
        &[
            $($first,)*
            param("--batch-size", ParamKind::Integer),
            param("--maximum-batching-window-in-seconds", ParamKind::Integer),
            param("--function-response-types", ParamKind::Strings),
            param("--enabled", ParamKind::Boolean),
        ]
    };
}

/// The configuration parameters CreateFunction and UpdateFunctionConfiguration share.
macro_rules! config_params {
    ($($extra:expr),*) => {
        &[
            NAME,
            param("--runtime", ParamKind::String),
            param("--handler", ParamKind::String),
            param("--description", ParamKind::String),
            param("--timeout", ParamKind::Integer),
            param("--memory-size", ParamKind::Integer),
            param("--environment", ParamKind::Structure("Environment", &ENVIRONMENT)),
            $($extra),*
        ]
    };
}

pub static OPERATIONS: &[Operation] = &[
    op(
        "add-permission",
        "AddPermission",
        &[
            NAME,
            required("--statement-id", ParamKind::String),
            required("--action", ParamKind::String),
            required("--principal", ParamKind::String),
            param("--source-arn", ParamKind::String),
            param("--source-account", ParamKind::String),
        ],
        add_permission,
    ),
    op(
        "create-event-source-mapping",
        "CreateEventSourceMapping",
        mapping_params!(NAME, param("--event-source-arn", ParamKind::String)),
        create_event_source_mapping,
    ),
    op(
        "create-function",
        "CreateFunction",
        config_params!(
            required("--role", ParamKind::String),
            param("--zip-file", ParamKind::String)
        ),
        create_function,
    ),
    op(
        "delete-event-source-mapping",
        "DeleteEventSourceMapping",
        &[UUID],
        delete_event_source_mapping,
    ),
    op(
        "delete-function",
        "DeleteFunction",
        &[NAME],
        delete_function,
    ),
    op(
        "delete-function-concurrency",
        "DeleteFunctionConcurrency",
        &[NAME],
        delete_function_concurrency,
    ),
    op(
        "get-account-settings",
        "GetAccountSettings",
        &[],
        get_account_settings,
    ),
    op(
        "get-event-source-mapping",
        "GetEventSourceMapping",
        &[UUID],
        get_event_source_mapping,
    ),
    op("get-function", "GetFunction", &[NAME], get_function),
    op(
        "get-function-concurrency",
        "GetFunctionConcurrency",
        &[NAME],
        get_function_concurrency,
    ),
    op(
        "get-function-configuration",
        "GetFunctionConfiguration",
        &[NAME],
        get_function_configuration,
    ),
    op("get-policy", "GetPolicy", &[NAME], get_policy),
    Operation {
        service: "lambda",
        name: "invoke",
        api_name: "Invoke",
        params: &[
            NAME,
            param("--payload", ParamKind::String),
            param("--invocation-type", ParamKind::String),
            param("--log-type", ParamKind::String),
        ],
        positional: Some("outfile"),
        call: invoke,
    },
    op(
        "list-event-source-mappings",
        "ListEventSourceMappings",
        &[
            param("--function-name", ParamKind::String),
            param("--event-source-arn", ParamKind::String),
        ],
        list_event_source_mappings,
    ),
    op("list-functions", "ListFunctions", &[], list_functions),
    op(
        "put-function-concurrency",
        "PutFunctionConcurrency",
        &[
            NAME,
            required("--reserved-concurrent-executions", ParamKind::Integer),
        ],
        put_function_concurrency,
    ),
    op(
        "update-event-source-mapping",
        "UpdateEventSourceMapping",
        mapping_params!(UUID, param("--function-name", ParamKind::String)),
        update_event_source_mapping,
    ),
    op(
        "update-function-configuration",
        "UpdateFunctionConfiguration",
        config_params!(param("--role", ParamKind::String)),
        update_function_configuration,
    ),
];

/// The configuration as CreateFunction, GetFunction and ListFunctions return it.
pub fn configuration(function: &Function) -> Value {
    let mut out = json!({
        "FunctionName": function.name,
        "FunctionArn": function.arn(),
        "Runtime": function.runtime,
        "Role": function.role,
        "Handler": function.handler,
        "CodeSize": function.code.code_size(),
        "Description": function.description,
        "Timeout": function.timeout_s,
        "MemorySize": function.memory_mb,
        "LastModified": last_modified(function.last_modified_ms),
        "CodeSha256": function.code.code_sha256(),
        "Version": "$LATEST",
    });
    if !function.environment.is_empty() {
        out["Environment"] = json!({ "Variables": function.environment });
    }
    let rest = json!({
        "TracingConfig": { "Mode": "PassThrough" },
        "RevisionId": function.revision_id,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": { "Size": 512 },
        "LoggingConfig": { "LogFormat": "Text", "LogGroup": function.log_group() },
    });
    if let (Some(out), Some(rest)) = (out.as_object_mut(), rest.as_object()) {
        out.extend(rest.clone());
    }
    out
}

/// Lambda's timestamp format: `2022-06-12T00:00:00.000+0000`.
fn last_modified(ms: Millis) -> String {
    let iso = format_iso(ms);
    format!("{}.{:03}+0000", &iso[..19], ms.rem_euclid(1000))
}

fn config(args: &Args) -> FunctionConfig {
    let text = |flag| args.text(flag).map(str::to_string);
    FunctionConfig {
        runtime: text("--runtime"),
        handler: text("--handler"),
        role: text("--role"),
        description: text("--description"),
        timeout_s: args.integer("--timeout"),
        memory_mb: args.integer("--memory-size"),
        environment: args.json("--environment").map(|env| {
            env.get("Variables")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect::<BTreeMap<_, _>>()
        }),
    }
}

/// The built-in handler a `--zip-file fileb://NAME.zip` names. The playground cannot run
/// uploaded code, so the package's file name picks one of its handlers.
fn code_of(zip_file: Option<&str>) -> Result<Builtin, CallError> {
    let Some(zip_file) = zip_file else {
        return Err(CallError::api(
            "InvalidParameterValueException",
            "Please provide a source for function code.",
            Some(catalogue_hint()),
        ));
    };
    let Some(path) = zip_file.strip_prefix("fileb://") else {
        return Err(CallError::api(
            "InvalidParameterValueException",
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
            Some("pass the package as --zip-file fileb://NAME.zip".into()),
        ));
    };
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".zip");
    Builtin::parse(stem).ok_or_else(|| {
        CallError::NotSimulated(format!(
            "{path}: the playground runs only its built-in handlers; {}",
            catalogue_hint()
        ))
    })
}

fn catalogue_hint() -> String {
    let names: Vec<String> = Builtin::ALL
        .iter()
        .map(|b| format!("fileb://{}.zip", b.name()))
        .collect();
    format!("use --zip-file with one of {}", names.join(", "))
}

fn create_function(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let code = code_of(args.text("--zip-file"))?;
    let (services, mut env) = ctx.world.split();
    let function = services.lambda.create_function(
        &mut env,
        &services.iam,
        args.required_text("--function-name"),
        code,
        config(args),
    )?;
    Ok(configuration(function))
}

fn update_function_configuration(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let function = services.lambda.update_configuration(
        &mut env,
        &services.iam,
        args.required_text("--function-name"),
        config(args),
    )?;
    Ok(configuration(function))
}

fn delete_function(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .lambda
        .delete_function(&mut env, args.required_text("--function-name"))?;
    Ok(json!({}))
}

fn function<'a>(ctx: &'a Ctx, args: &Args) -> Result<&'a Function, ServiceError> {
    ctx.world
        .services()
        .lambda
        .function(args.required_text("--function-name"))
}

fn get_function(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let function = function(ctx, args)?;
    let mut out = json!({
        "Configuration": configuration(function),
        "Code": {
            "RepositoryType": "S3",
            "Location": format!(
                "https://awslambda-{}-tasks.s3.{}.amazonaws.com/snapshots/{ACCOUNT_ID}/{}-{}",
                lambda::REGION, lambda::REGION, function.name, function.revision_id
            ),
        },
    });
    if let Some(reserved) = function.reserved_concurrency {
        out["Concurrency"] = json!({ "ReservedConcurrentExecutions": reserved });
    }
    Ok(out)
}

fn put_function_concurrency(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let reserved = services.lambda.put_function_concurrency(
        &mut env,
        args.required_text("--function-name"),
        args.integer("--reserved-concurrent-executions")
            .unwrap_or_default(),
    )?;
    Ok(json!({ "ReservedConcurrentExecutions": reserved }))
}

/// GetFunctionConcurrency answers `{}` for a function without a reservation, as the API does.
fn get_function_concurrency(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    Ok(match function(ctx, args)?.reserved_concurrency {
        Some(reserved) => json!({ "ReservedConcurrentExecutions": reserved }),
        None => json!({}),
    })
}

fn delete_function_concurrency(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .lambda
        .delete_function_concurrency(&mut env, args.required_text("--function-name"))?;
    Ok(json!({}))
}

/// GetAccountSettings: Lambda's default quotas, the unreserved concurrency and the code stored.
fn get_account_settings(ctx: &mut Ctx, _args: &Args) -> Result<Value, CallError> {
    let service = &ctx.world.services().lambda;
    let code_size: u64 = service.functions().map(|f| f.code.code_size() as u64).sum();
    Ok(json!({
        "AccountLimit": {
            "TotalCodeSize": 80_530_636_800_u64,
            "CodeSizeUnzipped": 262_144_000,
            "CodeSizeZipped": 52_428_800,
            "ConcurrentExecutions": lambda::ACCOUNT_CONCURRENCY_LIMIT,
            "UnreservedConcurrentExecutions": service.unreserved_concurrency(),
        },
        "AccountUsage": {
            "TotalCodeSize": code_size,
            "FunctionCount": service.functions().count(),
        },
    }))
}

fn get_function_configuration(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    Ok(configuration(function(ctx, args)?))
}

fn list_functions(ctx: &mut Ctx, _args: &Args) -> Result<Value, CallError> {
    let functions: Vec<Value> = ctx
        .world
        .services()
        .lambda
        .functions()
        .map(configuration)
        .collect();
    Ok(json!({ "Functions": functions }))
}

fn add_permission(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let permission = Permission {
        sid: args.required_text("--statement-id").to_string(),
        action: args.required_text("--action").to_string(),
        principal: args.required_text("--principal").to_string(),
        source_arn: args.text("--source-arn").map(str::to_string),
    };
    let (services, mut env) = ctx.world.split();
    let statement = services.lambda.add_permission(
        &mut env,
        args.required_text("--function-name"),
        permission,
    )?;
    Ok(json!({ "Statement": statement.to_string() }))
}

fn get_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let function = function(ctx, args)?;
    if function.permissions.is_empty() {
        return Err(CallError::api(
            "ResourceNotFoundException",
            "The resource you requested does not exist.",
            None,
        ));
    }
    let arn = function.arn();
    let statements: Vec<Value> = function
        .permissions
        .iter()
        .map(|p| p.statement(&arn))
        .collect();
    let policy = json!({ "Version": "2012-10-17", "Id": "default", "Statement": statements });
    Ok(json!({ "Policy": policy.to_string(), "RevisionId": function.revision_id }))
}

/// The payload's bytes: raw with `--cli-binary-format raw-in-base64-out`, else base64 as the
/// CLI v2 expects by default.
fn payload(args: &Args) -> Result<String, CallError> {
    let Some(text) = args.text("--payload") else {
        return Ok("{}".into());
    };
    if args.raw_blobs {
        return Ok(text.to_string());
    }
    let invalid = || CallError::Client(format!("Invalid base64: \"{text}\""));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| invalid())?;
    String::from_utf8(bytes).map_err(|_| invalid())
}

fn invoke(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let name = args.required_text("--function-name");
    let invocation_type = args.text("--invocation-type").unwrap_or("RequestResponse");
    let log_type = args.text("--log-type").unwrap_or("None");
    for (value, member, allowed) in [
        (
            invocation_type,
            "invocationType",
            &["Event", "RequestResponse", "DryRun"][..],
        ),
        (log_type, "logType", &["None", "Tail"][..]),
    ] {
        if !allowed.contains(&value) {
            return Err(CallError::api(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
                None,
            ));
        }
    }
    let payload = payload(args)?;
    let outfile = args.positional().to_string();
    ctx.world.services().lambda.function(name)?;
    if serde_json::from_str::<Value>(&payload).is_err() {
        return Err(ServiceError::new(
            "InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value",
        )
        .into());
    }
    let status = match invocation_type {
        "DryRun" => 204,
        "Event" => {
            let (_, mut env) = ctx.world.split();
            lambda::invoke_async(&mut env, lambda::name_of(name), payload, Trigger::Cli);
            202
        }
        _ => return invoke_sync(ctx, name, &payload, &outfile, log_type == "Tail"),
    };
    write_outfile(ctx, &outfile, "")?;
    Ok(json!({ "StatusCode": status }))
}

fn write_outfile(ctx: &mut Ctx, outfile: &str, payload: &str) -> Result<(), CallError> {
    ctx.files
        .write(outfile, payload.as_bytes())
        .map_err(|err| CallError::Client(format!("[Errno 2] {err}")))
}

/// RequestResponse: runs the function now and waits for it, so the clock moves to its end.
fn invoke_sync(
    ctx: &mut Ctx,
    name: &str,
    payload: &str,
    outfile: &str,
    tail: bool,
) -> Result<Value, CallError> {
    let invocation = {
        let (services, mut env) = ctx.world.split();
        lambda::invoke(services, &mut env, name, payload, Trigger::Cli)?
    };
    write_outfile(ctx, outfile, &invocation.payload())?;
    ctx.world
        .run_until(invocation.end_ms())
        .map_err(|err| CallError::NotSimulated(err.to_string()))?;
    let mut out = json!({ "StatusCode": 200 });
    if !matches!(invocation.outcome, Outcome::Success(_)) {
        out["FunctionError"] = json!("Unhandled");
    }
    if tail {
        // The last 4 KB of the invocation's log, base64-encoded, as the API returns it.
        let log = invocation.log.join("\n") + "\n";
        let start = log.len().saturating_sub(4096);
        let start = (start..log.len())
            .find(|&i| log.is_char_boundary(i))
            .unwrap_or(0);
        out["LogResult"] = json!(base64::engine::general_purpose::STANDARD.encode(&log[start..]));
    }
    out["ExecutedVersion"] = json!("$LATEST");
    Ok(out)
}

/// A mapping as the Lambda API returns it, in `state` (Creating, Enabled, Updating …).
fn mapping_json(mapping: &EventSourceMapping, state: &str) -> Value {
    json!({
        "UUID": mapping.uuid,
        "BatchSize": mapping.batch_size,
        "MaximumBatchingWindowInSeconds": mapping.maximum_batching_window_s,
        "EventSourceArn": mapping.event_source_arn,
        "FunctionArn": mapping.function_arn(),
        "LastModified": cli_time(mapping.last_modified_ms),
        "State": state,
        "StateTransitionReason": "USER_INITIATED",
        "FunctionResponseTypes": mapping.function_response_types(),
        "EventSourceMappingArn": mapping.arn(),
    })
}

/// The state a settled mapping shows.
fn settled(mapping: &EventSourceMapping) -> &'static str {
    if mapping.enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

fn mapping_config(args: &Args) -> MappingConfig {
    let types = args.strings("--function-response-types");
    MappingConfig {
        function: args.text("--function-name").map(str::to_string),
        batch_size: args.integer("--batch-size"),
        maximum_batching_window_s: args.integer("--maximum-batching-window-in-seconds"),
        function_response_types: (!types.is_empty()).then(|| types.to_vec()),
        enabled: args.boolean("--enabled"),
    }
}

fn create_event_source_mapping(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let Some(source) = args.text("--event-source-arn") else {
        return Err(CallError::NotSimulated(
            "only SQS queues are event sources in the playground: pass --event-source-arn with a queue ARN".into(),
        ));
    };
    let (services, mut env) = ctx.world.split();
    let mapping = esm::create(
        services,
        &mut env,
        args.required_text("--function-name"),
        source,
        MappingConfig {
            function: None,
            ..mapping_config(args)
        },
    )?;
    // Lambda answers before the mapping is ready; it is Enabled (or Disabled) from then on.
    let state = if mapping.enabled {
        "Creating"
    } else {
        "Disabled"
    };
    Ok(mapping_json(&mapping, state))
}

fn update_event_source_mapping(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let (mapping, was_enabled) = esm::update(
        services,
        &mut env,
        args.required_text("--uuid"),
        mapping_config(args),
    )?;
    let state = match (was_enabled, mapping.enabled) {
        (false, true) => "Enabling",
        (true, false) => "Disabling",
        _ => "Updating",
    };
    Ok(mapping_json(&mapping, state))
}

fn delete_event_source_mapping(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let mapping = esm::delete(services, &mut env, args.required_text("--uuid"))?;
    Ok(mapping_json(&mapping, "Deleting"))
}

fn get_event_source_mapping(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let mapping = ctx
        .world
        .services()
        .lambda
        .mapping(args.required_text("--uuid"))?;
    Ok(mapping_json(mapping, settled(mapping)))
}

fn list_event_source_mappings(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let function = args.text("--function-name").map(lambda::name_of);
    let source = args.text("--event-source-arn");
    let mappings: Vec<Value> = ctx
        .world
        .services()
        .lambda
        .mappings()
        .filter(|m| function.is_none_or(|f| m.function == f))
        .filter(|m| source.is_none_or(|s| m.event_source_arn == s))
        .map(|m| mapping_json(m, settled(m)))
        .collect();
    Ok(json!({ "EventSourceMappings": mappings }))
}
