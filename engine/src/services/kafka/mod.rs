//! Kafka, as the course teaches it. These modules hold the pieces whose behaviour is fixed by
//! Kafka itself and needs no cluster state: the producer's default partitioner (`partitioner`)
//! and the consumer's client-side partition assignors (`assignors`). The cluster (brokers,
//! topics, logs, consumer groups) is built on top of them.

pub mod assignors;
pub mod partitioner;
