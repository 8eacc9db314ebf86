//! The import policy, enforced where modules are loaded and handed out, whoever asks.
//!
//! RustPython 0.5.0 imports the way CPython does: the `IMPORT_NAME` opcode, a native code path
//! (`vm.import`) and `builtins.__import__` all reach `import_module_level`, which looks the name
//! up in `sys.modules` and otherwise calls the frozen `_bootstrap._find_and_load`, whose finders
//! (`BuiltinImporter`, `FrozenImporter`) create modules through `_imp` (`create_builtin`,
//! `get_frozen_object`, `init_frozen`, ...). `importlib.import_module`, `_bootstrap._gcd_import`,
//! `pickle`'s `find_class`, loaders found by walking `object.__subclasses__()` and hand-made
//! specs all end in one of those two places: `sys.modules`, or `_imp`. So the policy sits there:
//!
//! 1. **Warm, then seal the loaders.** The fork server imports every allowed module and the
//!    internal modules they need lazily ([`INTERNAL_WARM`], every `encodings` codec). After that
//!    `_imp`'s functions refuse any name whose top-level package is not allowed
//!    (`find_frozen`/`is_builtin` say "not found", the others raise `ImportError`), never accept
//!    marshalled code (`get_frozen_object(name, data)`, which would run crafted bytecode) or
//!    `find_frozen(..., withdata=)` (a Rust panic), `exec_builtin` does nothing (as before),
//!    `_fix_co_filename` (which rewrites `co_filename`) is a no-op and
//!    `_override_frozen_modules_for_tests` is gone. From then on, the only modules that can come
//!    into existence are allowed ones.
//! 2. **Hide what is loaded but not allowed.** Entries of `sys.modules` whose top-level name is
//!    not allowed move into a private dict that only this file holds, so every lookup through
//!    `sys.modules` (import statements, `importlib`, `_bootstrap`, `pickle`, `_imp`) misses them
//!    and falls through to the sealed loaders. A challenge's narrower list moves more entries
//!    there at the start of each test.
//! 3. **Serve the private modules to stdlib code only.** Allowed modules still run
//!    `import linecache` or `import _strptime` inside functions. `builtins.__import__` is a native
//!    wrapper: an allowed name goes to the real `__import__` (which can only find public or newly
//!    loaded allowed modules); any other name is served from the private dict only to an
//!    `import` *statement* in trusted code: the calling frame is executing `IMPORT_NAME` for
//!    exactly that name, and its code object came from the frozen stdlib or the prelude (its
//!    `co_filename` is a frozen module name or `<pygrade ...>`; `compile()` refuses those file
//!    names, `_fix_co_filename` is a no-op and code objects cannot be built or replaced otherwise).
//!    Under `sys.settrace`/`sys.monitoring` the opcode may be instrumented; the check then fails
//!    closed (the stdlib's lazy import of a hidden module raises `ModuleNotFoundError`).
//!    A forged `globals`, `__name__`, `__spec__` or `__package__` changes nothing, and a stdlib
//!    function that imports a name it was given as data (`pickle`, `logging.config`) is refused.
//!    Two narrow exceptions: `encodings.*` for trusted code (the codec search function imports
//!    by name) and [`VM_INTERNAL`], the harmless modules RustPython's native code imports on the
//!    caller's behalf (`time.strptime` imports `_strptime`).
//!
//! What stays reachable: a loaded module that is an attribute of an allowed one (`inspect.ast`,
//! `dataclasses.inspect`, a function's `__globals__`, `gc.get_objects()`). Those cannot load
//! anything new (point 1), so the dangerous capabilities themselves are removed: `compile()` of
//! an AST object raises `TypeError` (a crafted AST aborts RustPython's compiler; `ast.parse` of
//! source text still works), and `marshal.loads`, `code.replace` and `CodeType()` are gone
//! (`interpreter.rs`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use rustpython_vm::builtins::{PyBytes, PyDict, PyDictRef, PyListRef, PyStr, PyTypeRef};
use rustpython_vm::bytecode::Instruction;
use rustpython_vm::frame::Frame;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use super::interpreter::raise_new;
use crate::sandbox::modules;

