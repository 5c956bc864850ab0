//! The `World`: every service's state plus the clock, the event queue, the RNG and the trace.
//!
//! Time only moves through `step`, `run_until` and `advance`, which pop events in (time, sequence)
//! order. `checkpoint`/`rewind` give undo; `snapshot`/`from_snapshot` give a full serde copy.

use serde::{Deserialize, Serialize};

use super::{
    BlobStore, DEFAULT_START_MS, EventQueue, Millis, SimRng, Trace, TraceValue, format_duration,
    format_iso,
};
use crate::services::Targets;
use crate::services::{Services, athena, eventbridge, kafka, lambda, s3, scheduler};

/// One `advance` may move the clock at most ten years.
pub const ADVANCE_MS_MAX: Millis = 3_660 * 86_400_000;
/// One run may process at most this many events; more means something reschedules without end.
pub const EVENTS_PER_RUN_MAX: u64 = 1_000_000;

/// How a world starts: the RNG seed and the clock's first instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorldConfig {
    pub seed: u64,
    pub start_ms: Millis,
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            start_ms: DEFAULT_START_MS,
        }
    }
}

/// A shell line to run at a later simulated time (`sim after 30s …`, lessons' fault injection).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledCommand {
    pub line: String,
    pub scheduled_at_ms: Millis,
}

/// Everything that can sit on the event queue. Services add their own variants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Command(ScheduledCommand),
    S3(s3::S3Event),
    Athena(athena::AthenaEvent),
    EventBridge(eventbridge::EventBridgeEvent),
    Lambda(lambda::LambdaEvent),
    Scheduler(scheduler::SchedulerEvent),
    Kafka(kafka::KafkaEvent),
}

impl Event {
    /// A one-line description for `sim events`.
    pub fn describe(&self) -> String {
        match self {
            Event::Command(command) => format!("run `{}`", command.line),
            Event::S3(event) => event.describe(),
            Event::Athena(event) => event.describe(),
            Event::EventBridge(event) => event.describe(),
            Event::Lambda(event) => event.describe(),
            Event::Scheduler(event) => event.describe(),
            Event::Kafka(event) => event.describe(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The target instant is before the current one and events are pending.
    ClockBackwards {
        now_ms: Millis,
        target_ms: Millis,
        pending: usize,
    },
    AdvanceTooLong {
        ms: Millis,
    },
    RunawayEvents {
        processed: u64,
        at_ms: Millis,
    },
    QueueFull,
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::ClockBackwards {
                now_ms,
                target_ms,
                pending,
            } => write!(
                f,
                "cannot move the clock back from {} to {} while {pending} event(s) are pending; \
                 use `sim reset --start {}` for a fresh world at that time",
                format_iso(*now_ms),
                format_iso(*target_ms),
                format_iso(*target_ms)
            ),
            SimError::AdvanceTooLong { ms } => write!(
                f,
                "{} is longer than the {} one advance may take",
                format_duration(*ms),
                format_duration(ADVANCE_MS_MAX)
            ),
            SimError::RunawayEvents { processed, at_ms } => write!(
                f,
                "stopped after {processed} events at {}: something keeps scheduling events; \
                 nothing was changed",
                format_iso(*at_ms)
            ),
            SimError::QueueFull => write!(
                f,
                "the event queue is full ({} events); nothing was scheduled",
                super::EVENT_QUEUE_LEN_MAX
            ),
        }
    }
}

/// What a run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub events: u64,
    pub from_ms: Millis,
    pub to_ms: Millis,
}

/// The world minus its trace and object bytes. Checkpoints serialise this and remember how long
/// the trace and the blob store were, which is enough because both only grow.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct State {
    seed: u64,
    now_ms: Millis,
    queue: EventQueue<Event>,
    rng: SimRng,
    services: Services,
}

#[derive(Clone, Debug)]
pub struct World {
    state: State,
    trace: Trace,
    blobs: BlobStore,
}

/// What a service may use besides its own state: the clock, the event queue, randomness, the
/// trace and object bytes. Services never hold references to each other; the world hands them
/// what they need for one call.
pub struct Env<'a> {
    pub now_ms: Millis,
    pub rng: &'a mut SimRng,
    pub blobs: &'a mut BlobStore,
    queue: &'a mut EventQueue<Event>,
    trace: &'a mut Trace,
}

