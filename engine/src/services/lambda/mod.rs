//! Lambda: functions whose code is one of the playground's built-in handlers (`handlers`),
//! invoked synchronously (`aws lambda invoke`) or asynchronously (EventBridge targets, with
//! Lambda's two retries). Each invocation runs in an execution environment that is created cold
//! (an init duration) and reused while warm; its duration comes from the work the handler does;
//! it can time out or run out of memory; it writes CloudWatch-style logs (START, output, END,
//! REPORT) to `/aws/lambda/<name>` when the role allows; and it is billed per ms in GB-seconds.
//! Concurrency is the number of environments busy at an instant: a function's reserved
//! concurrency, or else the account's unreserved pool, caps it; an invocation past the cap is
//! throttled (`TooManyRequestsException`), and Lambda retries throttled asynchronous ones.
//! Event source mappings (`esm`) poll SQS queues and invoke functions with batches.

pub mod esm;
pub mod handlers;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::handlers::Builtin;
use super::iam::Iam;
use super::iam::policy::string_like;
use super::{ACCOUNT_ID, ServiceError, Services, uuid};
use crate::sim::{Env, Event, Millis, format_iso};

pub const REGION: &str = "us-east-1";
pub const TIMEOUT_DEFAULT_S: u32 = 3;
pub const TIMEOUT_MAX_S: u32 = 900;
pub const MEMORY_DEFAULT_MB: u32 = 128;
pub const MEMORY_MIN_MB: u32 = 128;
pub const MEMORY_MAX_MB: u32 = 10_240;
/// An idle execution environment is reused for this long. AWS does not publish the figure;
/// minutes is what people observe, so the playground keeps environments ten minutes.
pub const WARM_MS: Millis = 10 * 60_000;
/// Asynchronous invocations that fail are retried twice, one and then two minutes later
/// (Lambda's default MaximumRetryAttempts and its documented back-off).
pub const ASYNC_RETRIES: u32 = 2;
/// The account's concurrent executions quota (Lambda's default per Region).
pub const ACCOUNT_CONCURRENCY_LIMIT: u32 = 1_000;
/// Reservations must leave this much concurrency to functions without one (PutFunctionConcurrency).
pub const UNRESERVED_CONCURRENCY_MIN: u32 = 100;
/// A throttled asynchronous invocation goes back to Lambda's queue and is retried for up to six
/// hours, "the retry interval increases exponentially from 1 second after the first attempt to
/// a maximum of 5 minutes" (Lambda Developer Guide, "How Lambda handles errors and retries with
/// asynchronous invocation"). The playground doubles the interval each time, without jitter.
pub const ASYNC_EVENT_AGE_MS_MAX: Millis = 6 * 3_600_000;
pub const THROTTLE_RETRY_MS_MIN: Millis = 1_000;
pub const THROTTLE_RETRY_MS_MAX: Millis = 5 * 60_000;
/// Dollars per GB-second and per request (x86, us-east-1).
pub const DOLLARS_PER_GB_SECOND: f64 = 0.000_016_666_7;
pub const DOLLARS_PER_REQUEST: f64 = 0.000_000_2;

/// Runtimes CreateFunction accepts.
pub const RUNTIMES: &[&str] = &[
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "java11",
    "java17",
    "java21",
    "dotnet8",
    "ruby3.3",
    "provided.al2",
    "provided.al2023",
];
/// Runtimes AWS retired: CreateFunction refuses them with its own message.
const RETIRED_RUNTIMES: &[&str] = &[
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "go1.x",
    "java8",
    "ruby2.7",
    "dotnetcore3.1",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub runtime: String,
    pub handler: String,
    pub role: String,
    pub code: Builtin,
    pub description: String,
    pub timeout_s: u32,
    pub memory_mb: u32,
    pub environment: BTreeMap<String, String>,
    pub last_modified_ms: Millis,
    pub revision_id: String,
    /// The resource-based policy: who else may invoke the function.
    pub permissions: Vec<Permission>,
    /// Execution environments, newest last.
    pub instances: Vec<Instance>,
    pub stats: Stats,
    /// PutFunctionConcurrency's reservation: at most this many environments busy at once.
    #[serde(default)]
    pub reserved_concurrency: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub sid: String,
    pub action: String,
    pub principal: String,
    pub source_arn: Option<String>,
}

impl Permission {
    /// The statement GetPolicy shows for this permission.
    pub fn statement(&self, function_arn: &str) -> Value {
        let mut statement = serde_json::json!({
            "Sid": self.sid,
            "Effect": "Allow",
            "Principal": { "Service": self.principal },
            "Action": self.action,
            "Resource": function_arn,
        });
        if let Some(source) = &self.source_arn {
            statement["Condition"] = serde_json::json!({ "ArnLike": { "AWS:SourceArn": source } });
        }
        statement
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// The log stream this environment writes to.
    pub stream: String,
    pub busy_until_ms: Millis,
    pub last_used_ms: Millis,
}

/// Totals for billing and the UI.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub invocations: u64,
    pub errors: u64,
    pub cold_starts: u64,
    /// Invocations refused for want of concurrency (each retry of an asynchronous one counts).
    #[serde(default)]
    pub throttles: u64,
    pub billed_ms: u64,
    /// Billed milliseconds times memory in MB: GB-seconds × 1024 × 1000.
    pub mb_ms: u64,
}

