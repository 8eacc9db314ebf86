//! pygrade's own `list.sort` and `sorted`, installed at interpreter start.
//!
//! RustPython 0.5.0 sorts with `timsort` 0.1.3, whose merge rule makes sorting O(n²) (300,000
//! items: about 5 minutes). This is a stable natural merge sort: it finds ascending and strictly
//! descending runs, extends short runs with binary insertion, then merges neighbouring runs
//! pairwise, so it is O(n log n) and O(n) on sorted input. Like CPython it compares only with
//! `<`, empties the list while sorting (a key function sees `[]`) and reports a list modified
//! during the sort. It checks for signals as it goes, so a timeout interrupts a huge sort.

use rustpython_vm::builtins::{PyFloat, PyInt, PyList, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::PyComparisonOp;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// Runs shorter than this are extended with binary insertion sort before merging.
const MIN_RUN: usize = 32;
/// Comparisons between two checks for a pending timeout.
const SIGNAL_CHECK_EVERY: u32 = 4096;

/// Replaces `list.sort` and `builtins.sorted`.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let sorted = vm.new_function(
        "sorted",
        |args: FuncArgs, vm: &VirtualMachine| -> PyResult<PyObjectRef> {
            let (positional, key, reverse) = sort_args(args, 1, "sorted", vm)?;
            let list = vm
                .ctx
                .types
                .list_type
                .as_object()
                .call((positional[0].clone(),), vm)?;
            sort_object(&list, key, reverse, vm)?;
            Ok(list)
        },
    );
    vm.builtins.set_attr("sorted", sorted, vm)?;

    // A native function does not bind as a method, so `list.sort` is a thin Python function.
    let native = vm.new_function(
        "_sort",
        |args: FuncArgs, vm: &VirtualMachine| -> PyResult<()> {
            let (positional, key, reverse) = sort_args(args, 1, "sort", vm)?;
            sort_object(&positional[0], key, reverse, vm)
        },
    );
    let scope = vm.new_scope_with_builtins();
    scope.globals.set_item("_sort", native.into(), vm)?;
    let code = "def sort(self, /, *, key=None, reverse=False):\n    \
                \"\"\"Sort the list in ascending order and return None (stable).\"\"\"\n    \
                _sort(self, key=key, reverse=reverse)\nsort.__qualname__ = 'list.sort'\n";
    vm.run_string(scope.clone(), code, "<pygrade sort>".to_owned())?;
    let sort = scope.globals.get_item("sort", vm)?;
    vm.ctx
        .types
        .list_type
        .set_attr(vm.ctx.intern_str("sort"), sort);
    Ok(())
}

fn sort_args(
    mut args: FuncArgs,
    positional: usize,
    name: &str,
    vm: &VirtualMachine,
) -> PyResult<(Vec<PyObjectRef>, Option<PyObjectRef>, bool)> {
    if args.args.len() != positional {
        return Err(vm.new_type_error(format!(
            "{name} expected {positional} argument, got {}",
            args.args.len()
        )));
    }
    let key = args.kwargs.shift_remove("key").filter(|k| !vm.is_none(k));
    let reverse = match args.kwargs.shift_remove("reverse") {
        Some(flag) => flag.try_to_bool(vm)?,
        None => false,
    };
    if let Some(unexpected) = args.kwargs.keys().next() {
        return Err(vm.new_type_error(format!(
            "'{unexpected}' is an invalid keyword argument for {name}()"
        )));
    }
    Ok((args.args, key, reverse))
}

fn sort_object(
    list: &PyObject,
    key: Option<PyObjectRef>,
    reverse: bool,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let Some(list) = list.downcast_ref::<PyList>() else {
        return Err(vm.new_type_error(format!(
            "descriptor 'sort' for 'list' objects doesn't apply to a '{}' object",
            list.class().name()
        )));
    };
    let mut items = std::mem::take(&mut *list.borrow_vec_mut());
    let result = sort_items(&mut items, key, reverse, vm);
    let modified = {
        let mut guard = list.borrow_vec_mut();
        let modified = !guard.is_empty();
        std::mem::swap(&mut *guard, &mut items);
        modified
    };
    result?;
    if modified {
        return Err(vm.new_value_error("list modified during sort"));
    }
    Ok(())
}

