//! The IAM policy language for identity-based policies: parse and validate a document as IAM's
//! PutRolePolicy and CreatePolicy do (answering with IAM's MalformedPolicyDocument message), and
//! decide a request the way AWS does for one principal without boundaries or SCPs — an explicit
//! deny beats an allow, and no allow at all is an implicit deny
//! (IAM User Guide, "Policy evaluation logic").
//!
//! Matching follows the IAM User Guide: actions are case-insensitive and resources
//! case-sensitive, both with `*` and `?` wildcards; `NotAction` / `NotResource` apply to everything
//! not listed; a `Condition` block ANDs its operators and keys and ORs the values of one key;
//! `${…}` policy variables are filled from the request context in `2012-10-17` policies.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Request context values by key. Keys are matched case-insensitively (store them lower-cased);
/// values are strings as the CLI's `--context-entries` give them; a multivalued key has several.
pub type Context = BTreeMap<String, Vec<String>>;

/// The policy language version that knows policy variables; documents may also say `2008-10-17`
/// or leave the version out, and then `${…}` is plain text.
pub const VERSION_2012: &str = "2012-10-17";
const VERSION_2008: &str = "2008-10-17";

// IAM's MalformedPolicyDocument messages. The first eight are the texts IAM answers with; the
// Effect ones follow the same style where we have not seen IAM's own wording.
const SYNTAX_ERROR: &str = "Syntax errors in policy.";
const HAS_PRINCIPAL: &str = "Policy document should not specify a principal.";
const NO_ACTIONS: &str = "Policy statement must contain actions.";
const NO_RESOURCES: &str = "Policy statement must contain resources.";
const DUPLICATE_SID: &str = "Statement IDs (SID) in a single policy must be unique.";
const BAD_SID: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
const NO_VENDOR: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
const TOO_MANY_COLONS: &str = "Actions/Condition can contain only one colon.";
const NO_EFFECT: &str = "Missing required field Effect";
const BAD_EFFECT: &str = "Statement/Effect must be either Allow or Deny";

/// A parsed, validated identity-based policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    version: Option<String>,
    id: Option<String>,
    statements: Vec<Statement>,
}

/// One statement of a policy, with where it sits in the document's text.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    /// `Action` (listed) or `NotAction` (everything but the listed).
    pub action: Element,
    /// `Resource` (listed) or `NotResource` (everything but the listed).
    pub resource: Element,
    pub conditions: Vec<Condition>,
    /// 1-based line and column of the statement's opening `{`, as simulate-principal-policy
    /// reports a matched statement's StartPosition.
    pub start: (usize, usize),
    /// 1-based line and column of the statement's closing `}` (EndPosition).
    pub end: (usize, usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// An `Action`/`Resource` element or its `Not…` form, as the patterns written in the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Element {
    Listed(Vec<String>),
    AllExcept(Vec<String>),
}

/// One key test of a `Condition` block: `{ operator: { key: values } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// As written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// As written; compared with context keys case-insensitively.
    pub key: String,
    /// The policy's values (numbers and booleans as their JSON text); any one may match.
    pub values: Vec<String>,
    test: Test,
}

/// A request to decide: what is done, to what, with which context.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub context: &'a Context,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    /// The EvalDecision text simulate-principal-policy shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// A statement that applied to the request (simulate-principal-policy's MatchedStatements).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matched {
    pub policy_id: String,
    /// 0-based index into the policy's `statements()`.
    pub statement_index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    /// The statements that decided: the Deny ones if denied explicitly, else the Allow ones.
    pub matched: Vec<Matched>,
    /// Context keys that conditions or policy variables asked for and the request lacked, as
    /// written in the policy (simulate-principal-policy's MissingContextValues).
    pub missing_context_keys: Vec<String>,
}

impl Policy {
    /// Parses and validates like IAM's PutRolePolicy/CreatePolicy; on error returns IAM's
    /// MalformedPolicyDocument message text.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let root = json::parse(text).ok_or(SYNTAX_ERROR)?;
        let json::Value::Object(members) = &root.value else {
            return Err(SYNTAX_ERROR.into());
        };
        let (mut version, mut id, mut statement) = (None, None, None);
        for (key, node) in members {
            match key.as_str() {
                "Version" => version = Some(parse_version(node)?),
                "Id" => id = Some(string(node)?),
                "Statement" => statement = Some(node),
                _ => return Err(SYNTAX_ERROR.into()),
            }
        }
        let statements = parse_statements(text, statement.ok_or(SYNTAX_ERROR)?)?;
        Ok(Policy {
            version,
            id,
            statements,
        })
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// IAM User Guide, "IAM policy elements: Variables and tags": variables are replaced only in
    /// policies that say Version 2012-10-17; older ones read `${…}` as literal text.
    fn substitutes_variables(&self) -> bool {
        self.version.as_deref() == Some(VERSION_2012)
    }
}

fn parse_version(node: &json::Node) -> Result<String, String> {
    let version = string(node)?;
    if version == VERSION_2012 || version == VERSION_2008 {
        Ok(version)
    } else {
        Err(SYNTAX_ERROR.into())
    }
}

/// `Statement` may be one object or an array of them; Sids must be unique across the policy.
fn parse_statements(text: &str, node: &json::Node) -> Result<Vec<Statement>, String> {
    let statements = match &node.value {
        json::Value::Object(_) => vec![parse_statement(text, node)?],
        json::Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|item| parse_statement(text, item))
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(SYNTAX_ERROR.into()),
    };
    let mut sids = BTreeSet::new();
    for sid in statements.iter().filter_map(|s| s.sid.as_deref()) {
        if !sid.is_empty() && !sids.insert(sid) {
            return Err(DUPLICATE_SID.into());
        }
    }
    Ok(statements)
}

fn parse_statement(text: &str, node: &json::Node) -> Result<Statement, String> {
    let json::Value::Object(members) = &node.value else {
        return Err(SYNTAX_ERROR.into());
    };
    let (mut sid, mut effect, mut conditions) = (None, None, Vec::new());
    let (mut action, mut not_action, mut resource, mut not_resource) = (None, None, None, None);
    for (key, value) in members {
        match key.as_str() {
            "Sid" => sid = Some(parse_sid(value)?),
            "Effect" => effect = Some(parse_effect(value)?),
            "Action" => action = Some(string_list(value)?),
            "NotAction" => not_action = Some(string_list(value)?),
            "Resource" => resource = Some(string_list(value)?),
            "NotResource" => not_resource = Some(string_list(value)?),
            "Condition" => conditions = parse_conditions(value)?,
            "Principal" | "NotPrincipal" => return Err(HAS_PRINCIPAL.into()),
            _ => return Err(SYNTAX_ERROR.into()),
        }
    }
    let effect = effect.ok_or(NO_EFFECT)?;
    let action = one_of(action, not_action, NO_ACTIONS)?;
    let resource = one_of(resource, not_resource, NO_RESOURCES)?;
    for pattern in action.patterns() {
        check_action(pattern)?;
    }
    for pattern in resource.patterns() {
        check_resource(pattern)?;
    }
    Ok(Statement {
        sid,
        effect,
        action,
        resource,
        conditions,
        start: json::line_column(text, node.start),
        end: json::line_column(text, node.end),
    })
}

fn parse_sid(node: &json::Node) -> Result<String, String> {
    let sid = string(node)?;
    if sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(sid)
    } else {
        Err(BAD_SID.into())
    }
}

fn parse_effect(node: &json::Node) -> Result<Effect, String> {
    match string(node)?.as_str() {
        "Allow" => Ok(Effect::Allow),
        "Deny" => Ok(Effect::Deny),
        _ => Err(BAD_EFFECT.into()),
    }
}

/// Exactly one of an element and its `Not…` form.
fn one_of(
    listed: Option<Vec<String>>,
    all_except: Option<Vec<String>>,
    missing: &str,
) -> Result<Element, String> {
    match (listed, all_except) {
        (Some(patterns), None) => Ok(Element::Listed(patterns)),
        (None, Some(patterns)) => Ok(Element::AllExcept(patterns)),
        (None, None) => Err(missing.into()),
        (Some(_), Some(_)) => Err(SYNTAX_ERROR.into()),
    }
}

/// An action is `*` or `vendor:name`, with exactly one colon.
fn check_action(pattern: &str) -> Result<(), String> {
    if pattern == "*" {
        return Ok(());
    }
    match pattern.split_once(':') {
        None | Some(("", _)) => Err(NO_VENDOR.into()),
        Some((_, name)) if name.contains(':') => Err(TOO_MANY_COLONS.into()),
        Some(_) => Ok(()),
    }
}

/// A resource is `*` or an ARN; only its `arn:partition:service` start is checked, since a
/// pattern such as `arn:aws:sqs:*` may leave the remaining parts to a wildcard.
fn check_resource(pattern: &str) -> Result<(), String> {
    if pattern == "*" || (pattern.starts_with("arn:") && pattern.splitn(3, ':').count() == 3) {
        Ok(())
    } else {
        Err(format!(
            "Resource {pattern} must be in ARN format or \"*\"."
        ))
    }
}

fn parse_conditions(node: &json::Node) -> Result<Vec<Condition>, String> {
    let json::Value::Object(operators) = &node.value else {
        return Err(SYNTAX_ERROR.into());
    };
    let mut conditions = Vec::new();
    for (operator, keys) in operators {
        let test = Test::parse(operator).ok_or(SYNTAX_ERROR)?;
        let json::Value::Object(keys) = &keys.value else {
            return Err(SYNTAX_ERROR.into());
        };
        for (key, values) in keys {
            if !key.contains(':') {
                return Err(NO_VENDOR.into());
            }
            conditions.push(Condition {
                operator: operator.clone(),
                key: key.clone(),
                values: condition_values(values)?,
                test,
            });
        }
    }
    Ok(conditions)
}

/// A condition's value: one string, number or boolean, or an array of them.
fn condition_values(node: &json::Node) -> Result<Vec<String>, String> {
    match &node.value {
        json::Value::Array(items) => items.iter().map(scalar).collect(),
        _ => Ok(vec![scalar(node)?]),
    }
}

fn scalar(node: &json::Node) -> Result<String, String> {
    match &node.value {
        json::Value::String(text) | json::Value::Number(text) => Ok(text.clone()),
        json::Value::Bool(value) => Ok(value.to_string()),
        _ => Err(SYNTAX_ERROR.into()),
    }
}

fn string(node: &json::Node) -> Result<String, String> {
    match &node.value {
        json::Value::String(text) => Ok(text.clone()),
        _ => Err(SYNTAX_ERROR.into()),
    }
}