impl Stats {
    pub fn gb_seconds(&self) -> f64 {
        self.mb_ms as f64 / 1024.0 / 1000.0
    }

    pub fn cost_dollars(&self) -> f64 {
        self.gb_seconds() * DOLLARS_PER_GB_SECOND + self.invocations as f64 * DOLLARS_PER_REQUEST
    }
}

impl Function {
    pub fn arn(&self) -> String {
        function_arn(&self.name)
    }

    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.name)
    }
}

pub fn function_arn(name: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}")
}

/// The function name in a name, a function ARN or a partial ARN, as `--function-name` takes.
pub fn name_of(name_or_arn: &str) -> &str {
    let tail = name_or_arn
        .strip_prefix(&format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:"))
        .or_else(|| name_or_arn.strip_prefix(&format!("{ACCOUNT_ID}:function:")))
        .unwrap_or(name_or_arn);
    tail.split(':').next().unwrap_or(tail)
}

pub fn not_found(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Function not found: {}", function_arn(name)),
    )
}

/// CreateFunction's request (UpdateFunctionConfiguration uses the optional fields).
#[derive(Clone, Debug, Default)]
pub struct FunctionConfig {
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub role: Option<String>,
    pub description: Option<String>,
    pub timeout_s: Option<i64>,
    pub memory_mb: Option<i64>,
    pub environment: Option<BTreeMap<String, String>>,
}

/// Who started an invocation: a person (`aws lambda invoke`) or a service on their behalf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    Cli,
    EventBridge {
        rule_arn: String,
    },
    S3 {
        bucket: String,
    },
    /// A batch an event source mapping received from a queue.
    Sqs {
        queue_arn: String,
        mapping_uuid: String,
    },
    /// An EventBridge Scheduler schedule, calling as its execution role.
    Scheduler {
        schedule_arn: String,
    },
}

impl Trigger {
    fn describe(&self) -> String {
        match self {
            Trigger::Cli => "cli".into(),
            Trigger::EventBridge { rule_arn } => rule_arn.clone(),
            Trigger::S3 { bucket } => format!("arn:aws:s3:::{bucket}"),
            Trigger::Sqs { queue_arn, .. } => queue_arn.clone(),
            Trigger::Scheduler { schedule_arn } => schedule_arn.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LambdaEvent {
    /// An asynchronous invocation's attempt (0 first, then Lambda's retries after errors).
    Invoke {
        function: String,
        payload: String,
        trigger: Trigger,
        attempt: u32,
        /// When Lambda queued the event: throttled retries stop `ASYNC_EVENT_AGE_MS_MAX` later.
        #[serde(default)]
        queued_ms: Millis,
        /// How often this attempt was throttled so far: the next retry waits 2^throttles s.
        #[serde(default)]
        throttles: u32,
    },
    /// An event source mapping's poller looks at its queue.
    Poll { mapping_uuid: String },
}

impl LambdaEvent {
    pub fn describe(&self) -> String {
        match self {
            LambdaEvent::Invoke {
                function,
                throttles,
                ..
            } if *throttles > 0 => format!("lambda: {function} retry after throttle {throttles}"),
            LambdaEvent::Invoke {
                function, attempt, ..
            } if *attempt > 0 => format!("lambda: {function} retry {attempt}"),
            LambdaEvent::Invoke { function, .. } => format!("lambda: invoke {function}"),
            LambdaEvent::Poll { mapping_uuid } => {
                format!("lambda: poll for event source mapping {mapping_uuid}")
            }
        }
    }
}

/// How an invocation ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Success(String),
    /// The handler raised: the payload is the runtime's error JSON.
    Error {
        error_type: String,
        payload: String,
    },
    Timeout,
    OutOfMemory,
}

/// One finished invocation, for `invoke`'s reply, the UI timeline and the tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invocation {
    pub request_id: String,
    pub function: String,
    pub trigger: Trigger,
    pub start_ms: Millis,
    /// Microseconds, as REPORT shows them to two decimals of a millisecond.
    pub init_us: Option<u64>,
    pub duration_us: u64,
    pub billed_ms: u64,
    pub memory_mb: u32,
    pub max_memory_mb: u32,
    pub outcome: Outcome,
    /// The log lines, already formatted (START … REPORT).
    pub log: Vec<String>,
}

impl Invocation {
    pub fn end_ms(&self) -> Millis {
        self.start_ms + self.duration_us.div_ceil(1000) as Millis
    }

    pub fn is_error(&self) -> bool {
        !matches!(self.outcome, Outcome::Success(_))
    }

