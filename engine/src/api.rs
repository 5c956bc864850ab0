//! The surface the browser app, the JS API and the native CLI drive: a `Session` holds one world,
//! runs typed text through the shell, keeps the command log (what a share link replays) and the
//! undo history, and advances the clock while the timeline plays.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::shell::{self, Ctx, Effect, Entry, Origin, SessionAction, split_script};
use crate::sim::{Checkpoint, Millis, Snapshot, World, WorldConfig, format_duration, format_iso};

pub use crate::shell::{HostFiles, MemoryFiles};

/// Undo reaches back at most this many steps; older ones are forgotten (the log keeps them).
pub const UNDO_DEPTH_MAX: usize = 500;
/// Share links refuse logs longer than this many entries.
pub const LOG_LEN_MAX: usize = 100_000;
const LINK_VERSION: u64 = 1;

/// One step of the command log: a line as typed, or a stretch of the timeline playing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogEntry {
    Line(String),
    Play(Millis),
    /// A local file the learner uploaded (or a host page wrote), so links can replay it.
    File {
        path: String,
        bytes: Vec<u8>,
    },
}

impl LogEntry {
    pub fn label(&self) -> String {
        match self {
            LogEntry::Line(line) => line.clone(),
            LogEntry::Play(ms) => format!("▶ played {}", format_duration(*ms)),
            LogEntry::File { path, bytes } => format!("⇪ uploaded {path} ({} bytes)", bytes.len()),
        }
    }
}

/// The result of running text: did every command succeed, and what they printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutcome {
    pub ok: bool,
    pub output: String,
}

enum Undo {
    Rewind(Checkpoint),
    Restore(Snapshot),
    /// Put a local file back as it was (`None`: it did not exist).
    File {
        path: String,
        previous: Option<Vec<u8>>,
    },
}

struct HistoryStep {
    log_len_before: usize,
    undo: Undo,
}

pub struct Session {
    world: World,
    config: WorldConfig,
    log: Vec<LogEntry>,
    history: Vec<HistoryStep>,
    files: Box<dyn HostFiles + Send + Sync>,
}

impl Session {
    pub fn new(config: WorldConfig, files: Box<dyn HostFiles + Send + Sync>) -> Self {
        Self {
            world: World::new(config),
            config,
            log: Vec::new(),
            history: Vec::new(),
            files,
        }
    }

