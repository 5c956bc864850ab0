//! Kafka's admin and load tools: `kafka-configs.sh` (describe and alter topic and broker
//! configs, in `ConfigCommand`'s words) and `kafka-producer-perf-test.sh` (`ProducerPerformance`
//! run on the simulated clock). Options, the implicit cluster and exception names come from
//! `kafka_cmd`.

use std::collections::BTreeMap;

use super::kafka_cmd::{Options, cluster, exception, producer_config, rendered};
use super::{CommandError, Ctx, Reply};
use crate::services::kafka::client::{ProducerRecord, send_all};
use crate::services::kafka::cluster::{
    DEFAULT_PARTITIONS, DEFAULT_REPLICATION_FACTOR, LOG_RETENTION_CHECK_INTERVAL_MS,
    REPLICA_LAG_TIME_MAX_MS,
};
use crate::services::kafka::topic::{
    TOPIC_CONFIG_BROKER_SYNONYMS, TOPIC_CONFIG_DEFAULTS, validate_topic_name,
};
use crate::services::kafka::{Acks, KafkaError, Topic};
use crate::sim::{Millis, SimRng};

pub fn run(ctx: &mut Ctx, name: &str, args: &[String]) -> Result<Reply, CommandError> {
    match name {
        "kafka-configs.sh" => configs(ctx, args),
        "kafka-producer-perf-test.sh" => perf_test(ctx, args),
        _ => unreachable!("dispatched by name"),
    }
}

// ---- kafka-configs.sh -----------------------------------------------------------------------

/// The entity types `ConfigCommand` accepts with `--bootstrap-server` (Kafka 3.7).
const ENTITY_TYPES: [&str; 7] = [
    "topics",
    "clients",
    "users",
    "brokers",
    "ips",
    "client-metrics",
    "broker-loggers",
];

/// What `--entity-type` / `--entity-name` (or `--topic`, `--broker`, `--broker-defaults`) name.
struct Entity {
    kind: &'static str,
    /// `None`: every entity of the type (describe only); `Some("")`: the cluster default.
    name: Option<String>,
}

fn configs(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &[
            "bootstrap-server",
            "bootstrap-controller",
            "entity-type",
            "entity-name",
            "add-config",
            "delete-config",
            "topic",
            "broker",
        ],
        &[
            "describe",
            "alter",
            "all",
            "entity-default",
            "broker-defaults",
        ],
    )
    .map_err(rendered)?;
    let entity = check_config_args(&options)?;
    let mut out = String::new();
    cluster(ctx, &mut out);
    let result = if options.has("alter") {
        alter_configs(ctx, &options, &entity, &mut out)
    } else {
        describe_configs(ctx, &entity, options.has("all"), &mut out)
    };
    match result {
        Ok(()) => Ok(Reply::text(out)),
        Err(ConfigFailure::Plain(message)) => Err(rendered(format!("{out}{message}"))),
        Err(ConfigFailure::Execution(error, note)) => {
            let (class, message) = exception(&error);
            Err(rendered(format!(
                "{out}Error while executing config command with args '{}'\n\
                 java.util.concurrent.ExecutionException: {class}: {message}\n{note}",
                args.join(" ")
            )))
        }
    }
}

/// How `ConfigCommand.main` reports a failure: `IllegalArgumentException` and
/// `InvalidConfigurationException` as their message alone, anything from the admin client's
/// futures as "Error while executing config command" with the `ExecutionException`.
enum ConfigFailure {
    Plain(String),
    Execution(KafkaError, String),
}

