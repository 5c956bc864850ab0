//! `cargo xtask`: the workspace's build, serve, test and bench tasks, in Rust rather than
//! shell so they run the same everywhere the toolchain does.

mod bench;
mod dist;
mod interop;
mod node;
mod serve;
mod test;
mod util;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Workspace tasks for the playground", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build the static site into dist/ and print its raw, gzip and brotli sizes.
    Dist {
        /// Print one JSON line per file instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write dist/playground-offline.html: the whole app in one file, for file://.
        #[arg(long)]
        single_file: bool,
    },
    /// Build dist/ and serve it on http://127.0.0.1:PORT/.
    Serve {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
    /// Run every check CI runs: fmt, clippy, tests, file interop, dist, browser tests.
    Test {
        /// Skip the browser tests.
        #[arg(long)]
        no_e2e: bool,
        /// Skip rustfmt and clippy.
        #[arg(long)]
        skip_lint: bool,
    },
    /// Time the engine workloads natively and in the browser; print JSON lines.
    Bench,
}

fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Dist { json, single_file } => dist::run(json, single_file),
        Task::Serve { port } => serve::run(port),
        Task::Test { no_e2e, skip_lint } => test::run(&test::Options { no_e2e, skip_lint }),
        Task::Bench => bench::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
