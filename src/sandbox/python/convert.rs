//! Python objects to host [`Value`]s and back.
//!
//! Reading a result never runs submission code: types are checked by identity against the exact
//! builtin classes and payloads are read natively, so a rigged `__eq__`, `__repr__` or `__iter__`
//! is never called. Anything else becomes [`Value::Opaque`] with a repr the grader writes itself.

use rustpython_vm::builtins::{
    PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyStr, PyTuple, PyType,
};
use rustpython_vm::function::{FuncArgs, KwArgs};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};

use crate::sandbox::protocol::{MAX_NAME_CHARS, cut_chars};
use crate::value::{MAX_DEPTH, MAX_NODES, MAX_TEXT_BYTES, Value};

/// Ints longer than this are opaque (their digits would be most of the text budget).
const MAX_INT_BITS: u64 = 1 << 18;
/// What stands for the part of a result past the budget ([`MAX_NODES`], [`MAX_TEXT_BYTES`]): a
/// container stops at the first element that does not fit and ends with this one marker, so the
/// rest costs nothing to send, hold or compare. It is opaque: the result never equals an expected
/// value.
const TOO_LARGE: &str = "<… the rest is too large to compare>";

/// Converts Python objects to [`Value`]s within a size budget.
pub(crate) struct Converter<'a> {
    vm: &'a VirtualMachine,
    /// Stdlib dict subclasses that compare like dicts (`defaultdict`, `OrderedDict`, `Counter`),
    /// captured before any submission ran so a submission cannot substitute its own.
    dict_types: &'a [PyRef<PyType>],
    nodes: usize,
    text_bytes: usize,
}

impl<'a> Converter<'a> {
    pub(crate) fn new(vm: &'a VirtualMachine, dict_types: &'a [PyRef<PyType>]) -> Self {
        Converter {
            vm,
            dict_types,
            nodes: 0,
            text_bytes: 0,
        }
    }

    pub(crate) fn value(&mut self, obj: &PyObject) -> Value {
        self.convert(obj, 0)
    }

    /// Whether the budget is spent: nothing more is converted.
    fn spent(&self) -> bool {
        self.nodes >= MAX_NODES || self.text_bytes > MAX_TEXT_BYTES
    }

    fn convert(&mut self, obj: &PyObject, depth: usize) -> Value {
        self.nodes += 1;
        if depth > MAX_DEPTH {
            return Value::Opaque("<nested too deeply to compare>".into());
        }
        if self.nodes > MAX_NODES || self.text_bytes > MAX_TEXT_BYTES {
            return Value::Opaque("<too large to compare>".into());
        }
        let vm = self.vm;
        let types = &vm.ctx.types;
        let class = obj.class();
        if vm.is_none(obj) {
            Value::None
        } else if class.is(types.bool_type) {
            Value::Bool(obj.is(&vm.ctx.true_value))
        } else if class.is(types.int_type) {
            let Some(int) = obj.downcast_ref::<PyInt>() else {
                return opaque(class);
            };
            if int.as_bigint().bits() > MAX_INT_BITS {
                return Value::Opaque(format!("<int with {} bits>", int.as_bigint().bits()));
            }
            let digits = int.as_bigint().to_string();
            self.text_bytes += digits.len();
            Value::Int(digits)
        } else if class.is(types.float_type) {
            obj.downcast_ref::<PyFloat>()
                .map_or_else(|| opaque(class), |f| Value::Float(f.to_f64()))
        } else if class.is(types.str_type) {
            let Some(s) = obj.downcast_ref::<PyStr>() else {
                return opaque(class);
            };
            self.text_bytes += s.as_wtf8().len();
            if self.text_bytes > MAX_TEXT_BYTES {
                return Value::Opaque("<str too large to compare>".into());
            }
            Value::Str(
                s.to_str()
                    .map_or_else(|| s.as_wtf8().to_string_lossy().into_owned(), str::to_owned),
            )
        } else if class.is(types.bytes_type) {
            let Some(b) = obj.downcast_ref::<PyBytes>() else {
                return opaque(class);
            };
            self.text_bytes += b.as_bytes().len();
            if self.text_bytes > MAX_TEXT_BYTES {
                return Value::Opaque("<bytes too large to compare>".into());
            }
            Value::Bytes(b.as_bytes().to_vec())
        } else if class.is(types.list_type) {
            let Some(list) = obj.downcast_ref::<PyList>() else {
                return opaque(class);
            };
            // Only the elements the budget can take are copied out of a huge list.
            let items: Vec<PyObjectRef> = {
                let all = list.borrow_vec();
                all[..all.len().min(MAX_NODES - self.nodes + 1)].to_vec()
            };
            Value::List(self.all(&items, depth))
        } else if class.is(types.tuple_type) {
            let Some(tuple) = obj.downcast_ref::<PyTuple>() else {
                return opaque(class);
            };
            Value::Tuple(self.all(tuple.as_slice(), depth))
        } else if class.is(types.dict_type) || self.dict_types.iter().any(|t| class.is(t)) {
            let Some(dict) = obj.downcast_ref::<PyDict>() else {
                return opaque(class);
            };
            let mut pairs = Vec::new();
            for (key, value) in dict.items_vec() {
                if self.spent() {
                    let marker = Value::Opaque(TOO_LARGE.into());
                    pairs.push((marker.clone(), marker));
                    break;
                }
                pairs.push((
                    self.convert(&key, depth + 1),
                    self.convert(&value, depth + 1),
                ));
            }
            Value::Dict(pairs)
        } else if class.is(types.set_type) {
            let Some(set) = obj.downcast_ref::<PySet>() else {
                return opaque(class);
            };
            Value::Set(self.all(&set.elements(), depth))
        } else if class.is(types.frozenset_type) {
            let Some(set) = obj.downcast_ref::<PyFrozenSet>() else {
                return opaque(class);
            };
            Value::FrozenSet(self.all(&set.elements(), depth))
        } else {
            opaque(class)
        }
    }

