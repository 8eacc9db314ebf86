//! Reading a submission and the static pre-gate that runs before any VM does.
//!
//! Decoding problems (non-UTF-8, NUL bytes, a huge file, brackets nested past CPython's limit of
//! 200) become a syntax-error verdict here, in CPython's words. `rustpython-parser` then parses the
//! source on a big-stack thread (it survives nesting that would overflow the VM's parser) for the
//! facts the report shows: imports and which entry points are defined. Where it rejects code the
//! VM accepts (PEP 701 f-strings), the VM's compiler has the last word.

use std::path::Path;

use rustpython_ast::Visitor;
use rustpython_parser::ast::{self, Stmt};
use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, Parse, Tok};

use super::outcome::Problem;
use crate::error::Error;
use crate::input::{self, InputError};

/// Larger sources are rejected before anything parses them. The static parse runs in the grader
/// process, and a pathological source costs it up to ~280 bytes of AST per source byte (a chain
/// of unary operators, measured): 256 KiB keeps that far under the grader's 100 MB target, and is
/// still ten times the longest interview answer anyone writes.
pub const MAX_SOURCE_BYTES: usize = 256 << 10;
/// CPython's tokenizer limits on nested brackets and indentation levels.
const MAX_BRACKET_DEPTH: usize = 200;
const MAX_INDENT_DEPTH: usize = 99;
const PARSE_STACK_BYTES: usize = 256 << 20;

/// A submission as read and checked, ready to run (or not).
#[derive(Clone, Debug)]
pub struct Submission {
    /// The path as the user gave it; used in messages and reports.
    pub path: String,
    /// The normalised source (no BOM, `\n` line ends), or why it cannot run at all.
    pub source: Result<String, Problem>,
    /// Modules imported at any level, when the static parser could read the source.
    pub imports: Vec<String>,
    /// Names defined at module level, when the static parser could read the source.
    pub defined: Option<Vec<String>>,
}

impl Submission {
    /// Reads and checks a submission file. Only an unreadable file is an error (one that is not
    /// a regular file, such as a FIFO or `/dev/zero`, is unreadable); one that is too large is a
    /// problem, found without reading more than [`MAX_SOURCE_BYTES`] plus one byte.
    pub fn read(path: &str) -> Result<Submission, Error> {
        match input::read_regular(Path::new(path), MAX_SOURCE_BYTES as u64) {
            Ok(bytes) => Ok(Submission::from_bytes(path, &bytes)),
            Err(InputError::TooLarge { size, .. }) => Ok(Submission {
                path: path.to_owned(),
                source: Err(too_large(size)),
                imports: Vec::new(),
                defined: None,
            }),
            Err(error) => Err(Error::Read {
                path: path.to_owned(),
                message: error.to_string(),
            }),
        }
    }

    /// Checks submission bytes that came from somewhere other than a file.
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Submission {
        let source = decode(path, bytes);
        let Ok(text) = &source else {
            return Submission {
                path: path.to_owned(),
                source,
                imports: Vec::new(),
                defined: None,
            };
        };
        let facts = facts(text);
        let source = match facts.problem {
            Some(problem) => Err(problem),
            None => source,
        };
        Submission {
            path: path.to_owned(),
            source,
            imports: facts.imports,
            defined: facts.defined,
        }
    }
}

fn decode(path: &str, bytes: &[u8]) -> Result<String, Problem> {
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let at = error.valid_up_to();
            let (line, column) = position(&String::from_utf8_lossy(&bytes[..at]), at);
            return Err(Problem::new(
                "SyntaxError",
                format!(
                    "Non-UTF-8 code starting with '\\x{:02x}' in file {path} on line {line}, but no encoding declared",
                    bytes[at]
                ),
                line,
                column,
            ));
        }
    };
    if let Some(at) = text.find('\0') {
        let (line, column) = position(text, at);
        return Err(Problem::new(
            "SyntaxError",
            "source code cannot contain null bytes".into(),
            line,
            column,
        ));
    }
    // CRLF and lone CR end lines, as in CPython; RustPython would keep `\r` in string literals.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    check_brackets(&text)?;
    Ok(text)
}

fn too_large(size: u64) -> Problem {
    Problem::new(
        "TooLarge",
        format!("the submission is {size} bytes; pygrade accepts at most {MAX_SOURCE_BYTES} bytes"),
        1,
        1,
    )
}

