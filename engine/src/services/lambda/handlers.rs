//! The built-in handlers a function's code can be. Each is written in Rust against the
//! simulated services and shown to learners as the equivalent Python with boto3 (`source`).
//! Every AWS call a handler makes is authorized against the function's role first, takes a
//! latency drawn from the world's RNG, and fails as boto3 would (`ClientError`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Function, REGION};
use crate::services::Targets;
use crate::services::athena::{Principal, StartQuery};
use crate::services::eventbridge::PutEventsEntry;
use crate::services::s3::PutObject;
use crate::services::{ACCOUNT_ID, Services, uuid};
use crate::sim::{Env, Millis, format_iso};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Builtin {
    LogGenerator,
    LogCompactor,
    OrderRouter,
    InvoiceService,
    PaymentService,
    EmailSender,
    Echo,
}

impl Builtin {
    pub const ALL: [Builtin; 7] = [
        Builtin::LogGenerator,
        Builtin::LogCompactor,
        Builtin::OrderRouter,
        Builtin::InvoiceService,
        Builtin::PaymentService,
        Builtin::EmailSender,
        Builtin::Echo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::LogGenerator => "log-generator",
            Builtin::LogCompactor => "log-compactor",
            Builtin::OrderRouter => "order-router",
            Builtin::InvoiceService => "invoice-service",
            Builtin::PaymentService => "payment-service",
            Builtin::EmailSender => "email-sender",
            Builtin::Echo => "echo",
        }
    }

    pub fn parse(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The AWS actions the handler calls, which its role must allow.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Builtin::LogGenerator | Builtin::InvoiceService => &["s3:PutObject"],
            Builtin::LogCompactor => &["athena:StartQueryExecution"],
            Builtin::OrderRouter => &["events:PutEvents"],
            Builtin::PaymentService | Builtin::EmailSender | Builtin::Echo => &[],
        }
    }

    /// What the handler does, in one line for listings.
    pub fn summary(self) -> &'static str {
        match self {
            Builtin::LogGenerator => "writes one JSON file of sensor logs to s3://$BUCKET/$PREFIX",
            Builtin::LogCompactor => {
                "sends Athena a CTAS that compacts the last window of logs into one Parquet file"
            }
            Builtin::OrderRouter => "publishes an OrderPlaced event to the $EVENT_BUS bus",
            Builtin::InvoiceService => {
                "writes an invoice for an OrderPlaced event to s3://$BUCKET/invoices/"
            }
            Builtin::PaymentService => "charges an order; declines amounts over $LIMIT",
            Builtin::EmailSender => {
                "sends one email per SQS message in a batch; reports messages without an email"
            }
            Builtin::Echo => {
                "returns its event; sleep_ms, memory_mb and fail make it slow, big or fail"
            }
        }
    }

    /// The equivalent Python handler (`lambda_function.py`) the UI shows.
    pub fn source(self) -> &'static str {
        match self {
            Builtin::LogGenerator => include_str!("python/log_generator.py"),
            Builtin::LogCompactor => include_str!("python/log_compactor.py"),
            Builtin::OrderRouter => include_str!("python/order_router.py"),
            Builtin::InvoiceService => include_str!("python/invoice_service.py"),
            Builtin::PaymentService => include_str!("python/payment_service.py"),
            Builtin::EmailSender => include_str!("python/email_sender.py"),
            Builtin::Echo => include_str!("python/echo.py"),
        }
    }

    /// The deployment package's size and SHA-256, as GetFunction reports them.
    pub fn code_size(self) -> usize {
        self.source().len()
    }

    pub fn code_sha256(self) -> String {
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(self.source().as_bytes()))
    }

    pub fn run(self, call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
        call.work_us(1_000, 3_000);
        let result = match self {
            Builtin::LogGenerator => log_generator(call),
            Builtin::LogCompactor => log_compactor(call, event),
            Builtin::OrderRouter => order_router(call, event),
            Builtin::InvoiceService => invoice_service(call, event),
            Builtin::PaymentService => payment_service(call, event),
            Builtin::EmailSender => email_sender(call, event),
            Builtin::Echo => echo(call, event),
        };
        if let Err(err) = &result {
            let trace = err.traceback(self.source());
            call.print(format!(
                "[ERROR] {}: {}\n{trace}",
                err.error_type, err.message
            ));
        }
        result
    }
}