/// `ConfigCommandOptions.checkArgs`, in its order.
fn check_config_args(options: &Options) -> Result<Entity, CommandError> {
    let actions = ["alter", "describe"]
        .iter()
        .filter(|a| options.has(a))
        .count();
    if actions != 1 {
        return Err(rendered(
            "Command must include exactly one action: --describe, --alter",
        ));
    }
    for option in ["add-config", "delete-config"] {
        if options.has("describe") && options.has(option) {
            return Err(rendered(format!(
                "Option \"[describe]\" can't be used with option \"[{option}]\""
            )));
        }
    }
    let mut kinds: Vec<String> = options.all("entity-type").to_vec();
    if options.has("topic") {
        kinds.push("topics".into());
    }
    if options.has("broker") || options.has("broker-defaults") {
        kinds.push("brokers".into());
    }
    if let Some(duplicate) = kinds
        .iter()
        .enumerate()
        .find(|(i, kind)| kinds[..*i].contains(kind))
    {
        return Err(rendered(format!(
            "Duplicate entity type(s) specified: {}",
            duplicate.1
        )));
    }
    if !options.has("bootstrap-server") && !options.has("bootstrap-controller") {
        return Err(rendered(
            "Either --bootstrap-server or --bootstrap-controller must be specified.",
        ));
    }
    if let Some(invalid) = kinds.iter().find(|k| !ENTITY_TYPES.contains(&k.as_str())) {
        return Err(rendered(format!(
            "Invalid entity type {invalid}, the entity type must be one of {} with a --bootstrap-server or --bootstrap-controller argument",
            ENTITY_TYPES.join(", ")
        )));
    }
    let kind = match kinds.as_slice() {
        [] => return Err(rendered("At least one entity type must be specified")),
        [kind] => kind.as_str(),
        _ => {
            return Err(rendered(
                "Only 'users' and 'clients' entity types may be specified together",
            ));
        }
    };
    let generic = ["entity-name", "entity-type", "entity-default"]
        .iter()
        .any(|o| options.has(o));
    let specific = ["topic", "broker", "broker-defaults"]
        .iter()
        .any(|o| options.has(o));
    if generic && specific {
        return Err(rendered(
            "--entity-{type,name,default} should not be used in conjunction with specific entity flags",
        ));
    }
    let name = options
        .value("entity-name")
        .or(options.value("topic"))
        .or(options.value("broker"))
        .map(str::to_string)
        .or_else(|| {
            (options.has("entity-default") || options.has("broker-defaults")).then(String::new)
        });
    let named = name.as_ref().is_some_and(|n| !n.is_empty());
    if kind == "brokers"
        && let Some(id) = name.as_ref().filter(|_| named)
        && id.parse::<i32>().is_err()
    {
        return Err(rendered(format!(
            "The entity name for brokers must be a valid integer broker id, but it is: {id}"
        )));
    }
    let defaultable = ["users", "clients", "brokers", "ips"].contains(&kind);
    if options.has("describe") && options.has("entity-default") && !defaultable {
        return Err(rendered(format!(
            "--entity-default must not be specified with --describe of {kind}"
        )));
    }
    if options.has("alter") {
        if defaultable && name.is_none() {
            return Err(rendered(
                "An entity-name or default entity must be specified with --alter of users, clients, brokers or ips",
            ));
        }
        if !defaultable && !named {
            return Err(rendered(format!(
                "An entity name must be specified with --alter of {kind}"
            )));
        }
        if !options.has("add-config") && !options.has("delete-config") {
            return Err(rendered(
                "At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter",
            ));
        }
    }
    let kind = match kind {
        "topics" => "topics",
        "brokers" => "brokers",
        other => {
            return Err(rendered(format!(
                "note: the playground keeps configs for topics and brokers only, not {other}"
            )));
        }
    };
    Ok(Entity { kind, name })
}

/// `parseConfigsToBeAdded`: `k1=v1,k2=[a,b]` split at commas outside brackets; brackets are
/// dropped from values.
fn configs_to_add(text: &str) -> Result<BTreeMap<String, String>, ConfigFailure> {
    let mut pairs = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = 0,
            ',' if depth == 0 => {
                pairs.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pairs.push(&text[start..]);
    let mut configs = BTreeMap::new();
    for pair in pairs {
        let parts: Vec<&str> = pair.split('=').collect();
        let [key, value] = parts.as_slice() else {
            return Err(ConfigFailure::Plain(
                "Invalid entity config: all configs to be added must be in the format \"key=val\" or  \"key=[val1,val2]\" to group values which contain commas.".into(),
            ));
        };
        let key = key.trim();
        if !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(ConfigFailure::Plain(format!(
                "Invalid character found for config key: {key}"
            )));
        }
        let value: String = value.chars().filter(|c| !matches!(c, '[' | ']')).collect();
        configs.insert(key.to_string(), value.trim().to_string());
    }
    Ok(configs)
}

