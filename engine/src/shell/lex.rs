//! Splits typed text into pipelines: POSIX-like quoting (words are split by `shlex`), `#`
//! comments, `\` line continuation, `|` pipes, here-documents (`<<EOF`, `<<-EOF`, `<<'EOF'`) and a
//! trailing `&`. Each pipeline keeps its exact source text so the command log can replay it.

/// One command of a pipeline: its words and, if it has one, its here-document body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub argv: Vec<String>,
    pub heredoc: Option<String>,
}

/// Commands joined by `|`, optionally sent to the background with a trailing `&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<SimpleCommand>,
    pub background: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// The text stops where more must follow (an open here-document or a trailing `\`). A
    /// terminal shows a continuation prompt instead of an error.
    Incomplete(String),
    Invalid(String),
}

impl SyntaxError {
    pub fn message(&self) -> &str {
        match self {
            SyntaxError::Incomplete(message) | SyntaxError::Invalid(message) => message,
        }
    }
}

/// A complete command as typed: its source lines and what they parse to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// 1-based number of the entry's first line in the script.
    pub line_no: usize,
    pub source: String,
    pub parsed: Result<Pipeline, SyntaxError>,
}

/// Splits a script into entries. Blank and comment-only lines produce none. A bad line is an
/// entry with an error; the lines after it still parse.
pub fn split_script(text: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut entries = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = i;
        let mut logical = lines[i].to_string();
        // `\` at the end of a line joins it with the next, as in `aws s3api put-object \`.
        while ends_with_continuation(&logical) && i + 1 < lines.len() {
            logical.pop();
            i += 1;
            logical.push_str(lines[i]);
        }
        i += 1;
        let scanned = if ends_with_continuation(&logical) {
            Err(SyntaxError::Incomplete(
                "the last line ends with `\\`: continue on the next line".into(),
            ))
        } else {
            scan(&logical)
        };
        let parsed = match scanned {
            Ok(tokens) if tokens.is_empty() => continue,
            Ok(tokens) => build(tokens, &lines, &mut i),
            Err(err) => Err(err),
        };
        let source = lines[first..i].join("\n");
        entries.push(Entry {
            line_no: first + 1,
            source,
            parsed,
        });
    }
    entries
}

/// True when `text` ends inside a here-document or after a trailing `\`: the terminal should
/// read another line before running it.
pub fn needs_more_input(text: &str) -> bool {
    split_script(text)
        .last()
        .is_some_and(|entry| matches!(entry.parsed, Err(SyntaxError::Incomplete(_))))
}

fn ends_with_continuation(line: &str) -> bool {
    let trailing = line.chars().rev().take_while(|&c| c == '\\').count();
    trailing % 2 == 1 && !ends_inside_single_quote(line)
}

fn ends_inside_single_quote(line: &str) -> bool {
    let mut quote = None;
    let mut escaped = false;
    for c in line.chars() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (None, '\\') | (Some('"'), '\\') => escaped = true,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
    }
    quote == Some('\'')
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    /// Raw text of a stretch of words, quotes intact, for `shlex` to split.
    Words(String),
    Pipe,
    Background,
    Heredoc {
        delimiter: String,
        strip_tabs: bool,
    },
}

