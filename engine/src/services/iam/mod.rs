//! IAM: roles with trust policies, inline and AWS-managed policies, and the authorization of
//! every call a Lambda function makes. `policy` is the policy language and its evaluation;
//! `managed` holds AWS's managed policies as data; `explain` says why a call was denied.

pub mod explain;
pub mod managed;
pub mod policy;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use self::explain::{DENIALS_KEPT_MAX, DenialRecord, Explanation, PolicySource};
use self::policy::{Context, Decision, Evaluation, Policy, Request};
use super::{ACCOUNT_ID, ServiceError};
use crate::sim::{Env, Millis};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub path: String,
    pub role_id: String,
    pub created_ms: Millis,
    pub description: Option<String>,
    /// The trust policy as given (who may assume the role).
    pub trust_policy: String,
    /// Inline policies by name, as given.
    pub inline: BTreeMap<String, String>,
    /// ARNs of attached managed policies.
    pub attached: BTreeSet<String>,
}

impl Role {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_ID}:role{}{}", self.path, self.name)
    }

    /// Whether the trust policy lets `service` (e.g. `lambda.amazonaws.com`) assume the role.
    pub fn trusts(&self, service: &str) -> bool {
        let Ok(doc) = serde_json::from_str::<Value>(&self.trust_policy) else {
            return false;
        };
        let statements = match doc.get("Statement") {
            Some(Value::Array(items)) => items.clone(),
            Some(one) => vec![one.clone()],
            None => return false,
        };
        let has = |value: Option<&Value>, wanted: &str| match value {
            Some(Value::String(s)) => s == wanted || s == "*",
            Some(Value::Array(items)) => items.iter().any(|v| v.as_str() == Some(wanted)),
            _ => false,
        };
        statements.iter().any(|s| {
            s.get("Effect").and_then(Value::as_str) == Some("Allow")
                && has(s.get("Action"), "sts:AssumeRole")
                && has(s.get("Principal").and_then(|p| p.get("Service")), service)
        })
    }
}

/// A role session's identity policies, parsed, ready to decide calls.
pub struct SessionPolicies {
    principal: String,
    role: String,
    /// `None` when the role no longer exists.
    policies: Option<Vec<(PolicySource, Policy)>>,
}

impl SessionPolicies {
    /// IAM's decision for one call; the error is AWS's AccessDenied sentence.
    pub fn decide(&self, action: &str, resource: &str, context: &Context) -> Result<(), Denial> {
        let principal = &self.principal;
        let request = Request {
            action,
            resource,
            context,
        };
        let Some(policies) = &self.policies else {
            return Err(Denial {
                decision: Decision::ImplicitDeny,
                message: format!(
                    "User: {principal} is not authorized to perform: {action} on resource: \"{resource}\" because the role {} no longer exists",
                    self.role
                ),
                explanation: Box::new(explain::explain(
                    principal,
                    &self.role,
                    None,
                    &request,
                    Decision::ImplicitDeny,
                )),
            });
        };
        let refs: Vec<(&str, &Policy)> = policies
            .iter()
            .map(|(source, p)| (source.name.as_str(), p))
            .collect();
        let evaluation = policy::evaluate(&refs, &request);
        let because = match evaluation.decision {
            Decision::Allowed => return Ok(()),
            Decision::ExplicitDeny => {
                "with an explicit deny in an identity-based policy".to_string()
            }
            Decision::ImplicitDeny => {
                format!("because no identity-based policy allows the {action} action")
            }
        };
        Err(Denial {
            decision: evaluation.decision,
            message: format!(
                "User: {principal} is not authorized to perform: {action} on resource: \"{resource}\" {because}"
            ),
            explanation: Box::new(explain::explain(
                principal,
                &self.role,
                Some(policies),
                &request,
                evaluation.decision,
            )),
        })
    }
}

/// A call IAM refused, in the words AWS uses, with the decision behind it and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    pub decision: Decision,
    pub message: String,
    pub explanation: Box<Explanation>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Iam {
    roles: BTreeMap<String, Role>,
    /// Every (action, resource) each role's sessions asked for, for the least-privilege helper.
    used: BTreeMap<String, BTreeSet<(String, String)>>,
    /// Customer managed policies by ARN.
    #[serde(default)]
    policies: BTreeMap<String, CustomerPolicy>,
    /// The latest denied calls, oldest first, at most `DENIALS_KEPT_MAX`.
    denials: Vec<DenialRecord>,
    /// Denials ever recorded: the id of the latest.
    denials_total: u64,
}

