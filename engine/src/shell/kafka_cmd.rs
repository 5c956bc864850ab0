//! Kafka's command-line tools: `kafka-topics.sh`, `kafka-console-producer.sh`,
//! `kafka-console-consumer.sh`, `kafka-get-offsets.sh`, `kafka-metadata-quorum.sh`, and the
//! simulator's `sim kafka …` / `sim broker …`. Options are read as joptsimple reads them
//! (`--name value` or `--name=value`, some repeatable); output and errors use the tools' own
//! shapes, with log4j's `[time] LEVEL message (logger)` lines stamped with simulated time.

use std::collections::BTreeMap;

use super::args::parse_duration;
use super::{CommandError, Ctx, Reply, usage};
use crate::services::kafka::client::{
    ProducerConfig, ProducerRecord, StartAt, read_available, send_all, start_position,
};
use crate::services::kafka::{
    Acks, BrokerId, Cluster, ControllerMode, KafkaError, Record, Topic, broker_ids as ids,
};
use crate::sim::Millis;

/// The cluster a kafka-*.sh command starts when none exists.
const IMPLICIT_BROKERS: u32 = 3;
/// The console consumer prints at most this many records per run, `--max-messages` or not.
const CONSUME_MESSAGES_MAX: usize = 10_000;
/// Steps a consumer with `--timeout-ms` may wait through.
const CONSUME_WAIT_STEPS_MAX: usize = 100_000;

/// Options as joptsimple parsed them: values by name (repeatable ones keep every value).
pub(super) struct Options {
    values: BTreeMap<String, Vec<String>>,
    pub(super) positionals: Vec<String>,
}

impl Options {
    /// `valued` take an argument, `switches` none; anything else is joptsimple's error.
    pub(super) fn parse(
        args: &[String],
        valued: &[&str],
        switches: &[&str],
    ) -> Result<Self, String> {
        let mut options = Options {
            values: BTreeMap::new(),
            positionals: Vec::new(),
        };
        let mut words = args.iter();
        while let Some(word) = words.next() {
            let Some(flag) = word.strip_prefix("--") else {
                options.positionals.push(word.clone());
                continue;
            };
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (flag, None),
            };
            if switches.contains(&name) {
                options.values.entry(name.into()).or_default();
            } else if valued.contains(&name) {
                let value = inline
                    .or_else(|| words.next().cloned())
                    .ok_or_else(|| format!("Option {name} requires an argument"))?;
                options.values.entry(name.into()).or_default().push(value);
            } else {
                return Err(format!("{name} is not a recognized option"));
            }
        }
        Ok(options)
    }

    pub(super) fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub(super) fn value(&self, name: &str) -> Option<&str> {
        self.values.get(name)?.last().map(String::as_str)
    }

    pub(super) fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    pub(super) fn number(&self, name: &str) -> Result<Option<i64>, String> {
        self.value(name)
            .map(|text| {
                text.parse()
                    .map_err(|_| format!("Cannot parse argument '{text}' of option {name}"))
            })
            .transpose()
    }

    /// `--property k=v` pairs.
    pub(super) fn properties(&self, name: &str) -> Result<BTreeMap<String, String>, String> {
        self.all(name)
            .iter()
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => Ok((k.trim().to_string(), v.trim().to_string())),
                None => Err(format!(
                    "Invalid command line properties: {pair} (expected key=value)"
                )),
            })
            .collect()
    }
}

pub(super) fn rendered(text: impl Into<String>) -> CommandError {
    let mut text = text.into();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    CommandError::Rendered(text)
}

/// log4j's timestamp: `[2022-06-12 00:00:00,000]`.
pub(super) fn log_time(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("[%Y-%m-%d %H:%M:%S,%3f]").to_string())
        .unwrap_or_else(|| format!("[{ms}]"))
}

