//! The import policy against every bypass known to have worked (issue 6, class 5): submissions
//! try each mechanism and return what they obtained; nothing disallowed may come back, and the
//! imports interview answers use must keep working.

use crate::support::{actual, grade_source, probe_challenge, statuses};

fn challenge(tests: &str) -> String {
    probe_challenge(20.0, tests)
}

/// The report's one test passed; otherwise its message and actual value say why not.
fn assert_single_pass(report: &pygrade::grade::Report) {
    assert_eq!(
        statuses(report),
        ["pass"],
        "{:?} {}",
        report.tests[0].message,
        actual(report, 0)
    );
}

/// Tries every mechanism on a list of disallowed modules; `f()` returns what it obtained (a
/// module counts when it is the real one: it has the attribute named in `CANARY`).
const BYPASSES: &str = r#"
import sys, json, inspect, gc, pickle, types, builtins, functools

CANARY = {
    "ast": "NodeTransformer", "_ast": "AST", "zipfile": "ZipFile", "marshal": "dumps",
    "sysconfig": "get_paths", "code": "InteractiveConsole", "codeop": "compile_command",
    "runpy": "run_path", "importlib": "import_module", "dis": "dis", "_imp": "create_builtin",
    "_frozen_importlib": "_find_and_load", "pkgutil": "iter_modules", "concurrent": "futures",
    "tokenize": "generate_tokens", "importlib.util": "find_spec", "_sysconfig": "config_vars",
}
LOADERS = {}
NAMES = ["ast", "_ast", "zipfile", "marshal", "sysconfig", "code", "codeop", "runpy", "importlib",
         "importlib.util", "dis", "_imp", "_frozen_importlib", "pkgutil", "concurrent", "tokenize"]
GOT = []


def check(how, obj):
    if isinstance(obj, types.ModuleType):
        name = obj.__dict__.get("__name__")
        attr = CANARY.get(name)
        if attr is not None and attr in obj.__dict__:
            GOT.append(f"{how}: {name}")


def attempt(how, f, *args, **kwargs):
    try:
        check(how, f(*args, **kwargs))
    except BaseException:
        pass


def loaders():
    found = {}
    for o in gc.get_objects():
        if type(o) is type and type.__getattribute__(o, "__qualname__") in ("BuiltinImporter", "FrozenImporter"):
            found[o.__qualname__] = o
    todo = [object]
    while todo:
        c = todo.pop()
        try:
            todo.extend(type.__subclasses__(c))
        except BaseException:
            pass
        if type.__getattribute__(c, "__qualname__") in ("BuiltinImporter", "FrozenImporter", "ModuleSpec"):
            found[c.__qualname__] = c
    return found