/// A managed policy the account created (CreatePolicy); one version, `v1`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPolicy {
    pub name: String,
    pub path: String,
    pub policy_id: String,
    pub document: String,
    pub description: Option<String>,
    pub created_ms: Millis,
}

impl CustomerPolicy {
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::{ACCOUNT_ID}:policy{}{}", self.path, self.name)
    }
}

/// A managed policy as attachments see it: AWS's or the account's own.
pub struct ManagedRef<'a> {
    pub name: &'a str,
    pub arn: String,
    pub path: &'a str,
    pub document: &'a str,
    pub aws_managed: bool,
}

/// Distinct calls remembered per role for `sim least-privilege`: a day of queries reads
/// hundreds of thousands of objects, and the proposal folds them into prefixes anyway.
pub const USED_CALLS_PER_ROLE_MAX: usize = 10_000;

fn no_such_role(name: &str) -> ServiceError {
    ServiceError::new(
        "NoSuchEntity",
        format!("The role with name {name} cannot be found."),
    )
}

fn malformed(message: String) -> ServiceError {
    ServiceError::new("MalformedPolicyDocument", message)
}

/// The role name in a role ARN (`arn:aws:iam::123456789012:role/path/name`).
pub fn role_name_of(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix(&format!("arn:aws:iam::{ACCOUNT_ID}:role/"))?;
    rest.rsplit('/').next().filter(|name| !name.is_empty())
}

impl Iam {
    pub fn roles(&self) -> impl Iterator<Item = &Role> {
        self.roles.values()
    }

    pub fn role(&self, name: &str) -> Result<&Role, ServiceError> {
        self.roles.get(name).ok_or_else(|| no_such_role(name))
    }

    fn role_mut(&mut self, name: &str) -> Result<&mut Role, ServiceError> {
        self.roles.get_mut(name).ok_or_else(|| no_such_role(name))
    }

    /// The role an ARN names, or IAM's error for an unknown one.
    pub fn role_by_arn(&self, arn: &str) -> Result<&Role, ServiceError> {
        let name = role_name_of(arn).ok_or_else(|| {
            ServiceError::new(
                "ValidationError",
                format!("Invalid ARN: {arn} is not a role ARN in account {ACCOUNT_ID}."),
            )
        })?;
        let role = self.role(name)?;
        if role.arn() == arn {
            Ok(role)
        } else {
            Err(no_such_role(name))
        }
    }

    pub fn create_role(
        &mut self,
        env: &mut Env,
        name: &str,
        path: Option<&str>,
        trust_policy: &str,
        description: Option<&str>,
    ) -> Result<&Role, ServiceError> {
        check_role_name(name)?;
        let path = path.unwrap_or("/");
        if !path.starts_with('/') || !path.ends_with('/') {
            return Err(ServiceError::new(
                "ValidationError",
                "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.",
            ));
        }
        check_trust_policy(trust_policy)?;
        if self.roles.contains_key(name) {
            return Err(ServiceError::new(
                "EntityAlreadyExists",
                format!("Role with name {name} already exists."),
            ));
        }
        let role_id = format!("AROA{}", random_id(env, 17));
        env.record(
            "iam",
            "role-created",
            vec![("role", name.into()), ("role-id", role_id.as_str().into())],
        );
        let role = Role {
            name: name.to_string(),
            path: path.to_string(),
            role_id,
            created_ms: env.now_ms,
            description: description.map(str::to_string),
            trust_policy: trust_policy.to_string(),
            inline: BTreeMap::new(),
            attached: BTreeSet::new(),
        };
        Ok(self.roles.entry(name.to_string()).or_insert(role))
    }

    /// DeleteRole: only a role without policies can go, as IAM insists.
    pub fn delete_role(&mut self, env: &mut Env, name: &str) -> Result<(), ServiceError> {
        let role = self.role(name)?;
        let conflict = if !role.attached.is_empty() {
            "Cannot delete entity, must detach all policies first."
        } else if !role.inline.is_empty() {
            "Cannot delete entity, must delete policies first."
        } else {
            self.roles.remove(name);
            env.record("iam", "role-deleted", vec![("role", name.into())]);
            return Ok(());
        };
        Err(ServiceError::new("DeleteConflict", conflict))
    }

