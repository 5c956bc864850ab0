//! `sim …`: the simulator's own commands: read and move the clock, step through events, seed the
//! RNG, reset, undo, schedule commands for later, and print the trace.

use super::args::{Flags, parse_count, parse_duration};
use super::{
    CommandError, Ctx, Effect, Origin, Reply, SessionAction, check_schedulable, closest, usage,
};
use crate::introspect;
use crate::services::eventbridge::schedule::{self, Schedule};
use crate::services::iam::policy::{self, Context, Element, Policy};
use crate::sim::{
    DEFAULT_START_MS, Event, Millis, RunSummary, ScheduledCommand, TraceEvent, WorldConfig,
    format_duration, format_iso, parse_iso,
};

/// `sim trace` shows this many events unless `--last N` says otherwise.
const TRACE_LAST_DEFAULT: usize = 20;

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("time", "print the simulated time (ISO 8601, UTC)"),
    (
        "advance",
        "DURATION  move the clock forward, firing due events (90s, 5m, 1h, 2d, 1h30m)",
    ),
    (
        "step",
        "[N]  fire the next N events (default 1), jumping the clock to each",
    ),
    (
        "set-time",
        "ISO  move the clock to an instant, e.g. 2022-06-12T09:00:00Z",
    ),
    (
        "after",
        "DURATION COMMAND…  run a command later on the simulated clock",
    ),
    ("at", "ISO COMMAND…  run a command at an instant"),
    ("events", "list the pending events"),
    (
        "seed",
        "[N]  print the seed, or restart the random stream from N",
    ),
    ("reset", "[--seed N] [--start ISO]  start a fresh world"),
    ("undo", "undo the last command that changed the world"),
    (
        "trace",
        "[--last N] [--json] [--hash]  what happened, newest last",
    ),
    (
        "cost",
        "[s3://BUCKET]  what the stored objects cost per month, by storage class",
    ),
    (
        "schedule",
        "next EXPR [--from ISO] [--count N]  when rate(…) or cron(…) fires next",
    ),
    (
        "least-privilege",
        "ROLE  the smallest policy that allows what the role's sessions asked for",
    ),
    (
        "iam",
        "explain [N]  why IAM denied the latest call (or denial N), and the smallest fix",
    ),
    (
        "query",
        "[\"SQL\"]  read the world as sim.* tables (no SQL: list them)",
    ),
    (
        "parquet",
        "inspect s3://BUCKET/KEY  a Parquet object's rows, row groups and column chunks",
    ),
    (
        "lesson",
        "list | show ID | hint ID STEP | solution ID STEP | check ID [--lang ko]  the lessons",
    ),
    (
        "kafka",
        "create-cluster [--brokers N] [--mode kraft|zookeeper]  start the Kafka cluster",
    ),
    (
        "broker",
        "stop|start|crash N|--leader-of T:P|--controller, slow N --lag 5s, list  fail and heal Kafka brokers",
    ),
    (
        "consumer",
        "list | kill CLIENT-ID|MEMBER-ID|%JOB  Kafka consumers; kill one without a goodbye",
    ),
    (
        "network",
        "partition --consumer CLIENT-ID | heal  cut a Kafka consumer off the cluster and back",
    ),
];

/// `sim schedule next` lists this many fire times unless `--count N` says otherwise.
const SCHEDULE_COUNT_DEFAULT: u64 = 5;
/// … and never more than this many.
const SCHEDULE_COUNT_MAX: u64 = 100;

pub fn usage_text() -> String {
    let mut text = String::from("usage: sim <subcommand> [arguments]\n\n");
    for (name, summary) in SUBCOMMANDS {
        text.push_str(&format!("  sim {name:<9} {summary}\n"));
    }
    text
}

/// Which `sim` subcommands change the world.
pub fn effect(args: &[String]) -> Effect {
    match args.first().map(String::as_str) {
        None
        | Some(
            "time" | "events" | "trace" | "undo" | "reset" | "help" | "cost" | "schedule"
            | "least-privilege" | "iam" | "query" | "lesson" | "parquet",
        ) => Effect::Inspect,
        Some("seed") if args.len() == 1 => Effect::Inspect,
        Some("consumer") if args.get(1).map(String::as_str) == Some("list") => Effect::Inspect,
        _ => Effect::Change,
    }
}

/// Clock and history commands are for the person at the keyboard, not the event queue.
pub fn schedulable(args: &[String]) -> bool {
    !matches!(
        args.first().map(String::as_str),
        Some("advance" | "step" | "set-time" | "reset" | "undo")
    )
}

