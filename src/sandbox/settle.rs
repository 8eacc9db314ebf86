//! Turning what the grader heard from one worker into its test's [`TestRun`]. Every way a worker
//! can end is a verdict: a reported result, or a death mapped by its exit code, signal, CPU time
//! and whether the fork server stopped it.

use super::child::{EXIT_MEMORY, EXIT_TIMEOUT};
use super::protocol::{Message, Outcome, Stop, SyntaxErrorInfo, TestLimits, TestRun};

/// Everything the grader heard from one worker, in order of arrival.
#[derive(Debug, Default)]
pub(super) struct WorkerEnd {
    /// `Some` once the worker reported compiling: `Some(None)` compiled, `Some(Some(e))` did not.
    pub(super) compiled: Option<Option<SyntaxErrorInfo>>,
    /// The worker's CPU time when the test started.
    pub(super) started_cpu_ms: Option<u64>,
    pub(super) finished: Option<TestRun>,
    /// A frame from the worker did not decode.
    pub(super) garbled: bool,
    pub(super) exit: Exit,
}

/// How the worker process ended, from the fork server's `wait4`.
#[derive(Debug, Default)]
pub(super) struct Exit {
    pub(super) code: Option<i32>,
    pub(super) signal: Option<i32>,
    pub(super) cpu_ms: u64,
    pub(super) stopped: Option<Stop>,
}

impl WorkerEnd {
    /// Records one message; only the first of each kind counts (a second is a corrupted worker).
    /// Whatever the worker says is bounded again here: a broken worker may have skipped it.
    pub(super) fn heard(&mut self, message: Message) {
        match message {
            Message::Compiled { error } if self.compiled.is_none() => {
                self.compiled = Some(error.map(SyntaxErrorInfo::bounded));
            }
            Message::Started { cpu_ms } if self.started_cpu_ms.is_none() => {
                self.started_cpu_ms = Some(cpu_ms);
            }
            Message::Finished { run } if self.finished.is_none() => {
                self.finished = Some(run.bounded());
            }
            _ => self.garbled = true,
        }
    }

    /// The test's run: the worker's own report if it made one, else its death as a verdict.
    pub(super) fn into_run(self, limits: &TestLimits) -> TestRun {
        if let Some(run) = self.finished {
            return run;
        }
        let started = self.started_cpu_ms.unwrap_or(0);
        let used_ms = self.exit.cpu_ms.saturating_sub(started);
        // Whatever the worker died of, a test that had used up its CPU time timed out.
        #[expect(
            clippy::cast_precision_loss,
            reason = "milliseconds of CPU are far below 2^52"
        )]
        let out_of_time =
            self.started_cpu_ms.is_some() && used_ms as f64 >= limits.cpu_seconds * 1000.0;
        let outcome = if self.garbled && self.exit.code == Some(0) {
            Outcome::Crashed {
                detail: "the worker sent a result pygrade could not read".into(),
            }
        } else {
            death(&self.exit, out_of_time)
        };
        TestRun {
            cpu_ms: used_ms,
            ..TestRun::bare(outcome)
        }
    }
}

