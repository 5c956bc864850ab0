//! The deterministic core: virtual clock, event queue, seeded RNG, trace and the `World` that owns
//! every service and moves them through simulated time.

mod blobs;
mod clock;
mod queue;
mod rng;
mod trace;
mod world;

pub use blobs::{BlobId, BlobStore};
pub use clock::{DEFAULT_START_MS, Millis, format_duration, format_iso, parse_iso};
pub use queue::{EVENT_QUEUE_LEN_MAX, EventQueue, Scheduled};
pub use rng::SimRng;
pub use trace::{Trace, TraceEvent, TraceValue};
pub use world::{
    ADVANCE_MS_MAX, Checkpoint, EVENTS_PER_RUN_MAX, Env, Event, RunSummary, ScheduledCommand,
    SimError, Snapshot, World, WorldConfig,
};