pub fn run(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let Some(sub) = args.first() else {
        return Err(CommandError::Rendered(usage_text()));
    };
    let rest = &args[1..];
    if ctx.origin == Origin::Scheduled && !schedulable(args) {
        return Err(usage(
            &format!("sim {sub}"),
            "cannot run from a scheduled command",
        ));
    }
    match sub.as_str() {
        "help" | "--help" => Ok(Reply::text(usage_text())),
        "time" => no_args("sim time", rest)
            .map(|()| Reply::text(format!("{}\n", format_iso(ctx.world.now_ms())))),
        "advance" => advance(ctx, rest),
        "step" => step(ctx, rest),
        "set-time" => set_time(ctx, rest),
        "after" => schedule_after(ctx, rest),
        "at" => schedule_at(ctx, rest),
        "events" => no_args("sim events", rest).map(|()| events(ctx)),
        "seed" => seed(ctx, rest),
        "reset" => reset(rest),
        "undo" => no_args("sim undo", rest).map(|()| Reply {
            stdout: String::new(),
            action: Some(SessionAction::Undo),
        }),
        "trace" => trace(ctx, rest),
        "cost" => cost(ctx, rest),
        "schedule" => schedule_preview(ctx, rest),
        "least-privilege" => least_privilege(ctx, rest),
        "iam" => super::iam_cmd::run(ctx, rest),
        "query" => query(ctx, rest),
        "parquet" => parquet(ctx, rest),
        "lesson" => super::lesson_cmd::run(ctx, rest),
        "kafka" => super::kafka_cmd::sim_kafka(ctx, rest),
        "broker" => super::kafka_cmd::sim_broker(ctx, rest),
        "consumer" => super::kafka_groups::sim_consumer(ctx, rest),
        "network" => super::kafka_groups::sim_network(ctx, rest),
        other => {
            let names = SUBCOMMANDS.iter().map(|(name, _)| *name);
            let hint = closest(other, names)
                .map(|name| format!("; did you mean `sim {name}`?"))
                .unwrap_or_default();
            Err(usage("sim", format!("unknown subcommand `{other}`{hint}")))
        }
    }
}

/// `sim query "SQL"`: a read-only query over the `sim.*` tables, printed as `athena` prints
/// results; without SQL, the tables and their columns.
fn query(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    match rest {
        [] => Ok(Reply::text(tables_text())),
        [sql] => {
            let result = introspect::query(ctx.world, sql)
                .map_err(|error| CommandError::Rendered(format!("{error}\n")))?;
            let rows = result.rows.len();
            let plural = if rows == 1 { "" } else { "s" };
            Ok(Reply::text(format!(
                "{}({rows} row{plural})\n",
                super::athena_cmd::table(&result)
            )))
        }
        [_, extra, ..] => Err(usage(
            "sim query",
            format!("unexpected argument `{extra}`: quote the whole query"),
        )),
    }
}

/// `sim parquet inspect s3://BUCKET/KEY`: a Parquet object's footer, as the Athena panel's
/// inspector shows it: rows, row groups, each column's types, and each column chunk's codec,
/// sizes, null count and min/max statistics.
fn parquet(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    const COMMAND: &str = "sim parquet inspect";
    let uri = match rest {
        [sub, ..] if sub != "inspect" => {
            return Err(usage(
                "sim parquet",
                format!("unknown subcommand `{sub}`; try `sim parquet inspect s3://BUCKET/KEY`"),
            ));
        }
        [] | [_] => return Err(usage(COMMAND, "missing the object, as in s3://BUCKET/KEY")),
        [_, uri] => uri,
        [_, _, extra, ..] => {
            return Err(usage(COMMAND, format!("unexpected argument `{extra}`")));
        }
    };
    let (bucket, key) = uri
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(bucket, key)| !bucket.is_empty() && !key.is_empty())
        .ok_or_else(|| usage(COMMAND, format!("`{uri}` is not an s3://BUCKET/KEY")))?;
    let world = &ctx.world;
    let target = crate::services::s3::ObjectRef {
        bucket,
        key,
        version_id: None,
    };
    let (_, bytes) = world
        .services()
        .s3
        .read(world.blobs(), world.now_ms(), target)
        .map_err(|err| {
            CommandError::Rendered(format!("{uri}: {}: {}\n", err.code(), err.message()))
        })?;
    let info = crate::formats::parquet_info(bytes)
        .map_err(|err| CommandError::Rendered(format!("{uri}: {err}\n")))?;
    Ok(Reply::text(parquet_text(uri, &info)))
}