/// Finds the operators that sit outside quotes and drops the comment, if any.
fn scan(line: &str) -> Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut words = String::new();
    let mut i = 0;
    let invalid = |message: String| Err(SyntaxError::Invalid(message));
    while i < chars.len() {
        let c = chars[i];
        let at_word_start = words.is_empty() || words.ends_with([' ', '\t']);
        match c {
            '\\' => {
                words.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    words.push(next);
                    i += 1;
                }
            }
            '\'' | '"' => {
                let end = closing_quote(&chars, i).ok_or_else(|| {
                    let name = if c == '\'' { "single" } else { "double" };
                    SyntaxError::Invalid(format!(
                        "unterminated {name} quote ({c}) starting at column {}; close it on the same line",
                        i + 1
                    ))
                })?;
                let quoted: String = chars[i..=end].iter().collect();
                if c == '"' && quoted.contains("$(") {
                    return invalid("command substitution `$(…)` is not supported".into());
                }
                words.push_str(&quoted);
                i = end;
            }
            '#' if at_word_start => break,
            '|' => {
                if chars.get(i + 1) == Some(&'|') {
                    return invalid(
                        "`||` is not supported: put each command on its own line".into(),
                    );
                }
                flush(&mut words, &mut tokens);
                tokens.push(Token::Pipe);
            }
            '&' => {
                if chars.get(i + 1) == Some(&'&') {
                    return invalid(
                        "`&&` is not supported: put each command on its own line".into(),
                    );
                }
                flush(&mut words, &mut tokens);
                tokens.push(Token::Background);
            }
            ';' => return invalid("`;` is not supported: put each command on its own line".into()),
            '`' => return invalid("command substitution with backquotes is not supported".into()),
            '$' if chars.get(i + 1) == Some(&'(') => {
                return invalid("command substitution `$(…)` is not supported".into());
            }
            '>' => return invalid("output redirection `>` is not supported".into()),
            '<' if chars.get(i + 1) == Some(&'<') => {
                flush(&mut words, &mut tokens);
                let (token, next) = heredoc_operator(&chars, i)?;
                tokens.push(token);
                i = next;
                continue;
            }
            '<' => {
                return invalid(
                    "input redirection `<` is not supported: use a here-document (<<EOF) or a pipe"
                        .into(),
                );
            }
            _ => words.push(c),
        }
        i += 1;
    }
    flush(&mut words, &mut tokens);
    Ok(tokens)
}

fn flush(words: &mut String, tokens: &mut Vec<Token>) {
    if !words.trim().is_empty() {
        tokens.push(Token::Words(std::mem::take(words)));
    }
    words.clear();
}

/// Index of the quote that closes the one at `open`.
fn closing_quote(chars: &[char], open: usize) -> Option<usize> {
    let quote = chars[open];
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            c if c == quote => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses `<<WORD`, `<<-WORD`, `<<'WORD'` or `<<"WORD"` at `start`; returns the token and the
/// index after it.
fn heredoc_operator(chars: &[char], start: usize) -> Result<(Token, usize), SyntaxError> {
    let mut i = start + 2;
    if chars.get(i) == Some(&'<') {
        return Err(SyntaxError::Invalid(
            "here-strings (`<<<`) are not supported".into(),
        ));
    }
    let strip_tabs = chars.get(i) == Some(&'-');
    if strip_tabs {
        i += 1;
    }
    while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
        i += 1;
    }
    let mut delimiter = String::new();
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' | '"' => {
                let end = closing_quote(chars, i).ok_or_else(|| {
                    SyntaxError::Invalid("unterminated quote in the here-document delimiter".into())
                })?;
                delimiter.extend(&chars[i + 1..end]);
                i = end + 1;
            }
            ' ' | '\t' | '|' | '&' | ';' | '<' | '>' => break,
            _ => {
                delimiter.push(c);
                i += 1;
            }
        }
    }
    if delimiter.is_empty() {
        return Err(SyntaxError::Invalid(
            "`<<` needs a delimiter word, as in `<<EOF`".into(),
        ));
    }
    Ok((
        Token::Heredoc {
            delimiter,
            strip_tabs,
        },
        i,
    ))
}