fn alter_configs(
    ctx: &mut Ctx,
    options: &Options,
    entity: &Entity,
    out: &mut String,
) -> Result<(), ConfigFailure> {
    let set = match options.value("add-config") {
        Some(text) => configs_to_add(text)?,
        None => BTreeMap::new(),
    };
    let delete: Vec<String> = options
        .all("delete-config")
        .iter()
        .flat_map(|list| list.split(','))
        .map(|key| key.trim().to_string())
        .collect();
    let name = entity.name.clone().unwrap_or_default();
    if entity.kind == "brokers" {
        return alter_broker(ctx, &name, &set, &delete);
    }
    validate_topic_name(&name).map_err(|e| ConfigFailure::Execution(e, String::new()))?;
    let (services, mut env) = ctx.world.split();
    let cluster = services.kafka.cluster_mut().expect("ensured");
    let current = cluster
        .topic(&name)
        .map_err(|e| ConfigFailure::Execution(e, String::new()))?;
    // The tool refuses to delete what is not set on the topic, before asking the broker.
    let missing: Vec<&str> = delete
        .iter()
        .filter(|key| !current.configs().contains_key(*key))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(ConfigFailure::Plain(format!(
            "Invalid config(s): {}",
            missing.join(",")
        )));
    }
    cluster
        .alter_topic_configs(&mut env, &name, &set, &delete)
        .map_err(|e| ConfigFailure::Execution(e, String::new()))?;
    out.push_str(&format!("Completed updating config for topic {name}.\n"));
    Ok(())
}

/// The playground's brokers have no dynamic configs: deleting one is `Invalid config(s)`, and
/// setting one is refused as a static config would be.
fn alter_broker(
    ctx: &mut Ctx,
    name: &str,
    set: &BTreeMap<String, String>,
    delete: &[String],
) -> Result<(), ConfigFailure> {
    if !delete.is_empty() {
        return Err(ConfigFailure::Plain(format!(
            "Invalid config(s): {}",
            delete.join(",")
        )));
    }
    let keys: Vec<&str> = set.keys().map(String::as_str).collect();
    let resource = if name.is_empty() {
        "ConfigResource(type=BROKER, name='')".to_string()
    } else {
        format!("ConfigResource(type=BROKER, name='{name}')")
    };
    let exists = name.is_empty() || broker_exists(ctx, name);
    let note = if exists {
        "note: the playground's brokers take no dynamic configs yet; topic configs \
         (--entity-type topics) change a topic at once\n"
    } else {
        "note: there is no such broker; `sim broker list` shows them\n"
    };
    Err(ConfigFailure::Execution(
        KafkaError::InvalidConfig {
            message: format!(
                "Invalid config value for resource {resource}: Cannot update these configs dynamically: Set({})",
                keys.join(", ")
            ),
        },
        note.into(),
    ))
}

fn broker_exists(ctx: &Ctx, name: &str) -> bool {
    let cluster = ctx.world.services().kafka.cluster().expect("ensured");
    name.parse().is_ok_and(|id| cluster.broker(id).is_some())
}

