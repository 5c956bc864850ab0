//! Golden transcripts of whole sessions: what a learner types and exactly what they see. Review
//! changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test` and `git diff`).

use crate::api::Session;
use crate::shell::split_script;

/// Runs `script` and returns a transcript: `$ line`, its output, and `[failed]` after failures.
fn transcript(session: &mut Session, script: &str) -> String {
    let mut out = String::new();
    for entry in split_script(script) {
        out.push_str(&format!("$ {}\n", entry.source));
        let outcome = session.exec_entry(&entry);
        out.push_str(&outcome.output);
        if !outcome.ok {
            out.push_str("[failed]\n");
        }
    }
    out
}

fn check(name: &str, script: &str) {
    let mut session = Session::with_seed(1);
    insta::assert_snapshot!(name, transcript(&mut session, script));
}

#[test]
fn clock_commands() {
    check(
        "clock_commands",
        "sim time\nsim advance 90s\nsim time\nsim advance 1h30m\nsim set-time 2022-06-13T00:00:00Z\nsim time",
    );
}

#[test]
fn scheduled_commands_and_steps() {
    check(
        "scheduled_commands_and_steps",
        "sim step\nsim after 30s echo hi\nsim at 2022-06-12T00:10:00Z cat nothing.txt\nsim events\nsim step\nsim time\nsim advance 20m\nsim events\nsim trace",
    );
}

#[test]
fn undo_reset_and_seed() {
    check(
        "undo_reset_and_seed",
        "sim undo\nsim advance 5m\nsim seed 9\nsim seed\nsim undo\nsim seed\nsim reset --seed 3 --start 2023-01-01\nsim time\nsim undo\nsim time",
    );
}

#[test]
fn pipes_heredocs_and_builtins() {
    check(
        "pipes_heredocs_and_builtins",
        "echo hello world | cat\necho -n no newline\ncat <<EOF\nline 1\n  line 2\nEOF\ncat - <<'END' | cat\npiped $HOME\nEND\nhelp",
    );
}

#[test]
fn bad_input_is_explained() {
    check(
        "bad_input_is_explained",
        "sim advance -5m\nsim advance 5x\nsim advance 5\nsim advance\nsim advance 1m 2m\nsim advance 3661d\n\
         sim set-time tomorrow\nsim step 0\nsim trace --last\nsim trace --bogus\nsim tiem\nsm time\nkubectl get pods\n\
         echo 'unterminated\nsim after 5s sim advance 1m\nsim at 2022-06-11T00:00:00Z echo past\nsim seed -1\nhelp nothing\ncat missing.txt",
    );
}

#[test]
fn aws_cli_shapes() {
    check(
        "aws_cli_shapes",
        "aws sts get-caller-identity\naws sts get-caller-identity --output text\naws sts get-access-key-info --access-key-id AKIAIOSFODNN7EXAMPLE\n\
         aws sts get-access-key-info --access-key-id AKIA\naws\naws nosuchservice list\naws sts\naws sts get-caller-identiy\n\
         aws sts get-caller-identity --bogus x\naws sts get-access-key-info\naws sts get-caller-identity --output xml\naws --region",
    );
}