fn parquet_text(uri: &str, info: &crate::formats::ParquetInfo) -> String {
    use crate::services::athena::{ColumnInfo, ResultSet};
    let columns = |names: &[(&str, &str)]| {
        names
            .iter()
            .map(|(name, type_name)| ColumnInfo {
                name: name.to_string(),
                type_name: type_name.to_string(),
            })
            .collect()
    };
    let schema = ResultSet {
        columns: columns(&[
            ("column", "varchar"),
            ("physical_type", "varchar"),
            ("logical_type", "varchar"),
        ]),
        rows: info
            .columns
            .iter()
            .map(|c| {
                vec![
                    Some(c.name.clone()),
                    Some(c.physical_type.clone()),
                    c.logical_type.clone(),
                ]
            })
            .collect(),
    };
    let chunks = ResultSet {
        columns: columns(&[
            ("row_group", "bigint"),
            ("column", "varchar"),
            ("codec", "varchar"),
            ("compressed", "bigint"),
            ("uncompressed", "bigint"),
            ("nulls", "bigint"),
            ("min", "varchar"),
            ("max", "varchar"),
        ]),
        rows: info
            .row_groups
            .iter()
            .enumerate()
            .flat_map(|(group, row_group)| {
                row_group.columns.iter().map(move |chunk| {
                    vec![
                        Some(group.to_string()),
                        Some(chunk.name.clone()),
                        Some(chunk.codec.clone()),
                        Some(chunk.compressed_size.to_string()),
                        Some(chunk.uncompressed_size.to_string()),
                        chunk.null_count.map(|n| n.to_string()),
                        chunk.min.clone(),
                        chunk.max.clone(),
                    ]
                })
            })
            .collect(),
    };
    let groups = info.row_groups.len();
    format!(
        "{uri}: Parquet, {} row(s) in {groups} row group{}\n\n{}\n{}",
        info.num_rows,
        if groups == 1 { "" } else { "s" },
        super::athena_cmd::table(&schema),
        super::athena_cmd::table(&chunks),
    )
}

fn tables_text() -> String {
    let mut text = String::from(
        "sim.* tables (read-only; try `sim query \"SELECT * FROM sim.s3_buckets\"`):\n",
    );
    for table in introspect::TABLES {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|(name, kind)| format!("{name} {}", kind.name()))
            .collect();
        text.push_str(&format!(
            "\n  sim.{}  {}\n    {}\n",
            table.name,
            table.description,
            columns.join(", ")
        ));
    }
    text
}

/// `sim schedule next "EXPR" [--from ISO] [--count N]`: the next fire times of a schedule
/// expression, checked as `aws events put-rule` checks it. A rate counts from `--from`.
fn schedule_preview(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    const COMMAND: &str = "sim schedule next";
    match rest.first().map(String::as_str) {
        Some("next") => {}
        Some(other) => {
            return Err(usage(
                "sim schedule",
                format!(
                    "unknown subcommand `{other}`; try `sim schedule next \"rate(5 minutes)\"`"
                ),
            ));
        }
        None => return Err(usage("sim schedule", "missing `next EXPR`")),
    }
    let flags = Flags::parse(&rest[1..], &["from", "count"], &[])
        .map_err(|message| usage(COMMAND, message))?;
    let expression = match flags.positionals.as_slice() {
        [] => {
            return Err(usage(
                COMMAND,
                "missing the schedule expression, e.g. \"cron(0/5 * * * ? *)\"",
            ));
        }
        [one] => one,
        [_, extra, ..] => {
            return Err(usage(
                COMMAND,
                format!("unexpected argument `{extra}`; quote the whole expression"),
            ));
        }
    };
    let from = match flags.value("from") {
        Some(text) => parse_iso(text).map_err(|message| usage(COMMAND, message))?,
        None => ctx.world.now_ms(),
    };
    let count = match flags.value("count") {
        Some(text) => parse_count("--count", text).map_err(|message| usage(COMMAND, message))?,
        None => SCHEDULE_COUNT_DEFAULT,
    };
    if count > SCHEDULE_COUNT_MAX {
        return Err(usage(
            COMMAND,
            format!("--count is at most {SCHEDULE_COUNT_MAX}, not {count}"),
        ));
    }
    let schedule = Schedule::parse(expression).map_err(|error| {
        CommandError::Rendered(format!(
            "ValidationException: {}\nwhy: {}\n",
            schedule::INVALID_MESSAGE,
            error.explanation
        ))
    })?;
    let mut out = String::new();
    let mut at = from;
    for _ in 0..count {
        match schedule.next_after(from, at) {
            Some(next) => {
                out.push_str(&format!("{}\n", format_iso(next)));
                at = next;
            }
            None => {
                out.push_str("(no more fire times before 2200)\n");
                break;
            }
        }
    }
    Ok(Reply::text(out))
}

