//! Shared plumbing: workspace paths, running child commands with a header, the wasm target.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::{env, fs};

/// Every step reports failure as one line, which `main` prefixes with `xtask: `.
pub type Result<T = ()> = std::result::Result<T, String>;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The workspace root: the parent of this crate's manifest directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .into()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR` like the cargo we spawn does.
pub fn target_dir() -> PathBuf {
    root().join(env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()))
}

/// A cargo command (the one that runs us, via `CARGO`) started in the workspace root;
/// `args` is split on whitespace.
pub fn cargo(args: &str) -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.args(args.split_whitespace()).current_dir(root());
    command
}

/// How a command reads in headers and errors: program file name plus arguments.
fn label(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let program = program.file_name().unwrap_or(program.as_os_str());
    let mut words = vec![program.to_string_lossy().into_owned()];
    words.extend(
        command
            .get_args()
            .map(|arg| arg.to_string_lossy().into_owned()),
    );
    words.join(" ")
}

/// Prints a header, runs the command, and names it if it fails. The child's stdout goes to
/// our stderr: xtask's own stdout carries only its results (size tables, JSON lines).
pub fn run(command: &mut Command) -> Result {
    let label = label(command);
    eprintln!("==> {label}");
    let status = command
        .stdout(std::io::stderr())
        .status()
        .map_err(|err| format!("`{label}` failed to start: {err}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{label}` failed ({status})"))
    }
}

/// Like [`run`], but returns the child's stdout instead of echoing it.
pub fn capture(command: &mut Command) -> Result<String> {
    let label = label(command);
    eprintln!("==> {label}");
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .map_err(|err| format!("`{label}` failed to start: {err}"))?;
    if !output.status.success() {
        return Err(format!("`{label}` failed ({})", output.status));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{label}` printed non-UTF-8 output"))
}

/// Installs the wasm target if rustup lacks it. The check runs in the workspace root so
/// rustup picks the pinned toolchain from `rust-toolchain.toml`.
pub fn ensure_wasm_target() -> Result {
    let mut list = Command::new("rustup");
    list.args(["target", "list", "--installed"])
        .current_dir(root());
    let installed = match list.output() {
        Err(err) if err.kind() == ErrorKind::NotFound => {
            eprintln!("warning: rustup not on PATH; assuming {WASM_TARGET} is installed");
            return Ok(());
        }
        Err(err) => return Err(format!("`rustup target list` failed to start: {err}")),
        Ok(output) => String::from_utf8_lossy(&output.stdout).into_owned(),
    };
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .current_dir(root()))
}

/// Deletes `dir` if present; a missing directory is already the state we want.
pub fn remove_dir(dir: &Path) -> Result {
    match fs::remove_dir_all(dir) {
        Err(err) if err.kind() != ErrorKind::NotFound => {
            Err(format!("removing {} failed: {err}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Copies the tree under `from` into `to`, creating directories as needed.
pub fn copy_dir(from: &Path, to: &Path) -> Result {
    let fail = |err: std::io::Error| format!("copying {} failed: {err}", from.display());
    fs::create_dir_all(to).map_err(fail)?;
    for entry in fs::read_dir(from).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let dest = to.join(entry.file_name());
        if entry.file_type().map_err(fail)?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            fs::copy(entry.path(), &dest).map_err(fail)?;
        }
    }
    Ok(())
}

/// Every file under `dir`, as paths relative to it, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let fail = |err: std::io::Error| format!("listing {} failed: {err}", dir.display());
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let name = PathBuf::from(entry.file_name());
        if entry.file_type().map_err(fail)?.is_dir() {
            files.extend(
                files_under(&entry.path())?
                    .into_iter()
                    .map(|file| name.join(file)),
            );
        } else {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
}
