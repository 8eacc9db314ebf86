# pygrade's `os`: the sandbox's operating system, backed by an in-memory filesystem.
#
# Submissions get the `os`, `os.path`, `open`, `io.open` and `pathlib` they expect, but every path
# resolves inside this module's tree: the host filesystem, processes, environment and signals are
# unreachable. The harness resets the tree, the working directory and the environment before every
# test (`_reset`). Directory listings are sorted, so results never depend on insertion order.
import abc
import errno
import io
import sys
import stat as _stat

name = "posix"
sep = "/"
altsep = None
extsep = "."
pathsep = ":"
linesep = "\n"
curdir = "."
pardir = ".."
defpath = "/bin:/usr/bin"
devnull = "/dev/null"
supports_dir_fd = set()
supports_effective_ids = set()
supports_fd = set()
supports_follow_symlinks = set()
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
F_OK, R_OK, W_OK, X_OK = 0, 4, 2, 1
O_RDONLY, O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_TRUNC = 0, 1, 2, 0o2000, 0o100, 0o200, 0o1000
O_NOFOLLOW, O_CLOEXEC, O_NOINHERIT, O_BINARY, O_DIRECTORY, O_NONBLOCK = 0o400000, 0o2000000, 0, 0, 0o200000, 0o4000

HOME = "/home/candidate"
WORKSPACE = "/workspace"
_BASE_ENVIRON = {
    "HOME": HOME,
    "USER": "candidate",
    "LOGNAME": "candidate",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "TMPDIR": "/tmp",
    "PWD": WORKSPACE,
}
# The clock's epoch, for file times.
_EPOCH = 1_700_000_000.0


class _Node:
    __slots__ = ("children", "data", "mtime", "ino")
    _next_ino = [1]

    def __init__(self, directory):
        self.children = {} if directory else None
        self.data = None if directory else bytearray()
        self.mtime = _EPOCH
        self.ino = _Node._next_ino[0]
        _Node._next_ino[0] += 1

    @property
    def is_dir(self):
        return self.children is not None


_state = {"root": _Node(True), "cwd": WORKSPACE, "fds": {}, "next_fd": 3}
environ = dict(_BASE_ENVIRON)


def _reset(files=(), cwd=WORKSPACE):
    """Called by the harness before every test: a fresh tree holding the challenge's files."""
    _Node._next_ino[0] = 1
    _state["root"] = _Node(True)
    _state["fds"] = {}
    _state["next_fd"] = 3
    for directory in ("/tmp", HOME, WORKSPACE, cwd):
        makedirs(directory, exist_ok=True)
    _state["cwd"] = cwd
    for file_path, content in files:
        full = _abs(file_path)
        makedirs(path.dirname(full), exist_ok=True)
        _lookup(full, create_file=True).data[:] = content.encode("utf-8")
    environ.clear()
    environ.update(_BASE_ENVIRON, PWD=cwd)
    _urandom_state[0] = 0


def _error(code, filename=None, filename2=None):
    cls = {
        errno.ENOENT: FileNotFoundError,
        errno.EEXIST: FileExistsError,
        errno.ENOTDIR: NotADirectoryError,
        errno.EISDIR: IsADirectoryError,
        errno.EPERM: PermissionError,
        errno.EACCES: PermissionError,
    }.get(code, OSError)
    if filename2 is not None:
        return cls(code, strerror(code), filename, None, filename2)
    if filename is not None:
        return cls(code, strerror(code), filename)
    return cls(code, strerror(code))


def strerror(code):
    return {
        errno.ENOENT: "No such file or directory",
        errno.EEXIST: "File exists",
        errno.ENOTDIR: "Not a directory",
        errno.EISDIR: "Is a directory",
        errno.EPERM: "Operation not permitted",
        errno.EACCES: "Permission denied",
        errno.ENOTEMPTY: "Directory not empty",
        errno.EINVAL: "Invalid argument",
        errno.EBADF: "Bad file descriptor",
        errno.EXDEV: "Invalid cross-device link",
    }.get(code, "Error %d" % code)


def _denied(what):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EPERM, f"pygrade: os.{what} is not available in the sandbox")

    refuse.__name__ = what
    return refuse