    pub fn put_role_policy(
        &mut self,
        env: &mut Env,
        role: &str,
        policy_name: &str,
        document: &str,
    ) -> Result<(), ServiceError> {
        Policy::parse(document).map_err(malformed)?;
        let role = self.role_mut(role)?;
        role.inline
            .insert(policy_name.to_string(), document.to_string());
        record_policy_change(env, "role-policy-put", &role.name, "policy", policy_name);
        Ok(())
    }

    pub fn delete_role_policy(
        &mut self,
        env: &mut Env,
        role: &str,
        policy_name: &str,
    ) -> Result<(), ServiceError> {
        let role = self.role_mut(role)?;
        if role.inline.remove(policy_name).is_none() {
            return Err(ServiceError::new(
                "NoSuchEntity",
                format!("The role policy with name {policy_name} cannot be found."),
            ));
        }
        record_policy_change(
            env,
            "role-policy-deleted",
            &role.name,
            "policy",
            policy_name,
        );
        Ok(())
    }

    /// A managed policy by ARN: one of AWS's, or one the account created.
    pub fn managed(&self, arn: &str) -> Option<ManagedRef<'_>> {
        if let Some(policy) = managed::managed_policy(arn) {
            return Some(ManagedRef {
                name: policy.name,
                arn: policy.arn.to_string(),
                path: policy.path,
                document: policy.document,
                aws_managed: true,
            });
        }
        self.policies.get(arn).map(|policy| ManagedRef {
            name: &policy.name,
            arn: policy.arn(),
            path: &policy.path,
            document: &policy.document,
            aws_managed: false,
        })
    }

    pub fn customer_policies(&self) -> impl Iterator<Item = &CustomerPolicy> {
        self.policies.values()
    }

    /// How many roles have the policy attached.
    pub fn attachment_count(&self, arn: &str) -> usize {
        self.roles
            .values()
            .filter(|r| r.attached.contains(arn))
            .count()
    }

    /// CreatePolicy: a customer managed policy (its document checked like any policy).
    pub fn create_policy(
        &mut self,
        env: &mut Env,
        name: &str,
        path: Option<&str>,
        document: &str,
        description: Option<&str>,
    ) -> Result<&CustomerPolicy, ServiceError> {
        check_name("policyName", name, 128)?;
        Policy::parse(document).map_err(malformed)?;
        let path = path.unwrap_or("/");
        let arn = format!("arn:aws:iam::{ACCOUNT_ID}:policy{path}{name}");
        if self.policies.values().any(|p| p.name == name) {
            return Err(ServiceError::new(
                "EntityAlreadyExists",
                format!("A policy called {name} already exists. Duplicate names are not allowed."),
            ));
        }
        let policy = CustomerPolicy {
            name: name.to_string(),
            path: path.to_string(),
            policy_id: format!("ANPA{}", random_id(env, 17)),
            document: document.to_string(),
            description: description.map(str::to_string),
            created_ms: env.now_ms,
        };
        env.record(
            "iam",
            "policy-created",
            vec![("policy-arn", arn.as_str().into())],
        );
        Ok(self.policies.entry(arn).or_insert(policy))
    }

    /// DeletePolicy: only a policy no role has attached.
    pub fn delete_policy(&mut self, env: &mut Env, arn: &str) -> Result<(), ServiceError> {
        check_policy_arn(arn)?;
        if !self.policies.contains_key(arn) {
            return Err(ServiceError::new(
                "NoSuchEntity",
                format!("Policy {arn} does not exist or is not attachable."),
            ));
        }
        if self.attachment_count(arn) > 0 {
            return Err(ServiceError::new(
                "DeleteConflict",
                "Cannot delete a policy attached to entities.",
            ));
        }
        self.policies.remove(arn);
        env.record("iam", "policy-deleted", vec![("policy-arn", arn.into())]);
        Ok(())
    }

    pub fn attach_role_policy(
        &mut self,
        env: &mut Env,
        role: &str,
        policy_arn: &str,
    ) -> Result<(), ServiceError> {
        check_policy_arn(policy_arn)?;
        if self.managed(policy_arn).is_none() {
            return Err(ServiceError::new(
                "NoSuchEntity",
                format!("Policy {policy_arn} does not exist or is not attachable."),
            ));
        }
        let role = self.role_mut(role)?;
        role.attached.insert(policy_arn.to_string());
        record_policy_change(
            env,
            "role-policy-attached",
            &role.name,
            "policy-arn",
            policy_arn,
        );
        Ok(())
    }

    pub fn detach_role_policy(
        &mut self,
        env: &mut Env,
        role: &str,
        policy_arn: &str,
    ) -> Result<(), ServiceError> {
        check_policy_arn(policy_arn)?;
        let role = self.role_mut(role)?;
        if !role.attached.remove(policy_arn) {
            return Err(ServiceError::new(
                "NoSuchEntity",
                format!("Policy {policy_arn} was not found."),
            ));
        }
        record_policy_change(
            env,
            "role-policy-detached",
            &role.name,
            "policy-arn",
            policy_arn,
        );
        Ok(())
    }

    /// Every policy that applies to the role's sessions: inline ones, then attached ones.
    fn policies_of(&self, role: &Role) -> Vec<(PolicySource, Policy)> {
        let inline = role.inline.iter().filter_map(|(name, doc)| {
            let source = PolicySource {
                name: name.clone(),
                arn: None,
            };
            Some((source, Policy::parse(doc).ok()?))
        });
        let attached = role.attached.iter().filter_map(|arn| {
            let managed = self.managed(arn)?;
            let source = PolicySource {
                name: managed.name.to_string(),
                arn: Some(arn.clone()),
            };
            Some((source, Policy::parse(managed.document).ok()?))
        });
        inline.chain(attached).collect()
    }

    /// Evaluates one request against the role's identity-based policies.
    pub fn simulate(
        &self,
        role: &Role,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Evaluation {
        let policies = self.policies_of(role);
        let refs: Vec<(&str, &Policy)> = policies
            .iter()
            .map(|(source, p)| (source.name.as_str(), p))
            .collect();
        policy::evaluate(
            &refs,
            &Request {
                action,
                resource,
                context,
            },
        )
    }

    /// Authorizes a call made by `session` (a Lambda function's name) under `role` at `now_ms`,
    /// remembering it for the least-privilege helper and, if denied, for `sim iam explain`.
    /// The error reads as AWS writes it.
    pub fn authorize(
        &mut self,
        now_ms: Millis,
        role: &str,
        session: &str,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Result<(), Denial> {
        self.record_used(role, [(action.to_string(), resource.to_string())]);
        let decided = self.decide(role, session, action, resource, context);
        if let Err(denial) = &decided {
            self.record_denial(now_ms, denial);
        }
        decided
    }

    /// Remembers a denied call and why, keeping the latest `DENIALS_KEPT_MAX`.
    pub fn record_denial(&mut self, now_ms: Millis, denial: &Denial) {
        self.denials_total += 1;
        if self.denials.len() == DENIALS_KEPT_MAX {
            self.denials.remove(0);
        }
        self.denials.push(DenialRecord {
            id: self.denials_total,
            time_ms: now_ms,
            message: denial.message.clone(),
            explanation: (*denial.explanation).clone(),
        });
    }

    /// Records a call its caller refused after asking IAM itself (Scheduler, which decides with
    /// `simulate`), explained against the role's policies now, with the caller's `message`.
    #[allow(clippy::too_many_arguments)]
    pub fn record_refusal(
        &mut self,
        now_ms: Millis,
        role: &str,
        session: &str,
        action: &str,
        resource: &str,
        context: &Context,
        message: String,
    ) {
        if let Err(denial) = self.decide(role, session, action, resource, context) {
            self.record_denial(now_ms, &Denial { message, ..denial });
        }
    }

    /// The denials kept, oldest first.
    pub fn denials(&self) -> &[DenialRecord] {
        &self.denials
    }

    /// The id of the latest denial (0 before the first).
    pub fn denials_total(&self) -> u64 {
        self.denials_total
    }

    /// Which kept denial a terminal reply is about: the latest one newer than `after_id` (the
    /// command caused it), else the latest whose AccessDenied sentence the reply quotes (it
    /// shows an earlier one, e.g. a function's log).
    pub fn denial_for_reply(&self, after_id: u64, reply: &str) -> Option<&DenialRecord> {
        let newest = self.denials.last().filter(|latest| latest.id > after_id);
        newest.or_else(|| {
            self.denials.iter().rev().find(|denial| {
                // A reply may show the sentence as it is (a log) or inside a JSON string.
                let quoted = serde_json::to_string(&denial.message).unwrap_or_default();
                reply.contains(&denial.message) || reply.contains(quoted.trim_matches('"'))
            })
        })
    }

    /// Remembers calls a role's sessions made (for `sim least-privilege`).
    pub fn record_used(&mut self, role: &str, calls: impl IntoIterator<Item = (String, String)>) {
        let used = self.used.entry(role.to_string()).or_default();
        for call in calls {
            if used.len() >= USED_CALLS_PER_ROLE_MAX {
                break;
            }
            used.insert(call);
        }
    }

    /// IAM's decision for one call made by `session` under `role`, without remembering it.
    pub fn decide(
        &self,
        role: &str,
        session: &str,
        action: &str,
        resource: &str,
        context: &Context,
    ) -> Result<(), Denial> {
        self.session_policies(role, session)
            .decide(action, resource, context)
    }

    /// The role's policies parsed once, for a caller that makes many calls (a query reading
    /// every object under a location).
    pub fn session_policies(&self, role: &str, session: &str) -> SessionPolicies {
        SessionPolicies {
            principal: format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/{session}"),
            role: role.to_string(),
            policies: self.role(role).ok().map(|found| self.policies_of(found)),
        }
    }

    /// The request context AWS fills in for a call made with the role's temporary credentials
    /// (keys lower-cased, as evaluation compares them): the time, TLS, the principal and the
    /// region. `aws:SourceIp` is left out: the playground has no network addresses.
    pub fn request_context(&self, now_ms: Millis, role: &str, session: &str) -> Context {
        let mut context = Context::new();
        let mut put = |key: &str, value: String| {
            context.insert(key.to_string(), vec![value]);
        };
        put("aws:currenttime", crate::sim::format_iso(now_ms));
        put("aws:epochtime", now_ms.div_euclid(1000).to_string());
        put("aws:securetransport", "true".into());
        put("aws:principalaccount", ACCOUNT_ID.into());
        put("aws:principaltype", "AssumedRole".into());
        put("aws:requestedregion", "us-east-1".into());
        if let Ok(found) = self.role(role) {
            put("aws:principalarn", found.arn());
            put("aws:userid", format!("{}:{session}", found.role_id));
        }
        context
    }

    /// What the role's sessions asked for so far, as (action, resource) pairs.
    pub fn used_by(&self, role: &str) -> Vec<(String, String)> {
        self.used
            .get(role)
            .map(|used| used.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// One trace line for a change to a role's policies.
fn record_policy_change(env: &mut Env, kind: &str, role: &str, field: &str, policy: &str) {
    env.record(
        "iam",
        kind,
        vec![("role", role.into()), (field, policy.into())],
    );
}

/// Upper-case letters and digits from the world's RNG, as IAM's unique ids use.
fn random_id(env: &mut Env, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..len)
        .map(|_| ALPHABET[env.rng.below(ALPHABET.len() as u64) as usize] as char)
        .collect()
}

fn check_role_name(name: &str) -> Result<(), ServiceError> {
    check_name("roleName", name, 64)
}

/// IAM's rule for role and policy names: `[\w+=,.@-]+`, up to `max` characters.
fn check_name(member: &str, name: &str, max: usize) -> Result<(), ServiceError> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    let constraint = if name.is_empty() || name.len() > max {
        format!("Member must have length less than or equal to {max}")
    } else if !name.chars().all(valid_char) {
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+".to_string()
    } else {
        return Ok(());
    };
    Err(ServiceError::new(
        "ValidationError",
        format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: {constraint}"
        ),
    ))
}

fn check_policy_arn(arn: &str) -> Result<(), ServiceError> {
    if arn.starts_with("arn:aws:iam::") && arn.contains(":policy/") {
        Ok(())
    } else {
        Err(ServiceError::new(
            "ValidationError",
            format!("ARN {arn} is not valid."),
        ))
    }
}

/// A trust policy must be JSON with statements naming a principal.
fn check_trust_policy(text: &str) -> Result<(), ServiceError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|_| malformed("This policy contains invalid Json".into()))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => return Err(malformed("Syntax errors in policy.".into())),
    };
    for statement in &statements {
        if statement.get("Principal").is_none() && statement.get("NotPrincipal").is_none() {
            return Err(malformed("Missing required field Principal".into()));
        }
        if statement.get("Resource").is_some() {
            return Err(malformed("Has prohibited field Resource".into()));
        }
    }
    Ok(())
}