/// `describeResourceConfig`: one block per entity, each entry `name=value sensitive=false
/// synonyms={SOURCE:name=value, …}` in name order.
fn describe_configs(
    ctx: &mut Ctx,
    entity: &Entity,
    all: bool,
    out: &mut String,
) -> Result<(), ConfigFailure> {
    let cluster = ctx.world.services().kafka.cluster().expect("ensured");
    let source = if all { "All" } else { "Dynamic" };
    if entity.kind == "brokers" {
        let names: Vec<String> = match &entity.name {
            Some(name) => vec![name.clone()],
            None => cluster
                .brokers()
                .map(|b| b.id.to_string())
                .chain([String::new()])
                .collect(),
        };
        for name in names {
            if name.is_empty() {
                out.push_str("Default configs for brokers in the cluster are:\n");
                continue;
            }
            if !broker_exists(ctx, &name) {
                out.push_str(&format!(
                    "The broker '{name}' doesn't exist and doesn't have dynamic config.\n"
                ));
                continue;
            }
            out.push_str(&format!("{source} configs for broker {name} are:\n"));
            if all {
                out.push_str(&broker_defaults(&name));
            }
        }
        return Ok(());
    }
    let topics: Vec<&Topic> = match &entity.name {
        Some(name) => {
            validate_topic_name(name).map_err(|e| ConfigFailure::Execution(e, String::new()))?;
            match cluster.topic(name) {
                Ok(topic) => vec![topic],
                Err(_) if !all => {
                    out.push_str(&format!(
                        "The topic '{name}' doesn't exist and doesn't have dynamic config.\n"
                    ));
                    return Ok(());
                }
                Err(error) => return Err(ConfigFailure::Execution(error, String::new())),
            }
        }
        None => cluster.topics().collect(),
    };
    for topic in topics {
        out.push_str(&format!("{source} configs for topic {} are:\n", topic.name));
        for (key, default) in TOPIC_CONFIG_DEFAULTS {
            let set = topic.configs().get(*key);
            if set.is_none() && !all {
                continue;
            }
            let mut synonyms = Vec::new();
            if let Some(value) = set {
                synonyms.push(format!("DYNAMIC_TOPIC_CONFIG:{key}={value}"));
            }
            if let Some((_, broker_key, broker_default)) = TOPIC_CONFIG_BROKER_SYNONYMS
                .iter()
                .find(|(topic_key, _, _)| topic_key == key)
            {
                synonyms.push(format!("DEFAULT_CONFIG:{broker_key}={broker_default}"));
            }
            out.push_str(&format!(
                "  {key}={} sensitive=false synonyms={{{}}}\n",
                set.map_or(*default, String::as_str),
                synonyms.join(", ")
            ));
        }
    }
    Ok(())
}

/// `--describe --all` of a broker: the broker settings the playground models, all defaults.
fn broker_defaults(id: &str) -> String {
    let mut entries: Vec<(String, String, &str)> = TOPIC_CONFIG_BROKER_SYNONYMS
        .iter()
        .map(|(_, key, value)| (key.to_string(), value.to_string(), "DEFAULT_CONFIG"))
        .collect();
    entries.extend([
        (
            "default.replication.factor".into(),
            DEFAULT_REPLICATION_FACTOR.to_string(),
            "DEFAULT_CONFIG",
        ),
        (
            "log.retention.check.interval.ms".into(),
            LOG_RETENTION_CHECK_INTERVAL_MS.to_string(),
            "DEFAULT_CONFIG",
        ),
        ("node.id".into(), id.to_string(), "STATIC_BROKER_CONFIG"),
        (
            "num.partitions".into(),
            DEFAULT_PARTITIONS.to_string(),
            "DEFAULT_CONFIG",
        ),
        (
            "replica.lag.time.max.ms".into(),
            REPLICA_LAG_TIME_MAX_MS.to_string(),
            "DEFAULT_CONFIG",
        ),
    ]);
    entries.sort();
    let mut out: String = entries
        .iter()
        .map(|(key, value, source)| {
            format!("  {key}={value} sensitive=false synonyms={{{source}:{key}={value}}}\n")
        })
        .collect();
    out.push_str(
        "note: a real broker lists about 300 settings; these are the ones the playground models\n",
    );
    out
}

// ---- kafka-producer-perf-test.sh ------------------------------------------------------------

/// The most records one run may send: every record stays in memory on each replica.
pub const PERF_RECORDS_MAX: i64 = 1_000_000;
/// The most payload bytes one run may send in all.
pub const PERF_BYTES_MAX: i64 = 100_000_000;
/// `Stats.reportingInterval`: a progress line per this much (simulated) time.
const PERF_REPORT_INTERVAL_MS: Millis = 5_000;
/// At most this many failed sends are printed one by one.
const PERF_ERRORS_PRINTED_MAX: usize = 10;

/// argparse4j's error line: `producer-performance: error: …`.
fn argparse_error(message: impl std::fmt::Display) -> CommandError {
    rendered(format!("producer-performance: error: {message}"))
}

/// `--producer-props` takes every following word up to the next option (argparse's `nargs="+"`);
/// the joptsimple-style parser wants one value per flag, so each gets its own.
fn spread_producer_props(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_props = false;
    for word in args {
        if word.starts_with("--") {
            in_props = word == "--producer-props";
            if !in_props {
                out.push(word.clone());
            }
        } else if in_props {
            out.push("--producer-props".into());
            out.push(word.clone());
        } else {
            out.push(word.clone());
        }
    }
    out
}