/// The Java exception a Kafka error surfaces as, and its message.
pub fn exception(error: &KafkaError) -> (String, String) {
    let (class, message) = match error {
        KafkaError::TopicExists { topic } => ("TopicExistsException", format!("Topic '{topic}' already exists.")),
        KafkaError::UnknownTopic { .. } => (
            "UnknownTopicOrPartitionException",
            "This server does not host this topic-partition.".into(),
        ),
        KafkaError::InvalidTopic { message } => ("InvalidTopicException", message.clone()),
        KafkaError::InvalidPartitions { topic, current, requested } => (
            "InvalidPartitionsException",
            format!("The topic {topic} currently has {current} partition(s); {requested} would not be an increase."),
        ),
        KafkaError::InvalidReplicationFactor { replication_factor, brokers } => (
            "InvalidReplicationFactorException",
            format!("Replication factor: {replication_factor} larger than available brokers: {brokers}."),
        ),
        KafkaError::InvalidConfig { message } => ("InvalidConfigurationException", message.clone()),
        KafkaError::ControllerUnavailable => (
            "TimeoutException",
            "Timed out waiting for a node assignment. Call: createTopics".into(),
        ),
        KafkaError::LeaderNotAvailable => (
            "LeaderNotAvailableException",
            "There is no leader for this topic-partition as we are in the middle of a leadership election.".into(),
        ),
        KafkaError::NotLeaderOrFollower => (
            "NotLeaderOrFollowerException",
            "For requests intended only for the leader, this error indicates that the broker is not the current leader. For requests intended for any replica, this error indicates that the broker is not a replica of the topic partition.".into(),
        ),
        KafkaError::NetworkException => (
            "NetworkException",
            "The server disconnected before a response was received.".into(),
        ),
        KafkaError::NotEnoughReplicas => (
            "NotEnoughReplicasException",
            "Messages are rejected since there are fewer in-sync replicas than required.".into(),
        ),
        KafkaError::NotEnoughReplicasAfterAppend => (
            "NotEnoughReplicasAfterAppendException",
            "Messages are written to the log, but to fewer in-sync replicas than required.".into(),
        ),
        KafkaError::RequestTimedOut => ("TimeoutException", "The request timed out.".into()),
        KafkaError::CompactedTopicWithoutKey { topic, partition } => (
            "InvalidRecordException",
            format!("Compacted topic cannot accept message without key in topic partition {topic}-{partition}."),
        ),
        KafkaError::GroupIdNotFound { .. } => ("GroupIdNotFoundException", "The group id does not exist.".into()),
        KafkaError::GroupNotEmpty { .. } => ("GroupNotEmptyException", "The group is not empty.".into()),
        KafkaError::GroupNotInactive { group, state } => (
            "IllegalStateException",
            format!("Assignments can only be reset if the group '{group}' is inactive, but the current state is {state}."),
        ),
        KafkaError::ClusterExists
        | KafkaError::BrokerCount { .. }
        | KafkaError::UnknownBroker { .. }
        | KafkaError::UnknownConsumer { .. } => {
            ("KafkaException", sim_message(error))
        }
    };
    let package = if class == "KafkaException" {
        "org.apache.kafka.common"
    } else {
        "org.apache.kafka.common.errors"
    };
    (format!("{package}.{class}"), message)
}

/// Our own words for `sim kafka` / `sim broker` mistakes.
fn sim_message(error: &KafkaError) -> String {
    match error {
        KafkaError::ClusterExists => {
            "a cluster is already running; `sim reset` starts a fresh world".into()
        }
        KafkaError::BrokerCount { brokers } => format!(
            "--brokers must be 1 to {}, not {brokers}",
            crate::services::kafka::cluster::BROKERS_MAX
        ),
        KafkaError::UnknownBroker { broker } => format!("there is no broker {broker}"),
        KafkaError::UnknownConsumer { consumer } => {
            format!("there is no running consumer {consumer}")
        }
        other => exception(other).1,
    }
}

/// The cluster behind `--bootstrap-server`, started (3 brokers, KRaft) if there is none yet.
pub(super) fn cluster<'a>(ctx: &'a mut Ctx, notes: &mut String) -> &'a mut Cluster {
    let (services, mut env) = ctx.world.split();
    if services.kafka.cluster().is_none() {
        services
            .kafka
            .create_cluster(&mut env, IMPLICIT_BROKERS, ControllerMode::Kraft)
            .expect("no cluster exists yet");
        env.record(
            "kafka",
            "cluster-started-implicitly",
            vec![("bootstrap_server", "localhost:9092".into())],
        );
        notes.push_str(
            "note: started a 3-broker KRaft cluster at localhost:9092 \
             (`sim kafka create-cluster --brokers N --mode kraft|zookeeper` picks another)\n",
        );
    }
    services.kafka.cluster_mut().expect("just ensured")
}

pub(super) fn require_bootstrap(options: &Options) -> Result<(), CommandError> {
    if options.has("bootstrap-server") {
        Ok(())
    } else {
        Err(rendered("Missing required argument \"[bootstrap-server]\""))
    }
}

pub(super) fn require_topic(options: &Options) -> Result<String, CommandError> {
    options
        .value("topic")
        .map(str::to_string)
        .ok_or_else(|| rendered("Missing required argument \"[topic]\""))
}

/// Runs one of Kafka's tools; `background` is the command line when it ended with `&`.
pub fn run(
    ctx: &mut Ctx,
    name: &str,
    args: &[String],
    stdin: Option<String>,
    background: Option<&str>,
) -> Result<Reply, CommandError> {
    if background.is_some() && name != "kafka-console-consumer.sh" {
        return Err(usage(
            name,
            "only kafka-console-consumer.sh --group G runs in the background (`&`) here",
        ));
    }
    match name {
        "kafka-topics.sh" => topics(ctx, args),
        "kafka-console-producer.sh" => produce(ctx, args, stdin),
        "kafka-console-consumer.sh" => consume(ctx, args, background),
        "kafka-consumer-groups.sh" => super::kafka_groups::consumer_groups(ctx, args),
        "kafka-get-offsets.sh" => get_offsets(ctx, args),
        "kafka-metadata-quorum.sh" => metadata_quorum(ctx, args),
        _ => unreachable!("dispatched by name"),
    }
}

// ---- kafka-topics.sh ------------------------------------------------------------------------

const TOPIC_ACTIONS: [&str; 5] = ["list", "describe", "create", "alter", "delete"];

