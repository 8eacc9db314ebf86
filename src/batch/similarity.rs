//! Similarity between submissions, as in MOSS (Schleimer, Wilkerson, Aiken 2003, "Winnowing:
//! local algorithms for document fingerprinting").
//!
//! A submission is lexed and normalised (every name one token, every literal one token per kind,
//! no comments, blank lines, indentation, docstrings or grouping parentheses), cut into segments
//! at each `def`, `class` or decorator, hashed as overlapping k-grams of tokens within a segment,
//! and winnowed: in every window of [`WINDOW`] consecutive k-gram hashes the minimum is kept.
//! Any stretch of at least `KGRAM + WINDOW - 1` tokens of one definition that two submissions
//! share therefore yields a shared fingerprint, whatever the names, layout, comments or order of
//! the functions. k-grams of the challenge's starter code (a [`Template`]) are never
//! fingerprints.
//!
//! [`pairs`] compares fingerprint sets through an inverted index, ignores fingerprints much of a
//! big batch shares (idioms, not evidence), and reports pairs whose smaller member is mostly
//! found in the other, with the matching line ranges.
//!
//! Hashes are FNV-1a 64 over fixed byte strings: the same on every run and machine, so
//! [`Fingerprints`] can be stored and compared later. Bump [`FINGERPRINT_VERSION`] when the
//! normalisation, [`KGRAM`] or [`WINDOW`] change, as stored fingerprints are then incomparable.
//!
//! Calibration (the `calibrate` test prints it): with k = 12 and w = 4, hand-disguised copies of
//! fixtures (renamed, reformatted, reordered, comments changed) score 0.96 and 0.99, independent
//! correct fixtures at most 0.48.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use rustpython_parser::lexer::lex;
use rustpython_parser::{Mode, StringKind, Tok};
use serde::{Deserialize, Serialize};

use super::model::{Match, SimilarPair};

/// Tokens per k-gram. Shorter k-grams make independent answers look alike (every name is the
/// same token); longer ones miss short copied functions.
pub const KGRAM: usize = 12;
/// k-gram hashes per winnowing window.
pub const WINDOW: usize = 4;
/// Changes whenever fingerprints of the same source would change (stored ones are then stale).
pub const FINGERPRINT_VERSION: u32 = 1;

/// A submission's selected fingerprints: `(hash, 1-based line)` in source order, the line being
/// that of the k-gram's first token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    pub marks: Vec<(u64, u32)>,
}

/// Code every candidate was given (starter code, an interviewer's template): never evidence.
/// Holds every k-gram hash of that code, not only the winnowed ones.
#[derive(Clone, Debug, Default)]
pub struct Template {
    hashes: HashSet<u64>,
}

impl Template {
    /// The template made of `sources` (each lexed on its own).
    pub fn new(sources: &[&str]) -> Template {
        Template::with_k(sources, KGRAM)
    }

    fn with_k(sources: &[&str], k: usize) -> Template {
        let mut hashes = HashSet::new();
        for source in sources {
            let tokens = normalise(source);
            for segment in segments(&tokens) {
                hashes.extend(kgrams(segment, k).map(|(hash, _)| hash));
            }
        }
        Template { hashes }
    }
}

/// Settings for [`pairs`]; the defaults are calibrated on the fixtures (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Report pairs at or above this score (0.0 to 1.0).
    pub threshold: f64,
    /// A pair must share at least this many distinct fingerprints: a few lines in common (a
    /// one-line body of a tiny starter) are no evidence.
    pub min_shared: usize,
    /// A fingerprint held by more than `max(common_min, common_share × batch size)` submissions
    /// is common code, not evidence, and is ignored (in scores and matches alike). With the
    /// defaults a batch of up to 100 ignores only what more than 10 submissions share, so small
    /// batches of 2 to 5 ignore nothing.
    pub common_share: f64,
    /// See `common_share`.
    pub common_min: usize,
    /// At most this many matching regions per pair (the largest ones).
    pub max_matches: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: 0.7,
            min_shared: 10,
            common_share: 0.1,
            common_min: 10,
            max_matches: 20,
        }
    }
}

/// The fingerprints of `source`, without any k-gram of `template`. Never panics; on a lexing
/// error, the tokens before it count.
pub fn fingerprint(source: &str, template: &Template) -> Fingerprints {
    fingerprint_with(source, template, KGRAM, WINDOW)
}

fn fingerprint_with(source: &str, template: &Template, k: usize, w: usize) -> Fingerprints {
    let tokens = normalise(source);
    let mut marks = Vec::new();
    for segment in segments(&tokens) {
        let grams: Vec<(u64, u32)> = kgrams(segment, k)
            .filter(|(hash, _)| !template.hashes.contains(hash))
            .collect();
        marks.extend(winnow(&grams, w));
    }
    Fingerprints { marks }
}