/// Turns tokens into a pipeline, reading here-document bodies from `lines[*next..]`.
fn build(tokens: Vec<Token>, lines: &[&str], next: &mut usize) -> Result<Pipeline, SyntaxError> {
    let mut commands = Vec::new();
    let mut argv: Vec<String> = Vec::new();
    let mut heredocs: Vec<(usize, String, bool)> = Vec::new();
    let mut background = false;
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        if background {
            return Err(SyntaxError::Invalid("`&` must end the line".into()));
        }
        match token {
            Token::Words(text) => {
                let words = shlex::split(&text).ok_or_else(|| {
                    SyntaxError::Invalid(format!("cannot split `{text}` into words"))
                })?;
                argv.extend(words);
            }
            Token::Heredoc {
                delimiter,
                strip_tabs,
            } => {
                if heredocs
                    .iter()
                    .any(|(index, _, _)| *index == commands.len())
                {
                    return Err(SyntaxError::Invalid(
                        "one command can read one here-document".into(),
                    ));
                }
                heredocs.push((commands.len(), delimiter, strip_tabs));
            }
            Token::Pipe | Token::Background => {
                if argv.is_empty() {
                    let op = if token == Token::Pipe { "|" } else { "&" };
                    return Err(SyntaxError::Invalid(format!(
                        "syntax error near `{op}`: no command before it"
                    )));
                }
                commands.push(SimpleCommand {
                    argv: std::mem::take(&mut argv),
                    heredoc: None,
                });
                if token == Token::Pipe && tokens.peek().is_none() {
                    return Err(SyntaxError::Invalid(
                        "syntax error: `|` needs a command after it".into(),
                    ));
                }
                background = token == Token::Background;
            }
        }
    }
    if !argv.is_empty() {
        commands.push(SimpleCommand {
            argv,
            heredoc: None,
        });
    }
    if commands.is_empty() {
        return Err(SyntaxError::Invalid(
            "a here-document needs a command to read it".into(),
        ));
    }
    for (index, delimiter, strip_tabs) in heredocs {
        let command = commands.get_mut(index).ok_or_else(|| {
            SyntaxError::Invalid("a here-document needs a command to read it".into())
        })?;
        command.heredoc = Some(read_heredoc(lines, next, &delimiter, strip_tabs)?);
    }
    Ok(Pipeline {
        commands,
        background,
    })
}

