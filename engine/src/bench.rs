//! Benchmark workloads, shared by the native criterion benches (`engine/benches/core.rs`) and the
//! wasm bench page, so both measure exactly the same work. A workload is prepared (untimed) and
//! then run (timed) once per sample.

use crate::api::Session;
use crate::shell::split_script;
use serde_json::Value;

use std::collections::BTreeSet;

use crate::services::eventbridge::pattern::Pattern;
use crate::services::kafka::ControllerMode;
use crate::services::kafka::assignors::{Member, PartitionCounts, Strategy};
use crate::services::kafka::client::{ProducerConfig, ProducerRecord, read_available, send_all};
use crate::sim::{EventQueue, SimRng, World, WorldConfig};

/// The workloads `cargo xtask bench` runs, by name.
pub const WORKLOADS: &[&str] = &[
    "event_queue_100k",
    "shell_parse_10k_lines",
    "compaction_ctas_1000_objects",
    "compaction_group_by_100k_rows",
    "pipeline_day",
    "pattern_match_100k",
    "rebalance_range_100x1000",
    "rebalance_roundrobin_100x1000",
    "rebalance_sticky_100x1000",
    "rebalance_cooperative_sticky_100x1000",
    "kafka_produce_consume",
];

/// Consumers, topics and partitions per topic of the rebalance workloads: 100 consumers over
/// 1,000 partitions, one consumer having just left a group of 101.
pub const REBALANCE_MEMBERS: usize = 100;
pub const REBALANCE_TOPICS: usize = 10;
pub const REBALANCE_PARTITIONS_PER_TOPIC: u32 = 100;

/// Workloads too slow for the wasm page's 21 samples, run natively only; each processes
/// `NATIVE_WORKLOAD_ROWS` rows, so criterion also reports rows per second.
pub const NATIVE_WORKLOADS: &[&str] = &["compaction_ctas_1m_rows"];
pub const NATIVE_WORKLOAD_ROWS: u64 = 1_000_000;

/// The Kafka workload: records of `KAFKA_VALUE_BYTES` bytes produced with acks=all to a topic
/// of `KAFKA_PARTITIONS` partitions (RF 3, min.insync.replicas=2) on 3 brokers, handed to the
/// producer `KAFKA_SEND_RECORDS` at a time, then all read back.
pub const KAFKA_RECORDS: usize = 100_000;
pub const KAFKA_VALUE_BYTES: usize = 100;
pub const KAFKA_PARTITIONS: u32 = 6;
pub const KAFKA_SEND_RECORDS: usize = 1_000;

/// How many elements one run of a workload processes, for criterion's per-second figures.
pub fn elements(name: &str) -> Option<u64> {
    match name {
        "kafka_produce_consume" => Some(KAFKA_RECORDS as u64),
        _ => None,
    }
}

/// Objects and records of the compaction workload (the course's per-minute log files).
pub const COMPACTION_OBJECTS: usize = 1000;
pub const COMPACTION_RECORDS: usize = 100;

/// Events and rules of the pattern-matching workload: every event is tried against every rule.
pub const PATTERN_EVENTS: usize = 1_000;
pub const PATTERN_RULES: usize = 100;