for _name in (
    "system", "popen", "fork", "forkpty", "vfork", "execv", "execve", "execl", "execle", "execlp",
    "execlpe", "execvp", "execvpe", "spawnv", "spawnve", "spawnl", "spawnle", "spawnlp", "spawnvp",
    "posix_spawn", "posix_spawnp", "kill", "killpg", "_exit", "abort", "nice", "setsid", "setuid",
    "setgid", "chroot", "symlink", "link", "mkfifo", "mknod", "pipe", "dup", "dup2", "wait", "waitpid",
    "startfile", "sched_setaffinity", "truncate",
):
    globals()[_name] = _denied(_name)
del _name


def fspath(p):
    if isinstance(p, (str, bytes)):
        return p
    try:
        result = type(p).__fspath__(p)
    except AttributeError:
        raise TypeError("expected str, bytes or os.PathLike object, not " + type(p).__name__) from None
    if not isinstance(result, (str, bytes)):
        raise TypeError(f"expected {type(p).__name__}.__fspath__() to return str or bytes, not {type(result).__name__}")
    return result


def fsencode(filename):
    filename = fspath(filename)
    return filename.encode("utf-8", "surrogateescape") if isinstance(filename, str) else filename


def fsdecode(filename):
    filename = fspath(filename)
    return filename.decode("utf-8", "surrogateescape") if isinstance(filename, bytes) else filename


class PathLike(abc.ABC):
    """Abstract base class for implementing the file system path protocol."""

    @abc.abstractmethod
    def __fspath__(self):
        raise NotImplementedError

    @classmethod
    def __subclasshook__(cls, subclass):
        return True if hasattr(subclass, "__fspath__") else NotImplemented

    def __class_getitem__(cls, item):
        return cls


_text = fsdecode


def _abs(p):
    p = _text(p)
    if not p:
        raise _error(errno.ENOENT, p)
    return path.normpath(p if p.startswith("/") else _state["cwd"] + "/" + p)


def _lookup(p, create_file=False):
    """The node at absolute path `p`; with `create_file`, a new empty file if it is missing."""
    parts = [part for part in p.split("/") if part]
    node = _state["root"]
    for i, part in enumerate(parts):
        if not node.is_dir:
            raise _error(errno.ENOTDIR, p)
        child = node.children.get(part)
        if child is None:
            if create_file and i == len(parts) - 1:
                child = node.children[part] = _Node(False)
                node.mtime = _now()
            else:
                raise _error(errno.ENOENT, p)
        node = child
    return node


def _parent(p):
    parent = _lookup(path.dirname(p) or "/")
    if not parent.is_dir:
        raise _error(errno.ENOTDIR, p)
    return parent, path.basename(p)


def _now():
    import time

    return time.time()


# --- directories ------------------------------------------------------------------------------


def getcwd():
    return _state["cwd"]


def getcwdb():
    return _state["cwd"].encode()


def chdir(p):
    target = _abs(p)
    node = _lookup(target)
    if not node.is_dir:
        raise _error(errno.ENOTDIR, _text(p))
    _state["cwd"] = target
    environ["PWD"] = target


def listdir(p="."):
    node = _lookup(_abs(p))
    if not node.is_dir:
        raise _error(errno.ENOTDIR, _text(p))
    names = sorted(node.children)
    return [n.encode() for n in names] if isinstance(fspath(p), bytes) else names


def mkdir(p, mode=0o777, *, dir_fd=None):
    full = _abs(p)
    parent, leaf = _parent(full)
    if leaf in parent.children or full == "/":
        raise _error(errno.EEXIST, _text(p))
    parent.children[leaf] = _Node(True)
    parent.mtime = _now()


def makedirs(name, mode=0o777, exist_ok=False):
    full = _abs(name)
    head = path.dirname(full)
    if head and head != full and not path.exists(head):
        makedirs(head, exist_ok=True)
    try:
        mkdir(full, mode)
    except FileExistsError:
        if not exist_ok or not path.isdir(full):
            raise


def rmdir(p, *, dir_fd=None):
    full = _abs(p)
    node = _lookup(full)
    if not node.is_dir:
        raise _error(errno.ENOTDIR, _text(p))
    if node.children:
        raise OSError(errno.ENOTEMPTY, strerror(errno.ENOTEMPTY), _text(p))
    if full == "/" or _state["cwd"] == full:
        raise _error(errno.EPERM if full == "/" else errno.EINVAL, _text(p))
    parent, leaf = _parent(full)
    del parent.children[leaf]


