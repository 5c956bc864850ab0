//! Consumer groups through the shell: generations, rebalances, session timeouts, static
//! membership, at-least-once redelivery, offsets and lag. The protocol's rules come from
//! Kafka's documentation (consumer configs: `session.timeout.ms`, `heartbeat.interval.ms`,
//! `group.instance.id`, `auto.commit.interval.ms`; broker config
//! `group.initial.rebalance.delay.ms`) and the behaviour tested in Kafka's
//! `GroupCoordinatorTest`/`GroupMetadataManagerTest` (initial delay extended by new members,
//! static member rejoin without a rebalance, expired members removed).

use std::collections::BTreeMap;

use crate::api::Session;
use crate::services::kafka::Cluster;
use crate::services::kafka::assignors::TopicPartition;
use crate::services::kafka::group::{GroupState, offsets_partition};
use crate::shell::split_script;
use crate::sim::{TraceEvent, TraceValue};

const SETUP: &str = "kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 3";

fn run(session: &mut Session, script: &str) -> String {
    let mut out = String::new();
    for entry in split_script(script) {
        let outcome = session.exec_entry(&entry);
        assert!(outcome.ok, "`{}` failed:\n{}", entry.source, outcome.output);
        out.push_str(&outcome.output);
    }
    out
}

fn session() -> Session {
    let mut session = Session::with_seed(7);
    run(&mut session, SETUP);
    session
}

fn cluster(session: &Session) -> &Cluster {
    session.world().services().kafka.cluster().unwrap()
}

fn consumer(group: &str, client: &str, extra: &str) -> String {
    format!(
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group {group} --from-beginning --consumer-property client.id={client} {extra} &"
    )
}

fn produce(session: &mut Session, values: &[&str]) {
    let body: String = values.iter().map(|v| format!("{v}\n")).collect();
    run(
        session,
        &format!(
            "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders <<END\n{body}END"
        ),
    );
}

fn events<'a>(session: &'a Session, kind: &str) -> Vec<&'a TraceEvent> {
    session
        .world()
        .trace()
        .events()
        .iter()
        .filter(|e| format!("{}/{}", e.service, e.kind) == kind)
        .collect()
}

fn assignment(session: &Session, group: &str) -> BTreeMap<String, Vec<TopicPartition>> {
    cluster(session)
        .groups()
        .group(group)
        .unwrap()
        .members
        .iter()
        .map(|m| (m.client_id.clone(), m.assignment.clone()))
        .collect()
}

#[test]
fn consumers_started_together_join_one_generation_after_the_initial_delay() {
    let mut s = session();
    let start = s.world().now_ms();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, "sim advance 2s");
    run(&mut s, &consumer("g", "c2", ""));
    // The second join extends the delay to 3 s after it: nothing is stable at 4.9 s.
    run(&mut s, "sim advance 2900ms");
    assert_eq!(
        cluster(&s).groups().group("g").unwrap().state,
        GroupState::PreparingRebalance
    );
    run(&mut s, "sim advance 200ms");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.state, GroupState::Stable);
    assert_eq!(group.generation, 1);
    let stable = events(&s, "kafka/group-stable");
    assert_eq!(stable.len(), 1);
    assert_eq!(stable[0].time_ms - start, 5_000);
    // range: c1's member id sorts first, so it takes the extra partition.
    let a = assignment(&s, "g");
    assert_eq!(a["c1"].len(), 2);
    assert_eq!(a["c2"], vec![TopicPartition::new("orders", 2)]);
}

