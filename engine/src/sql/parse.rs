//! Statement text → typed `Statement`. Athena sends DDL to Hive (`ddl.rs`) and queries, CTAS and
//! INSERT to Trino; this module routes by the leading keywords, parses Trino statements with
//! sqlparser, and rewrites sqlparser's errors in Trino's words.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlparser::ast::{self, CreateTableOptions, ObjectName, ObjectNamePart, Spanned, TableObject};
use sqlparser::dialect::{Dialect, HiveDialect};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

use super::ctas::CtasProperties;
use super::ddl;
use super::error::{ErrorCode, Pos, SqlError};
use super::hive::ExternalTable;

/// The statements Athena runs, as the playground understands them.
#[derive(Clone, Debug)]
pub enum Statement {
    /// SELECT, VALUES, WITH ….
    Query(ParsedQuery),
    CreateDatabase {
        name: String,
        if_not_exists: bool,
        comment: Option<String>,
        location: Option<String>,
    },
    DropDatabase {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    CreateExternalTable(ExternalTable),
    CreateTableAs {
        name: QualifiedName,
        if_not_exists: bool,
        properties: CtasProperties,
        query: ParsedQuery,
        with_data: bool,
    },
    InsertInto {
        table: QualifiedName,
        columns: Vec<String>,
        query: ParsedQuery,
    },
    ShowDatabases {
        like: Option<String>,
    },
    ShowTables {
        database: Option<String>,
        like: Option<String>,
    },
    Describe {
        table: QualifiedName,
    },
    ShowCreateTable {
        table: QualifiedName,
    },
    DropTable {
        table: QualifiedName,
        if_exists: bool,
    },
}

/// A parsed query and the statement text it came from (errors point into that text).
#[derive(Clone, Debug)]
pub struct ParsedQuery {
    query: Box<ast::Query>,
    text: Arc<str>,
}

impl ParsedQuery {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub(super) fn ast(&self) -> &ast::Query {
        &self.query
    }
}

/// `[database.]table`, lower-cased as Athena stores names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub database: Option<String>,
    pub table: String,
}

/// Parses one statement; a trailing `;` is fine.
pub fn parse_statement(text: &str) -> Result<Statement, SqlError> {
    let words = leading_words(text);
    if words.is_empty() {
        return Err(SqlError::syntax(
            Some(Pos::new(1, 1)),
            format!("mismatched input '<EOF>'. Expecting: {STATEMENT_STARTS}"),
        ));
    }
    if ddl::is_hive_ddl(&words) {
        return ddl::parse(text);
    }
    if is_unsupported_statement(&words) {
        let keyword = words.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
        return Err(SqlError::not_supported(
            Some(Pos::new(1, 1)),
            format!("{keyword} is not supported by the playground yet"),
        ));
    }
    check_trino_tokens(text)?;
    let text: Arc<str> = text.into();
    let statement = parse_trino(&text)?;
    from_trino(statement, &text)
}

const STATEMENT_STARTS: &str = "'ALTER', 'ANALYZE', 'CALL', 'COMMENT', 'COMMIT', 'CREATE', \
'DEALLOCATE', 'DELETE', 'DENY', 'DESC', 'DESCRIBE', 'DROP', 'EXECUTE', 'EXPLAIN', 'GRANT', \
'INSERT', 'MERGE', 'PREPARE', 'REFRESH', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'SHOW', 'START', \
'TRUNCATE', 'UPDATE', 'USE', <query>";

/// Statements Athena has and the playground does not: refused before sqlparser, which would
/// misread many of them.
fn is_unsupported_statement(words: &[String]) -> bool {
    const OTHERS: &[&str] = &[
        "ALTER",
        "ANALYZE",
        "CALL",
        "COMMENT",
        "COMMIT",
        "DEALLOCATE",
        "DELETE",
        "DENY",
        "EXECUTE",
        "EXPLAIN",
        "GRANT",
        "MERGE",
        "MSCK",
        "PREPARE",
        "REFRESH",
        "RESET",
        "REVOKE",
        "ROLLBACK",
        "SET",
        "START",
        "TRUNCATE",
        "UNLOAD",
        "UPDATE",
        "USE",
        "VACUUM",
        "OPTIMIZE",
    ];
    let first = words[0].as_str();
    let creates_other = first == "CREATE" && words.get(1).is_some_and(|w| w != "TABLE");
    let drops_other = first == "DROP";
    OTHERS.contains(&first) || creates_other || drops_other
}