    /// The reply payload: the handler's return value or the runtime's error JSON.
    pub fn payload(&self) -> String {
        match &self.outcome {
            Outcome::Success(payload) | Outcome::Error { payload, .. } => payload.clone(),
            Outcome::Timeout => error_payload(
                "Sandbox.Timedout",
                &format!(
                    "RequestId: {} Error: Task timed out after {}.00 seconds",
                    self.request_id,
                    self.duration_us / 1_000_000
                ),
            ),
            Outcome::OutOfMemory => error_payload(
                "Runtime.OutOfMemory",
                &format!(
                    "RequestId: {} Error: Runtime exited with error: signal: killed",
                    self.request_id
                ),
            ),
        }
    }
}

fn error_payload(error_type: &str, message: &str) -> String {
    serde_json::json!({ "errorType": error_type, "errorMessage": message }).to_string()
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Lambda {
    functions: BTreeMap<String, Function>,
    /// Finished invocations, oldest first (the UI's timeline).
    invocations: Vec<Invocation>,
    /// Event source mappings by UUID.
    mappings: BTreeMap<String, esm::EventSourceMapping>,
}

/// Invocations kept for the timeline; older ones are dropped (their logs stay in CloudWatch).
pub const INVOCATIONS_KEPT: usize = 2_000;

impl Lambda {
    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.functions.values()
    }

    pub fn function(&self, name_or_arn: &str) -> Result<&Function, ServiceError> {
        let name = name_of(name_or_arn);
        self.functions.get(name).ok_or_else(|| not_found(name))
    }

    fn function_mut(&mut self, name_or_arn: &str) -> Result<&mut Function, ServiceError> {
        let name = name_of(name_or_arn);
        self.functions.get_mut(name).ok_or_else(|| not_found(name))
    }

    pub fn invocations(&self) -> &[Invocation] {
        &self.invocations
    }

    pub fn create_function(
        &mut self,
        env: &mut Env,
        iam: &Iam,
        name: &str,
        code: Builtin,
        config: FunctionConfig,
    ) -> Result<&Function, ServiceError> {
        check_function_name(name)?;
        let runtime = config.runtime.clone().ok_or_else(|| {
            ServiceError::new(
                "InvalidParameterValueException",
                "The Runtime parameter is required for functions with a deployment package of type Zip.",
            )
        })?;
        let handler = config.handler.clone().ok_or_else(|| {
            ServiceError::new(
                "InvalidParameterValueException",
                "The Handler parameter is required for functions with a deployment package of type Zip.",
            )
        })?;
        let role = config.role.clone().unwrap_or_default();
        let mut function = Function {
            name: name.to_string(),
            runtime,
            handler,
            role,
            code,
            description: String::new(),
            timeout_s: TIMEOUT_DEFAULT_S,
            memory_mb: MEMORY_DEFAULT_MB,
            environment: BTreeMap::new(),
            last_modified_ms: env.now_ms,
            revision_id: String::new(),
            permissions: Vec::new(),
            instances: Vec::new(),
            stats: Stats::default(),
            reserved_concurrency: None,
        };
        apply_config(&mut function, iam, config)?;
        if self.functions.contains_key(name) {
            return Err(ServiceError::new(
                "ResourceConflictException",
                format!("Function already exist: {name}"),
            ));
        }
        function.revision_id = uuid(env);
        env.record(
            "lambda",
            "function-created",
            vec![
                ("function", name.into()),
                ("code", code.name().into()),
                ("runtime", function.runtime.as_str().into()),
            ],
        );
        Ok(self.functions.entry(name.to_string()).or_insert(function))
    }

    /// UpdateFunctionConfiguration: the changed fields apply to new execution environments, so
    /// every warm one is dropped (the next invocation starts cold), as on AWS.
    pub fn update_configuration(
        &mut self,
        env: &mut Env,
        iam: &Iam,
        name: &str,
        config: FunctionConfig,
    ) -> Result<&Function, ServiceError> {
        let revision = uuid(env);
        let function = self.function_mut(name)?;
        let mut updated = function.clone();
        apply_config(&mut updated, iam, config)?;
        updated.instances.clear();
        updated.last_modified_ms = env.now_ms;
        updated.revision_id = revision;
        *function = updated;
        env.record(
            "lambda",
            "function-updated",
            vec![("function", function.name.as_str().into())],
        );
        Ok(function)
    }

    pub fn delete_function(&mut self, env: &mut Env, name: &str) -> Result<(), ServiceError> {
        let name = name_of(name).to_string();
        self.functions
            .remove(&name)
            .ok_or_else(|| not_found(&name))?;
        env.record(
            "lambda",
            "function-deleted",
            vec![("function", name.into())],
        );
        Ok(())
    }

    /// AddPermission: lets a service principal invoke the function (optionally only from one
    /// source ARN, such as an EventBridge rule).
    pub fn add_permission(
        &mut self,
        env: &mut Env,
        name: &str,
        permission: Permission,
    ) -> Result<Value, ServiceError> {
        if !permission.action.starts_with("lambda:") {
            return Err(ServiceError::new(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
                    permission.action
                ),
            ));
        }
        let function = self.function_mut(name)?;
        if function.permissions.iter().any(|p| p.sid == permission.sid) {
            return Err(ServiceError::new(
                "ResourceConflictException",
                format!(
                    "The statement id ({}) provided already exists. Please provide a new statement id, or remove the existing statement.",
                    permission.sid
                ),
            ));
        }
        let statement = permission.statement(&function.arn());
        env.record(
            "lambda",
            "permission-added",
            vec![
                ("function", function.name.as_str().into()),
                ("principal", permission.principal.as_str().into()),
            ],
        );
        function.permissions.push(permission);
        Ok(statement)
    }