fn topics(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &[
            "bootstrap-server",
            "topic",
            "partitions",
            "replication-factor",
            "config",
        ],
        &[
            "list",
            "describe",
            "create",
            "alter",
            "delete",
            "if-exists",
            "if-not-exists",
        ],
    )
    .map_err(|m| rendered(format!("Error while executing topic command : {m}")))?;
    let actions: Vec<&str> = TOPIC_ACTIONS
        .iter()
        .copied()
        .filter(|a| options.has(a))
        .collect();
    let [action] = actions.as_slice() else {
        return Err(rendered(
            "Command must include exactly one action: --list, --describe, --create, --alter or --delete",
        ));
    };
    if !options.has("bootstrap-server") {
        return Err(rendered("--bootstrap-server must be specified"));
    }
    for (option, invalid_with) in [
        ("config", "alter"),
        ("replication-factor", "alter"),
        ("partitions", "describe"),
    ] {
        if options.has(option) && options.has(invalid_with) {
            return Err(rendered(format!(
                "Option \"[{option}]\" can't be used with option \"[{invalid_with}]\""
            )));
        }
    }
    let partitions = options.number("partitions").map_err(rendered)?;
    let replication_factor = options.number("replication-factor").map_err(rendered)?;
    let mut out = String::new();
    let now_ms = ctx.world.now_ms();
    let result = match *action {
        "create" => {
            let topic = require_topic(&options)?;
            if replication_factor.is_some_and(|rf| !(1..=i64::from(i16::MAX)).contains(&rf)) {
                return Err(rendered(
                    "The replication factor must be between 1 and 32767 inclusive",
                ));
            }
            if partitions.is_some_and(|p| p < 1) {
                return Err(rendered("The partitions must be greater than 0"));
            }
            let configs = topic_configs(&options)?;
            create_topic(
                ctx,
                &mut out,
                &topic,
                partitions,
                replication_factor,
                configs,
            )
        }
        "alter" => {
            let topic = require_topic(&options)?;
            let Some(count) = partitions else {
                return Err(rendered("Missing required argument \"[partitions]\""));
            };
            let cluster = cluster(ctx, &mut out);
            ensure_exists(cluster, &topic, options.has("if-exists"))?;
            let (services, mut env) = ctx.world.split();
            let cluster = services.kafka.cluster_mut().expect("ensured");
            cluster.add_partitions(&mut env, &topic, count.clamp(0, i64::from(u32::MAX)) as u32)
        }
        "delete" => {
            let topic = require_topic(&options)?;
            let cluster = cluster(ctx, &mut out);
            ensure_exists(cluster, &topic, options.has("if-exists"))?;
            let names: Vec<String> = matching(cluster, Some(&topic))
                .map(|t| t.name.clone())
                .collect();
            let (services, mut env) = ctx.world.split();
            let cluster = services.kafka.cluster_mut().expect("ensured");
            names
                .iter()
                .try_for_each(|name| cluster.delete_topic(&mut env, name))
        }
        "list" => {
            let cluster = cluster(ctx, &mut out);
            for topic in matching(cluster, options.value("topic")) {
                out.push_str(&format!("{}\n", topic.name));
            }
            Ok(())
        }
        _ => {
            let cluster = cluster(ctx, &mut out);
            if let Some(topic) = options.value("topic") {
                ensure_exists(cluster, topic, options.has("if-exists"))?;
            }
            for topic in matching(cluster, options.value("topic")) {
                out.push_str(&describe(topic));
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => Ok(Reply::text(out)),
        Err(KafkaError::TopicExists { .. }) if options.has("if-not-exists") => Ok(Reply::text(out)),
        Err(error) => {
            let (class, message) = exception(&error);
            Err(rendered(format!(
                "{out}Error while executing topic command : {message}\n{} ERROR {class}: {message}\n (org.apache.kafka.tools.TopicCommand)",
                log_time(now_ms)
            )))
        }
    }
}

fn topic_configs(options: &Options) -> Result<BTreeMap<String, String>, CommandError> {
    options
        .all("config")
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
            _ => Err(rendered(
                "requirement failed: Invalid topic config: all configs to be added must be in the format \"key=val\".",
            )),
        })
        .collect()
}

fn create_topic(
    ctx: &mut Ctx,
    out: &mut String,
    topic: &str,
    partitions: Option<i64>,
    replication_factor: Option<i64>,
    configs: BTreeMap<String, String>,
) -> Result<(), KafkaError> {
    cluster(ctx, out);
    if topic.contains('.') || topic.contains('_') {
        out.push_str(
            "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') \
             could collide. To avoid issues it is best to use either, but not both.\n",
        );
    }
    let (services, mut env) = ctx.world.split();
    let cluster = services.kafka.cluster_mut().expect("ensured");
    let to_u32 = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    cluster.create_topic(
        &mut env,
        topic,
        partitions.map(to_u32),
        replication_factor.map(to_u32),
        configs,
    )?;
    out.push_str(&format!("Created topic {topic}.\n"));
    Ok(())
}

/// `TopicCommand.ensureTopicExists`.
fn ensure_exists(cluster: &Cluster, topic: &str, if_exists: bool) -> Result<(), CommandError> {
    if if_exists || matching(cluster, Some(topic)).next().is_some() {
        return Ok(());
    }
    Err(rendered(format!(
        "Topic '{topic}' does not exist as expected"
    )))
}