/// The run's settings, checked as `ProducerPerformance.ConfigPostProcessor` checks them.
struct PerfConfig {
    topic: String,
    num_records: i64,
    record_size: Option<usize>,
    /// Records per second, or `None` for `--throughput -1` (no throttling).
    throughput: Option<f64>,
    producer: crate::services::kafka::client::ProducerConfig,
}

fn perf_config(args: &[String]) -> Result<PerfConfig, CommandError> {
    let options = Options::parse(
        &spread_producer_props(args),
        &[
            "topic",
            "num-records",
            "record-size",
            "throughput",
            "producer-props",
        ],
        &["payload-monotonic", "print-metrics"],
    )
    .map_err(|m| match m.strip_suffix(" is not a recognized option") {
        Some(name) => argparse_error(format!("unrecognized arguments: '--{name}'")),
        None => argparse_error(
            m.replace("Option ", "argument --")
                .replace(" requires an argument", ": expected one argument"),
        ),
    })?;
    for required in ["topic", "num-records", "throughput"] {
        if !options.has(required) {
            return Err(argparse_error(format!("argument --{required} is required")));
        }
    }
    let payloads = ["record-size", "payload-monotonic"];
    match payloads.iter().filter(|p| options.has(p)).count() {
        0 => {
            return Err(argparse_error(
                "one of the arguments --record-size --payload-file --payload-monotonic is required",
            ));
        }
        1 => {}
        _ => {
            return Err(argparse_error(
                "argument --payload-monotonic: not allowed with argument --record-size",
            ));
        }
    }
    let long = |name: &str| -> Result<Option<i64>, CommandError> {
        options
            .value(name)
            .map(|text| {
                text.parse::<i64>().map_err(|_| {
                    argparse_error(format!(
                        "argument --{name}: could not convert '{text}' to Long (For input string: \"{text}\")"
                    ))
                })
            })
            .transpose()
    };
    let num_records = long("num-records")?.expect("required");
    let record_size = long("record-size")?;
    let throughput_text = options.value("throughput").expect("required");
    let throughput: f64 = throughput_text.parse().map_err(|_| {
        argparse_error(format!(
            "argument --throughput: could not convert '{throughput_text}' to Double (For input string: \"{throughput_text}\")"
        ))
    })?;
    if num_records <= 0 {
        return Err(argparse_error("--num-records should be greater than zero"));
    }
    if record_size.is_some_and(|s| s <= 0) {
        return Err(argparse_error("--record-size should be greater than zero"));
    }
    if !options.has("producer-props") {
        return Err(argparse_error(
            "Either --producer-props or --producer.config must be specified.",
        ));
    }
    if num_records > PERF_RECORDS_MAX {
        return Err(rendered(format!(
            "note: the playground sends at most {PERF_RECORDS_MAX} records per run, not {num_records}"
        )));
    }
    let bytes = num_records.saturating_mul(record_size.unwrap_or(7));
    if bytes > PERF_BYTES_MAX {
        return Err(rendered(format!(
            "note: the playground sends at most {PERF_BYTES_MAX} payload bytes per run (every replica keeps every record in memory), not {bytes}"
        )));
    }
    let mut props: Vec<String> = Vec::new();
    for prop in options.all("producer-props") {
        if prop.split('=').count() != 2 {
            return Err(rendered(format!(
                "Exception in thread \"main\" java.lang.IllegalArgumentException: Invalid property: {prop}"
            )));
        }
        props.push("--producer-property".into());
        props.push(prop.clone());
    }
    let as_console = Options::parse(&props, &["producer-property"], &[]).map_err(rendered)?;
    let properties = as_console
        .properties("producer-property")
        .map_err(rendered)?;
    if !properties.contains_key("bootstrap.servers") {
        return Err(rendered(
            "Exception in thread \"main\" org.apache.kafka.common.KafkaException: Failed to construct kafka producer\n\
             Caused by: org.apache.kafka.common.config.ConfigException: Missing required configuration \"bootstrap.servers\" which has no default value.",
        ));
    }
    let mut producer = producer_config(&as_console)?;
    // A perf-test producer keeps Kafka's client defaults, not the console producer's.
    if !properties.contains_key("request.timeout.ms") {
        producer.request_timeout_ms = 30_000;
    }
    if !properties.contains_key("retries") {
        producer.retries = 10;
    }
    if !properties.contains_key("client.id") {
        producer.client_id = "perf-producer-client".into();
    }
    Ok(PerfConfig {
        topic: options.value("topic").expect("required").to_string(),
        num_records,
        record_size: record_size.map(|s| s as usize),
        throughput: (throughput > 0.0).then_some(throughput),
        producer,
    })
}

