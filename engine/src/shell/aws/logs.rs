//! `aws logs …`: CloudWatch Logs for Lambda's output. `tail` is the CLI's own command (it
//! calls FilterLogEvents); the rest are API operations.

use serde_json::{Value, json};

use super::{Args, CallError, Operation, ParamKind, param, render_error, required, usage_error};
use crate::services::logs::{Filter, FilterPattern, FoundEvent};
use crate::services::{ACCOUNT_ID, lambda::REGION};
use crate::shell::args::{ArgCursor, split_flag};
use crate::shell::{CommandError, Ctx, Reply};
use crate::sim::{Millis, format_iso, parse_iso};

const fn op(
    name: &'static str,
    api_name: &'static str,
    params: &'static [super::Param],
    call: fn(&mut Ctx, &Args) -> Result<Value, CallError>,
) -> Operation {
    Operation::new("logs", name, api_name, params, call)
}

const GROUP: super::Param = required("--log-group-name", ParamKind::String);

pub static OPERATIONS: &[Operation] = &[
    op(
        "delete-log-group",
        "DeleteLogGroup",
        &[GROUP],
        delete_log_group,
    ),
    op(
        "describe-log-groups",
        "DescribeLogGroups",
        &[param("--log-group-name-prefix", ParamKind::String)],
        describe_log_groups,
    ),
    op(
        "filter-log-events",
        "FilterLogEvents",
        &[
            GROUP,
            param("--log-stream-names", ParamKind::Strings),
            param("--log-stream-name-prefix", ParamKind::String),
            param("--start-time", ParamKind::Integer),
            param("--end-time", ParamKind::Integer),
            param("--filter-pattern", ParamKind::String),
            param("--limit", ParamKind::Integer),
        ],
        filter_log_events,
    ),
];

fn group_arn(name: &str) -> String {
    format!("arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}")
}

fn delete_log_group(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let (services, mut env) = ctx.world.split();
    let name = args.required_text("--log-group-name");
    services.logs.delete_group(name)?;
    env.record("logs", "log-group-deleted", vec![("group", name.into())]);
    Ok(json!({}))
}

fn describe_log_groups(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let prefix = args.text("--log-group-name-prefix").unwrap_or("");
    let groups: Vec<Value> = ctx
        .world
        .services()
        .logs
        .groups()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(name, group)| {
            json!({
                "logGroupName": name,
                "creationTime": group.created_ms,
                "metricFilterCount": 0,
                "arn": format!("{}:*", group_arn(name)),
                "storedBytes": group.stored_bytes(),
                "logGroupClass": "STANDARD",
                "logGroupArn": group_arn(name),
            })
        })
        .collect();
    Ok(json!({ "logGroups": groups }))
}

fn filter_log_events(ctx: &mut Ctx, args: &Args) -> Result<Value, CallError> {
    let filter = Filter {
        start_ms: args.integer("--start-time"),
        end_ms: args.integer("--end-time"),
        streams: args.strings("--log-stream-names").to_vec(),
        stream_prefix: args.text("--log-stream-name-prefix").map(str::to_string),
        pattern: args
            .text("--filter-pattern")
            .map(FilterPattern::parse)
            .transpose()?,
    };
    let limit = args.integer("--limit").unwrap_or(10_000).max(1) as usize;
    let found = ctx
        .world
        .services()
        .logs
        .find(args.required_text("--log-group-name"), &filter)?;
    let events: Vec<Value> = found.iter().take(limit).map(event_json).collect();
    Ok(json!({ "events": events, "searchedLogStreams": [] }))
}

fn event_json(found: &FoundEvent) -> Value {
    json!({
        "logStreamName": found.stream,
        "timestamp": found.event.timestamp_ms,
        "message": found.event.message,
        "ingestionTime": found.event.ingestion_ms,
        "eventId": event_id(found),
    })
}

/// A stable event id: the timestamp, then the stream's hash and the event's place in it.
fn event_id(found: &FoundEvent) -> String {
    let stream_hash = found
        .stream
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!(
        "{:020}{:020}{:016}",
        found.event.timestamp_ms,
        stream_hash % 10u64.pow(19),
        found.index
    )
}

/// `aws logs tail GROUP [--since 10m|ISO] [--format detailed|short|json] [--filter-pattern P]
/// [--log-stream-names S…] [--log-stream-name-prefix P]`: events since then, one per line.
pub fn tail(ctx: &mut Ctx, rest: &[&str]) -> Result<Reply, CommandError> {
    let mut group = None;
    let mut since = "10m".to_string();
    let mut format = "detailed".to_string();
    let mut filter = Filter::default();
    let mut cursor = ArgCursor::new(rest);
    while let Some(word) = cursor.next_word() {
        let (flag, inline) = split_flag(word);
        if !flag.starts_with("--") {
            if group.replace(word.to_string()).is_some() {
                return Err(usage_error(&format!("unrecognized arguments: {word}")));
            }
            continue;
        }
        if flag == "--follow" {
            return Err(CommandError::Rendered(
                "playground: --follow waits for new events in real time; advance the clock (`sim advance 1m`) and run `aws logs tail` again\n".into(),
            ));
        }
        let mut value = || {
            cursor
                .value(inline)
                .ok_or_else(|| usage_error(&format!("argument {flag}: expected one argument")))
        };
        match flag {
            "--since" => since = value()?.to_string(),
            "--format" => format = value()?.to_string(),
            "--filter-pattern" => {
                let pattern = FilterPattern::parse(value()?)
                    .map_err(|e| render_error(e.into(), "FilterLogEvents"))?;
                filter.pattern = Some(pattern);
            }
            "--log-stream-names" => filter.streams.push(value()?.to_string()),
            "--log-stream-name-prefix" => filter.stream_prefix = Some(value()?.to_string()),
            _ => return Err(usage_error(&format!("unrecognized arguments: {word}"))),
        }
    }
    let Some(group) = group else {
        return Err(usage_error(
            "the following arguments are required: group_name",
        ));
    };
    if !["detailed", "short", "json"].contains(&format.as_str()) {
        return Err(usage_error(&format!(
            "argument --format: invalid choice: '{format}' (choose from 'detailed', 'short', 'json')"
        )));
    }
    let now = ctx.world.now_ms();
    filter.start_ms = Some(since_ms(&since, now).ok_or_else(|| {
        usage_error(&format!(
            "argument --since: invalid value: '{since}' (use 10m, 2h, 1d, 1w or an ISO 8601 time)"
        ))
    })?);
    let found = ctx
        .world
        .services()
        .logs
        .find(&group, &filter)
        .map_err(|e| render_error(e.into(), "FilterLogEvents"))?;
    let mut text = String::new();
    for found in &found {
        let iso = format_iso(found.event.timestamp_ms);
        let line = if format == "short" {
            format!("{} {}", &iso[..19], found.event.message)
        } else {
            let millis = found.event.timestamp_ms.rem_euclid(1000);
            format!(
                "{}.{millis:03}000+00:00 {} {}",
                &iso[..19],
                found.stream,
                found.event.message
            )
        };
        text.push_str(&line);
        text.push('\n');
    }
    Ok(Reply::text(text))
}

/// `--since`: a span back from now (`30s`, `10m`, `2h`, `1d`, `1w`) or an ISO 8601 time.
fn since_ms(text: &str, now: Millis) -> Option<Millis> {
    let unit_ms = match text.chars().last()? {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        'w' => 7 * 86_400_000,
        _ => return parse_iso(text).ok(),
    };
    let amount: Millis = text[..text.len() - 1].parse().ok()?;
    Some(now - amount.checked_mul(unit_ms)?)
}
