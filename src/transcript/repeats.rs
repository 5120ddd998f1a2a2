//! Repeated calls: the key that says two tool calls are the same call (the tool and its whole
//! input, key order ignored), and the failure streak of a call, which the guard's loop breaker
//! reads from the capture ledger while the agent works and the insights read from transcripts.

use serde_json::Value;

/// The key of a call of `tool` with `input`: equal for equal calls, whatever the key order.
pub fn call_key(tool: &str, input: &Value) -> u64 {
    key_of(tool, value_hash(input))
}

/// The key of a call of `tool` whose input hashes to `input` ([`value_hash`], or the summary
/// scan's streaming equivalent in `input_facts`).
pub fn key_of(tool: &str, input: u64) -> u64 {
    let mut h = Fnv::new();
    h.bytes(tool.as_bytes());
    h.bytes(&[0]);
    h.u64(input);
    h.finish()
}

/// A hash of a JSON value that does not depend on the order of object keys: each kind is
/// tagged, strings are hashed with their length, arrays and objects from their members'
/// hashes (an object's members sorted by their keys' hashes; a repeated key keeps its last
/// value).
pub fn value_hash(value: &Value) -> u64 {
    match value {
        Value::Null => scalar_hash(b"n"),
        Value::Bool(true) => scalar_hash(b"t"),
        Value::Bool(false) => scalar_hash(b"f"),
        Value::Number(n) => number_hash(&n.to_string()),
        Value::String(s) => string_hash(s),
        Value::Array(items) => array_hash(items.iter().map(value_hash)),
        Value::Object(map) => {
            let mut members: Vec<(u64, u64)> = map
                .iter()
                .map(|(k, v)| (string_hash(k), value_hash(v)))
                .collect();
            object_hash(&mut members)
        }
    }
}

/// The hash of `null`, `true` or `false` (tags `n`, `t`, `f`).
pub fn scalar_hash(tag: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.bytes(tag);
    h.finish()
}

/// The hash of a number, from its text as serde_json writes it.
pub fn number_hash(text: &str) -> u64 {
    let mut h = Fnv::new();
    h.bytes(b"#");
    h.bytes(text.as_bytes());
    h.finish()
}

pub fn string_hash(s: &str) -> u64 {
    let mut h = Fnv::new();
    h.bytes(b"s");
    h.u64(s.len() as u64);
    h.bytes(s.as_bytes());
    h.finish()
}

pub fn array_hash(items: impl Iterator<Item = u64>) -> u64 {
    let mut h = Fnv::new();
    h.bytes(b"[");
    for item in items {
        h.u64(item);
    }
    h.bytes(b"]");
    h.finish()
}

/// The hash of an object from its members (key hash, value hash), in any order; sorts them.
pub fn object_hash(members: &mut [(u64, u64)]) -> u64 {
    members.sort_unstable();
    let mut h = Fnv::new();
    h.bytes(b"{");
    for (key, value) in members.iter() {
        h.u64(*key);
        h.u64(*value);
    }
    h.bytes(b"}");
    h.finish()
}

/// FNV-1a, 64 bits, fed in pieces (the same function as `hash::hash64`).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn u64(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }
    fn finish(&self) -> u64 {
        self.0
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
        // Kinds and nesting are part of the key.
        assert_ne!(call_key("X", &json!("1")), call_key("X", &json!(1)));
        assert_ne!(
            call_key("X", &json!(["a", "b"])),
            call_key("X", &json!(["ab"]))
        );
        assert_ne!(
            call_key("X", &json!({"a": "b"})),
            call_key("X", &json!({"b": "a"}))
        );
        assert_ne!(call_key("X", &json!(null)), call_key("X", &json!(false)));
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