/// An exception the handler raised, as the Python runtime reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerError {
    pub error_type: String,
    pub message: String,
    /// Text of the source line that raised, to find it in `source` for the traceback.
    pub at: &'static str,
}

impl HandlerError {
    fn new(error_type: &str, message: impl Into<String>, at: &'static str) -> Self {
        Self {
            error_type: error_type.to_string(),
            message: message.into(),
            at,
        }
    }

    fn frame(&self, source: &str) -> String {
        let line = source
            .lines()
            .position(|line| line.contains(self.at))
            .map_or(1, |index| index + 1);
        format!(
            "  File \"/var/task/lambda_function.py\", line {line}, in lambda_handler\n    {}\n",
            self.at
        )
    }

    fn traceback(&self, source: &str) -> String {
        format!("Traceback (most recent call last):\n{}", self.frame(source))
    }

    /// The error JSON the runtime returns to the caller.
    pub fn payload_with(&self, request_id: &str, source: &str) -> String {
        json!({
            "errorMessage": self.message,
            "errorType": self.error_type,
            "requestId": request_id,
            "stackTrace": [self.frame(source)],
        })
        .to_string()
    }
}

/// One running invocation: the services its handler may call, its output and its cost so far.
pub struct Call<'s, 'e, 'w> {
    pub services: &'s mut Services,
    pub env: &'e mut Env<'w>,
    function: &'s Function,
    /// Printed lines with the microsecond they were printed at.
    pub output: Vec<(u64, String)>,
    pub elapsed_us: u64,
    /// Peak memory in MB.
    pub memory_mb: u32,
}

impl<'s, 'e, 'w> Call<'s, 'e, 'w> {
    pub fn new(services: &'s mut Services, env: &'e mut Env<'w>, function: &'s Function) -> Self {
        let base = runtime_memory_mb(&function.runtime);
        let memory_mb = base + env.rng.between(0, 8) as u32;
        Self {
            services,
            env,
            function,
            output: Vec::new(),
            elapsed_us: 0,
            memory_mb,
        }
    }

    pub fn print(&mut self, line: impl Into<String>) {
        self.output.push((self.elapsed_us, line.into()));
    }

    fn work_us(&mut self, low: i64, high: i64) {
        self.elapsed_us += self.env.rng.between(low, high) as u64;
    }

    fn var(&self, key: &'static str, at: &'static str) -> Result<String, HandlerError> {
        self.function
            .environment
            .get(key)
            .cloned()
            .ok_or_else(|| HandlerError::new("KeyError", format!("'{key}'"), at))
    }

