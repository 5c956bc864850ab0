//! Pipeline Playground's engine: a deterministic simulation of the course's data pipeline.
//!
//! The engine is a pure library. It never reads the wall clock, the OS random source or the
//! network, so the same seed and the same commands give the same trace natively and in wasm.
//! `sim` owns time, events, randomness and the trace; `shell` turns typed lines into requests and
//! renders replies; `api` is the small surface the browser app and the native CLI drive.

pub mod api;
pub mod bench;
pub mod formats;
pub mod introspect;
pub mod lessons;
pub mod services;
pub mod shell;
pub mod sim;
pub mod sql;
pub mod table;

#[cfg(test)]
mod campaign_tests;
#[cfg(test)]
mod pipeline_tests;

pub use api::{ExecOutcome, HostFiles, LogEntry, MemoryFiles, Session};
pub use sim::{Millis, World, WorldConfig};
