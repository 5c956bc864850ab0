//! `aws iam …`: roles, their inline and managed policies, and simulate-principal-policy, which
//! explains any decision the playground makes (the statement that matched, or that none did).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::s3api::cli_time;
use super::shapes::{Shape, member};
use super::{Args, CallError, Operation, ParamKind, param, required};
use crate::services::iam::managed::managed_policies;
use crate::services::iam::policy::{Context, Evaluation};
use crate::services::iam::{Role, role_name_of};
use crate::services::{ACCOUNT_ID, ServiceError};
use crate::shell::Ctx;
use crate::sim::Millis;

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("iam", name, api_name, params, call)
}

const ROLE: super::Param = required("--role-name", ParamKind::String);
const POLICY_ARN: super::Param = required("--policy-arn", ParamKind::String);
const POLICY_NAME: super::Param = required("--policy-name", ParamKind::String);
static CONTEXT_ENTRY: Shape = Shape::Structure(&[
    member("ContextKeyName", &Shape::String),
    member("ContextKeyValues", &Shape::List(&Shape::String)),
    member("ContextKeyType", &Shape::String),
]);

pub static OPERATIONS: &[Operation] = &[
    op(
        "attach-role-policy",
        "AttachRolePolicy",
        &[ROLE, POLICY_ARN],
        attach_role_policy,
    ),
    op(
        "create-role",
        "CreateRole",
        &[
            ROLE,
            required("--assume-role-policy-document", ParamKind::String),
            param("--description", ParamKind::String),
            param("--path", ParamKind::String),
        ],
        create_role,
    ),
    op(
        "create-policy",
        "CreatePolicy",
        &[
            POLICY_NAME,
            required("--policy-document", ParamKind::String),
            param("--path", ParamKind::String),
            param("--description", ParamKind::String),
        ],
        create_policy,
    ),
    op(
        "delete-policy",
        "DeletePolicy",
        &[POLICY_ARN],
        delete_policy,
    ),
    op("delete-role", "DeleteRole", &[ROLE], delete_role),
    op(
        "delete-role-policy",
        "DeleteRolePolicy",
        &[ROLE, POLICY_NAME],
        delete_role_policy,
    ),
    op(
        "detach-role-policy",
        "DetachRolePolicy",
        &[ROLE, POLICY_ARN],
        detach_role_policy,
    ),
    op("get-policy", "GetPolicy", &[POLICY_ARN], get_policy),
    op(
        "get-policy-version",
        "GetPolicyVersion",
        &[POLICY_ARN, required("--version-id", ParamKind::String)],
        get_policy_version,
    ),
    op("get-role", "GetRole", &[ROLE], get_role),
    op(
        "get-role-policy",
        "GetRolePolicy",
        &[ROLE, POLICY_NAME],
        get_role_policy,
    ),
    op(
        "list-attached-role-policies",
        "ListAttachedRolePolicies",
        &[ROLE],
        list_attached_role_policies,
    ),
    op(
        "list-policies",
        "ListPolicies",
        &[param("--scope", ParamKind::String)],
        list_policies,
    ),
    op(
        "list-role-policies",
        "ListRolePolicies",
        &[ROLE],
        list_role_policies,
    ),
    op("list-roles", "ListRoles", &[], list_roles),
    op(
        "put-role-policy",
        "PutRolePolicy",
        &[
            ROLE,
            POLICY_NAME,
            required("--policy-document", ParamKind::String),
        ],
        put_role_policy,
    ),
    op(
        "simulate-principal-policy",
        "SimulatePrincipalPolicy",
        &[
            required("--policy-source-arn", ParamKind::String),
            required("--action-names", ParamKind::Strings),
            param("--resource-arns", ParamKind::Strings),
            param("--context-entries", ParamKind::Strings),
        ],
        simulate_principal_policy,
    ),
];

/// IAM keeps whole seconds: the CLI's timestamp of the instant without its milliseconds.
fn iam_date(ms: Millis) -> String {
    cli_time(ms - ms.rem_euclid(1000))
}

/// A JSON document as IAM returns it: parsed (the CLI decodes the URL-encoded text).
fn document(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| json!(text))
}

fn role_json(role: &Role, full: bool) -> Value {
    let mut out = json!({
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn(),
        "CreateDate": iam_date(role.created_ms),
        "AssumeRolePolicyDocument": document(&role.trust_policy),
    });
    if let Some(description) = &role.description {
        out["Description"] = json!(description);
    }
    out["MaxSessionDuration"] = json!(3600);
    if full {
        out["RoleLastUsed"] = json!({});
    }
    out
}