    fn var_or(&self, key: &str, default: &str) -> String {
        self.function
            .environment
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// Authorizes one AWS call under the function's role and spends its latency. A refusal is
    /// boto3's ClientError with the service's AccessDenied code.
    fn aws(
        &mut self,
        operation: &'static str,
        action: &'static str,
        resource: &str,
        latency_us: (i64, i64),
        at: &'static str,
    ) -> Result<(), HandlerError> {
        self.work_us(latency_us.0, latency_us.1);
        let role = role_of(self.function).to_string();
        let mut context =
            self.services
                .iam
                .request_context(self.env.now_ms, &role, &self.function.name);
        // Lambda adds the calling function to every request its execution environment makes.
        context.insert("lambda:sourcefunctionarn".into(), vec![self.function.arn()]);
        let denied = self.services.iam.authorize(
            self.env.now_ms,
            &role,
            &self.function.name,
            action,
            resource,
            &context,
        );
        denied.map_err(|denial| {
            let code = match action.split(':').next() {
                Some("s3") => "AccessDenied",
                _ => "AccessDeniedException",
            };
            client_error(code, operation, &denial.message, at)
        })
    }
}

/// The role name of the function's execution role.
fn role_of(function: &Function) -> &str {
    crate::services::iam::role_name_of(&function.role).unwrap_or_default()
}

fn client_error(code: &str, operation: &str, message: &str, at: &'static str) -> HandlerError {
    HandlerError::new(
        "ClientError",
        format!("An error occurred ({code}) when calling the {operation} operation: {message}"),
        at,
    )
}

/// Memory a runtime uses before the handler allocates anything (with boto3 loaded).
fn runtime_memory_mb(runtime: &str) -> u32 {
    if runtime.starts_with("java") || runtime.starts_with("dotnet") {
        110
    } else if runtime.starts_with("python") {
        72
    } else {
        64
    }
}

/// `YYYY-MM-DD HH:MM:SS.mmm`, the log records' timestamp format (sortable as text).
fn sql_timestamp(ms: Millis) -> String {
    let iso = format_iso(ms);
    let millis = ms.rem_euclid(1000);
    format!("{} {}.{millis:03}", &iso[..10], &iso[11..19])
}

const DEVICES: [&str; 5] = [
    "sensor-01",
    "sensor-02",
    "sensor-03",
    "sensor-04",
    "sensor-05",
];

fn log_generator(call: &mut Call) -> Result<Value, HandlerError> {
    let bucket = call.var("BUCKET", "bucket = os.environ[\"BUCKET\"]")?;
    let prefix = call.var_or("PREFIX", "logs/");
    let count: usize = call.var_or("RECORDS", "10").parse().map_err(|_| {
        HandlerError::new(
            "ValueError",
            "invalid literal for int() with base 10",
            "count = int(os.environ.get(\"RECORDS\", \"10\"))",
        )
    })?;
    let now = call.env.now_ms;
    let lines: Vec<String> = (0..count)
        .map(|i| {
            let device = DEVICES[call.env.rng.below(DEVICES.len() as u64) as usize];
            json!({
                "timestamp": sql_timestamp(now + i as Millis),
                "device_name": device,
                "metric": call.env.rng.between(0, 100),
            })
            .to_string()
        })
        .collect();
    let iso = format_iso(now);
    let stamp = format!(
        "{}/{}{}{}",
        iso[..10].replace('-', "/"),
        &iso[11..13],
        &iso[14..16],
        &iso[17..19]
    );
    let suffix = &uuid(call.env)[..8];
    let key = format!("{prefix}{stamp}-{suffix}.json");
    let at = "s3.put_object(Bucket=bucket, Key=key, Body=\"\\n\".join(lines))";
    call.aws(
        "PutObject",
        "s3:PutObject",
        &format!("arn:aws:s3:::{bucket}/{key}"),
        (15_000, 45_000),
        at,
    )?;
    let mut put = PutObject::new(&bucket, &key, lines.join("\n").into_bytes());
    put.content_type = Some("application/json".into());
    call.services
        .s3
        .put_object(call.env, put)
        .map_err(|err| client_error(err.code(), "PutObject", &err.message(), at))?;
    call.print(format!("wrote {count} records to s3://{bucket}/{key}"));
    Ok(json!({
        "statusCode": 200,
        "body": json!({ "key": key, "records": count }).to_string(),
    }))
}

/// The window [start, end) that ended at the latest boundary at or before `at_ms`.
pub fn window_before(at_ms: Millis, window_ms: Millis) -> (Millis, Millis) {
    let end = at_ms - at_ms.rem_euclid(window_ms);
    (end - window_ms, end)
}

/// The CTAS log-compactor sends for one window (the course's query, made exact).
pub fn compaction_query(
    database: &str,
    table: &str,
    new_table: &str,
    bucket: &str,
    start_ms: Millis,
    end_ms: Millis,
) -> String {
    let start = format_iso(start_ms);
    let digits: String = start[..16].chars().filter(char::is_ascii_digit).collect();
    let (day, hhmm) = digits.split_at(8);
    let path = format!("{}/{hhmm}", start[..10].replace('-', "/"));
    let seconds = |ms: Millis| sql_timestamp(ms)[..19].to_string();
    format!(
        "CREATE TABLE \"{database}\".\"{new_table}_{day}_{hhmm}\"\n\
         WITH (format = 'PARQUET', parquet_compression = 'SNAPPY',\n      \
         external_location = 's3://{bucket}/{new_table}/{path}/',\n      \
         bucketed_by = ARRAY['device_name'], bucket_count = 1)\n\
         AS SELECT * FROM \"{database}\".\"{table}\"\n\
         WHERE \"timestamp\" >= '{}' AND \"timestamp\" < '{}'",
        seconds(start_ms),
        seconds(end_ms)
    )
}

fn log_compactor(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    let minutes: Millis = call
        .var_or("WINDOW_MINUTES", "5")
        .parse()
        .unwrap_or(5)
        .max(1);
    let fired = event
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| crate::sim::parse_iso(t).ok())
        .unwrap_or(call.env.now_ms);
    let (start, end) = window_before(fired, minutes * 60_000);
    let database = call.var(
        "SOURCE_DATABASE",
        "database = os.environ[\"SOURCE_DATABASE\"]",
    )?;
    let table = call.var("SOURCE_TABLE", "table = os.environ[\"SOURCE_TABLE\"]")?;
    let new_table = call.var(
        "NEW_TABLE_NAME",
        "new_table = os.environ[\"NEW_TABLE_NAME\"]",
    )?;
    let bucket = call.var("BUCKET", "bucket = os.environ[\"BUCKET\"]")?;
    let query = compaction_query(&database, &table, &new_table, &bucket, start, end);
    let at = "response = athena.start_query_execution(";
    let workgroup = format!("arn:aws:athena:{REGION}:{ACCOUNT_ID}:workgroup/primary");
    call.aws(
        "StartQueryExecution",
        "athena:StartQueryExecution",
        &workgroup,
        (60_000, 150_000),
        at,
    )?;
    let request = StartQuery {
        query,
        database: Some(database),
        output_location: Some(format!("s3://{bucket}/athena-results/")),
        workgroup: None,
        principal: Some(Principal {
            role: role_of(call.function).to_string(),
            session: call.function.name.clone(),
        }),
    };
    let id = call
        .services
        .athena
        .start_query(call.env, request)
        .map_err(|err| client_error(err.code, "StartQueryExecution", &err.message, at))?;
    call.print(format!(
        "compacting [{}, {}) with query {id}",
        sql_timestamp(start),
        sql_timestamp(end)
    ));
    Ok(json!({ "statusCode": 200, "body": id }))
}

