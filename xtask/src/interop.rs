//! The interop step of `cargo xtask test`: every file the engine writes must read back the same
//! rows, with the declared codec, in pyarrow and DuckDB, and files pyarrow writes must read
//! the same in the engine (`engine/examples/interop.rs` and `interop/check.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{self, Result};

/// Creates the Python environment on first use, installs the pinned readers, then runs the
/// check both ways in `target/interop/`.
pub fn run() -> Result {
    let python = venv_python()?;
    let requirements = util::root().join("interop/requirements.txt");
    util::run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
    )
    .map_err(|err| format!("{err}: installing pyarrow and DuckDB from PyPI needs the network"))?;
    let dir = util::target_dir().join("interop");
    util::remove_dir(&dir)?;
    let check = util::root().join("interop/check.py");
    let fail = |err: String| format!("{err}; the files are in {}", dir.display());
    util::run(&mut engine_example("write", &dir)).map_err(fail)?;
    util::run(Command::new(&python).arg(&check).arg("verify").arg(&dir)).map_err(fail)?;
    util::run(Command::new(&python).arg(&check).arg("write").arg(&dir)).map_err(fail)?;
    util::run(&mut engine_example("read", &dir)).map_err(fail)
}

/// `target/interop-venv`'s interpreter, creating the environment if it is missing.
fn venv_python() -> Result<PathBuf> {
    let venv = util::target_dir().join("interop-venv");
    let python = if cfg!(windows) {
        venv.join("Scripts/python.exe")
    } else {
        venv.join("bin/python")
    };
    if !python.exists() {
        util::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))
            .map_err(|err| format!("{err}: the interop check needs Python 3 with venv"))?;
    }
    Ok(python)
}

fn engine_example(command: &str, dir: &Path) -> Command {
    let mut cargo = util::cargo("run --quiet -p engine --example interop --");
    cargo.arg(command).arg(dir);
    cargo
}
