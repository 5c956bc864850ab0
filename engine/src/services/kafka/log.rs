//! One replica's copy of a partition: records in segments, the leader epoch cache (KIP-101,
//! KIP-279), truncation to a divergence point, and the log cleaner's two policies: `delete`
//! (retention by time and size, whole segments, a moving log start offset) and `compact` (the
//! last value per key).
//!
//! Records are stored in **runs**: the records one produce request appended, in one shared
//! allocation (`Arc<[Record]>`), as Kafka keeps a `RecordBatch` whole. A follower copies the
//! leader's runs by sharing them (identical bytes on every replica, one reference count per
//! batch rather than per record), a consumer holds a record through its run
//! (`SharedRecord`), and a segment rolls only between runs, as Kafka rolls between appends.
//! Only truncation into the middle of a run and compaction copy records, into new runs.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::sim::Millis;

/// A position in a partition's log, as Kafka's `long` offsets.
pub type Offset = i64;

/// What a record costs in a segment besides its key, value and headers (Kafka's record
/// overhead is a few varints; a round figure keeps `retention.bytes` arithmetic readable).
pub const RECORD_OVERHEAD_BYTES: u64 = 16;

/// A record as a broker stores it. Key and value are shared (`Arc<str>`) with the producer's
/// record, so storing a record copies no payload.
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

/// Records appended together, in offset order (never empty).
pub type Run = Arc<[Record]>;

/// A record as a reader holds it: its run, shared with the brokers' logs, and its place in
/// it. It reads as a `Record`; cloning it copies a pointer.
#[derive(Clone)]
pub struct SharedRecord {
    run: Run,
    index: usize,
}

impl SharedRecord {
    /// Record `index` of `run`.
    pub(super) fn in_run(run: &Run, index: usize) -> Self {
        Self {
            run: Arc::clone(run),
            index,
        }
    }

    /// A record of its own (a copy read back from a saved world).
    pub fn new(record: Record) -> Self {
        Self {
            run: Arc::from([record]),
            index: 0,
        }
    }
}

impl Deref for SharedRecord {
    type Target = Record;

    fn deref(&self) -> &Record {
        &self.run[self.index]
    }
}

impl fmt::Debug for SharedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Record::fmt(self, f)
    }
}

impl PartialEq for SharedRecord {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SharedRecord {}

impl Serialize for SharedRecord {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Record::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for SharedRecord {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Record::deserialize(deserializer).map(SharedRecord::new)
    }
}

/// The last record of a run.
fn last(run: &Run) -> &Record {
    run.last().expect("runs are never empty")
}

/// Consecutive runs of records; retention deletes whole segments, never part of one.
///
/// The segment's size and newest timestamp are kept as runs come and go, because every
/// append (the roll check) and every produce (the log cleaner's next expiry) reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub base_offset: Offset,
    pub created_ms: Millis,
    runs: Vec<Run>,
    size_bytes: u64,
    max_timestamp_ms: Option<Millis>,
}

impl Segment {
    fn new(base_offset: Offset, created_ms: Millis) -> Self {
        Self {
            base_offset,
            created_ms,
            runs: Vec::new(),
            size_bytes: 0,
            max_timestamp_ms: None,
        }
    }

    pub fn records(&self) -> impl DoubleEndedIterator<Item = &Record> {
        self.runs.iter().flat_map(|run| run.iter())
    }

    pub fn len(&self) -> usize {
        self.runs.iter().map(|run| run.len()).sum()
    }