fn order_router(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    let at = "response = events.put_events(Entries=[entry])";
    let order_id = event
        .get("order_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            HandlerError::new("KeyError", "'order_id'", "order_id = event[\"order_id\"]")
        })?;
    let bus = call.var_or("EVENT_BUS", "default");
    let bus_arn = crate::services::eventbridge::bus_arn(&bus);
    call.aws(
        "PutEvents",
        "events:PutEvents",
        &bus_arn,
        (10_000, 30_000),
        at,
    )?;
    let entry = PutEventsEntry {
        source: Some("shop.orders".into()),
        detail_type: Some("OrderPlaced".into()),
        detail: Some(event.to_string()),
        bus: Some(bus),
        resources: Vec::new(),
        time_ms: None,
    };
    let services = &mut *call.services;
    let mut targets = Targets {
        sqs: &mut services.sqs,
        lambda: &services.lambda,
    };
    let results = services
        .eventbridge
        .put_events(call.env, &mut targets, vec![entry])
        .map_err(|err| client_error(err.code, "PutEvents", &err.message, at))?;
    let event_id = match results.into_iter().next() {
        Some(Ok(id)) => id,
        Some(Err((code, message))) => return Err(client_error(code, "PutEvents", &message, at)),
        None => String::new(),
    };
    call.print(format!("routed order {order_id} as event {event_id}"));
    Ok(json!({ "statusCode": 200, "body": event_id }))
}

