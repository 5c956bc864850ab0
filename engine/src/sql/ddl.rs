//! Hive's DDL, as Athena runs it: `CREATE EXTERNAL TABLE`, `CREATE`/`DROP DATABASE`,
//! `DROP TABLE`, `SHOW`, `DESCRIBE`. Parsed from sqlparser's Hive tokens by a small recursive
//! descent, so that failures read like Hive's (`cannot recognize input near … in column
//! specification`) and reserved words are refused where Hive refuses them.

use sqlparser::dialect::HiveDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::error::{ErrorCode, Pos, SqlError};
use super::hive::{ColumnDef, ExternalTable, HiveType, Storage};
use super::reserved::is_ddl_reserved;
use super::{QualifiedName, Statement};

const JSON_SERDES: &[&str] = &[
    "org.openx.data.jsonserde.JsonSerDe",
    "org.apache.hive.hcatalog.data.JsonSerDe",
];
const OPEN_CSV_SERDE: &str = "org.apache.hadoop.hive.serde2.OpenCSVSerde";
const LAZY_SIMPLE_SERDE: &str = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe";
const PARQUET_SERDE: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
const ORC_SERDE: &str = "org.apache.hadoop.hive.ql.io.orc.OrcSerde";

/// Parses one Hive DDL statement. `text` starts with one of the keywords `is_hive_ddl` accepts.
pub(super) fn parse(text: &str) -> Result<Statement, SqlError> {
    let mut cursor = Cursor::new(text)?;
    let statement = if cursor.keyword("CREATE") {
        create(&mut cursor)?
    } else if cursor.keyword("DROP") {
        drop(&mut cursor)?
    } else if cursor.keyword("SHOW") {
        show(&mut cursor)?
    } else if cursor.keyword("DESCRIBE") || cursor.keyword("DESC") {
        cursor.keyword("FORMATTED");
        cursor.keyword("EXTENDED");
        Statement::Describe {
            table: cursor.table_name()?,
        }
    } else {
        return Err(cursor.fail("statement"));
    };
    cursor.end()?;
    Ok(statement)
}

/// Whether Athena sends a statement starting with these words to Hive rather than Trino.
pub(super) fn is_hive_ddl(words: &[String]) -> bool {
    let word = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match word(0) {
        "CREATE" => matches!(word(1), "EXTERNAL" | "DATABASE" | "SCHEMA"),
        "DROP" => matches!(word(1), "DATABASE" | "SCHEMA" | "TABLE"),
        "SHOW" | "DESCRIBE" | "DESC" => true,
        _ => false,
    }
}

fn create(cursor: &mut Cursor) -> Result<Statement, SqlError> {
    if cursor.keyword("DATABASE") || cursor.keyword("SCHEMA") {
        return create_database(cursor);
    }
    cursor.expect_keyword("EXTERNAL", "create statement")?;
    cursor.expect_keyword("TABLE", "create table statement")?;
    Ok(Statement::CreateExternalTable(external_table(cursor)?))
}

fn create_database(cursor: &mut Cursor) -> Result<Statement, SqlError> {
    let if_not_exists = cursor.keywords(&["IF", "NOT", "EXISTS"]);
    let name = cursor.identifier("create database statement")?;
    let mut comment = None;
    let mut location = None;
    loop {
        if cursor.keyword("COMMENT") {
            comment = Some(cursor.string("database's comment")?);
        } else if cursor.keyword("LOCATION") {
            location = Some(cursor.string("database location specification")?);
        } else if cursor.keywords(&["WITH", "DBPROPERTIES"]) {
            cursor.properties("dbproperties list")?;
        } else {
            break;
        }
    }
    Ok(Statement::CreateDatabase {
        name,
        if_not_exists,
        comment,
        location,
    })
}

