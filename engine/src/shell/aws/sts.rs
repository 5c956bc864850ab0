//! AWS STS: who am I (`get-caller-identity`) and which account owns a key.

use serde_json::{Value, json};

use super::{Args, CallError, Operation, ParamKind, required};
use crate::services::ACCOUNT_ID;
use crate::shell::Ctx;

pub const OPERATIONS: &[Operation] = &[
    Operation {
        service: "sts",
        name: "get-access-key-info",
        api_name: "GetAccessKeyInfo",
        params: &[required("--access-key-id", ParamKind::String)],
        positional: None,
        call: get_access_key_info,
    },
    Operation {
        service: "sts",
        name: "get-caller-identity",
        api_name: "GetCallerIdentity",
        params: &[],
        positional: None,
        call: get_caller_identity,
    },
];

/// Every key in the playground belongs to the learner's account. The length rule is the API
/// model's (16 to 128), checked client-side by botocore.
fn get_access_key_info(_ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let key = args.required_text("--access-key-id");
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

fn get_caller_identity(_ctx: &mut Ctx, _args: &Args) -> Result<Value, CallError> {
    Ok(json!({
        "UserId": "AIDAPLAYGROUNDLEARNER",
        "Account": ACCOUNT_ID,
        "Arn": format!("arn:aws:iam::{ACCOUNT_ID}:user/learner"),
    }))
}