/// The order inside an EventBridge event (its `detail`) or a bare order.
fn order(event: &Value) -> &Value {
    event.get("detail").unwrap_or(event)
}

fn invoice_service(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    let order = order(event).clone();
    let order_id = order
        .get("order_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            HandlerError::new("KeyError", "'order_id'", "order_id = order[\"order_id\"]")
        })?;
    let amount = order.get("amount").cloned().unwrap_or(json!(0));
    let invoice =
        json!({ "invoice_id": format!("INV-{order_id}"), "order_id": order_id, "amount": amount });
    if let Some(bucket) = call.function.environment.get("BUCKET").cloned() {
        let key = format!("invoices/{order_id}.json");
        let at = "s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(invoice))";
        call.aws(
            "PutObject",
            "s3:PutObject",
            &format!("arn:aws:s3:::{bucket}/{key}"),
            (15_000, 45_000),
            at,
        )?;
        call.services
            .s3
            .put_object(
                call.env,
                PutObject::new(&bucket, &key, invoice.to_string().into_bytes()),
            )
            .map_err(|err| client_error(err.code(), "PutObject", &err.message(), at))?;
    }
    call.print(format!("invoice INV-{order_id} for {amount}"));
    Ok(invoice)
}

fn payment_service(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    let order = order(event);
    let amount = order.get("amount").and_then(Value::as_f64).unwrap_or(0.0);
    let limit: f64 = call.var_or("LIMIT", "1000").parse().unwrap_or(1000.0);
    let customer = order
        .get("customer")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    call.work_us(20_000, 60_000);
    if amount > limit {
        return Err(HandlerError::new(
            "PaymentDeclined",
            format!("amount {amount} is over the limit of {limit}"),
            "raise PaymentDeclined(f\"amount {amount} is over the limit of {limit}\")",
        ));
    }
    call.print(format!("charged {customer} {amount}"));
    Ok(json!({ "status": "PAID", "customer": customer, "amount": amount }))
}

fn email_sender(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    let records = event
        .get("Records")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut sent = 0;
    let mut failures = Vec::new();
    for record in &records {
        let body = record
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let message: Value = serde_json::from_str(body).map_err(|_| {
            HandlerError::new(
                "JSONDecodeError",
                "Expecting value: line 1 column 1 (char 0)",
                "message = json.loads(record[\"body\"])",
            )
        })?;
        let id = record
            .get("messageId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(to) = message.get("email").and_then(Value::as_str) else {
            call.print(format!("no email address in message {id}"));
            failures.push(json!({ "itemIdentifier": id }));
            continue;
        };
        let subject = message.get("subject").and_then(Value::as_str).unwrap_or("");
        call.work_us(5_000, 15_000);
        call.print(format!("sent '{subject}' to {to}"));
        sent += 1;
    }
    Ok(json!({ "sent": sent, "batchItemFailures": failures }))
}

fn echo(call: &mut Call, event: &Value) -> Result<Value, HandlerError> {
    if let Some(ms) = event.get("sleep_ms").and_then(Value::as_u64) {
        call.elapsed_us += ms.min(1_000_000) * 1000;
    }
    if let Some(mb) = event.get("memory_mb").and_then(Value::as_u64) {
        call.memory_mb = call.memory_mb.saturating_add(mb.min(100_000) as u32);
    }
    if let Some(message) = event.get("fail").and_then(Value::as_str) {
        return Err(HandlerError::new(
            "Exception",
            message,
            "raise Exception(event[\"fail\"])",
        ));
    }
    call.print(format!("event: {event}"));
    Ok(event.clone())
}