    /// A session with the default start time, the given seed and an in-memory home folder.
    pub fn with_seed(seed: u64) -> Self {
        Self::new(
            WorldConfig {
                seed,
                ..WorldConfig::default()
            },
            Box::new(MemoryFiles::default()),
        )
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn config(&self) -> WorldConfig {
        self.config
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.log
    }

    pub fn files(&self) -> &dyn HostFiles {
        self.files.as_ref()
    }

    pub fn files_mut(&mut self) -> &mut dyn HostFiles {
        self.files.as_mut()
    }

    /// Labels of the steps undo can go back through, oldest first.
    pub fn history_labels(&self) -> Vec<String> {
        self.history
            .iter()
            .map(|step| self.log[step.log_len_before].label())
            .collect()
    }

    /// Runs every command in `text`. Later commands run even when an earlier one fails.
    pub fn exec(&mut self, text: &str) -> ExecOutcome {
        let mut outcome = ExecOutcome {
            ok: true,
            output: String::new(),
        };
        for entry in split_script(text) {
            let one = self.exec_entry(&entry);
            outcome.ok &= one.ok;
            outcome.output.push_str(&one.output);
        }
        outcome
    }

    /// Runs one command. A failure leaves the world exactly as it was.
    pub fn exec_entry(&mut self, entry: &Entry) -> ExecOutcome {
        let pipeline = match &entry.parsed {
            Ok(pipeline) => pipeline,
            Err(err) => return fail(format!("syntax error: {}\n", err.message())),
        };
        let effect = shell::classify(pipeline);
        let checkpoint = (effect == Effect::Change).then(|| self.world.checkpoint());
        if effect == Effect::Change {
            self.world.record(
                "shell",
                "command",
                vec![("line", entry.source.as_str().into())],
            );
        }
        let mut ctx = Ctx {
            world: &mut self.world,
            files: self.files.as_mut(),
            origin: Origin::Person,
        };
        let reply = match shell::run_pipeline(&mut ctx, pipeline) {
            Ok(reply) => reply,
            Err(err) => {
                if let Some(checkpoint) = &checkpoint {
                    self.world.rewind(checkpoint);
                }
                return fail(err.to_string());
            }
        };
        match reply.action {
            None => {
                if let Some(checkpoint) = checkpoint {
                    self.push_history(
                        Undo::Rewind(checkpoint),
                        LogEntry::Line(entry.source.clone()),
                    );
                }
                ok(reply.stdout)
            }
            Some(SessionAction::Undo) => match self.undo() {
                Some(message) => ok(format!("{}{message}", reply.stdout)),
                None => fail("sim undo: nothing to undo\n".into()),
            },
            Some(SessionAction::Reset(config)) => {
                self.push_history(
                    Undo::Restore(self.world.snapshot()),
                    LogEntry::Line(entry.source.clone()),
                );
                self.world = World::new(config);
                self.world.record(
                    "sim",
                    "world-created",
                    vec![
                        ("seed", config.seed.into()),
                        ("start", format_iso(config.start_ms).into()),
                    ],
                );
                ok(reply.stdout)
            }
        }
    }

    fn push_history(&mut self, undo: Undo, entry: LogEntry) {
        self.history.push(HistoryStep {
            log_len_before: self.log.len(),
            undo,
        });
        self.log.push(entry);
        if self.history.len() > UNDO_DEPTH_MAX {
            self.history.remove(0);
        }
    }

    /// Undoes the last step that changed the world; `None` when there is none.
    pub fn undo(&mut self) -> Option<String> {
        let step = self.history.pop()?;
        let label = self.log[step.log_len_before].label();
        match step.undo {
            Undo::Rewind(checkpoint) => self.world.rewind(&checkpoint),
            Undo::Restore(snapshot) => {
                self.world = World::from_snapshot(&snapshot).expect("own snapshots restore");
            }
            Undo::File {
                path,
                previous: Some(bytes),
            } => {
                self.files
                    .write(&path, &bytes)
                    .expect("a file that was written can be written back");
            }
            Undo::File {
                path,
                previous: None,
            } => self.files.remove(&path),
        }
        self.log.truncate(step.log_len_before);
        Some(format!(
            "undid `{label}`; the clock is at {}\n",
            format_iso(self.world.now_ms())
        ))
    }

    /// Goes back until `steps` history steps remain (the timeline's "rewind to step N").
    pub fn rewind_to(&mut self, steps: usize) -> Result<(), String> {
        if steps > self.history.len() {
            return Err(format!(
                "there are only {} steps to rewind to",
                self.history.len()
            ));
        }
        while self.history.len() > steps {
            self.undo();
        }
        Ok(())
    }

    /// Puts a local file in the home folder (an upload), as a logged, undoable step.
    pub fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let previous = self.files.read(path).ok();
        self.files.write(path, bytes)?;
        let path = crate::shell::normalize_path(path);
        self.push_history(
            Undo::File {
                path: path.clone(),
                previous,
            },
            LogEntry::File {
                path,
                bytes: bytes.to_vec(),
            },
        );
        Ok(())
    }