/// Topics whose names match `--topic` (a regular expression, as Kafka's `IncludeList`), sorted.
fn matching<'a>(cluster: &'a Cluster, pattern: Option<&str>) -> impl Iterator<Item = &'a Topic> {
    let regex = pattern.map(|p| regex::Regex::new(&format!("^(?:{p})$")).ok());
    cluster.topics().filter(move |topic| match &regex {
        None => true,
        Some(Some(regex)) => regex.is_match(&topic.name),
        Some(None) => Some(topic.name.as_str()) == pattern,
    })
}

/// `TopicDescription.printDescription` and `PartitionDescription.printDescription` (Kafka 3.x
/// before ELR: tools/src/main/java/org/apache/kafka/tools/TopicCommand.java).
fn describe(topic: &Topic) -> String {
    let configs: Vec<String> = topic
        .configs()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut out = format!(
        "Topic: {}\tTopicId: {}\tPartitionCount: {}\tReplicationFactor: {}\tConfigs: {}\n",
        topic.name,
        topic.topic_id,
        topic.partitions.len(),
        topic.replication_factor(),
        configs.join(",")
    );
    for p in &topic.partitions {
        let leader = p.leader.map_or("none".to_string(), |l| l.to_string());
        out.push_str(&format!(
            "\tTopic: {}\tPartition: {}\tLeader: {leader}\tReplicas: {}\tIsr: {}\n",
            topic.name,
            p.partition,
            ids(&p.replicas),
            ids(&p.isr)
        ));
    }
    out
}

// ---- kafka-console-producer.sh --------------------------------------------------------------

fn produce(ctx: &mut Ctx, args: &[String], stdin: Option<String>) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &[
            "bootstrap-server",
            "topic",
            "property",
            "producer-property",
            "request-required-acks",
            "message-send-max-retries",
            "retry-backoff-ms",
            "request-timeout-ms",
            "batch-size",
            "timeout",
        ],
        &["sync"],
    )
    .map_err(rendered)?;
    require_bootstrap(&options)?;
    let topic = require_topic(&options)?;
    let config = producer_config(&options)?;
    let properties = options.properties("property").map_err(rendered)?;
    let records = read_lines(stdin.as_deref().unwrap_or(""), &properties)?;
    let mut out = String::new();
    cluster(ctx, &mut out);
    let results = match send_all(ctx.world, &topic, records.clone(), &config) {
        Ok(results) => results,
        Err(KafkaError::UnknownTopic { .. }) => {
            return Err(rendered(format!(
                "{out}{} ERROR Error when sending message to topic {topic} with key: {}, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n\
                 org.apache.kafka.common.errors.TimeoutException: Topic {topic} not present in metadata after 60000 ms.\n\
                 note: this cluster runs with auto.create.topics.enable=false; create the topic with kafka-topics.sh --create",
                log_time(ctx.world.now_ms()),
                records
                    .first()
                    .and_then(|r| r.key.as_ref())
                    .map_or("null".to_string(), |k| format!("{} bytes", k.len())),
                records.first().map_or(0, |r| r.value.len()),
            )));
        }
        Err(other) => return Err(rendered(exception(&other).1)),
    };
    for (record, result) in records.iter().zip(results) {
        let Err(error) = result.outcome else { continue };
        let key = record
            .key
            .as_ref()
            .map_or("null".to_string(), |k| format!("{} bytes", k.len()));
        let (class, message) = exception(&error);
        out.push_str(&format!(
            "{} ERROR Error when sending message to topic {topic} with key: {key}, value: {} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n{class}: {message}\n",
            log_time(ctx.world.now_ms()),
            record.value.len()
        ));
    }
    Ok(Reply::text(out))
}

pub(super) fn producer_config(options: &Options) -> Result<ProducerConfig, CommandError> {
    let mut config = ProducerConfig::default();
    let properties = options.properties("producer-property").map_err(rendered)?;
    if let Some(client_id) = properties.get("client.id") {
        config.client_id = client_id.clone();
    }
    let acks = properties
        .get("acks")
        .map(String::as_str)
        .or(options.value("request-required-acks"));
    if let Some(acks) = acks {
        config.acks = match acks {
            "0" => Acks::None,
            "1" => Acks::Leader,
            "all" | "-1" => Acks::All,
            other => {
                return Err(rendered(format!(
                    "org.apache.kafka.common.config.ConfigException: Invalid value {other} for configuration acks: String must be one of: all, -1, 0, 1"
                )));
            }
        };
    }
    let number = |name: &str, property: &str| -> Result<Option<i64>, CommandError> {
        match properties.get(property) {
            Some(text) => text.parse().map(Some).map_err(|_| {
                rendered(format!("org.apache.kafka.common.config.ConfigException: Invalid value {text} for configuration {property}: Not a number of type LONG"))
            }),
            None => options.number(name).map_err(rendered),
        }
    };
    if let Some(n) = number("message-send-max-retries", "retries")? {
        config.retries = n.clamp(0, 100) as u32;
    }
    if let Some(n) = number("retry-backoff-ms", "retry.backoff.ms")? {
        config.retry_backoff_ms = n.clamp(0, 60_000);
    }
    if let Some(n) = number("request-timeout-ms", "request.timeout.ms")? {
        config.request_timeout_ms = n.clamp(1, 600_000);
    }
    if let Some(n) = number("batch-size", "batch.size")? {
        config.batch_size_bytes = n.clamp(0, i64::from(u32::MAX)) as u32;
    }
    if let Some(n) = number("", "max.in.flight.requests.per.connection")? {
        if n < 1 {
            return Err(rendered(format!(
                "org.apache.kafka.common.config.ConfigException: Invalid value {n} for configuration max.in.flight.requests.per.connection: Value must be at least 1"
            )));
        }
        config.max_in_flight = n.min(i64::from(u32::MAX)) as u32;
    }
    // Read for its validation only: the console producer flushes at the end of its input,
    // and a flush does not wait for linger.ms (`ProducerConfig::default` says more).
    number("timeout", "linger.ms")?;
    idempotence(&mut config, properties.get("enable.idempotence"))?;
    Ok(config)
}

