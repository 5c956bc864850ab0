//! The cluster: brokers that run, stop or crash; a controller (a ZooKeeper-elected broker or
//! a KRaft quorum with a Raft-style metadata log) that fences failed brokers and elects
//! partition leaders; topics; and the produce path with `acks` and `min.insync.replicas`.
//!
//! Failure detection follows Kafka's timeouts: a stopped broker shuts down in a controlled way
//! (leadership moves at once); a crashed one is noticed when its session expires
//! (`broker.session.timeout.ms` under KRaft, `zookeeper.session.timeout.ms` under ZooKeeper).
//! A crash keeps the broker's log: durability comes from replication.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::group::Groups;
use super::log::{NewRecord, Offset, Run, SharedRecord};
use super::partition::Partition;
use super::placement::assign_replicas;
use super::topic::{Topic, default_of, validate_configs, validate_topic_name};
use super::{BrokerId, KafkaError, KafkaEvent, broker_ids as ids};
use crate::sim::{Env, Event, Millis, TraceValue};

/// `sim kafka create-cluster --brokers N` accepts at most this many.
pub const BROKERS_MAX: u32 = 9;
/// KRaft's controller quorum: the first brokers double as voters (combined mode), at most three.
pub const KRAFT_VOTERS_MAX: usize = 3;
/// `broker.session.timeout.ms` (KRaft): a broker that stops heartbeating is fenced after this.
pub const BROKER_SESSION_TIMEOUT_MS: Millis = 9_000;
/// `zookeeper.session.timeout.ms`: a broker's ephemeral znodes vanish after this.
pub const ZOOKEEPER_SESSION_TIMEOUT_MS: Millis = 18_000;
/// `controller.quorum.fetch.timeout.ms`: voters notice a silent quorum leader after this.
pub const QUORUM_FETCH_TIMEOUT_MS: Millis = 2_000;
/// `replica.lag.time.max.ms`.
pub const REPLICA_LAG_TIME_MAX_MS: Millis = 30_000;
/// How long a follower's fetch takes to bring new records over (a round trip), before any lag
/// `sim broker slow` adds.
pub const FOLLOWER_FETCH_DELAY_MS: Millis = 100;
/// `log.retention.check.interval.ms`.
pub const LOG_RETENTION_CHECK_INTERVAL_MS: Millis = 300_000;
/// `num.partitions` and `default.replication.factor`, the broker defaults for `--create`.
pub const DEFAULT_PARTITIONS: u32 = 1;
pub const DEFAULT_REPLICATION_FACTOR: u32 = 1;
/// At most this many partitions per topic.
pub const PARTITIONS_MAX: u32 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControllerMode {
    Kraft,
    Zookeeper,
}

impl ControllerMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ControllerMode::Kraft => "kraft",
            ControllerMode::Zookeeper => "zookeeper",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BrokerState {
    Running,
    Stopped,
    Crashed,
}

impl BrokerState {
    pub fn as_str(self) -> &'static str {
        match self {
            BrokerState::Running => "running",
            BrokerState::Stopped => "stopped",
            BrokerState::Crashed => "crashed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broker {
    pub id: BrokerId,
    pub state: BrokerState,
    /// The controller's view: a fenced broker leads nothing and is in no ISR it can leave.
    pub fenced: bool,
    /// Extra delay before this broker's follower fetches bring records over.
    pub fetch_lag_ms: Millis,
}

/// Who manages the metadata, and its log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    pub mode: ControllerMode,
    /// The active controller: the KRaft quorum leader, or the broker holding `/controller`.
    pub leader: Option<BrokerId>,
    /// The KRaft leader epoch, or ZooKeeper's `controller_epoch`.
    pub epoch: i32,
    /// KRaft voters (empty under ZooKeeper).
    pub voters: Vec<BrokerId>,
    /// Metadata records written (the `__cluster_metadata` high watermark; ZooKeeper: znode writes).
    pub metadata_end_offset: i64,
    /// Each voter's copy of the metadata log, and when it last caught up.
    pub voter_end_offsets: BTreeMap<BrokerId, (i64, Millis)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acks {
    None,
    Leader,
    All,
}

impl Acks {
    /// The `acks` setting as a producer's config spells it: `0`, `1` or `all`.
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

/// Which producer sent: the `client.id`, the topic and the settings that decide what an
/// acknowledgement promises. Runs of the console producer with the same settings share a row.
pub(super) struct ProducerKey<'a> {
    pub client_id: &'a str,
    pub topic: &'a str,
    pub acks: Acks,
    pub idempotent: bool,
}

/// One row of the producers the Kafka panel and `sim.kafka_producers` show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerActivity {
    pub client_id: String,
    pub topic: String,
    pub acks: Acks,
    pub idempotent: bool,
    /// Records the cluster acknowledged (with `acks=0`: every record sent to a live leader).
    pub records_acked: u64,
    /// Records whose send failed after the retries (`NOT_ENOUGH_REPLICAS`, no leader…).
    pub records_failed: u64,
    /// Acknowledged records per partition: where this producer's data went.
    pub acked_by_partition: BTreeMap<u32, u64>,
    pub last_send_ms: Millis,
}

impl ProducerActivity {
    fn new(key: &ProducerKey<'_>) -> Self {
        Self {
            client_id: key.client_id.to_string(),
            topic: key.topic.to_string(),
            acks: key.acks,
            idempotent: key.idempotent,
            records_acked: 0,
            records_failed: 0,
            acked_by_partition: BTreeMap::new(),
            last_send_ms: 0,
        }
    }