    /// Uploads bytes to S3 the way a learner would: into the home folder as `uploads/<name>`,
    /// then `aws s3 cp` (so the upload is logged, traced and undoable like any command).
    pub fn put_object(&mut self, bucket: &str, key: &str, bytes: &[u8]) -> ExecOutcome {
        let name = key
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("upload");
        let path = format!("uploads/{name}");
        if let Err(err) = self.write_file(&path, bytes) {
            return fail(format!("{err}\n"));
        }
        let words = [
            "aws",
            "s3",
            "cp",
            &format!("./{path}"),
            &format!("s3://{bucket}/{key}"),
        ];
        match shlex::try_join(words) {
            Ok(line) => self.exec(&line),
            Err(err) => fail(format!("cannot quote the upload command: {err}\n")),
        }
    }

    /// An object's bytes, as GetObject returns them (archived objects need a restore).
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        let target = crate::services::s3::ObjectRef {
            bucket,
            key,
            version_id: None,
        };
        let world = &self.world;
        match world
            .services()
            .s3
            .read(world.blobs(), world.now_ms(), target)
        {
            Ok((_, bytes)) => Ok(bytes.to_vec()),
            Err(err) => Err(format!("{}: {}", err.code(), err.message())),
        }
    }

    /// A read-only query over the `sim.*` tables (what `sim query` prints), for panels.
    pub fn sim_query(
        &self,
        sql: &str,
    ) -> Result<crate::services::athena::ResultSet, crate::introspect::QueryError> {
        crate::introspect::query(&self.world, sql)
    }

    /// How many calls IAM has denied so far (the id of the latest denial); a terminal reads it
    /// before running a line, to find the denials the line caused.
    pub fn iam_denials_total(&self) -> u64 {
        self.world.services().iam.denials_total()
    }

    /// The denial a terminal reply is about: the latest one after `after_id`, else the latest
    /// whose AccessDenied sentence the reply quotes. Render its `explanation` and `fix()`.
    pub fn iam_denial_for_reply(
        &self,
        after_id: u64,
        reply: &str,
    ) -> Option<&crate::services::iam::explain::DenialRecord> {
        self.world.services().iam.denial_for_reply(after_id, reply)
    }

    /// Whether step `step` (from 0) of lesson `lesson_id` is done in this world: every query of
    /// its goal returns true or a non-zero number. `None` when there is no such lesson.
    pub fn lesson_step_done(
        &self,
        lesson_id: &str,
        step: usize,
    ) -> Option<Result<bool, crate::lessons::GoalError>> {
        crate::lessons::get(lesson_id).map(|lesson| lesson.check_step(step, self))
    }

    /// Advances the clock while the timeline plays. Consecutive plays merge into one log entry
    /// (and one undo step), which replays identically because two advances of `a` and `b` equal
    /// one of `a + b`. On error the whole stretch of play is undone.
    pub fn play(&mut self, ms: Millis) -> Result<(), String> {
        if ms <= 0 {
            return Err(format!(
                "play needs a positive number of milliseconds, not {ms}"
            ));
        }
        let extends = matches!(self.log.last(), Some(LogEntry::Play(_)))
            && self
                .history
                .last()
                .is_some_and(|step| step.log_len_before + 1 == self.log.len());
        if !extends {
            self.push_history(Undo::Rewind(self.world.checkpoint()), LogEntry::Play(0));
        }
        match self.world.advance(ms) {
            Ok(_) => {
                if let Some(LogEntry::Play(total)) = self.log.last_mut() {
                    *total += ms;
                }
                Ok(())
            }
            Err(err) => {
                self.undo();
                Err(format!("play stopped: {err}"))
            }
        }
    }

    /// A new session that replays `log` from `config`; fails on the first entry that fails.
    pub fn replay(
        config: WorldConfig,
        log: &[LogEntry],
        files: Box<dyn HostFiles + Send + Sync>,
    ) -> Result<Self, String> {
        let mut session = Session::new(config, files);
        for (index, entry) in log.iter().enumerate() {
            let result = match entry {
                LogEntry::Line(line) => {
                    let outcome = session.exec(line);
                    if outcome.ok {
                        Ok(())
                    } else {
                        Err(outcome.output)
                    }
                }
                LogEntry::Play(ms) => session.play(*ms),
                LogEntry::File { path, bytes } => session.write_file(path, bytes),
            };
            result.map_err(|err| {
                format!(
                    "step {} (`{}`) failed on replay: {err}",
                    index + 1,
                    entry.label()
                )
            })?;
        }
        Ok(session)
    }

    /// The seed and command log as a scenario document: the JSON a scenario file holds and a
    /// share link compresses (`{"v": 1, "seed": …, "start_ms": …, "log": [line | ms | {file, base64}]}`).
    pub fn scenario_json(&self) -> String {
        serde_json::to_string_pretty(&self.scenario_doc()).expect("a scenario is plain JSON")
    }

    fn scenario_doc(&self) -> Value {
        let log: Vec<Value> = self
            .log
            .iter()
            .map(|entry| match entry {
                LogEntry::Line(line) => Value::from(line.as_str()),
                LogEntry::Play(ms) => Value::from(*ms),
                LogEntry::File { path, bytes } => {
                    json!({ "file": path, "base64": base64::engine::general_purpose::STANDARD.encode(bytes) })
                }
            })
            .collect();
        json!({"v": LINK_VERSION, "seed": self.config.seed, "start_ms": self.config.start_ms, "log": log})
    }

    /// Rebuilds the world a scenario file describes.
    pub fn from_scenario_json(
        text: &str,
        files: Box<dyn HostFiles + Send + Sync>,
    ) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(text)
            .map_err(|err| format!("this scenario is not JSON: {err}"))?;
        let (config, log) =
            decode_scenario(&doc).map_err(|why| format!("this scenario cannot be read: {why}"))?;
        Self::replay(config, &log, files)
    }

    /// The scenario compressed into a URL-safe string for share links.
    pub fn share_state(&self) -> String {
        let json = self.scenario_doc().to_string();
        let compressed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    }

    /// Rebuilds the exact world a share link describes.
    pub fn from_share_state(
        state: &str,
        files: Box<dyn HostFiles + Send + Sync>,
    ) -> Result<Self, String> {
        let bad = |why: &str| format!("this link's state cannot be read: {why}");
        let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(state.trim())
            .map_err(|_| bad("it is not base64url"))?;
        let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&compressed, 64 << 20)
            .map_err(|_| bad("it is not deflate data"))?;
        let doc: Value = serde_json::from_slice(&json).map_err(|_| bad("it is not JSON"))?;
        let (config, log) = decode_scenario(&doc).map_err(|why| bad(&why))?;
        Self::replay(config, &log, files)
    }
}