#[test]
fn a_clean_close_leaves_at_once_and_a_crash_waits_for_the_session_timeout() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, &consumer("g", "c2", ""));
    run(&mut s, &consumer("g", "c3", ""));
    run(&mut s, "sim advance 5s");
    assert_eq!(cluster(&s).groups().group("g").unwrap().members.len(), 3);
    // kill %1: LeaveGroup now, the others rejoin at their next heartbeat (≤ 3 s).
    run(&mut s, "kill %1\nsim advance 3s");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.members.len(), 2);
    assert_eq!(group.generation, 2);
    // sim consumer kill: no goodbye; 44 s later c2 is still a member.
    let killed_at = s.world().now_ms();
    run(&mut s, "sim consumer kill c2\nsim advance 40s");
    assert_eq!(cluster(&s).groups().group("g").unwrap().members.len(), 2);
    run(&mut s, "sim advance 10s");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.members.len(), 1);
    assert_eq!(
        group.members[0].assignment.len(),
        3,
        "c3 took every partition"
    );
    let removed = events(&s, "kafka/member-removed");
    let expiry = removed.last().unwrap();
    assert!(expiry.time_ms - killed_at <= 45_000 && expiry.time_ms - killed_at > 42_000);
}

#[test]
fn a_consumer_killed_before_committing_has_its_records_delivered_again() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, "sim advance 4s");
    let values: Vec<String> = (0..30).map(|i| format!("order-{i}")).collect();
    produce(
        &mut s,
        &values.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // c1 reads them on its next poll but commits only every 5 s: kill it in between.
    run(&mut s, "sim advance 1500ms");
    let c1 = cluster(&s).groups().consumers().next().unwrap();
    assert_eq!((c1.consumed, c1.uncommitted), (30, 30));
    run(&mut s, "sim consumer kill c1");
    let crashed = events(&s, "kafka/consumer-crashed");
    let uncommitted = crashed[0].field("processed_not_committed").unwrap().clone();
    assert_eq!(uncommitted, 30i64.into());
    run(&mut s, &consumer("g", "c2", ""));
    let out = run(&mut s, "sim advance 60s");
    // Everything c1 processed comes again to c2.
    for v in &values {
        assert!(out.contains(v.as_str()), "{v} was not redelivered:\n{out}");
    }
    let redelivered: i64 = events(&s, "kafka/records-redelivered")
        .iter()
        .map(|e| {
            let int = |name| match e.field(name) {
                Some(TraceValue::Int(v)) => *v,
                other => panic!("{name}: {other:?}"),
            };
            int("to_offset") - int("from_offset") + 1
        })
        .sum();
    assert_eq!(redelivered, 30);
}

#[test]
fn a_static_member_restarting_within_the_session_timeout_keeps_its_partitions() {
    let mut s = session();
    let static_member = |client: &str, instance: &str| {
        consumer(
            "g",
            client,
            &format!("--consumer-property group.instance.id={instance}"),
        )
    };
    run(&mut s, &static_member("a", "host-a"));
    run(&mut s, &static_member("b", "host-b"));
    run(&mut s, "sim advance 5s");
    let before = assignment(&s, "g");
    let generation = cluster(&s).groups().group("g").unwrap().generation;
    run(&mut s, "sim consumer kill a\nsim advance 20s");
    run(&mut s, &static_member("a", "host-a"));
    run(&mut s, "sim advance 60s");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.generation, generation, "no rebalance");
    assert_eq!(assignment(&s, "g"), before);
    assert_eq!(events(&s, "kafka/static-member-rejoined").len(), 1);
    // The same restart after the session timeout is too late: a rebalance happens.
    run(&mut s, "sim consumer kill b\nsim advance 50s");
    assert!(cluster(&s).groups().group("g").unwrap().generation > generation);
}