    /// Whether the function's resource policy lets `principal` invoke it from `source_arn`.
    /// The error is what the caller sees when it does not.
    pub fn check_invoke_permission(
        &self,
        name: &str,
        principal: &str,
        source_arn: &str,
    ) -> Result<(), ServiceError> {
        let function = self.function(name)?;
        let allowed = function.permissions.iter().any(|p| {
            p.principal == principal
                && (p.action == "lambda:InvokeFunction"
                    || p.action == "lambda:*"
                    || p.action == "*")
                && p.source_arn
                    .as_deref()
                    .is_none_or(|pattern| string_like(pattern, source_arn))
        });
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::new(
                "AccessDeniedException",
                format!(
                    "{principal} is not authorized to perform: lambda:InvokeFunction on resource: {} because no resource-based policy allows the lambda:InvokeFunction action",
                    function.arn()
                ),
            )
            .with_hint(format!(
                "EventBridge needs permission to call the function: aws lambda add-permission --function-name {} --statement-id events --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn {source_arn}",
                function.name
            )))
        }
    }

    /// Concurrency no function has reserved: the account's limit less every reservation.
    pub fn unreserved_concurrency(&self) -> u32 {
        let reserved: u32 = self
            .functions
            .values()
            .filter_map(|f| f.reserved_concurrency)
            .sum();
        ACCOUNT_CONCURRENCY_LIMIT.saturating_sub(reserved)
    }

    /// PutFunctionConcurrency: reserves `reserved` concurrent executions for the function (0
    /// stops it being invoked), as long as `UNRESERVED_CONCURRENCY_MIN` stays unreserved.
    pub fn put_function_concurrency(
        &mut self,
        env: &mut Env,
        name: &str,
        reserved: i64,
    ) -> Result<u32, ServiceError> {
        if reserved < 0 {
            return Err(constraint(
                &reserved.to_string(),
                "reservedConcurrentExecutions",
                "Member must have value greater than or equal to 0",
            ));
        }
        let function = self.function(name)?;
        let others = self.unreserved_concurrency() + function.reserved_concurrency.unwrap_or(0);
        if i64::from(others) - reserved < i64::from(UNRESERVED_CONCURRENCY_MIN) {
            return Err(ServiceError::new(
                "InvalidParameterValueException",
                format!(
                    "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [{UNRESERVED_CONCURRENCY_MIN}]."
                ),
            )
            .with_hint(format!(
                "the account has {ACCOUNT_CONCURRENCY_LIMIT} concurrent executions; {} are not reserved by other functions, and {UNRESERVED_CONCURRENCY_MIN} must stay unreserved",
                others
            )));
        }
        let reserved = reserved as u32;
        let function = self.function_mut(name)?;
        function.reserved_concurrency = Some(reserved);
        env.record(
            "lambda",
            "concurrency-put",
            vec![
                ("function", function.name.as_str().into()),
                ("reserved", i64::from(reserved).into()),
            ],
        );
        Ok(reserved)
    }

    /// DeleteFunctionConcurrency: the function goes back to the unreserved pool.
    pub fn delete_function_concurrency(
        &mut self,
        env: &mut Env,
        name: &str,
    ) -> Result<(), ServiceError> {
        let function = self.function_mut(name)?;
        if function.reserved_concurrency.take().is_some() {
            env.record(
                "lambda",
                "concurrency-deleted",
                vec![("function", function.name.as_str().into())],
            );
        }
        Ok(())
    }

    /// Why `function` cannot start another execution at `now_ms`, if it cannot: the reason
    /// Lambda's TooManyRequestsException gives.
    fn throttle_reason(&self, function: &Function, now_ms: Millis) -> Option<&'static str> {
        let busy = |f: &Function| {
            f.instances
                .iter()
                .filter(|i| i.busy_until_ms > now_ms)
                .count()
        };
        match function.reserved_concurrency {
            Some(reserved) => (busy(function) >= reserved as usize)
                .then_some("ReservedFunctionConcurrentInvocationLimitExceeded"),
            None => {
                let pool_busy: usize = self
                    .functions
                    .values()
                    .filter(|f| f.reserved_concurrency.is_none())
                    .map(busy)
                    .sum();
                (pool_busy >= self.unreserved_concurrency() as usize)
                    .then_some("ConcurrentInvocationLimitExceeded")
            }
        }
    }

    fn record_invocation(&mut self, invocation: Invocation) {
        if self.invocations.len() == INVOCATIONS_KEPT {
            self.invocations.remove(0);
        }
        self.invocations.push(invocation);
    }
}

/// Queues an asynchronous invocation now (InvocationType Event, EventBridge targets).
pub fn invoke_async(env: &mut Env, function: &str, payload: String, trigger: Trigger) {
    let event = Event::Lambda(LambdaEvent::Invoke {
        function: function.to_string(),
        payload,
        trigger,
        attempt: 0,
        queued_ms: env.now_ms,
        throttles: 0,
    });
    // A full queue drops the invocation; the world's limits report that themselves.
    let _ = env.schedule(env.now_ms, event);
}

/// Runs a queued asynchronous invocation (a failed one is retried with Lambda's back-off, a
/// throttled one until it is six hours old) or an event source mapping's poll.
pub fn on_event(services: &mut Services, env: &mut Env, event: LambdaEvent) {
    if let LambdaEvent::Poll { mapping_uuid } = &event {
        return esm::poll(services, env, mapping_uuid);
    }
    let LambdaEvent::Invoke {
        function,
        payload,
        trigger,
        attempt,
        queued_ms,
        throttles,
    } = &event
    else {
        unreachable!("a Lambda event is a poll or an invocation")
    };
    let invocation = match invoke(services, env, function, payload, trigger.clone()) {
        Ok(invocation) => invocation,
        Err(err) if err.code == THROTTLED => return retry_throttled(env, event),
        Err(_) => {
            env.record(
                "lambda",
                "async-dropped",
                vec![("function", function.as_str().into())],
            );
            return;
        }
    };
    if invocation.is_error() && *attempt < ASYNC_RETRIES {
        let delay_ms = 60_000 * Millis::from(attempt + 1);
        let retry = Event::Lambda(LambdaEvent::Invoke {
            function: function.clone(),
            payload: payload.clone(),
            trigger: trigger.clone(),
            attempt: attempt + 1,
            queued_ms: *queued_ms,
            throttles: *throttles,
        });
        let _ = env.schedule(invocation.end_ms() + delay_ms, retry);
    }
}

