//! The JavaScript API for host pages: `new Playground(seed?)`, `exec`, `advance`, `now`, `trace`,
//! `traceHash`, `undo`, `shareState`, `lessonStepDone`, and `lessons(lang?)`; plus the bench
//! hooks the wasm bench page calls.

use engine::WorldConfig;
use engine::api::{MemoryFiles, Session};
use wasm_bindgen::prelude::*;

/// One simulated world, driven from JavaScript.
#[wasm_bindgen]
pub struct Playground {
    session: Session,
}

#[wasm_bindgen]
impl Playground {
    /// `new Playground()` or `new Playground(seed)`; the seed is a whole number (default 1).
    #[wasm_bindgen(constructor)]
    pub fn new(seed: Option<f64>) -> Result<Playground, JsError> {
        let seed = match seed {
            None => WorldConfig::default().seed,
            Some(seed) if seed >= 0.0 && seed.fract() == 0.0 && seed <= 9_007_199_254_740_991.0 => {
                seed as u64
            }
            Some(seed) => {
                return Err(JsError::new(&format!(
                    "the seed must be a whole number from 0 to 2^53-1, not {seed}"
                )));
            }
        };
        let config = WorldConfig {
            seed,
            ..WorldConfig::default()
        };
        Ok(Playground {
            session: Session::new(config, Box::new(MemoryFiles::default())),
        })
    }

    /// Runs one or more command lines; returns `{ok, output}`.
    pub fn exec(&mut self, line: &str) -> JsValue {
        outcome_object(self.session.exec(line))
    }

    /// Uploads bytes to `s3://bucket/key` (through `./uploads/<name>` and `aws s3 cp`, so it is
    /// logged and undoable); returns `{ok, output}`.
    #[wasm_bindgen(js_name = putObject)]
    pub fn put_object(&mut self, bucket: &str, key: &str, bytes: &[u8]) -> JsValue {
        outcome_object(self.session.put_object(bucket, key, bytes))
    }

    /// The bytes of `s3://bucket/key`; throws `NoSuchKey: …`, `InvalidObjectState: …` and so on.
    #[wasm_bindgen(js_name = getObject)]
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, JsError> {
        self.session
            .get_object(bucket, key)
            .map_err(|err| JsError::new(&err))
    }

    /// Puts a file in the in-memory home folder (what `./path` and `file://path` name).
    #[wasm_bindgen(js_name = writeFile)]
    pub fn write_file(&mut self, path: &str, bytes: &[u8]) -> Result<(), JsError> {
        self.session
            .write_file(path, bytes)
            .map_err(|err| JsError::new(&err))
    }

    /// Reads a file from the home folder (for example one `aws s3api get-object` wrote).
    #[wasm_bindgen(js_name = readFile)]
    pub fn read_file(&self, path: &str) -> Result<Vec<u8>, JsError> {
        self.session
            .files()
            .read(path)
            .map_err(|err| JsError::new(&err))
    }

    /// Moves the clock forward by `ms` simulated milliseconds, firing due events.
    pub fn advance(&mut self, ms: f64) -> Result<(), JsError> {
        if !(ms.fract() == 0.0 && ms > 0.0 && ms <= 9_007_199_254_740_991.0) {
            return Err(JsError::new(&format!(
                "advance needs a positive whole number of milliseconds, not {ms}"
            )));
        }
        self.session
            .play(ms as i64)
            .map_err(|err| JsError::new(&err))
    }

    /// The simulated time in milliseconds since the Unix epoch.
    pub fn now(&self) -> f64 {
        self.session.world().now_ms() as f64
    }

    /// The last `last` trace events (all when absent) as objects
    /// `{seq, time, time_ms, service, kind, fields}`.
    pub fn trace(&self, last: Option<u32>) -> Result<JsValue, JsError> {
        let trace = self.session.world().trace();
        let events = match last {
            Some(n) => trace.last(n as usize),
            None => trace.events(),
        };
        let array: Vec<serde_json::Value> = events.iter().map(|event| event.to_json()).collect();
        js_sys::JSON::parse(&serde_json::Value::from(array).to_string())
            .map_err(|_| JsError::new("the trace could not be converted"))
    }

    /// `sha256:<hex>` of the whole trace: equal hashes mean identical runs.
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        self.session.world().trace().hash()
    }

    /// Undoes the last change; returns what was undone, or `undefined` when nothing was.
    pub fn undo(&mut self) -> Option<String> {
        self.session.undo()
    }

    /// Whether step `step` (from 0) of lesson `id` is done in this world; throws for an
    /// unknown lesson or step, or a goal that cannot be checked.
    #[wasm_bindgen(js_name = lessonStepDone)]
    pub fn lesson_step_done(&self, id: &str, step: u32) -> Result<bool, JsError> {
        self.session
            .lesson_step_done(id, step as usize)
            .ok_or_else(|| JsError::new(&format!("no lesson named {id}")))?
            .map_err(|err| JsError::new(&err.to_string()))
    }

    /// The seed and command log as a compact string (what the app keeps in its URL).
    #[wasm_bindgen(js_name = shareState)]
    pub fn share_state(&self) -> String {
        self.session.share_state()
    }
}

/// Every lesson, in order: `{id, order, title, steps: [{id, setup, solution}]}` with the
/// title in `lang` (English where a translation is missing). What a host page or a test needs
/// to replay a lesson with `exec` and check it with `Playground.lessonStepDone`.
#[wasm_bindgen]
pub fn lessons(lang: Option<String>) -> Result<JsValue, JsError> {
    let lang = lang.unwrap_or_else(|| engine::lessons::DEFAULT_LANGUAGE.to_string());
    let list: Vec<serde_json::Value> = engine::lessons::all()
        .iter()
        .map(|lesson| {
            let steps: Vec<serde_json::Value> = lesson
                .steps
                .iter()
                .map(|step| {
                    serde_json::json!({
                        "id": step.id,
                        "setup": step.setup,
                        "solution": step.solution,
                    })
                })
                .collect();
            serde_json::json!({
                "id": lesson.id,
                "order": lesson.order,
                "title": lesson.text(&lang).title,
                "steps": steps,
            })
        })
        .collect();
    js_sys::JSON::parse(&serde_json::Value::from(list).to_string())
        .map_err(|_| JsError::new("the lessons could not be converted"))
}

fn outcome_object(outcome: engine::ExecOutcome) -> JsValue {
    let object = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&object, &"ok".into(), &outcome.ok.into());
    let _ = js_sys::Reflect::set(&object, &"output".into(), &outcome.output.into());
    object.into()
}

/// The workloads the wasm bench page can run.
#[wasm_bindgen(js_name = benchWorkloads)]
pub fn bench_workloads() -> Vec<String> {
    engine::bench::WORKLOADS
        .iter()
        .map(|name| name.to_string())
        .collect()
}

/// One prepared sample of a bench workload: `new BenchCase(name)` sets it up (untimed),
/// `run()` does the timed work once and returns a checksum.
#[wasm_bindgen]
pub struct BenchCase {
    case: engine::bench::Case,
}

#[wasm_bindgen]
impl BenchCase {
    #[wasm_bindgen(constructor)]
    pub fn new(name: &str) -> Result<BenchCase, JsError> {
        let case = engine::bench::prepare(name)
            .ok_or_else(|| JsError::new(&format!("no workload named {name}")))?;
        Ok(BenchCase { case })
    }

    pub fn run(&mut self) -> f64 {
        self.case.run() as f64
    }
}
