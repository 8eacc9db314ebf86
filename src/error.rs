//! Grader errors: things that stop pygrade from grading (exit code 2). A submission's failure is
//! never one of these; it is a verdict in the report.

use std::fmt;
use std::ops::Range;

/// Everything that can stop the grader.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    #[error("unknown challenge `{id}`; run `pygrade list` to see them (known: {known})")]
    UnknownChallenge { id: String, known: String },
    #[error("cannot read `{path}`: {message}")]
    Read { path: String, message: String },
    #[error("cannot write `{path}`: {message}")]
    Write { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error("sandbox failure: {0}")]
    Sandbox(#[from] SandboxFailure),
    #[error("internal error: {0} (this is a bug in pygrade; please report it)")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error: every grader error is 2.
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// Whether grading the same submission again may succeed: the sandbox's infrastructure
    /// failed (a fork server did not start or was lost), not the input.
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Sandbox(_))
    }
}

/// The sandbox's infrastructure failed while grading; never caused by what a submission does
/// (that is a verdict). A batch turns one into that submission's row after a retry.
#[derive(Debug, thiserror::Error)]
pub enum SandboxFailure {
    /// A fork server could not be started or did not become ready.
    #[error("{0}")]
    Start(String),
    /// The system refused to fork a worker, every time it was asked.
    #[error("cannot fork a worker: {0}")]
    Fork(String),
    /// A fork server died or broke the protocol.
    #[error("lost the fork server: {0}")]
    Lost(String),
}

/// A problem in a challenge file, pointing at `path:line:col` with the source line and a caret.
#[derive(Debug, thiserror::Error)]
pub struct ChallengeError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending source line, when the position is known.
    excerpt: Option<Excerpt>,
}

/// The part of a source line shown under a message, made safe to print.
#[derive(Debug)]
struct Excerpt {
    /// At most [`EXCERPT_CHARS`] characters of the line, control characters replaced.
    text: String,
    /// What goes before the caret: a space (or tab) per character before it in `text`.
    lead: String,
    /// The caret's width in characters.
    width: usize,
}

/// The most characters of a line an excerpt shows; a longer line is cut around the column.
const EXCERPT_CHARS: usize = 100;
/// Characters kept before the column when a long line is cut.
const EXCERPT_BEFORE: usize = 40;

impl ChallengeError {
    /// An error at byte range `span` of `source`.
    pub fn at(
        path: &str,
        source: &str,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let Some(span) = span else {
            return ChallengeError {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message,
                excerpt: None,
            };
        };
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[..start].matches('\n').count() + 1;
        let column = source[line_start..start].chars().count() + 1;
        let text = source[line_start..line_end].trim_end_matches('\r');
        let end = floor_char_boundary(source, span.end.clamp(start, line_end));
        let width = source[start..end].chars().count().max(1);
        ChallengeError {
            path: path.to_owned(),
            line,
            column,
            message,
            excerpt: Some(Excerpt::new(text, column - 1, width)),
        }
    }
}

impl Excerpt {
    /// The excerpt of `line` for a caret `width` wide after `before` characters.
    fn new(line: &str, before: usize, width: usize) -> Self {
        let from = before.saturating_sub(EXCERPT_BEFORE);
        let mut text = String::from(if from > 0 { "..." } else { "" });
        let mut lead = " ".repeat(text.len());
        for (index, c) in line.chars().enumerate().skip(from).take(EXCERPT_CHARS) {
            if index < before {
                lead.push(if c == '\t' { '\t' } else { ' ' });
            }
            text.push(printable(c));
        }
        let shown_after = (from + EXCERPT_CHARS).saturating_sub(before);
        if line.chars().nth(from + EXCERPT_CHARS).is_some() {
            text.push_str("...");
        }
        Excerpt {
            text,
            lead,
            width: width.min(shown_after).max(1),
        }
    }
}

/// A character as an excerpt shows it: a tab stays (carets line up under it), and control or
/// bidirectional-override characters, which would act on the terminal, become `\u{fffd}`.
fn printable(c: char) -> char {
    let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if c != '\t' && (c.is_control() || bidi) {
        '\u{fffd}'
    } else {
        c
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl fmt::Display for ChallengeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(excerpt) = &self.excerpt {
            let pad = " ".repeat(self.line.to_string().len());
            write!(
                f,
                "\n{pad} |\n{} | {}\n{pad} | {}{}",
                self.line,
                excerpt.text,
                excerpt.lead,
                "^".repeat(excerpt.width)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ChallengeError;

    #[test]
    fn points_at_line_and_column_with_a_caret() {
        let source = "id = \"x\"\ntitle = 3\n";
        let error = ChallengeError::at("c.toml", source, Some(17..18), "invalid type");
        assert_eq!(
            error.to_string(),
            "c.toml:2:9: invalid type\n  |\n2 | title = 3\n  |         ^"
        );
    }

    #[test]
    fn long_lines_are_cut_and_control_characters_replaced() {
        let source = format!("x = [{}\u{1b}]", "1,".repeat(5000));
        let error = ChallengeError::at("c.toml", &source, Some(10_005..10_006), "bad");
        let shown = error.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[0], "c.toml:1:10006: bad");
        assert!(lines[2].starts_with("1 | ...1,1,") && lines[2].ends_with("\u{fffd}]"));
        assert_eq!(lines[3].find('^'), lines[2].find('\u{fffd}'));
        assert!(shown.len() < 400, "{shown}");
    }
}
