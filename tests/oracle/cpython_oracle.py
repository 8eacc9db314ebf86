"""CPython oracle: grade a submission against a pygrade challenge with CPython 3.11.

Used only by pygrade's own tests and by challenge authors, never by pygrade itself. It implements
the same test semantics as pygrade's worker (fresh module per test, virtual clock installed before
the submission runs, `observe`/`clock` in scripts, strict host-side comparison) so that a test can
assert that pygrade and CPython agree on every fixture's verdict.

usage: python3 cpython_oracle.py CHALLENGE.toml SUBMISSION.py   -> JSON {"tests": {name: status}}
"""

import ast
import io
import os
import shutil
import tempfile
import signal
import json
import math
import sys
import time
import tomllib
import types
import random
import collections

EPOCH = 1_700_000_000.0
STDLIB_DICT_SUBCLASSES = (collections.defaultdict, collections.OrderedDict, collections.Counter)


class Clock:
    def __init__(self):
        self.t = EPOCH

    def now(self):
        return self.t

    def advance(self, seconds):
        if seconds < 0:
            raise ValueError("clock.advance: seconds must be non-negative")
        self.t += seconds

    def set(self, t):
        self.t = float(t)


def install_clock(clock):
    def sleep(s):
        if s < 0:
            raise ValueError("sleep length must be non-negative")
        clock.t += s

    for name in ("time", "monotonic", "perf_counter", "process_time", "thread_time"):
        setattr(time, name, lambda: clock.t)
        setattr(time, name + "_ns", lambda: int(clock.t * 1e9))
    time.sleep = sleep


