//! `cargo xtask bench`: the engine's workloads timed natively (criterion) and in the browser
//! (wasm), printed side by side as JSON lines for BENCHMARKS.md, then the JavaScript baselines
//! of the compaction workload (arrow-js + parquet-wasm, DuckDB-Wasm) from the same Chromium.

use std::collections::HashMap;
use std::fs;
use std::process::Command;

use serde_json::{Value, json};

use crate::util::{self, Result};
use crate::{dist, node, serve};

pub fn run() -> Result {
    let native = native()?;
    let wasm = wasm()?;
    let machine = machine();
    let date = util::capture(Command::new("date").args(["-u", "+%F"]))?
        .trim()
        .to_string();
    for name in engine::bench::WORKLOADS {
        let wasm_ms = wasm
            .get(*name)
            .ok_or(format!("bench/run.mjs reported nothing for {name}"))?;
        let line = json!({
            "workload": name,
            "native_median_ms": (native[*name] * 1000.0).round() / 1000.0,
            "wasm_median_ms": wasm_ms,
            "machine": machine,
            "date": date,
        });
        println!("{line}");
    }
    for name in engine::bench::NATIVE_WORKLOADS {
        let ms = native[*name];
        let rows_per_s = engine::bench::NATIVE_WORKLOAD_ROWS as f64 / (ms / 1000.0);
        let line = json!({
            "workload": name,
            "native_median_ms": (ms * 1000.0).round() / 1000.0,
            "native_rows_per_s": rows_per_s.round(),
            "machine": machine,
            "date": date,
        });
        println!("{line}");
    }
    // What only the browser measures (instantiation), in name order.
    let mut wasm_only: Vec<_> = wasm
        .iter()
        .filter(|(name, _)| !engine::bench::WORKLOADS.contains(&name.as_str()))
        .collect();
    wasm_only.sort_by(|a, b| a.0.cmp(b.0));
    for (name, ms) in wasm_only {
        let line =
            json!({ "workload": name, "wasm_median_ms": ms, "machine": machine, "date": date });
        println!("{line}");
    }
    // The baselines print their own JSON lines ({"baseline", "workload", "median_ms", …}).
    util::run(node::node(0).arg("bench/compare.mjs"))
}

/// Runs the criterion benches and reads each workload's median, in milliseconds.
fn native() -> Result<HashMap<&'static str, f64>> {
    util::run(&mut util::cargo("bench -p engine --bench core"))?;
    let criterion = util::target_dir().join("criterion");
    let mut medians = HashMap::new();
    let native_only = engine::bench::NATIVE_WORKLOADS
        .iter()
        .map(|name| (*name, format!("native/{name}")));
    // A workload that counts elements is a criterion group with one function, `run`.
    let workloads = engine::bench::WORKLOADS.iter().map(|name| {
        let dir = match engine::bench::elements(name) {
            Some(_) => format!("{name}/run"),
            None => name.to_string(),
        };
        (*name, dir)
    });
    for (name, dir) in workloads.chain(native_only) {
        let path = criterion.join(dir).join("new/estimates.json");
        let fail = |why: String| format!("reading {} failed: {why}", path.display());
        let text = fs::read_to_string(&path).map_err(|err| fail(err.to_string()))?;
        let estimates: Value = serde_json::from_str(&text).map_err(|err| fail(err.to_string()))?;
        let nanos = estimates["median"]["point_estimate"].as_f64();
        medians.insert(
            name,
            nanos.ok_or_else(|| fail("no median.point_estimate".into()))? / 1e6,
        );
    }
    Ok(medians)
}

/// Serves `dist/` plus the bench page, runs `e2e/bench/run.mjs` against it, and collects
/// the `{"workload", "wasm_median_ms"}` lines it prints.
fn wasm() -> Result<HashMap<String, f64>> {
    let dist = dist::build()?;
    let site = util::target_dir().join("bench-site");
    util::remove_dir(&site)?;
    util::copy_dir(&dist, &site)?;
    let page = node::dir().join("bench/bench.html");
    fs::copy(&page, site.join("bench.html"))
        .map_err(|err| format!("copying {} failed: {err}", page.display()))?;
    node::install(true)?;
    let (port, _server) = serve::spawn(site, 0)?;
    let output = util::capture(node::node(port).arg("bench/run.mjs"))?;
    let mut medians = HashMap::new();
    for line in output.lines() {
        // Anything that is not a result line is the script talking; pass it on.
        let Ok(result) = serde_json::from_str::<Value>(line) else {
            eprintln!("{line}");
            continue;
        };
        let (Some(name), Some(median)) = (
            result["workload"].as_str(),
            result["wasm_median_ms"].as_f64(),
        ) else {
            return Err(format!("bench/run.mjs printed a malformed result: {line}"));
        };
        medians.insert(name.to_string(), median);
    }
    Ok(medians)
}

/// `"2 cores, linux"`: enough to tell recorded numbers from different machines apart.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |cores| cores.get());
    format!("{cores} cores, {}", std::env::consts::OS)
}
