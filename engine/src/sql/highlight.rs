//! SQL split into highlighted pieces for the query editor, with the same tokenizer and Trino
//! rules the parser uses, so what looks like a string or an identifier is what Athena reads.

use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};

use super::parse::TrinoDialect;
use super::reserved::{DDL_RESERVED, DML_RESERVED};

/// Words shown as keywords besides Athena's reserved ones: sqlparser knows hundreds of keywords
/// (`count`, `logs`), which would colour most column names.
const KEYWORDS_EXTRA: &[&str] = &[
    "ANALYZE",
    "ASC",
    "COLUMNS",
    "DATABASE",
    "DATABASES",
    "DESC",
    "EXPLAIN",
    "EXTERNAL",
    "FETCH",
    "FIRST",
    "IF",
    "LAST",
    "LIMIT",
    "LOCATION",
    "MSCK",
    "NULLS",
    "OFFSET",
    "ONLY",
    "OVER",
    "PARTITIONED",
    "REPAIR",
    "REPLACE",
    "ROW",
    "ROWS",
    "SCHEMA",
    "SERDE",
    "SERDEPROPERTIES",
    "SHOW",
    "STORED",
    "TABLES",
    "TBLPROPERTIES",
    "VIEW",
];

fn is_keyword(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    [DML_RESERVED, DDL_RESERVED, KEYWORDS_EXTRA]
        .iter()
        .any(|list| list.contains(&upper.as_str()))
}

/// What a piece of SQL text is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    Identifier,
    String,
    Number,
    Comment,
    /// Operators and punctuation.
    Operator,
    Whitespace,
    /// Text the tokenizer refused, such as an unterminated string, up to the end.
    Invalid,
}

impl TokenKind {
    /// A short name, used as a CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Keyword => "keyword",
            TokenKind::Identifier => "identifier",
            TokenKind::String => "string",
            TokenKind::Number => "number",
            TokenKind::Comment => "comment",
            TokenKind::Operator => "operator",
            TokenKind::Whitespace => "whitespace",
            TokenKind::Invalid => "invalid",
        }
    }
}

/// Splits `sql` into consecutive pieces whose texts, joined, are `sql` exactly.
pub fn highlight(sql: &str) -> Vec<(TokenKind, String)> {
    let mut tokens: Vec<TokenWithSpan> = Vec::new();
    // On an error the buffer keeps the tokens read before it; the rest is marked invalid.
    let complete = Tokenizer::new(&TrinoDialect, sql)
        .tokenize_with_location_into_buf(&mut tokens)
        .is_ok();
    let chars: Vec<char> = sql.chars().collect();
    let offsets = LineOffsets::new(&chars);
    let mut pieces = Vec::new();
    let mut starts: Vec<(usize, TokenKind)> = tokens
        .iter()
        .filter(|t| t.token != Token::EOF)
        .map(|t| (offsets.index(t.span.start), kind(&t.token)))
        .collect();
    if !complete {
        let bad = tokens
            .iter()
            .rfind(|t| t.token != Token::EOF)
            .map_or(0, |t| offsets.index(t.span.end));
        starts.push((bad, TokenKind::Invalid));
    }
    for (i, &(start, kind)) in starts.iter().enumerate() {
        let stop = starts.get(i + 1).map_or(chars.len(), |next| next.0);
        if stop > start {
            pieces.push((kind, chars[start..stop].iter().collect()));
        }
    }
    if let Some(&(first, _)) = starts.first()
        && first > 0
    {
        pieces.insert(0, (TokenKind::Whitespace, chars[..first].iter().collect()));
    }
    pieces
}

fn kind(token: &Token) -> TokenKind {
    match token {
        Token::Word(word) if word.quote_style.is_none() && is_keyword(&word.value) => {
            TokenKind::Keyword
        }
        Token::Word(_) => TokenKind::Identifier,
        Token::Number(..) => TokenKind::Number,
        Token::Whitespace(Whitespace::SingleLineComment { .. })
        | Token::Whitespace(Whitespace::MultiLineComment(_)) => TokenKind::Comment,
        Token::Whitespace(_) => TokenKind::Whitespace,
        Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::NationalStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::DollarQuotedString(_) => TokenKind::String,
        _ => TokenKind::Operator,
    }
}

/// Turns the tokenizer's 1-based (line, column in characters) into character indexes.
struct LineOffsets {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineOffsets {
    fn new(chars: &[char]) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            chars
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == '\n')
                .map(|(i, _)| i + 1),
        );
        LineOffsets {
            line_starts,
            len: chars.len(),
        }
    }

    fn index(&self, location: Location) -> usize {
        let line = (location.line.max(1) - 1) as usize;
        let start = self.line_starts.get(line).copied().unwrap_or(self.len);
        (start + location.column.max(1) as usize - 1).min(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sql: &str, expect: &str) {
        let pieces = highlight(sql);
        let joined: String = pieces.iter().map(|(_, text)| text.as_str()).collect();
        assert_eq!(joined, sql, "pieces must join back into the text");
        let shown: Vec<String> = pieces
            .iter()
            .filter(|(kind, _)| *kind != TokenKind::Whitespace)
            .map(|(kind, text)| format!("{}:{text}", kind.as_str()))
            .collect();
        assert_eq!(shown.join(" "), expect);
    }

    #[test]
    fn keywords_names_literals_and_operators() {
        check(
            "SELECT device_name, count(*) AS n FROM logs WHERE metric >= 4.5 AND name = 'it''s'",
            "keyword:SELECT identifier:device_name operator:, identifier:count operator:( \
             operator:* operator:) keyword:AS identifier:n keyword:FROM identifier:logs \
             keyword:WHERE identifier:metric operator:>= number:4.5 keyword:AND identifier:name \
             operator:= string:'it''s'",
        );
    }

    #[test]
    fn quoted_identifiers_comments_and_lines() {
        check(
            "-- hi\nSELECT \"timestamp\"\n  /* x */ FROM t",
            "comment:-- hi keyword:SELECT identifier:\"timestamp\" comment:/* x */ \
             keyword:FROM identifier:t",
        );
    }

    #[test]
    fn an_unterminated_string_is_invalid_to_the_end() {
        check("SELECT 'abc\nFROM x", "keyword:SELECT invalid:'abc\nFROM x");
        check("", "");
        check("  ", "");
    }

    // Trino identifiers are ASCII; other letters are single characters it refuses.
    #[test]
    fn non_ascii_text_keeps_its_characters() {
        check(
            "SELECT '장치' AS 이름",
            "keyword:SELECT string:'장치' keyword:AS operator:이 operator:름",
        );
    }
}