/// A string or an array of strings.
fn string_list(node: &json::Node) -> Result<Vec<String>, String> {
    match &node.value {
        json::Value::Array(items) => items.iter().map(string).collect(),
        _ => Ok(vec![string(node)?]),
    }
}

impl Element {
    pub fn patterns(&self) -> &[String] {
        match self {
            Element::Listed(patterns) | Element::AllExcept(patterns) => patterns,
        }
    }

    /// Whether the element applies: some listed pattern matches, or (for `Not…`) none does.
    fn covers(&self, mut matches: impl FnMut(&str) -> bool) -> bool {
        match self {
            Element::Listed(patterns) => patterns.iter().any(|p| matches(p)),
            Element::AllExcept(patterns) => !patterns.iter().any(|p| matches(p)),
        }
    }
}

// ---- Condition operators ------------------------------------------------------------------

/// A parsed condition operator. `Null` stands apart: it tests presence, not values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    Null,
    Compare(Comparison),
}

/// A value-comparing operator: the base comparison, whether it is the negated form
/// (`StringNotEquals`, `NotIpAddress`, …), its set qualifier and its `…IfExists` suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Comparison {
    op: Op,
    negated: bool,
    set: Option<SetOperator>,
    if_exists: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SetOperator {
    ForAnyValue,
    ForAllValues,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Cmp),
    Date(Cmp),
    Bool,
    BinaryEquals,
    IpAddress,
    /// ArnEquals and ArnLike behave alike: both compare the six ARN parts with wildcards.
    Arn,
}

/// How a context value must relate to the policy's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

impl Test {
    /// `[ForAnyValue:|ForAllValues:]Base[IfExists]`, or `Null`; `None` for anything else.
    fn parse(operator: &str) -> Option<Test> {
        if operator == "Null" {
            return Some(Test::Null);
        }
        let (set, rest) = if let Some(rest) = operator.strip_prefix("ForAnyValue:") {
            (Some(SetOperator::ForAnyValue), rest)
        } else if let Some(rest) = operator.strip_prefix("ForAllValues:") {
            (Some(SetOperator::ForAllValues), rest)
        } else {
            (None, operator)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let (op, negated) = base_operator(base)?;
        Some(Test::Compare(Comparison {
            op,
            negated,
            set,
            if_exists,
        }))
    }
}

/// The IAM User Guide's operator table ("IAM JSON policy elements: Condition operators").
fn base_operator(name: &str) -> Option<(Op, bool)> {
    use Cmp::*;
    Some(match name {
        "StringEquals" => (Op::StringEquals, false),
        "StringNotEquals" => (Op::StringEquals, true),
        "StringEqualsIgnoreCase" => (Op::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Op::StringEqualsIgnoreCase, true),
        "StringLike" => (Op::StringLike, false),
        "StringNotLike" => (Op::StringLike, true),
        "NumericEquals" => (Op::Numeric(Equals), false),
        "NumericNotEquals" => (Op::Numeric(Equals), true),
        "NumericLessThan" => (Op::Numeric(LessThan), false),
        "NumericLessThanEquals" => (Op::Numeric(LessThanEquals), false),
        "NumericGreaterThan" => (Op::Numeric(GreaterThan), false),
        "NumericGreaterThanEquals" => (Op::Numeric(GreaterThanEquals), false),
        "DateEquals" => (Op::Date(Equals), false),
        "DateNotEquals" => (Op::Date(Equals), true),
        "DateLessThan" => (Op::Date(LessThan), false),
        "DateLessThanEquals" => (Op::Date(LessThanEquals), false),
        "DateGreaterThan" => (Op::Date(GreaterThan), false),
        "DateGreaterThanEquals" => (Op::Date(GreaterThanEquals), false),
        "Bool" => (Op::Bool, false),
        "BinaryEquals" => (Op::BinaryEquals, false),
        "IpAddress" => (Op::IpAddress, false),
        "NotIpAddress" => (Op::IpAddress, true),
        "ArnEquals" | "ArnLike" => (Op::Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Op::Arn, true),
        _ => return None,
    })
}

impl Comparison {
    /// The result when the request has no value for the key. IAM User Guide, "Condition
    /// operators": "If the key that you specify in a policy condition is not present in the
    /// request context, the values do not match and the condition is false. If the policy
    /// condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and
    /// the right key is not present, the condition is true." So every negated operator
    /// (StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals,
    /// DateNotEquals, NotIpAddress, ArnNotEquals, ArnNotLike) is true, `…IfExists` is true, and
    /// per "Multivalued context keys" ForAllValues is true and ForAnyValue false.
    fn holds_when_absent(self) -> bool {
        if self.if_exists {
            return true;
        }
        match self.set {
            Some(SetOperator::ForAllValues) => true,
            Some(SetOperator::ForAnyValue) => false,
            None => self.negated,
        }
    }

    /// Applies the operator to the request's values. Without a set qualifier the positive form
    /// holds when any request value matches any policy value and the negated form when none
    /// does; with one, each request value is tested on its own (a negated operator: it matches
    /// none of the policy values) and ForAnyValue needs one to pass, ForAllValues all.
    fn holds(self, context_values: &[String], policy_values: &[Vec<Tok>]) -> bool {
        let matches = |value: &String| policy_values.iter().any(|p| self.op.matches(p, value));
        match self.set {
            None => context_values.iter().any(matches) != self.negated,
            Some(SetOperator::ForAnyValue) => context_values
                .iter()
                .any(|value| matches(value) != self.negated),
            Some(SetOperator::ForAllValues) => context_values
                .iter()
                .all(|value| matches(value) != self.negated),
        }
    }
}

impl Op {
    /// "Condition operators" lists policy variables as supported for the string, Boolean and
    /// ARN operators only; the others read `${…}` as text.
    fn takes_variables(self) -> bool {
        matches!(
            self,
            Op::StringEquals | Op::StringEqualsIgnoreCase | Op::StringLike | Op::Bool | Op::Arn
        )
    }

    /// Whether one request value matches one (variable-resolved) policy value.
    fn matches(self, pattern: &[Tok], value: &str) -> bool {
        match self {
            Op::StringEquals => literal(pattern) == value,
            Op::StringEqualsIgnoreCase => literal(pattern).to_lowercase() == value.to_lowercase(),
            Op::StringLike => glob(pattern, &chars(value)),
            Op::Numeric(cmp) => compare(parse_number(value), parse_number(&literal(pattern)), cmp),
            Op::Date(cmp) => compare(parse_date(value), parse_date(&literal(pattern)), cmp),
            Op::Bool => literal(pattern).eq_ignore_ascii_case(value),
            Op::BinaryEquals => decode_base64(&literal(pattern))
                .is_some_and(|bytes| Some(bytes) == decode_base64(value)),
            Op::IpAddress => ip_in_range(value, &literal(pattern)),
            Op::Arn => arn_matches(pattern, value),
        }
    }
}

/// Compares the request's value with the policy's; unparsable on either side never matches.
fn compare<T: PartialOrd>(context: Option<T>, policy: Option<T>, cmp: Cmp) -> bool {
    let (Some(context), Some(policy)) = (context, policy) else {
        return false;
    };
    let Some(ordering) = context.partial_cmp(&policy) else {
        return false;
    };
    match cmp {
        Cmp::Equals => ordering == Ordering::Equal,
        Cmp::LessThan => ordering == Ordering::Less,
        Cmp::LessThanEquals => ordering != Ordering::Greater,
        Cmp::GreaterThan => ordering == Ordering::Greater,
        Cmp::GreaterThanEquals => ordering != Ordering::Less,
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Milliseconds since the epoch of an ISO 8601 date or date-time (UTC unless it says
/// otherwise), or of a whole number of epoch seconds — the forms "Date condition operators"
/// accepts.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return seconds.checked_mul(1000);
    }
    if let Ok(moment) = DateTime::parse_from_rfc3339(text) {
        return Some(moment.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(moment) = NaiveDateTime::parse_from_str(text, format) {
            return Some(moment.and_utc().timestamp_millis());
        }
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .ok()
}

/// Whether `address` lies in `range`, a CIDR block or a bare address (a /32, or /128 for IPv6).
fn ip_in_range(address: &str, range: &str) -> bool {
    let (Some((address, _)), Some((network, prefix))) = (parse_cidr(address), parse_cidr(range))
    else {
        return false;
    };
    match (network, address) {
        (IpAddr::V4(network), IpAddr::V4(address)) => same_prefix(
            u32::from(network).into(),
            u32::from(address).into(),
            32 - prefix,
        ),
        (IpAddr::V6(network), IpAddr::V6(address)) => {
            same_prefix(u128::from(network), u128::from(address), 128 - prefix)
        }
        _ => false,
    }
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u32)> {
    let (address, prefix) = match text.trim().split_once('/') {
        Some((address, prefix)) => (address, Some(prefix.parse::<u32>().ok()?)),
        None => (text.trim(), None),
    };
    let address: IpAddr = address.parse().ok()?;
    let width = if address.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(width);
    (prefix <= width).then_some((address, prefix))
}

/// Whether two addresses agree once their low `host_bits` are dropped.
fn same_prefix(a: u128, b: u128, host_bits: u32) -> bool {
    a.checked_shr(host_bits).unwrap_or(0) == b.checked_shr(host_bits).unwrap_or(0)
}

/// "ARN condition operators": each of the six colon-separated parts is compared on its own,
/// case-sensitively, with `*` and `?` wildcards that cannot reach into the next part (the last
/// part, the resource, keeps any further colons).
fn arn_matches(pattern: &[Tok], arn: &str) -> bool {
    let pattern_parts: Vec<&[Tok]> = pattern.splitn(6, |tok| *tok == Tok::Char(':')).collect();
    let arn_parts: Vec<&str> = arn.splitn(6, ':').collect();
    pattern_parts.len() == 6
        && arn_parts.len() == 6
        && pattern_parts
            .iter()
            .zip(&arn_parts)
            .all(|(pattern, part)| glob(pattern, &chars(part)))
}

// ---- Wildcards and policy variables --------------------------------------------------------

/// One element of a policy value once its variables are resolved: a character to match as is,
/// or a wildcard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Char(char),
    /// `*`: any run of characters, including none.
    AnyRun,
    /// `?`: exactly one character.
    AnyOne,
}

/// Where `${…}` variables are looked up, and whether the policy's version allows them.
struct Variables<'a> {
    context: &'a Context,
    enabled: bool,
}

/// Reads a policy value into tokens, replacing `${key}` with the key's single context value and
/// `${*}`, `${?}`, `${$}` with the literal character. `None` when a variable has no value and no
/// default ("Policy variables with no value": the element then matches nothing); the key is
/// recorded as missing.
fn tokens(text: &str, variables: &Variables, missing: &mut Vec<String>) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables.enabled
            && rest.starts_with("${")
            && let Some(close) = variable_end(rest)
        {
            let value = resolve_variable(&rest[2..close], variables, missing)?;
            out.extend(value.chars().map(Tok::Char));
            rest = &rest[close + 1..];
            continue;
        }
        out.push(wildcard(c));
        rest = &rest[c.len_utf8()..];
    }
    Some(out)
}

