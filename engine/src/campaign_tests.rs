//! The SQS batch example end to end, through the shell: `examples/email-campaign.sh` sends a
//! marketing campaign through a queue, an event source mapping and the email-sender function,
//! and the tests check what each customer got and where the poison message ended.

use std::collections::BTreeMap;

use crate::api::Session;
use crate::shell::split_script;
use crate::sim::{TraceEvent, TraceValue};

const EMAIL_CAMPAIGN: &str = include_str!("../../examples/email-campaign.sh");
const CUSTOMERS: usize = 15;
const BATCH_SIZE: i64 = 10;
const MAX_RECEIVE_COUNT: usize = 3;

/// Runs `script` line by line and fails on the first command that fails.
fn run(script: &str) -> Session {
    let mut session = Session::with_seed(1);
    for entry in split_script(script) {
        let outcome = session.exec_entry(&entry);
        assert!(outcome.ok, "`{}` failed:\n{}", entry.source, outcome.output);
    }
    session
}

fn field<'a>(event: &'a TraceEvent, name: &str) -> Option<&'a TraceValue> {
    event
        .fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
}

fn text<'a>(event: &'a TraceEvent, name: &str) -> &'a str {
    match field(event, name) {
        Some(TraceValue::Str(text)) => text,
        other => panic!("{name} is not text: {other:?}"),
    }
}

fn int(event: &TraceEvent, name: &str) -> i64 {
    match field(event, name) {
        Some(TraceValue::Int(n)) => *n,
        other => panic!("{name} is not an integer: {other:?}"),
    }
}

fn events<'a>(session: &'a Session, service: &str, kind: &str) -> Vec<&'a TraceEvent> {
    session
        .world()
        .trace()
        .events()
        .iter()
        .filter(|e| e.service == service && e.kind == kind)
        .collect()
}

#[test]
fn every_customer_gets_one_email_and_the_poison_message_ends_in_the_dead_letter_queue() {
    let session = run(EMAIL_CAMPAIGN);
    let services = session.world().services();

    // One "sent … to …" line per customer, none twice.
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for found in services
        .logs
        .find("/aws/lambda/email-sender", &Default::default())
        .unwrap()
    {
        if let Some(to) = found
            .event
            .message
            .strip_prefix("sent 'Summer sale: 20% off' to ")
        {
            *sent.entry(to.to_string()).or_default() += 1;
        }
    }
    assert_eq!(sent.len(), CUSTOMERS, "{sent:?}");
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");

    // Batches hold at most BatchSize records; only the poison message ever failed.
    let batches = events(&session, "lambda", "event-source-batch");
    assert!(
        batches
            .iter()
            .all(|b| (1..=BATCH_SIZE).contains(&int(b, "records")))
    );
    let records: i64 = batches.iter().map(|b| int(b, "records")).sum();
    let failed: i64 = batches.iter().map(|b| int(b, "failed")).sum();
    assert_eq!(records, CUSTOMERS as i64 + MAX_RECEIVE_COUNT as i64);
    assert_eq!(failed, MAX_RECEIVE_COUNT as i64);

    // The poison message was received exactly maxReceiveCount times, then moved, and only it.
    let moved = events(&session, "sqs", "message-moved-to-dead-letter-queue");
    assert_eq!(moved.len(), 1, "{moved:?}");
    let poison = text(moved[0], "id");
    let receives = events(&session, "sqs", "message-received")
        .into_iter()
        .filter(|e| text(e, "queue") == "campaign-emails" && text(e, "id") == poison)
        .count();
    assert_eq!(receives, MAX_RECEIVE_COUNT);
    let dlq = services.sqs.queue("campaign-dlq").unwrap();
    let bodies: Vec<(&str, &str)> = dlq
        .messages()
        .iter()
        .map(|m| (m.id.as_str(), m.body.as_str()))
        .collect();
    assert_eq!(bodies, [(poison, r#"{"subject": "Summer sale: 20% off"}"#)]);

    let source = services.sqs.queue("campaign-emails").unwrap();
    assert!(source.messages().is_empty());
}

#[test]
fn an_idle_campaign_schedules_nothing() {
    let mut session = run(EMAIL_CAMPAIGN);
    // The mapping waits on the empty queue instead of polling it.
    assert!(session.world().queue().is_empty());
    let outcome = session.exec("sim advance 1d");
    assert!(outcome.ok, "{}", outcome.output);
    assert!(outcome.output.contains("0 events"), "{}", outcome.output);
}

#[test]
fn without_report_batch_item_failures_the_poison_message_is_lost() {
    // The function returns success, so Lambda deletes the whole batch, the bad message too.
    let script = EMAIL_CAMPAIGN.replace(" --function-response-types ReportBatchItemFailures", "");
    let session = run(&script);
    assert!(events(&session, "sqs", "message-moved-to-dead-letter-queue").is_empty());
    let services = session.world().services();
    assert!(
        services
            .sqs
            .queue("campaign-dlq")
            .unwrap()
            .messages()
            .is_empty()
    );
    assert!(
        services
            .sqs
            .queue("campaign-emails")
            .unwrap()
            .messages()
            .is_empty()
    );
}

#[test]
fn the_campaign_is_deterministic() {
    let a = run(EMAIL_CAMPAIGN);
    let b = run(EMAIL_CAMPAIGN);
    assert_eq!(a.world().trace().hash(), b.world().trace().hash());
}