/// `ProducerConfig`'s idempotence rules (Kafka 3.2+): asked for explicitly, it needs
/// `acks=all`, retries and at most 5 requests in flight, or the producer is not created; left
/// to its default, it is quietly turned off when any of those does not hold. The texts are the
/// client's (`ProducerConfigTest` in Kafka's clients tests checks the same three cases).
fn idempotence(config: &mut ProducerConfig, explicit: Option<&String>) -> Result<(), CommandError> {
    let fits = [
        (
            config.acks == Acks::All,
            "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.",
        ),
        (
            config.max_in_flight <= 5,
            "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.",
        ),
        (
            config.retries > 0,
            "Must set retries to non-zero when using the idempotent producer.",
        ),
    ];
    match explicit.map(String::as_str) {
        Some("true") => {
            if let Some((_, message)) = fits.iter().find(|(ok, _)| !ok) {
                return Err(rendered(format!(
                    "org.apache.kafka.common.config.ConfigException: {message}"
                )));
            }
            config.enable_idempotence = true;
        }
        Some("false") => config.enable_idempotence = false,
        Some(other) => {
            return Err(rendered(format!(
                "org.apache.kafka.common.config.ConfigException: Invalid value {other} for configuration enable.idempotence: Expected value to be either true or false"
            )));
        }
        None => config.enable_idempotence = fits.iter().all(|(ok, _)| *ok),
    }
    Ok(())
}

/// `LineMessageReader`: one record per line; with `parse.key=true` the key comes before
/// `key.separator` (a tab unless set).
fn read_lines(
    input: &str,
    properties: &BTreeMap<String, String>,
) -> Result<Vec<ProducerRecord>, CommandError> {
    let parse_key = properties.get("parse.key").is_some_and(|v| v == "true");
    let separator = properties.get("key.separator").map_or("\t", String::as_str);
    input
        .lines()
        .enumerate()
        .map(|(index, line)| {
            if !parse_key {
                return Ok(ProducerRecord { key: None, value: line.into(), headers: Vec::new() });
            }
            match line.split_once(separator) {
                Some((key, value)) => Ok(ProducerRecord {
                    key: Some(key.into()),
                    value: value.into(),
                    headers: Vec::new(),
                }),
                None => Err(rendered(format!(
                    "org.apache.kafka.common.KafkaException: No key separator found on line number {}: '{line}'",
                    index + 1
                ))),
            }
        })
        .collect()
}

// ---- kafka-console-consumer.sh --------------------------------------------------------------

/// `DefaultMessageFormatter` switches (tools/.../consumer/DefaultMessageFormatter.java).
#[derive(Default)]
pub(super) struct Formatter {
    timestamp: bool,
    partition: bool,
    offset: bool,
    headers: bool,
    key: bool,
}