fn drop(cursor: &mut Cursor) -> Result<Statement, SqlError> {
    if cursor.keyword("TABLE") {
        let if_exists = cursor.keywords(&["IF", "EXISTS"]);
        let table = cursor.table_name()?;
        cursor.keyword("PURGE");
        return Ok(Statement::DropTable { table, if_exists });
    }
    if !(cursor.keyword("DATABASE") || cursor.keyword("SCHEMA")) {
        return Err(cursor.fail("drop statement"));
    }
    let if_exists = cursor.keywords(&["IF", "EXISTS"]);
    let name = cursor.identifier("drop database statement")?;
    let cascade = cursor.keyword("CASCADE");
    if !cascade {
        cursor.keyword("RESTRICT");
    }
    Ok(Statement::DropDatabase {
        name,
        if_exists,
        cascade,
    })
}

fn show(cursor: &mut Cursor) -> Result<Statement, SqlError> {
    if cursor.keyword("DATABASES") || cursor.keyword("SCHEMAS") {
        let like = if cursor.keyword("LIKE") {
            Some(cursor.string("show statement")?)
        } else {
            None
        };
        return Ok(Statement::ShowDatabases { like });
    }
    if cursor.keyword("TABLES") {
        let database = if cursor.keyword("IN") || cursor.keyword("FROM") {
            Some(cursor.identifier("show statement")?)
        } else {
            None
        };
        cursor.keyword("LIKE");
        let like = match cursor.peek() {
            Token::SingleQuotedString(_) => Some(cursor.string("show statement")?),
            _ => None,
        };
        return Ok(Statement::ShowTables { database, like });
    }
    if cursor.keywords(&["CREATE", "TABLE"]) {
        return Ok(Statement::ShowCreateTable {
            table: cursor.table_name()?,
        });
    }
    Err(cursor.fail("show statement"))
}

fn external_table(cursor: &mut Cursor) -> Result<ExternalTable, SqlError> {
    let if_not_exists = cursor.keywords(&["IF", "NOT", "EXISTS"]);
    let name = cursor.table_name()?;
    let columns = if cursor.peek() == &Token::LParen {
        column_list(cursor)?
    } else {
        Vec::new()
    };
    let mut clauses = TableClauses::default();
    while clauses.parse_one(cursor)? {}
    let storage = clauses.storage()?;
    let Some(location) = clauses.location else {
        return Err(cursor.fail("create table statement"));
    };
    Ok(ExternalTable {
        name,
        if_not_exists,
        columns,
        partitioned_by: clauses.partitioned_by,
        storage,
        location,
        tblproperties: clauses.tblproperties,
        comment: clauses.comment,
    })
}

fn column_list(cursor: &mut Cursor) -> Result<Vec<ColumnDef>, SqlError> {
    cursor.expect(Token::LParen, "column specification")?;
    let mut columns = vec![column(cursor)?];
    while cursor.consume(&Token::Comma) {
        columns.push(column(cursor)?);
    }
    cursor.expect(Token::RParen, "column specification")?;
    Ok(columns)
}

fn column(cursor: &mut Cursor) -> Result<ColumnDef, SqlError> {
    let name = cursor.identifier("column specification")?;
    let hive_type = hive_type(cursor)?;
    let comment = if cursor.keyword("COMMENT") {
        Some(cursor.string("column specification")?)
    } else {
        None
    };
    Ok(ColumnDef {
        name,
        hive_type,
        comment,
    })
}

/// Everything after the column list, in any order, as Hive's grammar allows most of it.
#[derive(Default)]
struct TableClauses {
    comment: Option<String>,
    partitioned_by: Vec<ColumnDef>,
    serde: Option<(String, Pos)>,
    delimited: Option<Delimiters>,
    serde_properties: Vec<(String, String)>,
    stored_as: Option<(String, Pos)>,
    location: Option<String>,
    tblproperties: Vec<(String, String)>,
}

#[derive(Default)]
struct Delimiters {
    field: Option<char>,
    escape: Option<char>,
    line: Option<char>,
    other: Vec<(String, String)>,
}