fn create_role(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let role = services.iam.create_role(
        &mut env,
        args.required_text("--role-name"),
        args.text("--path"),
        args.required_text("--assume-role-policy-document"),
        args.text("--description"),
    )?;
    let mut out = role_json(role, false);
    if let Some(object) = out.as_object_mut() {
        object.remove("MaxSessionDuration");
    }
    Ok(json!({ "Role": out }))
}

fn delete_role(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .iam
        .delete_role(&mut env, args.required_text("--role-name"))?;
    Ok(json!({}))
}

fn role<'a>(ctx: &'a Ctx, args: &Args) -> Result<&'a Role, ServiceError> {
    ctx.world
        .services()
        .iam
        .role(args.required_text("--role-name"))
}

fn get_role(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    Ok(json!({ "Role": role_json(role(ctx, args)?, true) }))
}

fn list_roles(ctx: &mut Ctx, _args: &Args) -> Result<Value, CallError> {
    let roles: Vec<Value> = ctx
        .world
        .services()
        .iam
        .roles()
        .map(|role| role_json(role, false))
        .collect();
    Ok(json!({ "Roles": roles }))
}

fn put_role_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.iam.put_role_policy(
        &mut env,
        args.required_text("--role-name"),
        args.required_text("--policy-name"),
        args.required_text("--policy-document"),
    )?;
    Ok(json!({}))
}

fn get_role_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let role = role(ctx, args)?;
    let name = args.required_text("--policy-name");
    let doc = role.inline.get(name).ok_or_else(|| {
        ServiceError::new(
            "NoSuchEntity",
            format!("The role policy with name {name} cannot be found."),
        )
    })?;
    Ok(json!({ "RoleName": role.name, "PolicyName": name, "PolicyDocument": document(doc) }))
}

fn delete_role_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.iam.delete_role_policy(
        &mut env,
        args.required_text("--role-name"),
        args.required_text("--policy-name"),
    )?;
    Ok(json!({}))
}

fn list_role_policies(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let names: Vec<&String> = role(ctx, args)?.inline.keys().collect();
    Ok(json!({ "PolicyNames": names }))
}

fn attach_role_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.iam.attach_role_policy(
        &mut env,
        args.required_text("--role-name"),
        args.required_text("--policy-arn"),
    )?;
    Ok(json!({}))
}

fn detach_role_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services.iam.detach_role_policy(
        &mut env,
        args.required_text("--role-name"),
        args.required_text("--policy-arn"),
    )?;
    Ok(json!({}))
}

fn list_attached_role_policies(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let iam = &ctx.world.services().iam;
    let attached: Vec<Value> = role(ctx, args)?
        .attached
        .iter()
        .filter_map(|arn| iam.managed(arn))
        .map(|p| json!({ "PolicyName": p.name, "PolicyArn": p.arn }))
        .collect();
    Ok(json!({ "AttachedPolicies": attached }))
}

fn no_such_policy(arn: &str) -> ServiceError {
    ServiceError::new(
        "NoSuchEntity",
        format!("Policy {arn} does not exist or is not attachable."),
    )
}

/// A managed policy as GetPolicy, CreatePolicy and ListPolicies show it.
fn policy_json(ctx: &Ctx, arn: &str) -> Result<Value, ServiceError> {
    let iam = &ctx.world.services().iam;
    let policy = iam.managed(arn).ok_or_else(|| no_such_policy(arn))?;
    let own = iam.customer_policies().find(|p| p.arn() == arn);
    let mut out = serde_json::Map::new();
    out.insert("PolicyName".into(), json!(policy.name));
    if let Some(own) = own {
        out.insert("PolicyId".into(), json!(own.policy_id));
    }
    out.insert("Arn".into(), json!(policy.arn));
    out.insert("Path".into(), json!(policy.path));
    out.insert("DefaultVersionId".into(), json!("v1"));
    out.insert("AttachmentCount".into(), json!(iam.attachment_count(arn)));
    out.insert("PermissionsBoundaryUsageCount".into(), json!(0));
    out.insert("IsAttachable".into(), json!(true));
    if let Some(own) = own {
        if let Some(description) = &own.description {
            out.insert("Description".into(), json!(description));
        }
        let date = iam_date(own.created_ms);
        out.insert("CreateDate".into(), json!(date));
        out.insert("UpdateDate".into(), json!(date));
    }
    let out = Value::Object(out);
    Ok(out)
}

fn get_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    Ok(json!({ "Policy": policy_json(ctx, args.required_text("--policy-arn"))? }))
}

