//! Kafka, as the course teaches it. The pieces fixed by Kafka itself and needing no cluster
//! state: the producer's default partitioner (`partitioner`) and the consumer's client-side
//! partition assignors (`assignors`). On top of them the cluster (`cluster`): brokers, a
//! controller (ZooKeeper or a KRaft quorum), topics (`topic`) whose replicas are placed as
//! `AdminUtils` places them (`placement`), partitions that replicate on the clock
//! (`partition`) and each replica's log (`log`).
//!
//! Consumer groups (`group`): the coordinator's side of the classic protocol and the
//! consumers the learner starts, polling, committing and rebalancing on the clock.

pub mod assignors;
pub mod client;
pub mod cluster;
pub mod group;
#[cfg(test)]
mod group_tests;
pub mod log;
pub mod partition;
pub mod partitioner;
pub mod placement;
pub mod topic;

use serde::{Deserialize, Serialize};

pub use cluster::{
    Acks, Appended, Broker, BrokerState, Cluster, Controller, ControllerMode, ProducerActivity,
};
pub use log::{NewRecord, Offset, Record, SharedRecord};
pub use partition::Partition;
pub use topic::{Topic, TopicConfig};

use crate::sim::{Env, Millis};

/// A broker's `node.id` / `broker.id`.
pub type BrokerId = i32;

/// Broker ids as Kafka's tools print them: `1,3,2`.
pub fn broker_ids(brokers: &[BrokerId]) -> String {
    brokers
        .iter()
        .map(BrokerId::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The service: at most one cluster per world (`localhost:9092`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Kafka {
    cluster: Option<Cluster>,
}

impl Kafka {
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_ref()
    }

    pub fn cluster_mut(&mut self) -> Option<&mut Cluster> {
        self.cluster.as_mut()
    }

    /// Starts a cluster of `brokers` brokers (ids 1..=N).
    pub fn create_cluster(
        &mut self,
        env: &mut Env,
        brokers: u32,
        mode: ControllerMode,
    ) -> Result<&mut Cluster, KafkaError> {
        if self.cluster.is_some() {
            return Err(KafkaError::ClusterExists);
        }
        if brokers == 0 || brokers > cluster::BROKERS_MAX {
            return Err(KafkaError::BrokerCount { brokers });
        }
        Ok(self.cluster.insert(Cluster::new(env, brokers, mode)))
    }

    pub fn on_event(&mut self, env: &mut Env, event: KafkaEvent) {
        if let Some(cluster) = &mut self.cluster {
            cluster.on_event(env, event);
        }
    }
}

/// The cluster's work on the event queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KafkaEvent {
    /// A follower broker fetches from the leaders of its partitions.
    Fetch { broker: BrokerId },
    /// The leader drops followers that stayed behind longer than `replica.lag.time.max.ms`.
    IsrCheck { topic: String, partition: u32 },
    /// A crashed broker's session times out; the controller fences it.
    SessionExpired { broker: BrokerId },
    /// The KRaft voters elect a new quorum leader (the active controller).
    ControllerElection,
    /// The log cleaner: retention (`log.retention.check.interval.ms`) and compaction.
    LogCleanup,
    /// A consumer's poll loop goes round.
    ConsumerPoll { consumer: u32 },
    /// The heartbeat thread checks that the application polled since `polled_ms` within
    /// `max.poll.interval.ms`.
    PollTimeout { consumer: u32, polled_ms: Millis },
    /// A member's heartbeat learns of a rebalance; it rejoins.
    Rejoin { consumer: u32 },
    /// The join phase of a group's rebalance may end (initial delay or rebalance timeout).
    JoinDeadline { group: String },
    /// A member's session may have run out without a heartbeat.
    SessionTimeout { group: String, member: String },
}

impl KafkaEvent {
    pub fn describe(&self) -> String {
        match self {
            KafkaEvent::Fetch { broker } => {
                format!("kafka: broker {broker} fetches from its leaders")
            }
            KafkaEvent::IsrCheck { topic, partition } => {
                format!("kafka: {topic}-{partition} checks its ISR against replica.lag.time.max.ms")
            }
            KafkaEvent::SessionExpired { broker } => {
                format!("kafka: broker {broker}'s session expires")
            }
            KafkaEvent::ControllerElection => "kafka: the KRaft quorum elects a leader".into(),
            KafkaEvent::LogCleanup => "kafka: log retention and compaction check".into(),
            KafkaEvent::ConsumerPoll { consumer } => format!("kafka: consumer {consumer} polls"),
            KafkaEvent::PollTimeout { consumer, .. } => {
                format!("kafka: consumer {consumer}'s heartbeat thread checks max.poll.interval.ms")
            }
            KafkaEvent::Rejoin { consumer } => {
                format!("kafka: consumer {consumer} heartbeats and rejoins its rebalancing group")
            }
            KafkaEvent::JoinDeadline { group } => {
                format!("kafka: group {group}'s join phase may end")
            }
            KafkaEvent::SessionTimeout { group, member } => {
                format!("kafka: {member}'s session in group {group} may expire")
            }
        }
    }
}

/// What a Kafka request can fail with. The shell names the Java exception and its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaError {
    ClusterExists,
    BrokerCount {
        brokers: u32,
    },
    UnknownBroker {
        broker: BrokerId,
    },
    TopicExists {
        topic: String,
    },
    UnknownTopic {
        topic: String,
    },
    InvalidTopic {
        message: String,
    },
    InvalidPartitions {
        topic: String,
        current: u32,
        requested: u32,
    },
    InvalidReplicationFactor {
        replication_factor: u32,
        brokers: usize,
    },
    InvalidConfig {
        message: String,
    },
    /// No active controller: metadata cannot change.
    ControllerUnavailable,
    // Produce errors, from the partition leader.
    LeaderNotAvailable,
    NotLeaderOrFollower,
    /// The leader's broker is down but not yet fenced: the request gets no answer.
    NetworkException,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    RequestTimedOut,
    /// No running consumer has this handle.
    UnknownConsumer {
        consumer: u32,
    },
    /// Offsets of a group with members cannot be reset.
    GroupNotInactive {
        group: String,
        state: String,
    },
    GroupIdNotFound {
        group: String,
    },
    GroupNotEmpty {
        group: String,
    },
    /// A keyless record for a compacted topic.
    CompactedTopicWithoutKey {
        topic: String,
        partition: u32,
    },
}

impl KafkaError {
    /// Whether the Java producer retries it (`RetriableException`).
    pub fn retriable(&self) -> bool {
        matches!(
            self,
            KafkaError::LeaderNotAvailable
                | KafkaError::NotLeaderOrFollower
                | KafkaError::NetworkException
                | KafkaError::NotEnoughReplicas
                | KafkaError::NotEnoughReplicasAfterAppend
                | KafkaError::RequestTimedOut
        )
    }
}