impl Formatter {
    pub(super) fn from(properties: &BTreeMap<String, String>) -> Self {
        let on = |name: &str| {
            properties
                .get(name)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        Self {
            timestamp: on("print.timestamp"),
            partition: on("print.partition"),
            offset: on("print.offset"),
            headers: on("print.headers"),
            key: on("print.key"),
        }
    }

    /// Fields in Kafka's order, each followed by the tab `key.separator`, then the value.
    pub(super) fn line(&self, partition: u32, record: &Record) -> String {
        let mut fields = Vec::new();
        if self.timestamp {
            fields.push(format!("CreateTime:{}", record.timestamp_ms));
        }
        if self.partition {
            fields.push(format!("Partition:{partition}"));
        }
        if self.offset {
            fields.push(format!("Offset:{}", record.offset));
        }
        if self.headers {
            let headers: Vec<String> = record
                .headers
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect();
            fields.push(if headers.is_empty() {
                "NO_HEADERS".into()
            } else {
                headers.join(",")
            });
        }
        if self.key {
            fields.push(record.key.as_deref().unwrap_or("null").to_string());
        }
        fields.push(record.value.as_deref().unwrap_or("null").to_string());
        format!("{}\n", fields.join("\t"))
    }
}

/// The console consumer's options (joptsimple: valued, then switches).
pub(super) const CONSUMER_VALUED: [&str; 10] = [
    "bootstrap-server",
    "topic",
    "partition",
    "offset",
    "max-messages",
    "property",
    "timeout-ms",
    "group",
    "consumer-property",
    "include",
];

fn consume(
    ctx: &mut Ctx,
    args: &[String],
    background: Option<&str>,
) -> Result<Reply, CommandError> {
    let options = Options::parse(args, &CONSUMER_VALUED, &["from-beginning"]).map_err(rendered)?;
    require_bootstrap(&options)?;
    if options.has("group") {
        return super::kafka_groups::consume(ctx, &options, background);
    }
    if background.is_some() {
        return Err(usage(
            "kafka-console-consumer.sh",
            "only a consumer in a group (--group G) keeps running in the background here",
        ));
    }
    let topic = require_topic(&options)?;
    let start = start_at(&options)?;
    let max = match options.number("max-messages").map_err(rendered)? {
        Some(n) if n > 0 => (n as usize).min(CONSUME_MESSAGES_MAX),
        _ => CONSUME_MESSAGES_MAX,
    };
    let timeout_ms = options.number("timeout-ms").map_err(rendered)?;
    let formatter = Formatter::from(&options.properties("property").map_err(rendered)?);
    let mut out = String::new();
    let cluster = cluster(ctx, &mut out);
    let Ok(t) = cluster.topic(&topic) else {
        return Err(rendered(format!(
            "{out}{} WARN [Consumer clientId=console-consumer, groupId=console-consumer] Error while fetching metadata with correlation id 2 : {{{topic}=UNKNOWN_TOPIC_OR_PARTITION}} (org.apache.kafka.clients.NetworkClient)\n\
             note: the real consumer keeps waiting for the topic; create it with kafka-topics.sh --create",
            log_time(ctx.world.now_ms())
        )));
    };
    let partition_count = t.partitions.len() as u32;
    let partitions: Vec<u32> = match options.number("partition").map_err(rendered)? {
        Some(p) if (0..i64::from(partition_count)).contains(&p) => vec![p as u32],
        Some(p) => {
            return Err(rendered(format!(
                "org.apache.kafka.common.errors.TimeoutException: Partition {p} of topic {topic} with partition count {partition_count} is not present in metadata"
            )));
        }
        None => (0..partition_count).collect(),
    };
    let mut positions: BTreeMap<u32, i64> = partitions
        .into_iter()
        .map(|p| (p, start_position(ctx.world, &topic, p, start)))
        .collect();
    let mut printed = 0;
    let mut last_record_ms = ctx.world.now_ms();
    for _ in 0..CONSUME_WAIT_STEPS_MAX {
        let batch = read_available(ctx.world, &topic, &mut positions, max - printed);
        if !batch.is_empty() {
            last_record_ms = ctx.world.now_ms();
        }
        for (partition, record) in &batch {
            out.push_str(&formatter.line(*partition, record));
        }
        printed += batch.len();
        let Some(timeout_ms) = timeout_ms.filter(|_| printed < max) else {
            break;
        };
        let deadline = last_record_ms + timeout_ms.max(0);
        if wait_until(ctx, deadline, &mut out)? {
            break;
        }
    }
    out.push_str(&format!("Processed a total of {printed} messages\n"));
    if timeout_ms.is_none() && printed < max {
        out.push_str(
            "note: the real consumer keeps waiting for more until Ctrl-C; here it stops at the high \
             watermark (--timeout-ms MS waits on the simulated clock)\n",
        );
    }
    Ok(Reply::text(out))
}

/// One wait of a console consumer: runs the world to its next event, but not past
/// `deadline`; at the deadline prints the consumer's timeout error and returns true.
pub(super) fn wait_until(
    ctx: &mut Ctx,
    deadline: Millis,
    out: &mut String,
) -> Result<bool, CommandError> {
    let now = ctx.world.now_ms();
    if now >= deadline {
        out.push_str(&format!(
            "{} ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n",
            log_time(now)
        ));
        return Ok(true);
    }
    let next = ctx
        .world
        .queue()
        .peek_time()
        .unwrap_or(deadline)
        .min(deadline);
    ctx.world
        .run_until(next.max(now))
        .map_err(|e| rendered(e.to_string()))?;
    Ok(false)
}

/// `--from-beginning`, `--offset earliest|latest|N` (with `--partition`), or the latest.
fn start_at(options: &Options) -> Result<StartAt, CommandError> {
    match (options.value("offset"), options.has("from-beginning")) {
        (Some(_), _) if !options.has("partition") => {
            Err(rendered("The partition is required when offset is specified."))
        }
        (Some(_), true) => Err(rendered("Options from-beginning and offset cannot be specified together.")),
        (Some("earliest"), false) => Ok(StartAt::Earliest),
        (Some("latest"), false) => Ok(StartAt::Latest),
        (Some(text), false) => text.parse().map(StartAt::Offset).map_err(|_| {
            rendered(format!("The provided offset value '{text}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long."))
        }),
        (None, true) => Ok(StartAt::Earliest),
        (None, false) => Ok(StartAt::Latest),
    }
}

// ---- kafka-get-offsets.sh -------------------------------------------------------------------

fn get_offsets(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &["bootstrap-server", "topic", "partitions", "time"],
        &[],
    )
    .map_err(rendered)?;
    require_bootstrap(&options)?;
    let earliest = match options.value("time").unwrap_or("-1") {
        "-1" | "latest" => false,
        "-2" | "earliest" => true,
        other => {
            return Err(rendered(format!(
                "Malformed time argument {other}. Please use -1 or latest / -2 or earliest (timestamps are not simulated)"
            )));
        }
    };
    let wanted: Option<Vec<u32>> = options.value("partitions").map(|list| {
        list.split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect()
    });
    let mut out = String::new();
    let cluster = cluster(ctx, &mut out);
    let pattern = options.value("topic");
    for topic in matching(cluster, pattern) {
        for p in &topic.partitions {
            if wanted.as_ref().is_some_and(|w| !w.contains(&p.partition)) || p.leader.is_none() {
                continue;
            }
            let offset = if earliest {
                p.log_start_offset()
            } else {
                p.high_watermark
            };
            out.push_str(&format!("{}:{}:{offset}\n", topic.name, p.partition));
        }
    }
    Ok(Reply::text(out))
}