impl TableClauses {
    /// Parses one clause; `false` when the next token starts none.
    fn parse_one(&mut self, cursor: &mut Cursor) -> Result<bool, SqlError> {
        if cursor.keyword("COMMENT") {
            self.comment = Some(cursor.string("table's comment")?);
        } else if cursor.keywords(&["PARTITIONED", "BY"]) {
            self.partitioned_by = column_list(cursor)?;
        } else if cursor.keywords(&["CLUSTERED", "BY"]) {
            return Err(SqlError::not_supported(
                cursor.pos(),
                "CLUSTERED BY is not supported by the playground yet",
            ));
        } else if cursor.keywords(&["ROW", "FORMAT"]) {
            self.row_format(cursor)?;
        } else if cursor.keywords(&["WITH", "SERDEPROPERTIES"]) {
            self.serde_properties = cursor.properties("serde properties specification")?;
        } else if cursor.keywords(&["STORED", "AS"]) {
            self.stored_as(cursor)?;
        } else if cursor.keyword("LOCATION") {
            self.location = Some(cursor.string("table location specification")?);
        } else if cursor.keyword("TBLPROPERTIES") {
            self.tblproperties = cursor.properties("table properties list")?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    fn row_format(&mut self, cursor: &mut Cursor) -> Result<(), SqlError> {
        if cursor.keyword("SERDE") {
            let pos = cursor.pos();
            self.serde = Some((cursor.string("serde format specification")?, pos.unwrap()));
            return Ok(());
        }
        cursor.expect_keyword("DELIMITED", "serde format specification")?;
        let mut delimiters = Delimiters::default();
        loop {
            if cursor.keywords(&["FIELDS", "TERMINATED", "BY"]) {
                delimiters.field = Some(cursor.char("table row format's field separator")?);
                if cursor.keywords(&["ESCAPED", "BY"]) {
                    delimiters.escape = Some(cursor.char("table row format's field separator")?);
                }
            } else if cursor.keywords(&["LINES", "TERMINATED", "BY"]) {
                delimiters.line = Some(cursor.char("table row format's line separator")?);
            } else if cursor.keywords(&["COLLECTION", "ITEMS", "TERMINATED", "BY"]) {
                let value = cursor.char("table row format's column separator")?;
                delimiters
                    .other
                    .push(("collection.delim".into(), value.to_string()));
            } else if cursor.keywords(&["MAP", "KEYS", "TERMINATED", "BY"]) {
                let value = cursor.char("table row format's map key separator")?;
                delimiters
                    .other
                    .push(("mapkey.delim".into(), value.to_string()));
            } else if cursor.keywords(&["NULL", "DEFINED", "AS"]) {
                let value = cursor.string("table row format's null specifier")?;
                delimiters
                    .other
                    .push(("serialization.null.format".into(), value));
            } else {
                break;
            }
        }
        self.delimited = Some(delimiters);
        Ok(())
    }

    fn stored_as(&mut self, cursor: &mut Cursor) -> Result<(), SqlError> {
        let pos = cursor.pos().unwrap();
        if cursor.keyword("INPUTFORMAT") {
            let input = cursor.string("file format specification")?;
            cursor.expect_keyword("OUTPUTFORMAT", "file format specification")?;
            cursor.string("file format specification")?;
            self.stored_as = Some((input, pos));
        } else {
            let format = cursor.identifier("file format specification")?;
            self.stored_as = Some((format.to_ascii_uppercase(), pos));
        }
        Ok(())
    }

    fn storage(&self) -> Result<Storage, SqlError> {
        if let Some((serde, pos)) = &self.serde {
            return serde_storage(serde, *pos, &self.serde_properties);
        }
        if let Some(delimiters) = &self.delimited {
            let mut serde_properties = self.serde_properties.clone();
            serde_properties.extend(delimiters.other.iter().cloned());
            return Ok(Storage::Delimited {
                field_delimiter: delimiters.field.unwrap_or('\u{1}'),
                escape: delimiters.escape,
                line_delimiter: delimiters.line.unwrap_or('\n'),
                serde_properties,
            });
        }
        match &self.stored_as {
            None => Ok(Storage::TextFileDefault),
            Some((format, pos)) => stored_as_storage(format, *pos),
        }
    }
}

fn serde_storage(
    serde: &str,
    pos: Pos,
    properties: &[(String, String)],
) -> Result<Storage, SqlError> {
    let property = |key: &str| {
        properties
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.chars().next())
    };
    if JSON_SERDES.contains(&serde) {
        Ok(Storage::JsonSerde)
    } else if serde == OPEN_CSV_SERDE {
        Ok(Storage::OpenCsv {
            separator: property("separatorChar").unwrap_or(','),
            quote: property("quoteChar").unwrap_or('"'),
            escape: property("escapeChar").unwrap_or('\\'),
        })
    } else if serde == LAZY_SIMPLE_SERDE {
        let field = property("field.delim").or_else(|| property("serialization.format"));
        Ok(Storage::Delimited {
            field_delimiter: field.unwrap_or('\u{1}'),
            escape: property("escape.delim"),
            line_delimiter: property("line.delim").unwrap_or('\n'),
            serde_properties: properties.to_vec(),
        })
    } else if serde == PARQUET_SERDE {
        Ok(Storage::Parquet)
    } else if serde == ORC_SERDE {
        Ok(Storage::Orc)
    } else {
        Err(SqlError::not_supported(
            Some(pos),
            format!("SerDe '{serde}' is not supported by the playground yet"),
        )
        .with_hint(format!(
            "the playground reads {}, {OPEN_CSV_SERDE}, {LAZY_SIMPLE_SERDE}, Parquet and ORC",
            JSON_SERDES.join(", ")
        )))
    }
}

fn stored_as_storage(format: &str, pos: Pos) -> Result<Storage, SqlError> {
    match format {
        "PARQUET" | "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" => {
            Ok(Storage::Parquet)
        }
        "ORC" | "org.apache.hadoop.hive.ql.io.orc.OrcInputFormat" => Ok(Storage::Orc),
        "TEXTFILE" | "org.apache.hadoop.mapred.TextInputFormat" => Ok(Storage::TextFileDefault),
        other => Err(SqlError::not_supported(
            Some(pos),
            format!("STORED AS {other} is not supported by the playground yet"),
        )),
    }
}

fn hive_type(cursor: &mut Cursor) -> Result<HiveType, SqlError> {
    let Token::Word(word) = cursor.peek().clone() else {
        return Err(cursor.fail("column type"));
    };
    if word.quote_style.is_some() {
        return Err(cursor.fail("column type"));
    }
    let name = word.value.to_ascii_lowercase();
    let simple = match name.as_str() {
        "boolean" => Some(HiveType::Boolean),
        "tinyint" => Some(HiveType::TinyInt),
        "smallint" => Some(HiveType::SmallInt),
        "int" | "integer" => Some(HiveType::Int),
        "bigint" => Some(HiveType::BigInt),
        "float" | "real" => Some(HiveType::Float),
        "string" => Some(HiveType::String),
        "date" => Some(HiveType::Date),
        "timestamp" => Some(HiveType::Timestamp),
        "binary" => Some(HiveType::Binary),
        _ => None,
    };
    cursor.next();
    if let Some(simple) = simple {
        return Ok(simple);
    }
    match name.as_str() {
        "double" => {
            cursor.keyword("PRECISION");
            Ok(HiveType::Double)
        }
        "decimal" | "numeric" => decimal(cursor),
        "varchar" => Ok(HiveType::Varchar(Some(cursor.length("column type")?))),
        "char" => Ok(HiveType::Char(cursor.length("column type")?)),
        "array" => {
            cursor.expect(Token::Lt, "column type")?;
            let element = hive_type(cursor)?;
            cursor.expect_gt()?;
            Ok(HiveType::Array(Box::new(element)))
        }
        "map" => {
            cursor.expect(Token::Lt, "column type")?;
            let key = hive_type(cursor)?;
            cursor.expect(Token::Comma, "column type")?;
            let value = hive_type(cursor)?;
            cursor.expect_gt()?;
            Ok(HiveType::Map(Box::new(key), Box::new(value)))
        }
        "struct" => struct_type(cursor),
        _ => {
            cursor.back();
            Err(cursor.fail("column type"))
        }
    }
}

fn decimal(cursor: &mut Cursor) -> Result<HiveType, SqlError> {
    if !cursor.consume(&Token::LParen) {
        return Ok(HiveType::Decimal(10, 0));
    }
    let pos = cursor.pos();
    let precision = cursor.number("column type")?;
    let scale = if cursor.consume(&Token::Comma) {
        cursor.number("column type")?
    } else {
        0
    };
    cursor.expect(Token::RParen, "column type")?;
    if !(1..=38).contains(&precision) || scale > precision {
        return Err(SqlError::new(
            ErrorCode::InvalidLiteral,
            pos,
            format!(
                "Invalid decimal({precision},{scale}): precision must be 1 to 38 and scale at most the precision"
            ),
        ));
    }
    Ok(HiveType::Decimal(precision as u8, scale as i8))
}

fn struct_type(cursor: &mut Cursor) -> Result<HiveType, SqlError> {
    cursor.expect(Token::Lt, "column type")?;
    let mut fields = Vec::new();
    loop {
        let name = cursor.identifier("column type")?;
        cursor.expect(Token::Colon, "column type")?;
        fields.push((name, hive_type(cursor)?));
        // A pending `>` closes this struct before any comma that follows it.
        if cursor.pending_gt || !cursor.consume(&Token::Comma) {
            break;
        }
    }
    cursor.expect_gt()?;
    Ok(HiveType::Struct(fields))
}

/// The statement's tokens without whitespace and comments, and a read position.
struct Cursor {
    tokens: Vec<TokenWithSpan>,
    index: usize,
    /// A `>` left over after splitting `>>` (`array<array<int>>`).
    pending_gt: bool,
}

impl Cursor {
    fn new(text: &str) -> Result<Cursor, SqlError> {
        let tokens = Tokenizer::new(&HiveDialect {}, text)
            .tokenize_with_location()
            .map_err(|e| {
                let pos = Pos::of_location(e.location);
                SqlError::new(ErrorCode::DdlParseError, pos, e.message)
            })?;
        let tokens = tokens
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .collect();
        Ok(Cursor {
            tokens,
            index: 0,
            pending_gt: false,
        })
    }