fn no_args(command: &str, rest: &[String]) -> Result<(), CommandError> {
    match rest.first() {
        None => Ok(()),
        Some(extra) => Err(usage(command, format!("unexpected argument `{extra}`"))),
    }
}

fn one_positional(command: &str, rest: &[String], what: &str) -> Result<String, CommandError> {
    let flags = Flags::parse(rest, &[], &[]).map_err(|message| usage(command, message))?;
    match flags.positionals.as_slice() {
        [] => Err(usage(command, format!("missing {what}"))),
        [one] => Ok(one.clone()),
        [_, extra, ..] => Err(usage(command, format!("unexpected argument `{extra}`"))),
    }
}

fn clock_line(summary: RunSummary) -> String {
    let moved = summary.to_ms - summary.from_ms;
    let sign = if moved < 0 { "" } else { "+" };
    let events = match summary.events {
        1 => "1 event".to_string(),
        n => format!("{n} events"),
    };
    format!(
        "{}  ({sign}{}, {events})\n",
        format_iso(summary.to_ms),
        format_duration(moved)
    )
}

fn advance(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let text = one_positional("sim advance", rest, "a duration (e.g. 90s, 5m, 1h, 2d)")?;
    let ms = parse_duration(&text).map_err(|message| usage("sim advance", message))?;
    let summary = ctx
        .world
        .advance(ms)
        .map_err(|err| usage("sim advance", err.to_string()))?;
    Ok(Reply::text(clock_line(summary)))
}

fn set_time(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let text = one_positional(
        "sim set-time",
        rest,
        "an ISO 8601 time (e.g. 2022-06-12T09:00:00Z)",
    )?;
    let target = parse_iso(&text).map_err(|message| usage("sim set-time", message))?;
    let summary = ctx
        .world
        .set_time(target)
        .map_err(|err| usage("sim set-time", err.to_string()))?;
    Ok(Reply::text(clock_line(summary)))
}

fn step(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let flags = Flags::parse(rest, &[], &[]).map_err(|message| usage("sim step", message))?;
    let count = match flags.positionals.as_slice() {
        [] => 1,
        [n] => {
            parse_count("the number of steps", n).map_err(|message| usage("sim step", message))?
        }
        [_, extra, ..] => return Err(usage("sim step", format!("unexpected argument `{extra}`"))),
    };
    let mut out = String::new();
    for _ in 0..count {
        let before = ctx.world.trace().len();
        if !ctx.world.step() {
            break;
        }
        for event in &ctx.world.trace().events()[before..] {
            out.push_str(&trace_line(event));
        }
    }
    if out.is_empty() {
        out = format!(
            "nothing is scheduled; the clock stays at {}\n",
            format_iso(ctx.world.now_ms())
        );
    }
    Ok(Reply::text(out))
}

fn schedule_after(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let [duration, command @ ..] = rest else {
        return Err(usage(
            "sim after",
            "missing a duration and a command, as in `sim after 30s echo hi`",
        ));
    };
    let delay = parse_duration(duration).map_err(|message| usage("sim after", message))?;
    schedule(
        ctx,
        "sim after",
        ctx.world.now_ms().saturating_add(delay),
        command,
    )
}

fn schedule_at(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let [instant, command @ ..] = rest else {
        return Err(usage(
            "sim at",
            "missing a time and a command, as in `sim at 2022-06-12T09:00:00Z echo hi`",
        ));
    };
    let time_ms = parse_iso(instant).map_err(|message| usage("sim at", message))?;
    if time_ms < ctx.world.now_ms() {
        let message = format!(
            "{} is in the past (it is now {})",
            format_iso(time_ms),
            format_iso(ctx.world.now_ms())
        );
        return Err(usage("sim at", message));
    }
    schedule(ctx, "sim at", time_ms, command)
}

