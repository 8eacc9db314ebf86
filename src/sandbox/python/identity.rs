//! Deterministic object identity: `id()`, the default `hash()` and the `at 0x...` in default
//! `repr()`s come from a per-process table of sequence numbers instead of memory addresses.
//!
//! RustPython's `id(obj)` is the object's address, and `object.__hash__`, `hash(float('nan'))`,
//! bound methods' hashes and many reprs derive from it. Addresses change with ASLR and with the
//! allocator's state, which differs between fork servers (each has served other jobs), so a
//! submission branching on them (or merely iterating a set of its own objects) would get different
//! verdicts on different runs. Here an object gets the next number the first time its identity is
//! asked for, and keeps it for its whole life; it is presented as `ID_BASE + 16 * n`, so it still
//! looks like an address, and its hash is `id >> 4` as in CPython (`_Py_HashPointer`).
//!
//! Why not key numbers by address alone: whether a new object lands on a dead object's address
//! depends on the allocator's state, so "reuse the dead object's number" would not be
//! deterministic. Instead each entry remembers *which* object it numbered (a weak reference
//! where the type supports one, else a strong reference), a new object always gets a fresh
//! number, and numbers are never reused. So `id(a) == id(b)` exactly when `a is b` for live
//! objects, numbering follows only the order of first use (identical on every run), and unlike
//! CPython, `id(object()) == id(object())` is false. Strongly held entries are released in a
//! sweep once only the table refers to them (deterministic: it depends on reference counts and the
//! table's size, never on time or addresses), so such objects live until the next sweep.
//!
//! Costs, measured and accepted: an entry (and, for weakly held objects, one weak reference,
//! which `weakref.getweakrefcount` counts) per object whose identity was asked for; hashing a
//! user object is a table lookup instead of a pointer read.
//!
//! The table is per process: workers are forked from a fork server whose warm-up numbered the
//! same objects in the same order on every run, and each test runs in a fresh fork.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rustpython_vm::builtins::{
    PyClassMethod, PyComplex, PyFloat, PyStr, PyStrInterned, PyType, PyWeak,
};
use rustpython_vm::common::hash::{self, PyHash};
use rustpython_vm::function::KwArgs;
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{
    AsObject, Py, PyObject, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
};

/// What the first number looks like; CPython ids on Linux are addresses of this size.
const ID_BASE: u64 = 0x7f00_0000_0000;
/// A sweep of strongly held entries runs when the table reaches this size (then twice the survivors).
const FIRST_SWEEP: usize = 4096;

/// A repr slot: the function type RustPython stores in `slots.repr`.
type ReprSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyRef<PyStr>>;
/// A hash slot: the function type RustPython stores in `slots.hash`.
type HashSlot = fn(&PyObject, &VirtualMachine) -> PyResult<PyHash>;

/// How an entry knows its object is still the one it numbered.
enum Holder {
    Weak(PyRef<PyWeak>),
    Strong(PyObjectRef),
}

impl Holder {
    fn holds(&self, obj: &PyObject) -> bool {
        match self {
            Holder::Weak(weak) => weak.upgrade().is_some_and(|live| live.is(obj)),
            Holder::Strong(held) => held.is(obj),
        }
    }

    /// Whether nothing but the table keeps the entry meaningful.
    fn is_stale(&self) -> bool {
        match self {
            Holder::Weak(weak) => weak.upgrade().is_none(),
            Holder::Strong(held) => held.strong_count() == 1,
        }
    }
}

struct Entry {
    number: u64,
    holder: Holder,
}