/// What a worker's death means for its test.
fn death(exit: &Exit, out_of_time: bool) -> Outcome {
    if out_of_time || exit.stopped.is_some() {
        return Outcome::Timeout;
    }
    match (exit.code, exit.signal) {
        (Some(EXIT_TIMEOUT), _) | (_, Some(libc::SIGXCPU)) => Outcome::Timeout,
        (Some(EXIT_MEMORY), _) => Outcome::MemoryLimit,
        (_, Some(signal)) => Outcome::Crashed {
            detail: format!("the worker was killed by {}", signal_name(signal)),
        },
        (Some(0), None) => Outcome::Crashed {
            detail: "the worker ended without a result".into(),
        },
        (Some(code), None) => Outcome::Crashed {
            detail: format!("the worker exited with code {code}"),
        },
        (None, None) => Outcome::Crashed {
            detail: "the worker ended".into(),
        },
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGSEGV => "SIGSEGV (segmentation fault)",
        libc::SIGABRT => "SIGABRT (abort: a stack overflow or an internal VM error)",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSYS => "SIGSYS (a forbidden system call)",
        libc::SIGXFSZ => "SIGXFSZ (file size limit)",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::{Exit, WorkerEnd};
    use crate::sandbox::protocol::{Message, Outcome, Stop, TestLimits, TestRun};

    const LIMITS: TestLimits = TestLimits {
        cpu_seconds: 1.0,
        memory_bytes: 1 << 27,
        output_bytes: 1 << 16,
        recursion: 1000,
    };

    fn end(messages: Vec<Message>, exit: Exit) -> Outcome {
        let mut end = WorkerEnd {
            exit,
            ..WorkerEnd::default()
        };
        messages.into_iter().for_each(|m| end.heard(m));
        end.into_run(&LIMITS).outcome
    }

    #[test]
    fn every_death_is_a_verdict() {
        let started = || vec![Message::Started { cpu_ms: 100 }];
        let killed = |signal| Exit {
            signal: Some(signal),
            cpu_ms: 200,
            ..Exit::default()
        };
        assert!(matches!(
            end(started(), killed(libc::SIGSEGV)),
            Outcome::Crashed { .. }
        ));
        // Past its limit, any death is a timeout.
        let late = Exit {
            cpu_ms: 1_100,
            ..killed(libc::SIGSEGV)
        };
        assert_eq!(end(started(), late), Outcome::Timeout);
        let stalled = Exit {
            stopped: Some(Stop::Stalled),
            ..killed(libc::SIGKILL)
        };
        assert_eq!(end(started(), stalled), Outcome::Timeout);
        let memory = Exit {
            code: Some(super::EXIT_MEMORY),
            ..Exit::default()
        };
        assert_eq!(end(started(), memory), Outcome::MemoryLimit);
    }

    #[test]
    fn the_first_report_wins() {
        let first = TestRun::bare(Outcome::OutputLimit);
        let second = TestRun::bare(Outcome::Timeout);
        let messages = vec![
            Message::Finished { run: first },
            Message::Finished { run: second },
        ];
        let exit = Exit {
            code: Some(0),
            ..Exit::default()
        };
        assert_eq!(end(messages, exit), Outcome::OutputLimit);
    }

    #[test]
    fn what_a_worker_says_is_bounded_on_receipt() {
        use crate::sandbox::protocol::{ExceptionInfo, SyntaxErrorInfo};
        let huge = "E".repeat(30 << 20);
        let mut end = WorkerEnd::default();
        end.heard(Message::Compiled {
            error: Some(SyntaxErrorInfo {
                kind: huge.clone(),
                message: huge.clone(),
                line: 1,
                column: 1,
            }),
        });
        end.heard(Message::Finished {
            run: TestRun {
                outcome: Outcome::Raised {
                    exception: ExceptionInfo {
                        name: huge.clone(),
                        mro: vec![huge.clone(); 3],
                        message: huge.clone(),
                        traceback: huge.clone(),
                    },
                    step: None,
                },
                output: huge.clone(),
                output_truncated: false,
                cpu_ms: 1,
            },
        });
        let Some(Some(error)) = &end.compiled else {
            panic!("a compile error")
        };
        assert!(error.kind.len() + error.message.len() < 10_000);
        let run = end.into_run(&LIMITS);
        let Outcome::Raised { exception, .. } = &run.outcome else {
            panic!("raised")
        };
        let kept = exception.name.len()
            + exception.mro.iter().map(String::len).sum::<usize>()
            + exception.message.len()
            + exception.traceback.len()
            + run.output.len();
        assert!(kept < 30_000, "{kept} bytes kept");
        assert!(run.output_truncated);
    }
}
