//! Benchmark workloads, shared by the native criterion benches (`engine/benches/core.rs`) and the
//! wasm bench page, so both measure exactly the same work.

use crate::shell::split_script;
use crate::sim::{EventQueue, SimRng};

/// The workloads `cargo xtask bench` runs, by name.
pub const WORKLOADS: &[&str] = &["event_queue_100k", "shell_parse_10k_lines"];

/// Runs one workload once and returns a checksum so the optimiser cannot drop the work.
pub fn run(name: &str) -> Option<u64> {
    match name {
        "event_queue_100k" => Some(event_queue(100_000)),
        "shell_parse_10k_lines" => Some(shell_parse(&shell_script(10_000))),
        _ => None,
    }
}

/// Schedules `n` events at pseudo-random times within a simulated hour, then pops them all.
pub fn event_queue(n: u64) -> u64 {
    let mut rng = SimRng::from_seed(1);
    let mut queue = EventQueue::default();
    for i in 0..n {
        let time_ms = rng.below(3_600_000) as i64;
        queue.schedule(time_ms, i).expect("below the queue limit");
    }
    let mut checksum = 0u64;
    while let Some(event) = queue.pop() {
        checksum = checksum
            .wrapping_mul(31)
            .wrapping_add(event.event ^ event.time_ms as u64);
    }
    checksum
}

/// A script of `lines` typical lines: quoting, JSON arguments, pipes, comments.
pub fn shell_script(lines: usize) -> String {
    const SAMPLES: &[&str] = &[
        "sim advance 5m",
        "aws s3api put-object --bucket logs-bucket --key 'raw/2022/06/12/00-01.json' --body ./log.json",
        r#"aws events put-rule --name every-minute --schedule-expression "rate(1 minute)""#,
        r#"echo '{"device_name": "sensor-7", "metric": 42}' | kafka-console-producer.sh --topic logs --bootstrap-server localhost:9092"#,
        "kafka-console-consumer.sh --topic logs --from-beginning --group g1 & # keep reading",
        "sim trace --last 10 --json",
    ];
    let mut script = String::new();
    for i in 0..lines {
        script.push_str(SAMPLES[i % SAMPLES.len()]);
        script.push('\n');
    }
    script
}

/// Splits a script into pipelines; returns the number of words seen.
pub fn shell_parse(script: &str) -> u64 {
    split_script(script)
        .iter()
        .filter_map(|entry| entry.parsed.as_ref().ok())
        .flat_map(|pipeline| &pipeline.commands)
        .map(|command| command.argv.len() as u64)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_runs_and_is_deterministic() {
        for name in WORKLOADS {
            let first = run(name).unwrap();
            assert_eq!(run(name), Some(first), "{name}");
        }
        assert_eq!(run("nope"), None);
    }

    #[test]
    fn the_parse_workload_parses_every_line() {
        let script = shell_script(60);
        let entries = split_script(&script);
        assert_eq!(entries.len(), 60);
        assert!(entries.iter().all(|entry| entry.parsed.is_ok()));
    }
}
