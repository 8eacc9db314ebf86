//! Runs one test in a worker's private copy of the warm interpreter: compile the submission, set
//! the test up (captured output, reseeded `random`, the virtual filesystem, the recursion limit)
//! from references captured at warm-up, run the module in a fresh `submission` namespace, then the
//! test's action; convert the result. Nothing is compared here.
//!
//! Every test runs in a fresh fork of the fork server, so no state a submission can reach (its
//! patches to builtins, stdlib modules, types, trace hooks, `sys.path`, stashed inputs) survives
//! into another test, and the set-up below always runs before any submission code in the process.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rustpython_vm::builtins::{PyBaseExceptionRef, PyCode, PyDict, PyDictRef};
use rustpython_vm::compiler::Mode;
use rustpython_vm::scope::Scope;
use rustpython_vm::{AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine};

use super::convert::{Converter, call_args};
use super::describe::{Source, exception_info, syntax_error_info};
use super::interpreter::Python;
use crate::challenge::Action;
use crate::sandbox::cpu;
use crate::sandbox::protocol::{JobTest, Message, Outcome, Submission, SyntaxErrorInfo, TestRun};
use crate::sandbox::watchdog::{HardTimeout, Watchdog};
use crate::value::Value;

/// The module name a submission runs under; `if __name__ == "__main__":` blocks do not run.
const MODULE: &str = "submission";

/// Compiles `submission` and runs `test`, sending [`Message`]s through `send`.
pub(crate) fn run_test(
    python: &Python,
    submission: &Submission,
    test: &JobTest,
    watchdog: &Watchdog,
    send: &mut dyn FnMut(Message),
) {
    python.interpreter.enter(|vm| {
        let Some(code) = compile(vm, submission, send) else {
            return;
        };
        // Before the policy narrows: `gc` may be a module this challenge hides.
        if super::clock::settle_gc(vm).is_err() {
            let detail = "could not settle the garbage collector".to_owned();
            send(finished(python, Outcome::Crashed { detail }, 0));
            return;
        }
        let modules: Vec<PyObjectRef> = submission
            .sandbox
            .modules
            .iter()
            .map(|m| vm.ctx.new_str(m.as_str()).into())
            .collect();
        if python
            .warm
            .set_allowed
            .call((vm.ctx.new_list(modules),), vm)
            .is_err()
        {
            let detail = "could not set up the import policy".to_owned();
            send(finished(python, Outcome::Crashed { detail }, 0));
            return;
        }
        let started = cpu::own_ns();
        send(Message::Started {
            cpu_ms: started / 1_000_000,
        });
        python.state.reset(test.limits.output_bytes);
        watchdog.arm(test.limits.cpu_seconds);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            guarded_outcome(vm, python, &code, submission, test, watchdog)
        }));
        watchdog.disarm();
        let outcome = outcome.unwrap_or_else(|payload| {
            if payload.is::<HardTimeout>() || watchdog.fired() {
                Outcome::Timeout
            } else {
                Outcome::Crashed {
                    detail: format!("the Python VM panicked: {}", panic_text(&*payload)),
                }
            }
        });
        let cpu_ms = (cpu::own_ns().saturating_sub(started)) / 1_000_000;
        send(finished(python, outcome, cpu_ms));
    });
}

/// Compiles the submission and reports whether it compiled; `None` when it did not.
fn compile(
    vm: &VirtualMachine,
    submission: &Submission,
    send: &mut dyn FnMut(Message),
) -> Option<PyRef<PyCode>> {
    let compiled = catch_unwind(AssertUnwindSafe(|| {
        vm.compile(&submission.source, Mode::Exec, submission.filename.clone())
    }));
    let error = match compiled {
        Ok(Ok(code)) => {
            send(Message::Compiled { error: None });
            return Some(code);
        }
        Ok(Err(error)) => {
            let exc = vm.new_syntax_error(&error, Some(&submission.source));
            syntax_error_info(vm, &exc)
        }
        Err(_) => SyntaxErrorInfo {
            kind: "SyntaxError".into(),
            message: "the compiler could not handle this source".into(),
            line: 1,
            column: 1,
        },
    };
    send(Message::Compiled { error: Some(error) });
    None
}