/// Reads a scenario document; the error says what is wrong with it.
fn decode_scenario(doc: &Value) -> Result<(WorldConfig, Vec<LogEntry>), String> {
    let bad = |why: &str| why.to_string();
    if doc["v"].as_u64() != Some(LINK_VERSION) {
        return Err(bad("it comes from another version of the playground"));
    }
    let seed = doc["seed"]
        .as_u64()
        .ok_or_else(|| bad("the seed is missing"))?;
    let start_ms = doc["start_ms"]
        .as_i64()
        .ok_or_else(|| bad("the start time is missing"))?;
    let entries = doc["log"]
        .as_array()
        .ok_or_else(|| bad("the command log is missing"))?;
    if entries.len() > LOG_LEN_MAX {
        return Err(bad("the command log is too long"));
    }
    let log = entries
        .iter()
        .map(|entry| match entry {
            Value::String(line) => Ok(LogEntry::Line(line.clone())),
            Value::Object(file) => {
                let path = file
                    .get("file")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad("a file step has no path"))?;
                let data = file
                    .get("base64")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .map_err(|_| bad("a file step is not base64"))?;
                Ok(LogEntry::File {
                    path: path.to_string(),
                    bytes,
                })
            }
            Value::Number(n) => n
                .as_i64()
                .filter(|ms| *ms > 0)
                .map(LogEntry::Play)
                .ok_or_else(|| bad("a play step is not a positive number")),
            _ => Err(bad("a log entry is neither a line nor a play step")),
        })
        .collect::<Result<_, _>>()?;
    Ok((WorldConfig { seed, start_ms }, log))
}

