//! The virtual clock: every clock a submission can read in `time` (and through it `datetime`,
//! `os.times`, file times) reads `HarnessState.clock`, which starts at [`EPOCH`] for every test
//! and only moves through `clock.advance`/`clock.set` or `time.sleep` (which returns at once).
//! The prelude adds the UTC side (`localtime`, `gmtime`, `strftime`, `mktime`, `timezone`).
//!
//! Installed before any submission is imported, so `from time import monotonic` sees it. Wall
//! time must never decide a verdict: CPU time does, and the watchdog measures it natively.

use std::rc::Rc;

use rustpython_vm::function::{ArgIntoFloat, FuncArgs, KwArgs};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use super::interpreter::HarnessState;

/// Every test starts with the virtual clock here (2023-11-14T22:13:20Z).
pub(crate) const EPOCH: f64 = 1_700_000_000.0;

/// The clocks `time.get_clock_info` knows, and whether each is monotonic and adjustable.
const CLOCKS: &[(&str, bool, bool)] = &[
    ("time", false, true),
    ("monotonic", true, false),
    ("perf_counter", true, false),
    ("process_time", true, false),
    ("thread_time", true, false),
];

/// The prelude's hooks on the clock: `_clock_now`, `_clock_set`, `_clock_advance`.
pub(crate) fn hooks(
    vm: &VirtualMachine,
    state: &Rc<HarnessState>,
) -> Vec<(&'static str, PyObjectRef)> {
    let (now, set, later) = (state.clone(), state.clone(), state.clone());
    vec![
        (
            "_clock_now",
            vm.new_function("now", move || now.clock.get()).into(),
        ),
        (
            "_clock_set",
            vm.new_function("set", move |t: ArgIntoFloat| set.clock.set(t.into_float()))
                .into(),
        ),
        (
            "_clock_advance",
            vm.new_function(
                "advance",
                move |s: ArgIntoFloat, vm: &VirtualMachine| -> PyResult<()> {
                    advance(&later, s.into_float(), vm)
                },
            )
            .into(),
        ),
    ]
}

fn advance(state: &HarnessState, seconds: f64, vm: &VirtualMachine) -> PyResult<()> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(vm.new_value_error("sleep length must be non-negative"));
    }
    state.clock.set(state.clock.get() + seconds);
    Ok(())
}

#[expect(
    clippy::cast_possible_truncation,
    reason = "the virtual clock stays far below i64::MAX ns"
)]
fn nanos(state: &HarnessState) -> i64 {
    (state.clock.get() * 1e9) as i64
}

/// Points every clock in `time` at the virtual clock, before any submission is imported.
pub(crate) fn install(vm: &VirtualMachine, state: &Rc<HarnessState>) -> PyResult<()> {
    let time = vm.import("time", 0)?;
    for (name, _, _) in CLOCKS {
        let seconds = state.clone();
        time.set_attr(
            *name,
            vm.new_function(name, move || seconds.clock.get()),
            vm,
        )?;
        let ns_name: &'static str = vm.ctx.intern_str(format!("{name}_ns")).as_str();
        let ns = state.clone();
        time.set_attr(ns_name, vm.new_function(ns_name, move || nanos(&ns)), vm)?;
    }
    // `clock_gettime(clk_id)`: every clock id (realtime, monotonic, boottime, CPU clocks) reads
    // the one virtual clock, as `time.time()` and friends do.
    let seconds = state.clone();
    let gettime = vm.new_function("clock_gettime", move |_clock: i64| seconds.clock.get());
    time.set_attr("clock_gettime", gettime, vm)?;
    let ns = state.clone();
    let gettime_ns = vm.new_function("clock_gettime_ns", move |_clock: i64| nanos(&ns));
    time.set_attr("clock_gettime_ns", gettime_ns, vm)?;
    time.set_attr(
        "clock_getres",
        vm.new_function("clock_getres", |_clock: i64| 1e-9),
        vm,
    )?;
    time.set_attr(
        "get_clock_info",
        vm.new_function("get_clock_info", clock_info),
        vm,
    )?;
    let sleeper = state.clone();
    let sleep = vm.new_function(
        "sleep",
        move |s: ArgIntoFloat, vm: &VirtualMachine| -> PyResult<()> {
            advance(&sleeper, s.into_float(), vm)
        },
    );
    time.set_attr("sleep", sleep, vm)?;
    for name in ["pthread_getcpuclockid", "clock_settime", "clock_settime_ns"] {
        if time.get_attr(name, vm).is_ok() {
            time.del_attr(name, vm)?;
        }
    }
    Ok(())
}

