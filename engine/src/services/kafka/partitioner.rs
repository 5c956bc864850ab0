//! Which partition a producer record goes to, as Kafka's Java producer (3.x) decides it: an
//! explicit partition wins; a keyed record goes to `murmur2(key) % partitions`, so learners can
//! predict it and a real cluster agrees; a keyless record goes to the sticky partition, which
//! changes once a batch's worth of bytes was produced to it (KIP-480, KIP-794).
//!
//! The hash must match Kafka bit for bit: it is what makes "same key, same partition" hold
//! between the playground and any Java, librdkafka (`murmur2_random`) or kafka-python client.

use std::num::NonZeroU32;

/// The seed of Kafka's `Utils.murmur2`.
const MURMUR2_SEED: u32 = 0x9747_b28c;
/// Murmur2's mixing constants `m` and `r`.
const MURMUR2_M: u32 = 0x5bd1_e995;
const MURMUR2_R: u32 = 24;

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 of the key bytes, as a Java `int`.
///
/// Java does this in signed `int` arithmetic with `>>>` shifts; wrapping `u32` arithmetic gives
/// the same bits, so the result is reinterpreted as `i32` only at the end.
pub fn murmur2(data: &[u8]) -> i32 {
    // Java's `int h = seed ^ length` truncates the length to 32 bits, as this cast does.
    let mut h = MURMUR2_SEED ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for chunk in &mut chunks {
        let mut k = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        k = k.wrapping_mul(MURMUR2_M);
        k ^= k >> MURMUR2_R;
        k = k.wrapping_mul(MURMUR2_M);
        h = h.wrapping_mul(MURMUR2_M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        // Kafka's switch falls through from case 3 to case 1: each tail byte lands in its lane.
        for (lane, &byte) in tail.iter().enumerate() {
            h ^= u32::from(byte) << (8 * lane);
        }
        h = h.wrapping_mul(MURMUR2_M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(MURMUR2_M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit rather than taking `abs`, so
/// `i32::MIN` maps to 0 instead of overflowing.
pub fn to_positive(number: i32) -> u32 {
    (number & 0x7fff_ffff) as u32
}

/// `BuiltInPartitioner.partitionForKey`: the partition of a keyed record.
pub fn partition_for_key(key: &[u8], partition_count: NonZeroU32) -> u32 {
    to_positive(murmur2(key)) % partition_count
}

/// Where `KafkaProducer.partition` sends a record before the accumulator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A known partition: the record named one, or its key chose one.
    Partition(u32),
    /// No key: the topic's [`StickyPartitioner`] decides.
    Sticky,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartitionError {
    /// The record names a partition the topic does not have. The Java producer waits
    /// `max.block.ms` for metadata that never shows it, then fails with `TimeoutException:
    /// Partition {partition} of topic {topic} with partition count {partition_count} is not
    /// present in metadata after {max.block.ms} ms.`
    NotInMetadata {
        partition: u32,
        partition_count: u32,
    },
}

/// The default partitioner's decision for a record with an optional explicit partition and an
/// optional serialized key (both nullable in Kafka's `ProducerRecord`).
pub fn target(
    partition: Option<u32>,
    key: Option<&[u8]>,
    partition_count: NonZeroU32,
) -> Result<Target, PartitionError> {
    match (partition, key) {
        (Some(partition), _) if partition >= partition_count.get() => {
            Err(PartitionError::NotInMetadata {
                partition,
                partition_count: partition_count.get(),
            })
        }
        (Some(partition), _) => Ok(Target::Partition(partition)),
        (None, Some(key)) => Ok(Target::Partition(partition_for_key(key, partition_count))),
        (None, None) => Ok(Target::Sticky),
    }
}

/// One topic's sticky partition for keyless records (`BuiltInPartitioner` with every partition
/// available and adaptive partitioning off): records stay on one partition until about
/// `batch.size` bytes went there, so batches fill up instead of each record opening its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StickyPartitioner {
    sticky_batch_size_bytes: u32,
    current: Option<StickyPartition>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StickyPartition {
    partition: u32,
    produced_bytes: u32,
}

impl StickyPartitioner {
    /// A partitioner for a producer with this `batch.size`. Kafka uses `max(1, batch.size)`,
    /// so `batch.size=0` (batching off) switches partition after every record.
    pub fn new(batch_size_bytes: u32) -> Self {
        Self {
            sticky_batch_size_bytes: batch_size_bytes.max(1),
            current: None,
        }
    }

    /// The partition the next keyless record goes to (`peekCurrentPartitionInfo`). Choosing
    /// one draws from `pick`, which must return a uniform value in `0..n` for the `n` it is
    /// given (the world's `SimRng`: `|n| rng.below(n.into()) as u32`).
    pub fn partition(
        &mut self,
        partition_count: NonZeroU32,
        pick: &mut impl FnMut(u32) -> u32,
    ) -> u32 {
        if let Some(current) = self.current {
            return current.partition;
        }
        let partition = pick(partition_count.get());
        assert!(
            partition < partition_count.get(),
            "pick must return a value below its bound"
        );
        self.current = Some(StickyPartition {
            partition,
            produced_bytes: 0,
        });
        partition
    }

    /// Counts `appended_bytes` produced to the sticky partition (`updatePartitionInfo`).
    /// `batch_full` says the partition's last batch is full, as the accumulator's
    /// `allBatchesFull` does: Kafka switches only then, so a half-full batch is not left behind,
    /// unless twice `batch.size` went to the partition anyway.
    pub fn record_appended(&mut self, appended_bytes: u32, batch_full: bool) {
        let Some(current) = &mut self.current else {
            return;
        };
        current.produced_bytes = current.produced_bytes.saturating_add(appended_bytes);
        let produced = current.produced_bytes;
        let enough = produced >= self.sticky_batch_size_bytes;
        let too_much = produced >= self.sticky_batch_size_bytes.saturating_mul(2);
        if (enough && batch_full) || too_much {
            // The next keyless record chooses a new partition: Kafka draws it here, the
            // playground when that record comes, which changes when the RNG is drawn, not what.
            self.current = None;
        }
    }

    /// The partition's batches became full later (sent or closed), so a switch that was held
    /// back may happen now: the accumulator's `updatePartitionInfo(info, 0, cluster, true)`.
    pub fn batch_completed(&mut self) {
        self.record_appended(0, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimRng;

    fn count(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).expect("test partition counts are positive")
    }

    fn check_murmur2(input: &[u8], expect: i32) {
        assert_eq!(
            murmur2(input),
            expect,
            "murmur2({:?})",
            String::from_utf8_lossy(input)
        );
    }

    /// Vectors from Kafka's `UtilsTest.testMurmur2` (clients/src/test/java/org/apache/kafka/
    /// common/utils/UtilsTest.java): lengths 0 to 3 mod 4 exercise every tail case.
    #[test]
    fn murmur2_matches_kafka_utils_test() {
        check_murmur2(b"21", -973_932_308);
        check_murmur2(b"foobar", -790_332_482);
        check_murmur2(b"a-little-bit-long-string", -985_981_536);
        check_murmur2(b"a-little-bit-longer-string", -1_486_304_829);
        check_murmur2(
            b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
            -58_897_971,
        );
        check_murmur2(b"abc", 479_470_107);
    }

    #[test]
    fn to_positive_clears_the_sign_bit_like_kafka() {
        assert_eq!(to_positive(-1), 0x7fff_ffff);
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(5), 5);
        assert_eq!(to_positive(-973_932_308), 1_173_551_340);
    }

    fn check_keys(partition_count: u32, expect: [u32; 10]) {
        let partitions: Vec<u32> = (1..=10)
            .map(|i| partition_for_key(format!("key{i}").as_bytes(), count(partition_count)))
            .collect();
        assert_eq!(
            partitions, expect,
            "key1..key10 over {partition_count} partitions"
        );
    }

    /// What a learner sees on a real cluster with `kafka-console-producer.sh --property
    /// parse.key=true` and string keys "key1".."key10".
    #[test]
    fn keys_land_where_a_real_cluster_puts_them() {
        check_keys(3, [2, 2, 1, 0, 1, 0, 0, 1, 2, 0]);
        check_keys(6, [2, 5, 1, 3, 1, 0, 3, 1, 5, 0]);
        check_keys(12, [8, 11, 1, 9, 7, 0, 3, 7, 11, 0]);
    }

    /// Published partitions over 1000 partitions that kafka-python checked against the Java
    /// producer (dpkp/kafka-python `test/test_partitioner.py`, `test_murmur2_java_compatibility`).
    #[test]
    fn keys_match_partitions_published_from_the_java_producer() {
        let published: [(&[u8], u32); 6] = [
            (b"", 681),
            (b"a", 524),
            (b"ab", 434),
            (b"abc", 107),
            (b"123456789", 566),
            (b"\x00 ", 742),
        ];
        for (key, expect) in published {
            assert_eq!(partition_for_key(key, count(1000)), expect, "key {key:?}");
        }
    }

    /// `DefaultPartitionerTest.testKeyPartitionIsStable`: the same key, the same partition.
    #[test]
    fn key_partition_is_stable() {
        let first = target(None, Some(b"key"), count(3));
        assert_eq!(first, target(None, Some(b"key"), count(3)));
        assert_eq!(
            first,
            Ok(Target::Partition(partition_for_key(b"key", count(3))))
        );
    }

    #[test]
    fn explicit_partition_wins_over_the_key() {
        assert_eq!(
            target(Some(2), Some(b"key1"), count(3)),
            Ok(Target::Partition(2))
        );
        assert_eq!(target(Some(1), None, count(3)), Ok(Target::Partition(1)));
        assert_eq!(target(None, None, count(3)), Ok(Target::Sticky));
        assert_eq!(
            target(Some(3), None, count(3)),
            Err(PartitionError::NotInMetadata {
                partition: 3,
                partition_count: 3
            })
        );
    }

    /// Kafka's `BuiltInPartitionerTest.SequentialPartitioner`: "random" values 0, 1, 2, ….
    fn sequential() -> impl FnMut(u32) -> u32 {
        let mut next = 0;
        move |n| {
            let value = next % n;
            next += 1;
            value
        }
    }

    /// `BuiltInPartitionerTest.testStickyPartitioning`: no switch before `batch.size` bytes,
    /// a switch after; one partition keeps switching to itself.
    #[test]
    fn sticky_partition_switches_after_batch_size_bytes() {
        let mut pick = sequential();
        let mut sticky = StickyPartitioner::new(3);
        let first = sticky.partition(count(3), &mut pick);
        for _ in 0..2 {
            sticky.record_appended(1, true);
            assert_eq!(sticky.partition(count(3), &mut pick), first);
        }
        sticky.record_appended(1, true);
        assert_ne!(sticky.partition(count(3), &mut pick), first);

        let mut single = StickyPartitioner::new(1);
        for _ in 0..10 {
            assert_eq!(single.partition(count(1), &mut pick), 0);
            single.record_appended(1, true);
        }
    }

    /// `BuiltInPartitionerTest.testStickyBatchSizeMoreThatZero`: Kafka rejects a sticky batch
    /// size of 0, and the producer never passes one because it uses `max(1, batch.size)`.
    #[test]
    fn batch_size_zero_switches_after_every_record() {
        let mut pick = sequential();
        let mut sticky = StickyPartitioner::new(0);
        let chosen: Vec<u32> = (0..4)
            .map(|_| {
                let partition = sticky.partition(count(3), &mut pick);
                sticky.record_appended(1, true);
                partition
            })
            .collect();
        assert_eq!(chosen, [0, 1, 2, 0]);
    }

    /// `RecordAccumulator` holds a switch back while the last batch is not full, and forces it
    /// at twice `batch.size`.
    #[test]
    fn switch_waits_for_a_full_batch_up_to_twice_batch_size() {
        let mut pick = sequential();
        let mut sticky = StickyPartitioner::new(10);
        assert_eq!(sticky.partition(count(4), &mut pick), 0);
        sticky.record_appended(12, false);
        assert_eq!(
            sticky.partition(count(4), &mut pick),
            0,
            "batch not full yet"
        );
        sticky.batch_completed();
        assert_eq!(
            sticky.partition(count(4), &mut pick),
            1,
            "switch once it filled"
        );
        sticky.record_appended(19, false);
        assert_eq!(sticky.partition(count(4), &mut pick), 1);
        sticky.record_appended(1, false);
        assert_eq!(
            sticky.partition(count(4), &mut pick),
            2,
            "forced at 2 x batch.size"
        );
    }

    #[test]
    fn sticky_partitions_come_from_the_world_rng() {
        let choose = |seed| {
            let mut rng = SimRng::from_seed(seed);
            let mut pick = |n: u32| rng.below(n.into()) as u32;
            let mut sticky = StickyPartitioner::new(1);
            (0..20)
                .map(|_| {
                    let partition = sticky.partition(count(6), &mut pick);
                    sticky.record_appended(1, true);
                    partition
                })
                .collect::<Vec<u32>>()
        };
        assert_eq!(choose(7), choose(7));
        assert!(choose(7).iter().all(|&p| p < 6));
    }
}
