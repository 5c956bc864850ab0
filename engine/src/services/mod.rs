//! The simulated AWS services. Each owns its state and rules and takes typed requests; none
//! prints. They reach each other only through the world (`sim::Env` plus the other services'
//! state handed in by the caller), so every cross-service call is visible in one place.

pub mod athena;
pub mod eventbridge;
pub mod iam;
pub mod kafka;
pub mod lambda;
pub mod logs;
pub mod s3;
pub mod scheduler;
pub mod sqs;

/// The account every learner's world lives in (the account ID AWS's own documentation uses).
pub const ACCOUNT_ID: &str = "123456789012";

use serde::{Deserialize, Serialize};

use crate::sim::Env;

/// The services other services deliver to: SQS queues get a message, Lambda functions an
/// asynchronous invocation, if their resource policy lets the sending service invoke them.
pub struct Targets<'a> {
    pub sqs: &'a mut sqs::Sqs,
    pub lambda: &'a lambda::Lambda,
}

impl Targets<'_> {
    /// Sends `payload` to the queue or function `arn`, as `principal` (`events.amazonaws.com`,
    /// `s3.amazonaws.com`) on behalf of `source_arn`. The error is the reason it was not sent.
    pub fn send(
        &mut self,
        env: &mut Env,
        arn: &str,
        principal: &str,
        source_arn: &str,
        payload: String,
        trigger: lambda::Trigger,
    ) -> Result<(), String> {
        if arn.starts_with(&lambda_function_prefix()) {
            self.lambda
                .check_invoke_permission(lambda::name_of(arn), principal, source_arn)
                .map_err(|e| format!("{}: {}", e.code, e.message))?;
        }
        self.deliver(env, arn, payload, trigger)
    }

    /// Sends without asking the function's resource policy, for a caller that authorized the
    /// call itself (Scheduler, as its execution role).
    pub fn deliver(
        &mut self,
        env: &mut Env,
        arn: &str,
        payload: String,
        trigger: lambda::Trigger,
    ) -> Result<(), String> {
        let sqs_prefix = format!("arn:aws:sqs:{}:{ACCOUNT_ID}:", sqs::REGION);
        if let Some(queue) = arn.strip_prefix(&sqs_prefix) {
            return self
                .sqs
                .send_message(env, &sqs::queue_url(queue), &payload, None)
                .map(|_| ())
                .map_err(|e| format!("{}: {}", e.code, e.message));
        }
        if !arn.starts_with(&lambda_function_prefix()) {
            return Err("the playground delivers to SQS queues and Lambda functions".into());
        }
        let function = lambda::name_of(arn);
        self.lambda
            .function(function)
            .map_err(|e| format!("{}: {}", e.code, e.message))?;
        lambda::invoke_async(env, function, payload, trigger);
        Ok(())
    }
}

fn lambda_function_prefix() -> String {
    format!("arn:aws:lambda:{}:{ACCOUNT_ID}:function:", lambda::REGION)
}

/// Every service's state, as one serialisable value inside the world.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Services {
    pub s3: s3::S3,
    pub athena: athena::Athena,
    pub eventbridge: eventbridge::EventBridge,
    pub sqs: sqs::Sqs,
    pub lambda: lambda::Lambda,
    pub logs: logs::Logs,
    pub iam: iam::Iam,
    pub scheduler: scheduler::Scheduler,
    #[serde(default)]
    pub kafka: kafka::Kafka,
}

/// An error a service returns: AWS's error code and message, and our explanation when AWS's
/// own words leave a learner guessing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// The code of a [`ServiceError`] for something AWS does that the playground does not.
pub const NOT_SIMULATED: &str = "playground.NotSimulated";

impl ServiceError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn not_simulated(message: impl Into<String>) -> Self {
        Self::new(NOT_SIMULATED, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// The lower-case hex MD5 of `bytes`, as S3 ETags and SQS message digests show it.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A random (version 4) UUID, such as query execution and event IDs, drawn from the world's RNG.
pub fn uuid(env: &mut Env) -> String {
    let a = env.rng.next_u64();
    let b = env.rng.next_u64();
    // Version 4, variant 10xx, as a random UUID has them.
    let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[16..20],
        &hex[20..32]
    )
}
