//! Run-to-run determinism inside the VM: a submission printing everything that used to differ
//! between runs (ids, default hashes and reprs, NaN hashes, clocks, entropy, process facts, gc
//! timings) sees the same values in separate grades, in a separate `pygrade` process and while
//! other grades run beside it; and identity keeps Python's semantics.

use std::thread;

use pygrade::grade::Report;

use crate::support::{grade_source, pygrade, scratch_dir, statuses};

/// A challenge with entry `f` and one visible test expecting `0` (its actual value is the data).
const CHALLENGE: &str = "id = \"probe\"\ntitle = \"Probe\"\ndifficulty = \"easy\"\nprompt = \"p\"\n\
    entry = [\"f\"]\nstarter = \"\"\n[limits]\ntime = 5.0\n\
    [[tests]]\nname = \"battery\"\nvisibility = \"visible\"\nexpect = 0\n";

/// Everything that used to differ between two runs of the same submission.
const BATTERY: &str = r#"
import datetime, gc, os, random, sys, tempfile, threading, time, weakref
import secrets

class Foo:
    def method(self):
        pass

def fn():
    pass

def battery():
    a, b, nan = Foo(), object(), float("nan")
    values = [id(a), id(b), id(fn), hash(a), hash(b), hash(fn), hash(Foo), hash(int), hash(sys)]
    values += [repr(a), repr(b), repr(fn), repr(lambda: 0), repr(x for x in ())]
    values += [repr(fn.__code__).split(" file ")[0]]
    values += [repr([].append), repr((1).__add__), repr(a.__init__), repr(weakref.ref(Foo))]
    values += [repr(memoryview(b"x")), repr(threading.Lock()), repr(sys._getframe())]
    values += [hash(nan), hash(complex(nan, 1)), hash(a.method), hash([].append)]
    values += [hash((1).__add__), hash(frozenset([a, b, fn]))]
    values += [[type(x).__name__ for x in {a, b, fn, Foo, nan, Foo(), Foo()}]]
    values += [[id(object()) for _ in range(3)], [repr(Foo()) for _ in range(3)]]
    values += [time.time(), time.monotonic(), time.perf_counter(), time.process_time()]
    values += [time.thread_time_ns(), time.clock_gettime(time.CLOCK_MONOTONIC)]
    values += [time.clock_gettime(time.CLOCK_REALTIME), time.clock_gettime_ns(time.CLOCK_MONOTONIC)]
    values += [str(time.get_clock_info("monotonic")), time.mktime(time.localtime()), time.ctime()]
    values += [time.strftime("%c %Z %z"), time.timezone, time.tzname, str(time.gmtime())]
    values += [str(datetime.datetime.now()), str(datetime.datetime.utcnow()), str(datetime.date.today())]
    values += [str(datetime.datetime(2020, 1, 1).astimezone()), os.times()]
    values += [random.random(), random.Random().random(), random.Random.__bases__[0]().random()]
    values += [random.SystemRandom().random(), os.urandom(8), secrets.token_hex(8)]
    values += [tempfile.mkdtemp(), os.getpid(), os.getppid(), threading.get_ident()]
    values += [sorted(os.environ.items()), sys.argv, sys.getrefcount(a), str(os.stat("/"))]
    values += [gc.get_count(), str(gc.get_stats())]
    return [str(v) for v in values]

def f():
    return battery()
"#;

/// The test's actual value, as the report shows it.
fn actual(report: &Report) -> String {
    report.tests[0]
        .details
        .as_ref()
        .and_then(|d| d.actual.clone())
        .unwrap_or_default()
}

/// The battery's values from a separate `pygrade` process (its own fork servers and addresses).
fn battery_from_cli() -> String {
    let dir = scratch_dir("vm-determinism");
    let challenge = dir.join("challenge.toml");
    let submission = dir.join("battery.py");
    std::fs::write(&challenge, CHALLENGE).expect("write challenge");
    std::fs::write(&submission, BATTERY).expect("write submission");
    let output = pygrade(&[
        "grade",
        &challenge.display().to_string(),
        &submission.display().to_string(),
        "--reveal",
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["tests"][0]["details"]["actual"]
        .as_str()
        .expect("an actual value")
        .to_owned()
}

#[test]
fn the_battery_is_identical_across_runs_processes_and_load() {
    let first = grade_source(CHALLENGE, BATTERY);
    assert_eq!(statuses(&first), ["fail"], "{:?}", first.tests[0].details);
    let values = actual(&first);
    assert!(values.contains("<submission.Foo object at 0x"), "{values}");
    // A second grade in this process forks from servers that have served other jobs.
    assert_eq!(actual(&grade_source(CHALLENGE, BATTERY)), values);
    // A separate process, graded while this one grades beside it.
    let beside = thread::spawn(|| {
        (0..2)
            .map(|_| actual(&grade_source(CHALLENGE, BATTERY)))
            .collect::<Vec<_>>()
    });
    assert_eq!(battery_from_cli(), values);
    for other in beside.join().expect("the concurrent grades finish") {
        assert_eq!(other, values);
    }
}

#[test]
fn identity_keeps_python_semantics() {
    let source = r#"
import gc, weakref

class Foo:
    pass

class Slotted:
    __slots__ = ("v",)

class Base:
    def __init_subclass__(cls, flag=None, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.flag = flag

class Sub(Base, flag=7):
    pass

def f():
    a, b = Foo(), Foo()
    c = a
    checks = [id(a) != id(b), id(a) == id(c), hash(a) == hash(a) == object.__hash__(a)]
    checks += [hash(a) == id(a) >> 4, repr(a) == object.__repr__(a) == str(a)]
    checks += [repr(a).startswith("<submission.Foo object at 0x"), Sub.flag == 7]
    table = {a: 1, b: 2}
    checks += [table[a] == 1, table[b] == 2, len({a, b, c}) == 2]
    many = [object() for _ in range(5000)]
    checks += [len({id(o) for o in many}) == 5000, len(set(many)) == 5000]
    s = Slotted()
    checks += [hash(s) == hash(s), id(s) != id(Slotted())]
    nan = float("nan")
    checks += [hash(nan) == hash(nan), {nan: 1}[nan] == 1, hash(2.0) == 2, hash(1.5) == hash(1.5)]
    keys = weakref.WeakKeyDictionary()
    key = Foo()
    keys[key] = hash(key)
    del key
    gc.collect()
    checks += [len(keys) == 0]
    return checks
"#;
    let expect = vec!["True"; 19].join(", ");
    let tests = format!(
        "[[tests]]\nname = \"t\"\nvisibility = \"visible\"\nexpect = {{ py = \"[{expect}]\" }}\n"
    );
    let challenge = CHALLENGE.replace(
        "[[tests]]\nname = \"battery\"\nvisibility = \"visible\"\nexpect = 0\n",
        &tests,
    );
    let report = grade_source(&challenge, source);
    assert_eq!(statuses(&report), ["pass"], "{:?}", report.tests[0].details);
}