// ---------------------------------------------------------------------------------------------
// Hashing

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

const fn fnv(mut hash: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(FNV_PRIME);
        i += 1;
    }
    hash
}

const fn code(text: &str) -> u64 {
    fnv(FNV_OFFSET, text.as_bytes())
}

const NAME: u64 = code("<name>");
const INT: u64 = code("<int>");
const FLOAT: u64 = code("<float>");
const COMPLEX: u64 = code("<complex>");
const STR: u64 = code("<str>");
const FSTR: u64 = code("<fstring>");
const BYTES: u64 = code("<bytes>");
const NEWLINE: u64 = code("Newline");
const INDENT: u64 = code("Indent");
const DEDENT: u64 = code("Dedent");

// ---------------------------------------------------------------------------------------------
// Normalised tokens

/// What the normalisation needs to know of a token beyond its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Name,
    Str,
    Newline,
    Indent,
    Dedent,
    Colon,
    Comma,
    Lpar,
    Rpar,
    Rsqb,
    Rbrace,
    /// `def`, `class`, `@` (a decorator): where a definition may start.
    Header,
    Async,
    Other,
}

/// One token: its code, kind and 1-based line.
#[derive(Clone, Copy, Debug)]
struct Token {
    code: u64,
    kind: Kind,
    line: u32,
}

/// The normalised token stream of `source`: names and literals abstracted, string-only
/// statements (docstrings) dropped, layout made uniform (see [`uniform_layout`]).
fn normalise(source: &str) -> Vec<Token> {
    let mut lines = LineIndex::new(source);
    let mut text = String::new();
    let mut tokens = Vec::new();
    for item in lex(source, Mode::Module) {
        let Ok((tok, range)) = item else { break };
        if let Some((code, kind)) = classify(&tok, &mut text) {
            let line = lines.line(usize::from(range.start()));
            tokens.push(Token { code, kind, line });
        }
    }
    uniform_layout(drop_string_statements(tokens))
}

/// The code and kind of a token, or `None` for a token that carries nothing (end of file,
/// comments and non-logical newlines should the lexer ever report them).
fn classify(tok: &Tok, text: &mut String) -> Option<(u64, Kind)> {
    let found = match tok {
        Tok::Name { .. } => (NAME, Kind::Name),
        Tok::Int { .. } => (INT, Kind::Other),
        Tok::Float { .. } => (FLOAT, Kind::Other),
        Tok::Complex { .. } => (COMPLEX, Kind::Other),
        Tok::String { kind, .. } => (string_code(*kind), Kind::Str),
        Tok::Newline | Tok::Semi => (NEWLINE, Kind::Newline),
        Tok::Indent => (INDENT, Kind::Indent),
        Tok::Dedent => (DEDENT, Kind::Dedent),
        Tok::EndOfFile => return None,
        other => {
            text.clear();
            write!(text, "{other}").ok()?;
            if text.starts_with('#') || text == "NonLogicalNewline" {
                return None;
            }
            (code(text), punctuation(other))
        }
    };
    Some(found)
}

fn punctuation(tok: &Tok) -> Kind {
    match tok {
        Tok::Colon => Kind::Colon,
        Tok::Comma => Kind::Comma,
        Tok::Lpar => Kind::Lpar,
        Tok::Rpar => Kind::Rpar,
        Tok::Rsqb => Kind::Rsqb,
        Tok::Rbrace => Kind::Rbrace,
        Tok::Def | Tok::Class | Tok::At => Kind::Header,
        Tok::Async => Kind::Async,
        _ => Kind::Other,
    }
}

fn string_code(kind: StringKind) -> u64 {
    if kind.is_any_bytes() {
        BYTES
    } else if kind.is_any_fstring() {
        FSTR
    } else {
        STR
    }
}

/// Drops statements made only of string literals (docstrings, commented-out code in quotes).
fn drop_string_statements(tokens: Vec<Token>) -> Vec<Token> {
    let is_string = |t: &Token| t.kind == Kind::Str;
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let at_start = i == 0
            || matches!(
                tokens[i - 1].kind,
                Kind::Newline | Kind::Indent | Kind::Dedent
            );
        if at_start && is_string(&tokens[i]) {
            let end = i + tokens[i..].iter().take_while(|t| is_string(t)).count();
            match tokens.get(end) {
                None => break,
                Some(t) if t.kind == Kind::Newline => {
                    i = end + 1;
                    continue;
                }
                Some(_) => {}
            }
        }
        out.push(tokens[i]);
        i += 1;
    }
    out
}

