//! Consumer groups from the terminal: `kafka-console-consumer.sh --group G` (in the
//! foreground, or left running with `&`), `kafka-consumer-groups.sh`, the shell's `jobs` and
//! `kill`, and `sim consumer list|kill`. Column layouts follow Kafka's `ConsumerGroupCommand`
//! and `GroupOffsetsResetter` (tools/src/main/java/org/apache/kafka/tools/consumer/group/);
//! the job lines follow bash.

use std::collections::{BTreeMap, BTreeSet};

use super::kafka_cmd::{Formatter, Options, log_time, rendered, require_bootstrap};
use super::lex::Pipeline;
use super::{CommandError, Ctx, Reply, parse_duration, usage};
use crate::services::kafka::assignors::{Strategy, TopicPartition};
use crate::services::kafka::group::{
    ConsumerConfig, ConsumerState, Delivery, Group, GroupState, OffsetReset,
};
use crate::services::kafka::{Cluster, KafkaError, Offset};
use crate::sim::{Env, Millis};

/// Steps a foreground consumer may wait through.
const WAIT_STEPS_MAX: usize = 200_000;
/// The console consumer prints at most this many records per run.
const MESSAGES_MAX: usize = 10_000;
/// Bash's job ids map to fake process ids from here.
const PID_BASE: u32 = 4_000;
/// `MISSING_COLUMN_VALUE`.
const MISSING: &str = "-";

/// The cluster (started if needed, with its note) and an `Env` to act with.
fn with_cluster<T>(
    ctx: &mut Ctx,
    notes: &mut String,
    act: impl FnOnce(&mut Cluster, &mut Env) -> T,
) -> T {
    super::kafka_cmd::cluster(ctx, notes);
    let (services, mut env) = ctx.world.split();
    let cluster = services.kafka.cluster_mut().expect("just ensured");
    act(cluster, &mut env)
}

fn cluster_ref<'a>(ctx: &'a Ctx) -> Option<&'a Cluster> {
    ctx.world.services().kafka.cluster()
}

/// The text a background pipeline shows in `jobs`.
pub fn job_line(pipeline: &Pipeline) -> String {
    let words: Vec<String> = pipeline
        .commands
        .iter()
        .map(|c| shlex::try_join(c.argv.iter().map(String::as_str)).unwrap_or_default())
        .collect();
    words.join(" | ")
}

// ---- kafka-console-consumer.sh --group ------------------------------------------------------

