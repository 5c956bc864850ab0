//! The event queue: everything that will happen, ordered by (time, sequence).
//!
//! Two events at the same millisecond fire in the order they were scheduled, so a run never
//! depends on how a heap breaks ties.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Millis;

/// A queue longer than this means a runaway schedule, not a lesson.
pub const EVENT_QUEUE_LEN_MAX: usize = 1_000_000;

/// One event taken off the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled<E> {
    pub time_ms: Millis,
    pub seq: u64,
    pub event: E,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EventQueue<E> {
    pending: BTreeMap<(Millis, u64), E>,
    seq_next: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self {
            pending: BTreeMap::new(),
            seq_next: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// Schedules `event` at `time_ms`; returns its sequence number, or `None` when the queue is
    /// already at `EVENT_QUEUE_LEN_MAX`.
    pub fn schedule(&mut self, time_ms: Millis, event: E) -> Option<u64> {
        if self.pending.len() >= EVENT_QUEUE_LEN_MAX {
            return None;
        }
        let seq = self.seq_next;
        self.seq_next += 1;
        self.pending.insert((time_ms, seq), event);
        Some(seq)
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Millis> {
        self.pending.keys().next().map(|&(time_ms, _)| time_ms)
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let ((time_ms, seq), event) = self.pending.pop_first()?;
        Some(Scheduled {
            time_ms,
            seq,
            event,
        })
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Drops every pending event for which `keep` is false; returns how many were dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) -> usize {
        let before = self.pending.len();
        self.pending.retain(|_, event| keep(event));
        before - self.pending.len()
    }

    /// Pending events in firing order.
    pub fn iter(&self) -> impl Iterator<Item = (Millis, u64, &E)> {
        self.pending
            .iter()
            .map(|(&(time_ms, seq), event)| (time_ms, seq, event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_time_fires_in_schedule_order() {
        let mut queue = EventQueue::default();
        queue.schedule(10, "b").unwrap();
        queue.schedule(5, "a").unwrap();
        queue.schedule(10, "c").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| queue.pop())
            .map(|s| s.event)
            .collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn refuses_to_grow_past_its_limit() {
        let mut queue = EventQueue::default();
        for i in 0..EVENT_QUEUE_LEN_MAX {
            queue.schedule(i as Millis, ()).unwrap();
        }
        assert_eq!(queue.schedule(0, ()), None);
        assert_eq!(queue.len(), EVENT_QUEUE_LEN_MAX);
    }

    proptest! {
        // Popping yields (time, seq) in strictly increasing order whatever the schedule order.
        #[test]
        fn pops_in_time_then_sequence_order(times in proptest::collection::vec(0i64..50, 0..200)) {
            let mut queue = EventQueue::default();
            for (i, &t) in times.iter().enumerate() {
                queue.schedule(t, i).unwrap();
            }
            let popped: Vec<_> = std::iter::from_fn(|| queue.pop()).collect();
            prop_assert_eq!(popped.len(), times.len());
            for pair in popped.windows(2) {
                prop_assert!((pair[0].time_ms, pair[0].seq) < (pair[1].time_ms, pair[1].seq));
            }
            for s in &popped {
                prop_assert_eq!(times[s.event], s.time_ms);
            }
        }
    }
}