def removedirs(name):
    rmdir(name)
    head = path.dirname(_abs(name))
    while head and head != "/":
        try:
            rmdir(head)
        except OSError:
            break
        head = path.dirname(head)


def remove(p, *, dir_fd=None):
    full = _abs(p)
    node = _lookup(full)
    if node.is_dir:
        raise _error(errno.EISDIR, _text(p))
    parent, leaf = _parent(full)
    del parent.children[leaf]
    parent.mtime = _now()


unlink = remove


def rename(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
    source, target = _abs(src), _abs(dst)
    node = _lookup(source)
    if node.is_dir and (target + "/").startswith(source + "/"):
        raise _error(errno.EINVAL, _text(src), _text(dst))
    new_parent, new_leaf = _parent(target)
    existing = new_parent.children.get(new_leaf)
    if existing is not None and existing is not node:
        if existing.is_dir and not node.is_dir:
            raise _error(errno.EISDIR, _text(src), _text(dst))
        if node.is_dir and not existing.is_dir:
            raise _error(errno.ENOTDIR, _text(src), _text(dst))
        if existing.is_dir and existing.children:
            raise OSError(errno.ENOTEMPTY, strerror(errno.ENOTEMPTY), _text(src), None, _text(dst))
    old_parent, old_leaf = _parent(source)
    del old_parent.children[old_leaf]
    new_parent.children[new_leaf] = node


replace = rename


def renames(old, new):
    head = path.dirname(_abs(new))
    if head:
        makedirs(head, exist_ok=True)
    rename(old, new)


class stat_result(tuple):
    """The result of os.stat: st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size, times."""

    n_sequence_fields = 10

    def __new__(cls, values):
        return super().__new__(cls, values)

    st_mode = property(lambda self: self[0])
    st_ino = property(lambda self: self[1])
    st_dev = property(lambda self: self[2])
    st_nlink = property(lambda self: self[3])
    st_uid = property(lambda self: self[4])
    st_gid = property(lambda self: self[5])
    st_size = property(lambda self: self[6])
    st_atime = property(lambda self: float(self[7]))
    st_mtime = property(lambda self: float(self[8]))
    st_ctime = property(lambda self: float(self[9]))
    st_atime_ns = property(lambda self: int(self[7] * 1e9))
    st_mtime_ns = property(lambda self: int(self[8] * 1e9))
    st_ctime_ns = property(lambda self: int(self[9] * 1e9))
    st_blksize = 4096
    st_flags = 0

    def __repr__(self):
        fields = ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid", "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime")
        return "os.stat_result(" + ", ".join(f"{f}={v!r}" for f, v in zip(fields, self)) + ")"


def stat(p, *, dir_fd=None, follow_symlinks=True):
    if isinstance(p, int):
        node = _fd(p)[0]
    else:
        node = _lookup(_abs(p))
    if node.is_dir:
        mode, size, links = _stat.S_IFDIR | 0o755, 4096, 2 + sum(c.is_dir for c in node.children.values())
    else:
        mode, size, links = _stat.S_IFREG | 0o644, len(node.data), 1
    return stat_result((mode, node.ino, 1, links, 1000, 1000, size, node.mtime, node.mtime, node.mtime))


lstat = stat
fstat = stat


def access(p, mode, *, dir_fd=None, effective_ids=False, follow_symlinks=True):
    try:
        _lookup(_abs(p))
    except OSError:
        return False
    return True


def readlink(p, *, dir_fd=None):
    _lookup(_abs(p))
    raise _error(errno.EINVAL, _text(p))


def chmod(p, mode, *, dir_fd=None, follow_symlinks=True):
    _lookup(_abs(p))


def utime(p, times=None, *, ns=None, dir_fd=None, follow_symlinks=True):
    node = _lookup(_abs(p))
    node.mtime = times[1] if times else (ns[1] / 1e9 if ns else _now())


class DirEntry:
    __slots__ = ("name", "path", "_node")

    def __init__(self, directory, entry_name, node):
        self.name = entry_name
        self.path = path.join(directory, entry_name)
        self._node = node

    def is_dir(self, *, follow_symlinks=True):
        return self._node.is_dir

    def is_file(self, *, follow_symlinks=True):
        return not self._node.is_dir

    def is_symlink(self):
        return False

    def is_junction(self):
        return False

    def inode(self):
        return self._node.ino

    def stat(self, *, follow_symlinks=True):
        return stat(self.path)

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return f"<DirEntry {self.name!r}>"


class _ScandirIterator:
    def __init__(self, entries):
        self._entries = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._entries)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._entries = iter(())