/// The first three words of the statement, upper-cased, for routing.
fn leading_words(text: &str) -> Vec<String> {
    let tokens = Tokenizer::new(&HiveDialect {}, text)
        .tokenize()
        .unwrap_or_default();
    tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .take(3)
        .map(|t| match t {
            Token::Word(w) if w.quote_style.is_none() => w.value.to_ascii_uppercase(),
            other => other.to_string(),
        })
        .collect()
}

/// The lexical rules Trino has and sqlparser does not enforce.
fn check_trino_tokens(text: &str) -> Result<(), SqlError> {
    let tokens = Tokenizer::new(&TrinoDialect, text)
        .tokenize_with_location()
        .map_err(|e| SqlError::syntax(Pos::of_location(e.location), e.message))?;
    for token in tokens {
        if let Token::Word(word) = &token.token
            && word.quote_style == Some('`')
        {
            return Err(SqlError::syntax(
                Pos::of_span(token.span),
                "backquoted identifiers are not supported; use double quotes to quote identifiers",
            )
            .with_hint(format!(
                "in queries write \"{}\"; backticks are for DDL statements",
                word.value
            )));
        }
    }
    Ok(())
}

/// Trino's lexical conventions, for sqlparser: double quotes delimit identifiers (backticks are
/// tokenized only to be refused), identifiers are letters, digits and `_`.
#[derive(Debug)]
pub(super) struct TrinoDialect;

impl Dialect for TrinoDialect {
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        ch == '"' || ch == '`'
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        ch.is_ascii_alphabetic() || ch == '_'
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        ch.is_ascii_alphanumeric() || ch == '_'
    }

    fn require_interval_qualifier(&self) -> bool {
        true
    }

    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
}

fn parse_trino(text: &str) -> Result<ast::Statement, SqlError> {
    let mut parser = Parser::new(&TrinoDialect)
        .try_with_sql(text)
        .map_err(|e| parser_error(e, text))?;
    let statement = parser
        .parse_statement()
        .map_err(|e| parser_error(e, text))?;
    while parser.consume_token(&Token::SemiColon) {}
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let pos = Pos::of_span(next.span);
        return Err(mismatched(text, pos, &next.token.to_string(), "<EOF>"));
    }
    Ok(statement)
}

/// Rewrites sqlparser's `Expected: X, found: Y at Line: l, Column: c` as Trino's
/// `line l:c: mismatched input 'Y'. Expecting: X`.
fn parser_error(error: ParserError, text: &str) -> SqlError {
    let message = match &error {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => "statement is nested too deeply".to_string(),
    };
    let (body, pos) = split_location(&message);
    let Some((expected, found)) = body
        .strip_prefix("Expected: ")
        .or_else(|| body.strip_prefix("Expected "))
        .and_then(|rest| rest.rsplit_once(", found: "))
    else {
        return SqlError::syntax(pos, body);
    };
    let pos = pos.map(|p| token_at_or_before(text, p, found).unwrap_or(p));
    mismatched(text, pos, found, &trino_expectation(expected))
}

/// Where the offending token starts. sqlparser sometimes reports the position of the token
/// after it; Trino points at the token itself.
fn token_at_or_before(text: &str, reported: Pos, found: &str) -> Option<Pos> {
    let tokens = Tokenizer::new(&TrinoDialect, text)
        .tokenize_with_location()
        .ok()?;
    tokens
        .iter()
        .filter_map(|t| Some((Pos::of_span(t.span)?, t.token.to_string())))
        .filter(|(pos, token)| *pos <= reported && token.eq_ignore_ascii_case(found))
        .map(|(pos, _)| pos)
        .next_back()
}

