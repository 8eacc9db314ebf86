//! Builds the interpreter a fork server keeps warm: frozen stdlib, fixed hash seed, the virtual
//! clock, captured output, pygrade's sort, hardening against crafted bytecode, and the stdlib
//! modules interview answers use already imported. Each forked child gets a private copy.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rustpython_vm::builtins::{PyStrRef, PyType};
use rustpython_vm::signal::UserSignalReceiver;
use rustpython_vm::{
    AsObject, Interpreter, PyObjectRef, PyRef, PyResult, Settings, VirtualMachine,
};

use super::clock::{self, EPOCH};
use super::convert::Converter;
use super::imports::Imports;
use super::{entropy, identity, sort};
use crate::sandbox::modules;
use crate::value::Value;

/// The hash seed of every interpreter: verdicts must not depend on hash randomisation.
const HASH_SEED: u32 = 0;
/// How much captured output a test report keeps (the output limit is separate).
pub(crate) const OUTPUT_DISPLAY_BYTES: usize = 16 << 10;

/// Modules imported once in the fork server, so no submission pays for them.
const WARM_MODULES: &[&str] = &[
    "abc",
    "bisect",
    "collections",
    "collections.abc",
    "contextlib",
    "copy",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "fractions",
    "functools",
    "heapq",
    "io",
    "itertools",
    "json",
    "math",
    "operator",
    "pathlib",
    "random",
    "re",
    "shutil",
    "statistics",
    "string",
    "tempfile",
    "textwrap",
    "threading",
    "typing",
    "weakref",
];

/// Per-test state shared between the harness and the native hooks it installs.
#[derive(Debug)]
pub(crate) struct HarnessState {
    pub(crate) clock: Cell<f64>,
    pub(crate) output: RefCell<String>,
    pub(crate) output_bytes: Cell<u64>,
    pub(crate) output_limit: Cell<u64>,
    pub(crate) output_exceeded: Cell<bool>,
    pub(crate) observations: RefCell<Vec<Value>>,
}

impl HarnessState {
    pub(crate) fn reset(&self, output_limit: u64) {
        self.clock.set(EPOCH);
        self.output.borrow_mut().clear();
        self.output_bytes.set(0);
        self.output_limit.set(output_limit);
        self.output_exceeded.set(false);
        self.observations.borrow_mut().clear();
    }
}

/// Objects captured after warm-up, before any submission can touch them.
pub(crate) struct Warm {
    pub(crate) dict_types: Rc<Vec<PyRef<PyType>>>,
    pub(crate) output: PyObjectRef,
    pub(crate) clock: PyObjectRef,
    pub(crate) observe: PyObjectRef,
    pub(crate) reseed: PyObjectRef,
    pub(crate) string_io: PyObjectRef,
    /// `set_allowed(names)`: the import policy's list for the job.
    pub(crate) set_allowed: PyObjectRef,
    /// `reset(files, cwd)`: a fresh virtual filesystem.
    pub(crate) vfs_reset: PyObjectRef,
}

/// A warm interpreter and its harness state.
pub(crate) struct Python {
    pub(crate) interpreter: Interpreter,
    pub(crate) state: Rc<HarnessState>,
    pub(crate) warm: Warm,
}

impl Python {
    /// Builds and warms the interpreter; `signals` is how the watchdog interrupts it.
    pub(crate) fn start(signals: UserSignalReceiver) -> Result<Python, String> {
        let mut settings = Settings::default();
        settings.hash_seed = Some(HASH_SEED);
        settings.import_site = false;
        settings.ignore_environment = true;
        settings.argv = vec!["submission.py".to_owned()];
        let builder = Interpreter::builder(settings);
        let hook_error: Rc<RefCell<Option<String>>> = Rc::default();
        let identity_error = hook_error.clone();
        let defs: Vec<_> = rustpython_stdlib::stdlib_module_defs(&builder.ctx)
            .into_iter()
            .filter(|def| !modules::UNREGISTERED_NATIVE.contains(&def.name.as_str()))
            .collect();
        let interpreter = builder
            .add_native_modules(&defs)
            .add_frozen_modules(
                rustpython_pylib::FROZEN_STDLIB
                    .into_iter()
                    .filter(|(name, _)| modules::frozen_is_registered(name)),
            )
            .init_hook(move |vm| vm.set_user_signal_channel(signals))
            .init_hook(move |vm| {
                // Before any Python code runs, so no object is ever hashed by its address.
                if let Err(exc) = identity::install_slots(vm) {
                    *identity_error.borrow_mut() = Some(describe(vm, &exc));
                }
            })
            .build();
        if let Some(error) = hook_error.borrow_mut().take() {
            return Err(format!("cannot start the Python sandbox: {error}"));
        }
        let state = Rc::new(HarnessState {
            clock: Cell::new(EPOCH),
            output: RefCell::new(String::new()),
            output_bytes: Cell::new(0),
            output_limit: Cell::new(u64::MAX),
            output_exceeded: Cell::new(false),
            observations: RefCell::new(Vec::new()),
        });
        let warm = interpreter
            .enter(|vm| warm_up(vm, &state).map_err(|exc| describe(vm, &exc)))
            .map_err(|e| format!("cannot start the Python sandbox: {e}"))?;
        Ok(Python {
            interpreter,
            state,
            warm,
        })
    }
}

