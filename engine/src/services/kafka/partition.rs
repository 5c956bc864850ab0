//! One partition's replication: the leader, the replicas and their logs, the in-sync replica
//! set (ISR), the high watermark, and what happens when a follower fetches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::BrokerId;
use super::log::{NewRecord, Offset, Record, ReplicaLog, Run, SegmentLimits};
use crate::sim::Millis;

/// A partition as the controller and its replicas know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub partition: u32,
    /// The assignment; the first replica is the preferred leader.
    pub replicas: Vec<BrokerId>,
    pub leader: Option<BrokerId>,
    pub leader_epoch: i32,
    /// In-sync replicas, in assignment order. Never empty: when the last member fails it
    /// stays (with no leader), as Kafka keeps it.
    pub isr: Vec<BrokerId>,
    /// Consumers read below it: every ISR member has the records before it.
    pub high_watermark: Offset,
    logs: BTreeMap<BrokerId, ReplicaLog>,
    /// Followers that have not reached the leader's log end offset since this time.
    behind_since_ms: BTreeMap<BrokerId, Millis>,
    /// One past the last offset acknowledged to a producer under this leader's log.
    acked_end_offset: Offset,
}

/// Records a follower fetch removed (leader-epoch truncation) and whether it joined the ISR.
#[derive(Debug, Default)]
pub struct FetchOutcome {
    pub truncated: Vec<Record>,
    pub truncated_to: Offset,
    pub joined_isr: bool,
}

impl Partition {
    pub fn new(partition: u32, replicas: Vec<BrokerId>) -> Self {
        let logs = replicas
            .iter()
            .map(|&broker| {
                let mut log = ReplicaLog::default();
                log.assign_epoch(0);
                (broker, log)
            })
            .collect();
        Self {
            partition,
            leader: replicas.first().copied(),
            leader_epoch: 0,
            isr: replicas.clone(),
            replicas,
            high_watermark: 0,
            logs,
            behind_since_ms: BTreeMap::new(),
            acked_end_offset: 0,
        }
    }

    /// A replica's log.
    pub fn log(&self, broker: BrokerId) -> &ReplicaLog {
        &self.logs[&broker]
    }

    /// The log consumers and tools see: the leader's, or when there is none the first
    /// replica's (so an offline partition still shows its offsets).
    pub fn leader_log(&self) -> &ReplicaLog {
        self.log(self.leader.unwrap_or(self.replicas[0]))
    }

    pub fn log_start_offset(&self) -> Offset {
        self.leader_log().log_start_offset()
    }

    pub fn log_end_offset(&self) -> Offset {
        self.leader_log().log_end_offset()
    }

    /// The records a consumer may read from `offset`: below the high watermark.
    pub fn readable_from(&self, offset: Offset) -> impl Iterator<Item = &Record> {
        let high_watermark = self.high_watermark;
        self.leader_log()
            .records_from(offset)
            .take_while(move |record| record.offset < high_watermark)
    }

    /// The records a consumer may read from `offset`, run by run (`ReplicaLog::runs_between`).
    pub fn readable_runs(
        &self,
        offset: Offset,
    ) -> impl Iterator<Item = (&Run, std::ops::Range<usize>)> {
        self.leader_log().runs_between(offset, self.high_watermark)
    }

    /// Where an idempotent producer's record already is in the leader's log, if it is.
    ///
    /// Only the end of the log needs looking at. Producer ids are handed out in order, one per
    /// `send_all`; a send that starts while another waits (a scheduled command firing on the
    /// clock) gets a larger id and finishes first. So every record of a smaller id was appended
    /// before this producer's first one, and this producer's own records follow one another in
    /// sequence order. Walking back from the newest record, the search stops at a smaller
    /// producer id or an earlier sequence of this one.
    pub fn find_sequence(&self, producer_sequence: (u64, u64)) -> Option<Offset> {
        let (producer_id, sequence) = producer_sequence;
        self.leader_log()
            .records_newest_first()
            .take_while(|r| match r.producer_sequence {
                Some((id, seq)) => id > producer_id || (id == producer_id && seq >= sequence),
                None => true,
            })
            .find(|r| r.producer_sequence == Some(producer_sequence))
            .map(|r| r.offset)
    }

    /// The leader appends `records`; returns (first offset, one past the last) and the run
    /// they now form.
    pub fn append(
        &mut self,
        records: Vec<NewRecord>,
        now_ms: Millis,
        limits: SegmentLimits,
    ) -> (Offset, Offset, Option<Run>) {
        let leader = self.leader.expect("only a leader appends");
        let epoch = self.leader_epoch;
        let log = self.logs.get_mut(&leader).expect("the leader has a log");
        let base = log.log_end_offset();
        let run = log.append_batch_as_leader(records, epoch, now_ms, limits);
        let end = log.log_end_offset();
        for &follower in &self.isr {
            if follower != leader && self.logs[&follower].log_end_offset() < end {
                self.behind_since_ms.entry(follower).or_insert(now_ms);
            }
        }
        self.maybe_advance_high_watermark();
        (base, end, run)
    }

    /// A producer got its acknowledgement for everything before `end_offset`.
    pub fn acknowledge(&mut self, end_offset: Offset) {
        self.acked_end_offset = self.acked_end_offset.max(end_offset);
    }

    pub fn acked_end_offset(&self) -> Offset {
        self.acked_end_offset
    }

