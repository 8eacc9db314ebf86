//! Length-prefixed JSON frames: how the grader, the fork server and a worker talk over pipes.
//!
//! A frame is a 4-byte little-endian length and that many bytes of body. Every reader bounds
//! the length by [`MAX_FRAME`], and the JSON nesting by `MAX_JSON_DEPTH` and its number of
//! values by `MAX_JSON_TOKENS` before decoding, so a corrupted or hostile stream can exhaust
//! neither the reader's memory nor its stack.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::value::RESULT_LIMIT;

/// The biggest frame a reader accepts; a larger length prefix means a corrupt or hostile stream.
/// A worker never sends more (see `TestRun::encode_bounded`): a result at the converter's budget
/// takes about 8 MB unless its text is mostly escapes. With its decoded value and the expected
/// value, a grader holding one frame stays well under 100 MB.
pub const MAX_FRAME: usize = 16 << 20;

/// Writes one length-prefixed JSON frame.
pub fn write_frame<W: Write, T: Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    let body = serde_json::to_vec(value).map_err(io::Error::other)?;
    write_raw_frame(out, &body)
}

/// Writes one frame whose body is already encoded.
pub fn write_raw_frame<W: Write>(out: &mut W, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(body.len() + 4);
    frame.extend_from_slice(
        &u32::try_from(body.len())
            .map_err(io::Error::other)?
            .to_le_bytes(),
    );
    frame.extend_from_slice(body);
    out.write_all(&frame)?;
    out.flush()
}

/// Reads one frame's bytes; `Ok(None)` on a clean end of stream before a frame starts.
pub fn read_raw_frame<R: Read>(input: &mut R) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match input.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The length a complete frame at the start of `buffer` declares, once its prefix has arrived.
pub(crate) fn declared_len(buffer: &[u8]) -> Option<usize> {
    let header = buffer.get(..4)?;
    Some(u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize)
}

/// The deepest JSON nesting a frame may have. Values nest up to 100 levels (the converter's and
/// the literal parser's limit), about 3 JSON levels each; this bound keeps decoding, which
/// recurses, far from the stack's end whatever a broken worker sends.
const MAX_JSON_DEPTH: usize = 1_000;

/// The most JSON values (counted by their `{`, `[` and `,`) a frame may have. Decoding
/// allocates at most a few dozen bytes per value beyond the strings' text, so this bounds what
/// any frame can cost (about 30 MB), however it is built: the frame may hold a worker's result,
/// whose values each take at most 3 on average, and the result's budget is checked only once it
/// is decoded.
const MAX_JSON_TOKENS: usize = 4 * RESULT_LIMIT.nodes + 4096;

/// Decodes a frame body. serde_json's own recursion limit (128) is too low for nested values, so
/// it is replaced by a linear pre-scan of the nesting depth, which also counts the values.
pub fn decode<T: for<'de> Deserialize<'de>>(body: &[u8]) -> io::Result<T> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
    let shape = json_shape(body);
    if shape.depth > MAX_JSON_DEPTH {
        return Err(invalid(format!(
            "frame nested deeper than {MAX_JSON_DEPTH} levels"
        )));
    }
    if shape.tokens > MAX_JSON_TOKENS {
        return Err(invalid(format!(
            "frame holds more than {MAX_JSON_TOKENS} values"
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer).map_err(|e| invalid(e.to_string()))?;
    deserializer.end().map_err(|e| invalid(e.to_string()))?;
    Ok(value)
}

/// How deeply a JSON text nests and how many values it has, outside strings.
#[derive(Debug, PartialEq)]
struct Shape {
    depth: usize,
    /// `{`, `[` and `,`: one per value in a container (an empty one counts too).
    tokens: usize,
}

/// The [`Shape`] of a JSON text, in one pass.
fn json_shape(body: &[u8]) -> Shape {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    let mut tokens = 0usize;
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                tokens += 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => tokens += 1,
            _ => {}
        }
    }
    Shape {
        depth: deepest,
        tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::{
        MAX_FRAME, MAX_JSON_TOKENS, Shape, decode, json_shape, read_raw_frame, write_frame,
    };
    use crate::sandbox::protocol::{Message, Outcome, TestRun};
    use crate::value::Value;

    #[test]
    fn deeply_nested_values_cross_the_wire() {
        let deep = (0..100).fold(Value::str("x"), |inner, _| {
            Value::Dict(vec![(Value::str("k"), inner)])
        });
        let message = Message::Finished {
            run: TestRun::bare(Outcome::Returned {
                value: deep.clone(),
            }),
        };
        let mut wire = Vec::new();
        write_frame(&mut wire, &message).unwrap();
        let body = read_raw_frame(&mut wire.as_slice()).unwrap().unwrap();
        let Message::Finished { run } = decode::<Message>(&body).unwrap() else {
            panic!("a finished message")
        };
        assert_eq!(run.outcome, Outcome::Returned { value: deep });
    }

    #[test]
    fn absurd_nesting_and_lengths_are_refused_before_decoding() {
        let body = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(decode::<serde_json::Value>(body.as_bytes()).is_err());
        assert_eq!(
            json_shape(br#"{"a": "[[,[", "b": [1, [2]]}"#),
            Shape {
                depth: 3,
                tokens: 5
            }
        );
        let huge = u32::MAX.to_le_bytes();
        assert!(read_raw_frame(&mut huge.as_slice()).is_err());
    }

    #[test]
    fn a_result_at_the_budget_fits_and_a_flood_of_values_is_refused() {
        use crate::value::{MAX_NODES, MAX_TEXT_BYTES};
        // A result at the node budget (a dict of ints) with most of the text budget.
        let pairs = (0..MAX_NODES / 2 - 1).map(|i| (Value::int(i as i64), Value::int(-(i as i64))));
        let value = Value::List(vec![
            Value::Dict(pairs.collect()),
            Value::str("é".repeat(MAX_TEXT_BYTES / 4)),
        ]);
        let body = TestRun::bare(Outcome::Returned {
            value: value.clone(),
        })
        .encode_bounded();
        assert!(body.len() < MAX_FRAME, "{} bytes", body.len());
        let Message::Finished { run } = decode::<Message>(&body).unwrap() else {
            panic!("a finished message")
        };
        assert_eq!(run.outcome, Outcome::Returned { value });
        // A broken worker's frame of millions of tiny values is refused before decoding.
        let flood = format!("[{}\"none\"]", "\"none\",".repeat(MAX_JSON_TOKENS));
        assert!(flood.len() < MAX_FRAME);
        assert!(decode::<Vec<Value>>(flood.as_bytes()).is_err());
    }
}
