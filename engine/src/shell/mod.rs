//! The shell: one interpreter for every line a learner types, in the browser terminal and in the
//! native CLI. It parses text into pipelines (`lex`), dispatches each command to its family
//! (`builtins`, `sim_cmd`, `aws`) and renders replies and errors in the real tools' words.
//! Services never print; only this module turns values into terminal text.

mod args;
mod athena_cmd;
mod aws;
mod builtins;
mod files;
mod iam_cmd;
mod kafka_admin;
mod kafka_cmd;
mod kafka_groups;
mod lesson_cmd;
pub mod lex;
mod sim_cmd;

pub use args::parse_duration;
pub use athena_cmd::{command_line as athena_command_line, size as athena_data_size};
pub use files::{HostFiles, MemoryFiles, NoFiles, normalize_path};
pub use lex::{Entry, Pipeline, SimpleCommand, SyntaxError, needs_more_input, split_script};

use crate::sim::{ScheduledCommand, World, WorldConfig};

/// Everything a command may touch.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub files: &'a mut dyn HostFiles,
    pub origin: Origin,
}

/// Who runs the command: a person (terminal, CLI, JS API) or the event queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Person,
    Scheduled,
}

/// Requests that reach past the world into the session's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionAction {
    Undo,
    Reset(WorldConfig),
}

/// Does a pipeline change the world? Changes are traced, logged and undoable; inspections are
/// none of those.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Inspect,
    Change,
}

#[derive(Debug, Default)]
pub struct Reply {
    pub stdout: String,
    pub action: Option<SessionAction>,
}

impl Reply {
    pub fn text(stdout: impl Into<String>) -> Self {
        Self {
            stdout: stdout.into(),
            action: None,
        }
    }
}

/// Why a command failed, already in the words its real tool would use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    NotFound {
        name: String,
        suggestion: Option<String>,
    },
    /// A usage mistake in one of our own commands: `sim advance: …`.
    Usage { command: String, message: String },
    /// Text rendered by a family in its tool's exact shape (AWS CLI usage errors, API errors).
    Rendered(String),
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::NotFound {
                name,
                suggestion: Some(suggestion),
            } => {
                writeln!(
                    f,
                    "{name}: command not found; did you mean `{suggestion}`? (type `help` for every command)"
                )
            }
            CommandError::NotFound {
                name,
                suggestion: None,
            } => {
                writeln!(
                    f,
                    "{name}: command not found (type `help` for every command)"
                )
            }
            CommandError::Usage { command, message } => {
                writeln!(
                    f,
                    "{command}: {message}\nTry `help {}`.",
                    command.split(' ').next().unwrap_or(command)
                )
            }
            CommandError::Rendered(text) => f.write_str(text),
        }
    }
}

pub(crate) fn usage(command: &str, message: impl Into<String>) -> CommandError {
    CommandError::Usage {
        command: command.to_string(),
        message: message.into(),
    }
}

/// The commands a learner can type, for `help` and for "did you mean".
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("help", "list commands, or `help <command>` for one"),
    (
        "echo",
        "print its arguments (pipe it into a command that reads input)",
    ),
    ("cat", "print local files, or its input"),
    ("sim", "the simulator: clock, events, seed, undo, trace"),
    ("aws", "AWS CLI v2: `aws <service> <operation> --flags`"),
    (
        "athena",
        "run SQL in Athena and wait for it, like the console: athena [--database DB] \"SQL\"",
    ),
    (
        "kafka-topics.sh",
        "--bootstrap-server localhost:9092 --create|--list|--describe|--alter|--delete --topic T",
    ),
    (
        "kafka-console-producer.sh",
        "--bootstrap-server localhost:9092 --topic T  (one record per input line)",
    ),
    (
        "kafka-console-consumer.sh",
        "--bootstrap-server localhost:9092 --topic T [--group G] [--from-beginning] [--timeout-ms MS] [&]",
    ),
    (
        "kafka-consumer-groups.sh",
        "--bootstrap-server localhost:9092 --list|--describe|--reset-offsets|--delete [--group G]",
    ),
    (
        "jobs",
        "list the consumers running in the background (started with `&`)",
    ),
    (
        "kill",
        "kill %N stops background job N cleanly; kill -9 %N kills it without a goodbye",
    ),
    (
        "kafka-get-offsets.sh",
        "--bootstrap-server localhost:9092 --topic T  (T:partition:offset lines)",
    ),
    (
        "kafka-configs.sh",
        "--bootstrap-server localhost:9092 --entity-type topics|brokers --entity-name N --describe|--alter [--add-config k=v,…] [--delete-config k,…]",
    ),
    (
        "kafka-producer-perf-test.sh",
        "--topic T --num-records N --record-size S --throughput R|-1 --producer-props bootstrap.servers=localhost:9092 [acks=all …]",
    ),
    (
        "kafka-metadata-quorum.sh",
        "--bootstrap-server localhost:9092 describe --status  (the KRaft quorum)",
    ),
];