    /// HW = the smallest log end offset in the ISR; it never moves back under one leader.
    pub fn maybe_advance_high_watermark(&mut self) -> bool {
        let Some(min_leo) = self
            .isr
            .iter()
            .map(|broker| self.logs[broker].log_end_offset())
            .min()
        else {
            return false;
        };
        if self.leader.is_some() && min_leo > self.high_watermark {
            self.high_watermark = min_leo;
            return true;
        }
        false
    }

    /// Followers (with the times they fell behind) that should leave the ISR at `now_ms`.
    pub fn out_of_sync(&self, now_ms: Millis, lag_time_max_ms: Millis) -> Vec<BrokerId> {
        self.behind_since_ms
            .iter()
            .filter(|(broker, since)| {
                self.isr.contains(broker) && now_ms - **since > lag_time_max_ms
            })
            .map(|(broker, _)| *broker)
            .collect()
    }

    /// The earliest time a lagging ISR follower could be dropped.
    pub fn next_isr_check_ms(&self, lag_time_max_ms: Millis) -> Option<Millis> {
        self.behind_since_ms
            .iter()
            .filter(|(broker, _)| self.isr.contains(broker))
            .map(|(_, since)| since + lag_time_max_ms + 1)
            .min()
    }

    /// Removes `broker` from the ISR unless it is the last member. Returns whether it left.
    pub fn shrink_isr(&mut self, broker: BrokerId) -> bool {
        if !self.isr.contains(&broker) || self.isr.len() == 1 {
            return false;
        }
        self.isr.retain(|b| *b != broker);
        self.behind_since_ms.remove(&broker);
        self.maybe_advance_high_watermark();
        true
    }

    /// `broker` leads from now on, in a new leader epoch. The high watermark is what the new
    /// leader can vouch for. Returns the acknowledged offsets that the new leader lacks.
    pub fn elect(&mut self, broker: BrokerId, isr: Vec<BrokerId>) -> Option<(Offset, Offset)> {
        self.leader = Some(broker);
        self.leader_epoch += 1;
        self.isr = isr;
        self.behind_since_ms.clear();
        let epoch = self.leader_epoch;
        let log = self.logs.get_mut(&broker).expect("replicas have logs");
        log.assign_epoch(epoch);
        let leo = log.log_end_offset();
        self.high_watermark = self.high_watermark.min(leo);
        self.maybe_advance_high_watermark();
        let lost = (leo < self.acked_end_offset).then_some((leo, self.acked_end_offset));
        self.acked_end_offset = self.acked_end_offset.min(leo);
        lost
    }

    /// No replica may lead: the partition is offline until an ISR member returns.
    pub fn go_offline(&mut self) {
        self.leader = None;
    }

    /// `follower` fetches from the leader: first truncates where its log diverged from the
    /// leader's (by leader epoch), then copies every record it lacks.
    pub fn fetch(
        &mut self,
        follower: BrokerId,
        now_ms: Millis,
        limits: SegmentLimits,
    ) -> FetchOutcome {
        let leader = self.leader.expect("followers fetch from a leader");
        // The follower's log is taken out while it copies from the leader's, so the leader's
        // can be read in place (no copy of the whole log per fetch).
        let mut log = self.logs.remove(&follower).expect("replicas have logs");
        let leader_log = &self.logs[&leader];
        let mut outcome = FetchOutcome::default();
        if let Some(epoch) = log.latest_epoch() {
            let diverge = match leader_log.end_offset_for_epoch(epoch) {
                Some((leader_epoch, end)) => log
                    .end_offset_for_epoch(leader_epoch)
                    .map_or(end, |(_, own_end)| end.min(own_end)),
                None => leader_log.log_start_offset(),
            };
            outcome.truncated = log.truncate_to(diverge);
            outcome.truncated_to = diverge;
        }
        if log.log_end_offset() < leader_log.log_start_offset() {
            outcome
                .truncated
                .extend(log.reset_to(leader_log.log_start_offset()));
            outcome.truncated_to = leader_log.log_start_offset();
        }
        log.replicate_from(leader_log, now_ms, limits);
        let caught_up = log.log_end_offset() == leader_log.log_end_offset();
        self.logs.insert(follower, log);
        let log = &self.logs[&follower];
        if caught_up {
            self.behind_since_ms.remove(&follower);
            if !self.isr.contains(&follower) && log.log_end_offset() >= self.high_watermark {
                self.isr.push(follower);
                let order = &self.replicas;
                self.isr.sort_by_key(|b| order.iter().position(|r| r == b));
                outcome.joined_isr = true;
            }
        }
        self.maybe_advance_high_watermark();
        outcome
    }

    /// Runs the log cleaner on every replica's log; returns the records the leader removed.
    pub fn clean(
        &mut self,
        now_ms: Millis,
        retention_ms: i64,
        retention_bytes: i64,
        compact: bool,
    ) -> usize {
        let high_watermark = self.high_watermark;
        let leader = self.leader;
        let mut leader_removed = 0;
        for (broker, log) in &mut self.logs {
            let removed = if compact {
                log.compact(high_watermark.min(log.log_end_offset()))
            } else {
                let hw = high_watermark.min(log.log_end_offset());
                log.delete_expired(now_ms, retention_ms, retention_bytes, hw)
            };
            if Some(*broker) == leader {
                leader_removed = removed;
            }
        }
        leader_removed
    }

    /// When the leader's oldest record expires, for the next retention check.
    pub fn next_expiry_ms(&self, retention_ms: i64) -> Option<Millis> {
        self.logs
            .values()
            .filter_map(|log| log.next_expiry_ms(retention_ms))
            .min()
    }
}