/// The consumer settings from `--consumer-property`, `--group` and `--from-beginning`.
fn consumer_config(options: &Options, group: &str) -> Result<ConsumerConfig, CommandError> {
    let mut config = ConsumerConfig::new(group);
    if options.has("from-beginning") {
        config.auto_offset_reset = OffsetReset::Earliest;
    }
    let properties = options.properties("consumer-property").map_err(rendered)?;
    let invalid = |key: &str, value: &str, why: &str| {
        rendered(format!(
            "org.apache.kafka.common.config.ConfigException: Invalid value {value} for configuration {key}: {why}"
        ))
    };
    let millis = |key: &str, value: &str| -> Result<Millis, CommandError> {
        value
            .parse::<Millis>()
            .ok()
            .filter(|v| *v >= 0)
            .ok_or_else(|| invalid(key, value, "Not a number of type INT"))
    };
    for (key, value) in &properties {
        match key.as_str() {
            "group.id" if value != group => {
                return Err(rendered(format!(
                    "The group id provided by --group ({group}) conflicts with the group.id consumer property ({value})."
                )));
            }
            "group.id" => {}
            "client.id" => config.client_id = value.clone(),
            "group.instance.id" => config.group_instance_id = Some(value.clone()),
            "session.timeout.ms" => config.session_timeout_ms = millis(key, value)?,
            "heartbeat.interval.ms" => config.heartbeat_interval_ms = millis(key, value)?,
            "max.poll.interval.ms" => config.max_poll_interval_ms = millis(key, value)?,
            "auto.commit.interval.ms" => config.auto_commit_interval_ms = millis(key, value)?,
            "enable.auto.commit" => {
                config.enable_auto_commit = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(invalid(
                            key,
                            value,
                            "Expected value to be either true or false",
                        ));
                    }
                }
            }
            "auto.offset.reset" => {
                config.auto_offset_reset = match value.as_str() {
                    "earliest" => OffsetReset::Earliest,
                    "latest" => OffsetReset::Latest,
                    "none" => OffsetReset::None,
                    _ => {
                        return Err(invalid(
                            key,
                            value,
                            "Invalid value for auto.offset.reset. Valid values are: [latest, earliest, none]",
                        ));
                    }
                }
            }
            "partition.assignment.strategy" => {
                config.strategies = value
                    .split(',')
                    .map(|name| {
                        Strategy::from_config(name).map_err(|_| {
                            rendered(format!(
                                "org.apache.kafka.common.KafkaException: {} ClassNotFoundException exception occurred",
                                name.trim()
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?;
            }
            "max.poll.records" => {
                config.max_poll_records = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| invalid(key, value, "Value must be at least 1"))?;
            }
            _ => {}
        }
    }
    if config.heartbeat_interval_ms >= config.session_timeout_ms {
        return Err(rendered(
            "org.apache.kafka.common.KafkaException: Failed to construct kafka consumer\n\
             Caused by: java.lang.IllegalArgumentException: Heartbeat must be set lower than the session timeout",
        ));
    }
    Ok(config)
}

/// `--topic T` or `--include REGEX` (matched against the topics that exist now).
fn subscription(ctx: &Ctx, options: &Options) -> Result<BTreeSet<String>, CommandError> {
    match (options.value("topic"), options.value("include")) {
        (Some(_), Some(_)) | (None, None) => {
            Err(rendered("Exactly one of --include/--topic is required. "))
        }
        (Some(topic), None) => Ok(BTreeSet::from([topic.to_string()])),
        (None, Some(pattern)) => {
            let regex = regex::Regex::new(&format!("^(?:{pattern})$"))
                .map_err(|e| rendered(format!("Invalid regular expression {pattern}: {e}")))?;
            Ok(cluster_ref(ctx)
                .map(|c| {
                    c.topics()
                        .map(|t| t.name.clone())
                        .filter(|name| !name.starts_with("__") && regex.is_match(name))
                        .collect()
                })
                .unwrap_or_default())
        }
    }
}

/// Runs the console consumer in a group: in the foreground until it has read what there is
/// (or `--max-messages`, or `--timeout-ms` of silence), then closes; with `&` it keeps going.
pub(super) fn consume(
    ctx: &mut Ctx,
    options: &Options,
    background: Option<&str>,
) -> Result<Reply, CommandError> {
    let group = options.value("group").expect("checked").to_string();
    if options.has("partition") || options.has("offset") {
        return Err(rendered(
            "Options group and partition/offset cannot be specified together: a group assigns partitions itself.",
        ));
    }
    let mut config = consumer_config(options, &group)?;
    let max = match options.number("max-messages").map_err(rendered)? {
        Some(n) if n > 0 => (n as usize).min(MESSAGES_MAX),
        _ => MESSAGES_MAX,
    };
    config.max_poll_records = config.max_poll_records.min(max);
    let timeout_ms = options.number("timeout-ms").map_err(rendered)?;
    let properties = options.properties("property").map_err(rendered)?;
    let formatter = Formatter::from(&properties);
    let mut out = String::new();
    super::kafka_cmd::cluster(ctx, &mut out);
    let topics = subscription(ctx, options)?;
    if topics.is_empty() {
        return Err(rendered(format!(
            "{out}note: no topic matches --include; create one with kafka-topics.sh --create"
        )));
    }
    let started = with_cluster(ctx, &mut out, |cluster, env| {
        let id =
            cluster.start_consumer(env, config, topics.clone(), background.map(str::to_string))?;
        if let Some(c) = cluster.groups().consumer(id)
            && c.state == ConsumerState::Failed
        {
            let (class, message) = c.error.clone().unwrap_or_default();
            return Err(KafkaError::InvalidConfig {
                message: format!("{class}: {message}"),
            });
        }
        Ok(id)
    });
    let id = match started {
        Ok(id) => id,
        Err(KafkaError::UnknownTopic { .. }) => {
            let topic = topics.iter().next().cloned().unwrap_or_default();
            return Err(rendered(format!(
                "{out}{} WARN [Consumer clientId=consumer-{group}-1, groupId={group}] Error while fetching metadata with correlation id 2 : {{{topic}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)\n\
                 note: the real consumer keeps waiting for the topic; create it with kafka-topics.sh --create",
                log_time(ctx.world.now_ms())
            )));
        }
        Err(KafkaError::InvalidConfig { message }) => {
            return Err(rendered(format!("{out}{message}")));
        }
        Err(error) => {
            let (class, message) = super::kafka_cmd::exception(&error);
            return Err(rendered(format!("{out}{class}: {message}")));
        }
    };
    if background.is_some() {
        let job = cluster_ref(ctx)
            .and_then(|c| c.groups().consumer(id))
            .and_then(|c| c.job)
            .expect("a background consumer has a job number");
        out.push_str(&format!("[{job}] {}\n", PID_BASE + job));
        return Ok(Reply::text(out));
    }
    let mut printed = 0;
    let mut last_record_ms = ctx.world.now_ms();
    let mut failed = None;
    for _ in 0..WAIT_STEPS_MAX {
        let (deliveries, _) = with_cluster(ctx, &mut String::new(), |c, _| c.take_output(id));
        if !deliveries.is_empty() {
            last_record_ms = ctx.world.now_ms();
        }
        for delivery in deliveries.iter().take(max - printed) {
            out.push_str(&formatter.line(delivery.partition.partition, &delivery.record));
        }
        printed += deliveries.len().min(max - printed);
        let consumer = cluster_ref(ctx)
            .and_then(|c| c.groups().consumer(id))
            .expect("started");
        if consumer.state != ConsumerState::Running {
            failed = consumer.error.clone();
            break;
        }
        if printed >= max {
            break;
        }
        let deadline = match timeout_ms {
            Some(timeout) => last_record_ms + timeout.max(0),
            None if consumer.caught_up => break,
            None => Millis::MAX,
        };
        if super::kafka_cmd::wait_until(ctx, deadline, &mut out)? {
            break;
        }
    }
    if let Some((class, message)) = failed {
        out.push_str(&format!(
            "{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\n{class}: {message}\n",
            log_time(ctx.world.now_ms())
        ));
    } else {
        with_cluster(ctx, &mut String::new(), |c, env| c.close_consumer(env, id))
            .expect("it was running");
    }
    out.push_str(&format!("Processed a total of {printed} messages\n"));
    Ok(Reply::text(out))
}

/// What background consumers printed since the last changing command, in job order.
pub fn background_output(ctx: &mut Ctx) -> String {
    let Some(cluster) = ctx.world.services().kafka.cluster() else {
        return String::new();
    };
    let jobs: Vec<u32> = cluster
        .groups()
        .consumers()
        .filter(|c| c.command.is_some() && !c.pending_output.is_empty())
        .map(|c| c.id)
        .collect();
    if jobs.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    for id in jobs {
        let (deliveries, dropped) = {
            let (services, _) = ctx.world.split();
            services
                .kafka
                .cluster_mut()
                .expect("checked")
                .take_output(id)
        };
        let command = cluster_ref(ctx)
            .and_then(|c| c.groups().consumer(id))
            .and_then(|c| c.command.clone())
            .unwrap_or_default();
        let formatter = job_formatter(&command);
        if dropped > 0 {
            out.push_str(&format!(
                "… {dropped} earlier lines of a background consumer not shown\n"
            ));
        }
        out.extend(
            deliveries
                .iter()
                .map(|d: &Delivery| formatter.line(d.partition.partition, &d.record)),
        );
    }
    out
}

/// The `--property` settings of a job's command line.
fn job_formatter(command: &str) -> Formatter {
    let words = shlex::split(command).unwrap_or_default();
    let options = Options::parse(
        words.get(1..).unwrap_or_default(),
        &super::kafka_cmd::CONSUMER_VALUED,
        &["from-beginning"],
    );
    let properties = options
        .ok()
        .and_then(|o| o.properties("property").ok())
        .unwrap_or_default();
    Formatter::from(&properties)
}

// ---- jobs, kill, sim consumer ---------------------------------------------------------------

/// `jobs`: the background consumers, as bash lists jobs.
pub fn jobs(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    if let Some(arg) = args.first() {
        return Err(rendered(format!(
            "bash: jobs: {arg}: invalid option\njobs: usage: jobs [-lnprs] [jobspec ...]"
        )));
    }
    let Some(cluster) = cluster_ref(ctx) else {
        return Ok(Reply::text(""));
    };
    let jobs: Vec<_> = cluster
        .groups()
        .consumers()
        .filter(|c| c.command.is_some())
        .collect();
    let last = jobs.last().and_then(|c| c.job);
    let previous = jobs.len().checked_sub(2).and_then(|i| jobs[i].job);
    let mut out = String::new();
    for c in &jobs {
        let mark = if c.job == last {
            '+'
        } else if c.job == previous {
            '-'
        } else {
            ' '
        };
        let command = c.command.as_deref().unwrap_or_default();
        let suffix = if c.state == ConsumerState::Running {
            " &"
        } else {
            ""
        };
        let job = c.job.unwrap_or_default();
        out.push_str(&format!(
            "[{job}]{mark}  {:<24}{command}{suffix}\n",
            c.state.as_str()
        ));
    }
    Ok(Reply::text(out))
}

/// The consumer behind the running job `%N` (or its pid).
fn job_id(ctx: &Ctx, spec: &str, command: &str) -> Result<u32, CommandError> {
    let job = match spec.strip_prefix('%') {
        Some(n) => n.parse::<u32>().ok(),
        None => spec
            .parse::<u32>()
            .ok()
            .and_then(|pid| pid.checked_sub(PID_BASE)),
    };
    let running = job.and_then(|job| {
        cluster_ref(ctx)
            .and_then(|c| c.groups().job(job))
            .filter(|c| c.state == ConsumerState::Running)
            .map(|c| c.id)
    });
    running.ok_or_else(|| match spec.strip_prefix('%') {
        Some(_) => rendered(format!("bash: {command}: {spec}: no such job")),
        None => rendered(format!("bash: {command}: ({spec}) - No such process")),
    })
}

/// `kill [-9|-KILL|-15|-TERM] %N`: SIGTERM lets the consumer close (commit, leave); SIGKILL
/// does not.
pub fn kill(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let (hard, specs) = match args.first().map(String::as_str) {
        Some("-9" | "-KILL" | "-SIGKILL" | "-s9") => (true, &args[1..]),
        Some("-15" | "-TERM" | "-SIGTERM") => (false, &args[1..]),
        Some(flag) if flag.starts_with('-') => {
            return Err(rendered(format!(
                "bash: kill: {}: invalid signal specification",
                &flag[1..]
            )));
        }
        _ => (false, args),
    };
    if specs.is_empty() {
        return Err(rendered(
            "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]",
        ));
    }
    let ids = specs
        .iter()
        .map(|spec| job_id(ctx, spec, "kill"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = String::new();
    for id in ids {
        out.push_str(&stop(ctx, id, hard));
    }
    if hard {
        out.push_str("note: SIGKILL: no commit and no LeaveGroup; the group notices when session.timeout.ms passes without a heartbeat\n");
    }
    Ok(Reply::text(out))
}

/// Stops consumer `id`; returns what the terminal shows for it.
fn stop(ctx: &mut Ctx, id: u32, hard: bool) -> String {
    let mut out = background_output(ctx);
    let result = with_cluster(ctx, &mut String::new(), |cluster, env| {
        if hard {
            cluster.crash_consumer(env, id)
        } else {
            cluster.close_consumer(env, id)
        }
    });
    result.expect("the job is running");
    let consumer = cluster_ref(ctx)
        .and_then(|c| c.groups().consumer(id))
        .expect("exists");
    if !hard {
        out.push_str(&format!(
            "Processed a total of {} messages\n",
            consumer.consumed
        ));
    }
    if let (Some(command), Some(job)) = (&consumer.command, consumer.job) {
        let status = if hard { "Killed" } else { "Terminated" };
        out.push_str(&format!("[{job}]+  {status:<24}{command}\n"));
    }
    out
}

/// `sim consumer list`, `sim consumer kill CLIENT-ID|MEMBER-ID|%N` and
/// `sim consumer slow CLIENT-ID|MEMBER-ID|%N --per-record DURATION`.
pub(super) fn sim_consumer(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    const USAGE: &str = "list | kill CLIENT-ID|MEMBER-ID|%JOB | slow CLIENT-ID|MEMBER-ID|%JOB --per-record DURATION";
    match rest.first().map(String::as_str) {
        Some("list") if rest.len() == 1 => Ok(Reply::text(consumer_list(ctx))),
        Some("slow") => slow_consumer(ctx, &rest[1..]),
        Some("kill") if rest.len() == 2 => {
            let id = find_consumer(ctx, &rest[1], "sim consumer kill")?;
            let mut out = stop(ctx, id, true);
            out.push_str(&format!(
                "note: consumer {} was killed without committing or leaving its group; the coordinator notices when session.timeout.ms passes without a heartbeat\n",
                rest[1]
            ));
            Ok(Reply::text(out))
        }
        _ => Err(usage("sim consumer", USAGE)),
    }
}

/// Sets a running consumer's processing time per record, and says whether a full poll
/// (`max.poll.records` of them) now outlasts `max.poll.interval.ms`.
fn slow_consumer(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    const COMMAND: &str = "sim consumer slow";
    let (spec, per_record) = match args {
        [spec, flag, value] if flag == "--per-record" => (spec, value),
        _ => {
            return Err(usage(
                COMMAND,
                "CLIENT-ID|MEMBER-ID|%JOB --per-record DURATION (e.g. 1s; 0 for none)",
            ));
        }
    };
    let per_record_ms = match per_record.as_str() {
        "0" => 0,
        text => parse_duration(text).map_err(|m| usage(COMMAND, m))?,
    };
    let id = find_consumer(ctx, spec, COMMAND)?;
    with_cluster(ctx, &mut String::new(), |c, env| {
        c.set_processing_time(env, id, per_record_ms)
    })
    .expect("a running consumer");
    let consumer = cluster_ref(ctx)
        .and_then(|c| c.groups().consumer(id))
        .expect("still there");
    let records = consumer.config.max_poll_records as Millis;
    let full_poll_ms = per_record_ms.saturating_mul(records);
    let interval_ms = consumer.config.max_poll_interval_ms;
    let verdict = if full_poll_ms > interval_ms {
        format!(
            "over max.poll.interval.ms={interval_ms}: when a poll returns that many, the heartbeat thread will leave the group before the batch is done,              and the records processed since the last commit will be delivered again (lower max.poll.records or raise max.poll.interval.ms)"
        )
    } else {
        format!("within max.poll.interval.ms={interval_ms}")
    };
    Ok(Reply::text(format!(
        "consumer {spec} now takes {per_record_ms} ms per record: a full poll of max.poll.records={records} takes {full_poll_ms} ms, {verdict}\n"
    )))
}

fn consumer_list(ctx: &Ctx) -> String {
    let Some(cluster) = cluster_ref(ctx) else {
        return "no consumers (no cluster yet)\n".into();
    };
    let mut out = String::new();
    for c in cluster.groups().consumers() {
        let assignment = if c.assignment.is_empty() {
            MISSING.to_string()
        } else {
            partitions_text(&c.assignment)
        };
        let slow = match c.processing_ms_per_record {
            0 => String::new(),
            ms => format!(" processing={ms}ms/record"),
        };
        out.push_str(&format!(
            "consumer {} client.id={} group={} member={} state={} consumed={} assignment={}{slow}\n",
            c.id,
            c.config.client_id,
            c.config.group_id,
            c.member_id.as_deref().unwrap_or(MISSING),
            c.state.as_str(),
            c.consumed,
            assignment
        ));
    }
    if out.is_empty() {
        out.push_str("no consumers\n");
    }
    out
}

/// A running consumer by client id (which must be unambiguous), member id or `%N`.
fn find_consumer(ctx: &Ctx, spec: &str, command: &str) -> Result<u32, CommandError> {
    if spec.starts_with('%') {
        return job_id(ctx, spec, command);
    }
    let running: Vec<_> = cluster_ref(ctx)
        .map(|c| {
            c.groups()
                .consumers()
                .filter(|c| c.state == ConsumerState::Running)
                .collect()
        })
        .unwrap_or_default();
    if let Some(c) = running
        .iter()
        .find(|c| c.member_id.as_deref() == Some(spec))
    {
        return Ok(c.id);
    }
    let matching: Vec<_> = running
        .iter()
        .filter(|c| c.config.client_id == spec)
        .collect();
    match matching.as_slice() {
        [one] => Ok(one.id),
        [] => Err(usage(
            command,
            format!(
                "no running consumer has client.id or member id `{spec}` (see `sim consumer list`)"
            ),
        )),
        many => Err(usage(
            command,
            format!(
                "{} running consumers share client.id `{spec}`; name one by member id or %JOB: {}",
                many.len(),
                many.iter()
                    .map(|c| c.member_id.clone().unwrap_or_else(|| format!("%{}", c.id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

// ---- kafka-consumer-groups.sh ---------------------------------------------------------------

const ACTIONS: [&str; 5] = [
    "list",
    "describe",
    "delete",
    "reset-offsets",
    "delete-offsets",
];
const SCENARIOS: [&str; 6] = [
    "to-offset",
    "to-datetime",
    "to-earliest",
    "to-latest",
    "shift-by",
    "to-current",
];

pub(super) fn consumer_groups(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &[
            "bootstrap-server",
            "group",
            "topic",
            "to-offset",
            "to-datetime",
            "shift-by",
            "timeout",
            "command-config",
        ],
        &[
            "list",
            "describe",
            "delete",
            "reset-offsets",
            "delete-offsets",
            "all-groups",
            "all-topics",
            "members",
            "verbose",
            "offsets",
            "state",
            "to-earliest",
            "to-latest",
            "to-current",
            "execute",
            "dry-run",
        ],
    )
    .map_err(rendered)?;
    require_bootstrap(&options)?;
    let actions: Vec<&str> = ACTIONS.iter().copied().filter(|a| options.has(a)).collect();
    if actions.len() != 1 {
        return Err(rendered(format!(
            "Command must include exactly one action: {}",
            ACTIONS.map(|a| format!("--{a}")).join(", ")
        )));
    }
    let groups: Vec<String> = if options.has("all-groups") {
        cluster_ref(ctx)
            .map(|c| c.groups().groups().map(|g| g.group_id.clone()).collect())
            .unwrap_or_default()
    } else {
        options.all("group").to_vec()
    };
    let needs_group = actions[0] != "list";
    if needs_group && groups.is_empty() && !options.has("all-groups") {
        return Err(rendered(format!(
            "Option [{}] takes one of these options: [all-groups], [group]",
            actions[0]
        )));
    }
    let mut notes = String::new();
    super::kafka_cmd::cluster(ctx, &mut notes);
    let body = match actions[0] {
        "list" => list(ctx),
        "describe" => describe(ctx, &options, &groups),
        "delete" => delete(ctx, &groups),
        "reset-offsets" => reset_offsets(ctx, &options, &groups)?,
        _ => {
            return Err(usage(
                "kafka-consumer-groups.sh",
                "--delete-offsets is not simulated; --reset-offsets moves a group's offsets",
            ));
        }
    };
    Ok(Reply::text(format!("{notes}{body}")))
}

fn list(ctx: &Ctx) -> String {
    cluster_ref(ctx)
        .map(|c| {
            c.groups()
                .groups()
                .map(|g| format!("{}\n", g.group_id))
                .collect()
        })
        .unwrap_or_default()
}

/// `%-Ns` for each width, `%s` for the last column.
fn row(widths: &[usize], cells: &[String]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        match widths.get(i) {
            Some(&w) => line.push_str(&format!("{cell:<w$}")),
            None => line.push_str(cell),
        }
    }
    line
}

/// The warning `shouldPrintMemberState` prints; whether to print rows.
fn member_state(out: &mut String, group: Option<&Group>, group_id: &str, rows: usize) -> bool {
    match group.map(|g| g.state) {
        None | Some(GroupState::Dead) => {
            out.push_str(&format!(
                "\nError: Consumer group '{group_id}' does not exist.\n"
            ));
            false
        }
        Some(GroupState::Empty) => {
            out.push_str(&format!(
                "\nConsumer group '{group_id}' has no active members.\n"
            ));
            rows > 0
        }
        Some(GroupState::PreparingRebalance | GroupState::CompletingRebalance) => {
            out.push_str(&format!(
                "\nWarning: Consumer group '{group_id}' is rebalancing.\n"
            ));
            rows > 0
        }
        Some(GroupState::Stable) => rows > 0,
    }
}

fn describe(ctx: &Ctx, options: &Options, groups: &[String]) -> String {
    let cluster = cluster_ref(ctx).expect("ensured");
    let mut sorted: Vec<&String> = groups.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut out = String::new();
    for group_id in sorted {
        let group = cluster.groups().group(group_id);
        if options.has("members") && !options.has("offsets") {
            describe_members(&mut out, group, group_id, options.has("verbose"));
        } else if options.has("state") && !options.has("offsets") {
            describe_state(&mut out, cluster, group, group_id);
        } else {
            describe_offsets(&mut out, cluster, group, group_id);
        }
    }
    out
}

struct OffsetRow {
    tp: TopicPartition,
    current: Option<Offset>,
    log_end: Option<Offset>,
    consumer: String,
    host: String,
    client: String,
}

fn describe_offsets(out: &mut String, cluster: &Cluster, group: Option<&Group>, group_id: &str) {
    let mut rows = Vec::new();
    if let Some(group) = group {
        let log_end = |tp: &TopicPartition| {
            cluster
                .partition(&tp.topic, tp.partition)
                .filter(|p| p.leader.is_some())
                .map(|p| p.high_watermark)
        };
        let mut members: Vec<_> = group
            .members
            .iter()
            .filter(|m| !m.assignment.is_empty())
            .collect();
        members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
        let mut assigned = BTreeSet::new();
        for m in members {
            let mut tps = m.assignment.clone();
            tps.sort();
            for tp in tps {
                assigned.insert(tp.clone());
                rows.push(OffsetRow {
                    current: group.offsets.get(&tp).map(|c| c.offset),
                    log_end: log_end(&tp),
                    tp,
                    consumer: m.member_id.clone(),
                    host: m.host.clone(),
                    client: m.client_id.clone(),
                });
            }
        }
        for (tp, committed) in &group.offsets {
            if !assigned.contains(tp) {
                rows.push(OffsetRow {
                    tp: tp.clone(),
                    current: Some(committed.offset),
                    log_end: log_end(tp),
                    consumer: MISSING.into(),
                    host: MISSING.into(),
                    client: MISSING.into(),
                });
            }
        }
    }
    if !member_state(out, group, group_id, rows.len()) {
        return;
    }
    let width = |f: &dyn Fn(&OffsetRow) -> usize| rows.iter().map(f).max().unwrap_or(0).max(15);
    let widths = [
        group_id.len().max(15),
        width(&|r| r.tp.topic.len()),
        10,
        15,
        15,
        15,
        width(&|r| r.consumer.len()),
        width(&|r| r.host.len()),
    ];
    let header = [
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]
    .map(String::from);
    out.push('\n');
    out.push_str(&row(&widths, &header));
    for r in &rows {
        let show = |v: Option<Offset>| v.map_or(MISSING.to_string(), |v| v.to_string());
        let lag = match (r.current, r.log_end) {
            (Some(c), Some(e)) if c != -1 => Some(e - c),
            _ => None,
        };
        out.push('\n');
        out.push_str(&row(
            &widths,
            &[
                group_id.to_string(),
                r.tp.topic.clone(),
                r.tp.partition.to_string(),
                show(r.current),
                show(r.log_end),
                show(lag),
                r.consumer.clone(),
                r.host.clone(),
                r.client.clone(),
            ],
        ));
    }
    out.push_str("\n\n");
}

/// `topic:0,1;other:2`, as `getAssignmentString` prints it.
fn partitions_text(assignment: &[TopicPartition]) -> String {
    let mut by_topic: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for tp in assignment {
        by_topic.entry(&tp.topic).or_default().push(tp.partition);
    }
    by_topic
        .into_iter()
        .map(|(topic, mut partitions)| {
            partitions.sort_unstable();
            let list: Vec<String> = partitions.iter().map(u32::to_string).collect();
            format!("{topic}:{}", list.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn describe_members(out: &mut String, group: Option<&Group>, group_id: &str, verbose: bool) {
    let members = group.map_or(&[][..], |g| g.members.as_slice());
    if !member_state(out, group, group_id, members.len())
        && group.is_none_or(|g| g.state != GroupState::Empty)
    {
        return;
    }
    let statics = members.iter().any(|m| m.group_instance_id.is_some());
    let w = |f: &dyn Fn(&&crate::services::kafka::group::GroupMember) -> usize, min: usize| {
        members.iter().map(|m| f(&m)).max().unwrap_or(0).max(min)
    };
    let mut widths = vec![group_id.len().max(15), w(&|m| m.member_id.len(), 15)];
    let mut header = vec!["GROUP", "CONSUMER-ID"];
    if statics {
        widths.push(w(
            &|m| m.group_instance_id.as_deref().unwrap_or("").len(),
            17,
        ));
        header.push("GROUP-INSTANCE-ID");
    }
    widths.extend([w(&|m| m.host.len(), 15), w(&|m| m.client_id.len(), 15), 15]);
    header.extend(["HOST", "CLIENT-ID", "#PARTITIONS"]);
    let assignment = |m: &crate::services::kafka::group::GroupMember| {
        if m.assignment.is_empty() {
            MISSING.to_string()
        } else {
            partitions_text(&m.assignment)
        }
    };
    let current_width = members
        .iter()
        .map(|m| assignment(m).len())
        .max()
        .unwrap_or(0)
        .max(20);
    if verbose {
        widths.extend([15, current_width, 15, 20]);
        header.extend([
            "CURRENT-EPOCH",
            "CURRENT-ASSIGNMENT",
            "TARGET-EPOCH",
            "TARGET-ASSIGNMENT",
        ]);
    }
    let pad = |cells: Vec<String>| {
        // Every column, the last included, is padded and followed by a space.
        let mut line = String::new();
        for (cell, w) in cells.iter().zip(&widths) {
            line.push_str(&format!("{cell:<w$} "));
        }
        line
    };
    out.push('\n');
    out.push_str(&pad(header.iter().map(|h| h.to_string()).collect()));
    out.push('\n');
    for m in members {
        let mut cells = vec![group_id.to_string(), m.member_id.clone()];
        if statics {
            cells.push(m.group_instance_id.clone().unwrap_or_default());
        }
        cells.extend([
            m.host.clone(),
            m.client_id.clone(),
            m.assignment.len().to_string(),
        ]);
        if verbose {
            cells.extend([
                MISSING.into(),
                assignment(m),
                MISSING.into(),
                MISSING.into(),
            ]);
        }
        out.push_str(&pad(cells));
        out.push('\n');
    }
}

fn describe_state(out: &mut String, cluster: &Cluster, group: Option<&Group>, group_id: &str) {
    if !member_state(out, group, group_id, 1) {
        return;
    }
    let group = group.expect("exists");
    let coordinator = match cluster.coordinator(group_id) {
        Some(id) => format!("localhost:9092  ({id})"),
        None => format!("{MISSING}:-1  (-1)"),
    };
    let widths = [group_id.len().max(15), coordinator.len().max(25), 20, 20];
    let strategy = group.protocol.map_or(MISSING, Strategy::name);
    out.push('\n');
    out.push_str(&row(
        &widths,
        &[
            "GROUP",
            "COORDINATOR (ID)",
            "ASSIGNMENT-STRATEGY",
            "STATE",
            "#MEMBERS",
        ]
        .map(String::from),
    ));
    out.push('\n');
    out.push_str(&row(
        &widths,
        &[
            group_id.to_string(),
            coordinator,
            strategy.to_string(),
            group.state.as_str().to_string(),
            group.members.len().to_string(),
        ],
    ));
    out.push_str("\n\n");
}

fn delete(ctx: &mut Ctx, groups: &[String]) -> String {
    let mut deleted = Vec::new();
    let mut failed = Vec::new();
    for group in groups {
        let result = with_cluster(ctx, &mut String::new(), |c, env| c.delete_group(env, group));
        match result {
            Ok(()) => deleted.push(format!("'{group}'")),
            Err(error) => {
                let (class, message) = super::kafka_cmd::exception(&error);
                failed.push(format!(
                    "* Group '{group}' could not be deleted due to: {class}: {message}\n"
                ));
            }
        }
    }
    if failed.is_empty() {
        return format!(
            "Deletion of requested consumer groups ({}) was successful.\n",
            deleted.join(", ")
        );
    }
    let mut out = String::from("\nError: Deletion of some consumer groups failed:\n");
    out.extend(failed);
    if !deleted.is_empty() {
        out.push_str(&format!(
            "\nThese consumer groups were deleted successfully: {}\n",
            deleted.join(", ")
        ));
    }
    out
}

/// `--reset-offsets`: plans new offsets for an inactive group; `--execute` commits them.
fn reset_offsets(
    ctx: &mut Ctx,
    options: &Options,
    groups: &[String],
) -> Result<String, CommandError> {
    let scenarios: Vec<&str> = SCENARIOS
        .iter()
        .copied()
        .filter(|s| options.has(s))
        .collect();
    if scenarios.len() != 1 {
        return Err(rendered(format!(
            "Option '[reset-offsets]' requires one of the following scenarios: [{}]",
            SCENARIOS.map(|s| format!("[{s}]")).join(", ")
        )));
    }
    if options.has("execute") && options.has("dry-run") {
        return Err(rendered(
            "Option [execute] cannot be used with option [dry-run]",
        ));
    }
    let scope_topics = options.all("topic");
    if !options.has("all-topics") && scope_topics.is_empty() {
        return Err(rendered(
            "One of the reset scopes should be defined: --all-topics, --topic.",
        ));
    }
    let cluster = cluster_ref(ctx).expect("ensured");
    let mut out = String::new();
    if !options.has("execute") && !options.has("dry-run") {
        out.push_str("WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.\n");
    }
    let mut plans: BTreeMap<String, BTreeMap<TopicPartition, Offset>> = BTreeMap::new();
    for group_id in groups {
        let group = cluster.groups().group(group_id);
        if let Some(g) = group.filter(|g| !matches!(g.state, GroupState::Empty | GroupState::Dead))
        {
            out.push_str(&format!(
                "\nError: Assignments can only be reset if the group '{group_id}' is inactive, but the current state is {}.\n",
                g.state.as_str()
            ));
            plans.insert(group_id.clone(), BTreeMap::new());
            continue;
        }
        let partitions = partitions_to_reset(cluster, group, options, scope_topics)?;
        let mut plan = BTreeMap::new();
        for tp in partitions {
            let offset = new_offset(cluster, group, &tp, options, &mut out)?;
            plan.insert(tp, offset);
        }
        plans.insert(group_id.clone(), plan);
    }
    if options.has("execute") {
        for (group_id, plan) in &plans {
            let inactive = cluster_ref(ctx)
                .and_then(|c| c.groups().group(group_id))
                .is_none_or(|g| matches!(g.state, GroupState::Empty | GroupState::Dead));
            if inactive {
                with_cluster(ctx, &mut String::new(), |c, env| {
                    c.alter_group_offsets(env, group_id, plan)
                })
                .expect("the group is inactive");
            }
        }
    }
    let group_width = plans.keys().map(String::len).max().unwrap_or(0).max(15);
    let topic_width = plans
        .values()
        .flat_map(|p| p.keys().map(|tp| tp.topic.len()))
        .max()
        .unwrap_or(0)
        .max(15);
    let widths = [group_width, topic_width, 10];
    if !plans.is_empty() {
        out.push('\n');
        out.push_str(&row(
            &widths,
            &["GROUP", "TOPIC", "PARTITION", "NEW-OFFSET"].map(String::from),
        ));
    }
    for (group_id, plan) in &plans {
        for (tp, offset) in plan {
            out.push('\n');
            out.push_str(&row(
                &widths,
                &[
                    group_id.clone(),
                    tp.topic.clone(),
                    tp.partition.to_string(),
                    offset.to_string(),
                ],
            ));
        }
    }
    out.push('\n');
    Ok(out)
}

/// `--all-topics` (the group's committed partitions) or `--topic T[:P,P]` (repeatable).
fn partitions_to_reset(
    cluster: &Cluster,
    group: Option<&Group>,
    options: &Options,
    topics: &[String],
) -> Result<Vec<TopicPartition>, CommandError> {
    if options.has("all-topics") {
        return Ok(group
            .map(|g| g.offsets.keys().cloned().collect())
            .unwrap_or_default());
    }
    let mut out = Vec::new();
    for arg in topics {
        match arg.split_once(':') {
            Some((topic, list)) => {
                for p in list.split(',') {
                    let partition = p.parse::<u32>().map_err(|_| {
                        rendered(format!(
                            "Invalid partition '{p}' specified in topic arg '{arg}''"
                        ))
                    })?;
                    out.push(TopicPartition::new(topic, partition));
                }
            }
            None => {
                let t = cluster.topic(arg).map_err(|_| {
                    rendered("Error: Executing consumer group command failed due to org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.".to_string())
                })?;
                out.extend((0..t.partitions.len() as u32).map(|p| TopicPartition::new(arg, p)));
            }
        }
    }
    for tp in &out {
        if cluster.partition(&tp.topic, tp.partition).is_none() {
            return Err(rendered(format!(
                "Error: Executing consumer group command failed due to The partitions {{{tp}}} do not exist",
            )));
        }
    }
    Ok(out)
}

fn new_offset(
    cluster: &Cluster,
    group: Option<&Group>,
    tp: &TopicPartition,
    options: &Options,
    out: &mut String,
) -> Result<Offset, CommandError> {
    let p = cluster.partition(&tp.topic, tp.partition).expect("checked");
    let (start, end) = (p.log_start_offset(), p.high_watermark);
    // `checkOffsetsRange`: out-of-range requests are clamped, with a warning.
    let mut clamp = |offset: Offset| {
        if offset > end {
            out.push_str(&format!(
                "WARN New offset ({offset}) is higher than latest offset for topic partition {tp}. Value will be set to {end}\n",
            ));
            end
        } else if offset < start {
            out.push_str(&format!(
                "WARN New offset ({offset}) is lower than earliest offset for topic partition {tp}. Value will be set to {start}\n",
            ));
            start
        } else {
            offset
        }
    };
    let committed = group.and_then(|g| g.offsets.get(tp)).map(|c| c.offset);
    if options.has("to-earliest") {
        Ok(start)
    } else if options.has("to-latest") {
        Ok(end)
    } else if options.has("to-current") {
        Ok(committed.unwrap_or(end))
    } else if let Some(text) = options.value("to-offset") {
        let offset = text.parse::<Offset>().map_err(|_| {
            rendered(format!(
                "Cannot parse argument '{text}' of option to-offset"
            ))
        })?;
        Ok(clamp(offset))
    } else if let Some(text) = options.value("shift-by") {
        let shift = text
            .parse::<Offset>()
            .map_err(|_| rendered(format!("Cannot parse argument '{text}' of option shift-by")))?;
        let current = committed.ok_or_else(|| {
            rendered(format!(
                "Cannot shift offset for partition {tp} since there is no current committed offset",
            ))
        })?;
        Ok(clamp(current + shift))
    } else {
        let text = options
            .value("to-datetime")
            .expect("the scenario was checked");
        let at = parse_datetime(text).ok_or_else(|| {
            rendered(format!(
                "Error: Executing consumer group command failed due to java.text.ParseException: Unparseable date: \"{text}\""
            ))
        })?;
        let found = p
            .readable_from(start)
            .find(|r| r.timestamp_ms >= at)
            .map(|r| r.offset);
        Ok(found.unwrap_or(end))
    }
}

/// `Utils.getDateTime`: `yyyy-MM-ddTHH:mm:SS.sss`, with an optional zone (`Z`, `+hh:mm`).
fn parse_datetime(text: &str) -> Option<Millis> {
    use chrono::{DateTime, NaiveDateTime};
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp_millis());
    }
    ["%Y-%m-%dT%H:%M:%S%.3f", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .map(|t| t.and_utc().timestamp_millis())
}

// ---- sim network ----------------------------------------------------------------------------

/// `sim network partition --consumer CLIENT-ID|MEMBER-ID|%N` cuts a running consumer off the
/// cluster; `sim network heal [--consumer …]` reconnects it (or every isolated consumer).
pub(super) fn sim_network(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    const USAGE: &str = "partition --consumer CLIENT-ID|MEMBER-ID|%JOB | heal [--consumer CLIENT-ID|MEMBER-ID|%JOB]";
    let target = match rest.get(1..) {
        Some([flag, name]) if flag == "--consumer" => Some(name.as_str()),
        Some([]) => None,
        _ => return Err(usage("sim network", USAGE)),
    };
    match (rest.first().map(String::as_str), target) {
        (Some("partition"), Some(name)) => {
            let id = find_consumer(ctx, name, "sim network partition")?;
            with_cluster(ctx, &mut String::new(), |c, env| {
                c.isolate_consumer(env, id)
            })
            .expect("running");
            Ok(Reply::text(format!(
                "consumer {name} is cut off from the cluster: no fetches, commits or heartbeats get through; \
                 the group removes it after session.timeout.ms (`sim network heal` reconnects it)\n"
            )))
        }
        (Some("heal"), target) => {
            let ids: Vec<u32> = match target {
                Some(name) => vec![find_consumer(ctx, name, "sim network heal")?],
                None => cluster_ref(ctx)
                    .map(|c| {
                        c.groups()
                            .consumers()
                            .filter(|c| c.isolated && c.state == ConsumerState::Running)
                            .map(|c| c.id)
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            let isolated: Vec<u32> = ids
                .into_iter()
                .filter(|id| {
                    cluster_ref(ctx)
                        .and_then(|c| c.groups().consumer(*id))
                        .is_some_and(|c| c.isolated)
                })
                .collect();
            if isolated.is_empty() {
                return Err(usage("sim network heal", "no consumer is cut off"));
            }
            for &id in &isolated {
                with_cluster(ctx, &mut String::new(), |c, env| c.heal_consumer(env, id))
                    .expect("running");
            }
            Ok(Reply::text(format!(
                "reconnected {} consumer(s)\n",
                isolated.len()
            )))
        }
        _ => Err(usage("sim network", USAGE)),
    }
}