fn read_heredoc(
    lines: &[&str],
    next: &mut usize,
    delimiter: &str,
    strip_tabs: bool,
) -> Result<String, SyntaxError> {
    let opened_at = *next;
    let mut body = String::new();
    while *next < lines.len() {
        let line = lines[*next];
        *next += 1;
        let line = if strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        if line == delimiter {
            return Ok(body);
        }
        body.push_str(line);
        body.push('\n');
    }
    Err(SyntaxError::Incomplete(format!(
        "the here-document opened on line {opened_at} is not closed: end it with a line `{delimiter}`"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_one(text: &str) -> Result<Pipeline, SyntaxError> {
        let entries = split_script(text);
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries.into_iter().next().unwrap().parsed
    }

    fn argv(text: &str) -> Vec<String> {
        let pipeline = parse_one(text).unwrap();
        assert_eq!(pipeline.commands.len(), 1);
        pipeline.commands[0].argv.clone()
    }

    fn error(text: &str) -> String {
        parse_one(text).unwrap_err().message().to_string()
    }

    #[test]
    fn quotes_and_escapes_follow_posix() {
        assert_eq!(
            argv(r#"echo 'a b' "c d" e\ f"#),
            ["echo", "a b", "c d", "e f"]
        );
        assert_eq!(
            argv(r#"echo "say \"hi\"" 'it''s'"#),
            ["echo", r#"say "hi""#, "its"]
        );
        assert_eq!(
            argv(r#"aws events put-rule --event-pattern '{"source": ["x"]}'"#)
                .last()
                .unwrap(),
            r#"{"source": ["x"]}"#
        );
        assert_eq!(argv("echo '|' \"&\" '#'"), ["echo", "|", "&", "#"]);
    }

    #[test]
    fn comments_are_dropped() {
        assert_eq!(argv("sim time # what time is it"), ["sim", "time"]);
        assert_eq!(argv("echo a#b"), ["echo", "a#b"]);
        assert!(split_script("# only a comment\n\n   \n").is_empty());
    }

    #[test]
    fn pipes_and_background() {
        let pipeline = parse_one("echo hello | kafka-console-producer.sh --topic t &").unwrap();
        assert_eq!(pipeline.commands.len(), 2);
        assert_eq!(pipeline.commands[1].argv[0], "kafka-console-producer.sh");
        assert!(pipeline.background);
        assert!(!parse_one("sim time").unwrap().background);
    }

    #[test]
    fn heredocs_capture_their_body_and_source() {
        let text = "cat <<EOF\nline one\n  line two\nEOF\nsim time";
        let entries = split_script(text);
        assert_eq!(entries.len(), 2);
        let first = entries[0].parsed.as_ref().unwrap();
        assert_eq!(
            first.commands[0].heredoc.as_deref(),
            Some("line one\n  line two\n")
        );
        assert_eq!(entries[0].source, "cat <<EOF\nline one\n  line two\nEOF");
        assert_eq!(entries[1].line_no, 5);
    }

    #[test]
    fn heredoc_variants() {
        let tabs = parse_one("cat <<-END\n\tindented\n\tEND").unwrap();
        assert_eq!(tabs.commands[0].heredoc.as_deref(), Some("indented\n"));
        let quoted = parse_one("cat <<'EOF' | cat\n$HOME stays\nEOF").unwrap();
        assert_eq!(quoted.commands[0].heredoc.as_deref(), Some("$HOME stays\n"));
        assert_eq!(quoted.commands.len(), 2);
    }

    #[test]
    fn backslash_continues_a_line() {
        let entries = split_script("aws s3api put-object \\\n  --bucket b \\\n  --key k\nsim time");
        assert_eq!(entries.len(), 2);
        let pipeline = entries[0].parsed.as_ref().unwrap();
        assert_eq!(
            pipeline.commands[0].argv,
            ["aws", "s3api", "put-object", "--bucket", "b", "--key", "k"]
        );
        assert_eq!(entries[0].source.lines().count(), 3);
    }

    #[test]
    fn an_unterminated_quote_is_an_error_of_that_line_only() {
        let entries = split_script("echo 'oops\nsim time");
        assert_eq!(entries.len(), 2);
        let message = entries[0]
            .parsed
            .as_ref()
            .unwrap_err()
            .message()
            .to_string();
        assert_eq!(
            message,
            "unterminated single quote (') starting at column 6; close it on the same line"
        );
        assert!(entries[1].parsed.is_ok());
        assert!(error(r#"echo "half"#).contains("unterminated double quote"));
    }

    #[test]
    fn open_heredocs_and_trailing_backslashes_ask_for_more() {
        assert!(needs_more_input("cat <<EOF\nabc"));
        assert!(needs_more_input("aws s3 ls \\"));
        assert!(!needs_more_input("cat <<EOF\nabc\nEOF"));
        assert!(!needs_more_input("echo 'unterminated"));
        assert!(
            !needs_more_input("echo 'a \\"),
            "a backslash inside single quotes is literal"
        );
    }

    #[test]
    fn unsupported_operators_say_so() {
        assert!(error("sim time; sim time").contains("`;` is not supported"));
        assert!(error("a && b").contains("`&&`"));
        assert!(error("a || b").contains("`||`"));
        assert!(error("echo hi > out.txt").contains("redirection"));
        assert!(error("cat < in.txt").contains("here-document"));
        assert!(error("echo $(date)").contains("command substitution"));
        assert!(error("echo `date`").contains("backquotes"));
        assert!(error("| sim time").contains("no command before"));
        assert!(error("sim time |").contains("needs a command after"));
        assert!(error("sim time & echo").contains("must end the line"));
        assert!(error("cat <<").contains("delimiter"));
        assert!(error("cat <<<word").contains("here-strings"));
    }
}