impl Env<'_> {
    pub fn record(&mut self, service: &str, kind: &str, fields: Vec<(&str, TraceValue)>) {
        let fields = fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        self.trace.record(self.now_ms, service, kind, fields);
    }

    /// Schedules `event` at `time_ms`, which must not be in the past.
    pub fn schedule(&mut self, time_ms: Millis, event: Event) -> Result<u64, SimError> {
        assert!(
            time_ms >= self.now_ms,
            "an event cannot be scheduled in the past"
        );
        self.queue
            .schedule(time_ms, event)
            .ok_or(SimError::QueueFull)
    }

    /// Cancels every pending event equal to `event` (a schedule that was changed or removed).
    pub fn cancel(&mut self, event: &Event) -> usize {
        self.queue.retain(|pending| pending != event)
    }

    /// Schedules `event` at `time_ms` unless an equal event is pending at or before then; one
    /// pending later moves up. So a wake-up that several causes ask for is pending once.
    pub fn schedule_earliest(&mut self, time_ms: Millis, event: Event) -> Result<(), SimError> {
        let pending = self
            .queue
            .iter()
            .filter(|(_, _, pending)| **pending == event)
            .map(|(time, _, _)| time)
            .min();
        if pending.is_some_and(|time| time <= time_ms) {
            return Ok(());
        }
        self.cancel(&event);
        self.schedule(time_ms, event).map(|_| ())
    }

    /// Cancels every pending event `matches` picks (all of a schedule's pending work).
    pub fn cancel_if(&mut self, matches: impl Fn(&Event) -> bool) -> usize {
        self.queue.retain(|pending| !matches(pending))
    }

    /// Whether an equal event is already pending (so periodic work is scheduled once).
    pub fn is_scheduled(&self, event: &Event) -> bool {
        self.queue.iter().any(|(_, _, pending)| pending == event)
    }
}

/// Enough to put the world back exactly as it was, for undo.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    state: Vec<u8>,
    trace_len: usize,
    blobs_len: usize,
}

impl Checkpoint {
    /// Bytes held by this checkpoint (for the undo history's memory budget).
    pub fn size_bytes(&self) -> usize {
        self.state.len()
    }
}

/// A complete serde copy of a world, trace included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot(pub Vec<u8>);

impl World {
    pub fn new(config: WorldConfig) -> Self {
        let state = State {
            seed: config.seed,
            now_ms: config.start_ms,
            queue: EventQueue::default(),
            rng: SimRng::from_seed(config.seed),
            services: Services::default(),
        };
        Self {
            state,
            trace: Trace::default(),
            blobs: BlobStore::default(),
        }
    }

    pub fn now_ms(&self) -> Millis {
        self.state.now_ms
    }

    pub fn seed(&self) -> u64 {
        self.state.seed
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn queue(&self) -> &EventQueue<Event> {
        &self.state.queue
    }

    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.state.rng
    }