fn schedule(
    ctx: &mut Ctx,
    name: &str,
    time_ms: Millis,
    command: &[String],
) -> Result<Reply, CommandError> {
    if command.is_empty() {
        return Err(usage(name, "missing the command to run"));
    }
    let line = shlex::try_join(command.iter().map(String::as_str))
        .map_err(|err| usage(name, format!("cannot quote the command: {err}")))?;
    check_schedulable(&line).map_err(|message| usage(name, message))?;
    let scheduled_at_ms = ctx.world.now_ms();
    let event = Event::Command(ScheduledCommand {
        line: line.clone(),
        scheduled_at_ms,
    });
    ctx.world
        .schedule(time_ms, event)
        .map_err(|err| usage(name, err.to_string()))?;
    Ok(Reply::text(format!(
        "scheduled for {}: {line}\n",
        format_iso(time_ms)
    )))
}

fn events(ctx: &Ctx) -> Reply {
    let queue = ctx.world.queue();
    if queue.is_empty() {
        return Reply::text("no events are scheduled\n");
    }
    let mut out = String::new();
    for (time_ms, seq, event) in queue.iter() {
        out.push_str(&format!(
            "{}  #{seq}  {}\n",
            format_iso(time_ms),
            event.describe()
        ));
    }
    Reply::text(out)
}

fn seed(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let Some(text) = rest.first() else {
        return Ok(Reply::text(format!("{}\n", ctx.world.seed())));
    };
    no_args("sim seed", &rest[1..])?;
    let seed: u64 = text.parse().map_err(|_| {
        usage(
            "sim seed",
            format!(
                "the seed must be a whole number from 0 to {}, not `{text}`",
                u64::MAX
            ),
        )
    })?;
    ctx.world.reseed(seed);
    Ok(Reply::text(format!(
        "seed {seed}: the random stream restarts from it; everything else stays\n"
    )))
}

fn reset(rest: &[String]) -> Result<Reply, CommandError> {
    let flags = Flags::parse(rest, &["seed", "start"], &[])
        .map_err(|message| usage("sim reset", message))?;
    if let Some(extra) = flags.positionals.first() {
        return Err(usage("sim reset", format!("unexpected argument `{extra}`")));
    }
    let seed = match flags.value("seed") {
        Some(text) => text.parse().map_err(|_| {
            usage(
                "sim reset",
                format!("--seed must be a whole number, not `{text}`"),
            )
        })?,
        None => WorldConfig::default().seed,
    };
    let start_ms = match flags.value("start") {
        Some(text) => parse_iso(text).map_err(|message| usage("sim reset", message))?,
        None => DEFAULT_START_MS,
    };
    let stdout = format!(
        "a fresh world: seed {seed}, clock at {}\n",
        format_iso(start_ms)
    );
    Ok(Reply {
        stdout,
        action: Some(SessionAction::Reset(WorldConfig { seed, start_ms })),
    })
}

fn trace(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let flags = Flags::parse(rest, &["last"], &["json", "hash", "all"])
        .map_err(|message| usage("sim trace", message))?;
    if let Some(extra) = flags.positionals.first() {
        return Err(usage("sim trace", format!("unexpected argument `{extra}`")));
    }
    let trace = ctx.world.trace();
    if flags.switch("hash") {
        return Ok(Reply::text(format!("{}\n", trace.hash())));
    }
    let last = match (flags.value("last"), flags.switch("all")) {
        (Some(_), true) => return Err(usage("sim trace", "--last and --all do not go together")),
        (Some(text), false) => {
            parse_count("--last", text).map_err(|message| usage("sim trace", message))? as usize
        }
        (None, true) => trace.len(),
        (None, false) => TRACE_LAST_DEFAULT,
    };
    let shown = trace.last(last);
    let mut out = String::new();
    if flags.switch("json") {
        for event in shown {
            out.push_str(&event.to_json().to_string());
            out.push('\n');
        }
        return Ok(Reply::text(out));
    }
    if shown.is_empty() {
        return Ok(Reply::text(
            "the trace is empty: nothing has happened yet\n",
        ));
    }
    if shown.len() < trace.len() {
        out.push_str(&format!(
            "… {} earlier event(s); `sim trace --all` shows every one\n",
            trace.len() - shown.len()
        ));
    }
    for event in shown {
        out.push_str(&trace_line(event));
    }
    Ok(Reply::text(out))
}

/// Bytes per GB as AWS bills storage (binary gigabytes).
const GB: f64 = 1_073_741_824.0;