def decode(value):
    """TOML value -> Python value; a table {py = "..."} is a Python literal."""
    if isinstance(value, dict):
        if set(value) == {"py"}:
            return ast.literal_eval(value["py"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def host(value, depth=0):
    """Model of pygrade's host conversion: exact builtin types only, else opaque."""
    if depth > 100:
        return ("opaque", "<too deep>")
    t = type(value)
    if value is None or t in (bool, int, float, str, bytes):
        return value
    if t is list:
        return [host(v, depth + 1) for v in value]
    if t is tuple:
        return tuple(host(v, depth + 1) for v in value)
    if t is dict or t in STDLIB_DICT_SUBCLASSES:
        return {"__dict__": [(host(k, depth + 1), host(v, depth + 1)) for k, v in value.items()]}
    if t in (set, frozenset):
        return {"__set__": [host(v, depth + 1) for v in value]}
    return ("opaque", t.__name__)


def equal(exp, act, tol):
    if isinstance(act, tuple) and len(act) == 2 and act[0] == "opaque" and not isinstance(exp, tuple):
        return False
    if tol is not None and type(exp) in (int, float) and type(act) in (int, float):
        if math.isnan(exp) and math.isnan(act):
            return True
        return math.isclose(exp, act, rel_tol=tol, abs_tol=tol)
    if type(exp) is not type(act):
        return False
    if type(exp) is float:
        return exp == act or (math.isnan(exp) and math.isnan(act))
    if type(exp) in (list, tuple):
        return len(exp) == len(act) and all(equal(e, a, tol) for e, a in zip(exp, act))
    if type(exp) is dict:
        if "__set__" in exp:
            return "__set__" in act and multiset_equal(exp["__set__"], act["__set__"], tol)
        if "__dict__" in exp:
            if "__dict__" not in act or len(exp["__dict__"]) != len(act["__dict__"]):
                return False
            rest = list(act["__dict__"])
            for k, v in exp["__dict__"]:
                for i, (k2, v2) in enumerate(rest):
                    if equal(k, k2, None) and equal(v, v2, tol):
                        del rest[i]
                        break
                else:
                    return False
            return True
    return exp == act


def multiset_equal(exp, act, tol):
    if len(exp) != len(act):
        return False
    rest = list(act)
    for e in exp:
        for i, a in enumerate(rest):
            if equal(e, a, tol):
                del rest[i]
                break
        else:
            return False
    return True


def compare(expect, actual, test):
    tol = test.get("tolerance")
    exp = host(expect)
    act = host(actual)
    if test.get("compare", "exact") == "unordered":
        if type(exp) is not type(act) or type(exp) not in (list, tuple):
            return False
        return multiset_equal(list(exp), list(act), tol)
    return equal(exp, act, tol)


def mro_names(exc):
    return [c.__name__ for c in type(exc).__mro__]


def run_test(code, challenge, test):
    random.seed(0)
    sys.stdout = io.StringIO()
    clock = Clock()
    install_clock(clock)
    module = types.ModuleType("submission")
    sys.modules["submission"] = module
    # As in pygrade (and as `python submission.py` would): the submission is also `__main__`.
    sys.modules["__main__"] = module
    kind = test.get("kind", "call")
    entry = challenge["entry"][0]
    try:
        exec(code, module.__dict__)
        ns = module.__dict__
        if kind == "script":
            observations = []
            script_ns = dict(ns)
            script_ns["observe"] = lambda v: observations.append(host(v))
            script_ns["clock"] = clock
            exec(compile(test["script"], "<script>", "exec"), script_ns)
            exp = host(decode(test["expect"]))
            return "pass" if equal(exp, observations, test.get("tolerance")) else "fail"
        if "ops" in test:
            obj = ns[test.get("class", entry)](*decode(test.get("args", [])), **decode(test.get("kwargs", {})))
            results = []
            ops = decode(test["ops"])
            for i, (name, *args) in enumerate(ops):
                if kind == "raises" and i == len(ops) - 1:
                    return check_raises(lambda: getattr(obj, name)(*args), test)
                results.append(getattr(obj, name)(*args))
            return "pass" if compare(decode(test["expect"]), results, test) else "fail"
        fn = ns[test.get("function", entry)]
        call = lambda: fn(*decode(test.get("args", [])), **decode(test.get("kwargs", {})))
        if kind == "raises":
            return check_raises(call, test)
        return "pass" if compare(decode(test["expect"]), call(), test) else "fail"
    except Timeout:
        return "timeout"
    except BaseException:  # noqa: BLE001 - a submission's failure is a verdict
        return "error"


def enter_sandbox(sandbox):
    """Model of pygrade's `[sandbox]`: a fresh directory holding `files`, made the cwd.

    The temporary directory stands in for `sandbox.cwd`, so relative paths (and absolute ones under
    `cwd`) are materialized in it. Returns a function that leaves and deletes it.
    """
    home = os.getcwd()
    root = tempfile.mkdtemp(prefix="pygrade-oracle-")
    cwd = sandbox.get("cwd", "/workspace").rstrip("/") + "/"
    for name, content in sandbox.get("files", {}).items():
        if name.startswith(cwd):
            name = name[len(cwd):]
        elif name.startswith("/"):
            raise SystemExit(f"oracle: sandbox file {name!r} is outside `cwd`; not supported")
        full = os.path.join(root, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(content)
    os.chdir(root)

    def leave():
        os.chdir(home)
        shutil.rmtree(root, ignore_errors=True)

    return leave


class Timeout(BaseException):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def check_raises(step, test):
    try:
        step()
    except BaseException as exc:  # noqa: BLE001
        if test["raises"] not in mro_names(exc):
            return "fail"
        if "message" in test and str(exc) != test["message"]:
            return "fail"
        return "pass"
    return "fail"


def main():
    challenge = tomllib.load(open(sys.argv[1], "rb"))
    source = open(sys.argv[2], encoding="utf-8").read()
    try:
        code = compile(source, sys.argv[2], "exec")
    except SyntaxError:
        print(json.dumps({"compiled": False, "tests": {}}))
        return
    sys.setrecursionlimit(challenge.get("limits", {}).get("recursion", 10_000))
    # CPU time, as pygrade: a wall-clock alarm would flip verdicts on a busy machine.
    signal.signal(signal.SIGPROF, on_alarm)
    results = {}
    default_time = challenge.get("limits", {}).get("time", 2.0)
    sandbox = challenge.get("sandbox")
    for t in challenge["tests"]:
        leave = enter_sandbox(sandbox) if sandbox is not None else None
        signal.setitimer(signal.ITIMER_PROF, t.get("time", default_time))
        results[t["name"]] = run_test(code, challenge, t)
        signal.setitimer(signal.ITIMER_PROF, 0)
        if leave is not None:
            leave()
    sys.stdout = sys.__stdout__
    print(json.dumps({"compiled": True, "tests": results}))


if __name__ == "__main__":
    main()