    fn is(&self, key: &ProducerKey<'_>) -> bool {
        self.client_id == key.client_id
            && self.topic == key.topic
            && self.acks == key.acks
            && self.idempotent == key.idempotent
    }
}

/// Where the leader put a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    pub base_offset: Offset,
    pub end_offset: Offset,
    pub leader_epoch: i32,
    /// The records this request appended (none when an idempotent retry found its batch
    /// already there), for the client to send again if it must retry.
    pub run: Option<Run>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub cluster_id: String,
    brokers: BTreeMap<BrokerId, Broker>,
    controller: Controller,
    topics: BTreeMap<String, Topic>,
    next_producer_id: u64,
    /// Crashed brokers whose session expired while no controller could fence them.
    pending_fences: BTreeSet<BrokerId>,
    /// Consumer groups (their coordinators are brokers of this cluster) and the consumers.
    #[serde(default)]
    pub(super) groups: Groups,
    /// What the producers that wrote to this cluster did, by client id, topic and settings.
    #[serde(default)]
    producers: Vec<ProducerActivity>,
}

/// Kafka's `Uuid.toString`: 16 random bytes as URL-safe base64 without padding.
fn kafka_uuid(env: &mut Env) -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&env.rng.next_u64().to_be_bytes());
    bytes[8..].copy_from_slice(&env.rng.next_u64().to_be_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Cluster {
    pub(super) fn new(env: &mut Env, broker_count: u32, mode: ControllerMode) -> Self {
        let brokers: BTreeMap<BrokerId, Broker> = (1..=broker_count as BrokerId)
            .map(|id| {
                let broker = Broker {
                    id,
                    state: BrokerState::Running,
                    fenced: false,
                    fetch_lag_ms: 0,
                };
                (id, broker)
            })
            .collect();
        let voters: Vec<BrokerId> = match mode {
            ControllerMode::Kraft => brokers.keys().copied().take(KRAFT_VOTERS_MAX).collect(),
            ControllerMode::Zookeeper => Vec::new(),
        };
        let mut cluster = Self {
            cluster_id: kafka_uuid(env),
            brokers,
            controller: Controller {
                mode,
                leader: None,
                epoch: 0,
                voter_end_offsets: voters.iter().map(|&v| (v, (0, env.now_ms))).collect(),
                voters,
                metadata_end_offset: 0,
            },
            topics: BTreeMap::new(),
            next_producer_id: 0,
            pending_fences: BTreeSet::new(),
            groups: Groups::default(),
            producers: Vec::new(),
        };
        env.record(
            "kafka",
            "cluster-created",
            vec![
                ("cluster_id", cluster.cluster_id.as_str().into()),
                ("brokers", i64::from(broker_count).into()),
                ("mode", mode.as_str().into()),
            ],
        );
        cluster.elect_controller(env);
        // One registration record per broker in the metadata log.
        for _ in 0..broker_count {
            cluster.append_metadata(env.now_ms);
        }
        cluster
    }

    pub fn brokers(&self) -> impl Iterator<Item = &Broker> {
        self.brokers.values()
    }

    pub fn broker(&self, id: BrokerId) -> Option<&Broker> {
        self.brokers.get(&id)
    }

    pub fn controller(&self) -> &Controller {
        &self.controller
    }

    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.values()
    }

    pub fn topic(&self, name: &str) -> Result<&Topic, KafkaError> {
        self.topics
            .get(name)
            .ok_or_else(|| KafkaError::UnknownTopic {
                topic: name.to_string(),
            })
    }

    pub fn partition(&self, topic: &str, partition: u32) -> Option<&Partition> {
        self.topics.get(topic)?.partitions.get(partition as usize)
    }

    /// Fetches what each partition in `positions` has below its high watermark, at most `max`
    /// records in all, partition by partition, and moves the positions past them. A position
    /// before the log start offset (deleted by retention) resets to the log start, as
    /// `auto.offset.reset=earliest` does; partitions without a live leader are skipped.
    pub fn read_available(
        &self,
        topic: &str,
        positions: &mut BTreeMap<u32, Offset>,
        max: usize,
    ) -> Vec<(u32, SharedRecord)> {
        let Ok(t) = self.topic(topic) else {
            return Vec::new();
        };
        // What the partitions hold below their high watermarks, so `out` grows once.
        let readable: i64 = positions
            .iter()
            .filter_map(|(p, position)| {
                let p = t.partitions.get(*p as usize)?;
                Some(p.high_watermark - (*position).max(p.log_start_offset()))
            })
            .filter(|n| *n > 0)
            .sum();
        let mut out = Vec::with_capacity((readable as usize).min(max));
        for (partition, position) in positions.iter_mut() {
            let Some(p) = t.partitions.get(*partition as usize) else {
                continue;
            };
            if !p.leader.is_some_and(|id| self.is_running(id)) {
                continue;
            }
            if *position < p.log_start_offset() {
                *position = p.log_start_offset();
            }
            // Run by run: a record costs a reference count, and its bytes are not touched.
            for (run, range) in p.readable_runs(*position) {
                if out.len() == max {
                    return out;
                }
                let end = range.end.min(range.start + (max - out.len()));
                out.extend((range.start..end).map(|i| (*partition, SharedRecord::in_run(run, i))));
                *position = run[end - 1].offset + 1;
            }
        }
        out
    }

    /// The topic, or `UNKNOWN_TOPIC_OR_PARTITION`.
    fn known_topic_mut(&mut self, name: &str) -> Result<&mut Topic, KafkaError> {
        self.topics
            .get_mut(name)
            .ok_or_else(|| KafkaError::UnknownTopic {
                topic: name.to_string(),
            })
    }

    fn partition_mut(&mut self, topic: &str, partition: u32) -> Option<&mut Partition> {
        self.topics
            .get_mut(topic)?
            .partitions
            .get_mut(partition as usize)
    }

    /// Running and not fenced: the brokers the controller places replicas on.
    pub fn live_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .values()
            .filter(|b| b.state == BrokerState::Running && !b.fenced)
            .map(|b| b.id)
            .collect()
    }

    fn is_running(&self, id: BrokerId) -> bool {
        self.brokers[&id].state == BrokerState::Running
    }

    /// The producers that have sent to this cluster, in the order each first sent.
    pub fn producers(&self) -> &[ProducerActivity] {
        &self.producers
    }

    /// Counts one send into its producer's row (client id, topic, acks and idempotence; a row
    /// is added the first time): `acked[p]` records acknowledged by partition `p`, and `failed`.
    pub(super) fn note_sends(
        &mut self,
        key: ProducerKey<'_>,
        acked: &[u64],
        failed: u64,
        now_ms: Millis,
    ) {
        let index = match self.producers.iter().position(|p| p.is(&key)) {
            Some(index) => index,
            None => {
                self.producers.push(ProducerActivity::new(&key));
                self.producers.len() - 1
            }
        };
        let row = &mut self.producers[index];
        for (partition, &count) in (0..).zip(acked).filter(|(_, count)| **count > 0) {
            row.records_acked += count;
            *row.acked_by_partition.entry(partition).or_default() += count;
        }
        row.records_failed += failed;
        row.last_send_ms = now_ms;
    }

    /// A new producer id (`InitProducerId`), for idempotent sends.
    pub fn allocate_producer_id(&mut self) -> u64 {
        self.next_producer_id += 1;
        self.next_producer_id
    }

    fn append_metadata(&mut self, now_ms: Millis) {
        self.controller.metadata_end_offset += 1;
        let end = self.controller.metadata_end_offset;
        for (voter, entry) in &mut self.controller.voter_end_offsets {
            if self.brokers[voter].state == BrokerState::Running {
                *entry = (end, now_ms);
            }
        }
    }

    /// The controller that can act now: elected and running.
    pub fn active_controller(&self) -> Option<BrokerId> {
        self.controller.leader.filter(|id| self.is_running(*id))
    }

    fn require_controller(&self) -> Result<(), KafkaError> {
        self.active_controller()
            .map(|_| ())
            .ok_or(KafkaError::ControllerUnavailable)
    }

    // ---- topics -------------------------------------------------------------------------

    /// `CreateTopics`: places `partitions` × `replication_factor` replicas on the live brokers.
    pub fn create_topic(
        &mut self,
        env: &mut Env,
        name: &str,
        partitions: Option<u32>,
        replication_factor: Option<u32>,
        configs: BTreeMap<String, String>,
    ) -> Result<&Topic, KafkaError> {
        validate_topic_name(name)?;
        self.require_controller()?;
        if self.topics.contains_key(name) {
            return Err(KafkaError::TopicExists {
                topic: name.to_string(),
            });
        }
        validate_configs(&configs)?;
        let partitions = partitions.unwrap_or(DEFAULT_PARTITIONS).min(PARTITIONS_MAX);
        let replication_factor = replication_factor.unwrap_or(DEFAULT_REPLICATION_FACTOR);
        let live = self.live_brokers();
        if replication_factor as usize > live.len() {
            return Err(KafkaError::InvalidReplicationFactor {
                replication_factor,
                brokers: live.len(),
            });
        }
        let start_index = env.rng.below(live.len() as u64) as usize;
        let replica_shift = env.rng.below(live.len() as u64) as usize;
        let assignment = assign_replicas(
            &live,
            partitions,
            replication_factor,
            start_index,
            replica_shift,
            0,
        )
        .expect("the replication factor was checked");
        let topic = Topic::new(
            name.to_string(),
            kafka_uuid(env),
            assignment
                .into_iter()
                .enumerate()
                .map(|(p, replicas)| Partition::new(p as u32, replicas))
                .collect(),
            configs,
            start_index,
        );
        env.record(
            "kafka",
            "topic-created",
            vec![
                ("topic", name.into()),
                ("topic_id", topic.topic_id.as_str().into()),
                ("partitions", i64::from(partitions).into()),
                ("replication_factor", i64::from(replication_factor).into()),
                ("placement", placement_text(&topic).into()),
            ],
        );
        self.append_metadata(env.now_ms);
        Ok(self.topics.entry(name.to_string()).or_insert(topic))
    }

    /// `CreatePartitions`: partitions can only be increased.
    pub fn add_partitions(
        &mut self,
        env: &mut Env,
        name: &str,
        count: u32,
    ) -> Result<(), KafkaError> {
        self.require_controller()?;
        let live = self.live_brokers();
        let topic = self.known_topic_mut(name)?;
        let current = topic.partitions.len() as u32;
        if count <= current {
            return Err(KafkaError::InvalidPartitions {
                topic: name.to_string(),
                current,
                requested: count,
            });
        }
        let rf = topic.replication_factor() as u32;
        let start = topic.start_index % live.len().max(1);
        let assignment = assign_replicas(
            &live,
            count.min(PARTITIONS_MAX) - current,
            rf,
            start,
            start,
            current,
        )
        .map_err(|e| KafkaError::InvalidReplicationFactor {
            replication_factor: e.replication_factor,
            brokers: e.brokers,
        })?;
        for (i, replicas) in assignment.into_iter().enumerate() {
            topic
                .partitions
                .push(Partition::new(current + i as u32, replicas));
        }
        env.record(
            "kafka",
            "partitions-added",
            vec![
                ("topic", name.into()),
                ("from", i64::from(current).into()),
                ("to", i64::from(count).into()),
            ],
        );
        self.append_metadata(env.now_ms);
        self.topic_metadata_changed(env, name);
        Ok(())
    }

    /// `IncrementalAlterConfigs` on a topic: sets the `set` overrides and removes the `delete`
    /// ones (back to the broker default), all or nothing. The new settings act at once: the
    /// produce path reads `min.insync.replicas` per request, the log cleaner is rescheduled for
    /// a new retention or cleanup policy, and turning on `unclean.leader.election.enable` lets
    /// an offline partition elect any live replica, as the KRaft controller does.
    pub fn alter_topic_configs(
        &mut self,
        env: &mut Env,
        name: &str,
        set: &BTreeMap<String, String>,
        delete: &[String],
    ) -> Result<(), KafkaError> {
        self.require_controller()?;
        let topic = self.known_topic_mut(name)?;
        validate_configs(set)?;
        if let Some(unknown) = delete.iter().find(|key| default_of(key).is_none()) {
            return Err(KafkaError::InvalidConfig {
                message: format!("Unknown topic config name: {unknown}"),
            });
        }
        let unclean_before = topic.config().unclean_leader_election;
        for key in delete {
            topic.set_config(key, None);
        }
        for (key, value) in set {
            topic.set_config(key, Some(value));
        }
        let config = topic.config();
        let pairs: Vec<String> = set.iter().map(|(k, v)| format!("{k}={v}")).collect();
        env.record(
            "kafka",
            "topic-config-altered",
            vec![
                ("topic", name.into()),
                ("set", pairs.join(",").into()),
                ("deleted", delete.join(",").into()),
            ],
        );
        self.append_metadata(env.now_ms);
        self.schedule_cleanup(env, config.compact);
        if config.unclean_leader_election && !unclean_before {
            let offline: Vec<u32> = self.topics[name]
                .partitions
                .iter()
                .filter(|p| p.leader.is_none())
                .map(|p| p.partition)
                .collect();
            for partition in offline {
                self.elect_leader(env, name, partition, None);
            }
        }
        Ok(())
    }

    pub fn delete_topic(&mut self, env: &mut Env, name: &str) -> Result<(), KafkaError> {
        self.require_controller()?;
        self.topics
            .remove(name)
            .ok_or_else(|| KafkaError::UnknownTopic {
                topic: name.to_string(),
            })?;
        env.cancel_if(|event| {
            matches!(event, Event::Kafka(KafkaEvent::IsrCheck { topic, .. }) if topic == name)
        });
        env.record("kafka", "topic-deleted", vec![("topic", name.into())]);
        self.append_metadata(env.now_ms);
        Ok(())
    }

    // ---- produce ------------------------------------------------------------------------

    /// A produce request to the partition's leader. With `acks=all` the caller waits until
    /// the high watermark passes `end_offset` (then calls `acknowledge`). Appended records
    /// are moved out of `records`; a refused request leaves them there.
    pub fn produce(
        &mut self,
        env: &mut Env,
        topic: &str,
        partition: u32,
        records: &mut Vec<NewRecord>,
        acks: Acks,
    ) -> Result<Appended, KafkaError> {
        let name = topic;
        let topic = self
            .topics
            .get(name)
            .ok_or_else(|| KafkaError::UnknownTopic {
                topic: name.to_string(),
            })?;
        let config = topic.config();
        let p =
            topic
                .partitions
                .get(partition as usize)
                .ok_or_else(|| KafkaError::UnknownTopic {
                    topic: name.to_string(),
                })?;
        let leader = p.leader.ok_or(KafkaError::LeaderNotAvailable)?;
        if !self.is_running(leader) {
            return Err(KafkaError::NetworkException);
        }
        if config.compact && records.iter().any(|r| r.key.is_none()) {
            return Err(KafkaError::CompactedTopicWithoutKey {
                topic: name.to_string(),
                partition,
            });
        }
        if acks == Acks::All && p.isr.len() < config.min_insync_replicas as usize {
            env.record(
                "kafka",
                "produce-rejected",
                vec![
                    ("topic", name.into()),
                    ("partition", i64::from(partition).into()),
                    ("error", "NOT_ENOUGH_REPLICAS".into()),
                    ("isr", ids(&p.isr).into()),
                    (
                        "min_insync_replicas",
                        i64::from(config.min_insync_replicas).into(),
                    ),
                ],
            );
            return Err(KafkaError::NotEnoughReplicas);
        }
        let leader_epoch = p.leader_epoch;
        // An idempotent producer's retry of a batch the leader already has is not appended again.
        if let Some(base_offset) = records
            .first()
            .and_then(|r| r.producer_sequence)
            .and_then(|seq| p.find_sequence(seq))
        {
            let end_offset = base_offset + records.len() as Offset;
            return Ok(Appended {
                base_offset,
                end_offset,
                leader_epoch,
                run: None,
            });
        }
        let count = records.len();
        let p = self.partition_mut(name, partition).expect("checked above");
        let (base_offset, end_offset, run) =
            p.append(std::mem::take(records), env.now_ms, config.segment);
        if acks != Acks::All {
            p.acknowledge(end_offset);
        }
        let followers: Vec<BrokerId> = p
            .replicas
            .iter()
            .copied()
            .filter(|b| *b != leader)
            .collect();
        let next_isr_check = p.next_isr_check_ms(REPLICA_LAG_TIME_MAX_MS);
        env.record(
            "kafka",
            "records-appended",
            vec![
                ("topic", name.into()),
                ("partition", i64::from(partition).into()),
                ("leader", i64::from(leader).into()),
                (
                    "offsets",
                    format!("{base_offset}..{}", end_offset - 1).into(),
                ),
                ("records", (count as i64).into()),
                ("acks", acks.as_str().into()),
            ],
        );
        self.wake_followers(env, &followers);
        if let Some(at) = next_isr_check {
            let event = Event::Kafka(KafkaEvent::IsrCheck {
                topic: name.to_string(),
                partition,
            });
            env.schedule_earliest(at, event)
                .expect("the event queue has room");
        }
        self.schedule_cleanup(env, true);
        Ok(Appended {
            base_offset,
            end_offset,
            leader_epoch,
            run,
        })
    }

    /// The producer got its acknowledgement (acks=all) for everything before `end_offset`.
    pub fn acknowledge(&mut self, topic: &str, partition: u32, end_offset: Offset) {
        if let Some(p) = self.partition_mut(topic, partition) {
            p.acknowledge(end_offset);
        }
    }

    fn wake_followers(&self, env: &mut Env, followers: &[BrokerId]) {
        for &follower in followers {
            let broker = &self.brokers[&follower];
            if broker.state == BrokerState::Running {
                let at = env.now_ms + FOLLOWER_FETCH_DELAY_MS + broker.fetch_lag_ms;
                let event = Event::Kafka(KafkaEvent::Fetch { broker: follower });
                env.schedule_earliest(at, event)
                    .expect("the event queue has room");
            }
        }
    }

    /// Schedules the log cleaner's next tick if some record will expire, or (`after_append`)
    /// a compacted topic got new records.
    fn schedule_cleanup(&self, env: &mut Env, after_append: bool) {
        let interval = LOG_RETENTION_CHECK_INTERVAL_MS;
        let mut due: Option<Millis> = None;
        for topic in self.topics.values() {
            let config = topic.config();
            for p in &topic.partitions {
                let next = if config.compact {
                    after_append.then_some(env.now_ms)
                } else {
                    p.next_expiry_ms(config.retention_ms)
                };
                due = match (due, next) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        if let Some(due) = due {
            let tick = (due.max(env.now_ms + 1) + interval - 1) / interval * interval;
            env.schedule_earliest(tick, Event::Kafka(KafkaEvent::LogCleanup))
                .expect("the event queue has room");
        }
    }

    // ---- brokers ------------------------------------------------------------------------

    fn known(&self, id: BrokerId) -> Result<(), KafkaError> {
        if self.brokers.contains_key(&id) {
            Ok(())
        } else {
            Err(KafkaError::UnknownBroker { broker: id })
        }
    }

    /// `sim broker slow N --lag D`: this broker's follower fetches arrive `lag_ms` later.
    pub fn set_fetch_lag(
        &mut self,
        env: &mut Env,
        id: BrokerId,
        lag_ms: Millis,
    ) -> Result<(), KafkaError> {
        self.known(id)?;
        self.brokers.get_mut(&id).expect("known").fetch_lag_ms = lag_ms;
        env.record(
            "kafka",
            "broker-slowed",
            vec![
                ("broker", i64::from(id).into()),
                ("fetch_lag_ms", lag_ms.into()),
            ],
        );
        Ok(())
    }

    /// Moves a running broker to `state`; false (and no change) if it was not running.
    fn leave_running(&mut self, id: BrokerId, state: BrokerState) -> Result<bool, KafkaError> {
        self.known(id)?;
        let broker = self.brokers.get_mut(&id).expect("known");
        if broker.state != BrokerState::Running {
            return Ok(false);
        }
        broker.state = state;
        Ok(true)
    }

    /// A controlled shutdown: the broker hands over leadership and leaves the ISRs at once.
    pub fn stop_broker(&mut self, env: &mut Env, id: BrokerId) -> Result<(), KafkaError> {
        if !self.leave_running(id, BrokerState::Stopped)? {
            return Ok(());
        }
        env.record(
            "kafka",
            "broker-stopped",
            vec![("broker", i64::from(id).into())],
        );
        if self.controller.leader == Some(id) {
            self.controller.leader = None;
            self.elect_controller(env);
        } else {
            self.schedule_quorum_check(env, id);
        }
        self.fence(env, id);
        Ok(())
    }

    /// The process dies: nothing is handed over; the controller notices when the session expires.
    pub fn crash_broker(&mut self, env: &mut Env, id: BrokerId) -> Result<(), KafkaError> {
        if !self.leave_running(id, BrokerState::Crashed)? {
            return Ok(());
        }
        let timeout = match self.controller.mode {
            ControllerMode::Kraft => BROKER_SESSION_TIMEOUT_MS,
            ControllerMode::Zookeeper => ZOOKEEPER_SESSION_TIMEOUT_MS,
        };
        env.record(
            "kafka",
            "broker-crashed",
            vec![
                ("broker", i64::from(id).into()),
                ("detected_in_ms", timeout.into()),
            ],
        );
        let expiry = Event::Kafka(KafkaEvent::SessionExpired { broker: id });
        env.schedule(env.now_ms + timeout, expiry)
            .expect("the event queue has room");
        if self.controller.mode == ControllerMode::Kraft && self.controller.leader == Some(id) {
            env.schedule(
                env.now_ms + QUORUM_FETCH_TIMEOUT_MS,
                Event::Kafka(KafkaEvent::ControllerElection),
            )
            .expect("the event queue has room");
        }
        Ok(())
    }

    /// The broker (re)starts with the log it had, registers, and catches up as a follower.
    pub fn start_broker(&mut self, env: &mut Env, id: BrokerId) -> Result<(), KafkaError> {
        self.known(id)?;
        let previous = self.brokers[&id].state;
        if previous == BrokerState::Running {
            return Ok(());
        }
        if previous == BrokerState::Crashed && !self.brokers[&id].fenced {
            // Re-registering with a new incarnation tells the controller the old one died.
            env.cancel(&Event::Kafka(KafkaEvent::SessionExpired { broker: id }));
            if self.controller.leader == Some(id) {
                self.controller.leader = None;
            }
            self.fence(env, id);
        }
        let broker = self.brokers.get_mut(&id).expect("known");
        broker.state = BrokerState::Running;
        broker.fenced = false;
        env.record(
            "kafka",
            "broker-started",
            vec![("broker", i64::from(id).into())],
        );
        if self.controller.leader.is_none() {
            self.elect_controller(env);
        }
        self.append_metadata(env.now_ms);
        self.elect_offline_partitions(env);
        self.wake_followers(env, &[id]);
        Ok(())
    }

    /// The controller takes a failed broker out: it leads nothing and leaves every ISR it can.
    fn fence(&mut self, env: &mut Env, id: BrokerId) {
        let Some(controller) = self.active_controller() else {
            self.pending_fences.insert(id);
            env.record(
                "kafka",
                "fence-deferred",
                vec![
                    ("broker", i64::from(id).into()),
                    ("why", "no active controller".into()),
                ],
            );
            return;
        };
        self.brokers.get_mut(&id).expect("known").fenced = true;
        env.record(
            "kafka",
            "broker-fenced",
            vec![
                ("broker", i64::from(id).into()),
                ("controller", i64::from(controller).into()),
            ],
        );
        self.append_metadata(env.now_ms);
        let names: Vec<String> = self.topics.keys().cloned().collect();
        for name in names {
            let count = self.topics[&name].partitions.len() as u32;
            for partition in 0..count {
                self.remove_replica(env, &name, partition, id);
            }
        }
    }

    fn remove_replica(&mut self, env: &mut Env, name: &str, partition: u32, id: BrokerId) {
        let p = self.partition_mut(name, partition).expect("exists");
        if !p.replicas.contains(&id) {
            return;
        }
        if p.leader == Some(id) {
            self.elect_leader(env, name, partition, Some(id));
        } else if p.shrink_isr(id) {
            let isr = ids(&p.isr);
            env.record(
                "kafka",
                "isr-shrink",
                vec![
                    ("topic", name.into()),
                    ("partition", i64::from(partition).into()),
                    ("removed", i64::from(id).into()),
                    ("isr", isr.into()),
                    ("why", "broker fenced".into()),
                ],
            );
        }
    }

    /// Elects a leader from the ISR (or, with `unclean.leader.election.enable`, any live
    /// replica). `failed` is the leader being replaced.
    fn elect_leader(
        &mut self,
        env: &mut Env,
        name: &str,
        partition: u32,
        failed: Option<BrokerId>,
    ) {
        let unclean_allowed = self.topics[name].config().unclean_leader_election;
        let live: BTreeSet<BrokerId> = self.live_brokers().into_iter().collect();
        let p = self.partition(name, partition).expect("exists");
        let mut isr: Vec<BrokerId> = p
            .isr
            .iter()
            .copied()
            .filter(|b| Some(*b) != failed)
            .collect();
        let clean = p
            .replicas
            .iter()
            .copied()
            .find(|b| isr.contains(b) && live.contains(b));
        let unclean = p.replicas.iter().copied().find(|b| live.contains(b));
        let (leader, kind) = match (clean, unclean) {
            (Some(leader), _) => (leader, "clean"),
            (None, Some(leader)) if unclean_allowed => {
                isr = vec![leader];
                (leader, "unclean")
            }
            _ => {
                let p = self.partition_mut(name, partition).expect("exists");
                p.go_offline();
                if isr.is_empty() {
                    isr = p.isr.clone();
                }
                p.isr = isr.clone();
                env.record(
                    "kafka",
                    "partition-offline",
                    vec![
                        ("topic", name.into()),
                        ("partition", i64::from(partition).into()),
                        ("isr", ids(&isr).into()),
                        ("why", "no live replica in the ISR".into()),
                    ],
                );
                return;
            }
        };
        let p = self.partition_mut(name, partition).expect("exists");
        let lost = p.elect(leader, isr);
        let (epoch, isr, followers) = (
            p.leader_epoch,
            ids(&p.isr),
            p.replicas
                .iter()
                .copied()
                .filter(|b| *b != leader)
                .collect::<Vec<_>>(),
        );
        env.record(
            "kafka",
            if kind == "clean" {
                "leader-elected"
            } else {
                "unclean-leader-elected"
            },
            vec![
                ("topic", name.into()),
                ("partition", i64::from(partition).into()),
                ("leader", i64::from(leader).into()),
                ("leader_epoch", i64::from(epoch).into()),
                ("isr", isr.into()),
            ],
        );
        if let Some((from, to)) = lost {
            env.record(
                "kafka",
                "records-lost",
                vec![
                    ("topic", name.into()),
                    ("partition", i64::from(partition).into()),
                    ("offsets", format!("{from}..{}", to - 1).into()),
                    ("count", (to - from).into()),
                    ("new_leader", i64::from(leader).into()),
                    (
                        "why",
                        "acknowledged records never reached the new leader".into(),
                    ),
                ],
            );
        }
        self.append_metadata(env.now_ms);
        self.wake_followers(env, &followers);
    }

    fn elect_offline_partitions(&mut self, env: &mut Env) {
        let offline: Vec<(String, u32)> = self
            .topics
            .values()
            .flat_map(|t| {
                t.partitions
                    .iter()
                    .filter(|p| p.leader.is_none())
                    .map(move |p| (t.name.clone(), p.partition))
            })
            .collect();
        for (name, partition) in offline {
            self.elect_leader(env, &name, partition, None);
        }
    }

    // ---- the controller -----------------------------------------------------------------

    /// KRaft: the live voters elect a leader if they are a majority. ZooKeeper: the first
    /// live broker to create `/controller` wins (drawn from the RNG: it is a race).
    fn elect_controller(&mut self, env: &mut Env) {
        let candidates: Vec<BrokerId> = match self.controller.mode {
            ControllerMode::Kraft => {
                let live: Vec<BrokerId> = self
                    .controller
                    .voters
                    .iter()
                    .copied()
                    .filter(|v| self.is_running(*v))
                    .collect();
                if live.len() * 2 <= self.controller.voters.len() {
                    self.controller.leader = None;
                    env.record(
                        "kafka",
                        "quorum-unavailable",
                        vec![
                            ("voters", ids(&self.controller.voters).into()),
                            ("live", ids(&live).into()),
                            ("why", "a Raft leader needs a majority of the voters".into()),
                        ],
                    );
                    return;
                }
                live
            }
            ControllerMode::Zookeeper => self
                .brokers
                .values()
                .filter(|b| b.state == BrokerState::Running)
                .map(|b| b.id)
                .collect(),
        };
        if candidates.is_empty() {
            self.controller.leader = None;
            return;
        }
        let winner = candidates[env.rng.below(candidates.len() as u64) as usize];
        self.controller.leader = Some(winner);
        self.controller.epoch += 1;
        let mut fields: Vec<(&str, TraceValue)> = vec![
            ("mode", self.controller.mode.as_str().into()),
            ("controller", i64::from(winner).into()),
        ];
        match self.controller.mode {
            ControllerMode::Kraft => {
                fields.push(("leader_epoch", i64::from(self.controller.epoch).into()));
                fields.push(("voters", ids(&self.controller.voters).into()));
                fields.push(("how", "Raft vote among the controller quorum".into()));
            }
            ControllerMode::Zookeeper => {
                fields.push(("controller_epoch", i64::from(self.controller.epoch).into()));
                fields.push((
                    "how",
                    "won the race to create /controller in ZooKeeper".into(),
                ));
            }
        }
        env.record("kafka", "controller-elected", fields);
        self.append_metadata(env.now_ms);
        let pending: Vec<BrokerId> = std::mem::take(&mut self.pending_fences)
            .into_iter()
            .collect();
        for id in pending {
            if self.brokers[&id].state != BrokerState::Running {
                self.fence(env, id);
            }
        }
    }

    // ---- events -------------------------------------------------------------------------

    pub(super) fn on_event(&mut self, env: &mut Env, event: KafkaEvent) {
        match event {
            KafkaEvent::Fetch { broker } => self.follower_fetch(env, broker),
            KafkaEvent::IsrCheck { topic, partition } => self.isr_check(env, &topic, partition),
            KafkaEvent::SessionExpired { broker } => self.session_expired(env, broker),
            KafkaEvent::ControllerElection => self.check_quorum(env),
            KafkaEvent::LogCleanup => self.clean_logs(env),
            event @ (KafkaEvent::ConsumerPoll { .. }
            | KafkaEvent::Rejoin { .. }
            | KafkaEvent::PollTimeout { .. }
            | KafkaEvent::JoinDeadline { .. }
            | KafkaEvent::SessionTimeout { .. }) => self.on_group_event(env, event),
        }
    }

    /// KRaft: a quorum leader that lost its voters' majority resigns (check-quorum); a dead
    /// leader is replaced if a majority is left.
    fn check_quorum(&mut self, env: &mut Env) {
        let Some(leader) = self.controller.leader else {
            return;
        };
        let voters = &self.controller.voters;
        let live = voters.iter().filter(|v| self.is_running(**v)).count();
        if !self.is_running(leader) || live * 2 <= voters.len() {
            self.controller.leader = None;
            self.elect_controller(env);
        }
    }

    /// A voter went away: the quorum checks itself once followers notice.
    fn schedule_quorum_check(&self, env: &mut Env, id: BrokerId) {
        if self.controller.mode == ControllerMode::Kraft && self.controller.voters.contains(&id) {
            let at = env.now_ms + QUORUM_FETCH_TIMEOUT_MS;
            env.schedule_earliest(at, Event::Kafka(KafkaEvent::ControllerElection))
                .expect("the event queue has room");
        }
    }

    fn session_expired(&mut self, env: &mut Env, id: BrokerId) {
        if self.brokers[&id].state != BrokerState::Crashed || self.brokers[&id].fenced {
            return;
        }
        env.record(
            "kafka",
            "session-expired",
            vec![
                ("broker", i64::from(id).into()),
                ("mode", self.controller.mode.as_str().into()),
            ],
        );
        if self.controller.mode == ControllerMode::Zookeeper && self.controller.leader == Some(id) {
            // The controller's ephemeral /controller znode goes with its session.
            self.controller.leader = None;
            self.elect_controller(env);
        }
        self.fence(env, id);
    }

    fn follower_fetch(&mut self, env: &mut Env, broker: BrokerId) {
        if !self.is_running(broker) {
            return;
        }
        let names: Vec<String> = self.topics.keys().cloned().collect();
        for name in names {
            let limits = self.topics[&name].config().segment;
            let count = self.topics[&name].partitions.len() as u32;
            for partition in 0..count {
                let p = self.partition(&name, partition).expect("exists");
                let Some(leader) = p.leader else { continue };
                if leader == broker || !p.replicas.contains(&broker) || !self.is_running(leader) {
                    continue;
                }
                let now_ms = env.now_ms;
                let p = self.partition_mut(&name, partition).expect("exists");
                let outcome = p.fetch(broker, now_ms, limits);
                let isr = ids(&p.isr);
                if !outcome.truncated.is_empty() {
                    env.record(
                        "kafka",
                        "log-truncated",
                        vec![
                            ("topic", name.as_str().into()),
                            ("partition", i64::from(partition).into()),
                            ("broker", i64::from(broker).into()),
                            ("to_offset", outcome.truncated_to.into()),
                            ("removed", (outcome.truncated.len() as i64).into()),
                            (
                                "why",
                                "leader-epoch truncation: these records are not on the leader"
                                    .into(),
                            ),
                        ],
                    );
                }
                if outcome.joined_isr {
                    env.record(
                        "kafka",
                        "isr-expand",
                        vec![
                            ("topic", name.as_str().into()),
                            ("partition", i64::from(partition).into()),
                            ("added", i64::from(broker).into()),
                            ("isr", isr.into()),
                        ],
                    );
                    self.append_metadata(now_ms);
                }
            }
        }
    }

    fn isr_check(&mut self, env: &mut Env, name: &str, partition: u32) {
        let now_ms = env.now_ms;
        let Some(p) = self.partition_mut(name, partition) else {
            return;
        };
        for broker in p.out_of_sync(now_ms, REPLICA_LAG_TIME_MAX_MS) {
            if p.shrink_isr(broker) {
                env.record(
                    "kafka",
                    "isr-shrink",
                    vec![
                        ("topic", name.into()),
                        ("partition", i64::from(partition).into()),
                        ("removed", i64::from(broker).into()),
                        ("isr", ids(&p.isr).into()),
                        (
                            "why",
                            "behind the leader longer than replica.lag.time.max.ms".into(),
                        ),
                    ],
                );
            }
        }
        if let Some(at) = p.next_isr_check_ms(REPLICA_LAG_TIME_MAX_MS) {
            let event = Event::Kafka(KafkaEvent::IsrCheck {
                topic: name.to_string(),
                partition,
            });
            env.schedule_earliest(at.max(now_ms), event)
                .expect("the event queue has room");
        }
    }

    fn clean_logs(&mut self, env: &mut Env) {
        let now_ms = env.now_ms;
        for topic in self.topics.values_mut() {
            let config = topic.config();
            for p in &mut topic.partitions {
                let removed = p.clean(
                    now_ms,
                    config.retention_ms,
                    config.retention_bytes,
                    config.compact,
                );
                if removed > 0 {
                    env.record(
                        "kafka",
                        if config.compact {
                            "log-compacted"
                        } else {
                            "segments-deleted"
                        },
                        vec![
                            ("topic", topic.name.as_str().into()),
                            ("partition", i64::from(p.partition).into()),
                            ("records", (removed as i64).into()),
                            ("log_start_offset", p.log_start_offset().into()),
                        ],
                    );
                }
            }
        }
        let any_expiring = self.topics.values().any(|t| {
            let config = t.config();
            !config.compact
                && t.partitions
                    .iter()
                    .any(|p| p.next_expiry_ms(config.retention_ms).is_some())
        });
        if any_expiring {
            self.schedule_cleanup(env, false);
        }
    }
}

/// `0:[1,2,3] 1:[2,3,1]`: each partition's replicas, for the trace.
fn placement_text(topic: &Topic) -> String {
    topic
        .partitions
        .iter()
        .map(|p| format!("{}:[{}]", p.partition, ids(&p.replicas)))
        .collect::<Vec<_>>()
        .join(" ")
}