#[test]
fn a_new_group_rereads_everything_and_lag_is_log_end_minus_committed() {
    let mut s = session();
    produce(&mut s, &["a", "b", "c", "d", "e", "f"]);
    let first = run(
        &mut s,
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group one --from-beginning",
    );
    assert!(first.contains("Processed a total of 6 messages"), "{first}");
    let again = run(
        &mut s,
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group one --from-beginning",
    );
    assert!(again.contains("Processed a total of 0 messages"), "{again}");
    let other = run(
        &mut s,
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group two --from-beginning",
    );
    assert!(other.contains("Processed a total of 6 messages"), "{other}");
    // The trace says how much each closed consumer read (what a lesson goal can check).
    let consumed: Vec<(String, TraceValue)> = events(&s, "kafka/consumer-closed")
        .iter()
        .map(|e| {
            let group = match e.field("group") {
                Some(TraceValue::Str(g)) => g.clone(),
                other => panic!("group: {other:?}"),
            };
            (group, e.field("consumed").unwrap().clone())
        })
        .collect();
    assert_eq!(
        consumed,
        [
            ("one".to_string(), 6i64.into()),
            ("one".to_string(), 0i64.into()),
            ("two".to_string(), 6i64.into()),
        ]
    );
    produce(&mut s, &["g", "h", "i"]);
    assert_eq!(cluster(&s).group_lag("one"), Some(3));
    let describe = run(
        &mut s,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group one",
    );
    let lags: i64 = describe
        .lines()
        .filter(|l| l.starts_with("one "))
        .map(|l| l.split_whitespace().nth(5).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(lags, 3);
}

#[test]
fn cooperative_sticky_moves_partitions_in_two_rounds_without_stopping_the_others() {
    let mut s = session();
    let coop = |client: &str| {
        consumer(
            "g",
            client,
            "--consumer-property partition.assignment.strategy=org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
        )
    };
    run(&mut s, &coop("c1"));
    run(&mut s, "sim advance 5s");
    assert_eq!(assignment(&s, "g")["c1"].len(), 3);
    let generation = cluster(&s).groups().group("g").unwrap().generation;
    run(&mut s, &coop("c2"));
    run(&mut s, "sim advance 5s");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.protocol.unwrap().name(), "cooperative-sticky");
    assert_eq!(
        group.generation,
        generation + 2,
        "a revoking round, then the handing-out round"
    );
    let a = assignment(&s, "g");
    assert_eq!(a["c1"].len() + a["c2"].len(), 3);
    assert!(!a["c2"].is_empty());
}

#[test]
fn the_coordinator_is_the_leader_of_the_groups_offsets_partition_and_moves_with_it() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, "sim advance 5s");
    let c = cluster(&s);
    let partition = c
        .partition("__consumer_offsets", offsets_partition("g"))
        .unwrap();
    let coordinator = c.coordinator("g").unwrap();
    assert_eq!(Some(coordinator), partition.leader);
    run(
        &mut s,
        &format!("sim broker crash {coordinator}\nsim advance 30s"),
    );
    let moved = cluster(&s).coordinator("g").unwrap();
    assert_ne!(moved, coordinator);
    // The group still works: new records reach the consumer.
    produce(&mut s, &["after-failover"]);
    let out = run(&mut s, "sim advance 5s");
    assert!(out.contains("after-failover"), "{out}");
}

#[test]
fn reset_offsets_needs_an_inactive_group_and_failed_commands_change_nothing() {
    let mut s = session();
    produce(&mut s, &["a", "b", "c"]);
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, "sim advance 10s");
    let before = s.world().trace().hash();
    let active = s.exec(
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group g --topic orders --to-earliest --execute",
    );
    assert!(
        active.output.contains("current state is Stable"),
        "{}",
        active.output
    );
    let offsets = cluster(&s).groups().group("g").unwrap().offsets.clone();
    assert!(offsets.values().map(|c| c.offset).sum::<i64>() == 3);
    for bad in [
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --list",
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group g --topic orders",
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic orders --group g --consumer-property auto.offset.reset=sometimes",
        "kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic nope --group g",
        "sim consumer kill nobody",
        "kill %9",
    ] {
        let hash = s.world().trace().hash();
        let outcome = s.exec(bad);
        assert!(!outcome.ok, "`{bad}` should fail:\n{}", outcome.output);
        assert_eq!(s.world().trace().hash(), hash, "`{bad}` changed the world");
    }
    assert_ne!(
        before,
        s.world().trace().hash(),
        "the reset's command line is traced"
    );
    run(&mut s, "kill %1");
    let plan = run(
        &mut s,
        "kafka-consumer-groups.sh --bootstrap-server localhost:9092 --reset-offsets --group g --topic orders --to-earliest --execute",
    );
    assert!(plan.contains("NEW-OFFSET"), "{plan}");
    assert_eq!(cluster(&s).group_lag("g"), Some(3));
}