fn mismatched(text: &str, pos: Option<Pos>, found: &str, expecting: &str) -> SqlError {
    let found = if found == "EOF" { "<EOF>" } else { found };
    let error = SqlError::syntax(
        pos,
        format!("mismatched input '{found}'. Expecting: {expecting}"),
    );
    match (found, pos.and_then(|p| hyphenated_name(text, p))) {
        ("-", Some(name)) => {
            error.with_hint(format!("names with '-' must be double-quoted: \"{name}\""))
        }
        _ => error,
    }
}

fn split_location(message: &str) -> (String, Option<Pos>) {
    let Some((body, location)) = message.rsplit_once(" at Line: ") else {
        return (message.to_string(), None);
    };
    let pos = location
        .split_once(", Column: ")
        .and_then(|(line, column)| {
            Some(Pos::new(
                line.trim().parse().ok()?,
                column.trim().parse().ok()?,
            ))
        });
    (body.to_string(), pos)
}

fn trino_expectation(expected: &str) -> String {
    match expected {
        "end of statement" => "<EOF>".to_string(),
        "an SQL statement" => STATEMENT_STARTS.to_string(),
        "an expression" => "<expression>".to_string(),
        "identifier" => "<identifier>".to_string(),
        "a data type name" => "<type>".to_string(),
        single if !single.contains(' ') => format!("'{single}'"),
        phrase => format!(
            "<{}>",
            phrase.trim_start_matches("an ").trim_start_matches("a ")
        ),
    }
}

/// The unquoted name around a `-` at `pos` (`hg-data-table`), when the `-` joins two words.
fn hyphenated_name(text: &str, pos: Pos) -> Option<String> {
    let line = text.lines().nth(pos.line as usize - 1)?;
    let chars: Vec<char> = line.chars().collect();
    let at = pos.column as usize - 1;
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if chars.get(at) != Some(&'-') || !chars.get(at + 1).is_some_and(is_name) {
        return None;
    }
    let start = (0..at)
        .rev()
        .take_while(|&i| is_name(&chars[i]) || chars[i] == '-')
        .last()?;
    let end = (at..chars.len())
        .take_while(|&i| is_name(&chars[i]) || chars[i] == '-')
        .last()?;
    Some(chars[start..=end].iter().collect())
}

fn from_trino(statement: ast::Statement, text: &Arc<str>) -> Result<Statement, SqlError> {
    let query = |query: Box<ast::Query>| ParsedQuery {
        query,
        text: text.clone(),
    };
    match statement {
        ast::Statement::Query(q) => Ok(Statement::Query(query(q))),
        ast::Statement::CreateTable(create) => {
            let pos = Pos::of_span(create.name.span());
            let Some(q) = create.query else {
                return Err(SqlError::not_supported(
                    pos,
                    "CREATE TABLE without AS SELECT makes an Iceberg table, which the playground does not support yet",
                )
                .with_hint("use CREATE EXTERNAL TABLE … LOCATION 's3://…' for a table over S3 data"));
            };
            let options = match &create.table_options {
                CreateTableOptions::None => &[][..],
                CreateTableOptions::With(options) => options.as_slice(),
                _ => {
                    return Err(SqlError::syntax(
                        pos,
                        "table properties must be given as WITH (name = value, …)",
                    ));
                }
            };
            Ok(Statement::CreateTableAs {
                name: qualified_name(&create.name)?,
                if_not_exists: create.if_not_exists,
                properties: CtasProperties::from_options(options)?,
                query: query(q),
                with_data: create.with_data.is_none_or(|w| w.data),
            })
        }
        ast::Statement::Insert(insert) => {
            let TableObject::TableName(name) = &insert.table else {
                return Err(SqlError::not_supported(
                    None,
                    "INSERT INTO needs a table name",
                ));
            };
            let Some(source) = insert.source else {
                return Err(SqlError::syntax(
                    None,
                    "INSERT INTO needs a query or VALUES",
                ));
            };
            Ok(Statement::InsertInto {
                table: qualified_name(name)?,
                columns: insert
                    .columns
                    .iter()
                    .map(|c| c.to_string().to_ascii_lowercase())
                    .collect(),
                query: query(source),
            })
        }
        other => {
            let name = other.to_string();
            let keyword = name
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            Err(SqlError::not_supported(
                Some(Pos::new(1, 1)),
                format!("{keyword} is not supported by the playground yet"),
            ))
        }
    }
}

