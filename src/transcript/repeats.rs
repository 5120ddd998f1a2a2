//! Repeated calls: the key that says two tool calls are the same call (the tool and its whole
//! input, key order ignored), and the failure streak of a call, which the guard's loop breaker
//! reads from the capture ledger while the agent works and the insights read from transcripts.

use serde_json::Value;

use super::hash::hash64;

/// The key of a call of `tool` with `input`: equal for equal calls, whatever the key order.
pub fn call_key(tool: &str, input: &Value) -> u64 {
    let mut bytes = Vec::with_capacity(256);
    bytes.extend_from_slice(tool.as_bytes());
    bytes.push(0);
    canonical(input, &mut bytes);
    hash64(&bytes)
}

/// `value` as JSON with object keys sorted, so the text does not depend on their order.
fn canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, key);
                out.push(b':');
                canonical(&map[key], out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        other => {
            let _ = serde_json::to_writer(&mut *out, other);
        }
    }
}

/// One finished call of a thread (the main thread or one sub-agent), in the order they ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub key: u64,
    pub ok: bool,
}

/// How many of the last finished calls in `attempts` were the call `key` and failed, counted
/// back from the end: any other call, or a success, ends the streak. A test run between two
/// failures of the same command is progress, not a loop.
pub fn failure_streak(attempts: &[Attempt], key: u64) -> usize {
    attempts
        .iter()
        .rev()
        .take_while(|a| a.key == key && !a.ok)
        .count()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn equal_calls_share_a_key_whatever_their_key_order() {
        let a = json!({"command": "cargo test", "timeout": 5, "nested": {"x": 1, "y": [1, 2]}});
        let b = json!({"nested": {"y": [1, 2], "x": 1}, "timeout": 5, "command": "cargo test"});
        assert_eq!(call_key("Bash", &a), call_key("Bash", &b));
        assert_ne!(call_key("Bash", &a), call_key("Read", &a));
        let c = json!({"command": "cargo test ", "timeout": 5, "nested": {"x": 1, "y": [1, 2]}});
        assert_ne!(call_key("Bash", &a), call_key("Bash", &c));
        assert_ne!(
            call_key("Bash", &json!([1, 2])),
            call_key("Bash", &json!([2, 1]))
        );
    }

    #[test]
    fn a_streak_is_the_same_call_failing_at_the_end() {
        let fail = |key| Attempt { key, ok: false };
        let pass = |key| Attempt { key, ok: true };
        assert_eq!(failure_streak(&[fail(1), fail(1), fail(1)], 1), 3);
        assert_eq!(failure_streak(&[fail(1), pass(1), fail(1), fail(1)], 1), 2);
        // An edit between two failing test runs ends the streak.
        assert_eq!(failure_streak(&[fail(1), fail(1), pass(2), fail(1)], 1), 1);
        assert_eq!(failure_streak(&[fail(1), fail(1), fail(2)], 1), 0);
        assert_eq!(failure_streak(&[], 1), 0);
    }
}