#[test]
fn a_consumer_cut_off_by_a_network_partition_is_replaced_and_rejoins_after_healing() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, &consumer("g", "c2", ""));
    run(&mut s, "sim advance 5s");
    // Keyed so that every partition gets some (alice → 0, dave → 1, carol → 2).
    run(
        &mut s,
        "kafka-console-producer.sh --bootstrap-server localhost:9092 --topic orders --property parse.key=true --property key.separator=: <<END\nalice:1\ndave:2\ncarol:3\nEND",
    );
    run(&mut s, "sim advance 1500ms");
    assert!(cluster(&s).groups().consumers().next().unwrap().uncommitted > 0);
    run(&mut s, "sim network partition --consumer c1");
    // Still a member until its session times out, then c2 owns everything.
    run(&mut s, "sim advance 30s");
    assert_eq!(cluster(&s).groups().group("g").unwrap().members.len(), 2);
    run(&mut s, "sim advance 20s");
    let a = assignment(&s, "g");
    assert_eq!(a.len(), 1);
    assert_eq!(a["c2"].len(), 3);
    // Healed, c1 finds it was removed: its commit fails and it joins again as a new member.
    run(&mut s, "sim network heal\nsim advance 10s");
    let a = assignment(&s, "g");
    assert_eq!(a.len(), 2);
    assert!(!a["c1"].is_empty());
    let failed = events(&s, "kafka/commit-failed");
    assert_eq!(
        failed.len(),
        1,
        "c1 had processed records it could not commit"
    );
    assert!(!events(&s, "kafka/records-redelivered").is_empty());
    let bad = s.exec("sim network heal");
    assert!(!bad.ok, "nothing left to heal");
    let bad = s.exec("sim network partition --consumer nobody");
    assert!(!bad.ok);
}

#[test]
fn adding_partitions_rebalances_the_groups_that_read_the_topic() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, &consumer("g", "c2", ""));
    run(&mut s, "sim advance 5s");
    let before = cluster(&s).groups().group("g").unwrap().generation;
    run(
        &mut s,
        "kafka-topics.sh --bootstrap-server localhost:9092 --alter --topic orders --partitions 4\nsim advance 5s",
    );
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.generation, before + 1);
    let a = assignment(&s, "g");
    assert_eq!(a["c1"].len() + a["c2"].len(), 4);
    assert_eq!((a["c1"].len(), a["c2"].len()), (2, 2));
}

/// Committed offsets of `group`, summed over its partitions.
fn committed(session: &Session, group: &str) -> i64 {
    cluster(session)
        .groups()
        .group(group)
        .unwrap()
        .offsets
        .values()
        .map(|c| c.offset)
        .sum()
}

