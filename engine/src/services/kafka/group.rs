//! Consumer groups, both sides of the classic group protocol, on the world's clock.
//!
//! The **coordinator** is the broker leading the `__consumer_offsets` partition that Kafka's
//! hash of the group id picks (`abs(groupId.hashCode()) % 50`); the topic is created the first
//! time a group needs it, as a broker does. A group goes Empty → PreparingRebalance →
//! CompletingRebalance → Stable: members join (JoinGroup), the join phase ends when every
//! known member has rejoined or the rebalance timeout passes, the first member is the leader
//! and runs the assignor (`assignors`), and each member gets its partitions (SyncGroup) in a
//! new generation. A new group waits `group.initial.rebalance.delay.ms` (3 s, extended by
//! each newcomer) so that consumers started together land in one generation.
//!
//! The **consumers** are the Java client's behaviour, simulated: they poll (fetch up to
//! `max.poll.records` below the high watermark), commit automatically every
//! `auto.commit.interval.ms` and before rejoining, heartbeat every `heartbeat.interval.ms`
//! (which is when they learn a rebalance started), and on close commit and leave the group.
//! A crashed consumer does none of that: the coordinator notices when `session.timeout.ms`
//! passes without a heartbeat, and whatever it processed after its last commit is delivered
//! again to the partition's next owner (at-least-once, traced as `kafka/records-redelivered`).
//! Static members (`group.instance.id`) do not leave on close: a restart within the session
//! timeout takes its old place without a rebalance.
//!
//! Heartbeats are not events: a live consumer's heartbeats are implied by its join time, so
//! an idle group costs one poll per consumer per second and nothing else.
//!
//! **Processing time** is zero unless the learner slows a consumer down (`sim consumer slow`):
//! then each record handed to the application takes that long, and the next `poll()` comes
//! only when the batch is done. A batch that takes longer than `max.poll.interval.ms` makes
//! the client's heartbeat thread leave the group ("consumer poll timeout has expired") while
//! the application is still busy; its next poll finds it is no longer a member, its commit
//! fails (`CommitFailedException`) and the records it processed go to the partition's next
//! owner again. A busy member also rejoins a rebalance only at its next poll, so it holds the
//! join phase up to its rebalance timeout (`max.poll.interval.ms`), as in Kafka.
//!
//! Simplification (the shell's notes say so): committed offsets live in the coordinator's
//! memory and survive its failover, as if the `__consumer_offsets` log had replicated them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::assignors::{Member, PartitionCounts, Strategy, TopicPartition};
use super::cluster::Cluster;
use super::log::{Offset, SharedRecord};
use super::{BrokerState, KafkaError, KafkaEvent};
use crate::sim::{Env, Event, Millis};

/// Kafka's internal topic for group offsets and metadata.
pub const OFFSETS_TOPIC: &str = "__consumer_offsets";
/// `offsets.topic.num.partitions`.
pub const OFFSETS_TOPIC_PARTITIONS: u32 = 50;
/// `offsets.topic.replication.factor` (lowered to the broker count on smaller clusters).
pub const OFFSETS_TOPIC_REPLICATION_FACTOR: u32 = 3;
/// `group.initial.rebalance.delay.ms`.
pub const INITIAL_REBALANCE_DELAY_MS: Millis = 3_000;
/// How often an idle consumer polls (`fetch.max.wait.ms` is 500 ms; an empty fetch waits that
/// long on the broker, and the poll loop goes round again).
pub const IDLE_POLL_MS: Millis = 1_000;
/// How soon a consumer that got records polls again.
pub const BUSY_POLL_MS: Millis = 100;
/// A consumer keeps at most this many delivered records for the terminal to print.
pub const PENDING_OUTPUT_MAX: usize = 10_000;
/// Lag samples kept per group (older ones are thinned out).
pub const LAG_SAMPLES_MAX: usize = 2_000;
/// Consumers alive at once.
pub const CONSUMERS_MAX: usize = 64;

/// `ConsumerGroupState` as `kafka-consumer-groups.sh --describe --state` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupState {
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
    Dead,
}

impl GroupState {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// `auto.offset.reset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OffsetReset {
    Earliest,
    Latest,
    None,
}

/// The consumer settings the simulation acts on, with the Java client's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerConfig {
    pub group_id: String,
    pub client_id: String,
    pub group_instance_id: Option<String>,
    pub session_timeout_ms: Millis,
    pub heartbeat_interval_ms: Millis,
    pub max_poll_interval_ms: Millis,
    pub enable_auto_commit: bool,
    pub auto_commit_interval_ms: Millis,
    pub auto_offset_reset: OffsetReset,
    /// `partition.assignment.strategy`, in preference order.
    pub strategies: Vec<Strategy>,
    pub max_poll_records: usize,
}

impl ConsumerConfig {
    /// Defaults of the Java consumer (3.x/4.x): `client.id` is `consumer-{group}-1` in a fresh JVM.
    pub fn new(group_id: &str) -> Self {
        Self {
            group_id: group_id.to_string(),
            client_id: format!("consumer-{group_id}-1"),
            group_instance_id: None,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            enable_auto_commit: true,
            auto_commit_interval_ms: 5_000,
            auto_offset_reset: OffsetReset::Latest,
            strategies: vec![Strategy::Range, Strategy::CooperativeSticky],
            max_poll_records: 500,
        }
    }
}

/// One member as the coordinator knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub member_id: String,
    pub client_id: String,
    pub host: String,
    pub group_instance_id: Option<String>,
    pub topics: BTreeSet<String>,
    pub strategies: Vec<Strategy>,
    pub assignment: Vec<TopicPartition>,
    /// The generation its assignment comes from.
    pub assigned_generation: Option<i32>,
    pub rebalance_timeout_ms: Millis,
    /// Whether it has (re)joined in the rebalance under way.
    pub joined: bool,
    /// The consumer behind it (the simulation's handle).
    pub consumer: u32,
}

/// A committed offset (`OffsetAndMetadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committed {
    pub offset: Offset,
    pub commit_ms: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub group_id: String,
    pub state: GroupState,
    pub generation: i32,
    pub protocol: Option<Strategy>,
    pub leader: Option<String>,
    /// In join order: the assignors see members in this order.
    pub members: Vec<GroupMember>,
    pub offsets: BTreeMap<TopicPartition, Committed>,
    /// The highest offset + 1 any member was handed, per partition: fetching below it again
    /// is a redelivery.
    pub delivered: BTreeMap<TopicPartition, Offset>,
    /// (time, total lag over committed partitions), at commits and membership changes.
    pub lag_samples: Vec<(Millis, i64)>,
    join_deadline_ms: Millis,
    initial_delay_until_ms: Option<Millis>,
    rebalance_started_ms: Millis,
}

