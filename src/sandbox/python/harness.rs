//! Runs one job's tests in a warm interpreter: compile once, then for every test a fresh
//! `submission` module, restored builtins and `sys.modules`, reseeded `random`, the clock at its
//! epoch and fresh captured output. Results leave as [`Value`]s; nothing is compared here.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rustpython_vm::builtins::{PyBaseExceptionRef, PyCode, PyDict, PyDictRef};
use rustpython_vm::compiler::Mode;
use rustpython_vm::scope::Scope;
use rustpython_vm::{AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine};

use super::convert::{Converter, call_args};
use super::interpreter::Python;
use crate::challenge::{Action, SandboxSetup};
use crate::sandbox::protocol::{
    ExceptionInfo, Job, JobTest, Message, Outcome, SyntaxErrorInfo, TestRun,
};
use crate::sandbox::watchdog::{HardTimeout, Watchdog};
use crate::value::Value;

/// The module name a submission runs under; `if __name__ == "__main__":` blocks do not run.
const MODULE: &str = "submission";
const MAX_MESSAGE_CHARS: usize = 2_000;
const MAX_TRACEBACK_CHARS: usize = 8_000;

/// Why the worker should stop after `run_job` returns.
pub(crate) enum JobEnd {
    /// Every test ran (or the submission did not compile).
    Done,
    /// The VM panicked; its state cannot be trusted for another test.
    Tainted,
}

/// Runs `job`, sending a [`Message`] for each step through `send`.
pub(crate) fn run_job(
    python: &Python,
    job: &Job,
    watchdog: &Watchdog,
    send: &mut dyn FnMut(&Message),
) -> JobEnd {
    python.interpreter.enter(|vm| {
        let compiled = catch_unwind(AssertUnwindSafe(|| {
            vm.compile(&job.source, Mode::Exec, job.filename.clone())
        }));
        let code = match compiled {
            Ok(Ok(code)) => code,
            Ok(Err(error)) => {
                let exc = vm.new_syntax_error(&error, Some(&job.source));
                send(&Message::Compiled {
                    error: Some(syntax_error_info(vm, &exc)),
                });
                return JobEnd::Done;
            }
            Err(_) => {
                let info = SyntaxErrorInfo {
                    kind: "SyntaxError".into(),
                    message: "the compiler could not handle this source".into(),
                    line: 1,
                    column: 1,
                };
                send(&Message::Compiled { error: Some(info) });
                return JobEnd::Tainted;
            }
        };
        send(&Message::Compiled { error: None });
        let modules: Vec<PyObjectRef> = job
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
            return JobEnd::Tainted;
        }
        for (index, test) in job.tests.iter().enumerate().skip(job.first) {
            let started = crate::sandbox::child::cpu_time_ns();
            send(&Message::Started {
                index,
                cpu_ms: started / 1_000_000,
            });
            let run = catch_unwind(AssertUnwindSafe(|| {
                run_test(vm, python, &code, job, test, watchdog)
            }));
            watchdog.disarm();
            let drained = catch_unwind(AssertUnwindSafe(|| vm.check_signals()));
            let cpu_ms = (crate::sandbox::child::cpu_time_ns() - started) / 1_000_000;
            let (mut run, tainted) = match run {
                Ok(run) => (run, drained.is_err()),
                Err(payload) => {
                    let outcome = if payload.is::<HardTimeout>() || watchdog.fired() {
                        Outcome::Timeout
                    } else {
                        Outcome::Crashed {
                            detail: format!("the Python VM panicked: {}", panic_text(&*payload)),
                        }
                    };
                    (captured(python, outcome), true)
                }
            };
            run.cpu_ms = cpu_ms;
            send(&Message::Finished { index, run });
            if tainted {
                return JobEnd::Tainted;
            }
        }
        JobEnd::Done
    })
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn captured(python: &Python, outcome: Outcome) -> TestRun {
    let state = &python.state;
    let output = state.output.borrow().clone();
    let truncated = state.output_bytes.get() > output.len() as u64;
    TestRun {
        outcome,
        output,
        output_truncated: truncated,
        cpu_ms: 0,
    }
}