/// Addresses are already well spread except in their low bits: one multiply mixes them.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_usize(&mut self, value: usize) {
        let mixed = (value as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

#[derive(Default)]
struct Table {
    entries: HashMap<usize, Entry, BuildHasherDefault<AddressHasher>>,
    next: u64,
    sweep_at: usize,
}

/// The originals of the repr slots replaced by [`address_free_repr`], by type address.
#[derive(Default)]
struct Originals {
    repr: HashMap<usize, ReprSlot>,
    float_hash: Option<HashSlot>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
    static ORIGINALS: RefCell<Originals> = RefCell::new(Originals::default());
}

/// The object's sequence number, assigned on first use.
fn number(obj: &PyObject, vm: &VirtualMachine) -> u64 {
    let address = obj.get_id();
    let found = TABLE.with_borrow(|table| {
        table
            .entries
            .get(&address)
            .filter(|entry| entry.holder.holds(obj))
            .map(|entry| entry.number)
    });
    if let Some(number) = found {
        return number;
    }
    let holder = holder_for(obj, vm);
    let (number, replaced, swept) = TABLE.with_borrow_mut(|table| {
        let number = table.next;
        table.next += 1;
        let replaced = table.entries.insert(address, Entry { number, holder });
        let swept = if table.entries.len() >= table.sweep_at.max(FIRST_SWEEP) {
            sweep(table)
        } else {
            Vec::new()
        };
        (number, replaced, swept)
    });
    // Dropping a held object may run its `__del__`, which may ask for identities: only now that
    // the table is no longer borrowed.
    drop(replaced);
    drop(swept);
    number
}

fn holder_for(obj: &PyObject, vm: &VirtualMachine) -> Holder {
    if obj
        .class()
        .slots
        .flags
        .has_feature(PyTypeFlags::HAS_WEAKREF)
        && let Ok(weak) = obj.downgrade(None, vm)
    {
        return Holder::Weak(weak);
    }
    Holder::Strong(obj.to_owned())
}

/// Removes the entries whose object died or is held only by the table; returns them to drop.
fn sweep(table: &mut Table) -> Vec<Entry> {
    let stale: Vec<usize> = table
        .entries
        .iter()
        .filter(|(_, entry)| entry.holder.is_stale())
        .map(|(address, _)| *address)
        .collect();
    let removed = stale
        .iter()
        .filter_map(|address| table.entries.remove(address))
        .collect();
    table.sweep_at = table.entries.len().saturating_mul(2);
    removed
}

/// `id(obj)`: a deterministic stand-in for the address.
pub(crate) fn virtual_id(obj: &PyObject, vm: &VirtualMachine) -> u64 {
    ID_BASE + 16 * number(obj, vm)
}

/// `object.__hash__(obj)`: CPython's `_Py_HashPointer` of the virtual id.
pub(crate) fn identity_hash(obj: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    #[expect(
        clippy::cast_possible_wrap,
        reason = "virtual ids stay far below i64::MAX"
    )]
    Ok(hash::fix_sentinel((virtual_id(obj, vm) >> 4) as PyHash))
}

/// The native types whose repr shows an address (their own, or their `__self__`'s/referent's).
fn address_types(vm: &VirtualMachine) -> [&'static Py<PyType>; 10] {
    let types = &vm.ctx.types;
    [
        types.object_type,
        types.function_type,
        types.builtin_function_or_method_type,
        types.method_wrapper_type,
        types.generator_type,
        types.coroutine_type,
        types.async_generator,
        types.code_type,
        types.weakref_type,
        types.memoryview_type,
    ]
}

/// Replaces every address-derived hash and repr slot; runs before any Python code.
pub(crate) fn install_slots(vm: &VirtualMachine) -> PyResult<()> {
    patch_inherited_slots(vm)?;
    // Explicit calls (`object.__hash__(x)`, `object.__repr__(x)`, `float.__hash__(x)`) go
    // through the types' dicts, whose wrapper descriptors still hold the native originals.
    let types = &vm.ctx.types;
    let object_hash = set_hash_method(vm, types.object_type, identity_hash);
    set_hash_method(vm, types.float_type, float_hash_slot);
    set_hash_method(vm, types.complex_type, complex_hash_slot);
    let object_repr = set_repr_method(vm, types.object_type);
    for typ in &address_types(vm)[1..] {
        set_repr_method(vm, typ);
    }
    install_subclass_hook(vm, object_hash, object_repr);
    Ok(())
}

/// Every type alive now whose hash or repr slot is (or inherited) an address-derived original
/// gets the replacement.
fn patch_inherited_slots(vm: &VirtualMachine) -> PyResult<()> {
    let types = &vm.ctx.types;
    let float_hash = types.float_type.slots.hash.load();
    ORIGINALS.with_borrow_mut(|originals| originals.float_hash = float_hash);
    let hashes: Vec<(HashSlot, HashSlot)> = [
        (
            types.object_type.slots.hash.load(),
            identity_hash as HashSlot,
        ),
        (float_hash, float_hash_slot),
        (types.complex_type.slots.hash.load(), complex_hash_slot),
        (types.bound_method_type.slots.hash.load(), bound_method_hash),
        (
            types.method_wrapper_type.slots.hash.load(),
            method_wrapper_hash,
        ),
    ]
    .into_iter()
    .filter_map(|(original, replacement)| original.map(|original| (original, replacement)))
    .collect();
    let reprs: Vec<ReprSlot> = address_types(vm)
        .iter()
        .filter_map(|typ| typ.slots.repr.load())
        .collect();
    for typ in all_types(vm)? {
        patch_type(&typ, &hashes, &reprs);
    }
    Ok(())
}

