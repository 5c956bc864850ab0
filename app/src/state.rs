//! The app's state: one engine `Session` plus the view state around it (terminal transcript,
//! play/pause, speed). Every change to the world goes through here, bumps `version` so views
//! re-read the session, and writes the share link into the URL.

use engine::api::{ExecOutcome, MemoryFiles, Session};
use engine::sim::Millis;
use leptos::prelude::*;

/// What one command looked like in the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalBlock {
    pub id: usize,
    pub input: String,
    pub output: String,
    pub ok: bool,
}

/// Simulated milliseconds per real millisecond the speed menu offers.
pub const SPEEDS: &[u32] = &[1, 10, 60, 100, 1000];

#[derive(Clone, Copy)]
pub struct AppState {
    session: StoredValue<Session>,
    /// Bumped on every change to the session; views that read the session track it.
    pub version: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<u32>,
    pub blocks: RwSignal<Vec<TerminalBlock>>,
    /// Commands typed, oldest first, for ↑/↓.
    pub typed: RwSignal<Vec<String>>,
    /// The S3 object (bucket, key) the Parquet inspector shows; the S3 panel's Inspect sets it.
    pub inspected: RwSignal<Option<(String, String)>>,
}

const LINK_PREFIX: &str = "#s=";
const SESSION_LIVES: &str = "the session lives as long as the app";

impl AppState {
    /// Starts from the share link in the URL, if there is one and it replays.
    pub fn from_location() -> Self {
        let hash = window().location().hash().unwrap_or_default();
        let (session, notice) = match hash.strip_prefix(LINK_PREFIX) {
            Some(link) => match Session::from_share_state(link, Box::new(MemoryFiles::default())) {
                Ok(session) => {
                    let steps = session.log().len();
                    (
                        session,
                        Some((
                            format!(
                                "Rebuilt this world from the link: {steps} step(s) replayed.\n"
                            ),
                            true,
                        )),
                    )
                }
                Err(err) => (
                    Session::with_seed(1),
                    Some((format!("The link could not be replayed: {err}\n"), false)),
                ),
            },
            None => (Session::with_seed(1), None),
        };
        let state = Self {
            session: StoredValue::new(session),
            version: RwSignal::new(0),
            playing: RwSignal::new(false),
            speed: RwSignal::new(SPEEDS[2]),
            blocks: RwSignal::new(Vec::new()),
            typed: RwSignal::new(Vec::new()),
            inspected: RwSignal::new(None),
        };
        if let Some((notice, ok)) = notice {
            state.push_block(String::new(), notice, ok);
        }
        state
    }

    /// Reads the session and re-runs when it changes.
    pub fn with<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        self.version.track();
        self.session.with_value(f)
    }

    /// Runs typed text (or a button's command) as if typed, and shows it in the terminal.
    pub fn run(&self, text: &str) -> ExecOutcome {
        let outcome = self
            .session
            .try_update_value(|session| session.exec(text))
            .expect(SESSION_LIVES);
        self.push_block(text.to_string(), outcome.output.clone(), outcome.ok);
        self.changed();
        outcome
    }

    /// Remembers a typed command for ↑/↓ and runs it.
    pub fn submit(&self, text: &str) {
        self.typed.update(|typed| typed.push(text.to_string()));
        self.run(text);
    }

    /// Puts an uploaded file into the home folder and says how to use it.
    pub fn upload(&self, name: &str, bytes: &[u8]) {
        let result = self
            .session
            .try_update_value(|session| session.write_file(name, bytes))
            .expect(SESSION_LIVES);
        let (output, ok) = match result {
            Ok(()) => (
                format!(
                    "uploaded ./{name} ({} bytes); copy it to S3 with: aws s3 cp ./{name} s3://BUCKET/\n",
                    bytes.len()
                ),
                true,
            ),
            Err(err) => (format!("upload failed: {err}\n"), false),
        };
        self.push_block(String::new(), output, ok);
        self.changed();
    }

    /// An object's bytes for a download, or why it cannot be read.
    pub fn object_bytes(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        self.session
            .with_value(|session| session.get_object(bucket, key))
    }

    /// How many entries the command log holds (a lesson step remembers it to reset to).
    pub fn log_len(&self) -> usize {
        self.session.with_value(|session| session.log().len())
    }

    /// Undoes commands until the log is `len` long again; returns how many were undone.
    pub fn undo_to(&self, len: usize) -> usize {
        let undone = self
            .session
            .try_update_value(|session| {
                let mut undone = 0;
                while session.log().len() > len && session.undo().is_some() {
                    undone += 1;
                }
                undone
            })
            .expect(SESSION_LIVES);
        self.changed();
        undone
    }

    /// Shows a message in the terminal without running anything.
    pub fn say(&self, output: String, ok: bool) {
        self.push_block(String::new(), output, ok);
    }

    /// Advances the clock while playing; a failure pauses and says why.
    pub fn play(&self, ms: Millis) {
        let result = self
            .session
            .try_update_value(|session| session.play(ms))
            .expect(SESSION_LIVES);
        self.version.update(|v| *v += 1);
        if let Err(err) = result {
            self.playing.set(false);
            self.push_block(String::new(), format!("{err}\n"), false);
            self.changed();
        }
    }

    pub fn pause(&self) {
        self.playing.set(false);
        self.write_url();
    }

    fn push_block(&self, input: String, output: String, ok: bool) {
        self.blocks.update(|blocks| {
            let id = blocks.len();
            blocks.push(TerminalBlock {
                id,
                input,
                output,
                ok,
            });
        });
    }

    fn changed(&self) {
        self.version.update(|v| *v += 1);
        self.write_url();
    }

    /// Keeps the seed and command log in the URL, so copying it shares this exact world.
    fn write_url(&self) {
        let link = self.session.with_value(Session::share_state);
        let url = format!("{LINK_PREFIX}{link}");
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}