impl Group {
    fn new(group_id: &str) -> Self {
        Self {
            group_id: group_id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: Vec::new(),
            offsets: BTreeMap::new(),
            delivered: BTreeMap::new(),
            lag_samples: Vec::new(),
            join_deadline_ms: 0,
            initial_delay_until_ms: None,
            rebalance_started_ms: 0,
        }
    }

    pub fn member(&self, member_id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == member_id)
    }

    fn member_mut(&mut self, member_id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == member_id)
    }

    /// The partition's owner, if a member holds it.
    pub fn owner(&self, tp: &TopicPartition) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.assignment.contains(tp))
    }

    /// The topics the members subscribe to, by name.
    pub fn subscribed_topics(&self) -> BTreeSet<&str> {
        self.members
            .iter()
            .flat_map(|m| m.topics.iter().map(String::as_str))
            .collect()
    }

    /// Every partition of the topics the members subscribe to, by topic and number, with the
    /// member that owns it (none while a rebalance has taken it away). `partition_count` says
    /// how many partitions a topic has (0 for one that does not exist).
    pub fn partition_owners(
        &self,
        partition_count: impl Fn(&str) -> u32,
    ) -> Vec<(TopicPartition, Option<&GroupMember>)> {
        self.subscribed_topics()
            .into_iter()
            .flat_map(|topic| {
                (0..partition_count(topic)).map(move |p| TopicPartition::new(topic, p))
            })
            .map(|tp| {
                let owner = self.owner(&tp);
                (tp, owner)
            })
            .collect()
    }
}

/// What a consumer process is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConsumerState {
    /// Running: polling, in a group or on its way in.
    Running,
    /// Closed cleanly (`kill %N`, the end of a foreground run).
    Closed,
    /// Killed without a goodbye (`sim consumer kill`, `kill -9`).
    Crashed,
    /// Stopped by an error it cannot recover from (the exception's name and message).
    Failed,
}

impl ConsumerState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerState::Running => "Running",
            ConsumerState::Closed => "Terminated",
            ConsumerState::Crashed => "Killed",
            ConsumerState::Failed => "Exit 1",
        }
    }
}

/// A record handed to the application by `poll`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub partition: TopicPartition,
    /// The broker's record, shared.
    pub record: SharedRecord,
    pub redelivered: bool,
}

/// A consumer process (the console consumer or any client the learner starts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    pub id: u32,
    pub config: ConsumerConfig,
    pub topics: BTreeSet<String>,
    pub state: ConsumerState,
    /// The error that stopped it (`Failed`).
    pub error: Option<(String, String)>,
    pub member_id: Option<String>,
    pub generation: Option<i32>,
    pub assignment: Vec<TopicPartition>,
    pub positions: BTreeMap<TopicPartition, Offset>,
    pub joined_ms: Millis,
    pub last_commit_ms: Millis,
    pub consumed: u64,
    /// Records handed to the application since the last successful commit.
    #[serde(default)]
    pub uncommitted: u64,
    pub pending_output: Vec<Delivery>,
    pub dropped_output: u64,
    /// The last poll found nothing new (and the consumer is in a stable group).
    pub caught_up: bool,
    /// The command line that started it (for `jobs`), if it runs in the background.
    pub command: Option<String>,
    /// Its job number, if it runs in the background.
    #[serde(default)]
    pub job: Option<u32>,
    /// Cut off from the cluster (`sim network partition`): it runs, but no request of its
    /// gets through, heartbeats included.
    #[serde(default)]
    pub isolated: bool,
    /// How long the application takes per record it is handed (`sim consumer slow`).
    #[serde(default)]
    pub processing_ms_per_record: Millis,
    /// When the application last called `poll()`.
    #[serde(default)]
    pub last_poll_ms: Millis,
    /// Until when the application is busy with the records of its last poll.
    #[serde(default)]
    pub busy_until_ms: Millis,
}

/// Groups and the consumers the learner started.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups {
    groups: BTreeMap<String, Group>,
    consumers: BTreeMap<u32, Consumer>,
    next_consumer: u32,
    #[serde(default)]
    next_job: u32,
}

impl Groups {
    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    pub fn group(&self, group_id: &str) -> Option<&Group> {
        self.groups.get(group_id)
    }

    pub fn consumers(&self) -> impl Iterator<Item = &Consumer> {
        self.consumers.values()
    }

    pub fn consumer(&self, id: u32) -> Option<&Consumer> {
        self.consumers.get(&id)
    }

    /// The background consumer with job number `job`.
    pub fn job(&self, job: u32) -> Option<&Consumer> {
        self.consumers.values().find(|c| c.job == Some(job))
    }
}