/// Puts a throttled asynchronous invocation back on Lambda's queue: 1 s, 2 s, 4 s … up to
/// five minutes later, until the event is six hours old, when Lambda discards it.
fn retry_throttled(env: &mut Env, mut event: LambdaEvent) {
    let LambdaEvent::Invoke {
        function,
        queued_ms,
        throttles,
        ..
    } = &mut event
    else {
        unreachable!("only invocations are throttled")
    };
    let delay_ms = (THROTTLE_RETRY_MS_MIN << (*throttles).min(16)).min(THROTTLE_RETRY_MS_MAX);
    let retry_ms = env.now_ms + delay_ms;
    if retry_ms - *queued_ms > ASYNC_EVENT_AGE_MS_MAX {
        let fields = vec![
            ("function", function.as_str().into()),
            ("queued", format_iso(*queued_ms).into()),
        ];
        env.record("lambda", "async-expired", fields);
        return;
    }
    let fields = vec![
        ("function", function.as_str().into()),
        ("at", format_iso(retry_ms).into()),
    ];
    env.record("lambda", "throttle-retry", fields);
    *throttles += 1;
    let _ = env.schedule(retry_ms, Event::Lambda(event));
}

/// The error code of an invocation refused for want of concurrency.
pub const THROTTLED: &str = "TooManyRequestsException";

/// Lambda's 429 for an invocation past the function's (or the account's) concurrency; the
/// trace and the function's `throttles` count it.
fn throttle(
    services: &mut Services,
    env: &mut Env,
    function: &Function,
    trigger: &Trigger,
) -> Option<ServiceError> {
    let reason = services.lambda.throttle_reason(function, env.now_ms)?;
    env.record(
        "lambda",
        "throttled",
        vec![
            ("function", function.name.as_str().into()),
            ("trigger", trigger.describe().into()),
            ("reason", reason.into()),
        ],
    );
    if let Ok(f) = services.lambda.function_mut(&function.name) {
        f.stats.throttles += 1;
    }
    let limit = match function.reserved_concurrency {
        Some(0) => format!(
            "{} has reserved concurrency 0, so it cannot be invoked",
            function.name
        ),
        Some(n) => format!(
            "{} has reserved concurrency {n} and {n} execution environment(s) are busy",
            function.name
        ),
        None => format!(
            "the functions without reserved concurrency share {} concurrent executions, all busy",
            services.lambda.unreserved_concurrency()
        ),
    };
    Some(
        ServiceError::new(THROTTLED, "Rate Exceeded.")
            .with_hint(format!("Reason: {reason}; {limit}")),
    )
}

/// Invokes `function` now with `payload` (JSON text) and returns the finished invocation. The
/// handler's calls to other services happen at the start instant; the clock is not moved.
pub fn invoke(
    services: &mut Services,
    env: &mut Env,
    function: &str,
    payload: &str,
    trigger: Trigger,
) -> Result<Invocation, ServiceError> {
    let event: Value = serde_json::from_str(payload).map_err(|_| {
        ServiceError::new(
            "InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value",
        )
    })?;
    let function = services.lambda.function(function)?.clone();
    if let Some(throttled) = throttle(services, env, &function, &trigger) {
        return Err(throttled);
    }
    let request_id = uuid(env);
    let (stream, init_us) = take_instance(services, env, &function);
    let mut call = handlers::Call::new(services, env, &function);
    let result = function.code.run(&mut call, &event);
    let handlers::Call {
        output,
        elapsed_us,
        memory_mb,
        ..
    } = call;
    let timeout_us = u64::from(function.timeout_s) * 1_000_000;
    let max_memory_mb = memory_mb.min(function.memory_mb);
    let (outcome, duration_us) = if elapsed_us > timeout_us {
        (Outcome::Timeout, timeout_us)
    } else if memory_mb > function.memory_mb {
        (Outcome::OutOfMemory, elapsed_us)
    } else {
        let outcome = match result {
            Ok(value) => Outcome::Success(value.to_string()),
            Err(err) => Outcome::Error {
                error_type: err.error_type.clone(),
                payload: err.payload_with(&request_id, function.code.source()),
            },
        };
        (outcome, elapsed_us)
    };
    let billed_ms = (duration_us + init_us.unwrap_or(0)).div_ceil(1000);
    let invocation = Invocation {
        request_id: request_id.clone(),
        function: function.name.clone(),
        trigger,
        start_ms: env.now_ms,
        init_us,
        duration_us,
        billed_ms,
        memory_mb: function.memory_mb,
        max_memory_mb,
        outcome,
        log: Vec::new(),
    };
    let lines = log_lines(&function, &invocation, &output, env.now_ms);
    write_logs(services, env, &function, &stream, &lines);
    release_instance(services, &function.name, &stream, invocation.end_ms());
    let invocation = Invocation {
        log: lines.into_iter().map(|(_, line)| line).collect(),
        ..invocation
    };
    env.record(
        "lambda",
        "invoked",
        vec![
            ("function", function.name.as_str().into()),
            ("request-id", request_id.as_str().into()),
            ("trigger", invocation.trigger.describe().into()),
            ("cold", invocation.init_us.is_some().into()),
            ("duration-us", invocation.duration_us.into()),
            ("billed-ms", invocation.billed_ms.into()),
            ("outcome", outcome_name(&invocation.outcome).into()),
        ],
    );
    if let Ok(stats) = services
        .lambda
        .function_mut(&function.name)
        .map(|f| &mut f.stats)
    {
        stats.invocations += 1;
        stats.errors += u64::from(invocation.is_error());
        stats.cold_starts += u64::from(invocation.init_us.is_some());
        stats.billed_ms += invocation.billed_ms;
        stats.mb_ms += invocation.billed_ms * u64::from(invocation.memory_mb);
    }
    services.lambda.record_invocation(invocation.clone());
    Ok(invocation)
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Success(_) => "success",
        Outcome::Error { .. } => "error",
        Outcome::Timeout => "timeout",
        Outcome::OutOfMemory => "out-of-memory",
    }
}