/// Also numbers the reprs of native types found only after warm-up (locks and the like).
pub(crate) fn install_late_reprs(
    vm: &VirtualMachine,
    type_names: &[(&'static str, &'static str)],
) -> PyResult<()> {
    for (module, name) in type_names {
        let Ok(typ) = vm
            .import(*module, 0)?
            .get_attr(*name, vm)?
            .downcast::<PyType>()
        else {
            continue;
        };
        let Some(original) = typ.slots.repr.load() else {
            continue;
        };
        for sub in subtypes_of(typ.clone(), vm)? {
            patch_type(&sub, &[], &[original]);
        }
    }
    Ok(())
}

/// Points `typ`'s slots that still hold one of the originals at their replacements.
fn patch_type(typ: &Py<PyType>, hashes: &[(HashSlot, HashSlot)], reprs: &[ReprSlot]) {
    if let Some(current) = typ.slots.hash.load()
        && let Some((_, replacement)) = hashes
            .iter()
            .find(|(original, _)| std::ptr::fn_addr_eq(current, *original))
    {
        typ.slots.hash.store(Some(*replacement));
    }
    if let Some(current) = typ.slots.repr.load()
        && reprs
            .iter()
            .any(|original| std::ptr::fn_addr_eq(current, *original))
    {
        let address = typ.as_object().get_id();
        ORIGINALS.with_borrow_mut(|originals| originals.repr.insert(address, current));
        typ.slots.repr.store(Some(address_free_repr));
    }
}

/// Every type alive now: `object` and its transitive subclasses.
fn all_types(vm: &VirtualMachine) -> PyResult<Vec<PyRef<PyType>>> {
    subtypes_of(vm.ctx.types.object_type.to_owned(), vm)
}

fn subtypes_of(root: PyRef<PyType>, vm: &VirtualMachine) -> PyResult<Vec<PyRef<PyType>>> {
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    let mut pending = vec![root];
    // `type.__subclasses__(t)`, unbound: `t.__subclasses__` on `type` itself finds the
    // descriptor meant for its instances.
    let subclasses_of = vm
        .ctx
        .types
        .type_type
        .as_object()
        .get_attr("__subclasses__", vm)?;
    while let Some(typ) = pending.pop() {
        if !seen.insert(typ.as_object().get_id()) {
            continue;
        }
        let subclasses = subclasses_of.call((typ.clone(),), vm)?;
        for sub in subclasses.try_to_value::<Vec<PyObjectRef>>(vm)? {
            if let Ok(sub) = sub.downcast::<PyType>() {
                pending.push(sub);
            }
        }
        found.push(typ);
    }
    Ok(found)
}

/// Replaces `typ.__hash__` with a method calling `slot`, so explicit calls agree with the slot.
fn set_hash_method(vm: &VirtualMachine, typ: &'static Py<PyType>, slot: HashSlot) -> PyObjectRef {
    let method = vm.new_method(
        "__hash__",
        typ,
        move |zelf: PyObjectRef, vm: &VirtualMachine| slot(&zelf, vm),
    );
    typ.set_attr(identifier(vm, "__hash__"), method.clone().into());
    method.into()
}

/// Replaces `typ.__repr__` with a method calling [`address_free_repr`].
fn set_repr_method(vm: &VirtualMachine, typ: &'static Py<PyType>) -> PyObjectRef {
    let method = vm.new_method("__repr__", typ, |zelf: PyObjectRef, vm: &VirtualMachine| {
        address_free_repr(&zelf, vm)
    });
    typ.set_attr(identifier(vm, "__repr__"), method.clone().into());
    method.into()
}

fn identifier(vm: &VirtualMachine, name: &str) -> &'static PyStrInterned {
    vm.ctx.intern_str(name)
}

/// Classes created later find `object.__hash__`/`__repr__` above as Python-level methods and
/// get RustPython's generic call-the-method slots: correct, but slower than a native slot. The
/// class-creation hook `object.__init_subclass__` points those slots straight at the natives
/// when the class really inherits `object`'s methods.
fn install_subclass_hook(vm: &VirtualMachine, object_hash: PyObjectRef, object_repr: PyObjectRef) {
    let hook = vm.new_function(
        "__init_subclass__",
        move |cls: PyRef<PyType>, kwargs: KwArgs, vm: &VirtualMachine| -> PyResult<()> {
            if !kwargs.is_empty() {
                return Err(vm.new_type_error(format!(
                    "{}.__init_subclass__() takes no keyword arguments",
                    cls.name()
                )));
            }
            if cls
                .get_attr(identifier(vm, "__hash__"))
                .is_some_and(|found| found.is(&object_hash))
            {
                cls.slots.hash.store(Some(identity_hash));
            }
            if cls
                .get_attr(identifier(vm, "__repr__"))
                .is_some_and(|found| found.is(&object_repr))
            {
                cls.slots.repr.store(Some(address_free_repr));
            }
            Ok(())
        },
    );
    let classmethod = PyClassMethod::from(PyObjectRef::from(hook)).into_ref(&vm.ctx);
    vm.ctx
        .types
        .object_type
        .set_attr(identifier(vm, "__init_subclass__"), classmethod.into());
}