/// Classifies a pipeline before it runs, so the session knows whether to checkpoint.
pub fn classify(pipeline: &Pipeline) -> Effect {
    let changes = pipeline
        .commands
        .iter()
        .any(|command| match command.argv[0].as_str() {
            "help" | "echo" | "cat" | "jobs" => false,
            "sim" => sim_cmd::effect(&command.argv[1..]) == Effect::Change,
            _ => true,
        });
    if changes {
        Effect::Change
    } else {
        Effect::Inspect
    }
}

/// Runs a pipeline: each command's output is the next one's input; the first failure stops it.
pub fn run_pipeline(ctx: &mut Ctx, pipeline: &Pipeline) -> Result<Reply, CommandError> {
    let mut stdin: Option<String> = None;
    let mut reply = Reply::default();
    let line = pipeline
        .background
        .then(|| kafka_groups::job_line(pipeline));
    if line.is_some() && pipeline.commands.len() > 1 {
        return Err(usage(
            "&",
            "only a single kafka-console-consumer.sh --group G runs in the background here",
        ));
    }
    for command in &pipeline.commands {
        let input = command.heredoc.clone().or(stdin.take());
        let out = run_command(ctx, &command.argv, input, line.as_deref())?;
        stdin = Some(out.stdout.clone());
        if out.action.is_some() {
            reply.action = out.action;
        }
        reply.stdout = out.stdout;
    }
    if classify(pipeline) == Effect::Change {
        reply.stdout.push_str(&kafka_groups::background_output(ctx));
    }
    Ok(reply)
}

fn run_command(
    ctx: &mut Ctx,
    argv: &[String],
    stdin: Option<String>,
    background: Option<&str>,
) -> Result<Reply, CommandError> {
    let args = &argv[1..];
    if background.is_some() && !argv[0].starts_with("kafka-") {
        return Err(usage(
            &argv[0],
            "only kafka-console-consumer.sh --group G runs in the background (`&`) here",
        ));
    }
    match argv[0].as_str() {
        "help" => builtins::help(args),
        "echo" => builtins::echo(args),
        "cat" => builtins::cat(ctx, args, stdin),
        "sim" => sim_cmd::run(ctx, args),
        "aws" => aws::run(ctx, args, stdin),
        "athena" => athena_cmd::run(ctx, args, stdin),
        name @ ("kafka-topics.sh"
        | "kafka-console-producer.sh"
        | "kafka-console-consumer.sh"
        | "kafka-get-offsets.sh"
        | "kafka-metadata-quorum.sh"
        | "kafka-consumer-groups.sh") => kafka_cmd::run(ctx, name, args, stdin, background),
        name @ ("kafka-configs.sh" | "kafka-producer-perf-test.sh") if background.is_none() => {
            kafka_admin::run(ctx, name, args)
        }
        name @ ("kafka-configs.sh" | "kafka-producer-perf-test.sh") => Err(usage(
            name,
            "only kafka-console-consumer.sh --group G runs in the background (`&`) here",
        )),
        "jobs" => kafka_groups::jobs(ctx, args),
        "kill" => kafka_groups::kill(ctx, args),
        name => Err(CommandError::NotFound {
            name: name.to_string(),
            suggestion: suggest(name),
        }),
    }
}

