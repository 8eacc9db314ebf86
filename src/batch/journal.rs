//! The results journal (`--results FILE`): JSON Lines, one line per finished submission, appended
//! and flushed as each finishes, so a killed batch loses at most the submissions in flight.
//!
//! Each run first appends a [`Line::Run`] saying what it grades; each row is a [`Line::Row`]
//! carrying its key (see `key`), the row and the submission's source (for similarity and the
//! HTML report). A line that does not parse (the torn last line of a killed run) is ignored.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::model::Entry;
use crate::error::Error;

/// One line of the journal.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    /// A batch run started: what it grades against.
    Run(RunInfo),
    /// A finished row.
    Row(Box<Record>),
}

/// What a run grades against; the same for every slice of one batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    pub challenge_id: String,
    /// Fingerprint of the challenge, its options and the pygrade version (see `key`).
    pub basis: String,
    /// The code left out of similarity (the starter code, or `--template`).
    pub template: String,
}

/// A finished row and what it takes to rebuild the report from it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub key: String,
    pub entry: Entry,
    /// The submission's source, when it was read and decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// An open journal, appended to from every grading thread.
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for appending, and returns the lines it already
    /// holds that parse. A torn last line is ended first, so the next line starts clean.
    pub fn open(path: &Path) -> Result<(Journal, Vec<Line>), Error> {
        let write_error = |e: std::io::Error| Error::Write {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(write_error)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(write_error)?;
        if bytes.last().is_some_and(|&b| b != b'\n') {
            file.seek(SeekFrom::End(0)).map_err(write_error)?;
            file.write_all(b"\n").map_err(write_error)?;
        }
        let journal = Journal {
            path: path.to_owned(),
            file: Mutex::new(file),
        };
        Ok((journal, parse(&bytes)))
    }

    /// Appends one line and hands it to the operating system at once.
    pub fn append(&self, line: &Line) -> Result<(), Error> {
        let mut text = serde_json::to_string(line).map_err(|e| Error::Internal(e.to_string()))?;
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(text.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|e| Error::Write {
                path: self.path.display().to_string(),
                message: e.to_string(),
            })
    }
}

/// Reads journals for `pygrade merge`: each file's lines that parse, in order.
pub fn read(paths: &[PathBuf]) -> Result<Vec<Vec<Line>>, Error> {
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| Error::Read {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            Ok(parse(&bytes))
        })
        .collect()
}

/// The lines that parse; anything else (a torn line, a stray edit) is skipped.
fn parse(bytes: &[u8]) -> Vec<Line> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Journal, Line, RunInfo};

    #[test]
    fn a_torn_line_is_ignored_and_ended() {
        let path = std::env::temp_dir().join(format!("pygrade-journal-{}", std::process::id()));
        let run = Line::Run(RunInfo {
            challenge_id: "c".into(),
            basis: "b".into(),
            template: String::new(),
        });
        std::fs::write(
            &path,
            format!("{}\n{{\"kind\":\"ro", serde_json::to_string(&run).unwrap()),
        )
        .unwrap();
        let (journal, lines) = Journal::open(&path).unwrap();
        assert_eq!(lines.len(), 1);
        journal.append(&run).unwrap();
        drop(journal);
        let (_, lines) = Journal::open(&path).unwrap();
        assert_eq!(
            lines.len(),
            2,
            "the torn line must not swallow the next one"
        );
        let _ = std::fs::remove_file(&path);
    }
}