/// Java's `String.hashCode`.
fn java_hash(text: &str) -> i32 {
    text.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The `__consumer_offsets` partition that holds a group: `Utils.abs(hashCode) % 50`.
pub fn offsets_partition(group_id: &str) -> u32 {
    let hash = java_hash(group_id);
    let abs = if hash == i32::MIN { 0 } else { hash.abs() };
    (abs % OFFSETS_TOPIC_PARTITIONS as i32) as u32
}

/// `UUID.randomUUID().toString()` from the world's RNG (version 4, IETF variant).
fn java_uuid(env: &mut Env) -> String {
    let high = (env.rng.next_u64() & !0xf000) | 0x4000;
    let low = (env.rng.next_u64() & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

fn assignment_text(assignment: &[TopicPartition]) -> String {
    if assignment.is_empty() {
        return "-".into();
    }
    assignment
        .iter()
        .map(TopicPartition::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn schedule(env: &mut Env, at: Millis, event: KafkaEvent) {
    env.schedule(at.max(env.now_ms), Event::Kafka(event))
        .expect("the event queue has room");
}

impl Cluster {
    pub fn groups(&self) -> &Groups {
        &self.groups
    }

    /// The broker coordinating `group_id`: the running leader of its offsets partition.
    pub fn coordinator(&self, group_id: &str) -> Option<super::BrokerId> {
        let p = self.partition(OFFSETS_TOPIC, offsets_partition(group_id))?;
        p.leader.filter(|id| {
            self.broker(*id)
                .is_some_and(|b| b.state == BrokerState::Running)
        })
    }

    /// FindCoordinator: creates `__consumer_offsets` on first use, as the broker does.
    fn find_coordinator(&mut self, env: &mut Env, group_id: &str) -> Option<super::BrokerId> {
        if self.topic(OFFSETS_TOPIC).is_err() {
            let rf = OFFSETS_TOPIC_REPLICATION_FACTOR.min(self.live_brokers().len() as u32);
            let configs = [
                ("cleanup.policy".to_string(), "compact".to_string()),
                ("segment.bytes".to_string(), "104857600".to_string()),
            ]
            .into();
            self.create_topic(
                env,
                OFFSETS_TOPIC,
                Some(OFFSETS_TOPIC_PARTITIONS),
                Some(rf.max(1)),
                configs,
            )
            .ok()?;
        }
        self.coordinator(group_id)
    }

    // ---- consumers --------------------------------------------------------------------

    /// Starts a consumer subscribed to `topics`; it finds its coordinator and joins on its
    /// first poll, now. Returns its handle.
    pub fn start_consumer(
        &mut self,
        env: &mut Env,
        config: ConsumerConfig,
        topics: BTreeSet<String>,
        command: Option<String>,
    ) -> Result<u32, KafkaError> {
        for topic in &topics {
            self.topic(topic)?;
        }
        let running = self
            .groups
            .consumers
            .values()
            .filter(|c| c.state == ConsumerState::Running)
            .count();
        if running >= CONSUMERS_MAX {
            return Err(KafkaError::InvalidConfig {
                message: format!("at most {CONSUMERS_MAX} consumers run at once"),
            });
        }
        self.groups.next_consumer += 1;
        let id = self.groups.next_consumer;
        let job = command.is_some().then(|| {
            self.groups.next_job += 1;
            self.groups.next_job
        });
        env.record(
            "kafka",
            "consumer-started",
            vec![
                ("consumer", i64::from(id).into()),
                ("group", config.group_id.as_str().into()),
                ("client_id", config.client_id.as_str().into()),
                (
                    "topics",
                    topics.iter().cloned().collect::<Vec<_>>().join(",").into(),
                ),
            ],
        );
        let consumer = Consumer {
            id,
            config,
            topics,
            state: ConsumerState::Running,
            error: None,
            member_id: None,
            generation: None,
            assignment: Vec::new(),
            positions: BTreeMap::new(),
            joined_ms: env.now_ms,
            last_commit_ms: env.now_ms,
            consumed: 0,
            uncommitted: 0,
            pending_output: Vec::new(),
            dropped_output: 0,
            caught_up: false,
            command,
            job,
            isolated: false,
            processing_ms_per_record: 0,
            last_poll_ms: env.now_ms,
            busy_until_ms: env.now_ms,
        };
        self.groups.consumers.insert(id, consumer);
        self.consumer_poll(env, id);
        Ok(id)
    }

    /// Takes what the consumer delivered since the last call (for the terminal).
    pub fn take_output(&mut self, id: u32) -> (Vec<Delivery>, u64) {
        match self.groups.consumers.get_mut(&id) {
            Some(c) => (
                std::mem::take(&mut c.pending_output),
                std::mem::take(&mut c.dropped_output),
            ),
            None => (Vec::new(), 0),
        }
    }

    /// `consumer.close()`: commits (with auto-commit on) and leaves the group; a static member
    /// stays until its session times out.
    pub fn close_consumer(&mut self, env: &mut Env, id: u32) -> Result<(), KafkaError> {
        self.running_consumer(id)?;
        let auto_commit = self.groups.consumers[&id].config.enable_auto_commit;
        if auto_commit {
            self.commit_positions(env, id);
        }
        let consumer = self.groups.consumers.get_mut(&id).expect("checked");
        consumer.state = ConsumerState::Closed;
        consumer.assignment.clear();
        env.record(
            "kafka",
            "consumer-closed",
            vec![
                ("consumer", i64::from(id).into()),
                ("group", consumer.config.group_id.as_str().into()),
                // What it read in its life: a new group that read nothing (`latest`) shows 0.
                ("consumed", (consumer.consumed as i64).into()),
            ],
        );
        let group_id = consumer.config.group_id.clone();
        let member_id = consumer.member_id.clone();
        let is_static = consumer.config.group_instance_id.is_some();
        if let Some(member_id) = member_id {
            if is_static {
                self.expect_session_expiry(env, &group_id, &member_id, id);
            } else {
                self.remove_member(env, &group_id, &member_id, "the member left the group");
            }
        }
        Ok(())
    }

    /// A process kill: no commit, no LeaveGroup. The coordinator finds out from the silence.
    pub fn crash_consumer(&mut self, env: &mut Env, id: u32) -> Result<(), KafkaError> {
        self.running_consumer(id)?;
        let consumer = self.groups.consumers.get_mut(&id).expect("checked");
        consumer.state = ConsumerState::Crashed;
        consumer.assignment.clear();
        let uncommitted = consumer.uncommitted as i64;
        env.record(
            "kafka",
            "consumer-crashed",
            vec![
                ("consumer", i64::from(id).into()),
                ("group", consumer.config.group_id.as_str().into()),
                ("client_id", consumer.config.client_id.as_str().into()),
                ("processed_not_committed", uncommitted.into()),
            ],
        );
        let group_id = consumer.config.group_id.clone();
        if let Some(member_id) = consumer.member_id.clone() {
            self.expect_session_expiry(env, &group_id, &member_id, id);
        }
        Ok(())
    }

    fn running_consumer(&self, id: u32) -> Result<&Consumer, KafkaError> {
        self.groups
            .consumers
            .get(&id)
            .filter(|c| c.state == ConsumerState::Running)
            .ok_or(KafkaError::UnknownConsumer { consumer: id })
    }

    fn fail_consumer(&mut self, env: &mut Env, id: u32, class: &str, message: String) {
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.state = ConsumerState::Failed;
        env.record(
            "kafka",
            "consumer-failed",
            vec![
                ("consumer", i64::from(id).into()),
                ("error", class.into()),
                ("message", message.as_str().into()),
            ],
        );
        consumer.error = Some((class.to_string(), message));
    }

    /// The session of a silent member ends `session.timeout.ms` after its last heartbeat.
    fn expect_session_expiry(&mut self, env: &mut Env, group_id: &str, member_id: &str, id: u32) {
        let consumer = &self.groups.consumers[&id];
        let interval = consumer.config.heartbeat_interval_ms.max(1);
        let beats = (env.now_ms - consumer.joined_ms).max(0) / interval;
        let last_heartbeat = consumer.joined_ms + beats * interval;
        let at = last_heartbeat + consumer.config.session_timeout_ms;
        schedule(
            env,
            at,
            KafkaEvent::SessionTimeout {
                group: group_id.to_string(),
                member: member_id.to_string(),
            },
        );
    }

    /// The consumer's next heartbeat after now.
    fn next_heartbeat(&self, id: u32, now: Millis) -> Millis {
        let consumer = &self.groups.consumers[&id];
        let interval = consumer.config.heartbeat_interval_ms.max(1);
        let beats = (now - consumer.joined_ms).max(0) / interval + 1;
        consumer.joined_ms + beats * interval
    }

    /// One turn of the poll loop.
    fn consumer_poll(&mut self, env: &mut Env, id: u32) {
        let Some(consumer) = self.groups.consumers.get(&id) else {
            return;
        };
        if consumer.state != ConsumerState::Running {
            return;
        }
        let group_id = consumer.config.group_id.clone();
        let member_id = consumer.member_id.clone();
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.last_poll_ms = env.now_ms;
        if consumer.isolated {
            // Its requests time out; the poll loop keeps trying.
            schedule(
                env,
                env.now_ms + IDLE_POLL_MS,
                KafkaEvent::ConsumerPoll { consumer: id },
            );
            return;
        }
        if self.find_coordinator(env, &group_id).is_none() {
            // COORDINATOR_NOT_AVAILABLE: the client retries.
            schedule(
                env,
                env.now_ms + IDLE_POLL_MS,
                KafkaEvent::ConsumerPoll { consumer: id },
            );
            return;
        }
        let known = member_id.as_ref().is_some_and(|m| {
            self.groups
                .groups
                .get(&group_id)
                .is_some_and(|g| g.member(m).is_some())
        });
        if !known {
            if member_id.is_some() {
                // UNKNOWN_MEMBER_ID: the group moved on without it; what it processed since its
                // last commit cannot be committed any more, and it rejoins from scratch.
                let consumer = self.groups.consumers.get_mut(&id).expect("exists");
                if consumer.uncommitted > 0 {
                    env.record(
                        "kafka",
                        "commit-failed",
                        vec![
                            ("group", group_id.as_str().into()),
                            ("consumer", i64::from(id).into()),
                            ("error", "CommitFailedException".into()),
                            ("records", (consumer.uncommitted as i64).into()),
                        ],
                    );
                    consumer.uncommitted = 0;
                }
                consumer.member_id = None;
                consumer.assignment.clear();
                consumer.positions.clear();
                env.record(
                    "kafka",
                    "member-rejoins-unknown",
                    vec![
                        ("consumer", i64::from(id).into()),
                        ("group", group_id.as_str().into()),
                    ],
                );
            }
            self.join(env, id);
            if self.groups.consumers[&id].state != ConsumerState::Running {
                return;
            }
        }
        let stable = self
            .groups
            .groups
            .get(&group_id)
            .is_some_and(|g| g.state == GroupState::Stable);
        let consumer = &self.groups.consumers[&id];
        let mut got = 0;
        if stable && consumer.generation.is_some() {
            if consumer.config.enable_auto_commit
                && env.now_ms - consumer.last_commit_ms >= consumer.config.auto_commit_interval_ms
            {
                self.commit_positions(env, id);
            }
            got = self.fetch(env, id);
        }
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.caught_up = stable && consumer.generation.is_some() && got == 0;
        let processing_ms = consumer
            .processing_ms_per_record
            .saturating_mul(got as Millis);
        consumer.busy_until_ms = env.now_ms + processing_ms;
        let next = if got > 0 {
            BUSY_POLL_MS.max(processing_ms)
        } else {
            IDLE_POLL_MS
        };
        schedule(
            env,
            env.now_ms + next,
            KafkaEvent::ConsumerPoll { consumer: id },
        );
        let max_poll_interval_ms = consumer.config.max_poll_interval_ms;
        if processing_ms > max_poll_interval_ms {
            schedule(
                env,
                env.now_ms + max_poll_interval_ms,
                KafkaEvent::PollTimeout {
                    consumer: id,
                    polled_ms: env.now_ms,
                },
            );
        }
    }

    /// The heartbeat thread finds that the application has not called `poll()` within
    /// `max.poll.interval.ms` (the poll at `polled_ms` was the last): it leaves the group, so
    /// that the partitions go to members that are making progress.
    fn poll_timeout(&mut self, env: &mut Env, id: u32, polled_ms: Millis) {
        let Some(consumer) = self.groups.consumers.get(&id) else {
            return;
        };
        if consumer.state != ConsumerState::Running
            || consumer.isolated
            || consumer.last_poll_ms != polled_ms
        {
            return;
        }
        let group_id = consumer.config.group_id.clone();
        let Some(member_id) = consumer.member_id.clone() else {
            return;
        };
        let member = self
            .groups
            .groups
            .get(&group_id)
            .and_then(|g| g.member(&member_id));
        if member.is_none() {
            return;
        }
        env.record(
            "kafka",
            "poll-timeout",
            vec![
                ("group", group_id.as_str().into()),
                ("consumer", i64::from(id).into()),
                ("client_id", consumer.config.client_id.as_str().into()),
                (
                    "max_poll_interval_ms",
                    consumer.config.max_poll_interval_ms.into(),
                ),
                ("busy_until_ms", consumer.busy_until_ms.into()),
            ],
        );
        self.remove_member(
            env,
            &group_id,
            &member_id,
            "consumer poll timeout has expired (the time between poll() calls exceeded max.poll.interval.ms)",
        );
    }

    /// `sim consumer slow`: each record now takes `per_record_ms` of the application's time.
    pub fn set_processing_time(
        &mut self,
        env: &mut Env,
        id: u32,
        per_record_ms: Millis,
    ) -> Result<(), KafkaError> {
        self.running_consumer(id)?;
        let consumer = self.groups.consumers.get_mut(&id).expect("checked");
        consumer.processing_ms_per_record = per_record_ms;
        env.record(
            "kafka",
            "consumer-processing-time",
            vec![
                ("consumer", i64::from(id).into()),
                ("client_id", consumer.config.client_id.as_str().into()),
                ("per_record_ms", per_record_ms.into()),
            ],
        );
        Ok(())
    }

    /// Fetches up to `max.poll.records` from the assigned partitions; returns how many.
    fn fetch(&mut self, env: &mut Env, id: u32) -> usize {
        let consumer = &self.groups.consumers[&id];
        let group_id = consumer.config.group_id.clone();
        let mut positions = consumer.positions.clone();
        let mut room = consumer.config.max_poll_records;
        let mut fetched: Vec<(TopicPartition, SharedRecord)> = Vec::new();
        for (tp, position) in positions.iter_mut() {
            if room == 0 {
                break;
            }
            let mut one = BTreeMap::from([(tp.partition, *position)]);
            let records = self.read_available(&tp.topic, &mut one, room);
            room -= records.len();
            *position = one[&tp.partition];
            fetched.extend(records.into_iter().map(|(_, r)| (tp.clone(), r)));
        }
        let count = fetched.len();
        let group = self.groups.groups.get_mut(&group_id).expect("joined");
        let mut redelivered: BTreeMap<TopicPartition, (Offset, Offset)> = BTreeMap::new();
        let mut deliveries = Vec::with_capacity(count);
        for (tp, record) in fetched {
            let mark = group.delivered.entry(tp.clone()).or_insert(0);
            let again = record.offset < *mark;
            if again {
                let range = redelivered.entry(tp.clone()).or_insert((record.offset, 0));
                range.1 = record.offset;
            }
            *mark = (*mark).max(record.offset + 1);
            deliveries.push(Delivery {
                partition: tp,
                record,
                redelivered: again,
            });
        }
        for (tp, (from, to)) in redelivered {
            env.record(
                "kafka",
                "records-redelivered",
                vec![
                    ("group", group_id.as_str().into()),
                    ("topic", tp.topic.as_str().into()),
                    ("partition", i64::from(tp.partition).into()),
                    ("from_offset", from.into()),
                    ("to_offset", to.into()),
                    ("consumer", i64::from(id).into()),
                ],
            );
        }
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.positions = positions;
        consumer.consumed += count as u64;
        consumer.uncommitted += count as u64;
        consumer.pending_output.extend(deliveries);
        let overflow = consumer
            .pending_output
            .len()
            .saturating_sub(PENDING_OUTPUT_MAX);
        if overflow > 0 {
            consumer.pending_output.drain(..overflow);
            consumer.dropped_output += overflow as u64;
        }
        count
    }

    /// Commits the consumer's positions (OffsetCommit with its generation).
    fn commit_positions(&mut self, env: &mut Env, id: u32) {
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.last_commit_ms = env.now_ms;
        let (Some(member_id), Some(_)) = (consumer.member_id.clone(), consumer.generation) else {
            return;
        };
        let positions = consumer.positions.clone();
        let group_id = consumer.config.group_id.clone();
        let Some(group) = self.groups.groups.get_mut(&group_id) else {
            return;
        };
        if group.member(&member_id).is_none() {
            env.record(
                "kafka",
                "commit-failed",
                vec![
                    ("group", group_id.as_str().into()),
                    ("consumer", i64::from(id).into()),
                    ("error", "UNKNOWN_MEMBER_ID".into()),
                ],
            );
            return;
        }
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.uncommitted = 0;
        let group = self.groups.groups.get_mut(&group_id).expect("exists");
        let mut changed = 0;
        for (tp, offset) in positions {
            let previous = group.offsets.get(&tp).map(|c| c.offset);
            if previous != Some(offset) {
                changed += 1;
                group.offsets.insert(
                    tp,
                    Committed {
                        offset,
                        commit_ms: env.now_ms,
                    },
                );
            }
        }
        if changed > 0 {
            env.record(
                "kafka",
                "offsets-committed",
                vec![
                    ("group", group_id.as_str().into()),
                    ("consumer", i64::from(id).into()),
                    ("partitions", i64::from(changed).into()),
                ],
            );
            self.sample_lag(env.now_ms, &group_id);
        }
    }

    /// `sim network partition`: the consumer keeps running but reaches nobody. Its
    /// heartbeats stop, so the coordinator removes it when its session times out.
    pub fn isolate_consumer(&mut self, env: &mut Env, id: u32) -> Result<(), KafkaError> {
        if self.set_isolated(env, id, true)? {
            let consumer = &self.groups.consumers[&id];
            let group_id = consumer.config.group_id.clone();
            if let Some(member_id) = consumer.member_id.clone() {
                self.expect_session_expiry(env, &group_id, &member_id, id);
            }
        }
        Ok(())
    }

    /// `sim network heal`: the consumer's requests get through again; if the group removed
    /// it meanwhile, its next poll learns so (UNKNOWN_MEMBER_ID) and rejoins.
    pub fn heal_consumer(&mut self, env: &mut Env, id: u32) -> Result<(), KafkaError> {
        self.set_isolated(env, id, false).map(|_| ())
    }

    /// Cuts the running consumer off or reconnects it; whether that changed anything.
    fn set_isolated(&mut self, env: &mut Env, id: u32, isolated: bool) -> Result<bool, KafkaError> {
        self.running_consumer(id)?;
        let consumer = self.groups.consumers.get_mut(&id).expect("checked");
        if consumer.isolated == isolated {
            return Ok(false);
        }
        consumer.isolated = isolated;
        env.record(
            "kafka",
            if isolated {
                "consumer-isolated"
            } else {
                "consumer-healed"
            },
            vec![
                ("consumer", i64::from(id).into()),
                ("client_id", consumer.config.client_id.as_str().into()),
            ],
        );
        Ok(true)
    }

    // ---- the coordinator --------------------------------------------------------------

    /// JoinGroup from consumer `id` (new, or rejoining during a rebalance).
    fn join(&mut self, env: &mut Env, id: u32) {
        let consumer = self.groups.consumers[&id].clone();
        let group_id = consumer.config.group_id.clone();
        let group = self
            .groups
            .groups
            .entry(group_id.clone())
            .or_insert_with(|| Group::new(&group_id));
        // The protocols must overlap with every other member's.
        let compatible = group
            .members
            .iter()
            .filter(|m| Some(&m.member_id) != consumer.member_id.as_ref())
            .all(|m| {
                m.strategies
                    .iter()
                    .any(|s| consumer.config.strategies.contains(s))
            });
        if !compatible {
            self.fail_consumer(
                env,
                id,
                "org.apache.kafka.common.errors.InconsistentGroupProtocolException",
                "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.".into(),
            );
            return;
        }
        let group = self.groups.groups.get_mut(&group_id).expect("inserted");
        // A static member coming back takes its old place.
        if let Some(instance) = &consumer.config.group_instance_id
            && let Some(old) = group
                .members
                .iter()
                .find(|m| m.group_instance_id.as_ref() == Some(instance))
                .cloned()
        {
            self.replace_static_member(env, id, &group_id, old);
            return;
        }
        let group = self.groups.groups.get_mut(&group_id).expect("inserted");
        let member_id = match &consumer.member_id {
            Some(member_id) if group.member(member_id).is_some() => member_id.clone(),
            _ => {
                let prefix = consumer
                    .config
                    .group_instance_id
                    .clone()
                    .unwrap_or_else(|| consumer.config.client_id.clone());
                let member_id = format!("{prefix}-{}", java_uuid(env));
                let group = self.groups.groups.get_mut(&group_id).expect("inserted");
                group.members.push(GroupMember {
                    member_id: member_id.clone(),
                    client_id: consumer.config.client_id.clone(),
                    host: "/127.0.0.1".into(),
                    group_instance_id: consumer.config.group_instance_id.clone(),
                    topics: consumer.topics.clone(),
                    strategies: consumer.config.strategies.clone(),
                    assignment: Vec::new(),
                    assigned_generation: None,
                    rebalance_timeout_ms: consumer.config.max_poll_interval_ms,
                    joined: false,
                    consumer: id,
                });
                env.record(
                    "kafka",
                    "member-joined",
                    vec![
                        ("group", group_id.as_str().into()),
                        ("member_id", member_id.as_str().into()),
                        ("client_id", consumer.config.client_id.as_str().into()),
                    ],
                );
                let c = self.groups.consumers.get_mut(&id).expect("exists");
                c.member_id = Some(member_id.clone());
                c.joined_ms = env.now_ms;
                member_id
            }
        };
        let group = self.groups.groups.get_mut(&group_id).expect("inserted");
        let member = group.member_mut(&member_id).expect("just added");
        member.joined = true;
        member.topics = consumer.topics.clone();
        match group.state {
            GroupState::PreparingRebalance => {
                if let Some(until) = group.initial_delay_until_ms {
                    // Each newcomer during the initial delay extends it, up to the rebalance timeout.
                    let limit = group.rebalance_started_ms + consumer.config.max_poll_interval_ms;
                    let extended = (env.now_ms + INITIAL_REBALANCE_DELAY_MS)
                        .min(limit)
                        .max(until);
                    if extended > until {
                        group.initial_delay_until_ms = Some(extended);
                        group.join_deadline_ms = extended;
                        schedule(
                            env,
                            extended,
                            KafkaEvent::JoinDeadline {
                                group: group_id.clone(),
                            },
                        );
                    }
                }
                self.maybe_complete_join(env, &group_id, false);
            }
            _ => self.prepare_rebalance(env, &group_id, &format!("member {member_id} joined")),
        }
    }

    fn replace_static_member(&mut self, env: &mut Env, id: u32, group_id: &str, old: GroupMember) {
        // A second live process with the same group.instance.id fences the first.
        if let Some(previous) = self.groups.consumers.get(&old.consumer)
            && previous.state == ConsumerState::Running
            && old.consumer != id
        {
            let instance = old.group_instance_id.clone().unwrap_or_default();
            self.fail_consumer(
                    env,
                    old.consumer,
                    "org.apache.kafka.common.errors.FencedInstanceIdException",
                    format!("The broker rejected this static consumer since another consumer with the same group.instance.id {instance} has registered with a different member.id."),
                );
        }
        let instance = old.group_instance_id.clone().unwrap_or_default();
        let member_id = format!("{instance}-{}", java_uuid(env));
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        let stable = group.state == GroupState::Stable;
        let generation = group.generation;
        let member = group
            .members
            .iter_mut()
            .find(|m| m.member_id == old.member_id)
            .expect("found");
        member.member_id = member_id.clone();
        member.consumer = id;
        // In a stable group it simply takes its place; during a rebalance this is its join.
        member.joined = !stable;
        let assignment = member.assignment.clone();
        env.record(
            "kafka",
            "static-member-rejoined",
            vec![
                ("group", group_id.into()),
                ("group_instance_id", instance.as_str().into()),
                ("old_member_id", old.member_id.as_str().into()),
                ("member_id", member_id.as_str().into()),
                ("rebalance", (!stable).into()),
            ],
        );
        if group.leader.as_deref() == Some(old.member_id.as_str()) {
            group.leader = Some(member_id.clone());
        }
        let c = self.groups.consumers.get_mut(&id).expect("exists");
        c.member_id = Some(member_id);
        c.joined_ms = env.now_ms;
        if stable {
            c.generation = Some(generation);
            self.set_assignment(env, id, assignment);
        } else {
            self.maybe_complete_join(env, group_id, false);
        }
    }

    /// The group starts a rebalance: members learn it at their next heartbeat and rejoin.
    fn prepare_rebalance(&mut self, env: &mut Env, group_id: &str, reason: &str) {
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        let was_empty = group.state == GroupState::Empty;
        group.state = GroupState::PreparingRebalance;
        group.rebalance_started_ms = env.now_ms;
        let timeout = group
            .members
            .iter()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(300_000);
        if was_empty {
            group.initial_delay_until_ms = Some(env.now_ms + INITIAL_REBALANCE_DELAY_MS);
            group.join_deadline_ms = env.now_ms + INITIAL_REBALANCE_DELAY_MS;
        } else {
            group.initial_delay_until_ms = None;
            group.join_deadline_ms = env.now_ms + timeout;
        }
        let deadline = group.join_deadline_ms;
        let generation = group.generation;
        let waiting: Vec<u32> = group
            .members
            .iter()
            .filter(|m| !m.joined)
            .map(|m| m.consumer)
            .collect();
        env.record(
            "kafka",
            "rebalance-started",
            vec![
                ("group", group_id.into()),
                ("generation", i64::from(generation).into()),
                ("reason", reason.into()),
            ],
        );
        schedule(
            env,
            deadline,
            KafkaEvent::JoinDeadline {
                group: group_id.to_string(),
            },
        );
        for consumer in waiting {
            let at = self.next_heartbeat(consumer, env.now_ms);
            schedule(env, at, KafkaEvent::Rejoin { consumer });
        }
    }

    /// A member's heartbeat got REBALANCE_IN_PROGRESS: it commits (eager protocols revoke
    /// everything first) and sends JoinGroup.
    fn rejoin(&mut self, env: &mut Env, id: u32) {
        let Some(consumer) = self.groups.consumers.get(&id) else {
            return;
        };
        if consumer.state != ConsumerState::Running || consumer.isolated {
            return;
        }
        if consumer.busy_until_ms > env.now_ms {
            // The application is inside its processing loop: it sends JoinGroup from its next
            // `poll()`, not from the heartbeat thread.
            let at = consumer.busy_until_ms;
            schedule(env, at, KafkaEvent::Rejoin { consumer: id });
            return;
        }
        let group_id = consumer.config.group_id.clone();
        let Some(group) = self.groups.groups.get(&group_id) else {
            return;
        };
        let member = consumer.member_id.as_ref().and_then(|m| group.member(m));
        if group.state != GroupState::PreparingRebalance || member.is_none_or(|m| m.joined) {
            return;
        }
        let eager = group.protocol != Some(Strategy::CooperativeSticky);
        if consumer.config.enable_auto_commit {
            self.commit_positions(env, id);
        }
        if eager {
            self.set_assignment(env, id, Vec::new());
        }
        self.join(env, id);
    }

    /// Ends the join phase once everyone rejoined (or at the deadline, without the silent).
    fn maybe_complete_join(&mut self, env: &mut Env, group_id: &str, deadline_reached: bool) {
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        if group.state != GroupState::PreparingRebalance {
            return;
        }
        if group.initial_delay_until_ms.is_some() && !deadline_reached {
            return;
        }
        if !deadline_reached && group.members.iter().any(|m| !m.joined) {
            return;
        }
        let (stayed, gone): (Vec<GroupMember>, Vec<GroupMember>) =
            std::mem::take(&mut group.members)
                .into_iter()
                .partition(|m| m.joined);
        group.members = stayed;
        for member in gone {
            env.record(
                "kafka",
                "member-removed",
                vec![
                    ("group", group_id.into()),
                    ("member_id", member.member_id.as_str().into()),
                    (
                        "reason",
                        "it did not rejoin before the rebalance timeout".into(),
                    ),
                ],
            );
        }
        self.complete_join(env, group_id);
    }

    /// SyncGroup: a new generation, the leader's assignment handed to every member.
    fn complete_join(&mut self, env: &mut Env, group_id: &str) {
        let counts: PartitionCounts = self
            .topics()
            .map(|t| (t.name.clone(), t.partitions.len() as u32))
            .collect();
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        group.generation += 1;
        group.initial_delay_until_ms = None;
        if group.members.is_empty() {
            self.mark_empty(env, group_id);
            return;
        }
        let protocol = select_protocol(&group.members);
        if group
            .leader
            .as_ref()
            .is_none_or(|l| group.member(l).is_none())
        {
            group.leader = Some(group.members[0].member_id.clone());
        }
        let members: Vec<Member> = group
            .members
            .iter()
            .map(|m| Member {
                member_id: m.member_id.clone(),
                group_instance_id: m.group_instance_id.clone(),
                topics: m.topics.clone(),
                owned_partitions: m.assignment.clone(),
                generation: m.assigned_generation,
            })
            .collect();
        let subscribed: PartitionCounts = counts
            .into_iter()
            .filter(|(topic, _)| group.members.iter().any(|m| m.topics.contains(topic)))
            .collect();
        let rebalance = protocol.assign(&members, &subscribed);
        group.protocol = Some(protocol);
        group.state = GroupState::Stable;
        let generation = group.generation;
        let leader = group.leader.clone().unwrap_or_default();
        let mut summary = Vec::new();
        let mut handed = Vec::new();
        for member in &mut group.members {
            let assignment = rebalance
                .first_round
                .get(&member.member_id)
                .cloned()
                .unwrap_or_default();
            member.assignment = assignment.clone();
            member.assigned_generation = Some(generation);
            member.joined = false;
            summary.push(format!(
                "{}=[{}]",
                member.client_id,
                assignment_text(&assignment)
            ));
            handed.push((member.consumer, assignment));
        }
        env.record(
            "kafka",
            "group-stable",
            vec![
                ("group", group_id.into()),
                ("generation", i64::from(generation).into()),
                ("protocol", protocol.name().into()),
                ("leader", leader.as_str().into()),
                ("assignment", summary.join(" ").into()),
            ],
        );
        for (consumer, assignment) in handed {
            if let Some(c) = self.groups.consumers.get_mut(&consumer) {
                c.generation = Some(generation);
            }
            self.set_assignment(env, consumer, assignment);
        }
        self.sample_lag(env.now_ms, group_id);
        if rebalance.needs_second_round() {
            // Cooperative: the partitions held back were revoked; the revokers rejoin at once
            // and a second rebalance hands them out.
            let group = self.groups.groups.get_mut(group_id).expect("exists");
            for member in &mut group.members {
                member.joined = true;
            }
            self.prepare_rebalance(
                env,
                group_id,
                "partitions revoked in the first cooperative round",
            );
            self.maybe_complete_join(env, group_id, false);
        }
    }

    /// Gives the consumer its partitions: positions from the committed offsets, or
    /// `auto.offset.reset` where the group has none.
    fn set_assignment(&mut self, env: &mut Env, id: u32, assignment: Vec<TopicPartition>) {
        let Some(consumer) = self.groups.consumers.get(&id) else {
            return;
        };
        if consumer.state != ConsumerState::Running {
            return;
        }
        let group_id = consumer.config.group_id.clone();
        let reset = consumer.config.auto_offset_reset;
        let mut positions = BTreeMap::new();
        for tp in &assignment {
            if let Some(&position) = consumer.positions.get(tp) {
                positions.insert(tp.clone(), position);
                continue;
            }
            let committed = self
                .groups
                .groups
                .get(&group_id)
                .and_then(|g| g.offsets.get(tp))
                .map(|c| c.offset);
            let p = self.partition(&tp.topic, tp.partition);
            let position = match (committed, reset) {
                (Some(offset), _) => offset,
                (None, OffsetReset::Earliest) => p.map_or(0, |p| p.log_start_offset()),
                (None, OffsetReset::Latest) => p.map_or(0, |p| p.high_watermark),
                (None, OffsetReset::None) => {
                    self.fail_consumer(
                        env,
                        id,
                        "org.apache.kafka.clients.consumer.NoOffsetForPartitionException",
                        format!("Undefined offset with no reset policy for partitions: [{tp}]",),
                    );
                    return;
                }
            };
            positions.insert(tp.clone(), position);
        }
        let consumer = self.groups.consumers.get_mut(&id).expect("exists");
        consumer.assignment = assignment;
        consumer.positions = positions;
    }

    /// A member's session ran out: the coordinator removes it and rebalances the rest.
    fn session_timeout(&mut self, env: &mut Env, group_id: &str, member_id: &str) {
        let Some(group) = self.groups.groups.get(group_id) else {
            return;
        };
        let Some(member) = group.member(member_id) else {
            return;
        };
        let alive = self
            .groups
            .consumers
            .get(&member.consumer)
            .is_some_and(|c| {
                c.state == ConsumerState::Running
                    && !c.isolated
                    && c.member_id.as_deref() == Some(member_id)
            });
        if alive {
            return;
        }
        self.remove_member(
            env,
            group_id,
            member_id,
            "its session timed out (no heartbeat within session.timeout.ms)",
        );
    }

    fn remove_member(&mut self, env: &mut Env, group_id: &str, member_id: &str, reason: &str) {
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        let Some(index) = group.members.iter().position(|m| m.member_id == member_id) else {
            return;
        };
        group.members.remove(index);
        env.record(
            "kafka",
            "member-removed",
            vec![
                ("group", group_id.into()),
                ("member_id", member_id.into()),
                ("reason", reason.into()),
            ],
        );
        match group.state {
            GroupState::PreparingRebalance => self.maybe_complete_join(env, group_id, false),
            _ if group.members.is_empty() => {
                group.generation += 1;
                self.mark_empty(env, group_id);
            }
            _ => {
                self.prepare_rebalance(env, group_id, &format!("member {member_id} left: {reason}"))
            }
        }
    }

    /// The last member is gone: the group keeps its offsets and waits, Empty.
    fn mark_empty(&mut self, env: &mut Env, group_id: &str) {
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        group.state = GroupState::Empty;
        group.protocol = None;
        group.leader = None;
        env.record(
            "kafka",
            "group-empty",
            vec![
                ("group", group_id.into()),
                ("generation", i64::from(group.generation).into()),
            ],
        );
        self.sample_lag(env.now_ms, group_id);
    }

    fn join_deadline(&mut self, env: &mut Env, group_id: &str) {
        let Some(group) = self.groups.groups.get(group_id) else {
            return;
        };
        if group.state != GroupState::PreparingRebalance || env.now_ms < group.join_deadline_ms {
            return;
        }
        self.maybe_complete_join(env, group_id, true);
    }

    /// Total lag over the group's committed partitions (log end = high watermark − committed).
    pub fn group_lag(&self, group_id: &str) -> Option<i64> {
        let group = self.groups.groups.get(group_id)?;
        Some(
            group
                .offsets
                .iter()
                .filter_map(|(tp, c)| {
                    let p = self.partition(&tp.topic, tp.partition)?;
                    Some((p.high_watermark - c.offset).max(0))
                })
                .sum(),
        )
    }

    fn sample_lag(&mut self, now: Millis, group_id: &str) {
        let Some(lag) = self.group_lag(group_id) else {
            return;
        };
        let group = self.groups.groups.get_mut(group_id).expect("exists");
        if group.lag_samples.last() == Some(&(now, lag)) {
            return;
        }
        group.lag_samples.push((now, lag));
        if group.lag_samples.len() > LAG_SAMPLES_MAX {
            // Keep every other sample: the chart keeps its shape over a longer span.
            let thinned = group.lag_samples.iter().step_by(2).copied().collect();
            group.lag_samples = thinned;
        }
    }

    /// A subscribed topic changed its partition count: the group leader's next metadata
    /// refresh notices, and the group rebalances so the new partitions get readers.
    pub(super) fn topic_metadata_changed(&mut self, env: &mut Env, topic: &str) {
        let affected: Vec<String> = self
            .groups
            .groups
            .values()
            .filter(|g| g.state == GroupState::Stable)
            .filter(|g| g.members.iter().any(|m| m.topics.contains(topic)))
            .map(|g| g.group_id.clone())
            .collect();
        for group_id in affected {
            let partitions = self.topic(topic).map_or(0, |t| t.partitions.len());
            self.prepare_rebalance(
                env,
                &group_id,
                &format!("topic {topic} now has {partitions} partitions"),
            );
        }
    }

    // ---- admin ------------------------------------------------------------------------

    /// OffsetCommit from an admin client (`--reset-offsets --execute`): only an inactive
    /// group's offsets may change.
    pub fn alter_group_offsets(
        &mut self,
        env: &mut Env,
        group_id: &str,
        offsets: &BTreeMap<TopicPartition, Offset>,
    ) -> Result<(), KafkaError> {
        if let Some(group) = self.groups.groups.get(group_id)
            && !matches!(group.state, GroupState::Empty | GroupState::Dead)
        {
            return Err(KafkaError::GroupNotInactive {
                group: group_id.to_string(),
                state: group.state.as_str().to_string(),
            });
        }
        let group = self
            .groups
            .groups
            .entry(group_id.to_string())
            .or_insert_with(|| Group::new(group_id));
        for (tp, &offset) in offsets {
            group.offsets.insert(
                tp.clone(),
                Committed {
                    offset,
                    commit_ms: env.now_ms,
                },
            );
        }
        env.record(
            "kafka",
            "offsets-reset",
            vec![
                ("group", group_id.into()),
                ("partitions", (offsets.len() as i64).into()),
            ],
        );
        self.sample_lag(env.now_ms, group_id);
        Ok(())
    }

    /// DeleteGroups: only an empty group goes.
    pub fn delete_group(&mut self, env: &mut Env, group_id: &str) -> Result<(), KafkaError> {
        let Some(group) = self.groups.groups.get(group_id) else {
            return Err(KafkaError::GroupIdNotFound {
                group: group_id.to_string(),
            });
        };
        if !group.members.is_empty() {
            return Err(KafkaError::GroupNotEmpty {
                group: group_id.to_string(),
            });
        }
        self.groups.groups.remove(group_id);
        env.record("kafka", "group-deleted", vec![("group", group_id.into())]);
        Ok(())
    }

    pub(super) fn on_group_event(&mut self, env: &mut Env, event: KafkaEvent) {
        match event {
            KafkaEvent::ConsumerPoll { consumer } => self.consumer_poll(env, consumer),
            KafkaEvent::PollTimeout {
                consumer,
                polled_ms,
            } => self.poll_timeout(env, consumer, polled_ms),
            KafkaEvent::Rejoin { consumer } => self.rejoin(env, consumer),
            KafkaEvent::JoinDeadline { group } => self.join_deadline(env, &group),
            KafkaEvent::SessionTimeout { group, member } => {
                self.session_timeout(env, &group, &member)
            }
            _ => unreachable!("only group events come here"),
        }
    }
}

/// The protocol every member supports that most members prefer (each votes for its first
/// supported choice); ties go to the leader's (first member's) order.
fn select_protocol(members: &[GroupMember]) -> Strategy {
    let first = &members[0];
    let candidates: Vec<Strategy> = first
        .strategies
        .iter()
        .copied()
        .filter(|s| members.iter().all(|m| m.strategies.contains(s)))
        .collect();
    let votes = |strategy: Strategy| {
        members
            .iter()
            .filter(|m| m.strategies.iter().find(|s| candidates.contains(s)) == Some(&strategy))
            .count()
    };
    let mut best = candidates[0];
    for &candidate in &candidates[1..] {
        if votes(candidate) > votes(best) {
            best = candidate;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_string_hash_matches_java() {
        // "".hashCode() == 0, "a" == 97, "hello" == 99162322, "my-group" computed by Java.
        assert_eq!(java_hash(""), 0);
        assert_eq!(java_hash("a"), 97);
        assert_eq!(java_hash("hello"), 99_162_322);
        assert_eq!(java_hash("polygenelubricants"), i32::MIN);
        // Utils.abs(Integer.MIN_VALUE) is 0, so such a group lands on partition 0.
        assert_eq!(offsets_partition("polygenelubricants"), 0);
        assert_eq!(offsets_partition("hello"), 99_162_322 % 50);
    }

    fn member(id: &str, topics: &[&str], owns: &[(&str, u32)]) -> GroupMember {
        GroupMember {
            member_id: id.to_string(),
            client_id: id.to_string(),
            host: "/127.0.0.1".to_string(),
            group_instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            strategies: vec![Strategy::Range],
            assignment: owns
                .iter()
                .map(|(t, p)| TopicPartition::new(*t, *p))
                .collect(),
            assigned_generation: Some(1),
            rebalance_timeout_ms: 300_000,
            joined: true,
            consumer: 1,
        }
    }

    #[test]
    fn lists_subscribed_partitions_with_their_owners() {
        let mut group = Group::new("web");
        group.members = vec![
            member("a", &["clicks"], &[("clicks", 0), ("clicks", 1)]),
            member("b", &["clicks", "views"], &[("clicks", 2)]),
        ];
        let counts = |topic: &str| match topic {
            "clicks" => 3,
            "views" => 2,
            _ => 0,
        };
        let owners: Vec<(String, Option<&str>)> = group
            .partition_owners(counts)
            .into_iter()
            .map(|(tp, m)| (tp.to_string(), m.map(|m| m.client_id.as_str())))
            .collect();
        let expect = [
            ("clicks-0", Some("a")),
            ("clicks-1", Some("a")),
            ("clicks-2", Some("b")),
            ("views-0", None),
            ("views-1", None),
        ];
        assert_eq!(owners, expect.map(|(tp, m)| (tp.to_string(), m)).to_vec());
    }
}