/// A warm idle environment if there is one, else a new (cold) one with its init duration.
fn take_instance(
    services: &mut Services,
    env: &mut Env,
    function: &Function,
) -> (String, Option<u64>) {
    let now = env.now_ms;
    let lambda = &mut services.lambda;
    let f = lambda
        .function_mut(&function.name)
        .expect("the caller looked the function up");
    f.instances
        .retain(|i| i.busy_until_ms > now || now - i.last_used_ms <= WARM_MS);
    if let Some(warm) = f.instances.iter_mut().find(|i| i.busy_until_ms <= now) {
        warm.busy_until_ms = Millis::MAX;
        return (warm.stream.clone(), None);
    }
    let hex: String = (0..2)
        .map(|_| format!("{:016x}", env.rng.next_u64()))
        .collect();
    let date = &format_iso(now)[..10].replace('-', "/");
    let stream = format!("{date}/[$LATEST]{hex}");
    let init_us = init_duration_us(env, &function.runtime);
    f.instances.push(Instance {
        stream: stream.clone(),
        busy_until_ms: Millis::MAX,
        last_used_ms: now,
    });
    (stream, Some(init_us))
}

fn release_instance(services: &mut Services, function: &str, stream: &str, end_ms: Millis) {
    if let Ok(f) = services.lambda.function_mut(function)
        && let Some(instance) = f.instances.iter_mut().find(|i| i.stream == stream)
    {
        instance.busy_until_ms = end_ms;
        instance.last_used_ms = end_ms;
    }
}

/// Cold-start init time by runtime family: interpreted runtimes start in a few hundred ms, the
/// JVM and .NET take longer.
fn init_duration_us(env: &mut Env, runtime: &str) -> u64 {
    let (low, high) = if runtime.starts_with("java") || runtime.starts_with("dotnet") {
        (400_000, 900_000)
    } else if runtime.starts_with("provided") {
        (20_000, 60_000)
    } else {
        (100_000, 300_000)
    };
    env.rng.between(low, high) as u64
}

/// The invocation's log lines with their timestamps, in the runtime's text format.
fn log_lines(
    function: &Function,
    invocation: &Invocation,
    output: &[(u64, String)],
    start_ms: Millis,
) -> Vec<(Millis, String)> {
    let id = &invocation.request_id;
    let at = |us: u64| start_ms + (us / 1000) as Millis;
    let mut lines = Vec::new();
    if invocation.init_us.is_some() {
        lines.push((
            start_ms,
            format!(
                "INIT_START Runtime Version: {}\tRuntime Version ARN: arn:aws:lambda:{REGION}::runtime:playground",
                function.runtime
            ),
        ));
    }
    lines.push((start_ms, format!("START RequestId: {id} Version: $LATEST")));
    for (us, line) in output {
        if *us <= invocation.duration_us {
            lines.push((at(*us), line.clone()));
        }
    }
    let end = invocation.end_ms();
    match &invocation.outcome {
        Outcome::Timeout => lines.push((
            end,
            format!(
                "{} {id} Task timed out after {}.00 seconds",
                format_iso(end),
                function.timeout_s
            ),
        )),
        Outcome::OutOfMemory => lines.push((
            end,
            format!("RequestId: {id} Error: Runtime exited with error: signal: killed\nRuntime.ExitError"),
        )),
        _ => {}
    }
    lines.push((end, format!("END RequestId: {id}")));
    let mut report = format!(
        "REPORT RequestId: {id}\tDuration: {} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB",
        format_us(invocation.duration_us),
        invocation.billed_ms,
        invocation.memory_mb,
        invocation.max_memory_mb
    );
    if let Some(init) = invocation.init_us {
        report.push_str(&format!("\tInit Duration: {} ms", format_us(init)));
    }
    match invocation.outcome {
        Outcome::Timeout => report.push_str("\tStatus: timeout"),
        Outcome::OutOfMemory => report.push_str("\tStatus: error\tError Type: Runtime.OutOfMemory"),
        _ => {}
    }
    lines.push((end, report));
    lines
}

/// Microseconds as milliseconds with two decimals, as REPORT prints them.
pub fn format_us(us: u64) -> String {
    format!("{}.{:02}", us / 1000, (us % 1000) / 10)
}