/// `time.get_clock_info(name)`: the same description on every machine.
fn clock_info(name: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let text = name.str(vm)?;
    let Some((_, monotonic, adjustable)) = CLOCKS
        .iter()
        .find(|(clock, _, _)| text.to_str() == Some(*clock))
    else {
        return Err(vm.new_value_error("unknown clock"));
    };
    let namespace = vm.import("types", 0)?.get_attr("SimpleNamespace", vm)?;
    let kwargs: KwArgs = [
        (
            "implementation".to_owned(),
            vm.ctx.new_str("pygrade virtual clock").into(),
        ),
        ("monotonic".to_owned(), vm.ctx.new_bool(*monotonic).into()),
        ("adjustable".to_owned(), vm.ctx.new_bool(*adjustable).into()),
        ("resolution".to_owned(), vm.ctx.new_float(1e-9).into()),
    ]
    .into_iter()
    .collect();
    namespace.call(FuncArgs::new(Vec::<PyObjectRef>::new(), kwargs), vm)
}

/// The cumulative counters `gc.get_stats()` reports per generation.
const GC_COUNTERS: [&str; 4] = ["collections", "collected", "uncollectable", "candidates"];

thread_local! {
    /// `gc.get_stats()` counters when the worker settled its collector (see [`settle_gc`]).
    static GC_BASELINE: std::cell::RefCell<Vec<[usize; 4]>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Makes the collector's state, as a submission can see it, independent of what the fork server
/// did before this worker was forked (earlier submissions, compiles, automatic collections): a
/// full collection, after which `gc.get_count()` starts from zero and `gc.get_stats()` counts from
/// here. Called in the worker before any submission code runs.
pub(crate) fn settle_gc(vm: &VirtualMachine) -> PyResult<()> {
    let gc = vm.import("gc", 0)?;
    vm.call_method(&gc, "collect", ())?;
    // The real counters: `get_stats` above reports differences from these.
    let mut baseline = Vec::new();
    GC_BASELINE.with(|b| b.borrow_mut().clear());
    for generation in vm
        .call_method(&gc, "get_stats", ())?
        .try_to_value::<Vec<PyObjectRef>>(vm)?
    {
        let mut counters = [0; 4];
        for (slot, field) in counters.iter_mut().zip(GC_COUNTERS) {
            *slot = generation.get_item(field, vm)?.try_to_value(vm)?;
        }
        baseline.push(counters);
    }
    GC_BASELINE.with(|b| *b.borrow_mut() = baseline);
    Ok(())
}

/// `gc` reports how long collections took in wall time (`get_stats()`, and the info dict its
/// callbacks get); both read 0.0 here. The interpreter's own callback list holds one forwarder,
/// which hands every callback in `gc.callbacks` (a separate list: the submission's) a copy of the
/// info with the duration zeroed, so clearing or reordering `gc.callbacks` reveals nothing.
pub(crate) fn install_gc(vm: &VirtualMachine) -> PyResult<()> {
    let gc = vm.import("gc", 0)?;
    let original = gc.get_attr("get_stats", vm)?;
    let get_stats = vm.new_function("get_stats", move |vm: &VirtualMachine| -> PyResult {
        let stats = original.call((), vm)?;
        let baseline = GC_BASELINE.with(|b| b.borrow().clone());
        for (index, generation) in stats
            .try_to_value::<Vec<PyObjectRef>>(vm)?
            .into_iter()
            .enumerate()
        {
            generation.set_item("duration", vm.ctx.new_float(0.0).into(), vm)?;
            for (field, base) in GC_COUNTERS
                .iter()
                .zip(baseline.get(index).unwrap_or(&[0; 4]))
            {
                let now: usize = generation.get_item(*field, vm)?.try_to_value(vm)?;
                let since = vm.ctx.new_int(now.saturating_sub(*base));
                generation.set_item(*field, since.into(), vm)?;
            }
        }
        Ok(stats)
    });
    gc.set_attr("get_stats", get_stats, vm)?;
    let visible = vm.ctx.new_list(Vec::new());
    let forwarded: PyObjectRef = visible.clone().into();
    let forward = vm.new_function(
        "_pygrade_gc_callbacks",
        move |phase: PyObjectRef, info: PyObjectRef, vm: &VirtualMachine| -> PyResult<()> {
            let copy = vm.call_method(&info, "copy", ())?;
            copy.set_item("duration", vm.ctx.new_float(0.0).into(), vm)?;
            for callback in forwarded.try_to_value::<Vec<PyObjectRef>>(vm)? {
                // As in the interpreter's own loop: a failing callback does not stop the others.
                let _ = callback.call((phase.clone(), copy.clone()), vm);
            }
            Ok(())
        },
    );
    let interpreters = gc.get_attr("callbacks", vm)?;
    vm.call_method(&interpreters, "append", (forward,))?;
    gc.set_attr("callbacks", visible, vm)?;
    Ok(())
}