/// Internal (not allowed) modules that allowed modules import inside functions; warmed so that
/// those imports never need to load anything after the seal.
const INTERNAL_WARM: &[&str] = &[
    "_strptime",
    "_pycodecs",
    "_compat_pickle",
    "_threading_local",
    "_colorize",
    "_contextvars",
    "annotationlib",
    "atexit",
    "ast",
    "importlib.machinery",
    "linecache",
    "locale",
    "tokenize",
];

/// Modules RustPython's native code imports by itself while running the caller's code, so the
/// calling frame is the submission's: `time.strptime` (`_strptime`), some codecs (`_pycodecs`),
/// `int | "name"` (`annotationlib`), text I/O's default encoding (`locale`), warnings
/// (`_contextvars`). Harmless, and served to any caller of `__import__`.
const VM_INTERNAL: &[&str] = &[
    "_pycodecs",
    "_strptime",
    "annotationlib",
    "locale",
    "_contextvars",
];

/// The policy's state, shared by the native functions it installs.
struct State {
    /// Top-level names the submission may import (the challenge's list once a test starts).
    allowed: RefCell<BTreeSet<String>>,
    /// Loaded modules hidden from `sys.modules`, by name.
    private: PyDictRef,
    /// Whether warm-up is over (file names are reserved and loaders sealed from then on).
    sealed: Cell<bool>,
}

impl State {
    fn allows(&self, name: &str) -> bool {
        name == MAIN || self.allowed.borrow().contains(top_level(name))
    }
}

/// `__main__`: the submission's own module under a second name (`harness` puts it in
/// `sys.modules`), so `import __main__` and `inspect` find it as they would under CPython.
pub(crate) const MAIN: &str = "__main__";

/// The import policy of one interpreter: installed before warm-up, sealed after it.
pub(crate) struct Imports {
    state: Rc<State>,
}

impl Imports {
    /// Guards `compile()` before any stdlib module is imported (so none keeps the original).
    pub(crate) fn install(vm: &VirtualMachine) -> PyResult<Imports> {
        let state = Rc::new(State {
            allowed: RefCell::new(modules::ALLOWED.iter().map(|m| (*m).to_owned()).collect()),
            private: vm.ctx.new_dict(),
            sealed: Cell::new(false),
        });
        guard_compile(vm, &state)?;
        Ok(Imports { state })
    }

    /// Warms every allowed module, seals the loaders, hides what is not allowed and installs
    /// `__import__`. Returns `set_allowed(names)`, which narrows the policy for one job.
    pub(crate) fn seal(&self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        warm(vm)?;
        seal_imp(vm, &self.state)?;
        guard_import(vm, &self.state)?;
        hide(vm, &self.state)?;
        self.state.sealed.set(true);
        let state = self.state.clone();
        let set_allowed = vm.new_function(
            "set_allowed",
            move |names: PyListRef, vm: &VirtualMachine| -> PyResult<()> {
                let mut allowed = BTreeSet::new();
                for name in names.borrow_vec().iter() {
                    allowed.insert(text(name).ok_or_else(|| vm.new_type_error("not a str"))?);
                }
                *state.allowed.borrow_mut() = allowed;
                hide(vm, &state)
            },
        );
        Ok(set_allowed.into())
    }
}