/// Writes the lines to `/aws/lambda/<name>` when the role may (AWSLambdaBasicExecutionRole's
/// three actions); otherwise they are lost, as on AWS, and the trace says why.
fn write_logs(
    services: &mut Services,
    env: &mut Env,
    function: &Function,
    stream: &str,
    lines: &[(Millis, String)],
) {
    let group = function.log_group();
    let role = super::iam::role_name_of(&function.role)
        .unwrap_or_default()
        .to_string();
    let group_arn = format!("arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{group}");
    let stream_arn = format!("{group_arn}:log-stream:{stream}");
    let context = services
        .iam
        .request_context(env.now_ms, &role, &function.name);
    let now_ms = env.now_ms;
    let mut allowed = |action: &str, resource: &str| {
        services
            .iam
            .authorize(now_ms, &role, &function.name, action, resource, &context)
    };
    // CloudWatch Logs authorizes group and stream creation on the group's stream ARN with an
    // empty stream name, as its AccessDenied messages show.
    let no_stream = format!("{group_arn}:log-stream:");
    let denied = services
        .logs
        .group(&group)
        .is_err()
        .then(|| allowed("logs:CreateLogGroup", &no_stream).err())
        .flatten()
        .or_else(|| allowed("logs:CreateLogStream", &no_stream).err())
        .or_else(|| allowed("logs:PutLogEvents", &stream_arn).err());
    if let Some(denial) = denied {
        env.record(
            "lambda",
            "logs-dropped",
            vec![
                ("function", function.name.as_str().into()),
                ("reason", denial.message.into()),
            ],
        );
        return;
    }
    services
        .logs
        .put(&group, stream, env.now_ms, lines.iter().cloned());
}

fn apply_config(
    function: &mut Function,
    iam: &Iam,
    config: FunctionConfig,
) -> Result<(), ServiceError> {
    if let Some(runtime) = config.runtime {
        check_runtime(&runtime)?;
        function.runtime = runtime;
    }
    if let Some(handler) = config.handler {
        if handler.is_empty() || handler.len() > 128 {
            return Err(constraint(
                &handler,
                "handler",
                "Member must have length less than or equal to 128",
            ));
        }
        function.handler = handler;
    }
    if let Some(role) = config.role {
        let trusted = iam
            .role_by_arn(&role)
            .map(|r| r.trusts("lambda.amazonaws.com"));
        if trusted != Ok(true) {
            return Err(ServiceError::new(
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            )
            .with_hint(match trusted {
                Ok(_) => format!(
                    "the trust policy of {role} must allow lambda.amazonaws.com to sts:AssumeRole"
                ),
                Err(err) => format!("{role}: {}", err.message),
            }));
        }
        function.role = role;
    }
    if let Some(description) = config.description {
        function.description = description;
    }
    if let Some(timeout) = config.timeout_s {
        if !(1..=i64::from(TIMEOUT_MAX_S)).contains(&timeout) {
            return Err(constraint(
                &timeout.to_string(),
                "timeout",
                &format!(
                    "Member must have value {} than or equal to {}",
                    if timeout < 1 { "greater" } else { "less" },
                    if timeout < 1 { 1 } else { TIMEOUT_MAX_S }
                ),
            ));
        }
        function.timeout_s = timeout as u32;
    }
    if let Some(memory) = config.memory_mb {
        if !(i64::from(MEMORY_MIN_MB)..=i64::from(MEMORY_MAX_MB)).contains(&memory) {
            return Err(constraint(
                &memory.to_string(),
                "memorySize",
                &format!(
                    "Member must have value {} than or equal to {}",
                    if memory < 128 { "greater" } else { "less" },
                    if memory < 128 {
                        MEMORY_MIN_MB
                    } else {
                        MEMORY_MAX_MB
                    }
                ),
            ));
        }
        function.memory_mb = memory as u32;
    }
    if let Some(environment) = config.environment {
        if let Some(reserved) = environment
            .keys()
            .find(|k| RESERVED_ENV.contains(&k.as_str()))
        {
            return Err(ServiceError::new(
                "InvalidParameterValueException",
                format!(
                    "Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {reserved}"
                ),
            ));
        }
        function.environment = environment;
    }
    Ok(())
}

/// Environment variables Lambda sets itself and refuses to take.
const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Lambda's `ValidationException` for a member outside its constraint.
pub(crate) fn constraint(value: &str, member: &str, rule: &str) -> ServiceError {
    ServiceError::new(
        "ValidationException",
        format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
        ),
    )
}

fn check_runtime(runtime: &str) -> Result<(), ServiceError> {
    if RUNTIMES.contains(&runtime) {
        return Ok(());
    }
    if RETIRED_RUNTIMES.contains(&runtime) {
        return Err(ServiceError::new(
            "InvalidParameterValueException",
            format!(
                "The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."
            ),
        ));
    }
    Err(constraint(
        runtime,
        "runtime",
        &format!(
            "Member must satisfy enum value set: [{}]",
            RUNTIMES.join(", ")
        ),
    ))
}

