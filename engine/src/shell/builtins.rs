//! The shell's own small commands: `help`, `echo`, `cat`.

use super::{COMMANDS, CommandError, Ctx, Reply, aws, sim_cmd, usage};

pub fn help(args: &[String]) -> Result<Reply, CommandError> {
    match args {
        [] => {
            let mut text = String::from("Pipeline Playground shell. Commands:\n\n");
            for (name, summary) in COMMANDS {
                text.push_str(&format!("  {name:<6} {summary}\n"));
            }
            text.push_str(
                "\nQuoting works as in a POSIX shell; `#` starts a comment; `\\` at the end of a line continues it;\n\
                 `echo … | command` and here-documents (`command <<EOF`) feed a command's input;\n\
                 a trailing `&` keeps a command running in simulated time.\n",
            );
            Ok(Reply::text(text))
        }
        [name] => match name.as_str() {
            "sim" => Ok(Reply::text(sim_cmd::usage_text())),
            "aws" => Ok(Reply::text(aws::help_text())),
            "help" | "echo" | "cat" | "athena" => {
                let (_, summary) = COMMANDS
                    .iter()
                    .find(|(command, _)| command == name)
                    .expect("listed");
                Ok(Reply::text(format!("{name}: {summary}\n")))
            }
            other => Err(usage("help", format!("no command named `{other}`"))),
        },
        [_, extra, ..] => Err(usage("help", format!("unexpected argument `{extra}`"))),
    }
}

/// `echo [-n] words…`: the words joined by spaces, with a newline unless `-n`.
pub fn echo(args: &[String]) -> Result<Reply, CommandError> {
    let (newline, words) = match args.first().map(String::as_str) {
        Some("-n") => (false, &args[1..]),
        _ => (true, args),
    };
    let mut text = words.join(" ");
    if newline {
        text.push('\n');
    }
    Ok(Reply::text(text))
}

/// `cat [FILE…]`: the files in order, or the command's input when no file (or `-`) is named.
pub fn cat(ctx: &mut Ctx, args: &[String], stdin: Option<String>) -> Result<Reply, CommandError> {
    if args.is_empty() {
        return Ok(Reply::text(stdin.unwrap_or_default()));
    }
    let mut out = String::new();
    let mut stdin = stdin;
    for path in args {
        if path == "-" {
            out.push_str(&stdin.take().unwrap_or_default());
            continue;
        }
        let bytes = ctx
            .files
            .read(path)
            .map_err(|message| CommandError::Rendered(format!("cat: {message}\n")))?;
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    Ok(Reply::text(out))
}