/// Makes layout choices alike: no indents or dedents, no newline after a block's colon (so
/// `if x: y` and the two-line form agree), no grouping parentheses (a `(` not after a name or a
/// closing bracket, and its `)`), no trailing comma before a closing bracket, one string for
/// implicitly concatenated ones.
fn uniform_layout(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut kept_parens: Vec<bool> = Vec::new();
    let mut prev = Kind::Newline;
    for token in tokens {
        let before = std::mem::replace(&mut prev, token.kind);
        let keep = match token.kind {
            Kind::Indent | Kind::Dedent => false,
            Kind::Newline => out
                .last()
                .is_some_and(|t| !matches!(t.kind, Kind::Colon | Kind::Newline)),
            Kind::Lpar => {
                let call = matches!(before, Kind::Name | Kind::Rpar | Kind::Rsqb);
                kept_parens.push(call);
                call
            }
            Kind::Rpar => kept_parens.pop().unwrap_or(true),
            // Implicitly concatenated strings are one literal.
            Kind::Str => before != Kind::Str,
            _ => true,
        };
        if !keep {
            continue;
        }
        let closing = matches!(token.kind, Kind::Rpar | Kind::Rsqb | Kind::Rbrace);
        if closing && out.last().is_some_and(|t| t.kind == Kind::Comma) {
            out.pop();
        }
        out.push(token);
    }
    out
}

/// Byte offset to 1-based line, for offsets asked in increasing order.
struct LineIndex<'a> {
    source: &'a [u8],
    offset: usize,
    line: u32,
}

impl<'a> LineIndex<'a> {
    fn new(source: &'a str) -> Self {
        LineIndex {
            source: source.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line(&mut self, offset: usize) -> u32 {
        let end = offset.min(self.source.len());
        if end > self.offset {
            let newlines = self.source[self.offset..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            self.offset = end;
        }
        self.line
    }
}

// ---------------------------------------------------------------------------------------------
// k-grams and winnowing

/// The token stream cut before every definition (`def`, `async def`, `class`, decorator) that
/// starts a statement: k-grams and windows stay within a segment, so reordering functions or
/// methods leaves the fingerprints of each unchanged.
fn segments(tokens: &[Token]) -> Vec<&[Token]> {
    let mut cuts = vec![0];
    for i in 1..tokens.len() {
        let after_newline = tokens[i - 1].kind == Kind::Newline;
        let header = match tokens[i].kind {
            Kind::Header => true,
            Kind::Async => tokens.get(i + 1).is_some_and(|t| t.kind == Kind::Header),
            _ => false,
        };
        if after_newline && header {
            cuts.push(i);
        }
    }
    cuts.push(tokens.len());
    cuts.windows(2).map(|c| &tokens[c[0]..c[1]]).collect()
}

/// `(hash, line of first token)` of every k-gram, in order.
fn kgrams(tokens: &[Token], k: usize) -> impl Iterator<Item = (u64, u32)> + '_ {
    tokens.windows(k.max(1)).map(|gram| {
        let hash = gram
            .iter()
            .fold(FNV_OFFSET, |h, t| fnv(h, &t.code.to_le_bytes()));
        (hash, gram[0].line)
    })
}

/// Robust winnowing: in every window of `w` hashes, the minimum; on a tie the one already
/// selected while it is in the window, else the rightmost. Each selected position is recorded
/// once; fewer than `w` hashes make one window.
fn winnow(grams: &[(u64, u32)], w: usize) -> Vec<(u64, u32)> {
    let w = w.clamp(1, grams.len().max(1));
    let mut marks = Vec::new();
    let mut min: Option<usize> = None;
    let mut selected: Option<usize> = None;
    for end in (w - 1)..grams.len() {
        let start = end + 1 - w;
        min = match min {
            Some(m) if m >= start => Some(if grams[end].0 < grams[m].0 { end } else { m }),
            _ => rightmost_min(grams, start, end),
        };
        if min != selected {
            selected = min;
            if let Some(m) = min {
                marks.push(grams[m]);
            }
        }
    }
    marks
}

fn rightmost_min(grams: &[(u64, u32)], start: usize, end: usize) -> Option<usize> {
    (start..=end).rev().min_by_key(|&i| grams[i].0)
}

// ---------------------------------------------------------------------------------------------
// Pairs

/// The batch's fingerprints, indexed.
struct Index {
    /// Each submission's distinct hashes, sorted.
    distinct: Vec<Vec<u64>>,
    /// Hash to the submissions holding it, ascending.
    postings: HashMap<u64, Vec<u32>>,
    /// A hash held by more submissions than this is ignored.
    limit: usize,
}

impl Index {
    fn new(items: &[(&str, &Fingerprints)], options: &Options) -> Index {
        let distinct: Vec<Vec<u64>> = items.iter().map(|(_, fp)| distinct(fp)).collect();
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, hashes) in distinct.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            for &hash in hashes {
                postings.entry(hash).or_default().push(i);
            }
        }
        let share = (options.common_share * items.len() as f64).floor();
        let limit = options.common_min.max(share as usize);
        Index {
            distinct,
            postings,
            limit,
        }
    }