/// 1-based line and column of byte offset `at`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// CPython's limits on bracket nesting (200) and indentation (99 levels), from the tokens.
fn check_brackets(text: &str) -> Result<(), Problem> {
    let mut depth = 0usize;
    let mut indent = 0usize;
    let mut unary_run = 0usize;
    for token in lex(text, Mode::Module) {
        let Ok((token, range)) = token else { break };
        // `- - - x` nests one expression per operator: past CPython's compiler limit, refuse it
        // here rather than build a huge AST (CPython raises RecursionError or MemoryError).
        unary_run = match token {
            Tok::Minus | Tok::Plus | Tok::Tilde | Tok::Not => unary_run + 1,
            _ => 0,
        };
        if unary_run > MAX_EXPR_DEPTH {
            // CPython's RecursionError carries no column; the line helps, as the parse path's 1:1.
            let (line, _) = position(text, usize::from(range.start()));
            return Err(Problem::new(
                "RecursionError",
                "maximum recursion depth exceeded during compilation".into(),
                line,
                1,
            ));
        }
        match token {
            Tok::Indent => {
                indent += 1;
                if indent > MAX_INDENT_DEPTH {
                    let (line, column) = position(text, usize::from(range.start()));
                    return Err(Problem::new(
                        "IndentationError",
                        "too many levels of indentation".into(),
                        line,
                        column,
                    ));
                }
            }
            Tok::Dedent => indent = indent.saturating_sub(1),
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    let (line, column) = position(text, usize::from(range.start()));
                    return Err(Problem::new(
                        "SyntaxError",
                        "too many nested parentheses".into(),
                        line,
                        column,
                    ));
                }
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// What the static parse found.
#[derive(Default)]
struct Facts {
    imports: Vec<String>,
    defined: Option<Vec<String>>,
    /// Source CPython would refuse to compile that RustPython might accept or crash on.
    problem: Option<Problem>,
}

/// Imports, module-level names and nesting limits, parsed on a thread with a big stack (the AST
/// is recursive).
fn facts(text: &str) -> Facts {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK_BYTES)
            .spawn_scoped(scope, || match ast::Suite::parse(text, "<submission>") {
                Ok(suite) => {
                    let mut imports = Vec::new();
                    collect_imports(&suite, &mut imports);
                    imports.sort();
                    imports.dedup();
                    let defined = Some(defined_names(&suite));
                    let mut depth = ExprDepth::default();
                    for stmt in suite {
                        depth.visit_stmt(stmt);
                    }
                    let problem = (depth.deepest > MAX_EXPR_DEPTH).then(|| {
                        Problem::new(
                            "RecursionError",
                            "maximum recursion depth exceeded during compilation".into(),
                            1,
                            1,
                        )
                    });
                    Facts {
                        imports,
                        defined,
                        problem,
                    }
                }
                // The old parser does not know PEP 701 f-strings, whose nesting hides brackets
                // from its lexer: count brackets in the raw text instead.
                Err(_) => Facts {
                    problem: raw_bracket_problem(text),
                    ..Facts::default()
                },
            })
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    })
}

/// CPython 3.11's compiler gives up on expressions nested about 3000 deep (measured: 2992).
const MAX_EXPR_DEPTH: usize = 2990;

#[derive(Default)]
struct ExprDepth {
    depth: usize,
    deepest: usize,
}

impl Visitor for ExprDepth {
    fn visit_expr(&mut self, node: ast::Expr) {
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        // Past the limit the answer is known; stop descending.
        if self.depth <= MAX_EXPR_DEPTH {
            self.generic_visit_expr(node);
        }
        self.depth -= 1;
    }
}

fn raw_bracket_problem(text: &str) -> Option<Problem> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    let (line, column) = position(text, at);
                    return Some(Problem::new(
                        "SyntaxError",
                        "too many nested parentheses".into(),
                        line,
                        column,
                    ));
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn collect_imports(body: &[Stmt], out: &mut Vec<String>) {
    for stmt in body {
        match stmt {
            Stmt::Import(import) => {
                out.extend(import.names.iter().map(|alias| alias.name.to_string()))
            }
            Stmt::ImportFrom(import) if import.level.is_none_or(|l| l.to_u32() == 0) => {
                out.extend(import.module.iter().map(ToString::to_string));
            }
            Stmt::FunctionDef(f) => collect_imports(&f.body, out),
            Stmt::AsyncFunctionDef(f) => collect_imports(&f.body, out),
            Stmt::ClassDef(c) => collect_imports(&c.body, out),
            Stmt::If(s) => {
                collect_imports(&s.body, out);
                collect_imports(&s.orelse, out);
            }
            Stmt::Try(s) => {
                collect_imports(&s.body, out);
                for handler in &s.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = handler;
                    collect_imports(&h.body, out);
                }
                collect_imports(&s.orelse, out);
                collect_imports(&s.finalbody, out);
            }
            Stmt::With(s) => collect_imports(&s.body, out),
            Stmt::For(s) => collect_imports(&s.body, out),
            Stmt::While(s) => collect_imports(&s.body, out),
            _ => {}
        }
    }
}