    fn peek(&self) -> &Token {
        self.tokens
            .get(self.index)
            .map_or(&Token::EOF, |t| &t.token)
    }

    fn pos(&self) -> Option<Pos> {
        match self.tokens.get(self.index) {
            Some(token) => Pos::of_span(token.span),
            None => self
                .tokens
                .last()
                .and_then(|t| Pos::of_location(t.span.end)),
        }
    }

    fn next(&mut self) {
        self.index += 1;
    }

    fn back(&mut self) {
        self.index -= 1;
    }

    fn consume(&mut self, token: &Token) -> bool {
        let found = self.peek() == token;
        if found {
            self.next();
        }
        found
    }

    fn is_keyword_at(&self, index: usize, keyword: &str) -> bool {
        match self.tokens.get(index).map(|t| &t.token) {
            Some(Token::Word(w)) => {
                w.quote_style.is_none() && w.value.eq_ignore_ascii_case(keyword)
            }
            _ => false,
        }
    }

    fn keyword(&mut self, keyword: &str) -> bool {
        self.keywords(&[keyword])
    }

    /// Consumes all of `keywords` if the next tokens are exactly them, else nothing.
    fn keywords(&mut self, keywords: &[&str]) -> bool {
        let all = (0..keywords.len()).all(|i| self.is_keyword_at(self.index + i, keywords[i]));
        if all {
            self.index += keywords.len();
        }
        all
    }

