//! Strict host-side comparison of an expected and an actual [`Value`].
//!
//! Types must match exactly (`1`, `1.0` and `True` differ; a list is not a tuple) unless a float
//! tolerance is set, in which case ints and floats compare numerically. Dicts compare as unordered
//! maps and sets as sets, as in Python. NaN equals NaN, so an expected NaN can be written.

use std::collections::HashMap;

use super::Value;

/// Above this many element comparisons, an unordered result is shown as it came.
const MAX_ALIGN_WORK: usize = 4_000_000;

/// How a test compares its expected value with the actual one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CompareOptions {
    /// Compare the outer list or tuple as a multiset (for "groups in any order").
    pub unordered: bool,
    /// Compare floats with `math.isclose(rel_tol=tolerance, abs_tol=tolerance)`.
    pub tolerance: Option<f64>,
}

/// Whether `actual` satisfies `expected` under `options`.
pub fn matches(expected: &Value, actual: &Value, options: CompareOptions) -> bool {
    if options.unordered {
        match (expected, actual) {
            (Value::List(e), Value::List(a)) | (Value::Tuple(e), Value::Tuple(a)) => {
                multiset_equal(e, a, options.tolerance)
            }
            _ => false,
        }
    } else {
        equal(expected, actual, options.tolerance)
    }
}

/// For display only: reorders an unordered actual list so that the elements matching expected
/// ones come in the expected order and the rest follow, so that a diff shows only real
/// differences. Returns `actual` unchanged when it is not a list or tuple.
pub fn align_unordered(expected: &Value, actual: &Value, tolerance: Option<f64>) -> Value {
    let (Value::List(e) | Value::Tuple(e), Value::List(a) | Value::Tuple(a)) = (expected, actual)
    else {
        return actual.clone();
    };
    if e.len().saturating_mul(a.len()) > MAX_ALIGN_WORK {
        return actual.clone();
    }
    let mut rest: Vec<Option<&Value>> = a.iter().map(Some).collect();
    let mut aligned = Vec::with_capacity(a.len());
    for want in e {
        if let Some(slot) = rest
            .iter_mut()
            .find(|slot| slot.is_some_and(|got| equal(want, got, tolerance)))
        {
            aligned.extend(slot.take().cloned());
        }
    }
    aligned.extend(rest.into_iter().flatten().cloned());
    match actual {
        Value::Tuple(_) => Value::Tuple(aligned),
        _ => Value::List(aligned),
    }
}

fn equal(expected: &Value, actual: &Value, tolerance: Option<f64>) -> bool {
    if let Some(tol) = tolerance
        && let (Some(e), Some(a)) = (as_number(expected), as_number(actual))
    {
        return (e.is_nan() && a.is_nan()) || close(e, a, tol);
    }
    match (expected, actual) {
        (Value::None, Value::None) => true,
        (Value::Bool(e), Value::Bool(a)) => e == a,
        (Value::Int(e), Value::Int(a)) => e == a,
        (Value::Float(e), Value::Float(a)) => e == a || (e.is_nan() && a.is_nan()),
        (Value::Str(e), Value::Str(a)) => e == a,
        (Value::Bytes(e), Value::Bytes(a)) => e == a,
        (Value::List(e), Value::List(a)) | (Value::Tuple(e), Value::Tuple(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| equal(e, a, tolerance))
        }
        (Value::Set(e), Value::Set(a)) | (Value::FrozenSet(e), Value::FrozenSet(a)) => {
            multiset_equal(e, a, tolerance)
        }
        (Value::Dict(e), Value::Dict(a)) => dict_equal(e, a, tolerance),
        // An opaque value never equals anything, not even another opaque value.
        _ => false,
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Float(x) => Some(*x),
        Value::Int(digits) => digits.parse().ok(),
        _ => None,
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    a == b || (a - b).abs() <= tol.max(tol * a.abs().max(b.abs()))
}

/// Multiset equality: by sorted canonical forms without a tolerance (O(n log n), so a huge
/// result cannot stall the grader), by greedy matching with one (exact for an equivalence).
fn multiset_equal(expected: &[Value], actual: &[Value], tolerance: Option<f64>) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    if tolerance.is_none() {
        let sorted = |items: &[Value]| {
            let mut keys: Vec<String> = items.iter().map(canonical).collect();
            keys.sort_unstable();
            keys
        };
        return sorted(expected) == sorted(actual);
    }
    let mut used = vec![false; actual.len()];
    expected.iter().all(|want| {
        let found = actual
            .iter()
            .enumerate()
            .find(|(i, got)| !used[*i] && equal(want, got, tolerance))
            .map(|(i, _)| i);
        found.map(|i| used[i] = true).is_some()
    })
}

fn dict_equal(
    expected: &[(Value, Value)],
    actual: &[(Value, Value)],
    tolerance: Option<f64>,
) -> bool {
    let actual: HashMap<String, &Value> = actual.iter().map(|(k, v)| (canonical(k), v)).collect();
    expected.len() == actual.len()
        && expected.iter().all(|(key, want)| {
            actual
                .get(&canonical(key))
                .is_some_and(|got| equal(want, got, tolerance))
        })
}

/// A text that two values share exactly when they are equal without a tolerance: the repr with
/// set and dict elements sorted. Opaque values never occur in expected values, so they can share
/// a form without ever making a match.
fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    let sorted = |items: Vec<String>| {
        let mut items = items;
        items.sort_unstable();
        items.join(",")
    };
    match value {
        Value::Float(x) if *x == 0.0 => out.push_str("0.0"),
        Value::List(items) | Value::Tuple(items) => {
            out.push_str(if matches!(value, Value::List(_)) {
                "["
            } else {
                "("
            });
            for item in items {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(')');
        }
        Value::Set(items) | Value::FrozenSet(items) => {
            out.push_str(if matches!(value, Value::Set(_)) {
                "set{"
            } else {
                "frozenset{"
            });
            out.push_str(&sorted(items.iter().map(canonical).collect()));
            out.push('}');
        }
        Value::Dict(pairs) => {
            out.push_str("dict{");
            out.push_str(&sorted(
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}:{}", canonical(k), canonical(v)))
                    .collect(),
            ));
            out.push('}');
        }
        other => out.push_str(&other.repr()),
    }
}

