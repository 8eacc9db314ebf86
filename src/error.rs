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
    Sandbox(String),
    #[error("internal error: {0} (this is a bug in pygrade; please report it)")]
    Internal(String),
}

impl Error {
    /// The process exit code for this error: every grader error is 2.
    pub fn exit_code(&self) -> u8 {
        2
    }
}

/// A problem in a challenge file, pointing at `path:line:col` with the source line and a caret.
#[derive(Debug, thiserror::Error)]
pub struct ChallengeError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// The offending source line and the caret's width, when the position is known.
    excerpt: Option<(String, usize)>,
}

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
        let text = source[line_start..line_end]
            .trim_end_matches('\r')
            .to_owned();
        let end = floor_char_boundary(source, span.end.clamp(start, line_end));
        let width = source[start..end].chars().count().max(1);
        ChallengeError {
            path: path.to_owned(),
            line,
            column,
            message,
            excerpt: Some((text, width)),
        }
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
        if let Some((text, width)) = &self.excerpt {
            let gutter = self.line.to_string().len();
            let pad = " ".repeat(gutter);
            let lead: String = text
                .chars()
                .take(self.column - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{pad} |\n{} | {text}\n{pad} | {lead}{}",
                self.line,
                "^".repeat(*width)
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
}
