# pygrade's prelude: runs once per fork server, before any submission, in its own namespace.
# Rust has already put the virtual clock into `time` and injected the native hooks
# _clock_now, _clock_set, _clock_advance and _output_write into this namespace.
import sys
import _io


class FileIO:
    """The sandbox has no files: opening one is refused."""

    def __init__(self, *args, **kwargs):
        raise PermissionError("pygrade: the host filesystem is not available")


_io.FileIO = FileIO

# The sandbox's `os` (an in-memory filesystem, no processes, a fake environment); Rust injected
# its source as _VFS_SOURCE.
import types  # noqa: E402

VFS = types.ModuleType("os")
VFS.__file__ = "<pygrade os>"
sys.modules["os"] = sys.modules["posix"] = VFS
exec(compile(_VFS_SOURCE, "<pygrade os>", "exec"), VFS.__dict__)

# The sandbox has no signals. `unittest` (its Ctrl-C handling) imports `signal`: this stand-in
# records handlers and never delivers anything; the real module never loads.
SIGNAL = types.ModuleType("signal")
SIGNAL.__file__ = "<pygrade signal>"
SIGNAL.SIG_DFL, SIGNAL.SIG_IGN, SIGNAL.SIGINT, SIGNAL.SIGTERM = 0, 1, 2, 15


def _default_int_handler(signalnum, frame):
    raise KeyboardInterrupt


_signal_handlers = {SIGNAL.SIGINT: _default_int_handler}


def _getsignal(signalnum):
    return _signal_handlers.get(signalnum, SIGNAL.SIG_DFL)


def _set_signal(signalnum, handler):
    previous = _getsignal(signalnum)
    _signal_handlers[signalnum] = handler
    return previous


SIGNAL.default_int_handler = _default_int_handler
SIGNAL.getsignal = _getsignal
SIGNAL.signal = _set_signal
sys.modules["signal"] = SIGNAL


# `unittest.mock` imports `asyncio` (for one marker object) and `pkgutil` (for `resolve_name`,
# behind `patch("module.attr")`). Neither is in the sandbox; these stand-ins give mock just that.
# Like `signal`, a submission cannot import them: only the standard library's own imports see them.
ASYNCIO = types.ModuleType("asyncio")
ASYNCIO.__file__ = "<pygrade asyncio>"
ASYNCIO.coroutines = types.ModuleType("asyncio.coroutines")
ASYNCIO.coroutines._is_coroutine = object()
sys.modules["asyncio"] = ASYNCIO
sys.modules["asyncio.coroutines"] = ASYNCIO.coroutines


def _import_module(name):
    # `sys.modules` lists only what the submission may see; `__import__` keeps to the policy.
    module = sys.modules.get(name)
    if module is None:
        __import__(name)
        module = sys.modules[name]
    return module


def _resolve_name(name):
    """`pkgutil.resolve_name`: `pkg.mod:qual.name`, or `pkg.mod.qual.name` imported as deep as
    it goes."""
    if ":" in name:
        modname, _, qualname = name.partition(":")
        target = _import_module(modname)
        for part in qualname.split(".") if qualname else []:
            target = getattr(target, part)
        return target
    parts = name.split(".")
    modname = parts.pop(0)
    target = _import_module(modname)
    while parts:
        deeper = modname + "." + parts[0]
        try:
            target = _import_module(deeper)
        except ImportError:
            break
        modname = deeper
        parts.pop(0)
    for part in parts:
        target = getattr(target, part)
    return target


PKGUTIL = types.ModuleType("pkgutil")
PKGUTIL.__file__ = "<pygrade pkgutil>"
PKGUTIL.resolve_name = _resolve_name
sys.modules["pkgutil"] = PKGUTIL

import builtins  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402

builtins.open = io.open = VFS.FILE_OPEN
io.open_code = VFS.open_code
# Nothing about the host: no executable path, no search path.
sys.executable = sys._base_executable = ""
sys.orig_argv = ["python3", *sys.argv]
sys.path = []
sys.prefix = sys.exec_prefix = sys.base_prefix = sys.base_exec_prefix = "/usr"

# The import policy (allowlist, hidden modules, sealed loaders) is installed natively after
# warm-up: see imports.rs.

VFS_RESET = VFS._reset

# The sandbox lives in UTC on the virtual clock, so results never depend on the host.
_gmtime = time.gmtime
_strftime = time.strftime
_asctime = time.asctime
from calendar import timegm as _timegm  # noqa: E402


def _struct(secs):
    return _gmtime(_clock_now() if secs is None else secs)


time.gmtime = lambda secs=None: _struct(secs)
time.localtime = lambda secs=None: _struct(secs)
time.ctime = lambda secs=None: _asctime(_struct(secs))
time.asctime = lambda t=None: _asctime(_struct(None) if t is None else t)
time.strftime = lambda format, t=None: _strftime(format, _struct(None) if t is None else t)
time.mktime = lambda t: float(_timegm(tuple(t)))  # UTC; the host's zone never leaks
time.tzset = lambda: None
time.timezone = 0
time.altzone = 0
time.daylight = 0
time.tzname = ("UTC", "UTC")


class _Output(io.TextIOBase):
    """sys.stdout and sys.stderr: text goes to the grader's capped capture buffer."""

    encoding = "utf-8"

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        _output_write(s)
        return len(s)

    def flush(self):
        pass


OUTPUT = _Output()


class Clock:
    """The virtual clock a test controls: clock.now(), clock.advance(seconds), clock.set(t)."""

    __slots__ = ()

    def now(self):
        return _clock_now()

    def advance(self, seconds):
        _clock_advance(seconds)

    def set(self, t):
        _clock_set(t)

    def __repr__(self):
        return f"<virtual clock at {_clock_now()}>"


CLOCK = Clock()

import _thread  # noqa: E402

# Threads run synchronously, so a lock that is held when it is acquired again can never be
# released: that is a deadlock, and on CPython it hangs. Block the same way (the test times out),
# or with a timeout, let the virtual clock run and fail, instead of the stand-in's "success".
if isinstance(getattr(_thread, "LockType", None), type) and "acquire" in vars(_thread.LockType):

    def _acquire(self, waitflag=None, timeout=-1):
        if not self.locked_status:
            self.locked_status = True
            return True
        if waitflag is None or waitflag:
            if timeout is None or timeout < 0:
                while True:
                    pass
            time.sleep(timeout)
        return False

    _thread.LockType.acquire = _thread.LockType.__enter__ = _acquire
if isinstance(getattr(_thread, "RLock", None), type) and not hasattr(_thread.RLock, "_is_owned"):
    # threading.Condition asks its lock whether the caller holds it.
    _thread.RLock._is_owned = lambda self: getattr(self, "locked_count", 0) > 0

import random  # noqa: E402

_seed = random.Random.seed


def _seed_or_zero(self, a=None, version=2):
    # Seeding from entropy would make verdicts differ between runs.
    return _seed(self, 0 if a is None else a, version)


random.Random.seed = _seed_or_zero
RESEED = random.seed
STRING_IO = io.StringIO
