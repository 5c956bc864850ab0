//! `playground`: the simulated pipeline on the command line. Runs a script (or standard input)
//! command by command, or gives an interactive prompt on a terminal. Local paths (`./x`,
//! `file://x`) are real files here.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use engine::shell::{HostFiles, needs_more_input, normalize_path, split_script};
use engine::sim::format_iso;
use engine::{Session, WorldConfig};

#[derive(Parser)]
#[command(
    name = "playground",
    version,
    about = "Run commands against the simulated data pipeline"
)]
struct Args {
    /// Seed for the simulation's random numbers (same seed + same commands = same trace).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Print one JSON object per command: {"command", "ok", "output"}.
    #[arg(long)]
    json: bool,
    /// Stop at the first command that fails.
    #[arg(long)]
    fail_fast: bool,
    /// Script to run; standard input when absent (an interactive prompt on a terminal).
    script: Option<PathBuf>,
}

/// The real file system, relative to the current directory.
struct RealFiles;

impl HostFiles for RealFiles {
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(normalize_path(path)).map_err(|err| format!("{path}: {}", io_message(&err)))
    }

    fn write(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        std::fs::write(normalize_path(path), bytes)
            .map_err(|err| format!("{path}: {}", io_message(&err)))
    }

    fn remove(&mut self, path: &str) {
        // Undoing an upload that the file system no longer has is already done.
        let _ = std::fs::remove_file(normalize_path(path));
    }

    fn list(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(".") else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// The shell's wording for common I/O errors.
fn io_message(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        std::io::ErrorKind::IsADirectory => "Is a directory".into(),
        _ => err.to_string(),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = WorldConfig {
        seed: args.seed,
        ..WorldConfig::default()
    };
    let mut session = Session::new(config, Box::new(RealFiles));
    let interactive = args.script.is_none() && std::io::stdin().is_terminal();
    let all_ok = if interactive {
        prompt(&mut session)
    } else {
        let text = match read_script(args.script.as_ref()) {
            Ok(text) => text,
            Err(message) => {
                eprintln!("playground: {message}");
                return ExitCode::from(2);
            }
        };
        run_script(&mut session, &text, &args)
    };
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_script(path: Option<&PathBuf>) -> Result<String, String> {
    match path {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| format!("{}: {}", path.display(), io_message(&err))),
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|err| format!("standard input: {err}"))?;
            Ok(text)
        }
    }
}

/// Runs every command of `text`; returns whether all succeeded.
fn run_script(session: &mut Session, text: &str, args: &Args) -> bool {
    let mut all_ok = true;
    let mut stdout = std::io::stdout().lock();
    for entry in split_script(text) {
        let outcome = session.exec_entry(&entry);
        all_ok &= outcome.ok;
        if args.json {
            let line = serde_json::json!({"command": entry.source, "ok": outcome.ok, "output": outcome.output});
            let _ = writeln!(stdout, "{line}");
        } else if outcome.ok {
            let _ = stdout.write_all(outcome.output.as_bytes());
        } else {
            let _ = stdout.flush();
            eprint!("{}", outcome.output);
        }
        if !outcome.ok && args.fail_fast {
            break;
        }
    }
    all_ok
}

/// The interactive prompt: line editing and history from rustyline; here-documents and trailing
/// backslashes continue on a `> ` prompt.
fn prompt(session: &mut Session) -> bool {
    let Ok(mut editor) = rustyline::DefaultEditor::new() else {
        eprintln!("playground: cannot open the terminal for line editing");
        return false;
    };
    println!("Pipeline Playground: type `help` for commands, Ctrl-D to leave.");
    let mut all_ok = true;
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() {
            format!("[{}] $ ", format_iso(session.world().now_ms()))
        } else {
            "> ".into()
        };
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(_) => break,
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if needs_more_input(&pending) {
            continue;
        }
        let _ = editor.add_history_entry(pending.as_str());
        let outcome = session.exec(&pending);
        all_ok &= outcome.ok;
        if outcome.ok {
            print!("{}", outcome.output);
        } else {
            eprint!("{}", outcome.output);
        }
        pending.clear();
    }
    all_ok
}
