//! One replica's copy of a partition: records in segments, the leader epoch cache (KIP-101,
//! KIP-279), truncation to a divergence point, and the log cleaner's two policies: `delete`
//! (retention by time and size, whole segments, a moving log start offset) and `compact` (the
//! last value per key).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::sim::Millis;

/// A position in a partition's log, as Kafka's `long` offsets.
pub type Offset = i64;

/// What a record costs in a segment besides its key, value and headers (Kafka's record
/// overhead is a few varints; a round figure keeps `retention.bytes` arithmetic readable).
pub const RECORD_OVERHEAD_BYTES: u64 = 16;

/// A record as a broker stores it. Key and value are shared (`Arc<str>`) with the producer's
/// record and with every copy a consumer reads, so handing a record on copies no payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub offset: Offset,
    pub timestamp_ms: Millis,
    pub key: Option<Arc<str>>,
    pub value: Option<Arc<str>>,
    pub headers: Vec<(String, String)>,
    /// The leader epoch in which the leader appended it.
    pub leader_epoch: i32,
    /// (producer id, sequence) for an idempotent producer, so a retried batch is not appended twice.
    pub producer_sequence: Option<(u64, u64)>,
}

impl Record {
    pub fn size_bytes(&self) -> u64 {
        size_bytes(&self.key, &self.value, &self.headers)
    }
}

/// A record's size in a segment or a producer batch.
fn size_bytes(
    key: &Option<Arc<str>>,
    value: &Option<Arc<str>>,
    headers: &[(String, String)],
) -> u64 {
    let text = |s: &Option<Arc<str>>| s.as_ref().map_or(0, |s| s.len() as u64);
    let headers: u64 = headers
        .iter()
        .map(|(k, v)| (k.len() + v.len()) as u64)
        .sum();
    RECORD_OVERHEAD_BYTES + text(key) + text(value) + headers
}

/// A record before the leader gives it an offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    pub timestamp_ms: Millis,
    pub key: Option<Arc<str>>,
    pub value: Option<Arc<str>>,
    pub headers: Vec<(String, String)>,
    pub producer_sequence: Option<(u64, u64)>,
}

impl NewRecord {
    pub fn size_bytes(&self) -> u64 {
        size_bytes(&self.key, &self.value, &self.headers)
    }
}

/// A run of consecutive records; retention deletes whole segments, never part of one.
///
/// Records are shared (`Arc`): a follower's copy of a leader's record is the same allocation,
/// as identical bytes on every replica are. The segment's size and newest timestamp are kept
/// as records come and go, because every append (the roll check) and every produce (the log
/// cleaner's next expiry) reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub base_offset: Offset,
    pub created_ms: Millis,
    records: Vec<Arc<Record>>,
    size_bytes: u64,
    max_timestamp_ms: Option<Millis>,
}

impl Segment {
    fn new(base_offset: Offset, created_ms: Millis) -> Self {
        Self {
            base_offset,
            created_ms,
            records: Vec::new(),
            size_bytes: 0,
            max_timestamp_ms: None,
        }
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.records.iter().map(|r| &**r)
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    fn max_timestamp_ms(&self) -> Option<Millis> {
        self.max_timestamp_ms
    }

    fn push(&mut self, record: Arc<Record>) {
        self.size_bytes += record.size_bytes();
        self.max_timestamp_ms = self.max_timestamp_ms.max(Some(record.timestamp_ms));
        self.records.push(record);
    }

    /// After records were removed from the middle or the end.
    fn recount(&mut self) {
        self.size_bytes = self.records.iter().map(|r| r.size_bytes()).sum();
        self.max_timestamp_ms = self.records.iter().map(|r| r.timestamp_ms).max();
    }
}

/// When a segment is closed and a new one started (`segment.ms`, `segment.bytes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentLimits {
    pub segment_ms: Millis,
    pub segment_bytes: u64,
}

/// (leader epoch, first offset the leader appended in it), as `leader-epoch-checkpoint` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: Offset,
}

/// One replica's log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaLog {
    segments: Vec<Segment>,
    log_start_offset: Offset,
    log_end_offset: Offset,
    epochs: Vec<EpochEntry>,
}

