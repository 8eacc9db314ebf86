//! Grades a batch: every candidate not already in the journal, fanned out with rayon over the
//! sandbox's pool of fork servers, each row journaled the moment it is known.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::discover::{Answer, Candidate};
use super::journal::{Journal, Line, Record};
use super::key;
use super::model::{Entry, RowStatus};
use crate::challenge::Challenge;
use crate::error::Error;
use crate::grade::{self, GradeOptions, MAX_SOURCE_BYTES, Submission};
use crate::input::{self, InputError};
use crate::sandbox::Sandbox;

/// The closed-set message every test of a row that could not be graded carries.
const NOT_GRADED: &str = "not graded: see the row's status";

/// Everything one batch run shares.
pub struct Batch<'a> {
    pub challenge: &'a Challenge,
    pub sandbox: &'a dyn Sandbox,
    pub options: GradeOptions,
    /// Grading threads (and so fork servers).
    pub jobs: usize,
    /// See [`key::basis`].
    pub basis: String,
}

/// Told about progress as rows finish, from any grading thread. The engine never prints; the
/// command decides what to show.
pub trait Progress: Sync {
    /// `total` rows, of which `reused` come from the journal.
    fn begin(&self, total: usize, reused: usize);
    /// One row is known (graded now, or taken from the journal).
    fn finished(&self, entry: &Entry);
}

/// Every candidate's record, in the candidates' order. Rows whose key `known` holds are taken
/// from it; the others are graded and appended to `journal` as they finish. `Err` only when the
/// journal cannot be written (then nothing would be safe); a submission that cannot be graded is
/// a `grader_error` row.
pub fn grade_all(
    batch: &Batch<'_>,
    candidates: &[Candidate],
    known: &HashMap<String, Record>,
    journal: Option<&Journal>,
    progress: &dyn Progress,
) -> Result<Vec<Record>, Error> {
    let read: Vec<Read> = candidates.iter().map(|c| Read::new(batch, c)).collect();
    let reused = read.iter().filter(|r| known.contains_key(&r.key)).count();
    progress.begin(candidates.len(), reused);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(batch.jobs.max(1))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start grading threads: {e}")))?;
    pool.install(|| {
        read.into_par_iter()
            .map(|read| {
                if let Some(record) = known.get(&read.key) {
                    progress.finished(&record.entry);
                    return Ok(record.clone());
                }
                let record = read.grade(batch);
                if let (Some(journal), false) =
                    (journal, record.entry.status == RowStatus::GraderError)
                {
                    journal.append(&Line::Row(Box::new(record.clone())))?;
                }
                progress.finished(&record.entry);
                Ok(record)
            })
            .collect()
    })
}

/// A candidate's answer as read, before grading: small (only a hash is kept; the bytes are read
/// again by the thread that grades it, so a batch never holds every source at once).
struct Read<'c> {
    candidate: &'c Candidate,
    key: String,
    what: What,
}

enum What {
    Bytes { hash: String },
    TooLarge,
    Nothing { status: RowStatus, note: String },
}

impl<'c> Read<'c> {
    fn new(batch: &Batch<'_>, candidate: &'c Candidate) -> Self {
        let what = match &candidate.answer {
            Answer::File(path) => match read(path) {
                Ok(bytes) => What::Bytes {
                    hash: key::content_hash(&bytes),
                },
                Err(InputError::TooLarge { .. }) => What::TooLarge,
                Err(error) => What::Nothing {
                    status: RowStatus::Unreadable,
                    note: format!("cannot read it: {error}"),
                },
            },
            Answer::Missing(why) => What::Nothing {
                status: RowStatus::NoAnswer,
                note: why.clone(),
            },
            Answer::Unlistable(why) => What::Nothing {
                status: RowStatus::Unreadable,
                note: format!("cannot list the folder: {why}"),
            },
        };
        let read = match &what {
            What::Bytes { hash } => hash.clone(),
            What::TooLarge => "too large".to_owned(),
            What::Nothing { status, note } => format!("{}: {note}", status.as_str()),
        };
        Read {
            key: key::row_key(&batch.basis, &candidate.label, &read),
            candidate,
            what,
        }
    }

    fn grade(self, batch: &Batch<'_>) -> Record {
        let label = &self.candidate.label;
        let (status, note, hash, source, report) = match self.what {
            What::Nothing { status, note } => (status, Some(note), None, None, None),
            What::TooLarge | What::Bytes { .. } => {
                let Answer::File(path) = &self.candidate.answer else {
                    unreachable!("only files are read");
                };
                match graded(batch, label, path) {
                    Ok((status, hash, source, report)) => {
                        (status, None, hash, source, Some(report))
                    }
                    Err(error) => (RowStatus::GraderError, Some(error), None, None, None),
                }
            }
        };
        let report = report.unwrap_or_else(|| {
            grade::ungraded(batch.challenge, label, batch.options.reveal, NOT_GRADED)
        });
        // The key of what was graded: the file may have changed since it was first hashed.
        let key = hash
            .as_ref()
            .map_or(self.key, |hash| key::row_key(&batch.basis, label, hash));
        Record {
            key,
            entry: Entry {
                path: label.clone(),
                hash,
                status,
                note,
                report,
            },
            source,
        }
    }
}

