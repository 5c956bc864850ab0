//! `athena "SQL"`: the console's query editor as one command. It submits the statement like
//! `aws athena start-query-execution`, lets simulated time run until the query finishes (so
//! the clock moves by the query's run time), and prints the results and a stats line.

use super::args::Flags;
use super::{CommandError, Ctx, Reply, usage};
use crate::services::ACCOUNT_ID;
use crate::services::athena::{ColumnInfo, QueryExecution, QueryState, ResultSet, StartQuery};

/// Steps the world may take while waiting for one query.
const WAIT_STEPS_MAX: usize = 100_000;

/// Where the console writes results when no location is configured (it creates the bucket).
pub fn default_output_location() -> String {
    format!("s3://aws-athena-query-results-{ACCOUNT_ID}-us-east-1/")
}

pub fn run(ctx: &mut Ctx, args: &[String], stdin: Option<String>) -> Result<Reply, CommandError> {
    let flags = Flags::parse(args, &["database", "format", "output-location"], &[])
        .map_err(|m| usage("athena", m))?;
    let sql = match (flags.positionals.as_slice(), stdin) {
        ([sql], _) => sql.clone(),
        ([], Some(text)) if !text.trim().is_empty() => text,
        ([], _) => {
            return Err(usage(
                "athena",
                "missing the SQL statement, as in: athena \"SELECT 1\"",
            ));
        }
        ([_, extra, ..], _) => {
            return Err(usage(
                "athena",
                format!("unexpected argument `{extra}`: quote the whole statement"),
            ));
        }
    };
    let format = flags.value("format").unwrap_or("table");
    if !matches!(format, "table" | "csv" | "json") {
        return Err(usage(
            "athena",
            format!("--format must be table, csv or json, not `{format}`"),
        ));
    }
    let mut notes = String::new();
    let output = match flags.value("output-location") {
        Some(location) => location.to_string(),
        None => {
            let location = default_output_location();
            let bucket = location
                .trim_start_matches("s3://")
                .trim_end_matches('/')
                .to_string();
            let (services, mut env) = ctx.world.split();
            if services.s3.bucket(&bucket).is_err() {
                services
                    .s3
                    .create_bucket(&mut env, &bucket, "us-east-1")
                    .map_err(|e| CommandError::Rendered(format!("{}\n", e.message())))?;
                notes.push_str(&format!("note: created the query results bucket {location}, as the Athena console does\n"));
            }
            location
        }
    };
    let request = StartQuery {
        query: sql,
        database: flags.value("database").map(str::to_string),
        output_location: Some(output),
        workgroup: None,
        principal: None,
    };
    let id = {
        let (services, mut env) = ctx.world.split();
        services
            .athena
            .start_query(&mut env, request)
            .map_err(|err| {
                let hint = err.hint.map(|h| format!("hint: {h}\n")).unwrap_or_default();
                CommandError::Rendered(format!("{}: {}\n{hint}", err.code, err.message))
            })?
    };
    wait_for(ctx, &id)?;
    let query = ctx
        .world
        .services()
        .athena
        .execution(&id)
        .expect("just started")
        .clone();
    if query.state != QueryState::Succeeded {
        let hint = query
            .hint
            .as_ref()
            .map(|h| format!("hint: {h}\n"))
            .unwrap_or_default();
        let reason = query.reason.clone().unwrap_or_default();
        return Err(CommandError::Rendered(format!(
            "{notes}{reason}\n{hint}-- query {id} {}\n",
            query.state.as_str()
        )));
    }
    let mut out = notes;
    if let Some(result) = &query.result {
        out.push_str(&match format {
            "csv" => csv(result),
            "json" => json_lines(result),
            _ => table(result),
        });
    }
    out.push_str(&stats(&query));
    Ok(Reply::text(out))
}

/// The `athena` line that runs `sql` in `database`, quoted so the shell hands both over
/// unchanged, whatever quotes, `$`, `#` or backslashes they hold: one line in single quotes, or
/// a here-document with a quoted delimiter when the statement spans lines (a quote must close
/// on the line it opens).
pub fn command_line(database: &str, sql: &str) -> String {
    let sql = sql.trim();
    let database = shell_word(database);
    if !sql.contains('\n') {
        return format!("athena --database {database} {}", shell_word(sql));
    }
    let mut delimiter = String::from("SQL");
    while sql.lines().any(|line| line == delimiter) {
        delimiter.push('_');
    }
    format!("athena --database {database} <<'{delimiter}'\n{sql}\n{delimiter}")
}

/// A word as the shell reads it back: bare when it is plain, else single-quoted with each `'`
/// written as `'\''`.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,/:=@%+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs the world, event by event, until the query is done.
fn wait_for(ctx: &mut Ctx, id: &str) -> Result<(), CommandError> {
    for _ in 0..WAIT_STEPS_MAX {
        let done = ctx
            .world
            .services()
            .athena
            .execution(id)
            .map(|q| q.state.is_done())
            .unwrap_or(true);
        if done || !ctx.world.step() {
            return Ok(());
        }
    }
    Err(usage(
        "athena",
        "the query did not finish: something keeps the clock busy",
    ))
}