    pub fn services(&self) -> &Services {
        &self.state.services
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The services and the environment they act in, borrowed apart so a service can change
    /// its state and schedule, trace and store bytes in one call.
    pub fn split(&mut self) -> (&mut Services, Env<'_>) {
        let env = Env {
            now_ms: self.state.now_ms,
            rng: &mut self.state.rng,
            blobs: &mut self.blobs,
            queue: &mut self.state.queue,
            trace: &mut self.trace,
        };
        (&mut self.state.services, env)
    }

    /// Appends to the trace at the current time.
    pub fn record(&mut self, service: &str, kind: &str, fields: Vec<(&str, TraceValue)>) {
        self.split().1.record(service, kind, fields);
    }

    /// Schedules `event` at `time_ms`, which must not be in the past.
    pub fn schedule(&mut self, time_ms: Millis, event: Event) -> Result<u64, SimError> {
        self.split().1.schedule(time_ms, event)
    }

    /// Pops the next event, moves the clock to it and handles it. `false` when nothing is pending.
    pub fn step(&mut self) -> bool {
        let Some(next) = self.state.queue.pop() else {
            return false;
        };
        debug_assert!(next.time_ms >= self.state.now_ms);
        self.state.now_ms = next.time_ms;
        match next.event {
            Event::Command(command) => crate::shell::run_scheduled(self, &command),
            Event::S3(s3::S3Event::Notify(delivery)) => {
                let (services, mut env) = self.split();
                let mut targets = Targets {
                    sqs: &mut services.sqs,
                    lambda: &services.lambda,
                };
                s3::notifications::deliver(&mut env, &mut targets, delivery);
            }
            Event::S3(event) => {
                let (services, mut env) = self.split();
                services.s3.on_event(&mut env, event);
            }
            Event::Athena(event) => {
                let (services, mut env) = self.split();
                services
                    .athena
                    .on_event(&mut env, &mut services.s3, &mut services.iam, event);
            }
            Event::EventBridge(event) => {
                let (services, mut env) = self.split();
                let mut targets = Targets {
                    sqs: &mut services.sqs,
                    lambda: &services.lambda,
                };
                services.eventbridge.on_event(&mut env, &mut targets, event);
            }
            Event::Lambda(event) => {
                let (services, mut env) = self.split();
                lambda::on_event(services, &mut env, event);
            }
            Event::Scheduler(event) => {
                let (services, mut env) = self.split();
                scheduler::on_event(services, &mut env, event);
            }
            Event::Kafka(event) => {
                let (services, mut env) = self.split();
                services.kafka.on_event(&mut env, event);
            }
        }
        true
    }

    /// Handles every event due at or before `target_ms`, then sets the clock to `target_ms`.
    /// On error the world may be part-way; callers roll back with a checkpoint.
    pub fn run_until(&mut self, target_ms: Millis) -> Result<RunSummary, SimError> {
        let from_ms = self.state.now_ms;
        if target_ms < from_ms {
            let pending = self.state.queue.len();
            return Err(SimError::ClockBackwards {
                now_ms: from_ms,
                target_ms,
                pending,
            });
        }
        let mut events = 0;
        while self.state.queue.peek_time().is_some_and(|t| t <= target_ms) {
            if events == EVENTS_PER_RUN_MAX {
                return Err(SimError::RunawayEvents {
                    processed: events,
                    at_ms: self.state.now_ms,
                });
            }
            self.step();
            events += 1;
        }
        self.state.now_ms = target_ms;
        Ok(RunSummary {
            events,
            from_ms,
            to_ms: target_ms,
        })
    }

    /// `run_until(now + duration_ms)`. Two advances of `a` and `b` equal one of `a + b`.
    pub fn advance(&mut self, duration_ms: Millis) -> Result<RunSummary, SimError> {
        if duration_ms > ADVANCE_MS_MAX {
            return Err(SimError::AdvanceTooLong { ms: duration_ms });
        }
        assert!(duration_ms >= 0, "the shell rejects negative durations");
        self.run_until(self.state.now_ms + duration_ms)
    }

    /// Moves the clock to `target_ms`: forward runs the events on the way; backward is allowed
    /// only while nothing is scheduled, since pending events would fire before "now".
    pub fn set_time(&mut self, target_ms: Millis) -> Result<RunSummary, SimError> {
        let from_ms = self.state.now_ms;
        if target_ms >= from_ms {
            return self.run_until(target_ms);
        }
        if !self.state.queue.is_empty() {
            let pending = self.state.queue.len();
            return Err(SimError::ClockBackwards {
                now_ms: from_ms,
                target_ms,
                pending,
            });
        }
        self.state.now_ms = target_ms;
        Ok(RunSummary {
            events: 0,
            from_ms,
            to_ms: target_ms,
        })
    }

    /// Restarts the RNG from `seed`; the rest of the world stays.
    pub fn reseed(&mut self, seed: u64) {
        self.state.seed = seed;
        self.state.rng = SimRng::from_seed(seed);
    }

    pub fn checkpoint(&self) -> Checkpoint {
        let state = postcard::to_allocvec(&self.state).expect("world state serialises");
        Checkpoint {
            state,
            trace_len: self.trace.len(),
            blobs_len: self.blobs.len(),
        }
    }

    /// Puts the world back to `checkpoint`, which must come from this world's past.
    pub fn rewind(&mut self, checkpoint: &Checkpoint) {
        self.state = postcard::from_bytes(&checkpoint.state).expect("checkpoint deserialises");
        self.trace.truncate(checkpoint.trace_len);
        self.blobs.truncate(checkpoint.blobs_len);
    }

    pub fn snapshot(&self) -> Snapshot {
        let parts = (&self.state, &self.trace, &self.blobs);
        Snapshot(postcard::to_allocvec(&parts).expect("world serialises"))
    }

    pub fn from_snapshot(snapshot: &Snapshot) -> Result<Self, String> {
        let (state, trace, blobs) = postcard::from_bytes(&snapshot.0)
            .map_err(|err| format!("not a snapshot of this version: {err}"))?;
        Ok(Self {
            state,
            trace,
            blobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str) -> Event {
        Event::Command(ScheduledCommand {
            line: line.into(),
            scheduled_at_ms: 0,
        })
    }

    #[test]
    fn advance_fires_due_events_and_lands_on_target() {
        let mut world = World::new(WorldConfig::default());
        let start = world.now_ms();
        world.schedule(start + 30_000, command("echo hi")).unwrap();
        world
            .schedule(start + 90_000, command("echo later"))
            .unwrap();
        let summary = world.advance(60_000).unwrap();
        assert_eq!(summary.events, 1);
        assert_eq!(world.now_ms(), start + 60_000);
        assert_eq!(world.queue().len(), 1);
        let fired = &world.trace().events()[0];
        assert_eq!(fired.time_ms, start + 30_000);
    }

    #[test]
    fn step_jumps_to_the_next_event() {
        let mut world = World::new(WorldConfig::default());
        let start = world.now_ms();
        assert!(!world.step());
        world.schedule(start + 5_000, command("echo a")).unwrap();
        assert!(world.step());
        assert_eq!(world.now_ms(), start + 5_000);
    }

    #[test]
    fn clock_goes_back_only_when_nothing_is_pending() {
        let mut world = World::new(WorldConfig::default());
        let start = world.now_ms();
        world.set_time(start - 1000).unwrap();
        assert_eq!(world.now_ms(), start - 1000);
        world.schedule(start, command("echo a")).unwrap();
        let err = world.set_time(start - 2000).unwrap_err();
        assert!(
            matches!(err, SimError::ClockBackwards { pending: 1, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("sim reset --start"), "{err}");
    }

    #[test]
    fn checkpoint_rewind_restores_clock_queue_rng_and_trace() {
        let mut world = World::new(WorldConfig::default());
        world
            .schedule(world.now_ms() + 1000, command("echo a"))
            .unwrap();
        let before = world.snapshot();
        let checkpoint = world.checkpoint();
        world.rng().next_u64();
        world.advance(5_000).unwrap();
        world.record("sim", "x", vec![]);
        assert_ne!(world.snapshot(), before);
        world.rewind(&checkpoint);
        assert_eq!(world.snapshot(), before);
    }

    #[test]
    fn snapshot_round_trips() {
        let mut world = World::new(WorldConfig {
            seed: 5,
            start_ms: 0,
        });
        world.schedule(10, command("echo a")).unwrap();
        world.advance(20).unwrap();
        let snapshot = world.snapshot();
        let restored = World::from_snapshot(&snapshot).unwrap();
        assert_eq!(restored.snapshot(), snapshot);
        assert_eq!(restored.trace().hash(), world.trace().hash());
        assert!(World::from_snapshot(&Snapshot(vec![1, 2, 3])).is_err());
    }

    #[test]
    fn advance_has_a_ceiling() {
        let mut world = World::new(WorldConfig::default());
        let err = world.advance(ADVANCE_MS_MAX + 1).unwrap_err();
        assert_eq!(
            err,
            SimError::AdvanceTooLong {
                ms: ADVANCE_MS_MAX + 1
            }
        );
        assert_eq!(world.now_ms(), DEFAULT_START_MS);
    }
}