type Graded = (RowStatus, Option<String>, Option<String>, grade::Report);

/// Reads and grades one answer file; a transient sandbox failure is retried once. `Err` is the
/// row's note.
fn graded(batch: &Batch<'_>, label: &str, path: &Path) -> Result<Graded, String> {
    let (submission, hash, status, source) = match read(path) {
        Ok(bytes) => {
            let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
                .ok()
                .map(str::to_owned);
            let status = match &text {
                _ if bytes.iter().all(u8::is_ascii_whitespace) => RowStatus::Empty,
                None => RowStatus::NotUtf8,
                Some(_) => RowStatus::Graded,
            };
            let hash = key::content_hash(&bytes);
            (
                Submission::from_bytes(label, &bytes),
                Some(hash),
                status,
                text,
            )
        }
        // Too large: the report says so, as `pygrade grade` would.
        Err(InputError::TooLarge { .. }) => {
            let submission =
                Submission::read(&path.to_string_lossy()).map_err(|e| e.to_string())?;
            let submission = Submission {
                path: label.to_owned(),
                ..submission
            };
            (submission, None, RowStatus::Graded, None)
        }
        Err(error) => return Err(format!("cannot read it: {error}")),
    };
    let mut attempt = grade::grade(batch.challenge, &submission, batch.sandbox, batch.options);
    if attempt.as_ref().is_err_and(Error::is_transient) {
        attempt = grade::grade(batch.challenge, &submission, batch.sandbox, batch.options);
    }
    let report = attempt.map_err(|e| e.to_string())?;
    Ok((status, hash, source, report))
}

fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    input::read_regular(path, MAX_SOURCE_BYTES as u64)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{Batch, Progress, grade_all};
    use crate::batch::discover::{Answer, Candidate};
    use crate::batch::{Entry, RowStatus};
    use crate::error::{Error, SandboxFailure};
    use crate::sandbox::protocol::{Job, Outcome, TestRun};
    use crate::sandbox::{Execution, Sandbox};
    use crate::value::Value;

    /// Fails the first `failures` jobs as a lost fork server would, then answers 3 to each test.
    struct Flaky {
        failures: usize,
        calls: AtomicUsize,
    }

    impl Sandbox for Flaky {
        fn execute(&self, job: &Job) -> Result<Execution, Error> {
            if self.calls.fetch_add(1, Ordering::SeqCst) < self.failures {
                return Err(Error::Sandbox(SandboxFailure::Lost("test".into())));
            }
            let run = TestRun::bare(Outcome::Returned {
                value: Value::int(3),
            });
            Ok(Execution {
                compile_error: None,
                runs: job.tests.iter().map(|_| run.clone()).collect(),
            })
        }
    }

    struct Quiet;
    impl Progress for Quiet {
        fn begin(&self, _: usize, _: usize) {}
        fn finished(&self, _: &Entry) {}
    }

    fn statuses(failures: usize) -> Vec<RowStatus> {
        let challenge = crate::challenge::parse_for_tests(
            "id = \"t\"\ntitle = \"T\"\ndifficulty = \"easy\"\nprompt = \"p\"\nentry = [\"f\"]\n\
             starter = \"\"\n[[tests]]\nname = \"a\"\nargs = [1]\nexpect = 3\n",
        );
        let dir =
            std::env::temp_dir().join(format!("pygrade-flaky-{}-{failures}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.py");
        std::fs::write(&file, "def f(x):\n    return 3\n").unwrap();
        let sandbox = Flaky {
            failures,
            calls: AtomicUsize::new(0),
        };
        let batch = Batch {
            challenge: &challenge,
            sandbox: &sandbox,
            options: crate::grade::GradeOptions::default(),
            jobs: 1,
            basis: "b".into(),
        };
        let candidates = [Candidate {
            label: "a.py".into(),
            answer: Answer::File(file),
        }];
        let records = grade_all(&batch, &candidates, &HashMap::new(), None, &Quiet).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        records.iter().map(|r| r.entry.status).collect()
    }

    #[test]
    fn a_sandbox_failure_is_retried_then_becomes_the_row() {
        assert_eq!(statuses(0), [RowStatus::Graded]);
        assert_eq!(statuses(1), [RowStatus::Graded], "one failure is retried");
        assert_eq!(
            statuses(2),
            [RowStatus::GraderError],
            "a second is the row's status"
        );
    }
}