/// The known command closest to a mistyped one, if any is close enough to be a typo.
fn suggest(name: &str) -> Option<String> {
    closest(name, COMMANDS.iter().map(|(command, _)| *command)).map(str::to_string)
}

/// The candidate within a small edit distance of `word` (ties go to the first listed).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Checks that a line may be put on the event queue: one valid pipeline, no history or clock
/// commands (those belong to the person at the keyboard).
pub fn check_schedulable(line: &str) -> Result<(), String> {
    let entries = split_script(line);
    let [entry] = entries.as_slice() else {
        return Err("a scheduled command must be exactly one command line".into());
    };
    let pipeline = entry
        .parsed
        .as_ref()
        .map_err(|err| err.message().to_string())?;
    for command in &pipeline.commands {
        if command.argv[0] == "sim" && !sim_cmd::schedulable(&command.argv[1..]) {
            return Err(format!(
                "`{}` cannot be scheduled: only a person moves the clock or the history",
                command.argv.join(" ")
            ));
        }
    }
    Ok(())
}

/// Runs a command that the event queue fired. It succeeds or changes nothing; either way the
/// trace says what happened.
pub(crate) fn run_scheduled(world: &mut World, command: &ScheduledCommand) {
    let checkpoint = world.checkpoint();
    let entries = split_script(&command.line);
    let result = match entries.first().map(|entry| &entry.parsed) {
        Some(Ok(pipeline)) => {
            let mut files = NoFiles;
            let mut ctx = Ctx {
                world: &mut *world,
                files: &mut files,
                origin: Origin::Scheduled,
            };
            run_pipeline(&mut ctx, pipeline)
        }
        Some(Err(err)) => Err(CommandError::Rendered(err.message().to_string())),
        None => Err(CommandError::Rendered("empty command".into())),
    };
    let (ok, output) = match result {
        Ok(reply) => (true, reply.stdout),
        Err(err) => {
            world.rewind(&checkpoint);
            (false, err.to_string())
        }
    };
    world.record(
        "shell",
        "scheduled-command",
        vec![
            ("line", command.line.as_str().into()),
            ("ok", ok.into()),
            ("output", output.into()),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_not_strangers() {
        assert_eq!(suggest("sm"), Some("sim".into()));
        assert_eq!(suggest("hlep"), Some("help".into()));
        assert_eq!(suggest("asw"), Some("aws".into()));
        assert_eq!(suggest("kubectl"), None);
    }

    #[test]
    fn inspections_are_classified_as_such() {
        let classify_line = |line: &str| classify(split_script(line)[0].parsed.as_ref().unwrap());
        assert_eq!(classify_line("sim time"), Effect::Inspect);
        assert_eq!(classify_line("echo a | cat"), Effect::Inspect);
        assert_eq!(classify_line("sim trace --last 3"), Effect::Inspect);
        assert_eq!(classify_line("sim query \"SELECT 1\""), Effect::Inspect);
        assert_eq!(classify_line("sim advance 1m"), Effect::Change);
        assert_eq!(classify_line("echo a | sim seed 3"), Effect::Change);
        assert_eq!(classify_line("nosuchcommand"), Effect::Change);
    }

    #[test]
    fn clock_and_history_commands_cannot_be_scheduled() {
        assert!(check_schedulable("echo hi").is_ok());
        assert!(check_schedulable("sim after 1m echo again").is_ok());
        assert!(
            check_schedulable("sim advance 1m")
                .unwrap_err()
                .contains("cannot be scheduled")
        );
        assert!(check_schedulable("sim undo").is_err());
        assert!(
            check_schedulable("echo 'open")
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(check_schedulable("echo a\necho b").is_err());
    }
}

#[cfg(test)]
mod golden;
