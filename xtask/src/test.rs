//! `cargo xtask test`: everything CI checks, in order, stopping at the first failure.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::{self, Result, WASM_TARGET};
use crate::{dist, interop, node, serve};

/// Which slow or noisy stages to leave out of a local loop.
pub struct Options {
    /// Skip the browser tests (the last stage).
    pub no_e2e: bool,
    /// Skip rustfmt and both clippy runs (the first stages).
    pub skip_lint: bool,
}

pub fn run(options: &Options) -> Result {
    if !options.skip_lint {
        lint()?;
    }
    // CI=true makes insta fail on a changed snapshot instead of writing a new one.
    util::run(util::cargo("test --workspace").env("CI", "true"))?;
    // Files the engine writes must be files pyarrow and DuckDB read, and the reverse.
    interop::run()?;
    dist::run(false, true)?;
    // The browser tests compare the page's trace hash with the native binary's.
    util::run(&mut util::cargo("build -p cli"))?;
    if !options.no_e2e {
        e2e()?;
    }
    eprintln!("==> all checks passed");
    Ok(())
}

/// Formatting, then clippy for the host and for the wasm build of the app, whose
/// browser-only code the host build does not compile.
fn lint() -> Result {
    util::run(&mut util::cargo("fmt --all -- --check"))?;
    util::run(&mut util::cargo(
        "clippy --workspace --all-targets -- -D warnings",
    ))?;
    util::ensure_wasm_target()?;
    let wasm_clippy = format!("clippy -p app --lib --target {WASM_TARGET} -- -D warnings");
    util::run(&mut util::cargo(&wasm_clippy))
}

/// Runs every `e2e/tests/*.test.mjs` under Node's test runner against `dist/`, served on a
/// free port. Files are listed here because Node 20 does not accept a directory.
fn e2e() -> Result {
    node::install(false)?;
    let artifacts = node::dir().join("artifacts");
    util::remove_dir(&artifacts)?;
    fs::create_dir_all(&artifacts)
        .map_err(|err| format!("creating {} failed: {err}", artifacts.display()))?;
    let tests = test_files()?;
    let (port, _server) = serve::spawn(util::root().join("dist"), 0)?;
    let playground = util::target_dir().join("debug/playground");
    util::run(
        node::node(port)
            .args(["--test", "--test-concurrency=1"])
            .args(&tests)
            .env("PLAYGROUND_BIN", playground)
            .env("DIST_DIR", util::root().join("dist"))
            .env("ARTIFACTS", artifacts),
    )
}

/// `tests/*.test.mjs`, relative to `e2e/`, sorted.
fn test_files() -> Result<Vec<PathBuf>> {
    let dir = node::dir().join("tests");
    let entries =
        fs::read_dir(&dir).map_err(|err| format!("listing {} failed: {err}", dir.display()))?;
    let mut tests: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| Path::new("tests").join(name))
        .collect();
    if tests.is_empty() {
        return Err(format!("no *.test.mjs files in {}", dir.display()));
    }
    tests.sort();
    Ok(tests)
}