fn create_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let arn = services
        .iam
        .create_policy(
            &mut env,
            args.required_text("--policy-name"),
            args.text("--path"),
            args.required_text("--policy-document"),
            args.text("--description"),
        )?
        .arn();
    Ok(json!({ "Policy": policy_json(ctx, &arn)? }))
}

fn delete_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    services
        .iam
        .delete_policy(&mut env, args.required_text("--policy-arn"))?;
    Ok(json!({}))
}

fn get_policy_version(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let arn = args.required_text("--policy-arn");
    let version = args.required_text("--version-id");
    let iam = &ctx.world.services().iam;
    let policy = iam.managed(arn).ok_or_else(|| no_such_policy(arn))?;
    if version != "v1" {
        return Err(ServiceError::new(
            "NoSuchEntity",
            format!("Policy {arn} version {version} does not exist or is not attachable."),
        )
        .into());
    }
    Ok(json!({ "PolicyVersion": {
        "Document": document(policy.document),
        "VersionId": "v1",
        "IsDefaultVersion": true,
    }}))
}

/// ListPolicies: `--scope Local` (the account's own), `AWS` or `All` (the default).
fn list_policies(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let scope = args.text("--scope").unwrap_or("All");
    if !["All", "AWS", "Local"].contains(&scope) {
        return Err(CallError::api(
            "ValidationError",
            format!(
                "1 validation error detected: Value '{scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
            ),
            None,
        ));
    }
    let iam = &ctx.world.services().iam;
    let aws = managed_policies().iter().map(|p| p.arn.to_string());
    let local = iam.customer_policies().map(|p| p.arn());
    let arns: Vec<String> = match scope {
        "AWS" => aws.collect(),
        "Local" => local.collect(),
        _ => aws.chain(local).collect(),
    };
    let policies = arns
        .iter()
        .map(|arn| policy_json(ctx, arn))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "Policies": policies, "IsTruncated": false }))
}

/// `--context-entries` entries (JSON or shorthand) as the evaluation's context: values as
/// given, keys case-insensitive.
fn context(ctx: &Ctx, args: &Args) -> Result<Context, CallError> {
    let mut context: Context = BTreeMap::new();
    for entry in args.strings("--context-entries") {
        let value =
            super::shapes::read_value("--context-entries", entry, &CONTEXT_ENTRY, &*ctx.files)
                .map_err(CallError::Validation)?;
        let entries = match value {
            Value::Array(items) => items,
            one => vec![one],
        };
        for entry in entries {
            let Some(name) = entry.get("ContextKeyName").and_then(Value::as_str) else {
                return Err(CallError::Validation(
                    "Missing required parameter in ContextEntries: \"ContextKeyName\"".into(),
                ));
            };
            let values = match entry.get("ContextKeyValues") {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect(),
                Some(Value::String(one)) => vec![one.clone()],
                _ => Vec::new(),
            };
            context
                .entry(name.to_lowercase())
                .or_default()
                .extend(values);
        }
    }
    Ok(context)
}

fn simulate_principal_policy(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let source = args.required_text("--policy-source-arn");
    let iam = &ctx.world.services().iam;
    let role = if role_name_of(source).is_some() {
        iam.role_by_arn(source)?
    } else {
        return Err(CallError::api(
            "InvalidInput",
            format!(
                "Invalid ARN: Could not be parsed! The playground simulates role ARNs (arn:aws:iam::{ACCOUNT_ID}:role/NAME), not {source}"
            ),
            None,
        ));
    };
    let context = context(ctx, args)?;
    let resources: Vec<String> = match args.strings("--resource-arns") {
        [] => vec!["*".to_string()],
        given => given.to_vec(),
    };
    let iam = &ctx.world.services().iam;
    let mut results = Vec::new();
    for action in args.strings("--action-names") {
        for resource in &resources {
            let evaluation = iam.simulate(role, action, resource, &context);
            results.push(result_json(action, resource, &evaluation));
        }
    }
    Ok(json!({ "EvaluationResults": results, "IsTruncated": false }))
}

fn result_json(action: &str, resource: &str, evaluation: &Evaluation) -> Value {
    let matched: Vec<Value> = evaluation
        .matched
        .iter()
        .map(|m| {
            json!({
                "SourcePolicyId": m.policy_id,
                "SourcePolicyType": "IAM Policy",
                "StartPosition": { "Line": m.start.0, "Column": m.start.1 },
                "EndPosition": { "Line": m.end.0, "Column": m.end.1 },
            })
        })
        .collect();
    json!({
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": evaluation.decision.as_str(),
        "MatchedStatements": matched,
        "MissingContextValues": evaluation.missing_context_keys,
    })
}