/// A policy character as a token: `*` and `?` are wildcards, everything else itself.
fn wildcard(c: char) -> Tok {
    match c {
        '*' => Tok::AnyRun,
        '?' => Tok::AnyOne,
        c => Tok::Char(c),
    }
}

/// The byte index of the `}` closing the variable that `text` starts with, skipping any inside
/// a quoted default value.
fn variable_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    for (index, c) in text.char_indices().skip(2) {
        match c {
            '\'' => quoted = !quoted,
            '}' if !quoted => return Some(index),
            _ => {}
        }
    }
    None
}

/// The value of one `${…}`: an escape, the key's single value, or its default
/// (`${key, 'default'}`, where `''` stands for a quote). A multivalued key cannot be a variable.
fn resolve_variable(
    inner: &str,
    variables: &Variables,
    missing: &mut Vec<String>,
) -> Option<String> {
    if matches!(inner, "*" | "?" | "$") {
        return Some(inner.to_string());
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => (key.trim(), quoted_default(default.trim())),
        None => (inner.trim(), None),
    };
    match lookup(variables.context, key) {
        Some([value]) => Some(value.clone()),
        Some(values) if values.len() > 1 => default,
        _ => {
            if default.is_none() {
                note_missing(missing, key);
            }
            default
        }
    }
}

fn quoted_default(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// The context's values for a key, compared case-insensitively.
fn lookup<'c>(context: &'c Context, key: &str) -> Option<&'c [String]> {
    let lower = key.to_lowercase();
    context
        .get(&lower)
        .or_else(|| {
            context
                .iter()
                .find(|(k, _)| k.to_lowercase() == lower)
                .map(|(_, v)| v)
        })
        .map(Vec::as_slice)
}

fn note_missing(missing: &mut Vec<String>, key: &str) {
    if !missing.iter().any(|known| known.eq_ignore_ascii_case(key)) {
        missing.push(key.to_string());
    }
}