    fn expect_keyword(&mut self, keyword: &str, context: &str) -> Result<(), SqlError> {
        if self.keyword(keyword) {
            Ok(())
        } else {
            Err(self.fail(context))
        }
    }

    fn expect(&mut self, token: Token, context: &str) -> Result<(), SqlError> {
        if self.consume(&token) {
            Ok(())
        } else {
            Err(self.fail(context))
        }
    }

    fn expect_gt(&mut self) -> Result<(), SqlError> {
        if self.pending_gt {
            self.pending_gt = false;
            return Ok(());
        }
        match self.peek() {
            Token::Gt => self.next(),
            Token::ShiftRight => {
                self.next();
                self.pending_gt = true;
            }
            _ => return Err(self.fail("column type")),
        }
        Ok(())
    }

    /// Hive's message for a token it did not expect: the next three tokens as written.
    fn fail(&self, context: &str) -> SqlError {
        let near: Vec<String> = (0..3)
            .map(|i| match self.tokens.get(self.index + i) {
                Some(token) => format!("'{}'", token.token),
                None => "'<EOF>'".to_string(),
            })
            .collect();
        let message = format!(
            "cannot recognize input near {} in {context}",
            near.join(" ")
        );
        SqlError::new(ErrorCode::DdlParseError, self.pos(), message)
    }

