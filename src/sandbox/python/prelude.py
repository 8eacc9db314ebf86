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

import _dummy_os  # noqa: E402  (registers os, posix and os.path)
import io  # noqa: E402
import time  # noqa: E402

# The sandbox lives in UTC on the virtual clock, so results never depend on the host.
_gmtime = time.gmtime
_strftime = time.strftime
_asctime = time.asctime


def _struct(secs):
    return _gmtime(_clock_now() if secs is None else secs)


time.gmtime = lambda secs=None: _struct(secs)
time.localtime = lambda secs=None: _struct(secs)
time.ctime = lambda secs=None: _asctime(_struct(secs))
time.asctime = lambda t=None: _asctime(_struct(None) if t is None else t)
time.strftime = lambda format, t=None: _strftime(format, _struct(None) if t is None else t)
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

import random  # noqa: E402

_seed = random.Random.seed


def _seed_or_zero(self, a=None, version=2):
    # Seeding from entropy would make verdicts differ between runs.
    return _seed(self, 0 if a is None else a, version)


random.Random.seed = _seed_or_zero
RESEED = random.seed
STRING_IO = io.StringIO