fn describe(vm: &VirtualMachine, exc: &rustpython_vm::builtins::PyBaseExceptionRef) -> String {
    let mut text = String::new();
    let _ = vm.write_exception(&mut text, exc);
    text
}

fn warm_up(vm: &VirtualMachine, state: &Rc<HarnessState>) -> PyResult<Warm> {
    identity::install_id(vm)?;
    harden(vm)?;
    let imports = Imports::install(vm)?;
    clock::install(vm, state)?;
    clock::install_gc(vm)?;
    sort::install(vm)?;

    let scope = vm.new_scope_with_builtins();
    let hooks = &scope.globals;
    for (name, f) in clock::hooks(vm, state) {
        hooks.set_item(name, f, vm)?;
    }
    let output_state = state.clone();
    let write = vm.new_function(
        "_output_write",
        move |text: PyStrRef, vm: &VirtualMachine| -> PyResult<()> {
            capture(&output_state, text.as_wtf8().to_string_lossy().as_ref(), vm)
        },
    );
    hooks.set_item("_output_write", write.into(), vm)?;
    hooks.set_item(
        "_VFS_SOURCE",
        vm.ctx.new_str(include_str!("vfs.py")).into(),
        vm,
    )?;
    vm.run_string(
        scope.clone(),
        include_str!("prelude.py"),
        "<pygrade prelude>".to_owned(),
    )?;

    for module in WARM_MODULES {
        vm.import(*module, 0)?;
    }
    entropy::install(vm)?;
    identity::install_late_reprs(vm, &[("_thread", "LockType"), ("_thread", "RLock")])?;
    let collections = vm.import("collections", 0)?;
    let dict_types: Vec<PyRef<PyType>> = ["defaultdict", "OrderedDict", "Counter"]
        .iter()
        .map(|name| {
            collections
                .get_attr(*name, vm)?
                .downcast::<PyType>()
                .map_err(|_| vm.new_type_error("not a type"))
        })
        .collect::<PyResult<_>>()?;
    let dict_types = Rc::new(dict_types);
    let set_allowed = imports.seal(vm)?;

    let observe_state = state.clone();
    let observe_types = dict_types.clone();
    let observe = vm.new_function("observe", move |value: PyObjectRef, vm: &VirtualMachine| {
        let converted = Converter::new(vm, &observe_types).value(&value);
        observe_state.observations.borrow_mut().push(converted);
    });

    Ok(Warm {
        dict_types,
        output: hooks.get_item("OUTPUT", vm)?,
        clock: hooks.get_item("CLOCK", vm)?,
        observe: observe.into(),
        reseed: hooks.get_item("RESEED", vm)?,
        string_io: hooks.get_item("STRING_IO", vm)?,
        set_allowed,
        vfs_reset: hooks.get_item("VFS_RESET", vm)?,
    })
}

/// Appends to the capture buffer; past the output limit, flags the test and raises.
fn capture(state: &HarnessState, text: &str, vm: &VirtualMachine) -> PyResult<()> {
    let total = state.output_bytes.get().saturating_add(text.len() as u64);
    state.output_bytes.set(total);
    let mut output = state.output.borrow_mut();
    if output.len() < OUTPUT_DISPLAY_BYTES {
        let room = OUTPUT_DISPLAY_BYTES - output.len();
        let mut cut = text.len().min(room);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        output.push_str(&text[..cut]);
    }
    if total > state.output_limit.get() {
        state.output_exceeded.set(true);
        return Err(raise_new(
            vm,
            vm.ctx.exceptions.os_error,
            "pygrade: output limit exceeded",
        ));
    }
    Ok(())
}

/// An exception made by calling its class, as `raise Class(message)` would. `new_exception_msg`
/// leaves an `OSError`'s fields unset, and `str()` of such an exception segfaults RustPython.
pub(crate) fn raise_new(
    vm: &VirtualMachine,
    class: &'static rustpython_vm::Py<PyType>,
    message: &str,
) -> rustpython_vm::builtins::PyBaseExceptionRef {
    match class.as_object().call((vm.ctx.new_str(message),), vm) {
        Ok(exception) => exception
            .downcast()
            .unwrap_or_else(|_| vm.new_runtime_error(message.to_owned())),
        Err(exception) => exception,
    }
}

/// Makes crafted bytecode unreachable: no `code.replace`, no `CodeType(...)`, no `marshal.loads`.
fn harden(vm: &VirtualMachine) -> PyResult<()> {
    let code_type = vm.ctx.types.code_type;
    {
        let mut attributes = code_type.attributes.write();
        for name in ["replace", "__replace__"] {
            attributes.shift_remove(vm.ctx.intern_str(name));
        }
    }
    code_type.slots.new.store(None);
    let marshal = vm.import("marshal", 0)?;
    for name in ["loads", "load"] {
        let _ = marshal.del_attr(name, vm);
    }
    Ok(())
}
