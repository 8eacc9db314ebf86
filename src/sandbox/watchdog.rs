//! The in-worker watchdog: enforces each test's CPU-time limit.
//!
//! CPU time, not wall time, so a verdict does not flip when the machine is busy. At the limit it
//! raises `TimeoutError` in the VM (through the user-signal channel) and keeps re-sending, since
//! RustPython's trigger flag is process-global and a re-send is cheap. If the code swallows
//! exceptions, it sends a panic after a grace period (the harness catches it and the worker exits),
//! and if native code never returns to the bytecode loop, it exits the process itself. The grader's
//! wall-clock SIGKILL is the backstop behind all three.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rustpython_vm::VirtualMachine;
use rustpython_vm::signal::UserSignalSender;

use super::child::EXIT_TIMEOUT;
use super::cpu;
use super::python::raise_new;

const POLL: Duration = Duration::from_millis(2);
/// CPU time after the limit before the VM is made to panic.
const PANIC_AFTER_NS: u64 = 200_000_000;
/// CPU time after the limit before the worker exits on its own.
const EXIT_AFTER_NS: u64 = 500_000_000;

/// The payload of the panic that stops code which swallows every exception.
#[derive(Debug)]
pub(crate) struct HardTimeout;

#[derive(Default)]
struct Armed {
    /// The test's limit as an absolute process CPU time, while a test runs.
    deadline_ns: Option<u64>,
    panicked: bool,
}

pub(crate) struct Watchdog {
    armed: Arc<Mutex<Armed>>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    /// Starts the watchdog thread. Must run in the worker (after fork), before seccomp.
    pub(crate) fn start(signals: UserSignalSender) -> std::io::Result<Watchdog> {
        let armed = Arc::new(Mutex::new(Armed::default()));
        let fired = Arc::new(AtomicBool::new(false));
        let (thread_armed, thread_fired) = (armed.clone(), fired.clone());
        std::thread::Builder::new()
            .name("pygrade-watchdog".into())
            .stack_size(256 << 10)
            .spawn(move || watch(&thread_armed, &thread_fired, &signals))?;
        Ok(Watchdog { armed, fired })
    }

    /// Starts timing a test that may use `cpu_seconds` of CPU from now.
    pub(crate) fn arm(&self, cpu_seconds: f64) {
        self.fired.store(false, Ordering::SeqCst);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "limits are validated positive and small"
        )]
        let budget = (cpu_seconds * 1e9) as u64;
        let mut armed = self.armed.lock().unwrap_or_else(PoisonError::into_inner);
        *armed = Armed {
            deadline_ns: Some(cpu::own_ns().saturating_add(budget)),
            panicked: false,
        };
    }

    /// Stops timing. Afterwards no new signal is sent; ones already queued are drained by the caller.
    pub(crate) fn disarm(&self) {
        self.armed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .deadline_ns = None;
    }

    /// Whether the running (or last) test hit its limit.
    pub(crate) fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

fn watch(armed: &Mutex<Armed>, fired: &AtomicBool, signals: &UserSignalSender) {
    loop {
        std::thread::sleep(POLL);
        let mut state = armed.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(deadline) = state.deadline_ns else {
            continue;
        };
        let now = cpu::own_ns();
        if now < deadline {
            continue;
        }
        let over = now - deadline;
        if !fired.swap(true, Ordering::SeqCst) {
            let _ = signals.send(Box::new(|vm: &VirtualMachine| {
                Err(raise_new(
                    vm,
                    vm.ctx.exceptions.timeout_error,
                    "pygrade: time limit exceeded",
                ))
            }));
        } else if over >= EXIT_AFTER_NS {
            // Native code that never checks for signals: only leaving the process stops it.
            // SAFETY: `_exit` ends the process without running any Rust code; always sound.
            unsafe { libc::_exit(EXIT_TIMEOUT) };
        } else if over >= PANIC_AFTER_NS && !state.panicked {
            state.panicked = true;
            let _ = signals.send(Box::new(|_: &VirtualMachine| {
                std::panic::panic_any(HardTimeout)
            }));
        } else {
            // The trigger flag is process-wide and may have been consumed: keep it raised.
            let _ = signals.send(Box::new(|_: &VirtualMachine| Ok(())));
        }
    }
}