def scandir(p="."):
    shown = fspath(p)
    node = _lookup(_abs(p))
    if not node.is_dir:
        raise _error(errno.ENOTDIR, _text(p))
    return _ScandirIterator([DirEntry(_text(shown), n, node.children[n]) for n in sorted(node.children)])


# A sentinel `shutil.rmtree` passes to `walk`; the sandbox has no symlinks, so it changes nothing.
_walk_symlinks_as_files = object()


def walk(top, topdown=True, onerror=None, followlinks=False):
    try:
        entries = list(scandir(top))
    except OSError as error:
        if onerror is not None:
            onerror(error)
        return
    dirs = [e.name for e in entries if e.is_dir()]
    files = [e.name for e in entries if not e.is_dir()]
    if topdown:
        yield top, dirs, files
        for d in dirs:
            yield from walk(path.join(top, d), topdown, onerror, followlinks)
    else:
        for d in dirs:
            yield from walk(path.join(top, d), topdown, onerror, followlinks)
        yield top, dirs, files


# --- files --------------------------------------------------------------------------------------


def _parse_mode(mode):
    if not isinstance(mode, str) or set(mode) - set("rwxabt+U") or len(set(mode)) != len(mode):
        raise ValueError(f"invalid mode: {mode!r}")
    kinds = sum(c in mode for c in "rwxa")
    if kinds != 1 or ("b" in mode and "t" in mode):
        raise ValueError(f"invalid mode: {mode!r}")
    return mode


class _FileMixin:
    """Writes go back to the tree on flush and close; reading and writing follow the mode."""

    def _setup(self, node, file_name, mode):
        self._node = node
        self.name = file_name
        self.mode = mode
        self._can_read = "r" in mode or "+" in mode
        self._can_write = "r" not in mode or "+" in mode

    def _check_read(self):
        if not self._can_read:
            raise io.UnsupportedOperation("not readable")

    def _check_write(self):
        if not self._can_write:
            raise io.UnsupportedOperation("not writable")

    def readable(self):
        return self._can_read

    def writable(self):
        return self._can_write

    def read(self, *args):
        self._check_read()
        return super().read(*args)

    def readline(self, *args):
        self._check_read()
        return super().readline(*args)

    def readlines(self, *args):
        self._check_read()
        return super().readlines(*args)

    def __next__(self):
        self._check_read()
        return super().__next__()

    def write(self, data):
        self._check_write()
        if "a" in self.mode:
            self.seek(0, 2)
        return super().write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def fileno(self):
        raise io.UnsupportedOperation("pygrade's files have no descriptor")

    def isatty(self):
        return False


class _BinaryFile(_FileMixin, io.BytesIO):
    def flush(self):
        if not self.closed and self._can_write:
            self._node.data[:] = self.getvalue()
            self._node.mtime = _now()

    def close(self):
        if not self.closed:
            self.flush()
        super().close()


class _TextFile(_FileMixin, io.StringIO):
    encoding = "utf-8"
    errors = "strict"

    def flush(self):
        if not self.closed and self._can_write:
            self._node.data[:] = self.getvalue().encode("utf-8")
            self._node.mtime = _now()

    def close(self):
        if not self.closed:
            self.flush()
        super().close()

    @property
    def buffer(self):
        raise io.UnsupportedOperation("pygrade's text files have no binary buffer")


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None, closefd=True, opener=None):
    """Opens a file in the sandbox's in-memory filesystem (the host's is not reachable)."""
    if isinstance(file, int):
        raise OSError(errno.EBADF, "pygrade: opening descriptors is not supported")
    mode = _parse_mode(mode)
    shown = file if isinstance(file, (str, bytes)) else fspath(file)
    full = _abs(file)
    if "x" in mode:
        parent, leaf = _parent(full)
        if leaf in parent.children:
            raise _error(errno.EEXIST, _text(shown))
    if "r" in mode:
        node = _lookup(full)
    else:
        _parent(full)
        node = _lookup(full, create_file=True)
    if node.is_dir:
        raise _error(errno.EISDIR, _text(shown))
    if "w" in mode:
        node.data[:] = b""
        node.mtime = _now()
    content = bytes(node.data)
    if "b" in mode:
        handle = _BinaryFile(content)
    else:
        # The sandbox's locale is UTF-8 ("locale" is what io.text_encoding passes along).
        text = content.decode("utf-8" if encoding in (None, "locale") else encoding, errors or "strict")
        handle = _TextFile(text, newline=newline)
    handle._setup(node, shown, mode)
    if "a" in mode:
        handle.seek(0, 2)
    return handle