/// The outcome of the test, with the watchdog's and the output limit's verdicts taking priority.
fn guarded_outcome(
    vm: &VirtualMachine,
    python: &Python,
    code: &PyRef<PyCode>,
    submission: &Submission,
    test: &JobTest,
    watchdog: &Watchdog,
) -> Outcome {
    let outcome = match prepare(vm, python, test, submission) {
        // Only pygrade's own set-up code has run so far: its failure names nothing the
        // submission chose.
        Err(_) => Outcome::Crashed {
            detail: "could not prepare the test".into(),
        },
        Ok(()) => execute(vm, python, code, submission, &test.action, watchdog),
    };
    if watchdog.fired() {
        Outcome::Timeout
    } else if python.state.output_exceeded.get() {
        Outcome::OutputLimit
    } else {
        outcome
    }
}

fn finished(python: &Python, outcome: Outcome, cpu_ms: u64) -> Message {
    let state = &python.state;
    let output = state.output.borrow().clone();
    let truncated = state.output_bytes.get() > output.len() as u64;
    Message::Finished {
        run: TestRun {
            outcome,
            output,
            output_truncated: truncated,
            cpu_ms,
        },
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Sets the test up with objects captured at warm-up; no submission code has run in this process.
fn prepare(
    vm: &VirtualMachine,
    python: &Python,
    test: &JobTest,
    submission: &Submission,
) -> PyResult<()> {
    let warm = &python.warm;
    let sys = vm.sys_module.as_object();
    sys.set_attr("stdout", warm.output.clone(), vm)?;
    sys.set_attr("stderr", warm.output.clone(), vm)?;
    sys.set_attr("stdin", warm.string_io.call((), vm)?, vm)?;
    warm.reseed.call((0,), vm)?;
    let files: Vec<PyObjectRef> = submission
        .sandbox
        .files
        .iter()
        .map(|(path, content)| {
            vm.ctx
                .new_tuple(vec![
                    vm.ctx.new_str(path.as_str()).into(),
                    vm.ctx.new_str(content.as_str()).into(),
                ])
                .into()
        })
        .collect();
    warm.vfs_reset.call(
        (
            vm.ctx.new_list(files),
            vm.ctx.new_str(submission.sandbox.cwd.as_str()),
        ),
        vm,
    )?;
    vm.recursion_limit.set(test.limits.recursion as usize);
    Ok(())
}

fn sys_modules(vm: &VirtualMachine) -> PyResult<PyDictRef> {
    vm.sys_module
        .get_attr("modules", vm)?
        .downcast::<PyDict>()
        .map_err(|_| vm.new_type_error("sys.modules is not a dict"))
}

/// Runs the submission in a fresh module, then the test's action; converts the result. An
/// exception is only described (which runs its `__str__` and formats its traceback) when the
/// watchdog has not fired: a timeout needs no description, and describing runs the
/// submission's `__str__`, which could use time the test no longer has.
fn execute(
    vm: &VirtualMachine,
    python: &Python,
    code: &PyRef<PyCode>,
    submission: &Submission,
    action: &Action,
    watchdog: &Watchdog,
) -> Outcome {
    let script = match action {
        Action::Script { code } => Some(code.as_str()),
        _ => None,
    };
    let source = Source {
        filename: &submission.filename,
        text: &submission.source,
        script,
    };
    let raised = |exc: PyBaseExceptionRef, step: Option<usize>| {
        if watchdog.fired() {
            return Outcome::Timeout;
        }
        Outcome::Raised {
            exception: exception_info(vm, &exc, &source),
            step,
        }
    };
    let globals = match load_submission(vm, code) {
        Ok(globals) => globals,
        Err(exc) => return raised(exc, None),
    };
    let mut converter = Converter::new(vm, &python.warm.dict_types);
    match action {
        Action::Call {
            function,
            args,
            kwargs,
        } => {
            let target = match entry(vm, &globals, function) {
                Ok(target) => target,
                Err(outcome) => return outcome,
            };
            match call_args(vm, args, kwargs).and_then(|args| target.call(args, vm)) {
                Ok(value) => Outcome::Returned {
                    value: converter.value(&value),
                },
                Err(exc) => raised(exc, None),
            }
        }
        Action::Ops {
            class,
            args,
            kwargs,
            ops,
        } => {
            let target = match entry(vm, &globals, class) {
                Ok(target) => target,
                Err(outcome) => return outcome,
            };
            let instance = match call_args(vm, args, kwargs).and_then(|args| target.call(args, vm))
            {
                Ok(instance) => instance,
                Err(exc) => return raised(exc, None),
            };
            let mut results = Vec::with_capacity(ops.len());
            for (step, op) in ops.iter().enumerate() {
                let result = instance
                    .get_attr(&vm.ctx.new_str(op.method.as_str()), vm)
                    .and_then(|method| {
                        call_args(vm, &op.args, &[]).and_then(|args| method.call(args, vm))
                    });
                match result {
                    Ok(value) => results.push(converter.value(&value)),
                    Err(exc) => return raised(exc, Some(step)),
                }
            }
            Outcome::Returned {
                value: Value::List(results),
            }
        }
        Action::Script { code: script } => match run_script(vm, python, &globals, script) {
            Ok(()) => Outcome::Returned {
                value: Value::List(python.state.observations.borrow().clone()),
            },
            Err(exc) => raised(exc, None),
        },
    }
}

/// Runs a test script in a copy of the submission's namespace, with `observe` and `clock`.
fn run_script(
    vm: &VirtualMachine,
    python: &Python,
    globals: &PyDictRef,
    script: &str,
) -> PyResult<()> {
    let namespace = vm.ctx.new_dict();
    for (key, value) in globals.items_vec() {
        namespace.set_item(&*key, value, vm)?;
    }
    namespace.set_item("observe", python.warm.observe.clone(), vm)?;
    namespace.set_item("clock", python.warm.clock.clone(), vm)?;
    let code = vm
        .compile(script, Mode::Exec, "<test script>".to_owned())
        .map_err(|error| vm.new_syntax_error(&error, Some(script)))?;
    vm.run_code_obj(code, Scope::with_builtins(None, namespace, vm))?;
    Ok(())
}

/// A fresh `submission` module with the compiled code run in it, also `sys.modules['__main__']`
/// (its `__name__` stays `submission`, so `if __name__ == "__main__":` blocks do not run).
fn load_submission(vm: &VirtualMachine, code: &PyRef<PyCode>) -> PyResult<PyDictRef> {
    let globals = vm.ctx.new_dict();
    let module: PyObjectRef = vm.new_module(MODULE, globals.clone(), None).into();
    let modules = sys_modules(vm)?;
    modules.set_item(MODULE, module.clone(), vm)?;
    // `inspect` (and so `unittest.mock`) looks the running script up as `__main__`.
    modules.set_item(super::imports::MAIN, module, vm)?;
    vm.run_code_obj(
        code.clone(),
        Scope::with_builtins(None, globals.clone(), vm),
    )?;
    Ok(globals)
}

/// The callable a test targets, or a `Missing` outcome explaining why there is none. The
/// explanation may name the submission's own type, so only visible tests show it.
fn entry(vm: &VirtualMachine, globals: &PyDictRef, name: &str) -> Result<PyObjectRef, Outcome> {
    match globals.get_item_opt(name, vm) {
        Ok(Some(target)) if target.is_callable() => Ok(target),
        Ok(Some(target)) => {
            let mut kind: String = target.class().name().chars().take(100).collect();
            crate::sandbox::protocol::cut_chars(&mut kind, 80);
            Err(Outcome::Missing {
                message: format!("`{name}` is defined but is not callable (it is a {kind})"),
            })
        }
        _ => Err(Outcome::Missing {
            message: format!("`{name}` is not defined at module level"),
        }),
    }
}