/// A table name from a Trino statement: `table`, `db.table` or `catalog.db.table`.
pub(super) fn qualified_name(name: &ObjectName) -> Result<QualifiedName, SqlError> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident.value.to_ascii_lowercase(),
            other => other.to_string().to_ascii_lowercase(),
        })
        .collect();
    let pos = Pos::of_span(name.span());
    match parts.as_slice() {
        [table] => Ok(QualifiedName {
            database: None,
            table: table.clone(),
        }),
        [database, table] => Ok(QualifiedName {
            database: Some(database.clone()),
            table: table.clone(),
        }),
        [catalog, database, table] if catalog == "awsdatacatalog" => Ok(QualifiedName {
            database: Some(database.clone()),
            table: table.clone(),
        }),
        [catalog, _, _] => Err(SqlError::new(
            ErrorCode::CatalogNotFound,
            pos,
            format!("Catalog '{catalog}' does not exist"),
        )),
        _ => Err(SqlError::syntax(
            pos,
            format!("Too many dots in table name: {name}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(sql: &str) -> String {
        match parse_statement(sql) {
            Ok(Statement::Query(q)) => format!("Query: {}", q.ast()),
            Ok(Statement::CreateTableAs {
                name,
                if_not_exists,
                properties,
                query,
                with_data,
            }) => {
                format!(
                    "CreateTableAs {name:?} if_not_exists={if_not_exists} with_data={with_data}\n{properties:#?}\nquery: {}",
                    query.ast()
                )
            }
            Ok(Statement::InsertInto {
                table,
                columns,
                query,
            }) => {
                format!("InsertInto {table:?} {columns:?}\nquery: {}", query.ast())
            }
            Ok(other) => format!("{other:#?}"),
            Err(error) => match &error.hint {
                Some(hint) => format!("{error}\nhint: {hint}"),
                None => error.to_string(),
            },
        }
    }

    fn check(sql: &str, expect: &str) {
        assert_eq!(render(sql), expect, "{sql}");
    }

    #[test]
    fn parses_queries_with_a_trailing_semicolon() {
        check("SELECT a FROM t;", "Query: SELECT a FROM t");
        check("VALUES (1, 'a')", "Query: VALUES (1, 'a')");
        check(
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "Query: WITH x AS (SELECT 1) SELECT * FROM x",
        );
    }

    #[test]
    fn rewrites_parser_errors_in_trino_words() {
        check(
            "SELECT a, FROM t",
            "SYNTAX_ERROR: line 1:11: mismatched input 'FROM'. Expecting: <expression>",
        );
        check(
            "SELECT a FROM t t2 t3",
            "SYNTAX_ERROR: line 1:20: mismatched input 't3'. Expecting: <EOF>",
        );
        let starts = format!("Expecting: {STATEMENT_STARTS}");
        check(
            "SELEC a FROM t",
            &format!("SYNTAX_ERROR: line 1:1: mismatched input 'SELEC'. {starts}"),
        );
        check(
            "",
            &format!("SYNTAX_ERROR: line 1:1: mismatched input '<EOF>'. {starts}"),
        );
        check(
            "ALTER TABLE t ADD COLUMNS (b int)",
            "NOT_SUPPORTED: line 1:1: ALTER TABLE is not supported by the playground yet",
        );
    }

    #[test]
    fn explains_hyphens_in_unquoted_names() {
        check(
            "SELECT * FROM class.hg-data-table",
            "SYNTAX_ERROR: line 1:23: mismatched input '-'. Expecting: <EOF>\nhint: names with '-' must be double-quoted: \"hg-data-table\"",
        );
        check(
            "SELECT * FROM \"class\".\"hg-data-table\"",
            "Query: SELECT * FROM \"class\".\"hg-data-table\"",
        );
    }

    #[test]
    fn refuses_backquotes_in_queries() {
        check(
            "SELECT `timestamp` FROM logs",
            "SYNTAX_ERROR: line 1:8: backquoted identifiers are not supported; use double quotes to quote identifiers\nhint: in queries write \"timestamp\"; backticks are for DDL statements",
        );
    }
}