fn sort_items(
    items: &mut Vec<PyObjectRef>,
    key: Option<PyObjectRef>,
    reverse: bool,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let keys: Vec<PyObjectRef> = match &key {
        Some(key) => items
            .iter()
            .map(|item| key.call((item.clone(),), vm))
            .collect::<PyResult<_>>()?,
        None => items.clone(),
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    // As in CPython, `reverse` keeps equal elements in their original order.
    if reverse {
        order.reverse();
    }
    let mut comparisons = 0u32;
    let mut less = |a: usize, b: usize| -> PyResult<bool> {
        comparisons += 1;
        if comparisons.is_multiple_of(SIGNAL_CHECK_EVERY) {
            vm.check_signals()?;
        }
        less_than(&keys[a], &keys[b], vm)
    };
    merge_sort(&mut order, &mut less)?;
    if reverse {
        order.reverse();
    }
    *items = order.into_iter().map(|i| items[i].clone()).collect();
    Ok(())
}

/// `a < b`, natively for exact ints, floats and strs (their `<` cannot be overridden).
fn less_than(a: &PyObject, b: &PyObject, vm: &VirtualMachine) -> PyResult<bool> {
    let types = &vm.ctx.types;
    let (ta, tb) = (a.class(), b.class());
    if ta.is(types.int_type)
        && tb.is(types.int_type)
        && let (Some(x), Some(y)) = (a.downcast_ref::<PyInt>(), b.downcast_ref::<PyInt>())
    {
        return Ok(x.as_bigint() < y.as_bigint());
    }
    if ta.is(types.float_type)
        && tb.is(types.float_type)
        && let (Some(x), Some(y)) = (a.downcast_ref::<PyFloat>(), b.downcast_ref::<PyFloat>())
    {
        return Ok(x.to_f64() < y.to_f64());
    }
    if ta.is(types.str_type)
        && tb.is(types.str_type)
        && let (Some(x), Some(y)) = (a.downcast_ref::<PyStr>(), b.downcast_ref::<PyStr>())
        && let (Some(x), Some(y)) = (x.to_str(), y.to_str())
    {
        // UTF-8 byte order is code point order, which is how Python orders strings.
        return Ok(x < y);
    }
    a.rich_compare_bool(b, PyComparisonOp::Lt, vm)
}

/// Stable natural merge sort of `v` under the strict order `less`.
pub(crate) fn merge_sort<E>(
    v: &mut [usize],
    less: &mut impl FnMut(usize, usize) -> Result<bool, E>,
) -> Result<(), E> {
    let n = v.len();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        if end < n && less(v[end], v[end - 1])? {
            // Strictly descending: reversing keeps the sort stable.
            while end < n && less(v[end], v[end - 1])? {
                end += 1;
            }
            v[start..end].reverse();
        } else {
            while end < n && !less(v[end], v[end - 1])? {
                end += 1;
            }
        }
        let extended = (start + MIN_RUN).min(n);
        if end < extended {
            insertion_sort(v, start, end, extended, less)?;
            end = extended;
        }
        runs.push((start, end));
        start = end;
    }
    let mut buffer = Vec::with_capacity(n / 2 + 1);
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len() / 2 + 1);
        for pair in runs.chunks(2) {
            match *pair {
                [(lo, mid), (_, hi)] => {
                    merge(v, lo, mid, hi, &mut buffer, less)?;
                    merged.push((lo, hi));
                }
                [single] => merged.push(single),
                _ => unreachable!("chunks(2) yields one or two runs"),
            }
        }
        runs = merged;
    }
    Ok(())
}