fn check_function_name(name: &str) -> Result<(), ServiceError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || name.len() > 64 {
        return Err(constraint(
            name,
            "functionName",
            "Member must have length less than or equal to 64",
        ));
    }
    if !name.chars().all(ok) {
        return Err(constraint(
            name,
            "functionName",
            "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Session;

    const TRUST: &str = r#"'{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'"#;

    fn session_with(functions: &[&str]) -> Session {
        let mut session = Session::with_seed(7);
        let ok = |s: &mut Session, line: &str| {
            let outcome = s.exec(line);
            assert!(outcome.ok, "{line}: {}", outcome.output);
        };
        ok(
            &mut session,
            &format!("aws iam create-role --role-name r --assume-role-policy-document {TRUST}"),
        );
        for name in functions {
            ok(
                &mut session,
                &format!(
                    "aws lambda create-function --function-name {name} --runtime python3.12 --handler h \
                 --role arn:aws:iam::123456789012:role/r --zip-file fileb://echo.zip --timeout 10"
                ),
            );
        }
        session
    }

    /// The most invocations of `function` running at once, from the finished invocations.
    fn concurrency_max(lambda: &Lambda, function: &str) -> usize {
        let runs: Vec<(Millis, Millis)> = lambda
            .invocations()
            .iter()
            .filter(|i| i.function == function)
            .map(|i| (i.start_ms, i.end_ms()))
            .collect();
        runs.iter()
            .map(|(start, _)| runs.iter().filter(|(s, e)| s <= start && start < e).count())
            .max()
            .unwrap_or(0)
    }

    // A burst of 20 asynchronous invocations at one instant against reserved concurrency 5:
    // at most 5 run at once, the rest are throttled and retried until every one has run.
    #[test]
    fn reserved_concurrency_throttles_a_burst_that_still_all_runs() {
        let mut session = session_with(&["echo"]);
        let outcome = session.exec("aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 5");
        assert!(outcome.ok, "{}", outcome.output);
        for _ in 0..20 {
            let outcome = session.exec(
                "aws lambda invoke --function-name echo --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{\"sleep_ms\": 1000}' out.json",
            );
            assert!(outcome.ok, "{}", outcome.output);
        }
        assert!(session.exec("sim advance 2m").ok);
        let lambda = &session.world().services().lambda;
        let stats = &lambda.function("echo").unwrap().stats;
        assert_eq!(stats.invocations, 20);
        assert!(stats.throttles >= 15, "throttles: {}", stats.throttles);
        assert_eq!(concurrency_max(lambda, "echo"), 5);
    }

    #[test]
    fn reserved_concurrency_zero_stops_every_invocation() {
        let mut session = session_with(&["echo"]);
        assert!(session.exec("aws lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 0").ok);
        let outcome = session.exec("aws lambda invoke --function-name echo out.json");
        assert!(!outcome.ok);
        assert!(outcome.output.contains(
            "An error occurred (TooManyRequestsException) when calling the Invoke operation (reached max retries: 2): Rate Exceeded."
        ), "{}", outcome.output);
        assert!(
            outcome
                .output
                .contains("Reason: ReservedFunctionConcurrentInvocationLimitExceeded")
        );
        assert!(
            session
                .exec("aws lambda invoke --function-name echo --invocation-type Event out.json")
                .ok
        );
        // Retried for six hours, then discarded.
        assert!(session.exec("sim advance 7h").ok);
        let lambda = &session.world().services().lambda;
        assert_eq!(lambda.function("echo").unwrap().stats.invocations, 0);
        let trace = session.world().trace();
        let expired = trace
            .events()
            .iter()
            .filter(|e| e.kind == "async-expired")
            .count();
        assert_eq!(expired, 1);
        // Backoff 1 s, 2 s … 256 s, then five minutes: 9 + (6 h − 511 s) / 300 s retries.
        let retries = trace
            .events()
            .iter()
            .filter(|e| e.kind == "throttle-retry")
            .count();
        assert_eq!(retries, 9 + (6 * 3600 - 511) / 300);
    }

    // PutFunctionConcurrency (Lambda API Reference) and the error AWS returns when a
    // reservation would leave less than 100 unreserved (as reported in
    // milliHQ/terraform-aws-next-js#251, with that account's minimum).
    #[test]
    fn reservations_leave_a_hundred_unreserved() {
        let mut session = session_with(&["a", "b"]);
        assert!(session.exec("aws lambda put-function-concurrency --function-name a --reserved-concurrent-executions 850").ok);
        let lambda = &session.world().services().lambda;
        assert_eq!(lambda.unreserved_concurrency(), 150);
        let before = session.world().trace().events().len();
        let outcome = session.exec("aws lambda put-function-concurrency --function-name b --reserved-concurrent-executions 51");
        assert!(outcome.output.contains(
            "An error occurred (InvalidParameterValueException) when calling the PutFunctionConcurrency operation: Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."
        ), "{}", outcome.output);
        assert_eq!(session.world().trace().events().len(), before);
        assert_eq!(
            session
                .world()
                .services()
                .lambda
                .function("b")
                .unwrap()
                .reserved_concurrency,
            None
        );
        // Raising a function's own reservation counts only the others'.
        assert!(session.exec("aws lambda put-function-concurrency --function-name a --reserved-concurrent-executions 900").ok);
        assert!(session.exec("aws lambda put-function-concurrency --function-name b --reserved-concurrent-executions 0").ok);
        assert_eq!(
            session.world().services().lambda.unreserved_concurrency(),
            100
        );
        assert!(
            session
                .exec("aws lambda delete-function-concurrency --function-name a")
                .ok
        );
        assert_eq!(
            session.world().services().lambda.unreserved_concurrency(),
            1000
        );
    }
}