/// One prepared sample of a workload.
pub enum Case {
    EventQueue,
    Patterns(Vec<Pattern>, Vec<Value>),
    Rebalance(Strategy, Vec<Member>, PartitionCounts),
    ShellParse(String),
    /// A world holding the objects, and the command to time.
    Command(Box<Session>, &'static str),
    /// A world with the Kafka topic, and the records to produce, in sends.
    Kafka(Box<World>, Vec<Vec<ProducerRecord>>),
}

const CTAS: &str = "athena --database bench \"CREATE TABLE compacted WITH (format='PARQUET', parquet_compression='SNAPPY', \
external_location='s3://bench-logs/compacted/', bucketed_by=ARRAY['timestamp'], bucket_count=1) AS SELECT * FROM logs\"";
const GROUP_BY: &str = "athena --database bench \"SELECT device_name, count(*), avg(metric) FROM compacted GROUP BY 1\"";

/// Sets a workload up; `None` for an unknown name.
pub fn prepare(name: &str) -> Option<Case> {
    match name {
        "event_queue_100k" => Some(Case::EventQueue),
        "shell_parse_10k_lines" => Some(Case::ShellParse(shell_script(10_000))),
        "compaction_ctas_1000_objects" => Some(Case::Command(
            Box::new(compaction_world(COMPACTION_OBJECTS, false)),
            CTAS,
        )),
        "compaction_group_by_100k_rows" => Some(Case::Command(
            Box::new(compaction_world(COMPACTION_OBJECTS, true)),
            GROUP_BY,
        )),
        "pipeline_day" => Some(Case::Command(Box::new(pipeline_world()), "sim advance 1d")),
        "pattern_match_100k" => Some(Case::Patterns(
            patterns(PATTERN_RULES),
            events(PATTERN_EVENTS),
        )),
        "rebalance_range_100x1000" => Some(rebalance(Strategy::Range)),
        "rebalance_roundrobin_100x1000" => Some(rebalance(Strategy::RoundRobin)),
        "rebalance_sticky_100x1000" => Some(rebalance(Strategy::Sticky)),
        "rebalance_cooperative_sticky_100x1000" => Some(rebalance(Strategy::CooperativeSticky)),
        "kafka_produce_consume" => Some(kafka_case()),
        "compaction_ctas_1m_rows" => {
            let objects = NATIVE_WORKLOAD_ROWS as usize / COMPACTION_RECORDS;
            Some(Case::Command(
                Box::new(compaction_world(objects, false)),
                CTAS,
            ))
        }
        _ => None,
    }
}

impl Case {
    /// Runs the timed part once; returns a checksum so the optimiser cannot drop the work.
    pub fn run(&mut self) -> u64 {
        match self {
            Case::EventQueue => event_queue(100_000),
            Case::ShellParse(script) => shell_parse(script),
            Case::Rebalance(strategy, members, partitions) => {
                let rebalance = strategy.assign(members, partitions);
                rebalance
                    .target
                    .values()
                    .map(|owned| owned.len() as u64)
                    .sum()
            }
            Case::Patterns(patterns, events) => events
                .iter()
                .map(|event| patterns.iter().filter(|p| p.matches(event)).count() as u64)
                .sum(),
            Case::Kafka(world, sends) => kafka_produce_consume(world, std::mem::take(sends)),
            Case::Command(session, line) => {
                let outcome = session.exec(line);
                assert!(outcome.ok, "bench command failed: {}", outcome.output);
                outcome.output.len() as u64
            }
        }
    }
}

/// A 3-broker KRaft cluster with the workload's topic, and its records (random upper-case
/// values, as `kafka-producer-perf-test.sh` sends) cut into sends.
fn kafka_case() -> Case {
    let mut world = World::new(WorldConfig {
        seed: 1,
        start_ms: 0,
    });
    let (services, mut env) = world.split();
    let cluster = services
        .kafka
        .create_cluster(&mut env, 3, ControllerMode::Kraft)
        .expect("a fresh world has no cluster");
    let configs = [("min.insync.replicas".to_string(), "2".to_string())].into();
    cluster
        .create_topic(&mut env, "bench", Some(KAFKA_PARTITIONS), Some(3), configs)
        .expect("3 brokers take RF 3");
    let mut rng = SimRng::from_seed(5);
    let records: Vec<ProducerRecord> = (0..KAFKA_RECORDS)
        .map(|_| ProducerRecord {
            key: None,
            value: (0..KAFKA_VALUE_BYTES)
                .map(|_| (b'A' + rng.below(26) as u8) as char)
                .collect::<String>()
                .into(),
            headers: Vec::new(),
        })
        .collect();
    let sends = records
        .chunks(KAFKA_SEND_RECORDS)
        .map(<[ProducerRecord]>::to_vec)
        .collect();
    Case::Kafka(Box::new(world), sends)
}

/// Produces every send with acks=all (each waits for the followers' fetches), lets the
/// followers finish, then reads every partition from the start; returns the records read.
fn kafka_produce_consume(world: &mut World, sends: Vec<Vec<ProducerRecord>>) -> u64 {
    let config = ProducerConfig::default();
    for records in sends {
        let results = send_all(world, "bench", records, &config).expect("the topic exists");
        assert!(results.iter().all(|r| r.outcome.is_ok()), "a send failed");
    }
    let settled_ms = world.now_ms() + 1_000;
    world.run_until(settled_ms).expect("a second of fetches");
    let mut positions = (0..KAFKA_PARTITIONS).map(|p| (p, 0)).collect();
    let read = read_available(world, "bench", &mut positions, usize::MAX);
    assert_eq!(read.len(), KAFKA_RECORDS, "every record is read back");
    read.len() as u64
}

/// Prepares and runs a workload once (for tests and quick checks).
pub fn run(name: &str) -> Option<u64> {
    prepare(name).map(|mut case| case.run())
}

/// The course's pipeline (`examples/pipeline-hour.sh`) set up and running at 00:00:30 with both
/// schedules in place; the workload then runs a simulated day: 1,440 generator and 288
/// compactor invocations, each compaction a real CTAS over every JSON file so far.
pub fn pipeline_world() -> Session {
    let script = include_str!("../../examples/pipeline-hour.sh");
    let setup: String = script
        .lines()
        .take_while(|line| !line.starts_with("sim at "))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut session = Session::with_seed(1);
    let outcome = session.exec(&setup);
    assert!(outcome.ok, "pipeline setup failed: {}", outcome.output);
    session
}

/// A group of 101 consumers that owned an assignment made by `strategy`, after one left: the
/// next rebalance is the workload.
fn rebalance(strategy: Strategy) -> Case {
    let topics: BTreeSet<String> = (0..REBALANCE_TOPICS)
        .map(|t| format!("topic-{t}"))
        .collect();
    let partitions: PartitionCounts = topics
        .iter()
        .map(|t| (t.clone(), REBALANCE_PARTITIONS_PER_TOPIC))
        .collect();
    let member = |i: usize| Member {
        member_id: format!("consumer-{i:03}-{:08x}", i * 2_654_435_761 % 0xffff_ffff),
        group_instance_id: None,
        topics: topics.clone(),
        owned_partitions: Vec::new(),
        generation: None,
    };
    let before: Vec<Member> = (0..=REBALANCE_MEMBERS).map(member).collect();
    let previous = strategy.assign(&before, &partitions).target;
    let members = before
        .into_iter()
        .skip(1)
        .map(|mut m| {
            m.owned_partitions = previous.get(&m.member_id).cloned().unwrap_or_default();
            m.generation = Some(1);
            m
        })
        .collect();
    Case::Rebalance(strategy, members, partitions)
}

/// `n` rule patterns of the shapes people write: sources, detail types, prefixes, numeric
/// ranges, anything-but, nested fields.
pub fn patterns(n: usize) -> Vec<Pattern> {
    (0..n)
        .map(|i| {
            let text = match i % 5 {
                0 => format!(r#"{{"source": ["shop.orders"], "detail-type": ["OrderPlaced"], "detail": {{"customer": [{{"prefix": "c{}"}}]}}}}"#, i % 10),
                1 => format!(r#"{{"detail": {{"amount": [{{"numeric": [">", {}, "<=", {}]}}]}}}}"#, i * 10, i * 10 + 500),
                2 => r#"{"source": [{"anything-but": ["aws.events"]}], "detail": {"status": ["PAID", "DECLINED"]}}"#.to_string(),
                3 => format!(r#"{{"detail": {{"shipping": {{"country": ["KR", "US"], "zip": [{{"exists": true}}]}}, "items": {{"sku": ["sku-{i}"]}}}}}}"#),
                _ => r#"{"$or": [{"detail": {"priority": ["high"]}}, {"detail": {"amount": [{"numeric": [">=", 1000]}]}}]}"#.to_string(),
            };
            Pattern::parse(&text).expect("bench patterns are valid")
        })
        .collect()
}

/// `n` order events with varied fields.
pub fn events(n: usize) -> Vec<Value> {
    let mut rng = SimRng::from_seed(3);
    (0..n)
        .map(|i| {
            let status = ["PAID", "NEW", "DECLINED"][rng.below(3) as usize];
            let priority = ["low", "high"][rng.below(2) as usize];
            let country = ["KR", "US", "DE"][rng.below(3) as usize];
            serde_json::json!({
                "version": "0", "id": format!("e-{i}"), "source": "shop.orders", "detail-type": "OrderPlaced",
                "account": "123456789012", "time": "2022-06-12T00:00:00Z", "region": "us-east-1", "resources": [],
                "detail": {
                    "customer": format!("c{}", rng.below(100)),
                    "amount": rng.below(3000),
                    "status": status,
                    "priority": priority,
                    "shipping": { "country": country, "zip": "04524" },
                    "items": [{ "sku": format!("sku-{}", rng.below(200)) }, { "sku": "sku-7" }],
                },
            })
        })
        .collect()
}

/// Schedules `n` events at pseudo-random times within a simulated hour, then pops them all.
pub fn event_queue(n: u64) -> u64 {
    let mut rng = SimRng::from_seed(1);
    let mut queue = EventQueue::default();
    for i in 0..n {
        let time_ms = rng.below(3_600_000) as i64;
        queue.schedule(time_ms, i).expect("below the queue limit");
    }
    let mut checksum = 0u64;
    while let Some(event) = queue.pop() {
        checksum = checksum
            .wrapping_mul(31)
            .wrapping_add(event.event ^ event.time_ms as u64);
    }
    checksum
}

/// A script of `lines` typical lines: quoting, JSON arguments, pipes, comments.
pub fn shell_script(lines: usize) -> String {
    const SAMPLES: &[&str] = &[
        "sim advance 5m",
        "aws s3api put-object --bucket logs-bucket --key 'raw/2022/06/12/00-01.json' --body ./log.json",
        r#"aws events put-rule --name every-minute --schedule-expression "rate(1 minute)""#,
        r#"echo '{"device_name": "sensor-7", "metric": 42}' | kafka-console-producer.sh --topic logs --bootstrap-server localhost:9092"#,
        "kafka-console-consumer.sh --topic logs --from-beginning --group g1 & # keep reading",
        "sim trace --last 10 --json",
    ];
    let mut script = String::new();
    for i in 0..lines {
        script.push_str(SAMPLES[i % SAMPLES.len()]);
        script.push('\n');
    }
    script
}

/// Splits a script into pipelines; returns the number of words seen.
pub fn shell_parse(script: &str) -> u64 {
    split_script(script)
        .iter()
        .filter_map(|entry| entry.parsed.as_ref().ok())
        .flat_map(|pipeline| &pipeline.commands)
        .map(|command| command.argv.len() as u64)
        .sum()
}

/// One minute of sensor logs: `COMPACTION_RECORDS` JSON lines like the course's generator writes.
pub fn log_object(minute: usize, rng: &mut SimRng) -> String {
    let mut text = String::with_capacity(COMPACTION_RECORDS * 80);
    for record in 0..COMPACTION_RECORDS {
        let second_ms = record * 600;
        let (hour, minute) = (minute / 60, minute % 60);
        let metric = rng.below(1000) as f64 / 10.0;
        text.push_str(&format!(
            "{{\"timestamp\":\"2022-06-12 {hour:02}:{minute:02}:{:02}.{:03}\",\"device_name\":\"device-{}\",\"metric\":{metric:.1}}}\n",
            second_ms / 1000,
            second_ms % 1000,
            rng.below(50)
        ));
    }
    text
}

/// A world with `COMPACTION_OBJECTS` log objects under `s3://bench-logs/raw/` and a JSON table
/// over them (and, when `compacted`, the CTAS already run).
pub fn compaction_world(objects: usize, compacted: bool) -> Session {
    let mut session = Session::with_seed(1);
    let mut rng = SimRng::from_seed(7);
    for minute in 0..objects {
        let text = log_object(minute, &mut rng);
        session
            .files_mut()
            .write(&format!("raw/{minute:04}.json"), text.as_bytes())
            .expect("memory files accept writes");
    }
    let setup = "aws s3 mb s3://bench-logs\naws s3 cp ./raw s3://bench-logs/raw --recursive\nathena \"CREATE DATABASE bench\"\n\
        athena --database bench \"CREATE EXTERNAL TABLE logs (`timestamp` string, device_name string, metric double) \
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://bench-logs/raw/'\"";
    let outcome = session.exec(setup);
    assert!(outcome.ok, "bench setup failed: {}", outcome.output);
    if compacted {
        let outcome = session.exec(CTAS);
        assert!(outcome.ok, "bench CTAS failed: {}", outcome.output);
    }
    session
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheap_workloads_run_and_are_deterministic() {
        for name in ["event_queue_100k", "shell_parse_10k_lines"] {
            let first = run(name).unwrap();
            assert_eq!(run(name), Some(first), "{name}");
        }
        assert!(prepare("nope").is_none());
    }

    #[test]
    fn pattern_workload_matches_some_but_not_all_pairs() {
        let matched = run("pattern_match_100k").unwrap();
        let pairs = (PATTERN_EVENTS * PATTERN_RULES) as u64;
        assert!(
            matched > pairs / 20 && matched < pairs / 2,
            "{matched} of {pairs}"
        );
    }

    #[test]
    fn rebalance_workloads_assign_every_partition() {
        let total = u64::from(REBALANCE_PARTITIONS_PER_TOPIC) * REBALANCE_TOPICS as u64;
        for name in WORKLOADS.iter().filter(|n| n.starts_with("rebalance_")) {
            assert_eq!(run(name), Some(total), "{name}");
        }
    }

    #[test]
    fn the_kafka_workload_reads_back_every_record() {
        assert_eq!(run("kafka_produce_consume"), Some(KAFKA_RECORDS as u64));
    }

    #[test]
    fn the_parse_workload_parses_every_line() {
        let script = shell_script(60);
        let entries = split_script(&script);
        assert_eq!(entries.len(), 60);
        assert!(entries.iter().all(|entry| entry.parsed.is_ok()));
    }

    #[test]
    fn compaction_writes_one_parquet_file_of_every_row() {
        let mut session = compaction_world(COMPACTION_OBJECTS, true);
        let listing = session.exec("aws s3 ls s3://bench-logs/compacted/");
        assert_eq!(listing.output.lines().count(), 1, "{}", listing.output);
        let count = session
            .exec("athena --database bench --format csv \"SELECT count(*) AS n FROM compacted\"");
        assert!(
            count
                .output
                .contains(&format!("\"{}\"", COMPACTION_OBJECTS * COMPACTION_RECORDS)),
            "{}",
            count.output
        );
    }
}