/// `sim cost`: what the stored objects would cost per month at list prices, by storage class.
/// `sim least-privilege ROLE`: every call the role's sessions made (allowed or denied now), the
/// minimal policy that allows exactly those, and what the attached managed policies allow
/// instead, so a learner sees why `…FullAccess` is more than the function needs.
fn least_privilege(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let [name] = rest else {
        return Err(usage(
            "sim least-privilege",
            "name one role, as in: sim least-privilege log-generator-role",
        ));
    };
    let iam = &ctx.world.services().iam;
    let role = iam
        .role(name)
        .map_err(|err| usage("sim least-privilege", err.message))?;
    let used = iam.used_by(name);
    if used.is_empty() {
        return Ok(Reply::text(format!(
            "role {name} has made no calls yet: invoke a function that uses it first\n"
        )));
    }
    let context = Context::new();
    let mut out = format!("calls made under role {name}, as IAM would decide them now:\n");
    for (action, resource) in &used {
        let decision = iam.simulate(role, action, resource, &context).decision;
        out.push_str(&format!(
            "  {:<13} {action:<28} {resource}\n",
            decision.as_str()
        ));
    }
    let policy = crate::services::iam::policy::least_privilege(&used);
    out.push_str(&format!(
        "\nthe least privilege that allows exactly these:\n{policy}\n"
    ));
    for arn in &role.attached {
        let Some(managed) = iam.managed(arn) else {
            continue;
        };
        let Ok(document) = Policy::parse(managed.document) else {
            continue;
        };
        let actions: Vec<String> = document
            .statements()
            .iter()
            .filter(|s| s.effect == policy::Effect::Allow)
            .flat_map(|s| match &s.action {
                Element::Listed(patterns) => patterns.clone(),
                Element::AllExcept(patterns) => {
                    vec![format!("everything but {}", patterns.join(", "))]
                }
            })
            .collect();
        out.push_str(&format!(
            "attached {}: allows {}\n",
            managed.name,
            actions.join(", ")
        ));
    }
    let compact: serde_json::Value =
        serde_json::from_str(&policy).expect("least_privilege writes JSON");
    out.push_str(&format!(
        "\napply it with:\n  aws iam put-role-policy --role-name {name} --policy-name least-privilege --policy-document '{compact}'\n"
    ));
    Ok(Reply::text(out))
}

fn cost(ctx: &Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let bucket = match rest {
        [] => None,
        [path] => Some(
            path.strip_prefix("s3://")
                .map(|b| b.trim_end_matches('/'))
                .ok_or_else(|| usage("sim cost", format!("`{path}` is not an s3://bucket")))?,
        ),
        [_, extra, ..] => return Err(usage("sim cost", format!("unexpected argument `{extra}`"))),
    };
    let s3 = &ctx.world.services().s3;
    if let Some(name) = bucket {
        s3.bucket(name)
            .map_err(|err| usage("sim cost", format!("s3://{name}: {}", err.message())))?;
    }
    let mut out = format!(
        "S3 storage, estimated per month ({}):\n",
        crate::services::s3::PRICES_AS_OF
    );
    out.push_str(&format!(
        "{:<20} {:>8} {:>14} {:>11} {:>12}\n",
        "storage class", "objects", "billed bytes", "$/GB-month", "$/month"
    ));
    let (mut objects, mut bytes, mut dollars) = (0, 0, 0.0);
    for (class, (count, size)) in s3.usage_by_class(bucket) {
        let monthly = size as f64 / GB * class.price_per_gb_month();
        out.push_str(&format!(
            "{:<20} {count:>8} {size:>14} {:>11.5} {monthly:>12.6}\n",
            class.as_str(),
            class.price_per_gb_month()
        ));
        (objects, bytes, dollars) = (objects + count, bytes + size, dollars + monthly);
    }
    out.push_str(&format!(
        "{:<20} {objects:>8} {bytes:>14} {:>11} {dollars:>12.6}\n",
        "total", ""
    ));
    out.push_str(
        "note: STANDARD_IA, ONEZONE_IA and GLACIER_IR bill objects under 128 KiB as 128 KiB (counted above); \
         deleting or moving an object before its class's minimum (30, 90 or 180 days) bills the rest; \
         requests and retrievals are not included\n",
    );
    Ok(Reply::text(out))
}

/// `#3  2022-06-12T00:00:30Z  shell/scheduled-command  line="echo hi" ok=true`
pub fn trace_line(event: &TraceEvent) -> String {
    let mut line = format!(
        "#{:<4} {}  {}/{}",
        event.seq,
        format_iso(event.time_ms),
        event.service,
        event.kind
    );
    for (key, value) in &event.fields {
        line.push_str(&format!("  {key}={value}"));
    }
    line.push('\n');
    line
}