/// The tokens as text, wildcards written back as `*` and `?` (for operators without wildcards).
fn literal(pattern: &[Tok]) -> String {
    pattern
        .iter()
        .map(|tok| match tok {
            Tok::Char(c) => *c,
            Tok::AnyRun => '*',
            Tok::AnyOne => '?',
        })
        .collect()
}

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// Wildcard matching of the whole text: greedy on `*`, backing up to the last `*` on a mismatch,
/// so it runs in time proportional to pattern × text at worst.
fn glob(pattern: &[Tok], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match pattern.get(p) {
            Some(Tok::AnyRun) => {
                last_star = Some((p + 1, t));
                p += 1;
            }
            Some(Tok::AnyOne) => (p, t) = (p + 1, t + 1),
            Some(Tok::Char(expected)) if *expected == c => (p, t) = (p + 1, t + 1),
            _ => match last_star {
                Some((after_star, from)) => {
                    last_star = Some((after_star, from + 1));
                    (p, t) = (after_star, from + 1);
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|tok| *tok == Tok::AnyRun))
}

/// `glob` for ASCII pattern and text, without building token lists: the same algorithm, with
/// ASCII case folding when `fold`. Every evaluation of a policy matches many patterns, and
/// actions and ARNs are nearly always ASCII, so this is the path that runs.
fn ascii_glob(pattern: &[u8], text: &[u8], fold: bool) -> bool {
    let same = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match pattern.get(p) {
            Some(b'*') => {
                last_star = Some((p + 1, t));
                p += 1;
            }
            Some(b'?') => (p, t) = (p + 1, t + 1),
            Some(&expected) if same(expected, c) => (p, t) = (p + 1, t + 1),
            _ => match last_star {
                Some((after_star, from)) => {
                    last_star = Some((after_star, from + 1));
                    (p, t) = (after_star, from + 1);
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
}

/// `StringLike` without policy variables: `*` any run of characters, `?` exactly one, over the
/// whole text (Lambda compares a permission's source ARN this way).
pub fn string_like(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        return ascii_glob(pattern.as_bytes(), text.as_bytes(), false);
    }
    let pattern: Vec<Tok> = pattern.chars().map(wildcard).collect();
    glob(&pattern, &chars(text))
}

/// Actions match case-insensitively (`S3:getobject` is `s3:GetObject`) and carry no variables.
fn action_matches(pattern: &str, action: &str) -> bool {
    if pattern.is_ascii() && action.is_ascii() {
        return ascii_glob(pattern.as_bytes(), action.as_bytes(), true);
    }
    let pattern: Vec<Tok> = pattern.to_lowercase().chars().map(wildcard).collect();
    glob(&pattern, &chars(&action.to_lowercase()))
}

/// Resources match case-sensitively, a `*` spanning `/` and `:` alike.
fn resource_matches(
    pattern: &str,
    resource: &str,
    variables: &Variables,
    missing: &mut Vec<String>,
) -> bool {
    let has_variable = variables.enabled && pattern.contains("${");
    if !has_variable && pattern.is_ascii() && resource.is_ascii() {
        return ascii_glob(pattern.as_bytes(), resource.as_bytes(), false);
    }
    tokens(pattern, variables, missing).is_some_and(|pattern| glob(&pattern, &chars(resource)))
}

// ---- Evaluation ----------------------------------------------------------------------------

impl Condition {
    /// Whether this key test passes for the request, noting a key it needs and lacks.
    fn holds(&self, variables: &Variables, missing: &mut Vec<String>) -> bool {
        let present = lookup(variables.context, &self.key).filter(|values| !values.is_empty());
        let comparison = match self.test {
            // "Condition operator to check existence of condition keys": `true` asks for the key
            // to be absent, `false` for it to be present.
            Test::Null => {
                return self
                    .values
                    .iter()
                    .any(|value| value.eq_ignore_ascii_case("true") == present.is_none());
            }
            Test::Compare(comparison) => comparison,
        };
        let Some(context_values) = present else {
            note_missing(missing, &self.key);
            return comparison.holds_when_absent();
        };
        let substitution = Variables {
            context: variables.context,
            enabled: variables.enabled && comparison.op.takes_variables(),
        };
        let policy_values: Vec<Vec<Tok>> = self
            .values
            .iter()
            .filter_map(|value| tokens(value, &substitution, missing))
            .collect();
        comparison.holds(context_values, &policy_values)
    }
}

impl Statement {
    /// Whether the statement applies: its action and resource elements cover the request and
    /// every condition holds.
    fn applies(&self, request: &Request, variables: &Variables, missing: &mut Vec<String>) -> bool {
        self.action
            .covers(|pattern| action_matches(pattern, request.action))
            && self
                .resource
                .covers(|pattern| resource_matches(pattern, request.resource, variables, missing))
            && self.conditions_hold(variables, missing)
    }

    /// Every condition is evaluated, not just up to the first failure, so that every absent
    /// key is reported.
    fn conditions_hold(&self, variables: &Variables, missing: &mut Vec<String>) -> bool {
        let mut all = true;
        for condition in &self.conditions {
            all &= condition.holds(variables, missing);
        }
        all
    }
}

/// Identity-based evaluation, as AWS does it for one principal with no boundaries or SCPs:
/// explicit deny > allow > implicit deny ("Policy evaluation logic").
pub fn evaluate(policies: &[(&str, &Policy)], request: &Request) -> Evaluation {
    let (mut allows, mut denies, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for (policy_id, policy) in policies {
        let variables = Variables {
            context: request.context,
            enabled: policy.substitutes_variables(),
        };
        for (index, statement) in policy.statements.iter().enumerate() {
            if !statement.applies(request, &variables, &mut missing) {
                continue;
            }
            let matched = Matched {
                policy_id: policy_id.to_string(),
                statement_index: index,
                sid: statement.sid.clone(),
                effect: statement.effect,
                start: statement.start,
                end: statement.end,
            };
            match statement.effect {
                Effect::Allow => allows.push(matched),
                Effect::Deny => denies.push(matched),
            }
        }
    }
    let (decision, matched) = if !denies.is_empty() {
        (Decision::ExplicitDeny, denies)
    } else if !allows.is_empty() {
        (Decision::Allowed, allows)
    } else {
        (Decision::ImplicitDeny, Vec::new())
    };
    Evaluation {
        decision,
        matched,
        missing_context_keys: missing,
    }
}

/// How one statement relates to a request, part by part, for explaining a denial: whether its
/// `Action` and `Resource` elements cover the request, and which conditions failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    pub action: bool,
    pub resource: bool,
    pub failed_conditions: Vec<FailedCondition>,
}

/// A condition key test that did not hold, with what the request had for its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedCondition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
    /// `None` when the request has no value for the key.
    pub request_values: Option<Vec<String>>,
}

/// Each statement of `policy` checked against `request` part by part (the same matching
/// `evaluate` does, without stopping at the first part that fails).
pub fn fit(policy: &Policy, request: &Request) -> Vec<Fit> {
    let variables = Variables {
        context: request.context,
        enabled: policy.substitutes_variables(),
    };
    let mut missing = Vec::new();
    policy
        .statements
        .iter()
        .map(|statement| Fit {
            action: statement
                .action
                .covers(|pattern| action_matches(pattern, request.action)),
            resource: statement.resource.covers(|pattern| {
                resource_matches(pattern, request.resource, &variables, &mut missing)
            }),
            failed_conditions: statement
                .conditions
                .iter()
                .filter(|condition| !condition.holds(&variables, &mut missing))
                .map(|condition| FailedCondition {
                    operator: condition.operator.clone(),
                    key: condition.key.clone(),
                    values: condition.values.clone(),
                    request_values: lookup(request.context, &condition.key).map(<[String]>::to_vec),
                })
                .collect(),
        })
        .collect()
}

// ---- Least privilege -----------------------------------------------------------------------

const S3_ARN_PREFIX: &str = "arn:aws:s3:::";

/// Proposes the smallest policy that allows what was used: one Allow statement per service and
/// group of resources used with the same actions, actions deduplicated and sorted, resources
/// exact. The one widening: S3 objects of one bucket in the same "folder" (key up to its last
/// `/`) used with the same actions become `arn:aws:s3:::bucket/folder/*` — only when more than
/// one key was used there, never for keys at the bucket's root (that would be the whole bucket).
/// `*`, `?` and `$` in a used ARN are written as `${*}`, `${?}`, `${$}` so they stay literal.
/// Pretty-printed with 4-space indents, as the AWS CLI prints documents.
pub fn least_privilege(used: &[(String, String)]) -> String {
    let mut actions_by_resource: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for (action, resource) in used {
        let service = action.split(':').next().unwrap_or_default().to_lowercase();
        let resource = log_group_of(resource).unwrap_or(resource);
        actions_by_resource
            .entry((service, resource.to_string()))
            .or_default()
            .insert(action.clone());
    }
    let mut resources_by_actions: BTreeMap<(String, BTreeSet<String>), BTreeSet<String>> =
        BTreeMap::new();
    for (service, actions, resource) in collapse_s3_folders(actions_by_resource) {
        resources_by_actions
            .entry((service, actions))
            .or_default()
            .insert(resource);
    }
    let mut statements: Vec<ProposedStatement> = resources_by_actions
        .into_iter()
        .map(|((_, actions), resources)| ProposedStatement {
            effect: "Allow",
            action: actions.into_iter().collect(),
            resource: resources.into_iter().collect(),
        })
        .collect();
    statements.sort_by(|a, b| (&a.action, &a.resource).cmp(&(&b.action, &b.resource)));
    render(&ProposedPolicy {
        version: VERSION_2012,
        statement: statements,
    })
}

/// Turns (service, resource) → actions into (service, actions, resource pattern), folding S3
/// objects used with one action set under one top-level folder of a bucket into their deepest
/// common folder (`…bucket/logs/2022/06/*` for `logs/2022/06/11/a.json` and
/// `logs/2022/06/12/b.json`) when there are several. Keys at a bucket's root stay exact.
fn collapse_s3_folders(
    actions_by_resource: BTreeMap<(String, String), BTreeSet<String>>,
) -> Vec<(String, BTreeSet<String>, String)> {
    let mut objects: BTreeMap<(String, String, BTreeSet<String>), Vec<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for ((service, resource), actions) in actions_by_resource {
        if let Some(group) = log_group_of(&resource) {
            // Streams come and go with execution environments: grant the group's streams.
            out.push((service, actions, format!("{}:*", escape_wildcards(group))));
            continue;
        }
        match s3_top_folder(&resource) {
            Some(folder) => objects
                .entry((service, folder.to_string(), actions))
                .or_default()
                .push(resource),
            None => out.push((service, actions, escape_wildcards(&resource))),
        }
    }
    for ((service, _, actions), resources) in objects {
        match common_folder(&resources).filter(|_| resources.len() > 1) {
            Some(folder) => out.push((service, actions, format!("{}*", escape_wildcards(folder)))),
            None => out.extend(
                resources
                    .iter()
                    .map(|r| (service.clone(), actions.clone(), escape_wildcards(r))),
            ),
        }
    }
    out
}

/// For `arn:aws:s3:::bucket/dir/…/key`, the ARN up to the key's first folder
/// (`…bucket/dir/`); `None` for buckets and for keys at the bucket's root.
fn s3_top_folder(resource: &str) -> Option<&str> {
    let path = resource.strip_prefix(S3_ARN_PREFIX)?;
    let (bucket, key) = path.split_once('/')?;
    let folder_end = key.find('/')?;
    Some(&resource[..S3_ARN_PREFIX.len() + bucket.len() + 1 + folder_end + 1])
}

/// For a CloudWatch Logs ARN inside a log group (`…:log-group:NAME:log-stream:S`), the group's
/// ARN (`…:log-group:NAME`).
fn log_group_of(resource: &str) -> Option<&str> {
    let start = resource
        .strip_prefix("arn:aws:logs:")?
        .find(":log-group:")?
        + "arn:aws:logs:".len();
    let name_start = start + ":log-group:".len();
    let name_end = resource[name_start..]
        .find(':')
        .map_or(resource.len(), |i| name_start + i);
    Some(&resource[..name_end])
}

/// The longest prefix of every ARN in `resources` that ends in `/`.
fn common_folder(resources: &[String]) -> Option<&str> {
    let first = resources.first()?;
    let common = resources.iter().skip(1).fold(first.len(), |len, other| {
        first
            .bytes()
            .zip(other.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count()
    });
    let end = first[..common].rfind('/')?;
    Some(&first[..=end])
}

/// A used ARN as a policy pattern that matches exactly it.
pub fn escape_wildcards(resource: &str) -> String {
    if resource == "*" {
        return resource.to_string();
    }
    resource
        .chars()
        .map(|c| match c {
            '*' | '?' | '$' => format!("${{{c}}}"),
            c => c.to_string(),
        })
        .collect()
}

#[derive(Serialize)]
struct ProposedPolicy {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statement: Vec<ProposedStatement>,
}

#[derive(Serialize)]
struct ProposedStatement {
    #[serde(rename = "Effect")]
    effect: &'static str,
    #[serde(rename = "Action")]
    action: Vec<String>,
    #[serde(rename = "Resource")]
    resource: Vec<String>,
}

fn render(policy: &ProposedPolicy) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    policy
        .serialize(&mut serializer)
        .expect("strings and lists always serialise");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// A JSON reader that keeps where each value sits in the text, which `serde_json::Value`
/// forgets: simulate-principal-policy reports statements by line and column.
mod json {
    /// How deep arrays and objects may nest. A policy needs five levels; the limit keeps hostile
    /// input from exhausting the stack.
    const MAX_DEPTH: usize = 32;

    #[derive(Debug)]
    pub enum Value {
        Null,
        Bool(bool),
        /// The number as written: condition values are compared as text or re-parsed.
        Number(String),
        String(String),
        Array(Vec<Node>),
        Object(Vec<(String, Node)>),
    }

    #[derive(Debug)]
    pub struct Node {
        pub value: Value,
        /// Byte offsets of the value's first and last character.
        pub start: usize,
        pub end: usize,
    }

    /// One JSON document, or `None` if the text is anything else — including an object that
    /// repeats a key, which IAM would have to resolve one way or another; we refuse it.
    pub fn parse(text: &str) -> Option<Node> {
        let mut parser = Parser {
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        let node = parser.value()?;
        parser.skip_whitespace();
        (parser.pos == parser.bytes.len()).then_some(node)
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        (line, column)
    }

    struct Parser<'a> {
        bytes: &'a [u8],
        pos: usize,
        depth: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        fn eat(&mut self, byte: u8) -> bool {
            let found = self.peek() == Some(byte);
            if found {
                self.pos += 1;
            }
            found
        }

        fn skip_whitespace(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
        }

        fn value(&mut self) -> Option<Node> {
            self.skip_whitespace();
            let start = self.pos;
            let value = match self.peek()? {
                b'{' => self.nested(Self::object)?,
                b'[' => self.nested(Self::array)?,
                b'"' => Value::String(self.string()?),
                b't' => self.keyword("true", Value::Bool(true))?,
                b'f' => self.keyword("false", Value::Bool(false))?,
                b'n' => self.keyword("null", Value::Null)?,
                b'-' | b'0'..=b'9' => Value::Number(self.number()?),
                _ => return None,
            };
            Some(Node {
                value,
                start,
                end: self.pos - 1,
            })
        }

        fn nested(&mut self, read: fn(&mut Self) -> Option<Value>) -> Option<Value> {
            if self.depth == MAX_DEPTH {
                return None;
            }
            self.depth += 1;
            let value = read(self);
            self.depth -= 1;
            value
        }

        fn object(&mut self) -> Option<Value> {
            self.pos += 1;
            let mut members: Vec<(String, Node)> = Vec::new();
            self.skip_whitespace();
            if self.eat(b'}') {
                return Some(Value::Object(members));
            }
            loop {
                self.skip_whitespace();
                if self.peek()? != b'"' {
                    return None;
                }
                let key = self.string()?;
                if members.iter().any(|(known, _)| *known == key) {
                    return None;
                }
                self.skip_whitespace();
                if !self.eat(b':') {
                    return None;
                }
                members.push((key, self.value()?));
                self.skip_whitespace();
                if self.eat(b'}') {
                    return Some(Value::Object(members));
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }

        fn array(&mut self) -> Option<Value> {
            self.pos += 1;
            let mut items = Vec::new();
            self.skip_whitespace();
            if self.eat(b']') {
                return Some(Value::Array(items));
            }
            loop {
                items.push(self.value()?);
                self.skip_whitespace();
                if self.eat(b']') {
                    return Some(Value::Array(items));
                }
                if !self.eat(b',') {
                    return None;
                }
            }
        }

        fn keyword(&mut self, word: &str, value: Value) -> Option<Value> {
            let found = self.bytes.get(self.pos..)?.starts_with(word.as_bytes());
            if found {
                self.pos += word.len();
            }
            found.then_some(value)
        }

        fn string(&mut self) -> Option<String> {
            self.pos += 1;
            let mut out = Vec::new();
            loop {
                let byte = self.peek()?;
                self.pos += 1;
                match byte {
                    b'"' => return String::from_utf8(out).ok(),
                    b'\\' => {
                        let c = self.escape()?;
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    0x00..=0x1f => return None,
                    _ => out.push(byte),
                }
            }
        }

        fn escape(&mut self) -> Option<char> {
            let byte = self.peek()?;
            self.pos += 1;
            Some(match byte {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => return self.unicode_escape(),
                _ => return None,
            })
        }

        /// `\uXXXX`, joining a UTF-16 surrogate pair; a lone surrogate is an error.
        fn unicode_escape(&mut self) -> Option<char> {
            let first = self.hex4()?;
            if !(0xD800..0xDC00).contains(&first) {
                return char::from_u32(first);
            }
            if !(self.eat(b'\\') && self.eat(b'u')) {
                return None;
            }
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return None;
            }
            char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
        }

        fn hex4(&mut self) -> Option<u32> {
            let digits = self.bytes.get(self.pos..self.pos + 4)?;
            if !digits.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            self.pos += 4;
            u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
        }

        /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as written.
        fn number(&mut self) -> Option<String> {
            let start = self.pos;
            self.eat(b'-');
            match self.peek()? {
                b'0' => self.pos += 1,
                b'1'..=b'9' => self.digits(),
                _ => return None,
            }
            if self.eat(b'.') {
                self.required_digits()?;
            }
            if self.eat(b'e') || self.eat(b'E') {
                if !self.eat(b'+') {
                    self.eat(b'-');
                }
                self.required_digits()?;
            }
            let text = self.bytes.get(start..self.pos)?;
            Some(String::from_utf8_lossy(text).into_owned())
        }

        fn digits(&mut self) {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }

        fn required_digits(&mut self) -> Option<()> {
            let start = self.pos;
            self.digits();
            (self.pos > start).then_some(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S3_OBJECT: &str = "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/notes.txt";

    proptest::proptest! {
        /// The ASCII fast path agrees with the general token matcher on every input.
        #[test]
        fn ascii_glob_agrees_with_glob(pattern in "[ab*?:/]{0,8}", text in "[abAB:/]{0,10}", fold: bool) {
            let (p, t) = if fold {
                (pattern.to_lowercase(), text.to_lowercase())
            } else {
                (pattern.clone(), text.clone())
            };
            let tokens: Vec<Tok> = p.chars().map(wildcard).collect();
            proptest::prop_assert_eq!(
                ascii_glob(pattern.as_bytes(), text.as_bytes(), fold),
                glob(&tokens, &chars(&t))
            );
        }
    }

    fn policy(text: &str) -> Policy {
        Policy::parse(text).unwrap_or_else(|error| panic!("{error}: {text}"))
    }

    fn context(entries: &[(&str, &[&str])]) -> Context {
        entries
            .iter()
            .map(|(key, values)| {
                (
                    key.to_lowercase(),
                    values.iter().map(|v| v.to_string()).collect(),
                )
            })
            .collect()
    }

    fn decide(policies: &[&Policy], action: &str, resource: &str, context: &Context) -> Evaluation {
        let named: Vec<(String, &Policy)> = policies
            .iter()
            .enumerate()
            .map(|(index, policy)| (format!("policy{}", index + 1), *policy))
            .collect();
        let named: Vec<(&str, &Policy)> = named.iter().map(|(id, p)| (id.as_str(), *p)).collect();
        evaluate(
            &named,
            &Request {
                action,
                resource,
                context,
            },
        )
    }

    fn decision(policy: &Policy, action: &str, resource: &str) -> Decision {
        decide(&[policy], action, resource, &Context::new()).decision
    }

    fn allow(action: &str, resource: &str) -> Policy {
        policy(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":{action},"Resource":{resource}}}}}"#
        ))
    }

    /// Whether an Allow-everything statement guarded by one condition allows the request.
    fn condition_holds(
        operator: &str,
        key: &str,
        values: &str,
        entries: &[(&str, &[&str])],
    ) -> bool {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*",
                "Condition":{{"{operator}":{{"{key}":{values}}}}}}}}}"#
        );
        let policy = policy(&text);
        decide(&[&policy], "s3:GetObject", S3_OBJECT, &context(entries)).decision
            == Decision::Allowed
    }

    /// Asserts an operator's outcome for a passing value, a failing value and an absent key.
    fn assert_operator(
        operator: &str,
        policy_value: &str,
        pass: &str,
        fail: &str,
        when_absent: bool,
    ) {
        let key = "aws:TestKey";
        assert!(
            condition_holds(operator, key, policy_value, &[(key, &[pass])]),
            "{operator} {policy_value} should hold for {pass}"
        );
        assert!(
            !condition_holds(operator, key, policy_value, &[(key, &[fail])]),
            "{operator} {policy_value} should fail for {fail}"
        );
        assert_eq!(
            condition_holds(operator, key, policy_value, &[]),
            when_absent,
            "{operator} with the key absent"
        );
    }

    // ---- Parsing ----

    #[test]
    fn statement_may_be_an_object_or_an_array_and_elements_strings_or_arrays() {
        let single =
            policy(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#);
        assert_eq!(single.statements().len(), 1);
        assert_eq!(
            single.statements()[0].action,
            Element::Listed(vec!["s3:GetObject".into()])
        );
        assert_eq!(single.version(), None);
        let many = policy(
            r#"{"Version":"2008-10-17","Id":"P1","Statement":[
                {"Sid":"One","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*"]},
                {"Sid":"Two","Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:s3:::b/private/*"}]}"#,
        );
        assert_eq!(many.id(), Some("P1"));
        assert_eq!(many.version(), Some("2008-10-17"));
        let [one, two] = many.statements() else {
            panic!("two statements")
        };
        assert_eq!(one.sid.as_deref(), Some("One"));
        assert_eq!(one.resource.patterns(), ["arn:aws:s3:::b/*"]);
        assert_eq!(two.effect, Effect::Deny);
        assert_eq!(two.action, Element::AllExcept(vec!["iam:*".into()]));
        assert_eq!(
            two.resource,
            Element::AllExcept(vec!["arn:aws:s3:::b/private/*".into()])
        );
    }

    #[test]
    fn malformed_documents_get_iams_messages() {
        let statement = |body: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{body}]}}"#);
        let cases: &[(String, &str)] = &[
            ("not json".into(), SYNTAX_ERROR),
            ("".into(), SYNTAX_ERROR),
            ("[]".into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17"}"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17","Statement":[]}"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17","Statement":"Allow"}"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}} x"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17","Extra":1,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#.into(), SYNTAX_ERROR),
            (r#"{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#.into(), SYNTAX_ERROR),
            // Element names are case-sensitive.
            (statement(r#"{"Effect":"Allow","action":"*","Resource":"*"}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}"#), HAS_PRINCIPAL),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","NotPrincipal":{"AWS":"*"}}"#), HAS_PRINCIPAL),
            (statement(r#"{"Action":"*","Resource":"*"}"#), NO_EFFECT),
            (statement(r#"{"Effect":"allow","Action":"*","Resource":"*"}"#), BAD_EFFECT),
            (statement(r#"{"Effect":true,"Action":"*","Resource":"*"}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Resource":"*"}"#), NO_ACTIONS),
            (statement(r#"{"Effect":"Allow","Action":"*"}"#), NO_RESOURCES),
            (statement(r#"{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":[1],"Resource":"*"}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"GetObject","Resource":"*"}"#), NO_VENDOR),
            (statement(r#"{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}"#), TOO_MANY_COLONS),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"my-bucket"}"#), "Resource my-bucket must be in ARN format or \"*\"."),
            (statement(r#"{"Sid":"has space","Effect":"Allow","Action":"*","Resource":"*"}"#), BAD_SID),
            (statement(r#"{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}"#), DUPLICATE_SID),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}"#), NO_VENDOR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":"b"}}}}"#), SYNTAX_ERROR),
            (statement(r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":"aws:username"}}"#), SYNTAX_ERROR),
        ];
        for (text, message) in cases {
            assert_eq!(
                Policy::parse(text).err().as_deref(),
                Some(*message),
                "{text}"
            );
        }
    }

    #[test]
    fn well_formed_edge_cases_are_accepted() {
        for text in [
            // Empty Sids may repeat; numbers and booleans are condition values; set qualifiers
            // combine with IfExists.
            r#"{"Statement":[{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}}"#,
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*","b?"]}}}}"#,
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::caf\\u00e9/\\ud83d\\ude00\"}}",
        ] {
            assert!(Policy::parse(text).is_ok(), "{text}");
        }
        let escaped = policy(
            "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::caf\\u00e9/\\ud83d\\ude00\"}}",
        );
        assert_eq!(
            escaped.statements()[0].resource.patterns(),
            ["arn:aws:s3:::café/😀"]
        );
        assert!(
            Policy::parse("{\"Statement\":\"\\ud83d\"}").is_err(),
            "a lone surrogate"
        );
    }

    #[test]
    fn statements_know_their_lines_and_columns() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"First\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    },\n    { \"Sid\": \"Second\", \"Effect\": \"Deny\", \"Action\": \"s3:DeleteObject\", \"Resource\": \"*\" }\n  ]\n}";
        let parsed = policy(text);
        let [first, second] = parsed.statements() else {
            panic!("two statements")
        };
        assert_eq!((first.start, first.end), ((4, 5), (9, 5)));
        assert_eq!((second.start, second.end), ((10, 5), (10, 87)));
        let evaluation = decide(
            &[&parsed],
            "s3:DeleteObject",
            "arn:aws:s3:::b/k",
            &Context::new(),
        );
        assert_eq!(evaluation.decision, Decision::ExplicitDeny);
        assert_eq!(
            (
                Effect::Allow.as_str(),
                evaluation.matched[0].effect.as_str()
            ),
            ("Allow", "Deny")
        );
        assert_eq!(
            evaluation.matched,
            [Matched {
                policy_id: "policy1".into(),
                statement_index: 1,
                sid: Some("Second".into()),
                effect: Effect::Deny,
                start: (10, 5),
                end: (10, 87),
            }]
        );
    }

    // ---- Evaluation logic ----

    /// IAM User Guide, "The difference between explicit and implicit denies": AllowGetList
    /// allows iam:Get* and iam:List*, DenyReports denies iam:*Report, anything else is implicit.
    #[test]
    fn explicit_deny_beats_allow_and_no_allow_is_an_implicit_deny() {
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Sid":"AllowGetList","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
                {"Sid":"DenyReports","Effect":"Deny","Action":"iam:*Report","Resource":"*"}]}"#,
        );
        let user = "arn:aws:iam::123456789012:user/carlossalazar";
        assert_eq!(decision(&document, "iam:GetUser", user), Decision::Allowed);
        assert_eq!(
            decision(&document, "iam:GetOrganizationsAccessReport", "*"),
            Decision::ExplicitDeny
        );
        assert_eq!(
            decision(&document, "iam:GenerateCredentialReport", "*"),
            Decision::ExplicitDeny
        );
        let implicit = decide(&[&document], "iam:CreatePolicy", "*", &Context::new());
        assert_eq!(
            (implicit.decision, implicit.matched.len()),
            (Decision::ImplicitDeny, 0)
        );
        assert_eq!(Decision::ImplicitDeny.as_str(), "implicitDeny");
        assert_eq!(Decision::ExplicitDeny.as_str(), "explicitDeny");
        assert_eq!(Decision::Allowed.as_str(), "allowed");
    }

    #[test]
    fn a_deny_in_one_policy_overrides_an_allow_in_another() {
        let allow_all = allow(r#""s3:*""#, r#""*""#);
        let deny_delete = policy(
            r#"{"Statement":{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}}"#,
        );
        let evaluation = decide(
            &[&allow_all, &deny_delete],
            "s3:DeleteObject",
            S3_OBJECT,
            &Context::new(),
        );
        assert_eq!(evaluation.decision, Decision::ExplicitDeny);
        assert_eq!(evaluation.matched.len(), 1);
        assert_eq!(evaluation.matched[0].policy_id, "policy2");
        let allowed = decide(
            &[&allow_all, &deny_delete],
            "s3:GetObject",
            S3_OBJECT,
            &Context::new(),
        );
        assert_eq!(allowed.decision, Decision::Allowed);
        assert_eq!(allowed.matched[0].policy_id, "policy1");
        assert_eq!(allowed.matched[0].effect, Effect::Allow);
    }

    /// IAM User Guide, "IAM JSON policy elements: NotAction": Allow with NotAction grants every
    /// action except those listed; Deny with NotAction denies every action but those listed.
    #[test]
    fn not_action_applies_to_every_action_not_listed() {
        let all_but_iam = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#,
        );
        assert_eq!(
            decision(&all_but_iam, "s3:GetObject", S3_OBJECT),
            Decision::Allowed
        );
        assert_eq!(
            decision(&all_but_iam, "sqs:SendMessage", "*"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&all_but_iam, "iam:CreateUser", "*"),
            Decision::ImplicitDeny
        );

        let only_iam = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","NotAction":["iam:*"],"Resource":"*"}]}"#,
        );
        assert_eq!(decision(&only_iam, "iam:ListUsers", "*"), Decision::Allowed);
        assert_eq!(
            decision(&only_iam, "s3:GetObject", S3_OBJECT),
            Decision::ExplicitDeny
        );
    }

    /// IAM User Guide, "IAM JSON policy elements: NotResource": allow all S3 actions on every
    /// resource except the HR bucket's payroll folder.
    #[test]
    fn not_resource_applies_to_every_resource_not_listed() {
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
                "NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}"#,
        );
        assert_eq!(
            decision(
                &document,
                "s3:GetObject",
                "arn:aws:s3:::HRBucket/Staff/list.csv"
            ),
            Decision::Allowed
        );
        assert_eq!(
            decision(
                &document,
                "s3:GetObject",
                "arn:aws:s3:::HRBucket/Payroll/2024.csv"
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&document, "s3:ListBucket", "arn:aws:s3:::HRBucket/Payroll"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(
                &document,
                "sqs:SendMessage",
                "arn:aws:s3:::HRBucket/Staff/list.csv"
            ),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        let document = allow(
            r#"["S3:getobject","sqs:*Message","athena:Get?ueryExecution"]"#,
            r#""*""#,
        );
        assert_eq!(
            decision(&document, "s3:GetObject", S3_OBJECT),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "sqs:SendMessage", "*"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "sqs:DeleteMessage", "*"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "sqs:DeleteMessageBatch", "*"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&document, "athena:GetQueryExecution", "*"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "athena:GetQQueryExecution", "*"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&document, "s3:GetObjectAcl", S3_OBJECT),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&allow(r#""*""#, r#""*""#), "anything:AtAll", "*"),
            Decision::Allowed
        );
    }

    #[test]
    fn resources_match_case_sensitively_with_wildcards() {
        let document = allow(
            r#""s3:GetObject""#,
            r#"["arn:aws:s3:::Reports/*","arn:aws:s3:::logs/day?.txt"]"#,
        );
        assert_eq!(
            decision(
                &document,
                "s3:GetObject",
                "arn:aws:s3:::Reports/2024/q1.csv"
            ),
            Decision::Allowed
        );
        assert_eq!(
            decision(
                &document,
                "s3:GetObject",
                "arn:aws:s3:::reports/2024/q1.csv"
            ),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&document, "s3:GetObject", "arn:aws:s3:::logs/day1.txt"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "s3:GetObject", "arn:aws:s3:::logs/day10.txt"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            decision(&document, "s3:GetObject", "arn:aws:s3:::logs/day.txt"),
            Decision::ImplicitDeny
        );
        // A `*` reaches across `:` and `/`.
        let queues = allow(r#""sqs:*""#, r#""arn:aws:sqs:*""#);
        assert_eq!(
            decision(
                &queues,
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders"
            ),
            Decision::Allowed
        );
        assert_eq!(
            decision(
                &queues,
                "sqs:SendMessage",
                "arn:aws:sns:us-east-1:123456789012:orders"
            ),
            Decision::ImplicitDeny
        );
    }

    // ---- Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators") ----

    #[test]
    fn string_operators() {
        assert_operator("StringEquals", r#""alice""#, "alice", "Alice", false);
        assert_operator("StringNotEquals", r#""alice""#, "bob", "alice", true);
        assert_operator(
            "StringEqualsIgnoreCase",
            r#""Alice""#,
            "aLICE",
            "bob",
            false,
        );
        assert_operator(
            "StringNotEqualsIgnoreCase",
            r#""Alice""#,
            "bob",
            "ALICE",
            true,
        );
        assert_operator(
            "StringLike",
            r#""home/*/report-??.csv""#,
            "home/a/b/report-01.csv",
            "home/a/report-1.csv",
            false,
        );
        assert_operator("StringNotLike", r#""tmp/*""#, "home/x", "tmp/x", true);
        // StringEquals has no wildcards: a `*` is just a character.
        assert_operator("StringEquals", r#""a*""#, "a*", "ab", false);
    }

    #[test]
    fn numeric_operators() {
        assert_operator("NumericEquals", "10", "10.0", "11", false);
        assert_operator("NumericNotEquals", r#""10""#, "11", "10", true);
        assert_operator("NumericLessThan", "10", "9", "10", false);
        assert_operator("NumericLessThanEquals", "10", "10", "11", false);
        assert_operator("NumericGreaterThan", "10", "11", "10", false);
        assert_operator("NumericGreaterThanEquals", "10", "10", "9", false);
        // A value that is not a number matches nothing.
        assert!(!condition_holds(
            "NumericEquals",
            "s3:max-keys",
            "10",
            &[("s3:max-keys", &["ten"])]
        ));
    }

    /// "Date condition operators": ISO 8601 dates or epoch seconds, on either side.
    #[test]
    fn date_operators() {
        let day = r#""2020-01-01T00:00:00Z""#;
        assert_operator(
            "DateEquals",
            day,
            "1577836800",
            "2020-01-01T00:00:01Z",
            false,
        );
        assert_operator(
            "DateEquals",
            r#""1577836800""#,
            "2020-01-01",
            "2020-01-02",
            false,
        );
        assert_operator(
            "DateNotEquals",
            day,
            "2021-01-01T00:00:00Z",
            "2020-01-01T01:00:00+01:00",
            true,
        );
        // The guide's example: allow only before 2013-06-30 by aws:CurrentTime.
        let cutoff = r#""2013-06-30T00:00:00Z""#;
        assert_operator(
            "DateLessThan",
            cutoff,
            "2013-06-29T23:59:59Z",
            "2013-06-30T00:00:00Z",
            false,
        );
        assert_operator(
            "DateLessThanEquals",
            cutoff,
            "2013-06-30T00:00:00Z",
            "2013-06-30T00:00:01Z",
            false,
        );
        assert_operator(
            "DateGreaterThan",
            cutoff,
            "2013-06-30T00:00:01Z",
            "2013-06-30T00:00:00Z",
            false,
        );
        assert_operator(
            "DateGreaterThanEquals",
            cutoff,
            "2013-06-30T00:00:00Z",
            "2013-06-29T00:00:00Z",
            false,
        );
    }

    #[test]
    fn bool_and_binary_operators() {
        // "Boolean condition operators": aws:SecureTransport.
        assert_operator("Bool", r#""true""#, "true", "false", false);
        assert_operator("Bool", "false", "FALSE", "true", false);
        // "Binary condition operators": compared byte for byte as base64.
        assert_operator(
            "BinaryEquals",
            r#""QmluYXJ5VmFsdWVJbkJhc2U2NA==""#,
            "QmluYXJ5VmFsdWVJbkJhc2U2NA==",
            "QmluYXJ5",
            false,
        );
        assert!(!condition_holds(
            "BinaryEquals",
            "aws:TestKey",
            r#""not base64!""#,
            &[("aws:TestKey", &["not base64!"])]
        ));
    }

    /// "IP address condition operators": CIDR blocks, IPv4 and IPv6; a bare address is a /32.
    #[test]
    fn ip_address_operators() {
        assert_operator(
            "IpAddress",
            r#""203.0.113.0/24""#,
            "203.0.113.5",
            "198.51.100.1",
            false,
        );
        assert_operator(
            "NotIpAddress",
            r#""203.0.113.0/24""#,
            "198.51.100.1",
            "203.0.113.200",
            true,
        );
        assert_operator(
            "IpAddress",
            r#""203.0.113.7""#,
            "203.0.113.7",
            "203.0.113.8",
            false,
        );
        assert_operator(
            "IpAddress",
            r#""2001:DB8:1234:5678::/64""#,
            "2001:db8:1234:5678::1",
            "2001:db8:1234:5679::1",
            false,
        );
        assert_operator(
            "IpAddress",
            r#"["10.0.0.0/8","0.0.0.0/0"]"#,
            "192.0.2.1",
            "2001:db8::1",
            false,
        );
        assert!(!condition_holds(
            "IpAddress",
            "aws:SourceIp",
            r#""::/0""#,
            &[("aws:SourceIp", &["192.0.2.1"])]
        ));
    }

    /// "Amazon Resource Name (ARN) condition operators": each of the six parts on its own.
    #[test]
    fn arn_operators() {
        let topic = "arn:aws:sns:us-east-1:123456789012:orders";
        for operator in ["ArnEquals", "ArnLike"] {
            assert_operator(
                operator,
                r#""arn:aws:sns:*:123456789012:ord*""#,
                topic,
                "arn:aws:sns:us-east-1:210987654321:orders",
                false,
            );
        }
        for operator in ["ArnNotEquals", "ArnNotLike"] {
            assert_operator(
                operator,
                r#""arn:aws:sns:*:123456789012:ord*""#,
                "arn:aws:sns:us-east-1:210987654321:orders",
                topic,
                true,
            );
        }
        // A `*` in the region part cannot swallow the account part, as a flat match would.
        let key = "aws:SourceArn";
        let odd = "arn:aws:sqs:us-east-1:x:123456789012:queue";
        assert!(!condition_holds(
            "ArnLike",
            key,
            r#""arn:aws:sqs:*:123456789012:queue""#,
            &[(key, &[odd])]
        ));
        assert!(condition_holds(
            "StringLike",
            key,
            r#""arn:aws:sqs:*:123456789012:queue""#,
            &[(key, &[odd])]
        ));
        // The resource part keeps its colons and a `?` is one character.
        assert!(condition_holds(
            "ArnLike",
            key,
            r#""arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f?:*""#,
            &[(
                key,
                &["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f1:log-stream:x"]
            )]
        ));
        assert!(!condition_holds(
            "ArnEquals",
            key,
            r#""*""#,
            &[(key, &[topic])]
        ));
    }

    /// "Condition operators", Important box: an absent key makes every operator false, except
    /// the negated ones, which are true.
    #[test]
    fn an_absent_key_fails_operators_and_passes_negated_ones() {
        let positive = [
            "StringEquals",
            "StringEqualsIgnoreCase",
            "StringLike",
            "NumericEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
            "DateEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
            "Bool",
            "BinaryEquals",
            "IpAddress",
            "ArnEquals",
            "ArnLike",
        ];
        let negated = [
            "StringNotEquals",
            "StringNotEqualsIgnoreCase",
            "StringNotLike",
            "NumericNotEquals",
            "DateNotEquals",
            "NotIpAddress",
            "ArnNotEquals",
            "ArnNotLike",
        ];
        for operator in positive {
            assert!(
                !condition_holds(operator, "aws:Absent", r#""1""#, &[]),
                "{operator}"
            );
            assert!(
                condition_holds(&format!("{operator}IfExists"), "aws:Absent", r#""1""#, &[]),
                "{operator}IfExists"
            );
        }
        for operator in negated {
            assert!(
                condition_holds(operator, "aws:Absent", r#""1""#, &[]),
                "{operator}"
            );
        }
    }

    /// "…IfExists condition operators": the guide's ec2:InstanceType example — absent passes,
    /// present must match.
    #[test]
    fn if_exists_checks_only_a_present_key() {
        let types = r#"["t1.*","t2.*","m3.*"]"#;
        let key = "ec2:InstanceType";
        assert!(condition_holds("StringLikeIfExists", key, types, &[]));
        assert!(condition_holds(
            "StringLikeIfExists",
            key,
            types,
            &[(key, &["t2.micro"])]
        ));
        assert!(!condition_holds(
            "StringLikeIfExists",
            key,
            types,
            &[(key, &["m5.large"])]
        ));
        assert!(!condition_holds(
            "NumericLessThanIfExists",
            "s3:max-keys",
            "10",
            &[("s3:max-keys", &["20"])]
        ));
        assert!(condition_holds(
            "NotIpAddressIfExists",
            "aws:SourceIp",
            r#""10.0.0.0/8""#,
            &[("aws:SourceIp", &["192.0.2.1"])]
        ));
    }

    /// "Condition operator to check existence of condition keys" (Null).
    #[test]
    fn null_tests_whether_a_key_is_present() {
        let key = "aws:TokenIssueTime";
        let present: &[(&str, &[&str])] = &[(key, &["2024-01-01T00:00:00Z"])];
        assert!(condition_holds("Null", key, r#""true""#, &[]));
        assert!(!condition_holds("Null", key, r#""true""#, present));
        assert!(condition_holds("Null", key, "false", present));
        assert!(!condition_holds("Null", key, "false", &[]));
        assert!(
            condition_holds("Null", key, "true", &[(key, &[])]),
            "an empty value counts as absent"
        );
    }

    /// "IAM JSON policy elements: Condition": operators AND, keys AND, a key's values OR; keys
    /// are case-insensitive, values case-sensitive.
    #[test]
    fn condition_blocks_and_operators_and_keys_and_or_values() {
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
                "StringEquals":{"AWS:UserName":["alice","bob"],"aws:PrincipalTag/team":"data"},
                "Bool":{"aws:SecureTransport":"true"}}}}"#,
        );
        let run = |entries: &[(&str, &[&str])]| {
            decide(&[&document], "s3:GetObject", S3_OBJECT, &context(entries)).decision
        };
        let secure: (&str, &[&str]) = ("aws:securetransport", &["true"]);
        let team: (&str, &[&str]) = ("aws:principaltag/team", &["data"]);
        assert_eq!(
            run(&[("aws:username", &["bob"]), team, secure]),
            Decision::Allowed
        );
        assert_eq!(
            run(&[("aws:username", &["Bob"]), team, secure]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(&[("aws:username", &["carol"]), team, secure]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(&[("aws:username", &["alice"]), secure]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(&[
                ("aws:username", &["alice"]),
                team,
                ("aws:securetransport", &["false"])
            ]),
            Decision::ImplicitDeny
        );
        // The context's keys are found whatever their case.
        let mixed: Context = [
            ("AWS:UserName".to_string(), vec!["alice".to_string()]),
            (
                "aws:PrincipalTag/Team".to_string(),
                vec!["data".to_string()],
            ),
            ("aws:SecureTransport".to_string(), vec!["true".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            decide(&[&document], "s3:GetObject", S3_OBJECT, &mixed).decision,
            Decision::Allowed
        );
    }

    /// "Multivalued context keys" / "Multivalued context key examples": the guide's Deny with
    /// ForAllValues:StringNotLike on aws:TagKeys, row by row.
    #[test]
    fn for_all_values_matches_when_every_value_does_or_there_are_none() {
        let operator = "ForAllValues:StringNotLike";
        let key = "aws:TagKeys";
        assert!(!condition_holds(
            operator,
            key,
            r#""key1*""#,
            &[(key, &["key1:legal"])]
        ));
        assert!(!condition_holds(
            operator,
            key,
            r#""key1*""#,
            &[(key, &["key1:hr", "key1:personnel"])]
        ));
        assert!(condition_holds(
            operator,
            key,
            r#""key1*""#,
            &[(key, &["key2:audit"])]
        ));
        // "The ForAllValues set operator also returns true if there are no context keys in the request."
        assert!(condition_holds(operator, key, r#""key1*""#, &[]));
        assert!(condition_holds(operator, key, r#""key1*""#, &[(key, &[])]));

        let allowed_keys = r#"["environment","cost-center"]"#;
        assert!(condition_holds(
            "ForAllValues:StringEquals",
            key,
            allowed_keys,
            &[(key, &["environment", "cost-center"])]
        ));
        assert!(!condition_holds(
            "ForAllValues:StringEquals",
            key,
            allowed_keys,
            &[(key, &["environment", "owner"])]
        ));
        assert!(condition_holds(
            "ForAllValues:StringEquals",
            key,
            allowed_keys,
            &[]
        ));
    }

    #[test]
    fn for_any_value_matches_when_one_value_does_and_never_when_absent() {
        let key = "aws:TagKeys";
        let wanted = r#"["environment","cost-center"]"#;
        assert!(condition_holds(
            "ForAnyValue:StringEquals",
            key,
            wanted,
            &[(key, &["owner", "cost-center"])]
        ));
        assert!(!condition_holds(
            "ForAnyValue:StringEquals",
            key,
            wanted,
            &[(key, &["owner", "project"])]
        ));
        assert!(!condition_holds(
            "ForAnyValue:StringEquals",
            key,
            wanted,
            &[]
        ));
        assert!(condition_holds(
            "ForAnyValue:StringEqualsIfExists",
            key,
            wanted,
            &[]
        ));
        // Each value is tested on its own: one value that is not "environment" is enough.
        assert!(condition_holds(
            "ForAnyValue:StringNotEquals",
            key,
            r#""environment""#,
            &[(key, &["environment", "owner"])]
        ));
        assert!(!condition_holds(
            "ForAnyValue:StringNotEquals",
            key,
            r#""environment""#,
            &[(key, &["environment"])]
        ));
        // Without a set operator, a multivalued key matches when any of its values does.
        assert!(condition_holds(
            "StringEquals",
            key,
            r#""owner""#,
            &[(key, &["environment", "owner"])]
        ));
        assert!(!condition_holds(
            "StringNotEquals",
            key,
            r#""owner""#,
            &[(key, &["environment", "owner"])]
        ));
    }

    #[test]
    fn absent_keys_are_reported_once_each() {
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
                    "StringEquals":{"aws:PrincipalTag/team":"data"},"StringEqualsIfExists":{"s3:prefix":"home/"},
                    "Bool":{"aws:SecureTransport":"true"}}},
                {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"AWS:PrincipalTag/Team":"ops"}}},
                {"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"sqs:never":"asked"}}}]}"#,
        );
        let evaluation = decide(
            &[&document],
            "s3:GetObject",
            S3_OBJECT,
            &context(&[("aws:securetransport", &["true"])]),
        );
        assert_eq!(evaluation.decision, Decision::ImplicitDeny);
        assert_eq!(
            evaluation.missing_context_keys,
            ["aws:PrincipalTag/team", "s3:prefix"]
        );
        let complete = context(&[
            ("aws:securetransport", &["true"]),
            ("aws:principaltag/team", &["data"]),
            ("s3:prefix", &["home/"]),
        ]);
        let evaluation = decide(&[&document], "s3:GetObject", S3_OBJECT, &complete);
        assert_eq!(evaluation.decision, Decision::Allowed);
        assert!(evaluation.missing_context_keys.is_empty());
    }

    // ---- Policy variables (IAM User Guide, "IAM policy elements: Variables and tags") ----

    #[test]
    fn aws_username_in_a_resource_gives_each_user_their_own_folder() {
        let document = allow(
            r#""s3:*""#,
            r#""arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*""#,
        );
        let alice = context(&[("aws:username", &["alice"])]);
        assert_eq!(
            decide(&[&document], "s3:GetObject", S3_OBJECT, &alice).decision,
            Decision::Allowed
        );
        let bob_file = "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/notes.txt";
        assert_eq!(
            decide(&[&document], "s3:GetObject", bob_file, &alice).decision,
            Decision::ImplicitDeny
        );
        // "Policy variables with no value": without the key the resource matches nothing.
        let nobody = decide(&[&document], "s3:GetObject", S3_OBJECT, &Context::new());
        assert_eq!(nobody.decision, Decision::ImplicitDeny);
        assert_eq!(nobody.missing_context_keys, ["aws:username"]);
        // A user name holding `*` is a literal, not a wildcard.
        let star = context(&[("aws:username", &["*"])]);
        assert_eq!(
            decide(&[&document], "s3:GetObject", S3_OBJECT, &star).decision,
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn variables_only_count_in_version_2012_10_17() {
        let text = |version: &str| {
            format!(
                r#"{{{version}"Statement":{{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${{aws:username}}/*"}}}}"#
            )
        };
        let alice = context(&[("aws:username", &["alice"])]);
        let current = policy(&text(r#""Version":"2012-10-17","#));
        assert_eq!(
            decide(
                &[&current],
                "s3:GetObject",
                "arn:aws:s3:::b/alice/x",
                &alice
            )
            .decision,
            Decision::Allowed
        );
        for old in [
            policy(&text(r#""Version":"2008-10-17","#)),
            policy(&text("")),
        ] {
            assert_eq!(
                decide(&[&old], "s3:GetObject", "arn:aws:s3:::b/alice/x", &alice).decision,
                Decision::ImplicitDeny
            );
            assert_eq!(
                decide(
                    &[&old],
                    "s3:GetObject",
                    "arn:aws:s3:::b/${aws:username}/x",
                    &alice
                )
                .decision,
                Decision::Allowed
            );
        }
    }

    /// "Special characters": `${*}`, `${?}` and `${$}` stand for the characters themselves.
    #[test]
    fn escaped_special_characters_are_literal() {
        let document = allow(r#""s3:*""#, r#""arn:aws:s3:::b/${*}starred${?}/${$}{x}/*""#);
        assert_eq!(
            decision(&document, "s3:GetObject", "arn:aws:s3:::b/*starred?/${x}/f"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&document, "s3:GetObject", "arn:aws:s3:::b/xstarredy/${x}/f"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn variables_in_conditions_and_defaults() {
        // Principal tags compared with resource tags, as in the guide's ABAC examples.
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*",
                "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*","team/${aws:PrincipalTag/team, 'company-wide'}/*"]}}}}"#,
        );
        let run = |entries: &[(&str, &[&str])]| {
            decide(
                &[&document],
                "s3:ListBucket",
                "arn:aws:s3:::b",
                &context(entries),
            )
            .decision
        };
        assert_eq!(
            run(&[
                ("aws:username", &["alice"]),
                ("s3:prefix", &["home/alice/docs"])
            ]),
            Decision::Allowed
        );
        assert_eq!(
            run(&[
                ("aws:username", &["alice"]),
                ("s3:prefix", &["home/bob/docs"])
            ]),
            Decision::ImplicitDeny
        );
        assert_eq!(
            run(&[
                ("aws:principaltag/team", &["data"]),
                ("s3:prefix", &["team/data/x"])
            ]),
            Decision::Allowed
        );
        // "Specifying default values": without the tag the default fills in.
        assert_eq!(
            run(&[("s3:prefix", &["team/company-wide/x"])]),
            Decision::Allowed
        );
        assert_eq!(
            run(&[("s3:prefix", &["team/data/x"])]),
            Decision::ImplicitDeny
        );
        // ${s3:prefix} itself as a variable in a resource.
        let own_prefix = allow(r#""s3:GetObject""#, r#""arn:aws:s3:::b/${s3:prefix}*""#);
        let prefix = context(&[("s3:prefix", &["reports/"])]);
        assert_eq!(
            decide(
                &[&own_prefix],
                "s3:GetObject",
                "arn:aws:s3:::b/reports/q1",
                &prefix
            )
            .decision,
            Decision::Allowed
        );
        assert_eq!(
            decide(
                &[&own_prefix],
                "s3:GetObject",
                "arn:aws:s3:::b/private/q1",
                &prefix
            )
            .decision,
            Decision::ImplicitDeny
        );
        // A multivalued key cannot be a variable.
        let many = context(&[("s3:prefix", &["reports/", "private/"])]);
        assert_eq!(
            decide(
                &[&own_prefix],
                "s3:GetObject",
                "arn:aws:s3:::b/reports/q1",
                &many
            )
            .decision,
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn numeric_operators_read_variables_as_text() {
        let document = policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"NumericEquals":{"s3:max-keys":"${aws:limit}"}}}}"#,
        );
        let entries = context(&[("s3:max-keys", &["5"]), ("aws:limit", &["5"])]);
        assert_eq!(
            decide(&[&document], "s3:ListBucket", "*", &entries).decision,
            Decision::ImplicitDeny
        );
    }

    // ---- Least privilege ----

    fn used(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, r)| (a.to_string(), r.to_string()))
            .collect()
    }

    #[test]
    fn least_privilege_allows_what_was_used_and_nothing_else() {
        let activity = used(&[
            ("s3:GetObject", "arn:aws:s3:::raw/2024/01/a.json"),
            ("s3:GetObject", "arn:aws:s3:::raw/2024/01/b.json"),
            ("s3:PutObject", "arn:aws:s3:::curated/out.parquet"),
            ("s3:ListBucket", "arn:aws:s3:::raw"),
            (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
            (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
            (
                "sqs:ReceiveMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
            ("athena:StartQueryExecution", "*"),
        ]);
        let proposed = policy(&least_privilege(&activity));
        for (action, resource) in &activity {
            assert_eq!(
                decision(&proposed, action, resource),
                Decision::Allowed,
                "{action} {resource}"
            );
        }
        for (action, resource) in [
            ("s3:DeleteObject", "arn:aws:s3:::raw/2024/01/a.json"),
            ("s3:PutObject", "arn:aws:s3:::raw/2024/01/a.json"),
            ("s3:PutObject", "arn:aws:s3:::other-bucket/out.parquet"),
            ("s3:GetObject", "arn:aws:s3:::raw/2024/02/a.json"),
            ("s3:GetObject", "arn:aws:s3:::curated/out.parquet"),
            (
                "sqs:DeleteMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
            (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:other",
            ),
        ] {
            assert_eq!(
                decision(&proposed, action, resource),
                Decision::ImplicitDeny,
                "{action} {resource}"
            );
        }
    }

    #[test]
    fn least_privilege_document_layout() {
        let activity = used(&[
            ("s3:PutObject", "arn:aws:s3:::curated/out.parquet"),
            ("s3:GetObject", "arn:aws:s3:::raw/2024/01/a.json"),
            ("s3:GetObject", "arn:aws:s3:::raw/2024/01/b.json"),
            ("s3:GetObject", "arn:aws:s3:::raw/top.json"),
            ("s3:GetObject", "arn:aws:s3:::raw/other.json"),
            (
                "sqs:SendMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
            (
                "sqs:ReceiveMessage",
                "arn:aws:sqs:us-east-1:123456789012:orders",
            ),
        ]);
        let expected = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetObject"
            ],
            "Resource": [
                "arn:aws:s3:::raw/2024/01/*",
                "arn:aws:s3:::raw/other.json",
                "arn:aws:s3:::raw/top.json"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "s3:PutObject"
            ],
            "Resource": [
                "arn:aws:s3:::curated/out.parquet"
            ]
        },
        {
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:SendMessage"
            ],
            "Resource": [
                "arn:aws:sqs:us-east-1:123456789012:orders"
            ]
        }
    ]
}"#;
        assert_eq!(least_privilege(&activity), expected);
    }

    #[test]
    fn least_privilege_folds_a_folder_only_for_several_keys_with_the_same_actions() {
        let single = policy(&least_privilege(&used(&[(
            "s3:GetObject",
            "arn:aws:s3:::raw/2024/a.json",
        )])));
        assert_eq!(
            single.statements()[0].resource.patterns(),
            ["arn:aws:s3:::raw/2024/a.json"]
        );
        let mixed = policy(&least_privilege(&used(&[
            ("s3:GetObject", "arn:aws:s3:::raw/2024/a.json"),
            ("s3:PutObject", "arn:aws:s3:::raw/2024/b.json"),
        ])));
        assert_eq!(
            decision(&mixed, "s3:PutObject", "arn:aws:s3:::raw/2024/a.json"),
            Decision::ImplicitDeny
        );
        let patterns: Vec<&str> = mixed
            .statements()
            .iter()
            .flat_map(|s| s.resource.patterns())
            .map(String::as_str)
            .collect();
        assert_eq!(
            patterns,
            [
                "arn:aws:s3:::raw/2024/a.json",
                "arn:aws:s3:::raw/2024/b.json"
            ]
        );
    }

    #[test]
    fn least_privilege_keeps_wildcard_characters_in_keys_literal() {
        let proposed = policy(&least_privilege(&used(&[(
            "s3:GetObject",
            "arn:aws:s3:::raw/what?*.txt",
        )])));
        assert_eq!(
            proposed.statements()[0].resource.patterns(),
            ["arn:aws:s3:::raw/what${?}${*}.txt"]
        );
        assert_eq!(
            decision(&proposed, "s3:GetObject", "arn:aws:s3:::raw/what?*.txt"),
            Decision::Allowed
        );
        assert_eq!(
            decision(&proposed, "s3:GetObject", "arn:aws:s3:::raw/whatXYZ.txt"),
            Decision::ImplicitDeny
        );
    }

    // ---- Robustness ----

    #[test]
    fn deep_nesting_is_refused_rather_than_overflowing_the_stack() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(Policy::parse(&deep).err().as_deref(), Some(SYNTAX_ERROR));
        let condition = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"StringEquals":{{"a:b":{}1{}}}}}}}}}"#,
            "[".repeat(40),
            "]".repeat(40)
        );
        assert_eq!(
            Policy::parse(&condition).err().as_deref(),
            Some(SYNTAX_ERROR)
        );
    }

    /// A policy exercising every operator, for the never-panics property.
    const EVERY_OPERATOR: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:username}/*",
        "Condition":{"StringLike":{"k:a":"${k:b}*"},"ForAllValues:StringNotEqualsIgnoreCase":{"k:b":"x"},
        "ForAnyValue:NumericLessThanIfExists":{"k:c":"1e3"},"DateGreaterThanEquals":{"k:d":"2020-01-01"},
        "BoolIfExists":{"k:e":"true"},"BinaryEquals":{"k:f":"AA=="},"NotIpAddress":{"k:g":"::1/200"},
        "ArnLike":{"k:h":"arn:*:*:*:*:*"},"Null":{"k:i":"false"}}}]}"#;

    proptest::proptest! {
        #[test]
        fn parse_never_panics_on_any_text(text in ".{0,300}") {
            let _ = Policy::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_json_like_text(text in r#"[{}\[\]":,\\ a-zA-Z0-9*?$.\-/u]{0,200}"#) {
            let _ = Policy::parse(&text);
        }

        #[test]
        fn parse_never_panics_on_policy_shaped_documents(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"Version\"", "\"2012-10-17\"", "\"Statement\"", "\"Effect\"",
                "\"Allow\"", "\"Deny\"", "\"Action\"", "\"NotAction\"", "\"Resource\"", "\"NotResource\"",
                "\"Condition\"", "\"StringLike\"", "\"ForAllValues:NullIfExists\"", "\"s3:*\"", "\"*\"",
                "\"arn:aws:s3:::b/${aws:username, 'x'}\"", "\"Sid\"", "\"a\"", "1", "true", "null", "\"\\ud800\"",
            ]), 0..60)
        ) {
            let _ = Policy::parse(&parts.concat());
        }

        #[test]
        fn evaluate_never_panics(
            action in ".{0,30}",
            resource in ".{0,60}",
            entries in proptest::collection::btree_map("k:[a-i]|aws:username", proptest::collection::vec(".{0,20}", 0..3), 0..10),
        ) {
            let document = policy(EVERY_OPERATOR);
            let _ = evaluate(&[("p", &document)], &Request { action: &action, resource: &resource, context: &entries });
        }

        #[test]
        fn least_privilege_output_parses_and_allows_its_input(
            activity in proptest::collection::vec(("(s3|sqs):[A-Za-z]{1,8}", "arn:aws:s3:::[a-c]/([a-c?*$]{0,3}/){0,2}[a-c]{1,3}"), 1..8),
        ) {
            let proposed = Policy::parse(&least_privilege(&activity));
            proptest::prop_assert!(proposed.is_ok(), "{:?}", proposed);
            let proposed = proposed.unwrap_or_else(|_| unreachable!());
            for (action, resource) in &activity {
                proptest::prop_assert_eq!(decision(&proposed, action, resource), Decision::Allowed);
            }
        }
    }
}