fn top_level(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// The text of an exact or subclassed `str`, read without running any Python code.
fn text(object: &rustpython_vm::PyObject) -> Option<String> {
    object
        .downcast_ref::<PyStr>()
        .map(|s| s.as_wtf8().to_string_lossy().into_owned())
}

/// Argument `index` of `args`, given by position or as keyword `name`.
fn argument(args: &FuncArgs, index: usize, name: &str) -> Option<PyObjectRef> {
    args.args
        .get(index)
        .cloned()
        .or_else(|| args.kwargs.get(name).cloned())
}

/// Replaces argument `index`/`name` of `args` with `value`.
fn replace_argument(args: &mut FuncArgs, index: usize, name: &str, value: PyObjectRef) {
    if let Some(slot) = args.args.get_mut(index) {
        *slot = value;
    } else if let Some(slot) = args.kwargs.get_mut(name) {
        *slot = value;
    }
}

fn sys_modules(vm: &VirtualMachine) -> PyResult<PyDictRef> {
    vm.sys_module
        .get_attr("modules", vm)?
        .downcast()
        .map_err(|_| vm.new_type_error("sys.modules is not a dict"))
}

fn warm(vm: &VirtualMachine) -> PyResult<()> {
    for module in modules::ALLOWED {
        vm.import(*module, 0)?;
    }
    // Internal modules are best effort: one that cannot load here cannot load later either.
    let codecs = vm
        .state
        .frozen
        .keys()
        .filter(|name| name.starts_with("encodings."));
    for module in INTERNAL_WARM.iter().chain(codecs) {
        let _ = vm.import(*module, 0);
    }
    Ok(())
}

/// Moves every `sys.modules` entry whose top-level name is not allowed into the private dict.
fn hide(vm: &VirtualMachine, state: &State) -> PyResult<()> {
    let modules = sys_modules(vm)?;
    for (key, module) in modules.items_vec() {
        let Some(name) = text(&key) else { continue };
        if name != "submission" && !state.allows(&name) {
            state.private.set_item(&*key, module, vm)?;
            modules.del_item(&*key, vm)?;
        }
    }
    Ok(())
}

/// `ModuleNotFoundError: No module named 'x' (pygrade's sandbox does not provide it)`, with the
/// name as Python's `repr` shows it.
fn not_provided(vm: &VirtualMachine, name: &str) -> rustpython_vm::builtins::PyBaseExceptionRef {
    let shown: String = name.chars().take(200).collect();
    let quoted = vm
        .ctx
        .new_str(shown.as_str())
        .as_object()
        .repr(vm)
        .map_or_else(
            |_| format!("'{shown}'"),
            |r| r.as_wtf8().to_string_lossy().into_owned(),
        );
    let message = format!("No module named {quoted} (pygrade's sandbox does not provide it)");
    let exception = raise_new(vm, vm.ctx.exceptions.module_not_found_error, &message);
    let _ = exception
        .as_object()
        .set_attr("name", vm.ctx.new_str(name), vm);
    exception
}

/// Whether `path` names code from the frozen stdlib or pygrade's prelude.
fn reserved_file_name(vm: &VirtualMachine, path: &str) -> bool {
    path.starts_with("<pygrade") || vm.state.frozen.contains_key(path)
}

/// `compile()` without AST objects and, after the seal, without the stdlib's file names.
fn guard_compile(vm: &VirtualMachine, state: &Rc<State>) -> PyResult<()> {
    let original = vm.builtins.get_attr("compile", vm)?;
    let ast: PyTypeRef = vm
        .import("_ast", 0)?
        .get_attr("AST", vm)?
        .downcast()
        .map_err(|_| vm.new_type_error("_ast.AST is not a type"))?;
    let state = state.clone();
    let compile = vm.new_function(
        "compile",
        move |mut args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            if let Some(source) = argument(&args, 0, "source")
                && source.class().fast_issubclass(&ast)
            {
                return Err(vm.new_type_error(
                    "compile() of an AST object is not available in pygrade's sandbox \
                     (compile source text instead)",
                ));
            }
            if let Some(filename) = argument(&args, 1, "filename") {
                let path = file_name(&filename, vm)?;
                if state.sealed.get() && reserved_file_name(vm, &path) {
                    return Err(vm.new_value_error(
                        "compile(): this file name is reserved for pygrade's standard library",
                    ));
                }
                // Pass the checked text, so a path-like object cannot answer differently later.
                replace_argument(&mut args, 1, "filename", vm.ctx.new_str(path).into());
            }
            original.call(args, vm)
        },
    );
    vm.builtins.set_attr("compile", compile, vm)
}