fn ok(output: String) -> ExecOutcome {
    ExecOutcome { ok: true, output }
}

fn fail(output: String) -> ExecOutcome {
    ExecOutcome { ok: false, output }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DETERMINISM_SCRIPT: &str = include_str!("../../examples/determinism.sh");

    fn run(session: &mut Session, text: &str) -> ExecOutcome {
        session.exec(text)
    }

    #[test]
    fn failing_commands_change_nothing() {
        let mut session = Session::with_seed(1);
        run(
            &mut session,
            "sim after 10m echo later\nsim advance 1m\naws s3 mb s3://data-bucket\necho '{}' | aws s3 cp - s3://data-bucket/raw/a.json",
        );
        let bad = [
            "sim advance -5m",
            "sim advance 5x",
            "sim advance 5",
            "sim advance 3661d",
            "sim set-time 2022-06-11T00:00:00Z",
            "sim set-time yesterday",
            "sim after 5s 'unterminated",
            "sim after 1m sim undo",
            "sim seed nope",
            "sim trace --bogus",
            "sim nonsense",
            "nosuchcommand --flag",
            "echo 'open quote",
            "echo a | sim advance 1m 2m",
            "sim seed 4 | cat missing.txt",
            "aws sts get-caller-identity --bogus",
            "aws sts get-access-key-info --access-key-id short",
            "sim reset --seed x",
            "aws s3 mb s3://Bad_Name",
            "aws s3 mb s3://logs",
            "aws s3 cp missing.json s3://data-bucket/x.json",
            "echo x | aws s3 cp - s3://no-such-bucket/x",
            "aws s3 rb s3://data-bucket",
            "aws s3api get-object --bucket data-bucket --key nope out.txt",
            "aws s3api put-object --bucket data-bucket --key k --storage-class COLD",
            "aws s3api put-bucket-lifecycle-configuration --bucket data-bucket --lifecycle-configuration '{\"Rules\": [{\"Status\": \"Enabled\", \"Transitions\": [{\"Days\": 1, \"StorageClass\": \"STANDARD_IA\"}]}]}'",
            "aws s3api put-bucket-replication --bucket data-bucket --replication-configuration '{\"Role\": \"x\", \"Rules\": []}'",
            "aws s3api restore-object --bucket data-bucket --key raw/a.json --restore-request Days=1",
            "aws s3api list-objects-v2 --bucket data-bucket --starting-token !!",
            "aws s3 ls s3://data-bucket/none/",
        ];
        for line in bad {
            let before = session.world().snapshot();
            let log_before = session.log().to_vec();
            let outcome = run(&mut session, line);
            assert!(!outcome.ok, "`{line}` should fail");
            assert!(!outcome.output.is_empty(), "`{line}` should explain itself");
            assert_eq!(
                session.world().snapshot(),
                before,
                "`{line}` changed the world"
            );
            assert_eq!(
                session.log(),
                log_before.as_slice(),
                "`{line}` changed the log"
            );
        }
    }

    #[test]
    fn undo_restores_clock_and_trace_exactly() {
        let mut session = Session::with_seed(1);
        run(&mut session, "sim after 30s echo hi");
        let before = session.world().snapshot();
        let trace_before = session.world().trace().hash();
        assert!(run(&mut session, "sim advance 1m").ok);
        assert_ne!(session.world().trace().hash(), trace_before);
        let undo = run(&mut session, "sim undo");
        assert!(undo.ok);
        assert_eq!(
            undo.output,
            "undid `sim advance 1m`; the clock is at 2022-06-12T00:00:00Z\n"
        );
        assert_eq!(session.world().snapshot(), before);
        assert_eq!(session.log().len(), 1);
    }

    #[test]
    fn inspections_are_not_logged_or_undone() {
        let mut session = Session::with_seed(1);
        run(
            &mut session,
            "sim advance 1m\nsim time\nsim trace\nhelp\necho hi",
        );
        assert_eq!(session.log(), [LogEntry::Line("sim advance 1m".into())]);
        assert_eq!(session.history_labels(), ["sim advance 1m"]);
    }

    #[test]
    fn rewind_to_a_step() {
        let mut session = Session::with_seed(1);
        run(
            &mut session,
            "sim advance 1m\nsim advance 2m\nsim advance 3m",
        );
        session.rewind_to(1).unwrap();
        assert_eq!(
            session.world().now_ms(),
            WorldConfig::default().start_ms + 60_000
        );
        assert!(session.rewind_to(5).is_err());
    }

    #[test]
    fn the_determinism_script_has_a_stable_trace() {
        let mut a = Session::with_seed(1);
        let mut b = Session::with_seed(1);
        assert!(
            run(&mut a, DETERMINISM_SCRIPT).ok,
            "{}",
            run(&mut Session::with_seed(1), DETERMINISM_SCRIPT).output
        );
        run(&mut b, DETERMINISM_SCRIPT);
        assert_eq!(a.world().trace().hash(), b.world().trace().hash());
        assert_eq!(a.world().trace().to_jsonl(), b.world().trace().to_jsonl());
        // The same hash must come out of the browser build (e2e/tests/determinism.test.mjs).
        insta::assert_snapshot!("determinism_trace_hash", a.world().trace().hash());
    }

    #[test]
    fn share_links_rebuild_the_same_world() {
        let mut session = Session::with_seed(5);
        run(&mut session, DETERMINISM_SCRIPT);
        session.play(1234).unwrap();
        session.play(766).unwrap();
        assert_eq!(session.log().last(), Some(&LogEntry::Play(2000)));
        let link = session.share_state();
        let copy = Session::from_share_state(&link, Box::new(MemoryFiles::default())).unwrap();
        assert_eq!(copy.world().snapshot(), session.world().snapshot());
        assert_eq!(copy.log(), session.log());
    }

    #[test]
    fn uploads_are_logged_undone_and_carried_by_links() {
        let mut session = Session::with_seed(1);
        session
            .write_file("./events.json", b"{\"a\": 1}\n")
            .unwrap();
        run(
            &mut session,
            "aws s3 mb s3://uploads-demo\naws s3 cp ./events.json s3://uploads-demo/events.json",
        );
        let link = session.share_state();
        let copy = Session::from_share_state(&link, Box::new(MemoryFiles::default())).unwrap();
        assert_eq!(copy.world().snapshot(), session.world().snapshot());
        assert_eq!(copy.files().read("events.json").unwrap(), b"{\"a\": 1}\n");
        session.rewind_to(0).unwrap();
        assert!(session.files().read("events.json").is_err());
    }

    #[test]
    fn host_pages_put_and_get_objects() {
        let mut session = Session::with_seed(1);
        run(&mut session, "aws s3 mb s3://host-bucket");
        let outcome = session.put_object("host-bucket", "raw/a b.json", b"{}");
        assert!(outcome.ok, "{}", outcome.output);
        assert_eq!(
            outcome.output,
            "upload: ./uploads/a b.json to s3://host-bucket/raw/a b.json\n"
        );
        assert_eq!(
            session.get_object("host-bucket", "raw/a b.json").unwrap(),
            b"{}"
        );
        assert_eq!(
            session.get_object("host-bucket", "nope").unwrap_err(),
            "NoSuchKey: The specified key does not exist."
        );
        assert!(!session.put_object("missing-bucket", "k", b"x").ok);
    }

    #[test]
    fn scenario_files_rebuild_the_same_world() {
        let mut session = Session::with_seed(9);
        run(&mut session, DETERMINISM_SCRIPT);
        session.play(1500).unwrap();
        session.write_file("./note.txt", b"hello").unwrap();
        let text = session.scenario_json();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["seed"], 9);
        assert_eq!(doc["log"].as_array().unwrap().len(), session.log().len());
        let copy = Session::from_scenario_json(&text, Box::new(MemoryFiles::default())).unwrap();
        assert_eq!(copy.world().snapshot(), session.world().snapshot());
        assert_eq!(copy.log(), session.log());
        // A hand-written scenario: lines and a play step.
        let written = r#"{"v": 1, "seed": 3, "start_ms": 1655000000000, "log": ["aws s3 mb s3://from-a-file", 60000]}"#;
        let built = Session::from_scenario_json(written, Box::new(MemoryFiles::default())).unwrap();
        assert_eq!(built.world().now_ms(), 1_655_000_060_000);
        assert!(
            built
                .get_object("from-a-file", "x")
                .unwrap_err()
                .contains("NoSuchKey")
        );
    }

    #[test]
    fn broken_scenario_files_are_refused() {
        let err = |text: &str| {
            Session::from_scenario_json(text, Box::new(MemoryFiles::default()))
                .err()
                .unwrap()
        };
        assert!(err("not json").starts_with("this scenario is not JSON"));
        assert!(err(r#"{"v": 2}"#).contains("another version"));
        assert!(err(r#"{"v": 1, "seed": 1, "start_ms": 0}"#).contains("command log is missing"));
        assert!(
            err(r#"{"v": 1, "seed": 1, "start_ms": 0, "log": ["aws s3 mb s3://Bad_Name"]}"#)
                .contains("step 1 (`aws s3 mb s3://Bad_Name`) failed on replay")
        );
    }

    #[test]
    fn broken_share_links_are_refused() {
        let files = || Box::new(MemoryFiles::default());
        let err = |state: &str| Session::from_share_state(state, files()).err().unwrap();
        assert!(err("!!!").contains("base64url"));
        assert!(err("AAAA").contains("deflate"));
        let doc = |json: &str| {
            let compressed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
        };
        assert!(err(&doc(r#"{"v":99}"#)).contains("another version"));
        assert!(err(&doc(r#"{"v":1,"seed":1,"start_ms":0,"log":[-5]}"#)).contains("positive"));
        assert!(
            err(&doc(
                r#"{"v":1,"seed":1,"start_ms":0,"log":["sim advance 5x"]}"#
            ))
            .contains("step 1")
        );
    }

    #[test]
    fn play_merges_and_undoes_as_one_step() {
        let mut session = Session::with_seed(1);
        run(&mut session, "sim after 1s echo tick");
        let before = session.world().snapshot();
        for _ in 0..10 {
            session.play(250).unwrap();
        }
        assert_eq!(session.log().len(), 2);
        assert_eq!(
            session.world().trace().events().last().unwrap().kind,
            "scheduled-command"
        );
        session.undo().unwrap();
        assert_eq!(session.world().snapshot(), before);
        assert!(session.play(0).is_err());
    }

    proptest! {
        // Advancing in pieces equals advancing at once: the property that lets the timeline
        // merge frames into one log entry and still replay to the identical trace.
        #[test]
        fn advancing_in_pieces_equals_advancing_at_once(
            delays in proptest::collection::vec(1i64..600_000, 0..12),
            pieces in proptest::collection::vec(1i64..120_000, 1..30),
        ) {
            let setup: String = delays.iter().map(|d| format!("sim after {d}ms echo {d}\n")).collect();
            let mut whole = Session::with_seed(3);
            let mut split = Session::with_seed(3);
            run(&mut whole, &setup);
            run(&mut split, &setup);
            whole.play(pieces.iter().sum()).unwrap();
            for piece in &pieces {
                split.play(*piece).unwrap();
            }
            prop_assert_eq!(whole.world().trace().hash(), split.world().trace().hash());
            prop_assert_eq!(whole.world().snapshot(), split.world().snapshot());
        }
    }
}
