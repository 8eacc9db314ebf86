//! No entropy reaches a submission. The native `_random.Random` (the base of `random.Random`)
//! seeds itself from the OS when built or seeded with no seed (`_random.Random()`,
//! `r.seed()`, `r.seed(None)`, `r.__init__()`); here those seed with 0, as the prelude already
//! makes `random.Random()` and `random.seed()` do. `os.urandom` (and so `random.SystemRandom`,
//! `secrets`, `tempfile` names) is deterministic in `vfs.py`; string hashing has a fixed seed.

use std::cell::Cell;

use rustpython_vm::builtins::PyType;
use rustpython_vm::function::{FuncArgs, OptionalOption};
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};

/// The seed that stands in for "seed from entropy".
const DEFAULT_SEED: i64 = 0;

/// A native `__init__` slot.
type InitSlot = fn(PyObjectRef, FuncArgs, &VirtualMachine) -> PyResult<()>;

thread_local! {
    static RANDOM_INIT: Cell<Option<InitSlot>> = const { Cell::new(None) };
}

/// Makes `_random.Random` seed with [`DEFAULT_SEED`] where it would read OS entropy.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let Ok(random) = vm
        .import("_random", 0)?
        .get_attr("Random", vm)?
        .downcast::<PyType>()
    else {
        return Err(vm.new_type_error("_random.Random is not a type"));
    };
    // Types live as long as the interpreter; `new_method` wants a static reference.
    let random: &'static Py<PyType> = Box::leak(Box::new(random));
    let original_seed = random.as_object().get_attr("seed", vm)?;
    let seed = vm.new_method(
        "seed",
        random,
        move |zelf: PyObjectRef, n: OptionalOption<PyObjectRef>, vm: &VirtualMachine| {
            original_seed.call((zelf, or_default(n.flatten(), vm)), vm)
        },
    );
    random.set_attr(vm.ctx.intern_str("seed"), seed.into());
    RANDOM_INIT.set(random.slots.init.load());
    random.slots.init.store(Some(seeded_init));
    let init = vm.new_method(
        "__init__",
        random,
        |zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine| seeded_init(zelf, args, vm),
    );
    random.set_attr(vm.ctx.intern_str("__init__"), init.into());
    Ok(())
}

fn or_default(seed: Option<PyObjectRef>, vm: &VirtualMachine) -> PyObjectRef {
    match seed {
        Some(seed) if !vm.is_none(&seed) => seed,
        _ => vm.ctx.new_int(DEFAULT_SEED).into(),
    }
}

/// `_random.Random.__init__(x=None)`: a missing or `None` seed becomes [`DEFAULT_SEED`].
fn seeded_init(zelf: PyObjectRef, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if args.kwargs.is_empty() && args.args.len() <= 1 {
        let seed = or_default(args.args.pop(), vm);
        args.args = vec![seed];
    }
    match RANDOM_INIT.get() {
        Some(original) => original(zelf, args, vm),
        None => Ok(()),
    }
}