/// The file name `compile()` would use: a `str`, `bytes`, or what `__fspath__` returns once.
fn file_name(filename: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
    let value = if filename.downcast_ref::<PyStr>().is_some()
        || filename.downcast_ref::<PyBytes>().is_some()
    {
        filename.clone()
    } else {
        vm.call_method(filename, "__fspath__", ())?
    };
    if let Some(path) = text(&value) {
        return Ok(path);
    }
    match value.downcast_ref::<PyBytes>() {
        Some(bytes) => Ok(String::from_utf8_lossy(bytes.as_bytes()).into_owned()),
        None => Err(vm.new_type_error("compile() file name must be str, bytes or os.PathLike")),
    }
}

/// Whether `frame` runs code from the frozen stdlib or pygrade's prelude.
fn trusted(vm: &VirtualMachine, frame: &Frame) -> bool {
    reserved_file_name(vm, &frame.code.source_path().as_wtf8().to_string_lossy())
}

/// Whether `frame` is executing an `import` statement (`IMPORT_NAME`) of exactly `name`.
fn importing(frame: &Frame, name: &str) -> bool {
    let code = &frame.code.code;
    let units = &code.instructions;
    let Some(index) = (frame.lasti() as usize).checked_sub(1) else {
        return false;
    };
    if index >= units.len() || !matches!(units.read_op(index), Instruction::ImportName { .. }) {
        return false;
    }
    let mut arg = u32::from(u8::from(units.read_arg(index)));
    let (mut at, mut shift) = (index, 8);
    while at > 0 && shift < 32 && matches!(units.read_op(at - 1), Instruction::ExtendedArg) {
        at -= 1;
        arg |= u32::from(u8::from(units.read_arg(at))) << shift;
        shift += 8;
    }
    code.names
        .get(arg as usize)
        .is_some_and(|statement| statement.as_wtf8() == name)
}

/// The absolute module name `__import__(name, globals, ..., level)` asks for, when it can be
/// worked out without running any Python code; `None` otherwise.
fn absolute_name(
    name: &str,
    globals: Option<&PyObjectRef>,
    level: i64,
    vm: &VirtualMachine,
) -> Option<String> {
    if level == 0 {
        return Some(name.to_owned());
    }
    let globals = globals?
        .clone()
        .downcast_exact::<PyDict>(vm)
        .ok()?
        .into_pyref();
    let package = match globals.get_item_opt("__package__", vm).ok()? {
        Some(package) if !vm.is_none(&package) => text(&package)?,
        _ => return None,
    };
    let mut base = package.as_str();
    for _ in 1..level {
        base = base.rsplit_once('.')?.0;
    }
    if base.is_empty() {
        return None;
    }
    Some(if name.is_empty() {
        base.to_owned()
    } else {
        format!("{base}.{name}")
    })
}

/// `builtins.__import__`: allowed names go to the real one, others only to trusted statements.
fn guard_import(vm: &VirtualMachine, state: &Rc<State>) -> PyResult<()> {
    let original = vm.builtins.get_attr("__import__", vm)?;
    let state = state.clone();
    let import = vm.new_function(
        "__import__",
        move |mut args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            let Some(name) = argument(&args, 0, "name").and_then(|name| text(&name)) else {
                return original.call(args, vm);
            };
            // The real `__import__` gets the checked text, never a `str` subclass.
            replace_argument(&mut args, 0, "name", vm.ctx.new_str(name.as_str()).into());
            let level =
                argument(&args, 4, "level").map_or(Ok(0), |level| level.try_to_value::<i64>(vm))?;
            let globals = argument(&args, 1, "globals");
            let Some(absolute) = absolute_name(&name, globals.as_ref(), level, vm) else {
                return original.call(args, vm);
            };
            if state.allows(&absolute) {
                return original.call(args, vm);
            }
            let frame = vm.current_frame();
            let trusted = frame.as_ref().is_some_and(|frame| trusted(vm, frame));
            let statement = trusted
                && frame.as_ref().is_some_and(|frame| {
                    importing(frame, &name)
                        && (level == 0
                            || globals
                                .as_ref()
                                .is_some_and(|g| g.is(frame.globals.as_object())))
                });
            let eligible = statement
                || VM_INTERNAL.contains(&absolute.as_str())
                || (trusted && absolute.starts_with("encodings."));
            if eligible {
                let fromlist = argument(&args, 3, "fromlist")
                    .filter(|f| !vm.is_none(f))
                    .map_or(Ok(false), |f| f.try_to_bool(vm))?;
                if let Some(module) = private_module(&state, &absolute, fromlist, level, vm) {
                    return Ok(module);
                }
            }
            Err(not_provided(vm, &name))
        },
    );
    vm.builtins.set_attr("__import__", import, vm)
}

