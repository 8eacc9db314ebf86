//! Describing what a submission raised, for the report: exception name, MRO, message and a
//! traceback of the submission's own frames, and a syntax error's position. Everything here is
//! text the submission chose, so every piece is cut to its budget as it is built (a class can be
//! named with 30 MB of text); the run as a whole is bounded again before it is sent.

use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{AsObject, VirtualMachine};

use crate::sandbox::protocol::{
    ExceptionInfo, MAX_MESSAGE_CHARS, MAX_MRO, MAX_NAME_CHARS, MAX_TRACEBACK_CHARS,
    SyntaxErrorInfo, cut_chars,
};

/// Longest traceback line kept (a function name or a source line).
const MAX_LINE_CHARS: usize = 300;
/// A deep recursion shows this many frames at each end.
const SHOWN_FRAMES: usize = 10;

/// Where the code a traceback points at came from.
pub(crate) struct Source<'a> {
    pub(crate) filename: &'a str,
    pub(crate) text: &'a str,
    pub(crate) script: Option<&'a str>,
}

pub(crate) fn syntax_error_info(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> SyntaxErrorInfo {
    let obj = exc.as_object();
    let number = |name: &'static str| {
        obj.get_attr(name, vm)
            .ok()
            .and_then(|v| v.try_to_value::<usize>(vm).ok())
            .filter(|n| *n > 0)
            .unwrap_or(1)
    };
    let mut message = obj
        .get_attr("msg", vm)
        .ok()
        .and_then(|m| m.str(vm).ok())
        .map_or_else(
            || "invalid syntax".to_owned(),
            |m| m.as_wtf8().to_string_lossy().into_owned(),
        );
    cut_chars(&mut message, MAX_MESSAGE_CHARS);
    SyntaxErrorInfo {
        kind: bounded_name(exc.class().name().as_ref()),
        message,
        line: number("lineno"),
        column: number("offset"),
    }
}

/// The exception's class, MRO, `str()` and traceback. `str()` runs the submission's `__str__`;
/// callers only describe an exception while the test still has CPU time.
pub(crate) fn exception_info(
    vm: &VirtualMachine,
    exc: &PyBaseExceptionRef,
    source: &Source<'_>,
) -> ExceptionInfo {
    let class = exc.class();
    let name = bounded_name(class.name().as_ref());
    let mut mro = vec![name.clone()];
    mro.extend(
        class
            .mro_map_collect(|t| bounded_name(t.name().as_ref()))
            .into_iter()
            .take(MAX_MRO),
    );
    mro.dedup();
    mro.truncate(MAX_MRO);
    let mut message = exc.as_object().str(vm).map_or_else(
        |_| "<str() of the exception raised>".to_owned(),
        |s| {
            let text = s.as_wtf8();
            // Only the kept prefix is decoded: a 30 MB message costs no more than a short one.
            let prefix = text
                .code_points()
                .take(MAX_MESSAGE_CHARS + 1)
                .collect::<rustpython_vm::common::wtf8::Wtf8Buf>();
            prefix.to_string_lossy().into_owned()
        },
    );
    cut_chars(&mut message, MAX_MESSAGE_CHARS);
    let mut traceback = format!("{}\n{name}: {message}", traceback(exc, source));
    cut_chars(&mut traceback, MAX_TRACEBACK_CHARS);
    ExceptionInfo {
        name,
        mro,
        message,
        traceback,
    }
}

fn bounded_name(name: &str) -> String {
    let mut name: String = name.chars().take(MAX_NAME_CHARS + 1).collect();
    cut_chars(&mut name, MAX_NAME_CHARS);
    name
}

fn bounded_line(text: &str) -> String {
    let mut line: String = text.chars().take(MAX_LINE_CHARS + 1).collect();
    cut_chars(&mut line, MAX_LINE_CHARS);
    line
}

/// A traceback of the exception's own frames, written natively. RustPython's `write_exception`
/// follows `__context__`, which 0.5.0 can leave pointing at a stale exception that segfaults it;
/// a deep recursion shows its first and last frames only.
fn traceback(exc: &PyBaseExceptionRef, source: &Source<'_>) -> String {
    let mut lines = vec!["Traceback (most recent call last):".to_owned()];
    let entries: Vec<_> = exc
        .__traceback__()
        .map(|tb| tb.iter().collect())
        .unwrap_or_default();
    let frames: Vec<_> = entries
        .iter()
        .filter(|tb| !tb.frame.code.source_path().as_str().starts_with("<pygrade"))
        .collect();
    let elided = frames.len() > 2 * SHOWN_FRAMES;
    for (i, entry) in frames.iter().enumerate() {
        if elided && i == SHOWN_FRAMES {
            lines.push(format!(
                "  [... {} more frames ...]",
                frames.len() - 2 * SHOWN_FRAMES
            ));
        }
        if elided && (SHOWN_FRAMES..frames.len() - SHOWN_FRAMES).contains(&i) {
            continue;
        }
        let code = &entry.frame.code;
        let file = code.source_path().as_str();
        let line = entry.lineno.get();
        lines.push(format!(
            "  File \"{}\", line {line}, in {}",
            bounded_line(file),
            bounded_line(code.obj_name.as_str())
        ));
        let text = if file == source.filename {
            source.text.lines().nth(line.saturating_sub(1))
        } else if file == "<test script>" {
            source
                .script
                .and_then(|s| s.lines().nth(line.saturating_sub(1)))
        } else {
            None
        };
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            lines.push(format!("    {}", bounded_line(text)));
        }
    }
    lines.join("\n")
}