fn run_test(
    vm: &VirtualMachine,
    python: &Python,
    code: &PyRef<PyCode>,
    job: &Job,
    test: &JobTest,
    watchdog: &Watchdog,
) -> TestRun {
    python.state.reset(test.limits.output_bytes);
    // Armed before the reset: restoring builtins can drop an object the submission left there,
    // and its `__del__` is the submission's code too.
    watchdog.arm(test.limits.cpu_seconds);
    let outcome = match prepare(vm, python, test, &job.sandbox) {
        Err(exc) => Outcome::Crashed {
            detail: format!("could not prepare the test: {}", exc.class().name()),
        },
        Ok(()) => execute(vm, python, code, job, &test.action, watchdog),
    };
    watchdog.disarm();
    let outcome = if watchdog.fired() {
        Outcome::Timeout
    } else if python.state.output_exceeded.get() {
        Outcome::OutputLimit
    } else {
        outcome
    };
    captured(python, outcome)
}

/// Resets what a previous test of the same submission may have changed.
fn prepare(
    vm: &VirtualMachine,
    python: &Python,
    test: &JobTest,
    sandbox: &SandboxSetup,
) -> PyResult<()> {
    let warm = &python.warm;
    let builtins = vm.builtins.dict();
    builtins.clear();
    for (key, value) in &warm.builtins {
        builtins.set_item(&**key, value.clone(), vm)?;
    }
    vm.sys_module
        .as_object()
        .set_attr("modules", warm.modules_dict.clone(), vm)?;
    let modules = sys_modules(vm)?;
    for (key, value) in &warm.modules {
        modules.set_item(&**key, value.clone(), vm)?;
    }
    let sys = vm.sys_module.as_object();
    sys.set_attr("stdout", warm.output.clone(), vm)?;
    sys.set_attr("stderr", warm.output.clone(), vm)?;
    sys.set_attr("stdin", warm.string_io.call((), vm)?, vm)?;
    warm.reseed.call((0,), vm)?;
    let files: Vec<PyObjectRef> = sandbox
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
        (vm.ctx.new_list(files), vm.ctx.new_str(sandbox.cwd.as_str())),
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
    job: &Job,
    action: &Action,
    watchdog: &Watchdog,
) -> Outcome {
    let script = match action {
        Action::Script { code } => Some(code.as_str()),
        _ => None,
    };
    let source = Source {
        filename: &job.filename,
        text: &job.source,
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
            let result = call_args(vm, args, kwargs).and_then(|args| target.call(args, vm));
            match result {
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
        Action::Script { code: script } => {
            let namespace = vm.ctx.new_dict();
            let setup = (|| -> PyResult<PyRef<PyCode>> {
                for (key, value) in globals.items_vec() {
                    namespace.set_item(&*key, value, vm)?;
                }
                namespace.set_item("observe", python.warm.observe.clone(), vm)?;
                namespace.set_item("clock", python.warm.clock.clone(), vm)?;
                vm.compile(script, Mode::Exec, "<test script>".to_owned())
                    .map_err(|error| vm.new_syntax_error(&error, Some(script)))
            })();
            let result = setup
                .and_then(|code| vm.run_code_obj(code, Scope::with_builtins(None, namespace, vm)));
            match result {
                Ok(_) => Outcome::Returned {
                    value: Value::List(python.state.observations.borrow().clone()),
                },
                Err(exc) => raised(exc, None),
            }
        }
    }
}

/// A fresh `submission` module with the compiled code run in it.
fn load_submission(vm: &VirtualMachine, code: &PyRef<PyCode>) -> PyResult<PyDictRef> {
    let globals = vm.ctx.new_dict();
    let module = vm.new_module(MODULE, globals.clone(), None);
    sys_modules(vm)?.set_item(MODULE, module.into(), vm)?;
    vm.run_code_obj(
        code.clone(),
        Scope::with_builtins(None, globals.clone(), vm),
    )?;
    Ok(globals)
}

/// The callable a test targets, or a `Missing` outcome explaining why there is none.
fn entry(vm: &VirtualMachine, globals: &PyDictRef, name: &str) -> Result<PyObjectRef, Outcome> {
    match globals.get_item_opt(name, vm) {
        Ok(Some(target)) if target.is_callable() => Ok(target),
        Ok(Some(target)) => Err(Outcome::Missing {
            message: format!(
                "`{name}` is defined but is not callable (it is a {})",
                target.class().name()
            ),
        }),
        _ => Err(Outcome::Missing {
            message: format!("`{name}` is not defined at module level"),
        }),
    }
}

fn syntax_error_info(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> SyntaxErrorInfo {
    let obj = exc.as_object();
    let number = |name: &'static str| {
        obj.get_attr(name, vm)
            .ok()
            .and_then(|v| v.try_to_value::<usize>(vm).ok())
            .filter(|n| *n > 0)
            .unwrap_or(1)
    };
    let message = obj
        .get_attr("msg", vm)
        .ok()
        .and_then(|m| m.str(vm).ok())
        .map_or_else(
            || "invalid syntax".to_owned(),
            |m| m.as_wtf8().to_string_lossy().into_owned(),
        );
    SyntaxErrorInfo {
        kind: exc.class().name().to_string(),
        message,
        line: number("lineno"),
        column: number("offset"),
    }
}

/// A traceback of the exception's own frames, written natively. RustPython's `write_exception`
/// follows `__context__`, which 0.5.0 can leave pointing at a stale exception that segfaults it;
/// a deep recursion shows its first and last frames only.
fn traceback(exc: &PyBaseExceptionRef, source: &Source<'_>) -> String {
    const SHOWN: usize = 10;
    let mut lines = vec!["Traceback (most recent call last):".to_owned()];
    let entries: Vec<_> = exc
        .__traceback__()
        .map(|tb| tb.iter().collect())
        .unwrap_or_default();
    let frames: Vec<_> = entries
        .iter()
        .filter(|tb| !tb.frame.code.source_path().as_str().starts_with("<pygrade"))
        .collect();
    for (i, entry) in frames.iter().enumerate() {
        if frames.len() > 2 * SHOWN && i == SHOWN {
            lines.push(format!(
                "  [... {} more frames ...]",
                frames.len() - 2 * SHOWN
            ));
        }
        if frames.len() > 2 * SHOWN && (SHOWN..frames.len() - SHOWN).contains(&i) {
            continue;
        }
        let code = &entry.frame.code;
        let file = code.source_path().as_str();
        let line = entry.lineno.get();
        lines.push(format!(
            "  File \"{file}\", line {line}, in {}",
            code.obj_name.as_str()
        ));
        let text = if file == source.filename {
            source.text.lines().nth(line - 1)
        } else if file == "<test script>" {
            source.script.and_then(|s| s.lines().nth(line - 1))
        } else {
            None
        };
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            lines.push(format!("    {text}"));
        }
    }
    lines.join("\n")
}

/// Where the code a traceback points at came from.
struct Source<'a> {
    filename: &'a str,
    text: &'a str,
    script: Option<&'a str>,
}

fn exception_info(
    vm: &VirtualMachine,
    exc: &PyBaseExceptionRef,
    source: &Source<'_>,
) -> ExceptionInfo {
    let class = exc.class();
    let mut mro = vec![class.name().to_string()];
    mro.extend(class.mro_map_collect(|t| t.name().to_string()));
    mro.dedup();
    let message = exc.as_object().str(vm).map_or_else(
        |_| "<str() of the exception raised>".to_owned(),
        |s| s.as_wtf8().to_string_lossy().into_owned(),
    );
    let traceback = format!("{}\n{}: {}", traceback(exc, source), class.name(), message);
    ExceptionInfo {
        name: class.name().to_string(),
        mro,
        message: truncate(message, MAX_MESSAGE_CHARS),
        traceback: truncate(traceback, MAX_TRACEBACK_CHARS),
    }
}

fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push_str(" […]");
    }
    text
}