/// `max.poll.interval.ms`, as the consumer configs document it: "If poll() is not called before
/// expiration of this timeout, then the consumer is considered failed and the group will
/// rebalance in order to reassign the partitions to another member." A batch of 10 records at
/// 3 s each outlasts a 20 s interval: the member is removed while it is still processing, its
/// commit then fails, and the same records come round again, forever, with no progress. One
/// second per record (10 s per poll) fits, and the group catches up.
#[test]
fn a_poll_loop_slower_than_max_poll_interval_is_removed_and_makes_no_progress() {
    let mut s = session();
    run(
        &mut s,
        &consumer(
            "g",
            "c1",
            "--consumer-property max.poll.records=10 --consumer-property max.poll.interval.ms=20000",
        ),
    );
    run(&mut s, "sim advance 5s");
    let note = run(&mut s, "sim consumer slow c1 --per-record 3s");
    assert!(note.contains("over max.poll.interval.ms=20000"), "{note}");
    let values: Vec<String> = (0..30).map(|i| format!("v{i}")).collect();
    produce(
        &mut s,
        &values.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    run(&mut s, "sim advance 25s");
    let timeouts = events(&s, "kafka/poll-timeout");
    assert_eq!(timeouts.len(), 1, "removed 20 s into its 30 s batch");
    let removed = events(&s, "kafka/member-removed");
    assert!(
        removed
            .iter()
            .any(|e| format!("{:?}", e.fields).contains("poll timeout")),
        "{removed:?}"
    );
    assert!(cluster(&s).groups().group("g").unwrap().members.is_empty());
    // Its next poll (30 s after the last) learns it was removed: the commit fails.
    run(&mut s, "sim advance 10s");
    assert_eq!(events(&s, "kafka/commit-failed").len(), 1);
    run(&mut s, "sim advance 5m");
    assert!(
        events(&s, "kafka/poll-timeout").len() > 3,
        "it keeps timing out"
    );
    assert!(!events(&s, "kafka/records-redelivered").is_empty());
    assert_eq!(committed(&s, "g"), 0, "no batch was ever committed");

    // The fix: processing that fits the interval.
    let note = run(&mut s, "sim consumer slow c1 --per-record 1s");
    assert!(note.contains("within max.poll.interval.ms=20000"), "{note}");
    run(&mut s, "sim advance 2m");
    let timeouts = events(&s, "kafka/poll-timeout").len();
    run(&mut s, "sim advance 2m");
    assert_eq!(events(&s, "kafka/poll-timeout").len(), timeouts);
    assert_eq!(committed(&s, "g"), 30, "every record committed");
    assert_eq!(cluster(&s).group_lag("g"), Some(0));
}

/// A member busy with a batch rejoins a rebalance from its next poll, not from its heartbeat:
/// the join phase waits for it (up to its rebalance timeout, `max.poll.interval.ms`).
#[test]
fn a_busy_member_holds_up_the_rebalance_until_its_next_poll() {
    let mut s = session();
    run(
        &mut s,
        &consumer("g", "c1", "--consumer-property max.poll.records=5"),
    );
    run(&mut s, "sim advance 5s");
    run(&mut s, "sim consumer slow c1 --per-record 4s");
    produce(&mut s, &["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
    run(&mut s, "sim advance 1s");
    let busy_until = cluster(&s)
        .groups()
        .consumers()
        .next()
        .unwrap()
        .busy_until_ms;
    assert!(busy_until > s.world().now_ms() + 10_000, "a 20 s batch");
    run(&mut s, &consumer("g", "c2", ""));
    run(&mut s, "sim advance 5s");
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(
        group.state,
        GroupState::PreparingRebalance,
        "c1 is still busy"
    );
    let until_done = busy_until - s.world().now_ms() + 1_000;
    run(&mut s, &format!("sim advance {until_done}ms"));
    let group = cluster(&s).groups().group("g").unwrap();
    assert_eq!(group.state, GroupState::Stable);
    assert_eq!(
        group.members.len(),
        2,
        "c1 rejoined in time, nobody was removed"
    );
    assert!(events(&s, "kafka/poll-timeout").is_empty());
}

#[test]
fn sim_consumer_slow_refuses_bad_input_and_changes_nothing() {
    let mut s = session();
    run(&mut s, &consumer("g", "c1", ""));
    run(&mut s, "sim advance 5s");
    let before = run(&mut s, "sim trace --hash");
    for bad in [
        "sim consumer slow nobody --per-record 1s",
        "sim consumer slow c1 --per-record fast",
        "sim consumer slow c1 --per-record",
        "sim consumer slow c1",
        "sim consumer slow --per-record 1s",
        "sim consumer slow %9 --per-record 1s",
    ] {
        let outcome = s.exec(bad);
        assert!(!outcome.ok, "`{bad}` was accepted: {}", outcome.output);
        assert!(
            outcome.output.contains("sim consumer slow"),
            "`{bad}`: {}",
            outcome.output
        );
    }
    assert_eq!(run(&mut s, "sim trace --hash"), before);
    assert_eq!(
        cluster(&s)
            .groups()
            .consumers()
            .next()
            .unwrap()
            .processing_ms_per_record,
        0
    );
}