/// Replaces the `id` builtin.
pub(crate) fn install_id(vm: &VirtualMachine) -> PyResult<()> {
    let id = vm.new_function("id", |obj: PyObjectRef, vm: &VirtualMachine| {
        virtual_id(&obj, vm)
    });
    vm.builtins.set_attr("id", id, vm)
}

/// `float.__hash__`: CPython 3.10+ hashes a NaN by identity.
fn float_hash_slot(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    match zelf.downcast_ref::<PyFloat>() {
        Some(float) => match hash::hash_float(float.to_f64()) {
            Some(h) => Ok(h),
            None => identity_hash(zelf, vm),
        },
        None => match ORIGINALS.with_borrow(|originals| originals.float_hash) {
            Some(original) => original(zelf, vm),
            None => identity_hash(zelf, vm),
        },
    }
}

/// `complex.__hash__`: as CPython, a NaN part hashes by identity.
fn complex_hash_slot(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    let Some(complex) = zelf.downcast_ref::<PyComplex>() else {
        return identity_hash(zelf, vm);
    };
    let value = complex.to_complex();
    let real = match hash::hash_float(value.re) {
        Some(h) => h,
        None => identity_hash(zelf, vm)?,
    };
    let imaginary = match hash::hash_float(value.im) {
        Some(h) => h,
        None => identity_hash(zelf, vm)?,
    };
    Ok(hash::fix_sentinel(
        real.wrapping_add(imaginary.wrapping_mul(hash::IMAG)),
    ))
}

/// A bound method: `hash(__self__) ^ hash(__func__)` with `__self__` by identity, as CPython.
fn bound_method_hash(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    let owner = zelf.get_attr("__self__", vm)?;
    let function = zelf.get_attr("__func__", vm)?;
    Ok(hash::fix_sentinel(
        identity_hash(&owner, vm)? ^ function.hash(vm)?,
    ))
}

/// A method-wrapper (`(1).__add__`): its object by identity, and its name.
fn method_wrapper_hash(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyHash> {
    let owner = zelf.get_attr("__self__", vm)?;
    let name = zelf.get_attr("__name__", vm)?;
    Ok(hash::fix_sentinel(
        identity_hash(&owner, vm)? ^ name.hash(vm)?,
    ))
}

/// A native repr with every `0x...` address of the object (or of the object it is bound to or
/// refers to) replaced by that object's virtual id.
fn address_free_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let original = ORIGINALS.with_borrow(|originals| {
        zelf.class()
            .mro
            .read()
            .iter()
            .find_map(|typ| originals.repr.get(&typ.as_object().get_id()).copied())
    });
    let Some(original) = original else {
        return Err(vm.new_type_error("pygrade: no native repr to call"));
    };
    let text = original(zelf, vm)?;
    let Some(plain) = text.to_str() else {
        return Ok(text);
    };
    if !plain.contains("0x") {
        return Ok(text);
    }
    let mut related = vec![zelf.to_owned()];
    let types = &vm.ctx.types;
    if zelf.class().is(types.builtin_function_or_method_type)
        || zelf.class().is(types.method_wrapper_type)
    {
        related.extend(vm.get_attribute_opt(zelf.to_owned(), "__self__")?);
    }
    if let Some(weak) = zelf.downcast_ref::<PyWeak>() {
        related.extend(weak.upgrade());
    }
    Ok(vm.ctx.new_str(substitute(plain, &related, vm)))
}

/// Replaces each whole `0x<hex>` token naming the address of one of `objects` by its virtual id.
fn substitute(text: &str, objects: &[PyObjectRef], vm: &VirtualMachine) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let digits = rest[at + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - at - 2);
        let token = &rest[at..at + 2 + digits];
        let object = usize::from_str_radix(&token[2..], 16)
            .ok()
            .and_then(|address| objects.iter().find(|obj| obj.get_id() == address));
        match object {
            Some(obj) => out.push_str(&format!("{:#x}", virtual_id(obj, vm))),
            None => out.push_str(token),
        }
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    out
}
