//! The app's state: one engine `Session` plus the view state around it (terminal transcript,
//! play/pause, speed). Every change to the world goes through here, bumps `version` so views
//! re-read the session, and writes the share link into the URL.

use engine::api::{ExecOutcome, MemoryFiles, Session};
use engine::services::iam::explain::DenialRecord;
use engine::sim::Millis;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What one command looked like in the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalBlock {
    pub id: usize,
    pub input: String,
    pub output: String,
    pub ok: bool,
    /// The IAM denial the command caused or its output quotes, explained under "Why?".
    pub denial: Option<DenialRecord>,
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
    /// The text in the terminal's prompt, not yet run.
    pub draft: RwSignal<String>,
    /// The S3 object (bucket, key) the Parquet inspector shows; the S3 panel's Inspect sets it.
    pub inspected: RwSignal<Option<(String, String)>>,
}

const LINK_PREFIX: &str = "#s=";
/// Share links longer than this are offered as a scenario file instead: chat tools, mail and
/// some servers cut long URLs.
pub const LINK_CHARS_MAX: usize = 16_000;
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
            draft: RwSignal::new(String::new()),
            inspected: RwSignal::new(None),
        };
        if let Some((notice, ok)) = notice {
            state.push_block(String::new(), notice, ok);
        }
        // A preset script (an embedder's bare sandbox) runs once, into a fresh world only: a share
        // link already holds it in its command log.
        if !hash.starts_with(LINK_PREFIX)
            && let Some(script) = query_param("script").filter(|s| !s.trim().is_empty())
        {
            state.run(&script);
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
        let (outcome, denial) = self
            .session
            .try_update_value(|session| {
                let before = session.iam_denials_total();
                let outcome = session.exec(text);
                let denial = session
                    .iam_denial_for_reply(before, &outcome.output)
                    .cloned();
                (outcome, denial)
            })
            .expect(SESSION_LIVES);
        self.push(TerminalBlock {
            id: 0,
            input: text.to_string(),
            output: outcome.output.clone(),
            ok: outcome.ok,
            denial,
        });
        self.changed();
        outcome
    }

    /// Puts a command into the terminal's prompt for the learner to read, edit and run.
    pub fn prompt(&self, text: &str) {
        self.draft.set(text.to_string());
        let input = document()
            .query_selector("[data-testid=terminal-input]")
            .ok()
            .flatten()
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(input) = input {
            let _ = input.focus();
        }
    }

    /// The denial the text (a function's log) quotes, if IAM still keeps it.
    pub fn denial_quoted_in(&self, text: &str) -> Option<DenialRecord> {
        self.with(|session| session.iam_denial_for_reply(u64::MAX, text).cloned())
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

    /// Replaces the world with the one a scenario file describes; on failure nothing changes.
    pub fn open_scenario(&self, text: &str) -> Result<usize, String> {
        let session = Session::from_scenario_json(text, Box::new(MemoryFiles::default()))?;
        let steps = session.log().len();
        self.playing.set(false);
        self.session.set_value(session);
        self.blocks.set(Vec::new());
        self.say(
            format!("Opened the scenario: {steps} step(s) replayed.\n"),
            true,
        );
        self.changed();
        Ok(steps)
    }

    /// The session as a scenario file's JSON.
    pub fn scenario_json(&self) -> String {
        self.session.with_value(Session::scenario_json)
    }

    /// The share link for this world, or `None` when it is too long to share as a link.
    pub fn share_link(&self) -> Option<String> {
        let state = self.session.with_value(Session::share_state);
        (state.len() <= LINK_CHARS_MAX).then_some(state)
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
        self.push(TerminalBlock {
            id: 0,
            input,
            output,
            ok,
            denial: None,
        });
    }

    /// Appends a block, numbering it.
    fn push(&self, block: TerminalBlock) {
        self.blocks.update(|blocks| {
            let id = blocks.len();
            blocks.push(TerminalBlock { id, ..block });
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

/// A parameter of the page's URL: `?lesson=…&step=…&lang=…&theme=…&embed=1&script=…`.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(name)
}

/// `?embed=1`: the app runs inside the `<pipeline-playground>` widget's iframe.
pub fn embedded() -> bool {
    query_param("embed").is_some_and(|v| v != "0")
}