/// Sizes as the Athena console prints them: `0.21 KB`, `7.81 MB`.
pub fn size(bytes: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.2} {}", units[unit])
    }
}

/// `Run time: 1.23 sec, Data scanned: 7.81 MB, cost $0.00004768 (10 MB minimum)`.
fn stats(query: &QueryExecution) -> String {
    let total = query.run_time_ms();
    let cost = query.cost_dollars();
    let rows = match (&query.result, query.update_count) {
        (Some(result), _) if query.substatement_type == "SELECT" => {
            format!("{} row(s), ", result.rows.len())
        }
        (_, Some(count)) => format!("{count} row(s) written, "),
        _ => String::new(),
    };
    format!(
        "-- {rows}Run time: {:.3} sec, Data scanned: {}, Cost: ${cost:.8}{} (query {})\n",
        total as f64 / 1000.0,
        size(query.data_scanned_bytes),
        if query.minimum_billed() {
            " (10 MB minimum billed)"
        } else {
            ""
        },
        query.id
    )
}

fn cell(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("NULL")
}

/// An aligned table like the Trino CLI's: numbers to the right, everything else to the left.
pub(super) fn table(result: &ResultSet) -> String {
    let widths: Vec<usize> = result
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            result
                .rows
                .iter()
                .map(|r| cell(&r[i]).chars().count())
                .chain([c.name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let numeric: Vec<bool> = result.columns.iter().map(ColumnInfo::is_numeric).collect();
    let line = |cells: Vec<String>| format!(" {}", cells.join(" | ")).trim_end().to_string() + "\n";
    let mut out = line(
        result
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:^w$}", c.name))
            .collect(),
    );
    out.push_str(&format!(
        "{}\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    ));
    for row in &result.rows {
        out.push_str(&line(
            row.iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((v, w), &num)| {
                    if num {
                        format!("{:>w$}", cell(v))
                    } else {
                        format!("{:<w$}", cell(v))
                    }
                })
                .collect(),
        ));
    }
    out
}

fn csv(result: &ResultSet) -> String {
    let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let mut out = result
        .columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for row in &result.rows {
        out.push_str(
            &row.iter()
                .map(|v| v.as_deref().map(quote).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn json_lines(result: &ResultSet) -> String {
    let mut out = String::new();
    for row in &result.rows {
        let object: serde_json::Map<String, serde_json::Value> = result
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| {
                (
                    c.name.clone(),
                    v.clone()
                        .map_or(serde_json::Value::Null, serde_json::Value::from),
                )
            })
            .collect();
        out.push_str(&serde_json::Value::Object(object).to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::command_line;
    use crate::shell::split_script;

    /// What the shell hands the `athena` command: its arguments and its standard input.
    fn parsed(line: &str) -> (Vec<String>, Option<String>) {
        let entries = split_script(line);
        assert_eq!(entries.len(), 1, "one entry for {line:?}");
        let pipeline = entries[0].parsed.clone().expect("parses");
        assert_eq!(pipeline.commands.len(), 1);
        let command = pipeline.commands[0].clone();
        (command.argv, command.heredoc)
    }

    fn check(database: &str, sql: &str, expect: &str) {
        let line = command_line(database, sql);
        assert_eq!(line, expect);
        let (argv, heredoc) = parsed(&line);
        let sql = sql.trim();
        match heredoc {
            Some(body) => {
                assert_eq!(argv, ["athena", "--database", database]);
                assert_eq!(body, format!("{sql}\n"));
            }
            None => assert_eq!(argv, ["athena", "--database", database, sql]),
        }
    }

    #[test]
    fn quotes_survive_the_shell() {
        check("class", "SELECT 1", "athena --database class 'SELECT 1'");
        check(
            "class",
            r#"SELECT 'it''s' AS "a b" -- $HOME # \"#,
            r#"athena --database class 'SELECT '\''it'\'''\''s'\'' AS "a b" -- $HOME # \'"#,
        );
        check("my db", "SELECT 1", "athena --database 'my db' 'SELECT 1'");
    }

    #[test]
    fn statements_over_lines_become_here_documents() {
        check(
            "class",
            "SELECT 'a'\nFROM t\n",
            "athena --database class <<'SQL'\nSELECT 'a'\nFROM t\nSQL",
        );
        check(
            "class",
            "SELECT 1 AS\nSQL",
            "athena --database class <<'SQL_'\nSELECT 1 AS\nSQL\nSQL_",
        );
    }

    proptest! {
        #[test]
        fn any_statement_round_trips(sql in "[ -~\n가]{1,60}", database in "[a-z_ ']{1,8}") {
            let sql = sql.trim().to_string();
            prop_assume!(!sql.is_empty());
            let (argv, heredoc) = parsed(&command_line(&database, &sql));
            prop_assert_eq!(&argv[2], &database);
            match heredoc {
                Some(body) => prop_assert_eq!(body, format!("{sql}\n")),
                None => prop_assert_eq!(&argv[3], &sql),
            }
        }
    }
}
