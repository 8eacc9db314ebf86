//! Batch progress on stderr: a bar on a terminal, a plain line every few seconds otherwise,
//! nothing with `--quiet`. Only counts and pygrade's own words are shown.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::batch::{Entry, Progress};

/// How often a plain progress line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub(super) struct Reporter {
    mode: Mode,
    total: AtomicUsize,
    done: AtomicUsize,
    passed: AtomicUsize,
    started: Instant,
    last_line: Mutex<Instant>,
}

enum Mode {
    Quiet,
    Bar(ProgressBar),
    Plain,
}

impl Reporter {
    pub(super) fn new(quiet: bool) -> Reporter {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} {msg} [{elapsed_precise}, ETA {eta}]",
            ) {
                bar.set_style(style);
            }
            Mode::Bar(bar)
        } else {
            Mode::Plain
        };
        Reporter {
            mode,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            passed: AtomicUsize::new(0),
            started: Instant::now(),
            last_line: Mutex::new(Instant::now()),
        }
    }

    fn counts(&self) -> String {
        let done = self.done.load(Ordering::Relaxed);
        let passed = self.passed.load(Ordering::Relaxed);
        format!("{passed} passed, {} not", done - passed.min(done))
    }

    /// The closing line.
    pub(super) fn end(&self) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar(bar) => bar.finish_and_clear(),
            Mode::Plain => {}
        }
        if !matches!(self.mode, Mode::Quiet) {
            line(&format!(
                "graded {} submissions: {} ({:.1} s)",
                self.done.load(Ordering::Relaxed),
                self.counts(),
                self.started.elapsed().as_secs_f64()
            ));
        }
    }
}

impl Progress for Reporter {
    fn begin(&self, total: usize, reused: usize) {
        self.total.store(total, Ordering::Relaxed);
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar(bar) => {
                bar.set_length(total as u64);
            }
            Mode::Plain => line(&format!(
                "grading {} submissions ({reused} already in the results file)",
                total - reused
            )),
        }
    }

    fn finished(&self, entry: &Entry) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if entry.report.passed {
            self.passed.fetch_add(1, Ordering::Relaxed);
        }
        match &self.mode {
            Mode::Quiet => {}
            Mode::Bar(bar) => {
                bar.set_message(self.counts());
                bar.inc(1);
            }
            Mode::Plain => {
                let mut last = self
                    .last_line
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                if last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    let total = self.total.load(Ordering::Relaxed);
                    line(&format!("{done}/{total} graded: {}", self.counts()));
                }
            }
        }
    }
}

fn line(text: &str) {
    let _ = writeln!(std::io::stderr(), "pygrade: {text}");
}