def f():
    for name in NAMES:
        try:
            exec(f"import {name} as m", {}, ns := {})
            check("import statement", ns.get("m"))
        except BaseException:
            pass
        attempt("__import__", __import__, name)
        attempt("__import__ fromlist", __import__, name, None, None, ["x"], 0)
        attempt("forged __name__", __import__, name, {"__name__": "json"})
        attempt("forged globals", __import__, name, vars(json), None, ["*"], 0)
        attempt("forged spec", __import__, name, {"__name__": "inspect", "__package__": "", "__spec__": inspect.__spec__})
        attempt("sys.modules", lambda: sys.modules[name])
        attempt("partial", functools.partial(__import__, name))
        attempt("map", lambda: list(map(__import__, [name]))[0])
        attempt("exec in json", lambda: exec(f"import {name} as m", vars(json)) or vars(json).get("m"))
        attempt("compile as json", lambda: exec(compile(f"import {name} as m", "json", "exec"), g := {}) or g.get("m"))
        attempt("compile as prelude", lambda: exec(compile(f"import {name} as m", "<pygrade prelude>", "exec"), g := {}) or g.get("m"))
    # Relative imports with a forged package.
    attempt("level", __import__, "_bootstrap", {"__package__": "importlib"}, None, ["x"], 1)
    attempt("level", __import__, "", {"__package__": "importlib"}, None, ["util"], 1)
    attempt("level", __import__, "util", {"__package__": "importlib.machinery", "__name__": "importlib.machinery"}, None, ["x"], 1)
    attempt("level", __import__, "ast", {"__package__": "json"}, None, None, 1)
    global LOADERS
    LOADERS = loaders()
    # importlib, reached through an allowed module.
    importlib = inspect.importlib
    bootstrap = importlib._bootstrap
    machinery = importlib.machinery
    for name in NAMES:
        attempt("import_module", importlib.import_module, name)
        attempt("importlib.__import__", importlib.__import__, name)
        attempt("_gcd_import", bootstrap._gcd_import, name)
        attempt("_find_and_load", bootstrap._find_and_load, name, bootstrap._gcd_import)
        attempt("_builtin_from_name", bootstrap._builtin_from_name, name)
        attempt("pickle", pickle.loads, f"c{name}\n{CANARY.get(name, 'x')}\n.".encode())
        attempt("pickle module", lambda: sys.modules.get(pickle.loads(f"c{name}\n{CANARY.get(name, 'x')}\n.".encode()).__module__))
        for how, loader in LOADERS.items():
            if how == "ModuleSpec":
                continue

            def load(loader=loader):
                spec = loader.find_spec(name) or machinery.ModuleSpec(name, loader, origin=how)
                module = bootstrap.module_from_spec(spec)
                loader.exec_module(module)
                return module

            attempt("loader " + how, load)
            attempt("_load " + how, lambda: bootstrap._load(machinery.ModuleSpec(name, loader)))
            attempt("empty module " + how, lambda: bootstrap._exec(machinery.ModuleSpec(name, loader), type(sys)(name)))
    # _imp, reached through _bootstrap.
    imp = bootstrap._imp
    for name in NAMES + ["_sysconfig", "_sysconfigdata"]:
        spec = machinery.ModuleSpec(name, machinery.BuiltinImporter)
        attempt("create_builtin", imp.create_builtin, spec)
        attempt("init_frozen", imp.init_frozen, name)

        def frozen():
            g = {"__name__": name}
            exec(imp.get_frozen_object(name), g)
            return types.SimpleNamespace(**g)

        attempt("get_frozen_object", lambda: check("get_frozen_object", type(sys)(name)) or frozen())
        attempt("find_frozen", lambda: imp.find_frozen(name) and frozen())

        class Spec:
            calls = 0

            @property
            def name(self):
                Spec.calls += 1
                return "math" if Spec.calls == 1 else name

        attempt("spec name toctou", imp.create_builtin, Spec())
    # meta_path and path_hooks.
    class Finder:
        @classmethod
        def find_spec(cls, name, path=None, target=None):
            return machinery.ModuleSpec(name, machinery.FrozenImporter, origin="frozen")

    sys.meta_path.insert(0, Finder)
    sys.path_hooks.insert(0, lambda path: Finder)
    sys.path.insert(0, "/workspace")
    for name in NAMES:
        attempt("meta_path", importlib.import_module, name)
        attempt("meta_path __import__", __import__, name)
    # builtins.__import__ swapped: stdlib statements now call this with their globals.
    real = builtins.__import__

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        check("swapped __import__", result)
        return result

    builtins.__import__ = spy
    try:
        import datetime
        datetime.datetime.strptime("2024", "%Y")
        for name in NAMES:
            attempt("swapped", spy, name)
    finally:
        builtins.__import__ = real
    # Original import functions hidden in the object graph.
    for o in gc.get_objects():
        if type(o).__name__ in ("builtin_function_or_method", "function") and o.__name__ in ("create_builtin", "get_frozen_object", "init_frozen", "__import__") and callable(o):
            for name in NAMES:
                attempt("gc " + o.__name__, o, name)
    return sorted(set(GOT))
"#;

#[test]
fn no_bypass_obtains_a_disallowed_module() {
    let report = grade_source(
        &challenge("[[tests]]\nname = \"bypasses\"\nexpect = []\n"),
        BYPASSES,
    );
    assert_single_pass(&report);
}

#[test]
fn imports_interview_answers_use_still_work() {
    let source = r#"
import collections, dataclasses, datetime, inspect, json, pickle, random, re, tempfile, time, typing, warnings
from collections import OrderedDict


@dataclasses.dataclass
class Point:
    x: int
    y: typing.List[int] = dataclasses.field(default_factory=list)


def f():
    warnings.warn("lazy imports inside warnings")
    with tempfile.TemporaryDirectory() as d:
        made = d.startswith("/")
    return [
        json.loads(json.dumps({"a": [1, 2]})),
        pickle.loads(pickle.dumps({"k": (1, 2.5, "s", None, b"b")})),
        pickle.loads(pickle.dumps(OrderedDict(a=1))) == OrderedDict(a=1),
        repr(Point(1)),
        str(inspect.signature(Point)),
        random.Random(1).randint(1, 6) in range(1, 7),
        re.sub("a+", "b", "caaat"),
        datetime.datetime.strptime("2024-01-02", "%Y-%m-%d").day,
        time.strptime("2024", "%Y").tm_year,
        "é".encode("utf-16-le"),
        "é".encode("cp1252"),
        inspect.ast.literal_eval("[1, (2, 3)]"),
        collections.Counter("aab")["a"],
        made,
    ]
"#;
    let expect = r#"{ py = "[{'a': [1, 2]}, {'k': (1, 2.5, 's', None, b'b')}, True, 'Point(x=1, y=[])', '(x: int, y: List[int] = <factory>) -> None', True, 'cbt', 2, 2024, b'\\xe9\\x00', b'\\xe9', [1, (2, 3)], 2, True]" }"#;
    let report = grade_source(
        &challenge(&format!(
            "[[tests]]\nname = \"stdlib\"\nexpect = {expect}\n"
        )),
        source,
    );
    assert_single_pass(&report);
}