// ---- kafka-metadata-quorum.sh ---------------------------------------------------------------

fn metadata_quorum(ctx: &mut Ctx, args: &[String]) -> Result<Reply, CommandError> {
    let options = Options::parse(
        args,
        &["bootstrap-server", "bootstrap-controller"],
        &["status", "replication"],
    )
    .map_err(rendered)?;
    if !options.has("bootstrap-server") && !options.has("bootstrap-controller") {
        return Err(rendered(
            "Must specify either --bootstrap-server or --bootstrap-controller.",
        ));
    }
    if options.positionals.first().map(String::as_str) != Some("describe") || !options.has("status")
    {
        return Err(rendered(
            "usage: kafka-metadata-quorum.sh --bootstrap-server HOST:PORT describe --status",
        ));
    }
    let mut out = String::new();
    let now_ms = ctx.world.now_ms();
    let cluster = cluster(ctx, &mut out);
    let controller = cluster.controller();
    if controller.mode == ControllerMode::Zookeeper {
        return Err(rendered(format!(
            "{out}org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support DESCRIBE_QUORUM\n\
             note: this cluster keeps its metadata in ZooKeeper (controller: broker {}, controller epoch {}); there is no KRaft quorum to describe",
            controller.leader.map_or("none".into(), |l| l.to_string()),
            controller.epoch
        )));
    }
    let Some(leader) = cluster.active_controller() else {
        return Err(rendered(format!(
            "{out}org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeMetadataQuorum"
        )));
    };
    let end = controller.metadata_end_offset;
    let followers = controller
        .voter_end_offsets
        .iter()
        .filter(|(v, _)| **v != leader);
    let (lag, lag_ms) = followers
        .map(|(_, (offset, caught_up_ms))| {
            let lag = end - offset;
            (lag, if lag == 0 { 0 } else { now_ms - caught_up_ms })
        })
        .max()
        .unwrap_or((0, 0));
    let observers: Vec<BrokerId> = cluster
        .brokers()
        .map(|b| b.id)
        .filter(|id| !controller.voters.contains(id))
        .collect();
    let rows = [
        ("ClusterId:", cluster.cluster_id.clone()),
        ("LeaderId:", leader.to_string()),
        ("LeaderEpoch:", controller.epoch.to_string()),
        ("HighWatermark:", end.to_string()),
        ("MaxFollowerLag:", lag.to_string()),
        ("MaxFollowerLagTimeMs:", lag_ms.to_string()),
        ("CurrentVoters:", format!("[{}]", ids(&controller.voters))),
        ("CurrentObservers:", format!("[{}]", ids(&observers))),
    ];
    for (label, value) in rows {
        out.push_str(&format!("{label:<24}{value}\n"));
    }
    Ok(Reply::text(out))
}

// ---- sim kafka / sim broker -----------------------------------------------------------------

/// `sim kafka create-cluster [--brokers N] [--mode kraft|zookeeper]`.
pub fn sim_kafka(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    const COMMAND: &str = "sim kafka create-cluster";
    match rest.first().map(String::as_str) {
        Some("create-cluster") => {}
        _ => {
            return Err(usage(
                "sim kafka",
                "try `sim kafka create-cluster --brokers 3 --mode kraft`",
            ));
        }
    }
    let options =
        Options::parse(&rest[1..], &["brokers", "mode"], &[]).map_err(|m| usage(COMMAND, m))?;
    let brokers = options
        .number("brokers")
        .map_err(|m| usage(COMMAND, m))?
        .unwrap_or(3);
    let mode = match options.value("mode").unwrap_or("kraft") {
        "kraft" => ControllerMode::Kraft,
        "zookeeper" => ControllerMode::Zookeeper,
        other => {
            return Err(usage(
                COMMAND,
                format!("--mode is kraft or zookeeper, not `{other}`"),
            ));
        }
    };
    let (services, mut env) = ctx.world.split();
    let cluster = services
        .kafka
        .create_cluster(&mut env, brokers.clamp(0, i64::from(u32::MAX)) as u32, mode)
        .map_err(|e| usage(COMMAND, sim_message(&e)))?;
    let controller = cluster.controller();
    let how = match mode {
        ControllerMode::Kraft => format!(
            "KRaft: brokers {} also form the controller quorum; leader {} in epoch {}",
            ids(&controller.voters),
            controller.leader.map_or("none".into(), |l| l.to_string()),
            controller.epoch
        ),
        ControllerMode::Zookeeper => format!(
            "ZooKeeper at localhost:2181 holds the metadata; broker {} is the controller (controller epoch {})",
            controller.leader.map_or("none".into(), |l| l.to_string()),
            controller.epoch
        ),
    };
    Ok(Reply::text(format!(
        "cluster {} at localhost:9092: brokers {}\n{how}\n",
        cluster.cluster_id,
        ids(&cluster.brokers().map(|b| b.id).collect::<Vec<_>>())
    )))
}

