//! How large a [`Value`] may be: the budget the worker's converter enforces on a result, that the
//! grader enforces again on receipt, and whose half the loader enforces on expected values (so a
//! correct answer always fits).
//!
//! At the limits a value is about 15 MB as host values; with one frame and the expected value, the
//! grader stays well under 100 MB whatever a submission (or a broken worker) sends.

use super::Value;

/// Deepest nesting converted; deeper parts of a result are opaque.
pub const MAX_DEPTH: usize = 100;
/// Most values (containers and scalars, dict keys and values) converted in one result.
pub const MAX_NODES: usize = 200_000;
/// Most text (str and bytes payloads, int digits) converted in one result.
pub const MAX_TEXT_BYTES: usize = 4 << 20;

/// The size of a value, counted as the converter counts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    pub nodes: usize,
    pub text_bytes: usize,
    /// Levels on the longest path from the root to a leaf (a scalar is 1 deep).
    pub depth: usize,
}

impl Value {
    /// Counts the value without recursion, giving up (returning `None`) once any count passes
    /// its bound in `within`, so a huge value costs no more than the bound to reject.
    pub fn size_within(&self, within: Size) -> Option<Size> {
        let mut size = Size::default();
        let mut todo: Vec<(&Value, usize)> = vec![(self, 1)];
        while let Some((value, depth)) = todo.pop() {
            size.nodes += 1;
            size.depth = size.depth.max(depth);
            size.text_bytes += match value {
                Value::Int(text) | Value::Str(text) | Value::Opaque(text) => text.len(),
                Value::Bytes(bytes) => bytes.len(),
                _ => 0,
            };
            if size.nodes > within.nodes
                || size.text_bytes > within.text_bytes
                || size.depth > within.depth
            {
                return None;
            }
            match value {
                Value::List(items)
                | Value::Tuple(items)
                | Value::Set(items)
                | Value::FrozenSet(items) => {
                    todo.extend(items.iter().map(|item| (item, depth + 1)))
                }
                Value::Dict(pairs) => {
                    for (key, item) in pairs {
                        todo.push((key, depth + 1));
                        todo.push((item, depth + 1));
                    }
                }
                _ => {}
            }
        }
        Some(size)
    }
}

/// The most a result may hold once it reaches the grader: the converter's budget plus the opaque
/// markers it leaves where it stopped (one per open container, one level below the deepest), the
/// last int it took (up to 80,000 digits), and one level for the list a script's observations or
/// an ops test's returns come in.
pub const RESULT_LIMIT: Size = Size {
    nodes: MAX_NODES + 2 * MAX_DEPTH + 8,
    text_bytes: MAX_TEXT_BYTES + (256 << 10),
    depth: MAX_DEPTH + 3,
};

/// Why an expected value cannot be used: it is larger than half the converter's budget (or deeper
/// than the converter goes), so a correct answer might not fit.
pub fn check_expected(value: &Value) -> Result<(), String> {
    let half = Size {
        nodes: MAX_NODES / 2,
        text_bytes: MAX_TEXT_BYTES / 2,
        depth: MAX_DEPTH,
    };
    match value.size_within(half) {
        Some(_) => Ok(()),
        None => Err(format!(
            "`expect` is too large: at most {} values, {} KiB of text and {} levels of nesting, \
             so that a correct answer always fits pygrade's result budget",
            half.nodes,
            half.text_bytes >> 10,
            half.depth
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, MAX_NODES, MAX_TEXT_BYTES, RESULT_LIMIT, Size, Value, check_expected};

    #[test]
    fn sizes_count_like_the_converter() {
        let value = Value::Dict(vec![(
            Value::str("ab"),
            Value::List(vec![Value::int(123), Value::Bytes(vec![0; 4])]),
        )]);
        let size = value.size_within(RESULT_LIMIT).unwrap();
        assert_eq!(
            size,
            Size {
                nodes: 5,
                text_bytes: 9,
                depth: 3
            }
        );
    }

    #[test]
    fn expected_values_over_half_the_budget_are_refused() {
        let wide = |n: usize| Value::List((0..n).map(|i| Value::int(i as i64)).collect());
        assert!(check_expected(&wide(MAX_NODES / 2 - 1)).is_ok());
        assert!(check_expected(&wide(MAX_NODES / 2)).is_err());
        assert!(check_expected(&Value::str("x".repeat(MAX_TEXT_BYTES / 2 + 1))).is_err());
        let deep = (0..MAX_DEPTH).fold(Value::None, |inner, _| Value::List(vec![inner]));
        assert!(check_expected(&deep).is_err());
        let message = check_expected(&wide(MAX_NODES)).unwrap_err();
        assert!(message.contains("100000 values"), "{message}");
    }

    #[test]
    fn a_huge_value_is_rejected_early() {
        let huge = Value::List(vec![Value::None; 10 * MAX_NODES]);
        assert_eq!(huge.size_within(RESULT_LIMIT), None);
        let deep = (0..100_000).fold(Value::None, |inner, _| Value::List(vec![inner]));
        assert_eq!(deep.size_within(RESULT_LIMIT), None);
        crate::value::dismantle(deep);
    }
}