#[test]
fn compiling_an_ast_object_is_a_clean_type_error() {
    let tests = r#"
[[tests]]
name = "cyclic"
kind = "raises"
args = [0]
raises = "TypeError"
[[tests]]
name = "only_ast"
kind = "raises"
args = [1024]
raises = "TypeError"
[[tests]]
name = "parse"
kind = "script"
script = "observe(parse())"
expect = ["Expression"]
"#;
    let source = r#"
import inspect

ast = inspect.ast


def f(flags):
    e = ast.UnaryOp(op=ast.Not(), operand=None, lineno=1, col_offset=0, end_lineno=1, end_col_offset=1)
    e.operand = e
    return compile(ast.Expression(body=e), "<ast>", "eval", flags)


def parse():
    return type(ast.parse("1 + 1", mode="eval")).__name__
"#;
    let report = grade_source(&challenge(tests), source);
    assert_eq!(
        statuses(&report),
        ["pass", "pass", "pass"],
        "{:?}",
        report.tests
    );
}

#[test]
fn stdlib_file_names_are_reserved_for_compile() {
    let tests = "[[tests]]\nname = \"json\"\nkind = \"raises\"\nargs = [\"json\"]\nraises = \"ValueError\"\n\
                 [[tests]]\nname = \"prelude\"\nkind = \"raises\"\nargs = [\"<pygrade prelude>\"]\nraises = \"ValueError\"\n\
                 [[tests]]\nname = \"own\"\nargs = [\"answer.py\"]\nexpect = \"answer.py\"\n\
                 [[tests]]\nname = \"path_like\"\nargs = [\"\"]\nexpect = \"answer.py\"\n";
    // A path-like object that names a stdlib module from its second answer on: compile() must
    // ask it once and compile under that answer.
    let source = r#"
class Sly:
    calls = 0

    def __fspath__(self):
        Sly.calls += 1
        return "answer.py" if Sly.calls == 1 else "json"


def f(name):
    return compile("x = 1 + 1", name or Sly(), "exec").co_filename
"#;
    let report = grade_source(&challenge(tests), source);
    assert_eq!(
        statuses(&report),
        ["pass", "pass", "pass", "pass"],
        "{:?}",
        report.tests
    );
}

#[test]
fn a_narrowed_challenge_hides_modules_from_the_submission_only() {
    let tests = r#"
[sandbox]
deny_modules = ["collections"]
[[tests]]
name = "refused"
kind = "raises"
args = ["collections"]
raises = "ModuleNotFoundError"
[[tests]]
name = "stdlib"
args = [""]
expect = [false, 3]
"#;
    // `typing` and `json` use `collections` themselves; the submission cannot see it.
    let source = r#"
import json, sys, typing


def f(name):
    if name:
        return __import__(name)
    return ["collections" in sys.modules, len(json.loads("[1, 2, 3]"))]
"#;
    let report = grade_source(&challenge(tests), source);
    assert_eq!(statuses(&report), ["pass", "pass"], "{:?}", report.tests);
}

#[test]
fn sys_modules_and_orig_argv_show_nothing_outside_the_policy() {
    let tests = r#"
[[tests]]
name = "view"
expect = { py = "([], ['python3', 'submission.py'])" }
"#;
    let source = r#"
import sys

ALLOWED = set(ALLOWED_LIST)


def f():
    hidden = sorted(n for n in sys.modules if n.split(".")[0] not in ALLOWED and n != "submission")
    # The one extra name is the submission itself, as `__main__`.
    assert sys.modules.get("__main__") is sys.modules["submission"]
    hidden.remove("__main__")
    return (hidden, sys.orig_argv)
"#
    .replace(
        "ALLOWED_LIST",
        &format!("{:?}", pygrade::sandbox::modules::ALLOWED),
    );
    let report = grade_source(&challenge(tests), &source);
    assert_single_pass(&report);
}