/// `ProducerPerformance.Stats`: totals, a window printed every five seconds, and a sample of
/// latencies (every `sampling`-th record, at most 500,000) for the percentiles.
struct Stats {
    start_ms: Millis,
    sampling: i64,
    latencies: Vec<i64>,
    iteration: i64,
    count: i64,
    bytes: i64,
    max_latency: i64,
    total_latency: i64,
    window: Window,
}

#[derive(Default)]
struct Window {
    start_ms: Millis,
    count: i64,
    bytes: i64,
    max_latency: i64,
    total_latency: i64,
}

impl Stats {
    fn new(num_records: i64, start_ms: Millis) -> Self {
        Self {
            start_ms,
            sampling: num_records / num_records.min(500_000),
            latencies: Vec::new(),
            iteration: 0,
            count: 0,
            bytes: 0,
            max_latency: 0,
            total_latency: 0,
            window: Window {
                start_ms,
                ..Window::default()
            },
        }
    }

    fn record(&mut self, latency: i64, bytes: i64, now_ms: Millis, out: &mut String) {
        self.count += 1;
        self.bytes += bytes;
        self.total_latency += latency;
        self.max_latency = self.max_latency.max(latency);
        let w = &mut self.window;
        w.count += 1;
        w.bytes += bytes;
        w.total_latency += latency;
        w.max_latency = w.max_latency.max(latency);
        if self.iteration % self.sampling == 0 {
            self.latencies.push(latency);
        }
        if now_ms - w.start_ms >= PERF_REPORT_INTERVAL_MS {
            let elapsed = (now_ms - w.start_ms) as f64;
            out.push_str(&format!(
                "{} records sent, {:.1} records/sec ({:.2} MB/sec), {:.1} ms avg latency, {:.1} ms max latency.\n",
                w.count,
                1000.0 * w.count as f64 / elapsed,
                1000.0 * w.bytes as f64 / elapsed / (1024.0 * 1024.0),
                w.total_latency as f64 / w.count as f64,
                w.max_latency as f64
            ));
            self.window = Window {
                start_ms: now_ms,
                ..Window::default()
            };
        }
        self.iteration += 1;
    }