    /// A name: a bare word that is not reserved, or any backquoted text. Lower-cased, as Hive
    /// stores names.
    fn identifier(&mut self, context: &str) -> Result<String, SqlError> {
        let Token::Word(word) = self.peek().clone() else {
            return Err(self.fail(context));
        };
        match word.quote_style {
            None if is_ddl_reserved(&word.value) => {
                let name = word.value.to_ascii_lowercase();
                Err(self.fail(context).with_hint(format!(
                    "`{name}` is a reserved word in Athena DDL; write it in backticks: `{name}`"
                )))
            }
            None | Some('`') => {
                self.next();
                Ok(word.value.to_ascii_lowercase())
            }
            Some(_) => Err(self.fail(context)),
        }
    }

    fn table_name(&mut self) -> Result<QualifiedName, SqlError> {
        let first = self.identifier("table name")?;
        if !self.consume(&Token::Period) {
            if self.peek() == &Token::Minus {
                return Err(self.fail("table name").with_hint(format!(
                    "names with '-' must be quoted; in DDL write `{first}-…` in backticks"
                )));
            }
            return Ok(QualifiedName {
                database: None,
                table: first,
            });
        }
        let table = self.identifier("table name")?;
        Ok(QualifiedName {
            database: Some(first),
            table,
        })
    }

    /// A string literal, with Hive's backslash escapes applied. Hive also takes double quotes.
    fn string(&mut self, context: &str) -> Result<String, SqlError> {
        let text = match self.peek() {
            Token::SingleQuotedString(s) => s.clone(),
            Token::Word(w) if w.quote_style == Some('"') => w.value.clone(),
            _ => return Err(self.fail(context)),
        };
        self.next();
        Ok(unescape_hive(&text))
    }

    fn char(&mut self, context: &str) -> Result<char, SqlError> {
        let pos = self.pos();
        let text = self.string(context)?;
        text.chars().next().ok_or_else(|| {
            SqlError::new(
                ErrorCode::DdlParseError,
                pos,
                format!("empty delimiter in {context}"),
            )
        })
    }

    fn number(&mut self, context: &str) -> Result<u32, SqlError> {
        let Token::Number(n, _) = self.peek() else {
            return Err(self.fail(context));
        };
        let n = n.parse().map_err(|_| self.fail(context))?;
        self.next();
        Ok(n)
    }

    fn length(&mut self, context: &str) -> Result<u32, SqlError> {
        self.expect(Token::LParen, context)?;
        let n = self.number(context)?;
        self.expect(Token::RParen, context)?;
        Ok(n)
    }

