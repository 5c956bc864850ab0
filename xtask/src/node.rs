//! The Node side of the browser tests and benches in `e2e/`: installing its packages and
//! starting its scripts with the environment they expect.

use std::env;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{self, Result};

/// The `e2e/` package directory.
pub fn dir() -> PathBuf {
    util::root().join("e2e")
}

/// `npm ci`, when there is a lockfile to install from. With `only_if_missing`, an existing
/// `node_modules/` is trusted as is, which saves a reinstall on repeated bench runs.
pub fn install(only_if_missing: bool) -> Result {
    let dir = dir();
    if !dir.join("package-lock.json").is_file() {
        return Ok(());
    }
    if only_if_missing && dir.join("node_modules").is_dir() {
        return Ok(());
    }
    util::run(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir),
    )
}

/// A `node` command in `e2e/`, pointed at the site on `port` and at the browser to drive.
pub fn node(port: u16) -> Command {
    let chromium = env::var_os("CHROMIUM").unwrap_or_else(|| OsString::from("/usr/bin/chromium"));
    let mut command = Command::new("node");
    command
        .current_dir(dir())
        .env("BASE_URL", format!("http://127.0.0.1:{port}/"))
        .env("CHROMIUM", chromium);
    command
}