/// Extends the sorted prefix `v[lo..sorted]` to `v[lo..end]` by binary insertion.
fn insertion_sort<E>(
    v: &mut [usize],
    lo: usize,
    sorted: usize,
    end: usize,
    less: &mut impl FnMut(usize, usize) -> Result<bool, E>,
) -> Result<(), E> {
    for i in sorted..end {
        let item = v[i];
        // First position whose element is greater than `item`: equal elements stay before it.
        let (mut left, mut right) = (lo, i);
        while left < right {
            let mid = left + (right - left) / 2;
            if less(item, v[mid])? {
                right = mid;
            } else {
                left = mid + 1;
            }
        }
        v[left..=i].rotate_right(1);
    }
    Ok(())
}

/// Merges the sorted neighbours `v[lo..mid]` and `v[mid..hi]`, taking from the left on ties.
fn merge<E>(
    v: &mut [usize],
    lo: usize,
    mid: usize,
    hi: usize,
    buffer: &mut Vec<usize>,
    less: &mut impl FnMut(usize, usize) -> Result<bool, E>,
) -> Result<(), E> {
    buffer.clear();
    buffer.extend_from_slice(&v[lo..mid]);
    let (mut left, mut right, mut out) = (0, mid, lo);
    let result = (|| {
        while left < buffer.len() && right < hi {
            if less(v[right], buffer[left])? {
                v[out] = v[right];
                right += 1;
            } else {
                v[out] = buffer[left];
                left += 1;
            }
            out += 1;
        }
        Ok(())
    })();
    // Whatever happened, leave `v` a permutation: copy back what the buffer still holds.
    v[out..out + buffer.len() - left].copy_from_slice(&buffer[left..]);
    result
}

#[cfg(test)]
mod tests {
    use super::merge_sort;

    fn check(keys: &[i32]) {
        let mut order: Vec<usize> = (0..keys.len()).collect();
        let mut compare = |a: usize, b: usize| Ok::<bool, ()>(keys[a] < keys[b]);
        merge_sort(&mut order, &mut compare).unwrap();
        let mut expected: Vec<usize> = (0..keys.len()).collect();
        expected.sort_by_key(|&i| keys[i]); // std's sort is stable: ties keep index order
        assert_eq!(order, expected, "keys {keys:?}");
    }

    #[test]
    fn sorts_stably_on_many_shapes() {
        check(&[]);
        check(&[1]);
        check(&[2, 1]);
        let mut seed = 12345u64;
        let mut random = |modulus: i32| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            i32::try_from((seed >> 33) % u64::try_from(modulus).unwrap()).unwrap()
        };
        for n in [5, 31, 32, 33, 100, 1000, 5000] {
            check(&(0..n).map(|_| random(1_000_000)).collect::<Vec<_>>());
            check(&(0..n).map(|_| random(3)).collect::<Vec<_>>());
            check(&(0..n).collect::<Vec<_>>());
            check(&(0..n).rev().collect::<Vec<_>>());
            check(&(0..n).map(|i| i % 7).collect::<Vec<_>>());
            check(
                &(0..n)
                    .map(|i| if i % 100 < 50 { i } else { -i })
                    .collect::<Vec<_>>(),
            );
        }
    }

    #[test]
    fn is_n_log_n_on_the_pattern_that_broke_timsort() {
        // Many short ascending runs: 0.1.3's merge rule made this quadratic.
        let keys: Vec<i32> = (0..200_000).map(|i| (i % 40) * 10_000 + i / 40).collect();
        let mut order: Vec<usize> = (0..keys.len()).collect();
        let mut comparisons = 0u64;
        let mut compare = |a: usize, b: usize| {
            comparisons += 1;
            Ok::<bool, ()>(keys[a] < keys[b])
        };
        merge_sort(&mut order, &mut compare).unwrap();
        assert!(order.windows(2).all(|w| keys[w[0]] <= keys[w[1]]));
        assert!(comparisons < 200_000 * 20, "{comparisons} comparisons");
    }

    #[test]
    fn an_error_leaves_a_permutation() {
        let mut order: Vec<usize> = (0..100).map(|i| (i * 37) % 100).collect();
        let mut calls = 0;
        let mut compare = |a: usize, b: usize| {
            calls += 1;
            if calls > 150 { Err(()) } else { Ok(a < b) }
        };
        assert!(merge_sort(&mut order, &mut compare).is_err());
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
