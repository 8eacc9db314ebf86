//! The harness's product guarantees, each proven against the real worker sandbox.

use crate::support::{actual, grade_source, probe_challenge, statuses};

fn challenge(tests: &str) -> String {
    probe_challenge(1.0, tests)
}

#[test]
fn every_test_gets_a_fresh_module_namespace() {
    let tests = "[[tests]]\nname = \"first\"\nexpect = 1\n[[tests]]\nname = \"second\"\nexpect = 1\n\
                 [[tests]]\nname = \"script\"\nkind = \"script\"\nscript = \"observe(len(CALLS))\"\nexpect = [0]\n";
    let source = "CALLS = []\ndef f():\n    CALLS.append(1)\n    return len(CALLS)\n";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass", "pass", "pass"]);
}

#[test]
fn rigged_equality_never_passes() {
    let tests = "[[tests]]\nname = \"t\"\nexpect = 5\n";
    for source in [
        "class E:\n    def __eq__(self, other): return True\n    __hash__ = object.__hash__\ndef f(): return E()\n",
        "class I(int):\n    def __eq__(self, other): return True\n    __hash__ = int.__hash__\ndef f(): return I(0)\n",
        // Even with the right value, a subclass of int is not an int.
        "class I(int):\n    def __eq__(self, other): return True\n    __hash__ = int.__hash__\ndef f(): return I(5)\n",
        "class L(list):\n    def __eq__(self, other): return True\ndef f(): return L()\n",
    ] {
        let report = grade_source(&challenge(tests), source);
        assert_eq!(statuses(&report), ["fail"], "{source}");
        assert!(
            report.tests[0]
                .message
                .as_deref()
                .unwrap_or_default()
                .contains("does not compare"),
            "{source}"
        );
    }
}

#[test]
fn the_virtual_clock_is_seen_through_from_imports() {
    let tests = "[[tests]]\nname = \"clock\"\nkind = \"script\"\nscript = \"\"\"\nimport time\nt0 = f()\nclock.advance(60)\n\
                 observe(f() - t0)\ntime.sleep(5)\nobserve(f() - t0)\nobserve(now() == f() == time.time() == time.perf_counter())\n\
                 observe(t0)\n\"\"\"\nexpect = [60.0, 65.0, true, 1700000000.0]\n";
    let source = "from time import monotonic, time as now\ndef f():\n    return monotonic()\n";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass"], "{:?}", report.tests[0]);
}

#[test]
fn a_runaway_test_times_out_and_the_others_still_run() {
    let tests = "[[tests]]\nname = \"before\"\nargs = [0]\nexpect = 0\n[[tests]]\nname = \"loops\"\nargs = [1]\nexpect = 1\n\
                 [[tests]]\nname = \"swallows\"\nargs = [2]\nexpect = 2\n[[tests]]\nname = \"after\"\nargs = [0]\nexpect = 0\n";
    let source = "def f(x):\n    if x == 1:\n        while True: pass\n    if x == 2:\n        while True:\n            try:\n                while True: pass\n            except BaseException:\n                pass\n    return x\n";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass", "timeout", "timeout", "pass"]);
}

#[test]
fn sorting_300k_items_fits_in_the_default_limit() {
    // The pattern that made timsort 0.1.3 quadratic: many presorted runs, then a keyed sort.
    let tests = "[[tests]]\nname = \"sort\"\nkind = \"script\"\ntime = 2.0\nscript = \"\"\"\n\
                 data = [(i * 7919) % 300_000 for i in range(300_000)]\nobserve(sorted(data) == list(range(300_000)))\n\
                 data.sort(key=lambda v: -v)\nobserve(data[:3])\n\"\"\"\nexpect = [true, [299999, 299998, 299997]]\n";
    let report = grade_source(&challenge(tests), "def f(): pass\n");
    assert_eq!(statuses(&report), ["pass"], "{:?}", report.tests[0]);
}

#[test]
fn sort_is_stable_and_matches_cpython_semantics() {
    let tests = "[[tests]]\nname = \"stable\"\nkind = \"script\"\nscript = \"\"\"\n\
                 pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')]\n\
                 observe(sorted(pairs, key=lambda p: p[0]))\nobserve(sorted(pairs, key=lambda p: p[0], reverse=True))\n\
                 xs = [5, 2, 9]\nxs.sort(reverse=True)\nobserve(xs)\n\
                 try:\n    sorted([1, 'a'])\nexcept TypeError:\n    observe('TypeError')\n\
                 ys = [3, 1, 2]\ntry:\n    ys.sort(key=lambda v: (ys.append(v), v)[1])\nexcept ValueError as e:\n    observe(str(e))\n\"\"\"\n\
                 expect = { py = \"[[(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')], [(3, 'a'), (3, 'c'), (2, 'd'), (1, 'b'), (1, 'e')], [9, 5, 2], 'TypeError', 'list modified during sort']\" }\n";
    let report = grade_source(&challenge(tests), "def f(): pass\n");
    assert_eq!(statuses(&report), ["pass"], "{:?}", report.tests[0]);
}

#[test]
fn verdicts_and_values_are_deterministic() {
    let tests = "[[tests]]\nname = \"values\"\nvisibility = \"visible\"\nexpect = 0\n";
    let source = "import random\ndef f():\n    r = random.Random()\n    return (hash('abc'), hash((1, 'x')), random.random(), r.random(), list({'b', 'a', 'c'}))\n";
    let first = grade_source(&challenge(tests), source);
    let second = grade_source(&challenge(tests), source);
    assert_eq!(actual(&first, 0), actual(&second, 0));
    assert!(
        actual(&first, 0).contains("0.8444218515250481"),
        "random.random() after seed(0): {}",
        actual(&first, 0)
    );
}