    /// Converts a container's elements until the budget is spent, then adds one marker.
    fn all(&mut self, items: &[PyObjectRef], depth: usize) -> Vec<Value> {
        let mut values = Vec::with_capacity(items.len().min(MAX_NODES));
        for item in items {
            if self.spent() {
                values.push(Value::Opaque(TOO_LARGE.into()));
                break;
            }
            values.push(self.convert(item, depth + 1));
        }
        values
    }
}

/// An opaque marker naming the value's type; the name is the submission's choice, so it is cut.
fn opaque(class: &PyType) -> Value {
    let mut name: String = class.name().chars().take(MAX_NAME_CHARS + 1).collect();
    cut_chars(&mut name, MAX_NAME_CHARS);
    Value::Opaque(format!("<{name} object>"))
}

/// Builds the Python object for a host value (test inputs only; never an expected value).
pub(crate) fn to_python(vm: &VirtualMachine, value: &Value) -> PyResult<PyObjectRef> {
    let ctx = &vm.ctx;
    let all = |items: &[Value]| {
        items
            .iter()
            .map(|v| to_python(vm, v))
            .collect::<PyResult<Vec<_>>>()
    };
    Ok(match value {
        Value::None => ctx.none(),
        Value::Bool(b) => ctx.new_bool(*b).into(),
        Value::Int(digits) => match digits.parse::<i64>() {
            Ok(small) => ctx.new_int(small).into(),
            Err(_) => ctx
                .types
                .int_type
                .as_object()
                .call((ctx.new_str(digits.as_str()),), vm)?,
        },
        Value::Float(x) => ctx.new_float(*x).into(),
        Value::Str(s) => ctx.new_str(s.as_str()).into(),
        Value::Bytes(b) => ctx.new_bytes(b.clone()).into(),
        Value::List(items) => ctx.new_list(all(items)?).into(),
        Value::Tuple(items) => ctx.new_tuple(all(items)?).into(),
        Value::Dict(pairs) => {
            let dict = ctx.new_dict();
            for (key, value) in pairs {
                dict.set_item(&*to_python(vm, key)?, to_python(vm, value)?, vm)?;
            }
            dict.into()
        }
        Value::Set(items) => ctx
            .types
            .set_type
            .as_object()
            .call((ctx.new_list(all(items)?),), vm)?,
        Value::FrozenSet(items) => ctx
            .types
            .frozenset_type
            .as_object()
            .call((ctx.new_list(all(items)?),), vm)?,
        Value::Opaque(what) => {
            return Err(vm.new_type_error(format!("pygrade cannot pass {what} as an input")));
        }
    })
}

/// Positional and keyword arguments for a call.
pub(crate) fn call_args(
    vm: &VirtualMachine,
    args: &[Value],
    kwargs: &[(String, Value)],
) -> PyResult<FuncArgs> {
    let positional = args
        .iter()
        .map(|v| to_python(vm, v))
        .collect::<PyResult<Vec<_>>>()?;
    let keywords = kwargs
        .iter()
        .map(|(k, v)| Ok((k.clone(), to_python(vm, v)?)))
        .collect::<PyResult<KwArgs>>()?;
    Ok(FuncArgs::new(positional, keywords))
}