def open_code(p):
    raise PermissionError(errno.EPERM, "pygrade: io.open_code is not available in the sandbox")


# Descriptor-level calls, enough for tempfile: a descriptor is a node and a position.


def _fd(fd):
    try:
        return _state["fds"][fd]
    except KeyError:
        raise OSError(errno.EBADF, strerror(errno.EBADF)) from None


def _os_open(p, flags, mode=0o777, *, dir_fd=None):
    full = _abs(p)
    parent, leaf = _parent(full)
    exists = leaf in parent.children
    if flags & O_CREAT and flags & O_EXCL and exists:
        raise _error(errno.EEXIST, _text(p))
    node = _lookup(full, create_file=bool(flags & O_CREAT))
    if flags & O_TRUNC and not node.is_dir:
        node.data[:] = b""
    fd = _state["next_fd"]
    _state["next_fd"] += 1
    _state["fds"][fd] = [node, 0]
    return fd


def read(fd, n):
    entry = _fd(fd)
    node, position = entry
    chunk = bytes(node.data[position:position + n])
    entry[1] += len(chunk)
    return chunk


def write(fd, data):
    entry = _fd(fd)
    node, position = entry
    node.data[position:position + len(data)] = data
    entry[1] += len(data)
    return len(data)


def lseek(fd, position, how):
    entry = _fd(fd)
    base = {SEEK_SET: 0, SEEK_CUR: entry[1], SEEK_END: len(entry[0].data)}[how]
    entry[1] = base + position
    return entry[1]


def close(fd):
    _fd(fd)
    del _state["fds"][fd]


def closerange(low, high):
    for fd in [fd for fd in _state["fds"] if low <= fd < high]:
        del _state["fds"][fd]


# --- process and environment ----------------------------------------------------------------------

_urandom_state = [0]


def urandom(n):
    """Deterministic bytes: verdicts must not depend on entropy."""
    import random

    generator = random.Random(_urandom_state[0])
    _urandom_state[0] += 1
    return bytes(generator.getrandbits(8) for _ in range(n))


def register_at_fork(*, before=None, after_in_child=None, after_in_parent=None):
    """Nothing forks inside the sandbox."""


def putenv(key, value):
    """`os.environ` is the sandbox's whole environment; there is nothing else to update."""


def unsetenv(key):
    """See putenv."""


def getenv(key, default=None):
    return environ.get(key, default)


def getpid():
    return 4242


def getppid():
    return 4241


def getuid():
    return 1000


geteuid = getgid = getegid = getuid


def getlogin():
    return "candidate"


def cpu_count():
    return 1


def process_cpu_count():
    return 1


def get_terminal_size(fd=1):
    return terminal_size((80, 24))


class terminal_size(tuple):
    columns = property(lambda self: self[0])
    lines = property(lambda self: self[1])


def get_exec_path(env=None):
    return defpath.split(pathsep)


def umask(mask):
    return 0o022


def times():
    import time

    now = time.process_time()
    return (now, 0.0, 0.0, 0.0, time.monotonic())


class _Uname(tuple):
    sysname = property(lambda self: self[0])
    nodename = property(lambda self: self[1])
    release = property(lambda self: self[2])
    version = property(lambda self: self[3])
    machine = property(lambda self: self[4])


def uname():
    return _Uname(("Linux", "sandbox", "6.0.0", "#1", "x86_64"))


def device_encoding(fd):
    return None


error = OSError

# The prelude registered this module as `os` and `posix` before running it. The file-level
# `open` becomes `builtins.open` and `io.open`; `os.open` is the descriptor-level call.
FILE_OPEN = open
open = _os_open
import posixpath as path  # noqa: E402
import genericpath as _genericpath  # noqa: E402

# posixpath and genericpath may have bound an earlier `os`; they must use this one.
path.os = _genericpath.os = sys.modules["os"]
sys.modules["os.path"] = path
_reset()