#[test]
fn exits_and_base_exceptions_are_verdicts() {
    let tests = "[[tests]]\nname = \"t\"\nargs = [0]\nexpect = 0\n";
    for (source, status) in [
        ("import sys\ndef f(x): sys.exit(0)\n", "error"),
        ("raise SystemExit(3)\ndef f(x): return x\n", "error"),
        ("def f(x): raise KeyboardInterrupt\n", "error"),
        (
            "class Boom(BaseException): pass\ndef f(x): raise Boom()\n",
            "error",
        ),
        ("def g(x): return x\n", "error"),
    ] {
        let report = grade_source(&challenge(tests), source);
        assert_eq!(statuses(&report), [status], "{source}");
    }
}

#[test]
fn output_is_captured_per_test() {
    let tests = "[[tests]]\nname = \"one\"\nargs = [1]\nexpect = 0\n[[tests]]\nname = \"two\"\nargs = [2]\nexpect = 0\n";
    let source = "import sys\ndef f(x):\n    print('hello', x)\n    print('oops', file=sys.stderr)\n    return x\n";
    let report = grade_source(&challenge(tests), source);
    let output = |i: usize| {
        report.tests[i]
            .details
            .as_ref()
            .map(|d| d.output.clone())
            .unwrap_or_default()
    };
    assert_eq!(output(0), "hello 1\noops\n");
    assert_eq!(output(1), "hello 2\noops\n");
}

#[test]
fn deep_recursion_behaves_as_on_cpython() {
    let tests = "[[tests]]\nname = \"deep\"\nargs = [50000]\nexpect = 50000\n[[tests]]\nname = \"too_deep\"\nkind = \"raises\"\nargs = [-1]\nraises = \"RecursionError\"\n";
    let source = "import sys\nsys.setrecursionlimit(100_000)\ndef depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\ndef f(n):\n    return depth(n)\n";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass", "pass"], "{:?}", report.tests);
}

#[test]
fn ops_tests_report_the_failing_step() {
    let tests = "[[tests]]\nname = \"ops\"\nkind = \"ops\"\nargs = [1]\nops = [[\"add\", 2], [\"boom\"]]\nexpect = [3, 0]\n";
    let source = "class f:\n    def __init__(self, n): self.n = n\n    def add(self, k): return self.n + k\n";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["error"]);
    assert!(
        report.tests[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("raised `AttributeError` at op 2")
    );
}

#[test]
fn answers_using_the_stdlib_and_the_virtual_filesystem_pass() {
    use pygrade::grade::GradeOptions;

    use crate::support::{fixture_challenge, grade_path, root};

    for (challenge, file, module) in [
        (
            "lru_cache",
            "fixtures/lru_cache/pass/lock_guarded_dict.py",
            "threading",
        ),
        (
            "lru_cache",
            "fixtures/lru_cache/pass/dataclass_nodes.py",
            "dataclasses",
        ),
        (
            "lru_cache",
            "fixtures/lru_cache/pass/contextmanager_locked.py",
            "contextlib",
        ),
        (
            "change_dir",
            "fixtures/change_dir/pass/contextmanager_try_finally.py",
            "os",
        ),
    ] {
        let report = grade_path(
            &fixture_challenge(challenge),
            &root().join(file),
            GradeOptions::default(),
        );
        assert!(report.passed, "{file}: {:?}", statuses(&report));
        assert!(
            report.imports.iter().any(|m| m == module),
            "{file} should import {module}: {:?}",
            report.imports
        );
    }
}

#[test]
fn the_virtual_filesystem_is_private_fresh_and_sorted() {
    let tests = "[sandbox]\nfiles = { \"data/b.txt\" = \"bee\", \"data/a.txt\" = \"ay\" }\n\
                 [[tests]]\nname = \"first\"\nkind = \"script\"\nscript = \"observe(f())\"\nexpect = { py = \"[(['a.txt', 'b.txt'], 'ay', False, '/workspace')]\" }\n\
                 [[tests]]\nname = \"second\"\nkind = \"script\"\nscript = \"observe(f())\"\nexpect = { py = \"[(['a.txt', 'b.txt'], 'ay', False, '/workspace')]\" }\n";
    // Each test changes the tree and the cwd; the next one must not see it. `/etc/passwd` is the
    // host's, so it must not exist here.
    let source = r"import os, pathlib
def f():
    listing = os.listdir('data')
    text = pathlib.Path('data/a.txt').read_text()
    pathlib.Path('data/c.txt').write_text('new')
    cwd = os.getcwd()
    os.chdir('/tmp')
    return (listing, text, os.path.exists('/etc/passwd'), cwd)
";
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass", "pass"], "{:?}", report.tests);
}

#[test]
fn modules_outside_the_allowlist_cannot_be_imported() {
    let mut tests = String::new();
    for module in [
        "socket",
        "subprocess",
        "ctypes",
        "signal",
        "importlib",
        "marshal",
        "asyncio",
        "zlib",
    ] {
        tests.push_str(&format!("[[tests]]\nname = \"{module}\"\nkind = \"raises\"\nargs = [\"{module}\"]\nraises = \"ImportError\"\n"));
    }
    for module in pygrade::sandbox::modules::ALLOWED {
        tests.push_str(&format!(
            "[[tests]]\nname = \"allowed_{module}\"\nargs = [\"{module}\"]\nexpect = \"{module}\"\n"
        ));
    }
    let source = "def f(name):\n    return __import__(name).__name__\n";
    let report = grade_source(&challenge(&tests), source);
    let failed: Vec<String> = report
        .tests
        .iter()
        .filter(|t| t.status.as_str() != "pass")
        .map(|t| format!("{}: {:?}", t.name, t.message))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