impl ReplicaLog {
    pub fn log_start_offset(&self) -> Offset {
        self.log_start_offset
    }

    pub fn log_end_offset(&self) -> Offset {
        self.log_end_offset
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    pub fn epochs(&self) -> &[EpochEntry] {
        &self.epochs
    }

    pub fn latest_epoch(&self) -> Option<i32> {
        self.epochs.last().map(|entry| entry.epoch)
    }

    /// Every stored record from `offset` on, in offset order (compaction may leave gaps).
    pub fn records_from(&self, offset: Offset) -> impl Iterator<Item = &Record> {
        self.shared_records_from(offset).map(|r| &**r)
    }

    /// The same records as `records_from`, shared. Offsets only grow along the log (gaps
    /// aside), so the start is found by binary search: a follower's fetch and a consumer's
    /// read cost what they return, not the log's length.
    pub(super) fn shared_records_from(&self, offset: Offset) -> impl Iterator<Item = &Arc<Record>> {
        let first = self
            .segments
            .partition_point(|segment| segment.base_offset <= offset)
            .saturating_sub(1);
        self.segments[first..].iter().flat_map(move |segment| {
            let start = segment.records.partition_point(|r| r.offset < offset);
            &segment.records[start..]
        })
    }

    /// The stored records, newest first.
    pub fn records_newest_first(&self) -> impl Iterator<Item = &Record> {
        self.segments
            .iter()
            .rev()
            .flat_map(|segment| segment.records.iter().rev())
            .map(|r| &**r)
    }

    /// A new leader starts its epoch at its log end offset (`maybeAssignEpochStartOffset`).
    pub fn assign_epoch(&mut self, epoch: i32) {
        if self.latest_epoch().is_some_and(|latest| latest >= epoch) {
            return;
        }
        self.epochs.push(EpochEntry {
            epoch,
            start_offset: self.log_end_offset,
        });
    }

    /// The leader appends `record` at its log end offset and returns that offset.
    pub fn append_as_leader(
        &mut self,
        record: NewRecord,
        epoch: i32,
        now_ms: Millis,
        limits: SegmentLimits,
    ) -> Offset {
        let offset = self.log_end_offset;
        self.push(
            Arc::new(Record {
                offset,
                timestamp_ms: record.timestamp_ms,
                key: record.key,
                value: record.value,
                headers: record.headers,
                leader_epoch: epoch,
                producer_sequence: record.producer_sequence,
            }),
            now_ms,
            limits,
        );
        offset
    }

    /// A follower stores a copy of a leader's record, keeping its offset and epoch.
    pub fn append_replica(&mut self, record: Arc<Record>, now_ms: Millis, limits: SegmentLimits) {
        assert!(
            record.offset >= self.log_end_offset,
            "a follower appends at its log end offset"
        );
        if self
            .latest_epoch()
            .is_none_or(|latest| latest < record.leader_epoch)
        {
            self.epochs.push(EpochEntry {
                epoch: record.leader_epoch,
                start_offset: record.offset,
            });
        }
        self.push(record, now_ms, limits);
    }

    fn push(&mut self, record: Arc<Record>, now_ms: Millis, limits: SegmentLimits) {
        let roll = match self.segments.last() {
            None => true,
            Some(active) => {
                !active.records.is_empty()
                    && (now_ms - active.created_ms >= limits.segment_ms
                        || active.size_bytes() + record.size_bytes() > limits.segment_bytes)
            }
        };
        if roll {
            self.segments.push(Segment::new(record.offset, now_ms));
        }
        self.log_end_offset = record.offset + 1;
        self.segments
            .last_mut()
            .expect("a segment was just ensured")
            .push(record);
    }

    /// The leader's answer to `OffsetsForLeaderEpoch`: the largest epoch it knows that is not
    /// after `epoch`, and where that epoch ends in its log. `None` when it knows none that early.
    pub fn end_offset_for_epoch(&self, epoch: i32) -> Option<(i32, Offset)> {
        let index = self.epochs.iter().rposition(|entry| entry.epoch <= epoch)?;
        let end = self
            .epochs
            .get(index + 1)
            .map_or(self.log_end_offset, |next| next.start_offset);
        Some((self.epochs[index].epoch, end))
    }

    /// Removes every record at or after `offset` and returns them (leader-epoch truncation).
    pub fn truncate_to(&mut self, offset: Offset) -> Vec<Record> {
        if offset >= self.log_end_offset {
            return Vec::new();
        }
        let mut removed = Vec::new();
        for segment in &mut self.segments {
            let keep = segment.records.partition_point(|r| r.offset < offset);
            if keep < segment.records.len() {
                removed.extend(segment.records.drain(keep..).map(Arc::unwrap_or_clone));
                segment.recount();
            }
        }
        self.segments
            .retain(|segment| segment.base_offset < offset || !segment.records.is_empty());
        self.segments.retain(|segment| !segment.records.is_empty());
        self.epochs.retain(|entry| entry.start_offset < offset);
        self.log_end_offset = offset.max(self.log_start_offset);
        removed
    }

    /// Drops everything and starts empty at `offset`: a follower whose log ends before the
    /// leader's log start offset cannot catch up record by record.
    pub fn reset_to(&mut self, offset: Offset) -> Vec<Record> {
        let removed = self
            .segments
            .drain(..)
            .flat_map(|s| s.records)
            .map(Arc::unwrap_or_clone)
            .collect();
        self.epochs.clear();
        self.log_start_offset = offset;
        self.log_end_offset = offset;
        removed
    }

    /// `cleanup.policy=delete`: removes the oldest segments whose newest record is older than
    /// `retention_ms`, then more while the log is over `retention_bytes` (`-1` turns either
    /// off). The active segment goes too when it expired whole and is below the high
    /// watermark (Kafka rolls a new, empty one). Returns the records deleted.
    pub fn delete_expired(
        &mut self,
        now_ms: Millis,
        retention_ms: i64,
        retention_bytes: i64,
        high_watermark: Offset,
    ) -> usize {
        let mut deleted = 0;
        let mut size: u64 = self.segments.iter().map(Segment::size_bytes).sum();
        while let Some(oldest) = self.segments.first() {
            let is_active = self.segments.len() == 1;
            let below_high_watermark = oldest
                .records
                .last()
                .is_some_and(|r| r.offset < high_watermark);
            let expired = retention_ms >= 0
                && oldest
                    .max_timestamp_ms()
                    .is_some_and(|ts| now_ms - ts > retention_ms);
            let oversized = retention_bytes >= 0
                && !is_active
                && size - oldest.size_bytes() >= retention_bytes as u64;
            if !below_high_watermark || !(expired || oversized) {
                break;
            }
            let segment = self.segments.remove(0);
            size -= segment.size_bytes();
            deleted += segment.records.len();
            self.log_start_offset = self
                .segments
                .first()
                .map_or(self.log_end_offset, |next| next.base_offset);
        }
        deleted
    }

    /// `cleanup.policy=compact`: in the closed segments below the high watermark, a keyed
    /// record whose key appears again later is removed. Offsets do not change; readers skip the gaps.
    pub fn compact(&mut self, high_watermark: Offset) -> usize {
        let Some(active_base) = self.segments.last().map(|s| s.base_offset) else {
            return 0;
        };
        let cleanable_end = active_base.min(high_watermark);
        let mut last_offset_of_key = std::collections::BTreeMap::new();
        for record in self.records_from(self.log_start_offset) {
            if let Some(key) = &record.key {
                last_offset_of_key.insert(key.clone(), record.offset);
            }
        }
        let mut removed = 0;
        for segment in &mut self.segments {
            let before = segment.records.len();
            segment.records.retain(|record| {
                record.offset >= cleanable_end
                    || record
                        .key
                        .as_ref()
                        .is_none_or(|key| last_offset_of_key[key] == record.offset)
            });
            if segment.records.len() < before {
                removed += before - segment.records.len();
                segment.recount();
            }
        }
        removed
    }

    /// When the oldest record still stored expires under `retention_ms`, if it can.
    pub fn next_expiry_ms(&self, retention_ms: i64) -> Option<Millis> {
        if retention_ms < 0 {
            return None;
        }
        let oldest = self.segments.first()?.max_timestamp_ms()?;
        Some(oldest + retention_ms + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SegmentLimits = SegmentLimits {
        segment_ms: 60_000,
        segment_bytes: 1 << 30,
    };

    fn record(key: &str, value: &str, timestamp_ms: Millis) -> NewRecord {
        NewRecord {
            timestamp_ms,
            key: Some(key.into()),
            value: Some(value.into()),
            headers: Vec::new(),
            producer_sequence: None,
        }
    }

    fn values(log: &ReplicaLog) -> Vec<String> {
        log.records_from(0)
            .map(|r| r.value.as_deref().unwrap().to_string())
            .collect()
    }

    #[test]
    fn leader_appends_get_consecutive_offsets_and_roll_segments_on_time() {
        let mut log = ReplicaLog::default();
        log.assign_epoch(0);
        assert_eq!(log.append_as_leader(record("a", "1", 0), 0, 0, LIMITS), 0);
        assert_eq!(log.append_as_leader(record("b", "2", 10), 0, 10, LIMITS), 1);
        assert_eq!(
            log.append_as_leader(record("c", "3", 70_000), 0, 70_000, LIMITS),
            2
        );
        assert_eq!(log.segments().len(), 2);
        assert_eq!(log.log_end_offset(), 3);
    }

    // KIP-279's example: the follower has epochs 0..1, the leader moved to epoch 2 at offset 2,
    // so the follower's epoch 1 ends at 2 on the leader and the follower truncates there.
    #[test]
    fn epoch_end_offsets_find_the_divergence_point() {
        let mut leader = ReplicaLog::default();
        leader.assign_epoch(0);
        leader.append_as_leader(record("a", "1", 0), 0, 0, LIMITS);
        leader.append_as_leader(record("b", "2", 0), 0, 0, LIMITS);
        leader.assign_epoch(2);
        assert_eq!(leader.end_offset_for_epoch(0), Some((0, 2)));
        assert_eq!(leader.end_offset_for_epoch(1), Some((0, 2)));
        assert_eq!(leader.end_offset_for_epoch(2), Some((2, 2)));
        let mut follower = leader.clone();
        follower.assign_epoch(1);
        follower.append_as_leader(record("x", "lost", 0), 1, 0, LIMITS);
        let removed = follower.truncate_to(2);
        assert_eq!(removed.len(), 1);
        assert_eq!(follower.log_end_offset(), 2);
        assert_eq!(follower.latest_epoch(), Some(0));
    }

    #[test]
    fn retention_deletes_whole_expired_segments_and_moves_the_log_start() {
        let mut log = ReplicaLog::default();
        for (i, t) in [0, 1_000, 61_000, 62_000].into_iter().enumerate() {
            log.append_as_leader(record("k", &i.to_string(), t), 0, t, LIMITS);
        }
        assert_eq!(log.delete_expired(100_000, 60_000, -1, 4), 2);
        assert_eq!(log.log_start_offset(), 2);
        assert_eq!(values(&log), ["2", "3"]);
        // Not below the high watermark yet: kept.
        assert_eq!(log.delete_expired(500_000, 60_000, -1, 3), 0);
        assert_eq!(log.delete_expired(500_000, 60_000, -1, 4), 2);
        assert_eq!((log.log_start_offset(), log.log_end_offset()), (4, 4));
    }

    #[test]
    fn size_retention_keeps_the_active_segment() {
        let mut log = ReplicaLog::default();
        for t in [0, 60_000, 120_000] {
            log.append_as_leader(record("k", "v", t), 0, t, LIMITS);
        }
        assert_eq!(log.delete_expired(120_000, -1, 0, 3), 2);
        assert_eq!(log.log_start_offset(), 2);
    }

    #[test]
    fn compaction_keeps_the_last_value_per_key() {
        let mut log = ReplicaLog::default();
        for (i, (key, t)) in [("a", 0), ("b", 1), ("a", 2), ("a", 61_000)]
            .into_iter()
            .enumerate()
        {
            log.append_as_leader(record(key, &i.to_string(), t), 0, t, LIMITS);
        }
        // Only the closed segment is cleaned; the latest "a" (offset 3) is in the active one.
        assert_eq!(log.compact(4), 2);
        assert_eq!(values(&log), ["1", "3"]);
    }
}