/// The standard library's own `unittest` runs inside the sandbox and reports what CPython 3.11
/// reports for the same test case (the expected value's first seven items are CPython's output
/// for this probe); its `signal` is pygrade's stand-in, which a submission cannot import.
#[test]
fn stdlib_unittest_runs_as_on_cpython() {
    let tests = r#"
[[tests]]
name = "unittest"
expect = { py = """[8, 2, 1, ['cond', 'why'], 1, [('test_error', 'ValueError: boom'), ('test_fail', 'AssertionError: Lists differ: [1, 2, 3] != [1, 2, 4]'), ('test_sub (i=2)', 'AssertionError: 2 not less than 2')], True, 'refused']""" }
"#;
    let report = grade_source(&challenge(tests), UNITTEST_PROBE);
    assert_single_pass(&report);
}

const UNITTEST_PROBE: &str = r#"
import unittest


def f():
    class T(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            cls.shared = [1, 2]

        def setUp(self):
            self.fresh = []

        def test_pass(self):
            self.fresh.append(1)
            self.assertEqual(self.shared + self.fresh, [1, 2, 1])

        def test_fail(self):
            self.assertEqual([1, 2, 3], [1, 2, 4])

        def test_sub(self):
            for i in range(3):
                with self.subTest(i=i):
                    self.assertLess(i, 2)

        @unittest.skip("why")
        def test_skip(self):
            pass

        @unittest.skipIf(True, "cond")
        def test_skip_if(self):
            pass

        @unittest.expectedFailure
        def test_xfail(self):
            self.assertTrue(False)

        def test_raises(self):
            with self.assertRaisesRegex(KeyError, "x"):
                {}["x"]

        def test_error(self):
            raise ValueError("boom")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(T).run(result)
    failures = sorted(
        (test.id().rsplit(".", 1)[-1], [l for l in text.splitlines() if "Error: " in l][0])
        for test, text in result.failures + result.errors
    )
    try:
        import signal
        signal_import = "imported"
    except ImportError:
        signal_import = "refused"
    return [
        result.testsRun,
        len(result.failures),
        len(result.errors),
        sorted(reason for _, reason in result.skipped),
        len(result.expectedFailures),
        failures,
        unittest.installHandler() is None,
        signal_import,
    ]
"#;

/// `unittest.mock` (Mock, MagicMock, patch, patch.object, call, ANY, wraps, sentinel) behaves as
/// on CPython 3.11 (the expected value is CPython's output for this probe, but for the last item):
/// the `asyncio` and `pkgutil` it imports are pygrade's stand-ins, which a submission cannot import.
#[test]
fn stdlib_unittest_mock_works_as_on_cpython() {
    let tests = r#"
[[tests]]
name = "mock"
expect = { py = """['VALUE', True, (3, 8), 'PATCHED', True, 'REAL', 'no', '[1]', 9, 3, True, 'expected call not found.', True, ['asyncio', 'pkgutil', 'signal']]""" }
"#;
    let report = grade_source(&challenge(tests), MOCK_PROBE);
    assert_single_pass(&report);
}

const MOCK_PROBE: &str = r#"
import json
import math
from unittest import mock
from unittest.mock import ANY, MagicMock, Mock, call, patch


class Store:
    def load(self, key):
        return "real"


def fetch(store, key):
    return store.load(key).upper()


def f():
    seen = []
    store = Mock()
    store.load.return_value = "value"
    seen.append(fetch(store, "k"))
    store.load.assert_called_once_with("k")
    seen.append(store.load.call_args == call("k"))
    magic = MagicMock()
    magic.__len__.return_value = 3
    magic.__getitem__.side_effect = lambda i: i * 2
    seen.append((len(magic), magic[4]))
    with patch.object(Store, "load", return_value="patched") as load:
        seen.append(fetch(Store(), "x"))
        seen.append(load.call_args_list == [call("x")])
    seen.append(fetch(Store(), "y"))
    with patch("json.dumps", side_effect=ValueError("no")):
        try:
            json.dumps({})
        except ValueError as e:
            seen.append(str(e))
    seen.append(json.dumps([1]))
    with patch("math.sqrt") as sqrt:
        sqrt.return_value = 9
        seen.append(math.sqrt(2))
        sqrt.assert_called_with(ANY)
    spy = Mock(wraps=lambda a, b=0: a + b)
    seen.append(spy(1, b=2))
    seen.append(spy.mock_calls == [call(1, b=2)])
    try:
        store.load.assert_called_with("other")
    except AssertionError as e:
        seen.append(str(e).splitlines()[0])
    seen.append(mock.sentinel.thing is mock.sentinel.thing)
    refused = []
    for name in ("asyncio", "pkgutil", "signal"):
        try:
            __import__(name)
        except ImportError:
            refused.append(name)
    seen.append(refused)
    return seen
"#;
