//! Which modules a submission may import, and which are not even compiled into the worker's
//! interpreter. README's module table is checked against these lists by a test.
//!
//! Two mechanisms: modules in `UNREGISTERED_NATIVE` and `UNREGISTERED_FROZEN` do not exist
//! in the interpreter at all (no import path, `__import__` bypass or `_imp` trick reaches them),
//! and the import policy (`python/imports.rs`) keeps every other module whose top-level name is
//! not in [`ALLOWED`] (or in the challenge's narrower list) from being loaded or handed out,
//! whoever asks: after warm-up the loaders refuse such names, `sys.modules` does not list them,
//! and only `import` statements in the stdlib's own code are served the ones already loaded.

/// Top-level modules a submission may import.
pub const ALLOWED: &[&str] = &[
    "__future__",
    "abc",
    "array",
    "base64",
    "bisect",
    "builtins",
    "calendar",
    "cmath",
    "collections",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "errno",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "genericpath",
    "glob",
    "graphlib",
    "hashlib",
    "heapq",
    "hmac",
    "inspect",
    "io",
    "itertools",
    "json",
    "keyword",
    "logging",
    "math",
    "numbers",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "posixpath",
    "pprint",
    "queue",
    "random",
    "re",
    "reprlib",
    "secrets",
    "shutil",
    "stat",
    "statistics",
    "string",
    "struct",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "traceback",
    "types",
    "typing",
    "unicodedata",
    "unittest",
    "warnings",
    "weakref",
];

/// Modules left out, grouped, with the reason (README lists these).
pub const EXCLUDED: &[(&[&str], &str)] = &[
    (
        &[
            "socket",
            "ssl",
            "select",
            "selectors",
            "http",
            "urllib",
            "ftplib",
            "smtplib",
            "socketserver",
            "xmlrpc",
            "email",
        ],
        "network access: the sandbox has no network",
    ),
    (
        &["asyncio"],
        "needs sockets and selectors, which the sandbox does not have",
    ),
    (
        &["concurrent"],
        "thread and process pools need real threads; the sandbox runs a thread's target synchronously when it starts",
    ),
    (
        &["subprocess", "multiprocessing", "signal", "pty", "resource"],
        "processes, signals and resource limits belong to the grader",
    ),
    (&["ctypes", "mmap"], "raw memory access would bypass the VM"),
    (
        &["importlib", "zipimport", "runpy", "pkgutil"],
        "import machinery that could load what the sandbox leaves out",
    ),
    (
        &[
            "marshal",
            "code",
            "codeop",
            "compileall",
            "py_compile",
            "dis",
            "ast",
        ],
        "bytecode and AST tools: crafted bytecode or AST crashes RustPython",
    ),
    (
        &["site", "sysconfig"],
        "they describe the host's installation",
    ),
    (
        &["zlib", "bz2", "lzma", "gzip", "zipfile", "tarfile", "xml"],
        "decompression and entity-expansion bombs; no challenge needs them",
    ),
    (
        &["doctest"],
        "imports the debugger `pdb`, which needs the bytecode tools left out above",
    ),
    (
        &[
            "tkinter",
            "curses",
            "readline",
            "webbrowser",
            "pydoc",
            "turtle",
        ],
        "terminals, GUIs and browsers",
    ),
];

/// Native modules never registered in the interpreter.
pub(crate) const UNREGISTERED_NATIVE: &[&str] = &[
    "_asyncio",
    "_bz2",
    "_lzma",
    "_remote_debugging",
    "_symtable",
    "_sysconfig",
    "_sysconfigdata",
    "pyexpat",
    "zlib",
];

/// Frozen (pure-Python) stdlib packages never registered, with all their submodules.
pub(crate) const UNREGISTERED_FROZEN: &[&str] = &[
    "asyncio",
    "ctypes",
    "ensurepip",
    "ftplib",
    "http",
    "idlelib",
    "imaplib",
    "multiprocessing",
    "poplib",
    "pty",
    "pydoc",
    "pydoc_data",
    "selectors",
    "smtplib",
    "socket",
    "socketserver",
    "ssl",
    "subprocess",
    "telnetlib",
    "tkinter",
    "turtle",
    "turtledemo",
    "urllib",
    "venv",
    "webbrowser",
    "xmlrpc",
    "zipimport",
];

/// Whether a frozen module (`a.b.c`) belongs to an unregistered package.
pub(crate) fn frozen_is_registered(name: &str) -> bool {
    !UNREGISTERED_FROZEN.contains(&name.split('.').next().unwrap_or(name))
}

/// The modules a challenge's submissions may import: the default list, narrowed.
pub(crate) fn effective(allow: Option<&[String]>, deny: &[String]) -> Vec<String> {
    ALLOWED
        .iter()
        .filter(|m| allow.is_none_or(|allow| allow.iter().any(|a| a == *m)))
        .filter(|m| !deny.iter().any(|d| d == *m))
        .map(|m| (*m).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{ALLOWED, EXCLUDED, effective};

    #[test]
    fn no_module_is_both_allowed_and_excluded() {
        for (group, _) in EXCLUDED {
            for module in *group {
                assert!(
                    !ALLOWED.contains(module),
                    "{module} is both allowed and excluded"
                );
            }
        }
    }

    #[test]
    fn a_challenge_can_only_narrow() {
        let allow = vec!["math".to_owned(), "socket".to_owned()];
        assert_eq!(effective(Some(&allow), &[]), ["math"]);
        assert!(!effective(None, &["collections".to_owned()]).contains(&"collections".to_owned()));
    }
}