    /// The submissions holding `hash`, or nothing when it is too common to count.
    fn holders(&self, hash: u64) -> &[u32] {
        match self.postings.get(&hash) {
            Some(list) if list.len() <= self.limit => list,
            _ => &[],
        }
    }

    /// How many of submission `i`'s distinct hashes count.
    fn counted(&self, i: usize) -> usize {
        self.distinct[i]
            .iter()
            .filter(|&&h| !self.holders(h).is_empty())
            .count()
    }
}

fn distinct(fp: &Fingerprints) -> Vec<u64> {
    let mut hashes: Vec<u64> = fp.marks.iter().map(|&(hash, _)| hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// The pairs of `items` (`(path, fingerprints)`) that look alike, most alike first, then by
/// paths. The score is the share of the smaller submission's counted distinct fingerprints found
/// in the other; fingerprints held by too much of the batch (see [`Options`]) do not count.
pub fn pairs(items: &[(&str, &Fingerprints)], options: &Options) -> Vec<SimilarPair> {
    let index = Index::new(items, options);
    let counted: Vec<usize> = (0..items.len()).map(|i| index.counted(i)).collect();
    let mut shared = vec![0usize; items.len()];
    let mut found = Vec::new();
    for i in 0..items.len() {
        let touched = count_shared(&index, i, &mut shared);
        for j in touched {
            let common = std::mem::take(&mut shared[j]);
            let smaller = counted[i].min(counted[j]).max(1);
            let score = common as f64 / smaller as f64;
            if common >= options.min_shared && score >= options.threshold {
                found.push(pair(items, &index, (i, j), score, options));
            }
        }
    }
    found.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    found
}

/// Counts in `shared[j]` the counted hashes submission `i` shares with each `j > i`; returns
/// the `j`s touched, ascending.
fn count_shared(index: &Index, i: usize, shared: &mut [usize]) -> Vec<usize> {
    let mut touched = Vec::new();
    for &hash in &index.distinct[i] {
        let holders = index.holders(hash);
        let after = holders.partition_point(|&j| (j as usize) <= i);
        for &j in &holders[after..] {
            let j = j as usize;
            if shared[j] == 0 {
                touched.push(j);
            }
            shared[j] += 1;
        }
    }
    touched.sort_unstable();
    touched
}

/// The reported pair of submissions `i` and `j`, ordered by path.
fn pair(
    items: &[(&str, &Fingerprints)],
    index: &Index,
    (i, j): (usize, usize),
    score: f64,
    options: &Options,
) -> SimilarPair {
    let (a, b) = if items[j].0 < items[i].0 {
        (j, i)
    } else {
        (i, j)
    };
    let common: HashSet<u64> = index.distinct[a]
        .iter()
        .copied()
        .filter(|&h| index.holders(h).binary_search(&(b as u32)).is_ok())
        .collect();
    SimilarPair {
        a: items[a].0.to_string(),
        b: items[b].0.to_string(),
        score,
        matches: matches(items[a].1, items[b].1, &common, options.max_matches),
    }
}

// ---------------------------------------------------------------------------------------------
// Matching regions

/// Lines apart (in either file) within which shared fingerprints belong to the same region.
const REGION_GAP: u32 = 4;

#[derive(Clone, Copy, Debug)]
struct Region {
    a: [u32; 2],
    b: [u32; 2],
    /// Line of the last fingerprint added in b.
    b_last: u32,
    marks: usize,
}

impl Region {
    fn new(a: u32, b: u32) -> Region {
        Region {
            a: [a, a],
            b: [b, b],
            b_last: b,
            marks: 1,
        }
    }

    fn accepts(&self, a: u32, b: u32) -> bool {
        a.saturating_sub(self.a[1]) <= REGION_GAP && b.abs_diff(self.b_last) <= REGION_GAP
    }

    fn add(&mut self, a: u32, b: u32) {
        self.a = [self.a[0].min(a), self.a[1].max(a)];
        self.b = [self.b[0].min(b), self.b[1].max(b)];
        self.b_last = b;
        self.marks += 1;
    }

    /// Whether `other` (later in a) overlaps or touches this region in both files.
    fn touches(&self, other: &Region) -> bool {
        let near = |x: [u32; 2], y: [u32; 2]| y[0] <= x[1].saturating_add(1) && x[0] <= y[1] + 1;
        near(self.a, other.a) && near(self.b, other.b)
    }

    fn merge(&mut self, other: &Region) {
        self.a = [self.a[0].min(other.a[0]), self.a[1].max(other.a[1])];
        self.b = [self.b[0].min(other.b[0]), self.b[1].max(other.b[1])];
        self.b_last = other.b_last;
        self.marks += other.marks;
    }
}

/// The regions of `a` found in `b` through the `common` hashes, in a's order, at most `max`
/// (the ones with most fingerprints).
fn matches(a: &Fingerprints, b: &Fingerprints, common: &HashSet<u64>, max: usize) -> Vec<Match> {
    let mut in_b: HashMap<u64, Vec<u32>> = HashMap::new();
    for &(hash, line) in b.marks.iter().filter(|(h, _)| common.contains(h)) {
        in_b.entry(hash).or_default().push(line);
    }
    in_b.values_mut().for_each(|lines| lines.sort_unstable());
    let mut regions: Vec<Region> = Vec::new();
    for &(hash, a_line) in &a.marks {
        let Some(lines) = in_b.get(&hash) else {
            continue;
        };
        let b_line = nearest(lines, regions.last().map_or(0, |r| r.b_last));
        match regions.last_mut() {
            Some(r) if r.accepts(a_line, b_line) => r.add(a_line, b_line),
            _ => regions.push(Region::new(a_line, b_line)),
        }
    }
    keep_largest(merge_regions(regions), max)
        .iter()
        .map(|r| Match {
            a_lines: r.a,
            b_lines: r.b,
        })
        .collect()
}

/// The line of `lines` (sorted) closest to `to`, the lower on a tie.
fn nearest(lines: &[u32], to: u32) -> u32 {
    let i = lines.partition_point(|&l| l < to);
    let below = i.checked_sub(1).and_then(|i| lines.get(i));
    [below, lines.get(i)]
        .into_iter()
        .flatten()
        .copied()
        .min_by_key(|l| l.abs_diff(to))
        .unwrap_or(1)
}

fn merge_regions(regions: Vec<Region>) -> Vec<Region> {
    let mut merged: Vec<Region> = Vec::with_capacity(regions.len());
    for region in regions {
        match merged.last_mut() {
            Some(last) if last.touches(&region) => last.merge(&region),
            _ => merged.push(region),
        }
    }
    merged
}

/// The `max` regions with most fingerprints (earlier first on ties), back in a's order.
fn keep_largest(regions: Vec<Region>, max: usize) -> Vec<Region> {
    if regions.len() <= max {
        return regions;
    }
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(regions[i].marks), i));
    order.truncate(max);
    order.sort_unstable();
    order.into_iter().map(|i| regions[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    const CHALLENGES: [&str; 5] = [
        "change_dir",
        "group_anagrams",
        "lru_cache",
        "memoize_ttl",
        "pipeline",
    ];

    /// (fixture, hand-disguised copy, challenge).
    const DISGUISED: [(&str, &str, &str); 2] = [
        (
            "fixtures/lru_cache/pass/doubly_linked_list_sentinels.py",
            "tests/data/similarity/lru_cache_disguised.py",
            "lru_cache",
        ),
        (
            "fixtures/group_anagrams/pass/class_based_grouper.py",
            "tests/data/similarity/group_anagrams_disguised.py",
            "group_anagrams",
        ),
    ];

    /// Pairs of fixtures that are genuinely near-copies, not independent answers.
    /// `dataclass_nodes.py` and `doubly_linked_list_sentinels.py` differ only in how the node
    /// class is declared (a dataclass against `__slots__`) and one local's name: their
    /// `LRUCache` classes are token for token the same.
    const NEAR_COPIES: [(&str, &str); 1] = [(
        "fixtures/lru_cache/pass/dataclass_nodes.py",
        "fixtures/lru_cache/pass/doubly_linked_list_sentinels.py",
    )];

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    fn read(relative: &str) -> String {
        std::fs::read_to_string(root().join(relative)).expect("fixture readable")
    }

    fn starter(challenge: &str) -> String {
        let text = read(&format!("challenges/{challenge}/challenge.toml"));
        let table: toml::Table = toml::from_str(&text).expect("challenge.toml parses");
        table["starter"].as_str().expect("starter").to_string()
    }

    /// `fixtures/<challenge>/pass/*.py`, relative to the crate, sorted.
    fn passing(challenge: &str) -> Vec<String> {
        let dir: PathBuf = root().join(format!("fixtures/{challenge}/pass"));
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("fixture folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".py"))
            .map(|name| format!("fixtures/{challenge}/pass/{name}"))
            .collect();
        files.sort();
        files
    }

    fn items(
        sources: &[(String, String)],
        template: &str,
        k: usize,
        w: usize,
    ) -> Vec<(String, Fingerprints)> {
        let template = Template::with_k(&[template], k);
        sources
            .iter()
            .map(|(p, s)| (p.clone(), fingerprint_with(s, &template, k, w)))
            .collect()
    }

    fn score_all(fps: &[(String, Fingerprints)]) -> Vec<SimilarPair> {
        let items: Vec<(&str, &Fingerprints)> = fps.iter().map(|(p, f)| (p.as_str(), f)).collect();
        let options = Options {
            threshold: 0.0,
            min_shared: 0,
            ..Options::default()
        };
        pairs(&items, &options)
    }

    fn shared_count(a: &Fingerprints, b: &Fingerprints) -> usize {
        let b = distinct(b);
        distinct(a)
            .iter()
            .filter(|h| b.binary_search(h).is_ok())
            .count()
    }

    #[test]
    #[ignore = "calibration: prints scores for several k and w"]
    #[allow(clippy::print_stderr)]
    fn calibrate() {
        for k in [6, 8, 10, 12, 14, 16, 20] {
            for w in [3, 4, 5, 6, 8, 10] {
                let mut line = format!("k={k:2} w={w:2}");
                for (orig, copy, challenge) in DISGUISED {
                    let sources = [orig, copy].map(|p| (p.to_string(), read(p)));
                    let fps = items(&sources, &starter(challenge), k, w);
                    let n: Vec<usize> = fps.iter().map(|(_, f)| distinct(f).len()).collect();
                    let best = score_all(&fps).first().map_or(0.0, |p| p.score);
                    let shared = shared_count(&fps[0].1, &fps[1].1);
                    line += &format!(" | copy {best:.2} {shared}/{n:?}");
                }
                let mut worst = (0.0, String::new());
                for challenge in CHALLENGES {
                    let sources: Vec<(String, String)> = passing(challenge)
                        .iter()
                        .map(|p| (p.clone(), read(p)))
                        .collect();
                    let fps = items(&sources, &starter(challenge), k, w);
                    for p in score_all(&fps) {
                        let near = NEAR_COPIES.iter().any(|&(x, y)| p.a == x && p.b == y);
                        if !near && p.score > worst.0 {
                            let f = |x: &str| &fps.iter().find(|(p, _)| p == x).expect("item").1;
                            let shared = shared_count(f(&p.a), f(&p.b));
                            let n = [f(&p.a), f(&p.b)].map(|x| distinct(x).len());
                            let name = |x: &str| x.rsplit('/').next().unwrap_or("").to_string();
                            worst = (
                                p.score,
                                format!("{shared}/{n:?} {} {}", name(&p.a), name(&p.b)),
                            );
                        }
                    }
                }
                eprintln!("{line} | independent max {:.2} {}", worst.0, worst.1);
            }
        }
    }

    fn fingerprints_of(
        sources: &[(&str, String)],
        template: &Template,
    ) -> Vec<(String, Fingerprints)> {
        sources
            .iter()
            .map(|(p, s)| (p.to_string(), fingerprint(s, template)))
            .collect()
    }

    fn flagged(fps: &[(String, Fingerprints)]) -> Vec<SimilarPair> {
        let items: Vec<(&str, &Fingerprints)> = fps.iter().map(|(p, f)| (p.as_str(), f)).collect();
        pairs(&items, &Options::default())
    }

    fn codes(source: &str) -> Vec<u64> {
        normalise(source).iter().map(|t| t.code).collect()
    }

    #[test]
    fn disguised_copies_are_flagged() {
        for (orig, copy, challenge) in DISGUISED {
            let template = Template::new(&[&starter(challenge)]);
            let sources = [(orig, read(orig)), (copy, read(copy))];
            let found = flagged(&fingerprints_of(&sources, &template));
            assert_eq!(found.len(), 1, "{orig} and its disguised copy: {found:?}");
            let pair = &found[0];
            assert_eq!((pair.a.as_str(), pair.b.as_str()), (orig, copy));
            assert!(pair.score >= Options::default().threshold && pair.score <= 1.0);
            assert!(!pair.matches.is_empty() && pair.matches.len() <= 20);
            let lines = sources.map(|(_, s)| s.lines().count() as u32);
            for m in &pair.matches {
                for (range, count) in [(m.a_lines, lines[0]), (m.b_lines, lines[1])] {
                    assert!(
                        1 <= range[0] && range[0] <= range[1] && range[1] <= count,
                        "{m:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn independent_answers_are_not_flagged() {
        for challenge in CHALLENGES {
            let template = Template::new(&[&starter(challenge)]);
            let paths = passing(challenge);
            let sources: Vec<(&str, String)> =
                paths.iter().map(|p| (p.as_str(), read(p))).collect();
            assert!(sources.len() >= 5, "{challenge}: too few fixtures");
            let found: Vec<SimilarPair> = flagged(&fingerprints_of(&sources, &template))
                .into_iter()
                .filter(|p| !NEAR_COPIES.contains(&(p.a.as_str(), p.b.as_str())))
                .collect();
            assert!(found.is_empty(), "{challenge}: {found:?}");
        }
    }

    #[test]
    fn starter_code_is_not_evidence() {
        let bodies = [
            (
                "pipeline",
                "return lambda x: functools.reduce(lambda a, f: f(a), funcs, x)",
            ),
            (
                "group_anagrams",
                "return list(collect(words, key=lambda w: sorted(w.lower())))",
            ),
            ("lru_cache", "return self.entries.get(key, -1)"),
        ];
        for (challenge, body) in bodies {
            let starter = starter(challenge);
            let template = Template::new(&[&starter]);
            assert!(fingerprint(&starter, &template).marks.is_empty());
            let answer = starter.replacen("...", body, 1);
            let sources = [("a.py", answer.clone()), ("b.py", answer)];
            let found = flagged(&fingerprints_of(&sources, &template));
            assert!(found.is_empty(), "{challenge}: {found:?}");
        }
    }

    #[test]
    fn template_code_is_not_evidence() {
        // An interviewer's template: a whole answer, given to everyone, where each adds a line.
        let given = read("fixtures/lru_cache/pass/circular_list_single_root.py");
        let edit = |line: &str| given.replacen("\n\n", &format!("\n\n{line}\n"), 1);
        let sources = [("a.py", edit("LIMIT = 10")), ("b.py", edit("import sys"))];
        let template = Template::new(&["x = 1", &given]);
        assert!(flagged(&fingerprints_of(&sources, &template)).is_empty());
        assert_eq!(
            flagged(&fingerprints_of(&sources, &Template::default())).len(),
            1
        );
    }

    #[test]
    fn empty_and_trivial_sources_have_no_fingerprints() {
        for source in [
            "",
            "\n\n\n",
            "# only a comment\n",
            "   ",
            "'''docstring only'''\n",
            "x = 1\n",
        ] {
            assert!(
                fingerprint(source, &Template::default()).marks.is_empty(),
                "{source:?}"
            );
        }
    }

    /// Deterministic pseudo-random numbers (no seeded hasher, no dependency).
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    fn hostile_sources() -> Vec<String> {
        const BIG: usize = 256 * 1024;
        let mut state = 7;
        let bytes: Vec<u8> = (0..BIG).map(|_| lcg(&mut state) as u8).collect();
        let fixture = read("fixtures/lru_cache/pass/circular_list_single_root.py");
        vec![
            String::from_utf8_lossy(&bytes).into_owned(),
            "\0\0\u{7}\u{feff}\u{c}x = 1\n".into(),
            "'''never closed\n".into(),
            "x = \"\\\n".into(),
            "def f(:\n\tx\n  y\n        z\n".into(),
            "(".repeat(BIG),
            ")]}".repeat(BIG / 3),
            "- ".repeat(BIG / 2),
            "1".repeat(BIG),
            "a".repeat(BIG),
            format!("x = f'{{f\"{{y!r:>{{z}}}}\"}}'\n{}", "\"".repeat(BIG - 20)),
            (0..1000)
                .map(|i| format!("{}if x:\n", " ".repeat(i)))
                .collect(),
            fixture.repeat(BIG / fixture.len()),
            "x = 1\ny = $ 2\n".repeat(BIG / 16),
            "x = 1\n".repeat(BIG / 6),
            "def f(): pass\n".repeat(BIG / 14),
        ]
    }

    #[test]
    fn hostile_sources_do_not_panic() {
        let fps: Vec<(String, Fingerprints)> = hostile_sources()
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("h{i:02}"), fingerprint(s, &Template::new(&[s]))))
            .collect();
        let copies: Vec<(String, Fingerprints)> = hostile_sources()
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("c{i:02}"), fingerprint(s, &Template::default())))
            .collect();
        let all: Vec<(String, Fingerprints)> = fps.into_iter().chain(copies).collect();
        for pair in flagged(&all) {
            assert!(pair.matches.len() <= 20);
        }
    }

    #[test]
    fn tokens_before_a_lexing_error_count() {
        let fixture = read("fixtures/lru_cache/pass/circular_list_single_root.py");
        let broken = format!("{fixture}\nx = $ 'unclosed\n");
        let sources = [("a.py", fixture), ("b.py", broken)];
        let found = flagged(&fingerprints_of(&sources, &Template::default()));
        assert_eq!(found.len(), 1);
        assert!(found[0].score > 0.95);
    }

    #[test]
    fn layout_names_and_docstrings_do_not_matter() {
        let same = [
            ("x = (a + b)\n", "total=first+second\n"),
            ("if x: y()\n", "if cond:\n\n    # comment\n    go()\n"),
            ("f(a, b,)\n", "g(\n    c,\n    d\n)\n"),
            ("x = [\n    1,\n    2,\n]\n", "y = [3, 4]\n"),
            ("a = 1; b = 2\n", "c = 3\nd = 4\n"),
            (
                "def f():\n    '''Doc.'''\n    return 1\n",
                "def g():\n    return 2\n",
            ),
            ("s = 'a' 'b'\n", "t = \"c\"\n"),
            ("return (x, y)\n", "return x, y\n"),
        ];
        for (a, b) in same {
            assert_eq!(codes(a), codes(b), "{a:?} against {b:?}");
        }
        let different = [
            ("f(x)\n", "f[x]\n"),
            ("x = 1\n", "x = 1.0\n"),
            ("x = 's'\n", "x = b's'\n"),
        ];
        for (a, b) in different {
            assert_ne!(codes(a), codes(b), "{a:?} against {b:?}");
        }
    }

    #[test]
    fn reordered_definitions_keep_their_fingerprints() {
        let one = "def f(a):\n    return [g(x) + 1 for x in a if x]\n\n\ndef h(b):\n    while b:\n        b = b.next(1, 2)\n    return b\n";
        let two = "def h(c):\n    while c:\n        c = c.next(1, 2)\n    return c\n\ndef f(d):\n    return [g(y) + 1 for y in d if y]\n";
        let hashes = |s: &str| distinct(&fingerprint(s, &Template::default()));
        assert!(!hashes(one).is_empty());
        assert_eq!(hashes(one), hashes(two));
    }

    #[test]
    fn hashes_are_fixed() {
        // FNV-1a 64 of "a": the hash is the published one, not a seeded one.
        assert_eq!(code("a"), 0xaf63_dc4c_8601_ec8c);
        let source = "def f(a):\n    return [g(x) + 1 for x in a if x]\n";
        let fp = fingerprint(source, &Template::default());
        assert_eq!(fp.marks.first(), Some(&(GOLDEN, 1)), "{:#x}", fp.marks[0].0);
        let json = serde_json::to_string(&fp).expect("serialises");
        assert_eq!(
            serde_json::from_str::<Fingerprints>(&json).expect("parses"),
            fp
        );
    }

    const GOLDEN: u64 = 0x4341_2711_e559_6f02;

    fn synthetic(state: &mut u64, pool: u64, count: usize) -> Fingerprints {
        let marks = (0..count)
            .map(|i| (lcg(state) % pool, i as u32 / 3 + 1))
            .collect();
        Fingerprints { marks }
    }

    #[test]
    fn pairs_are_ordered_and_common_fingerprints_ignored() {
        let fixture = read("fixtures/lru_cache/pass/circular_list_single_root.py");
        let fp = fingerprint(&fixture, &Template::default());
        let paths = ["c.py", "a.py", "b.py"];
        let items: Vec<(&str, &Fingerprints)> = paths.iter().map(|p| (*p, &fp)).collect();
        let found = pairs(&items, &Options::default());
        let names: Vec<(&str, &str)> = found.iter().map(|p| (p.a.as_str(), p.b.as_str())).collect();
        assert_eq!(
            names,
            [("a.py", "b.py"), ("a.py", "c.py"), ("b.py", "c.py")]
        );
        assert!(found.iter().all(|p| p.score == 1.0));
        // Twelve identical answers: every fingerprint is in more than ten of them, so none counts.
        let paths: Vec<String> = (0..12).map(|i| format!("{i:02}.py")).collect();
        let items: Vec<(&str, &Fingerprints)> = paths.iter().map(|p| (p.as_str(), &fp)).collect();
        assert!(pairs(&items, &Options::default()).is_empty());
    }

    #[test]
    fn a_thousand_submissions_with_one_copy_give_one_pair() {
        // (Speed is for benchmarks, not tests: this only checks what a big batch finds.)
        let mut state = 1;
        let mut fps: Vec<Fingerprints> = (0..1000)
            .map(|_| synthetic(&mut state, 50_000, 300))
            .collect();
        fps[999] = fps[3].clone();
        let paths: Vec<String> = (0..1000).map(|i| format!("{i:04}.py")).collect();
        let items: Vec<(&str, &Fingerprints)> =
            paths.iter().map(String::as_str).zip(&fps).collect();
        let found = pairs(&items, &Options::default());
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].a.as_str(), found[0].b.as_str()),
            ("0003.py", "0999.py")
        );
        assert!(found[0].matches.len() <= 20);
    }
}
