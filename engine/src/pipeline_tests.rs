//! The course's scheduled log pipeline, end to end, through the shell: the example script
//! `examples/pipeline-hour.sh` runs one simulated hour and the tests check what landed in S3.

use std::collections::BTreeMap;

use arrow::array::{Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

use crate::api::Session;
use crate::services::eventbridge::fanout::{TargetKind, fan_out};
use crate::services::lambda::Outcome;
use crate::shell::split_script;

const PIPELINE_HOUR: &str = include_str!("../../examples/pipeline-hour.sh");
const BUCKET: &str = "sensor-logs";

/// Runs `script` line by line and fails on the first command that fails.
fn run(script: &str) -> Session {
    let mut session = Session::with_seed(1);
    for entry in split_script(script) {
        let outcome = session.exec_entry(&entry);
        assert!(outcome.ok, "`{}` failed:\n{}", entry.source, outcome.output);
    }
    session
}

fn keys_under(session: &Session, prefix: &str) -> Vec<String> {
    session
        .world()
        .services()
        .s3
        .bucket(BUCKET)
        .expect("the script makes the bucket")
        .current_objects()
        .map(|(key, _)| key.clone())
        .filter(|key| key.starts_with(prefix))
        .collect()
}

/// (timestamp, device, metric) of every record in the generator's JSON files for 2022-06-12.
fn json_rows(session: &Session) -> Vec<(String, String, i64)> {
    let mut rows = Vec::new();
    for key in keys_under(session, "logs/2022/06/12/") {
        let bytes = session.get_object(BUCKET, &key).unwrap();
        for line in String::from_utf8(bytes).unwrap().lines() {
            let record: Value = serde_json::from_str(line).unwrap();
            rows.push((
                record["timestamp"].as_str().unwrap().to_string(),
                record["device_name"].as_str().unwrap().to_string(),
                record["metric"].as_i64().unwrap(),
            ));
        }
    }
    rows.sort();
    rows
}

/// The rows of each compacted Parquet file, by key.
fn parquet_rows(session: &Session) -> BTreeMap<String, Vec<(String, String, i64)>> {
    let mut files = BTreeMap::new();
    for key in keys_under(session, "compacted/") {
        let bytes = bytes::Bytes::from(session.get_object(BUCKET, &key).unwrap());
        assert_eq!(&bytes[..4], b"PAR1", "{key} is a Parquet file");
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap();
        let codec = builder.metadata().row_group(0).column(0).compression();
        assert_eq!(codec, parquet::basic::Compression::SNAPPY, "{key}");
        let reader = builder.build().unwrap();
        let mut rows = Vec::new();
        for batch in reader {
            let batch = batch.unwrap();
            let text = |name: &str| {
                batch
                    .column_by_name(name)
                    .unwrap()
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap()
                    .clone()
            };
            let (timestamps, devices) = (text("timestamp"), text("device_name"));
            let metrics = arrow::compute::cast(
                batch.column_by_name("metric").unwrap(),
                &arrow::datatypes::DataType::Int64,
            )
            .unwrap();
            let metrics = metrics
                .as_any()
                .downcast_ref::<arrow::array::Int64Array>()
                .unwrap();
            for i in 0..batch.num_rows() {
                rows.push((
                    timestamps.value(i).to_string(),
                    devices.value(i).to_string(),
                    metrics.value(i),
                ));
            }
        }
        files.insert(key, rows);
    }
    files
}

#[test]
fn one_hour_compacts_sixty_json_files_into_twelve_parquet_files_without_loss() {
    let session = run(PIPELINE_HOUR);
    let json_files = keys_under(&session, "logs/2022/06/12/");
    assert_eq!(
        json_files.len(),
        60,
        "one JSON file per minute: {json_files:?}"
    );
    let json = json_rows(&session);
    assert_eq!(json.len(), 600, "ten records per file");

    let parquet = parquet_rows(&session);
    assert_eq!(parquet.len(), 12, "one Parquet file per five-minute window");
    let mut compacted: Vec<_> = Vec::new();
    for (window, (key, rows)) in parquet.iter().enumerate() {
        // Each file holds exactly its window [start, start + 5 min).
        let start = format!("2022-06-12 00:{:02}:00.000", window * 5);
        let end = if window == 11 {
            "2022-06-12 01:00:00.000".to_string()
        } else {
            format!("2022-06-12 00:{:02}:00.000", (window + 1) * 5)
        };
        assert_eq!(rows.len(), 50, "{key}: five files of ten records");
        assert!(
            rows.iter().all(|(t, ..)| *t >= start && *t < end),
            "{key} holds a row outside [{start}, {end})"
        );
        compacted.extend(rows.iter().cloned());
    }
    compacted.sort();
    assert_eq!(
        compacted, json,
        "every record once, none lost or duplicated"
    );

    let lambda = &session.world().services().lambda;
    let runs = |name: &str| {
        lambda
            .invocations()
            .iter()
            .filter(|i| i.function == name && i.start_ms >= crate::sim::DEFAULT_START_MS)
            .collect::<Vec<_>>()
    };
    assert_eq!(runs("log-generator").len(), 60);
    assert_eq!(runs("log-compactor").len(), 12);
    assert!(runs("log-compactor").iter().all(|i| !i.is_error()));
    let athena = &session.world().services().athena;
    let ctas: Vec<_> = athena
        .executions()
        .iter()
        .filter(|q| q.substatement_type == "CREATE_TABLE_AS_SELECT")
        .collect();
    assert_eq!(ctas.len(), 12);
    assert!(
        ctas.iter().all(|q| q.state.as_str() == "SUCCEEDED"),
        "{ctas:#?}"
    );
}

#[test]
fn without_put_object_every_run_logs_access_denied_and_writes_nothing() {
    let script: String = PIPELINE_HOUR
        .lines()
        .filter(|line| !line.starts_with("aws iam put-role-policy"))
        .collect::<Vec<_>>()
        .join("\n");
    let session = run(&script);
    assert!(keys_under(&session, "logs/").is_empty());
    let lambda = &session.world().services().lambda;
    let runs: Vec<_> = lambda
        .invocations()
        .iter()
        .filter(|i| i.function == "log-generator")
        .collect();
    // 60 scheduled runs plus Lambda's two retries of each (the last ones still pending at the
    // end), and the two test invocations.
    assert!(runs.len() > 60 * 2, "{}", runs.len());
    assert!(
        runs.iter()
            .all(|i| matches!(i.outcome, Outcome::Error { .. }))
    );
    let denied = session
        .world()
        .services()
        .logs
        .find("/aws/lambda/log-generator", &Default::default())
        .unwrap()
        .iter()
        .filter(|found| {
            found.event.message.starts_with("[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/log-generator-role/log-generator is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::sensor-logs/logs/")
                && found.event.message.contains("because no identity-based policy allows the s3:PutObject action")
        })
        .count();
    assert_eq!(denied, runs.len(), "every invocation logs its AccessDenied");
}

#[test]
fn the_hour_is_deterministic() {
    let a = run(PIPELINE_HOUR);
    let b = run(PIPELINE_HOUR);
    assert_eq!(a.world().trace().hash(), b.world().trace().hash());
}

const ORDER_FANOUT: &str = include_str!("../../examples/order-fanout.sh");

#[test]
fn one_order_event_fans_out_to_invoice_payment_and_review() {
    let session = run(ORDER_FANOUT);
    let services = session.world().services();
    let invoices: Vec<String> = services
        .s3
        .bucket("shop-invoices")
        .unwrap()
        .current_objects()
        .map(|(key, _)| key.clone())
        .collect();
    assert_eq!(
        invoices,
        [
            "invoices/o-1001.json",
            "invoices/o-1002.json",
            "invoices/o-1003.json"
        ]
    );
    let invoice: Value = serde_json::from_slice(
        &session
            .get_object("shop-invoices", "invoices/o-1003.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(invoice["amount"], 2400);

    let payments: Vec<_> = services
        .lambda
        .invocations()
        .iter()
        .filter(|i| i.function == "payment-service")
        .collect();
    let declined: Vec<_> = payments.iter().filter(|i| i.is_error()).collect();
    assert_eq!(
        payments.len() - declined.len(),
        2,
        "kim and lee are charged"
    );
    assert_eq!(
        declined.len(),
        3,
        "park's payment: one attempt and Lambda's two retries"
    );
    let gaps: Vec<_> = declined
        .windows(2)
        .map(|pair| pair[1].start_ms - pair[0].end_ms())
        .collect();
    assert_eq!(
        gaps,
        [60_000, 120_000],
        "retries one and then two minutes later"
    );

    let review = services
        .sqs
        .queue(&crate::services::sqs::queue_url("manual-review"))
        .unwrap();
    let (visible, ..) = review.counts(session.world().now_ms());
    assert_eq!(visible, 0, "the script received both large orders");
    let trace_targets = session
        .world()
        .trace()
        .events()
        .iter()
        .filter(|e| e.kind == "target-invoked")
        .count();
    assert_eq!(
        trace_targets,
        3 * 2 + 2,
        "two targets per order, review for two"
    );

    // The panel's picture: each rule's targets, and when the rule last reached each function.
    let fan_out = fan_out(&services.eventbridge, services.lambda.invocations());
    let arrows: Vec<_> = fan_out
        .iter()
        .flat_map(|f| {
            f.targets
                .iter()
                .map(|t| (f.rule.as_str(), t.kind, t.name.as_str()))
        })
        .collect();
    assert_eq!(
        arrows,
        [
            ("large-orders", TargetKind::Sqs, "manual-review"),
            ("order-placed", TargetKind::Lambda, "invoice-service"),
            ("order-placed", TargetKind::Lambda, "payment-service"),
        ]
    );
    let last_payment = payments.last().unwrap().start_ms;
    assert_eq!(
        fan_out[1].targets[1].last_delivered_ms,
        Some(last_payment),
        "Lambda's retry of park's payment counts as the rule's delivery"
    );
    assert_eq!(fan_out[0].targets[0].last_delivered_ms, None);
}

const KAFKA_ACKS: &str = include_str!("../../examples/kafka-acks.sh");

/// `examples/kafka-acks.sh`: acks=1 loses the acknowledged records when the leader crashes
/// before its followers fetch; acks=all with min.insync.replicas=2 keeps them, and refuses a
/// send when only one in-sync replica is left.
#[test]
fn kafka_acks_example_loses_only_acks_one_records() {
    let mut session = Session::with_seed(1);
    let mut outputs = Vec::new();
    for entry in split_script(KAFKA_ACKS) {
        let outcome = session.exec_entry(&entry);
        assert!(outcome.ok, "`{}` failed:\n{}", entry.source, outcome.output);
        outputs.push(outcome.output);
    }
    let trace = session.world().trace().events();
    let lost: Vec<_> = trace
        .iter()
        .filter(|e| e.service == "kafka" && e.kind == "records-lost")
        .collect();
    assert_eq!(lost.len(), 1, "one loss, on payments-fast");
    assert_eq!(
        lost[0].field("topic").unwrap().to_string(),
        "\"payments-fast\""
    );
    assert_eq!(lost[0].field("count").unwrap().to_string(), "3");
    assert!(
        trace.iter().any(|e| e.kind == "log-truncated"),
        "the old leader truncates when it returns"
    );
    let cluster = session.world().services().kafka.cluster().unwrap();
    let values = |topic: &str| -> Vec<String> {
        let p = cluster.partition(topic, 0).unwrap();
        p.readable_from(0)
            .map(|r| r.value.as_deref().unwrap().to_string())
            .collect()
    };
    assert!(values("payments-fast").is_empty());
    assert_eq!(values("payments-safe"), ["pay-1", "pay-2", "pay-3"]);
    let all = outputs.concat();
    assert!(all.contains("Processed a total of 0 messages"));
    assert!(all.contains("Processed a total of 3 messages"));
    assert!(all.contains("NotEnoughReplicasException: Messages are rejected since there are fewer in-sync replicas than required."));
}

fn run_example(script: &str) -> (Session, String) {
    let mut session = Session::with_seed(1);
    let mut all = String::new();
    for entry in split_script(script) {
        let outcome = session.exec_entry(&entry);
        assert!(outcome.ok, "`{}` failed:\n{}", entry.source, outcome.output);
        all.push_str(&outcome.output);
    }
    (session, all)
}

fn kafka_events<'a>(session: &'a Session, kind: &str) -> Vec<&'a crate::sim::TraceEvent> {
    session
        .world()
        .trace()
        .events()
        .iter()
        .filter(|e| e.service == "kafka" && e.kind == kind)
        .collect()
}

const KAFKA_GROUPS: &str = include_str!("../../examples/kafka-groups.sh");

/// `examples/kafka-groups.sh`: two consumers share three partitions in one generation; the
/// one killed before committing has its two records delivered again to the other; a new group
/// re-reads all eight; the reset rewinds the stopped group to the start.
#[test]
fn kafka_groups_example_redelivers_and_rereads() {
    let (session, all) = run_example(KAFKA_GROUPS);
    let stable = kafka_events(&session, "group-stable");
    assert!(
        stable[0]
            .field("assignment")
            .unwrap()
            .to_string()
            .contains("c1=[clicks-0,clicks-1] c2=[clicks-2]"),
        "{:?}",
        stable[0]
    );
    let redelivered = kafka_events(&session, "records-redelivered");
    assert_eq!(
        redelivered.len(),
        2,
        "alice's and dave's pay, one per partition"
    );
    assert_eq!(all.matches("alice\tpay").count(), 2, "{all}");
    assert!(all.contains("Processed a total of 8 messages"));
    let cluster = session.world().services().kafka.cluster().unwrap();
    assert_eq!(cluster.group_lag("dashboard"), Some(8));
    assert_eq!(cluster.group_lag("audit"), Some(0));
}

const KAFKA_BROKER_FAILURE: &str = include_str!("../../examples/kafka-broker-failure.sh");

/// `examples/kafka-broker-failure.sh`: broker 2 crashes; no partition keeps it as leader or in
/// its ISR; acks=all still succeeds with two in-sync replicas; the consumer group reads all
/// five orders; broker 2 returns to every ISR.
#[test]
fn kafka_broker_failure_example_moves_leaders_and_heals() {
    let (session, all) = run_example(KAFKA_BROKER_FAILURE);
    let after_crash = all
        .split("broker 2  crashed, fenced")
        .next()
        .expect("the listing shows the fenced broker");
    let describe = after_crash.rsplit("PartitionCount").next().unwrap();
    assert!(!describe.contains("Leader: 2"), "{describe}");
    for n in 1..=5 {
        assert!(all.contains(&format!("order-{n}\n")), "order-{n}:\n{all}");
    }
    assert!(!all.contains("ERROR Error when sending"), "{all}");
    let cluster = session.world().services().kafka.cluster().unwrap();
    for p in 0..3 {
        assert_eq!(cluster.partition("orders", p).unwrap().isr.len(), 3);
    }
    assert_eq!(cluster.group_lag("fulfilment"), Some(0));
}