    /// `printTotal`. The clock may not have moved at all (acks=0 or 1 answer at once here);
    /// a zero elapsed time counts as one millisecond rather than Java's `Infinity`.
    fn total(&mut self, now_ms: Millis) -> String {
        let elapsed = (now_ms - self.start_ms).max(1) as f64;
        self.latencies.sort_unstable();
        let size = self.latencies.len();
        let percentile = |p: f64| {
            self.latencies
                .get(((p * size as f64) as usize).min(size.saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        };
        let count = self.count.max(1) as f64;
        format!(
            "{} records sent, {:.6} records/sec ({:.2} MB/sec), {:.2} ms avg latency, {:.2} ms max latency, {} ms 50th, {} ms 95th, {} ms 99th, {} ms 99.9th.\n",
            self.count,
            1000.0 * self.count as f64 / elapsed,
            1000.0 * self.bytes as f64 / elapsed / (1024.0 * 1024.0),
            self.total_latency as f64 / count,
            self.max_latency as f64,
            percentile(0.5),
            percentile(0.95),
            percentile(0.99),
            percentile(0.999)
        )
    }
}

/// The payload of record `index`: `--payload-monotonic` sends its number, `--record-size`
/// random upper-case letters (as `generateRandomPayload` does, from a fixed seed).
fn payload(config: &PerfConfig, index: i64, random: &mut SimRng) -> String {
    match config.record_size {
        Some(size) => (0..size)
            .map(|_| (b'A' + random.below(26) as u8) as char)
            .collect(),
        None => index.to_string(),
    }
}

/// Runs the test on the simulated clock. Record `i` is handed to the producer at
/// `start + i / throughput` (at `start` when unthrottled); the producer sends what has
/// accumulated, at most one `batch.size` worth, as one request and waits for its
/// acknowledgement before the next, so each record's latency is the time from its hand-over
/// to its acknowledgement.
fn perf_test(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let config = perf_config(args)?;
    let mut out = String::new();
    cluster(ctx, &mut out);
    let start_ms = ctx.world.now_ms();
    let due_ms = |index: i64| -> Millis {
        match config.throughput {
            Some(rate) => start_ms + (index as f64 * 1000.0 / rate) as Millis,
            None => start_ms,
        }
    };
    let record_bytes = config.record_size.unwrap_or(8).max(1);
    let batch_records = (config.producer.batch_size_bytes as usize / record_bytes).max(1) as i64;
    let mut stats = Stats::new(config.num_records, start_ms);
    let mut random = SimRng::from_seed(0);
    let mut failed = 0;
    let mut next = 0;
    while next < config.num_records {
        let now_ms = ctx.world.now_ms().max(due_ms(next));
        ctx.world
            .run_until(now_ms)
            .map_err(|e| rendered(e.to_string()))?;
        let mut end = next + 1;
        while end < config.num_records && end - next < batch_records && due_ms(end) <= now_ms {
            end += 1;
        }
        let records: Vec<ProducerRecord> = (next..end)
            .map(|i| ProducerRecord {
                key: None,
                value: payload(&config, i, &mut random).into(),
                headers: Vec::new(),
            })
            .collect();
        let sizes: Vec<i64> = records.iter().map(|r| r.value.len() as i64).collect();
        let results = match send_all(ctx.world, &config.topic, records, &config.producer) {
            Ok(results) => results,
            Err(KafkaError::UnknownTopic { .. }) => {
                return Err(rendered(format!(
                    "{out}org.apache.kafka.common.errors.TimeoutException: Topic {} not present in metadata after 60000 ms.\n\
                     note: this cluster runs with auto.create.topics.enable=false; create the topic with kafka-topics.sh --create",
                    config.topic
                )));
            }
            Err(other) => return Err(rendered(format!("{out}{}", exception(&other).1))),
        };
        let acked_ms = ctx.world.now_ms();
        for ((index, result), size) in (next..end).zip(results).zip(sizes) {
            match result.outcome {
                Ok(_) => stats.record(acked_ms - due_ms(index), size, acked_ms, &mut out),
                Err(error) => {
                    failed += 1;
                    if failed <= PERF_ERRORS_PRINTED_MAX {
                        let (class, message) = exception(&error);
                        out.push_str(&format!("{class}: {message}\n"));
                    }
                }
            }
        }
        next = end;
    }
    if failed > PERF_ERRORS_PRINTED_MAX {
        out.push_str(&format!(
            "note: {} more sends failed the same way (not printed)\n",
            failed - PERF_ERRORS_PRINTED_MAX
        ));
    }
    out.push_str(&stats.total(ctx.world.now_ms()));
    if config.producer.acks != Acks::All {
        out.push_str(
            "note: with acks=0 or acks=1 the simulated leader answers at once, so latency here is only retries and waits\n",
        );
    }
    Ok(Reply::text(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    // ConfigCommandTest.shouldParseArgumentsForTopicsEntityTypeWithBrackets-style input.
    #[test]
    fn added_configs_split_outside_brackets_and_drop_them() {
        let Ok(configs) = configs_to_add("a=1, b = [x,y] ,c=") else {
            panic!("valid input");
        };
        let pairs: Vec<(&str, &str)> = configs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "1"), ("b", "x,y"), ("c", "")]);
        assert!(configs_to_add("a=1,b").is_err());
        assert!(configs_to_add("a=b=c").is_err());
    }

    // Stats.percentiles: index (int)(p * size) into the sorted sample.
    #[test]
    fn percentiles_index_the_sorted_sample() {
        let mut stats = Stats::new(4, 0);
        let mut out = String::new();
        for latency in [40, 10, 30, 20] {
            stats.record(latency, 1, 0, &mut out);
        }
        assert!(out.is_empty(), "no window elapsed");
        let total = stats.total(1_000);
        assert!(
            total.starts_with("4 records sent, 4.000000 records/sec"),
            "{total}"
        );
        assert!(
            total.ends_with("30 ms 50th, 40 ms 95th, 40 ms 99th, 40 ms 99.9th.\n"),
            "{total}"
        );
    }
}
