//! The `playground` binary end to end: scripts, stdin, --json, exit codes, real local files.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn playground(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_playground"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn runs_stdin_and_prints_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = playground(&[], "sim advance 90s\nsim time\n", dir.path());
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "2022-06-12T00:01:30Z  (+1m 30s, 0 events)\n2022-06-12T00:01:30Z\n"
    );
}

#[test]
fn goes_on_after_a_failure_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let out = playground(&[], "sim advance 5x\nsim time\n", dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "2022-06-12T00:00:00Z\n");
    assert!(text(&out.stderr).contains("unknown unit `x`"));
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = playground(&["--fail-fast"], "nosuch\nsim time\n", dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn json_prints_one_object_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = playground(
        &["--json"],
        "sim time\ncat <<EOF\nx\nEOF\nbogus\n",
        dir.path(),
    );
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        serde_json::json!({"command": "sim time", "ok": true, "output": "2022-06-12T00:00:00Z\n"})
    );
    assert_eq!(lines[1]["command"], "cat <<EOF\nx\nEOF");
    assert_eq!(lines[1]["output"], "x\n");
    assert_eq!(lines[2]["ok"], false);
}

#[test]
fn script_files_seeds_and_real_local_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("note.txt"), "from disk\n").unwrap();
    std::fs::write(
        dir.path().join("script.sh"),
        "sim seed\ncat ./note.txt file://note.txt\n",
    )
    .unwrap();
    let out = playground(&["--seed", "42", "script.sh"], "", dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "42\nfrom disk\nfrom disk\n");
}

#[test]
fn a_missing_script_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = playground(&["nope.sh"], "", dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "playground: nope.sh: No such file or directory\n"
    );
}

#[test]
fn the_determinism_example_prints_its_trace_hash() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let script = std::fs::read_to_string(root.join("examples/determinism.sh")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = playground(
        &["--json"],
        &format!("{script}\nsim trace --hash\n"),
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stdout));
    let last: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap();
    assert!(last["output"].as_str().unwrap().starts_with("sha256:"));
}