fn defined_names(body: &[Stmt]) -> Vec<String> {
    let mut names = Vec::new();
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(f) => names.push(f.name.to_string()),
            Stmt::AsyncFunctionDef(f) => names.push(f.name.to_string()),
            Stmt::ClassDef(c) => names.push(c.name.to_string()),
            Stmt::Assign(a) => names.extend(a.targets.iter().filter_map(target_name)),
            Stmt::AnnAssign(a) => names.extend(target_name(&a.target)),
            Stmt::Import(i) => names.extend(i.names.iter().map(|a| match &a.asname {
                Some(alias) => alias.to_string(),
                // `import os.path` binds `os`.
                None => a.name.split('.').next().unwrap_or_default().to_owned(),
            })),
            Stmt::ImportFrom(i) => names.extend(
                i.names
                    .iter()
                    .map(|a| a.asname.as_ref().unwrap_or(&a.name).to_string()),
            ),
            // Definitions under `if`/`try` at module level still count.
            Stmt::If(s) => {
                names.extend(defined_names(&s.body));
                names.extend(defined_names(&s.orelse));
            }
            Stmt::Try(s) => {
                names.extend(defined_names(&s.body));
                names.extend(defined_names(&s.orelse));
            }
            _ => {}
        }
    }
    names
}

fn target_name(target: &ast::Expr) -> Option<String> {
    match target {
        ast::Expr::Name(name) => Some(name.id.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Submission;

    fn problem(bytes: &[u8]) -> String {
        let submission = Submission::from_bytes("s.py", bytes);
        let problem = submission.source.expect_err("should be rejected");
        format!(
            "{}:{}: {}: {}",
            problem.line, problem.column, problem.kind, problem.message
        )
    }

    #[test]
    fn rejects_what_cpython_rejects_before_parsing() {
        assert_eq!(
            problem(b"x = 1\ny = '\xff'\n"),
            "2:6: SyntaxError: Non-UTF-8 code starting with '\\xff' in file s.py on line 2, but no encoding declared"
        );
        assert_eq!(
            problem(b"x = 1\0\n"),
            "1:6: SyntaxError: source code cannot contain null bytes"
        );
        let deep = format!("x = {}1{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(
            problem(deep.as_bytes()),
            "1:205: SyntaxError: too many nested parentheses"
        );
        assert!(problem(&vec![b'#'; super::MAX_SOURCE_BYTES + 1]).starts_with("1:1: TooLarge"));
    }

    #[test]
    fn normalises_line_ends_and_reads_facts() {
        let submission = Submission::from_bytes("s.py", b"\xEF\xBB\xBFimport os.path\r\nfrom collections import deque as d\r\ndef f():\r\n    import heapq\r\nclass C: pass\r\n");
        assert_eq!(
            submission.source.as_deref().unwrap().matches('\r').count(),
            0
        );
        assert_eq!(submission.imports, ["collections", "heapq", "os.path"]);
        assert_eq!(submission.defined.unwrap(), ["os", "d", "f", "C"]);
    }

    #[test]
    fn refuses_nesting_exactly_where_cpython_does() {
        let nested = |n: usize| format!("x = {}1\n", "not ".repeat(n));
        assert!(
            Submission::from_bytes("s.py", nested(2_900).as_bytes())
                .source
                .is_ok()
        );
        assert_eq!(
            problem(nested(3_000).as_bytes()),
            "1:1: RecursionError: maximum recursion depth exceeded during compilation"
        );
        // Far deeper than any recursive parser survives, and still no crash here.
        assert!(problem(nested(60_000).as_bytes()).contains("RecursionError"));
        let chain = format!("x = {}\n", vec!["1"; 3_000].join(" + "));
        assert!(problem(chain.as_bytes()).contains("RecursionError"));
        let indented: String = (0..100)
            .map(|i| format!("{}if x:\n", "    ".repeat(i)))
            .collect::<String>()
            + &"    ".repeat(100)
            + "pass\n";
        let message = problem(indented.as_bytes());
        assert!(
            message.contains("IndentationError: too many levels of indentation"),
            "{message}"
        );
    }

    #[test]
    fn pep_701_fstrings_cannot_hide_brackets() {
        let source = format!(
            "x = f\"{{\"a\" + str({}1{})}}\"\n",
            "[".repeat(300),
            "]".repeat(300)
        );
        assert!(problem(source.as_bytes()).contains("too many nested parentheses"));
        assert!(
            Submission::from_bytes("s.py", b"d = {'k': 1}\nx = f\"{d[\"k\"]}\"\n")
                .source
                .is_ok()
        );
    }
}