/// What `__import__` returns for a hidden module: the module itself with a `fromlist` (or a
/// relative import), else its top-level package, as the real `__import__` does.
fn private_module(
    state: &State,
    absolute: &str,
    fromlist: bool,
    level: i64,
    vm: &VirtualMachine,
) -> Option<PyObjectRef> {
    let find = |name: &str| {
        state
            .private
            .get_item_opt(name, vm)
            .ok()
            .flatten()
            .or_else(|| sys_modules(vm).ok()?.get_item_opt(name, vm).ok().flatten())
    };
    let module = find(absolute)?;
    if fromlist || level > 0 || !absolute.contains('.') {
        Some(module)
    } else {
        find(top_level(absolute))
    }
}

/// Replaces `_imp`'s loading functions with ones that refuse what the policy does not allow.
fn seal_imp(vm: &VirtualMachine, state: &Rc<State>) -> PyResult<()> {
    let imp = vm.import("_imp", 0)?;
    let namespace = vm.import("types", 0)?.get_attr("SimpleNamespace", vm)?;
    for name in ["_override_frozen_modules_for_tests", "_frozen_module_names"] {
        let _ = imp.del_attr(name, vm);
    }
    imp.set_attr(
        "_fix_co_filename",
        vm.new_function("_fix_co_filename", |_: FuncArgs| {}),
        vm,
    )?;
    imp.set_attr(
        "exec_builtin",
        vm.new_function("exec_builtin", |_: PyObjectRef| 0),
        vm,
    )?;
    for (function, refused) in [
        ("is_builtin", Refusal::False),
        ("is_frozen", Refusal::False),
        ("find_frozen", Refusal::None),
        ("get_frozen_object", Refusal::Error),
        ("init_frozen", Refusal::Error),
        ("is_frozen_package", Refusal::Error),
        ("create_builtin", Refusal::Error),
    ] {
        let original = imp.get_attr(function, vm)?;
        let state = state.clone();
        let namespace = namespace.clone();
        let guarded = vm.new_function(
            function,
            move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
                if args.args.len() != 1 || !args.kwargs.is_empty() {
                    return Err(vm.new_type_error(format!(
                        "pygrade's sandbox: _imp.{function}() takes exactly one argument"
                    )));
                }
                let subject = if function == "create_builtin" {
                    args.args[0].get_attr("name", vm)?
                } else {
                    args.args[0].clone()
                };
                let name = text(&subject).ok_or_else(|| vm.new_type_error("name must be a str"))?;
                if !state.allows(&name) {
                    return match refused {
                        Refusal::False => Ok(vm.ctx.new_bool(false).into()),
                        Refusal::None => Ok(vm.ctx.none()),
                        Refusal::Error => Err(not_provided(vm, &name)),
                    };
                }
                // A fresh spec carrying the checked name: the caller's could answer differently.
                let argument: PyObjectRef = if function == "create_builtin" {
                    let spec = namespace.call((), vm)?;
                    spec.set_attr("name", vm.ctx.new_str(name.as_str()), vm)?;
                    spec
                } else {
                    vm.ctx.new_str(name.as_str()).into()
                };
                original.call((argument,), vm)
            },
        );
        imp.set_attr(function, guarded, vm)?;
    }
    Ok(())
}

/// What a sealed `_imp` function answers for a name outside the policy.
#[derive(Clone, Copy)]
enum Refusal {
    False,
    None,
    Error,
}