    /// `('key' = 'value', …)`.
    fn properties(&mut self, context: &str) -> Result<Vec<(String, String)>, SqlError> {
        self.expect(Token::LParen, context)?;
        let mut properties = Vec::new();
        loop {
            let key = self.string(context)?;
            self.expect(Token::Eq, context)?;
            properties.push((key, self.string(context)?));
            if !self.consume(&Token::Comma) {
                break;
            }
        }
        self.expect(Token::RParen, context)?;
        Ok(properties)
    }

    fn end(&mut self) -> Result<(), SqlError> {
        self.consume(&Token::SemiColon);
        if self.index < self.tokens.len() {
            return Err(self.fail("statement"));
        }
        Ok(())
    }
}

/// Hive's escapes in string literals: `\t`, `\n`, `\\`, `\'` and octal `\001`.
fn unescape_hive(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(d @ '0'..='7') => {
                let mut code = d.to_digit(8).unwrap();
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            code = code * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{1}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(sql: &str) -> String {
        match parse(sql) {
            Ok(statement) => format!("{statement:#?}"),
            Err(error) => match &error.hint {
                Some(hint) => format!("{error}\nhint: {hint}"),
                None => error.to_string(),
            },
        }
    }

    fn check(sql: &str, expect: &str) {
        assert_eq!(render(sql), expect, "{sql}");
    }

    const COURSE_LOGS_TABLE: &str = "CREATE EXTERNAL TABLE IF NOT EXISTS logs (
  `timestamp` string, device_name string, metric double)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
LOCATION 's3://my-log-bucket/raw/';";

    #[test]
    fn parses_the_course_logs_table() {
        insta::assert_snapshot!(render(COURSE_LOGS_TABLE));
    }

    #[test]
    fn refuses_reserved_words_as_column_names_like_hive() {
        let sql = COURSE_LOGS_TABLE.replace("`timestamp`", "timestamp");
        check(
            &sql,
            "FAILED: ParseException line 2:2 cannot recognize input near 'timestamp' 'string' ',' in column specification\n\
             hint: `timestamp` is a reserved word in Athena DDL; write it in backticks: `timestamp`",
        );
        check(
            "CREATE EXTERNAL TABLE user (id int) LOCATION 's3://b/'",
            "FAILED: ParseException line 1:22 cannot recognize input near 'user' '(' 'id' in table name\n\
             hint: `user` is a reserved word in Athena DDL; write it in backticks: `user`",
        );
    }

    #[test]
    fn reads_every_storage_the_playground_knows() {
        insta::assert_snapshot!(render(
            "CREATE EXTERNAL TABLE db.t (a array<string>, b map<string,int>, c struct<x:int,y:array<bigint>>, \
             d decimal(10,2), e varchar(10), f char(3), g timestamp, h date, i boolean)
             COMMENT 'all the types'
             PARTITIONED BY (dt string COMMENT 'day')
             ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'
             STORED AS TEXTFILE LOCATION 's3://b/p/' TBLPROPERTIES ('skip.header.line.count'='1')"
        ));
        let storage = |clauses: &str| match parse(&format!(
            "CREATE EXTERNAL TABLE t (a string) {clauses} LOCATION 's3://b/'"
        )) {
            Ok(Statement::CreateExternalTable(table)) => format!("{:?}", table.storage),
            Err(error) => error.to_string(),
            Ok(other) => format!("{other:?}"),
        };
        assert_eq!(
            storage(
                "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde' WITH SERDEPROPERTIES ('separatorChar' = ';', 'quoteChar' = '\"')"
            ),
            "OpenCsv { separator: ';', quote: '\"', escape: '\\\\' }"
        );
        assert_eq!(
            storage("ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'"),
            "JsonSerde"
        );
        assert_eq!(storage("STORED AS PARQUET"), "Parquet");
        assert_eq!(storage("STORED AS orc"), "Orc");
        assert_eq!(storage("STORED AS TEXTFILE"), "TextFileDefault");
        assert_eq!(storage(""), "TextFileDefault");
        assert_eq!(
            storage("ROW FORMAT DELIMITED FIELDS TERMINATED BY ','"),
            "Delimited { field_delimiter: ',', escape: None, line_delimiter: '\\n', serde_properties: [] }"
        );
        assert_eq!(
            storage(
                "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' WITH SERDEPROPERTIES ('field.delim' = '|')"
            ),
            "Delimited { field_delimiter: '|', escape: None, line_delimiter: '\\n', serde_properties: [(\"field.delim\", \"|\")] }"
        );
        assert_eq!(
            storage("ROW FORMAT SERDE 'com.amazonaws.glue.serde.GrokSerDe'"),
            "NOT_SUPPORTED: line 1:53: SerDe 'com.amazonaws.glue.serde.GrokSerDe' is not supported by the playground yet"
        );
        assert_eq!(
            storage("STORED AS AVRO"),
            "NOT_SUPPORTED: line 1:46: STORED AS AVRO is not supported by the playground yet"
        );
    }

    #[test]
    fn explains_malformed_table_definitions() {
        check(
            "CREATE EXTERNAL TABLE t (a text) LOCATION 's3://b/'",
            "FAILED: ParseException line 1:27 cannot recognize input near 'text' ')' 'LOCATION' in column type",
        );
        check(
            "CREATE EXTERNAL TABLE t (a string)",
            "FAILED: ParseException line 1:34 cannot recognize input near '<EOF>' '<EOF>' '<EOF>' in create table statement",
        );
        check(
            "CREATE EXTERNAL TABLE my-table (a string) LOCATION 's3://b/'",
            "FAILED: ParseException line 1:24 cannot recognize input near '-' 'table' '(' in table name\n\
             hint: names with '-' must be quoted; in DDL write `my-…` in backticks",
        );
        check(
            "CREATE EXTERNAL TABLE t (a decimal(40,2)) LOCATION 's3://b/'",
            "INVALID_LITERAL: line 1:36: Invalid decimal(40,2): precision must be 1 to 38 and scale at most the precision",
        );
        check(
            "CREATE TABLE t (a int)",
            "FAILED: ParseException line 1:7 cannot recognize input near 'TABLE' 't' '(' in create statement",
        );
    }

    #[test]
    fn parses_database_and_catalog_statements() {
        check(
            "CREATE DATABASE IF NOT EXISTS Logs COMMENT 'raw' LOCATION 's3://b/logs/'",
            "CreateDatabase {\n    name: \"logs\",\n    if_not_exists: true,\n    comment: Some(\n        \"raw\",\n    ),\n    location: Some(\n        \"s3://b/logs/\",\n    ),\n}",
        );
        check(
            "DROP SCHEMA db CASCADE",
            "DropDatabase {\n    name: \"db\",\n    if_exists: false,\n    cascade: true,\n}",
        );
        check(
            "DROP TABLE IF EXISTS db.t",
            "DropTable {\n    table: QualifiedName {\n        database: Some(\n            \"db\",\n        ),\n        table: \"t\",\n    },\n    if_exists: true,\n}",
        );
        check(
            "SHOW DATABASES LIKE 'l.*'",
            "ShowDatabases {\n    like: Some(\n        \"l.*\",\n    ),\n}",
        );
        check(
            "SHOW TABLES IN db 'log*'",
            "ShowTables {\n    database: Some(\n        \"db\",\n    ),\n    like: Some(\n        \"log*\",\n    ),\n}",
        );
        check(
            "DESCRIBE `logs`",
            "Describe {\n    table: QualifiedName {\n        database: None,\n        table: \"logs\",\n    },\n}",
        );
        check(
            "SHOW CREATE TABLE logs;",
            "ShowCreateTable {\n    table: QualifiedName {\n        database: None,\n        table: \"logs\",\n    },\n}",
        );
        check(
            "SHOW PARTITIONS logs",
            "FAILED: ParseException line 1:5 cannot recognize input near 'PARTITIONS' 'logs' '<EOF>' in show statement",
        );
    }

    #[test]
    fn unescapes_hive_strings() {
        assert_eq!(unescape_hive("\\t|\\001|\\\\|x"), "\t|\u{1}|\\|x");
    }
}