    /// Runs are never empty, so a segment is empty when it has none.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_bytes
    }

    fn max_timestamp_ms(&self) -> Option<Millis> {
        self.max_timestamp_ms
    }

    fn last_record(&self) -> Option<&Record> {
        self.runs.last().map(last)
    }

    fn push(&mut self, run: Run, size_bytes: u64) {
        self.size_bytes += size_bytes;
        let newest = run.iter().map(|r| r.timestamp_ms).max();
        self.max_timestamp_ms = self.max_timestamp_ms.max(newest);
        self.runs.push(run);
    }

    /// After records were removed from the middle or the end.
    fn recount(&mut self) {
        self.size_bytes = self.records().map(Record::size_bytes).sum();
        self.max_timestamp_ms = self.records().map(|r| r.timestamp_ms).max();
    }

    /// The runs holding records at or after `offset`, each with the index of its first such
    /// record (binary searches: a fetch costs what it returns, not the segment's length).
    fn runs_from(&self, offset: Offset) -> impl Iterator<Item = (&Run, usize)> {
        let first = self.runs.partition_point(|run| last(run).offset < offset);
        self.runs[first..]
            .iter()
            .map(move |run| (run, run.partition_point(|r| r.offset < offset)))
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

    /// The runs holding records at or after `offset`, with the index of the first such
    /// record in each. Offsets only grow along the log (gaps aside), so the start is found by
    /// binary search.
    fn runs_from(&self, offset: Offset) -> impl Iterator<Item = (&Run, usize)> {
        let first = self
            .segments
            .partition_point(|segment| segment.base_offset <= offset)
            .saturating_sub(1);
        self.segments[first..]
            .iter()
            .flat_map(move |segment| segment.runs_from(offset))
    }

    /// Every stored record from `offset` on, in offset order (compaction may leave gaps).
    pub fn records_from(&self, offset: Offset) -> impl Iterator<Item = &Record> {
        self.runs_from(offset)
            .flat_map(|(run, start)| run[start..].iter())
    }

    /// The records from `from` up to (not including) offset `below`, run by run: each run
    /// with the index range of those records in it.
    pub(super) fn runs_between(
        &self,
        from: Offset,
        below: Offset,
    ) -> impl Iterator<Item = (&Run, std::ops::Range<usize>)> {
        self.runs_from(from)
            .map(move |(run, start)| (run, start..run.partition_point(|r| r.offset < below)))
            .take_while(|(_, range)| !range.is_empty())
    }

    /// The stored records, newest first.
    pub fn records_newest_first(&self) -> impl Iterator<Item = &Record> {
        self.segments
            .iter()
            .rev()
            .flat_map(|segment| segment.records().rev())
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
        self.append_batch_as_leader(vec![record], epoch, now_ms, limits);
        offset
    }

    /// The leader appends `records` as one run from its log end offset (their payloads move
    /// in, nothing is copied); returns the run, shared, unless `records` was empty.
    pub fn append_batch_as_leader(
        &mut self,
        records: Vec<NewRecord>,
        epoch: i32,
        now_ms: Millis,
        limits: SegmentLimits,
    ) -> Option<Run> {
        if records.is_empty() {
            return None;
        }
        // `enumerate` over the vector keeps the length known, so the run is built in its final
        // allocation rather than collected and copied.
        let base = self.log_end_offset;
        let run: Run = records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Record {
                offset: base + i as Offset,
                timestamp_ms: record.timestamp_ms,
                key: record.key,
                value: record.value,
                headers: record.headers,
                leader_epoch: epoch,
                producer_sequence: record.producer_sequence,
            })
            .collect();
        self.push(Arc::clone(&run), now_ms, limits);
        Some(run)
    }

    /// A follower copies what the leader has after its own log end: the leader's runs are
    /// shared, and a run it already has the start of is cut where its log ends. Returns how
    /// many records it copied.
    pub fn replicate_from(
        &mut self,
        leader: &ReplicaLog,
        now_ms: Millis,
        limits: SegmentLimits,
    ) -> usize {
        let mut copied = 0;
        for (run, start) in leader.runs_from(self.log_end_offset) {
            let run = match start {
                0 => Arc::clone(run),
                _ if start == run.len() => continue,
                _ => run[start..].iter().cloned().collect(),
            };
            // A run is one leader's batch, so one epoch; a follower notes where each new one
            // starts.
            let first = &run[0];
            debug_assert_eq!(first.leader_epoch, last(&run).leader_epoch);
            if self
                .latest_epoch()
                .is_none_or(|latest| latest < first.leader_epoch)
            {
                self.epochs.push(EpochEntry {
                    epoch: first.leader_epoch,
                    start_offset: first.offset,
                });
            }
            copied += run.len();
            self.push(run, now_ms, limits);
        }
        copied
    }

    fn push(&mut self, run: Run, now_ms: Millis, limits: SegmentLimits) {
        let size: u64 = run.iter().map(Record::size_bytes).sum();
        let roll = match self.segments.last() {
            None => true,
            Some(active) => {
                !active.is_empty()
                    && (now_ms - active.created_ms >= limits.segment_ms
                        || active.size_bytes() + size > limits.segment_bytes)
            }
        };
        if roll {
            self.segments.push(Segment::new(run[0].offset, now_ms));
        }
        self.log_end_offset = last(&run).offset + 1;
        self.segments
            .last_mut()
            .expect("a segment was just ensured")
            .push(run, size);
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
            let keep = segment
                .runs
                .partition_point(|run| last(run).offset < offset);
            if keep == segment.runs.len() {
                continue;
            }
            let tail = segment.runs.split_off(keep);
            let cut = tail[0].partition_point(|r| r.offset < offset);
            if cut > 0 {
                segment.runs.push(tail[0][..cut].iter().cloned().collect());
            }
            removed.extend(tail[0][cut..].iter().cloned());
            removed.extend(tail[1..].iter().flat_map(|run| run.iter().cloned()));
            segment.recount();
        }
        self.segments.retain(|segment| !segment.is_empty());
        self.epochs.retain(|entry| entry.start_offset < offset);
        self.log_end_offset = offset.max(self.log_start_offset);
        removed
    }

    /// Drops everything and starts empty at `offset`: a follower whose log ends before the
    /// leader's log start offset cannot catch up record by record.
    pub fn reset_to(&mut self, offset: Offset) -> Vec<Record> {
        let removed = self
            .segments
            .iter()
            .flat_map(Segment::records)
            .cloned()
            .collect();
        self.segments.clear();
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
                .last_record()
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
            deleted += segment.len();
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
        let keep = |record: &Record| {
            record.offset >= cleanable_end
                || record
                    .key
                    .as_ref()
                    .is_none_or(|key| last_offset_of_key[key] == record.offset)
        };
        let mut removed = 0;
        for segment in &mut self.segments {
            if segment.records().all(keep) {
                continue;
            }
            let before = segment.len();
            let runs = std::mem::take(&mut segment.runs);
            for run in runs {
                if run.iter().all(keep) {
                    segment.runs.push(run);
                    continue;
                }
                let kept: Vec<Record> = run.iter().filter(|r| keep(r)).cloned().collect();
                if !kept.is_empty() {
                    segment.runs.push(kept.into());
                }
            }
            segment.recount();
            removed += before - segment.len();
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

    fn batch(values: &[&str]) -> Vec<NewRecord> {
        values.iter().map(|v| record("k", v, 0)).collect()
    }

    /// Kafka rolls a segment between appends, never inside one: a batch bigger than
    /// `segment.bytes` still lands whole in one segment.
    #[test]
    fn a_batch_is_never_split_across_segments() {
        let small = SegmentLimits {
            segment_ms: 60_000,
            segment_bytes: 50,
        };
        let mut log = ReplicaLog::default();
        // Five records of 18 bytes (1-byte key, 1-byte value, 16 of overhead): 90 bytes.
        let run = log.append_batch_as_leader(batch(&["a", "b", "c", "d", "e"]), 0, 0, small);
        assert_eq!(run.map(|r| r.len()), Some(5));
        assert_eq!(log.segments().len(), 1);
        assert_eq!(log.segments()[0].len(), 5);
        log.append_batch_as_leader(batch(&["f"]), 0, 0, small);
        assert_eq!(log.segments().len(), 2);
        assert_eq!(log.segments()[1].base_offset, 5);
        assert_eq!(log.append_batch_as_leader(Vec::new(), 0, 0, small), None);
        assert_eq!(log.log_end_offset(), 6);
    }

    /// A follower shares the leader's batches; one truncated into the middle of a batch keeps
    /// the part before the cut and copies only the rest back, in order, once.
    #[test]
    fn followers_share_batches_and_truncate_into_the_middle_of_one() {
        let mut leader = ReplicaLog::default();
        leader.assign_epoch(0);
        leader.append_batch_as_leader(batch(&["a", "b", "c"]), 0, 0, LIMITS);
        leader.append_batch_as_leader(batch(&["d", "e"]), 0, 0, LIMITS);
        let mut follower = ReplicaLog::default();
        assert_eq!(follower.replicate_from(&leader, 0, LIMITS), 5);
        let shared = |log: &ReplicaLog| {
            log.runs_between(0, Offset::MAX)
                .map(|(run, _)| run.as_ptr())
                .collect::<Vec<_>>()
        };
        assert_eq!(shared(&follower), shared(&leader), "the same allocations");
        assert_eq!(follower.epochs(), leader.epochs());
        let removed = follower.truncate_to(1);
        assert_eq!(
            removed.iter().map(|r| r.offset).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_eq!(
            (follower.log_end_offset(), values(&follower)),
            (1, vec!["a".to_string()])
        );
        assert_eq!(follower.replicate_from(&leader, 0, LIMITS), 4);
        assert_eq!(values(&follower), values(&leader));
        let offsets: Vec<Offset> = follower.records_from(0).map(|r| r.offset).collect();
        assert_eq!(offsets, [0, 1, 2, 3, 4]);
        assert_eq!(follower.replicate_from(&leader, 0, LIMITS), 0, "caught up");
        // Reading from the middle of a batch starts at the asked offset and stops below the
        // limit (the high watermark).
        let from_two: Vec<Offset> = leader
            .runs_between(2, 4)
            .flat_map(|(run, range)| run[range].iter().map(|r| r.offset))
            .collect();
        assert_eq!(from_two, [2, 3], "from 2, below 4");
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