#[cfg(test)]
mod tests {
    use super::{CompareOptions, Value, align_unordered, matches};

    fn words(items: &[&str]) -> Value {
        Value::List(items.iter().map(|w| Value::str(*w)).collect())
    }

    fn check(expected: &Value, actual: &Value, options: CompareOptions, want: bool) {
        assert_eq!(
            matches(expected, actual, options),
            want,
            "{} vs {}",
            expected.repr(),
            actual.repr()
        );
    }

    #[test]
    fn exact_is_strict_about_types() {
        let exact = CompareOptions::default();
        check(&Value::int(1), &Value::Float(1.0), exact, false);
        check(&Value::int(1), &Value::Bool(true), exact, false);
        check(
            &words(&["a"]),
            &Value::Tuple(vec![Value::str("a")]),
            exact,
            false,
        );
        check(
            &Value::Float(f64::NAN),
            &Value::Float(f64::NAN),
            exact,
            true,
        );
        check(
            &Value::Opaque("<x>".into()),
            &Value::Opaque("<x>".into()),
            exact,
            false,
        );
    }

    #[test]
    fn dicts_and_sets_ignore_order() {
        let exact = CompareOptions::default();
        let a = Value::Dict(vec![
            (Value::str("x"), Value::int(1)),
            (Value::str("y"), Value::int(2)),
        ]);
        let b = Value::Dict(vec![
            (Value::str("y"), Value::int(2)),
            (Value::str("x"), Value::int(1)),
        ]);
        check(&a, &b, exact, true);
        check(
            &Value::Set(vec![Value::int(1), Value::int(2)]),
            &Value::Set(vec![Value::int(2), Value::int(1)]),
            exact,
            true,
        );
    }

    #[test]
    fn unordered_is_a_multiset_at_the_outer_level_only() {
        let unordered = CompareOptions {
            unordered: true,
            tolerance: None,
        };
        let expected = Value::List(vec![words(&["eat", "tea"]), words(&["bat"])]);
        check(
            &expected,
            &Value::List(vec![words(&["bat"]), words(&["eat", "tea"])]),
            unordered,
            true,
        );
        check(
            &expected,
            &Value::List(vec![words(&["bat"]), words(&["tea", "eat"])]),
            unordered,
            false,
        );
        check(
            &expected,
            &Value::List(vec![words(&["bat"]), words(&["bat"])]),
            unordered,
            false,
        );
    }

    #[test]
    fn tolerance_compares_numbers() {
        let tol = CompareOptions {
            unordered: false,
            tolerance: Some(1e-9),
        };
        check(&Value::Float(0.3), &Value::Float(0.1 + 0.2), tol, true);
        check(&Value::int(3), &Value::Float(3.000_000_000_1), tol, true);
        check(&Value::Float(0.3), &Value::Float(0.31), tol, false);
    }

    #[test]
    fn canonical_forms_separate_what_equality_separates() {
        let exact = CompareOptions {
            unordered: true,
            tolerance: None,
        };
        let pairs = [
            (Value::int(1), Value::Float(1.0)),
            (Value::int(1), Value::Bool(true)),
            (Value::List(vec![]), Value::Tuple(vec![])),
            (Value::Set(vec![]), Value::FrozenSet(vec![])),
            (Value::str("a"), Value::Bytes(b"a".to_vec())),
            (Value::str("1"), Value::int(1)),
        ];
        for (a, b) in pairs {
            check(
                &Value::List(vec![a.clone()]),
                &Value::List(vec![b.clone()]),
                exact,
                false,
            );
            check(
                &Value::List(vec![a.clone()]),
                &Value::List(vec![a]),
                exact,
                true,
            );
        }
        let d1 = Value::Dict(vec![(
            Value::int(1),
            Value::Set(vec![Value::int(2), Value::int(3)]),
        )]);
        let d2 = Value::Dict(vec![(
            Value::int(1),
            Value::Set(vec![Value::int(3), Value::int(2)]),
        )]);
        check(
            &Value::List(vec![d1.clone()]),
            &Value::List(vec![d2.clone()]),
            exact,
            true,
        );
        check(
            &Value::Float(-0.0),
            &Value::Float(0.0),
            CompareOptions::default(),
            true,
        );
    }

    #[test]
    fn huge_unordered_results_compare_quickly() {
        let big: Vec<Value> = (0..200_000)
            .map(|i| Value::List(vec![Value::int(i)]))
            .collect();
        let mut shuffled = big.clone();
        shuffled.reverse();
        let start = std::time::Instant::now();
        check(
            &Value::List(big.clone()),
            &Value::List(shuffled),
            CompareOptions {
                unordered: true,
                tolerance: None,
            },
            true,
        );
        let dict = |n: i64| Value::Dict((0..n).map(|i| (Value::int(i), Value::int(i))).collect());
        check(
            &dict(100_000),
            &dict(100_000),
            CompareOptions::default(),
            true,
        );
        assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    }

    #[test]
    fn align_puts_matches_first() {
        let expected = Value::List(vec![words(&["a"]), words(&["b"])]);
        let actual = Value::List(vec![words(&["c"]), words(&["a"])]);
        assert_eq!(
            align_unordered(&expected, &actual, None).repr(),
            "[['a'], ['c']]"
        );
    }
}