/// `sim broker stop|start|crash N`, `sim broker slow N --lag DURATION`, `sim broker list`.
pub fn sim_broker(ctx: &mut Ctx, rest: &[String]) -> Result<Reply, CommandError> {
    let Some(action) = rest.first().map(String::as_str) else {
        return Err(usage(
            "sim broker",
            "try `sim broker stop|start|crash N`, `sim broker slow N --lag 5s` or `sim broker list`",
        ));
    };
    let command = format!("sim broker {action}");
    let mut notes = String::new();
    cluster(ctx, &mut notes);
    if action == "list" {
        return Ok(Reply::text(format!("{notes}{}", broker_list(ctx))));
    }
    let options = Options::parse(&rest[1..], &["lag", "leader-of"], &["controller"])
        .map_err(|m| usage(&command, m))?;
    let id = broker_id(ctx, &command, &options)?;
    let (services, mut env) = ctx.world.split();
    let cluster = services.kafka.cluster_mut().expect("ensured");
    let result = match action {
        "stop" => cluster.stop_broker(&mut env, id),
        "start" => cluster.start_broker(&mut env, id),
        "crash" => cluster.crash_broker(&mut env, id),
        "slow" => {
            let lag_ms = match options.value("lag") {
                Some("0") => 0,
                Some(text) => parse_duration(text).map_err(|m| usage(&command, m))?,
                None => {
                    return Err(usage(
                        &command,
                        "missing --lag DURATION (e.g. 5s; 0 for none)",
                    ));
                }
            };
            cluster.set_fetch_lag(&mut env, id, lag_ms)
        }
        other => {
            return Err(usage(
                "sim broker",
                format!("unknown action `{other}`: stop, start, crash, slow or list"),
            ));
        }
    };
    result.map_err(|e| usage(&command, sim_message(&e)))?;
    Ok(Reply::text(format!("{notes}{}", broker_list(ctx))))
}

/// The broker named by its id, by `--leader-of TOPIC:PARTITION` (the partition's leader now)
/// or by `--controller` (the active controller now), so that scripts need not know ids.
fn broker_id(ctx: &Ctx, command: &str, options: &Options) -> Result<BrokerId, CommandError> {
    if options.has("controller") {
        if !options.positionals.is_empty() || options.value("leader-of").is_some() {
            return Err(usage(
                command,
                "name one broker: an id, `--leader-of TOPIC:PARTITION` or `--controller`",
            ));
        }
        let cluster = ctx.world.services().kafka.cluster().expect("ensured");
        return cluster
            .active_controller()
            .ok_or_else(|| usage(command, "there is no active controller right now"));
    }
    match (options.positionals.as_slice(), options.value("leader-of")) {
        ([id], None) => id
            .parse()
            .map_err(|_| usage(command, format!("`{id}` is not a broker id"))),
        ([], Some(target)) => {
            let (topic, partition) = target
                .rsplit_once(':')
                .and_then(|(t, p)| Some((t, p.parse::<u32>().ok()?)))
                .ok_or_else(|| {
                    usage(
                        command,
                        format!("--leader-of takes TOPIC:PARTITION, not `{target}`"),
                    )
                })?;
            let cluster = ctx.world.services().kafka.cluster().expect("ensured");
            let p = cluster.partition(topic, partition).ok_or_else(|| {
                usage(
                    command,
                    format!("there is no partition {topic}:{partition}"),
                )
            })?;
            p.leader.ok_or_else(|| {
                usage(
                    command,
                    format!("{topic}:{partition} has no leader right now"),
                )
            })
        }
        _ => Err(usage(
            command,
            "name one broker: an id (`sim broker crash 1`), `--leader-of TOPIC:PARTITION` or `--controller`",
        )),
    }
}

/// One line per broker: its state, and which one is the controller.
fn broker_list(ctx: &Ctx) -> String {
    let Some(cluster) = ctx.world.services().kafka.cluster() else {
        return String::new();
    };
    let controller = cluster.active_controller();
    cluster
        .brokers()
        .map(|b| {
            let mut line = format!("broker {}  {}", b.id, b.state.as_str());
            if b.fenced {
                line.push_str(", fenced");
            }
            if b.fetch_lag_ms > 0 {
                line.push_str(&format!(", fetches {} ms late", b.fetch_lag_ms));
            }
            if controller == Some(b.id) {
                line.push_str("  (active controller)");
            }
            line.push('\n');
            line
        })
        .collect()
}
