//! What the summary scan keeps of a tool call's input, read in the same pass that skips the rest:
//! the hash behind the call's key ([`super::repeats::value_hash`], computed while the input is
//! read, without building it), the file it works on, a Bash command, and hashes of the strings
//! an Edit replaces and writes (a Write's content), so an edit that undoes another is recognised.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::hash::hash64;
use super::repeats::{array_hash, number_hash, object_hash, scalar_hash, string_hash};
use super::wire::Str;

/// Bash commands are kept up to this many bytes (cut at a character boundary).
pub const COMMAND_BYTES: usize = 2000;

/// The facts of one input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InputFacts {
    /// [`super::repeats::value_hash`] of the input.
    pub hash: u64,
    /// `file_path` or `notebook_path`.
    pub file_path: Option<String>,
    /// `path` (Grep, Glob, LS): where a search looked.
    pub search_path: Option<String>,
    /// `command`, clipped to [`COMMAND_BYTES`].
    pub command: Option<String>,
    /// Hash of `old_string` (Edit).
    pub old: Option<u64>,
    /// Hash of `new_string` (Edit) or `content` (Write).
    pub new: Option<u64>,
}

impl<'de> Deserialize<'de> for InputFacts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopLevel)
    }
}

/// The top-level value: an object's interesting members are kept besides its hash.
struct TopLevel;

impl<'de> Visitor<'de> for TopLevel {
    type Value = InputFacts;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tool input")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InputFacts, A::Error> {
        let mut facts = InputFacts::default();
        let mut members = Members::default();
        while let Some(Str(Some(key))) = map.next_key::<Str<'de>>()? {
            let as_text = match key.as_ref() {
                "file_path" | "notebook_path" | "path" | "command" => Some(true),
                "old_string" | "new_string" | "content" => Some(false),
                _ => None,
            };
            let mut kept = None;
            let hash = map.next_value_seed(Hashed {
                keep: as_text.map(|t| (&mut kept, t)),
            })?;
            if let Some(kept) = kept {
                facts.keep(&key, kept);
            }
            members.push(string_hash(&key), hash);
        }
        facts.hash = members.hash();
        Ok(facts)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<InputFacts, A::Error> {
        let hash = Hashed { keep: None }.visit_seq(seq)?;
        Ok(InputFacts::of(hash))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<InputFacts, E> {
        Hashed { keep: None }.visit_bool(v).map(InputFacts::of)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<InputFacts, E> {
        Ok(InputFacts::of(number_hash(&v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<InputFacts, E> {
        Ok(InputFacts::of(number_hash(&v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<InputFacts, E> {
        Ok(InputFacts::of(float_hash(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<InputFacts, E> {
        Ok(InputFacts::of(string_hash(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<InputFacts, E> {
        Ok(InputFacts::of(scalar_hash(b"n")))
    }
}

impl InputFacts {
    fn of(hash: u64) -> Self {
        Self {
            hash,
            ..Self::default()
        }
    }

    fn keep(&mut self, key: &str, text: Kept) {
        match (key, text) {
            ("file_path" | "notebook_path", Kept::Text(t)) => self.file_path = Some(t),
            ("path", Kept::Text(t)) => self.search_path = Some(t),
            ("command", Kept::Text(t)) => self.command = Some(clip_bytes(t, COMMAND_BYTES)),
            ("old_string", Kept::Hash(h)) => self.old = Some(h),
            ("new_string" | "content", Kept::Hash(h)) => self.new = Some(h),
            _ => {}
        }
    }
}

/// What is kept of a string member: its text (paths, commands), or a hash of it (the strings
/// an edit replaces and writes, which can be whole files).
enum Kept {
    Text(String),
    Hash(u64),
}

/// The hash of a number with a fraction, as `serde_json::Value` writes it.
fn float_hash(v: f64) -> u64 {
    match serde_json::Number::from_f64(v) {
        Some(n) => number_hash(&n.to_string()),
        None => scalar_hash(b"n"),
    }
}

/// Hashes a value as it is read; with `keep`, also hands back a string value: its text (when
/// the flag is set) or a hash of it.
struct Hashed<'o> {
    keep: Option<(&'o mut Option<Kept>, bool)>,
}

impl<'de> DeserializeSeed<'de> for Hashed<'_> {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Hashed<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u64, E> {
        Ok(scalar_hash(if v { b"t" } else { b"f" }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(number_hash(&v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
        Ok(number_hash(&v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
        Ok(float_hash(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        if let Some((slot, as_text)) = self.keep {
            *slot = Some(if as_text {
                Kept::Text(v.to_owned())
            } else {
                Kept::Hash(hash64(v.as_bytes()))
            });
        }
        Ok(string_hash(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<u64, E> {
        Ok(scalar_hash(b"n"))
    }
    fn visit_none<E: de::Error>(self) -> Result<u64, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
        let mut error = None;
        let items = std::iter::from_fn(|| match seq.next_element_seed(Hashed { keep: None }) {
            Ok(item) => item,
            Err(e) => {
                error = Some(e);
                None
            }
        });
        let hash = array_hash(items);
        error.map_or(Ok(hash), Err)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u64, A::Error> {
        let mut members = Members::default();
        while let Some(Str(Some(key))) = map.next_key::<Str<'de>>()? {
            let hash = map.next_value_seed(Hashed { keep: None })?;
            members.push(string_hash(&key), hash);
        }
        Ok(members.hash())
    }
}

/// An object's members as (key hash, value hash).
#[derive(Default)]
struct Members(Vec<(u64, u64)>);

impl Members {
    /// Adds a member; a repeated key replaces the earlier value, as a parsed object keeps the
    /// last.
    fn push(&mut self, key: u64, value: u64) {
        match self.0.iter_mut().find(|m| m.0 == key) {
            Some(m) => m.1 = value,
            None => self.0.push((key, value)),
        }
    }

    fn hash(mut self) -> u64 {
        object_hash(&mut self.0)
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn clip_bytes(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::transcript::repeats::{call_key, key_of};

    fn facts(input: &Value) -> InputFacts {
        serde_json::from_str(&input.to_string()).unwrap()
    }

    /// The scan's key equals the guard's for the same call, whatever the input holds.
    #[test]
    fn the_streamed_hash_gives_the_guards_key() {
        let inputs = [
            json!({"command": "cargo test", "timeout": 5, "nested": {"y": [1, 2.5, -3], "x": null}}),
            json!({"b": "é \"q\" \\ \n\t\u{1}", "a": true, "c": 1e300, "d": -0.0, "e": 12_345_678_901_u64}),
            json!([{"z": 1, "a": [true, false]}, "x", 3]),
            json!("just a string"),
            json!(42),
            json!({}),
            json!({"file_path": "/r/a.rs", "old_string": "a", "new_string": "b", "replace_all": false}),
        ];
        for input in &inputs {
            let f = facts(input);
            assert_eq!(key_of("Edit", f.hash), call_key("Edit", input), "{input}");
        }
        // Written with its keys in another order, with spaces and escapes, the hash is the same.
        let a: InputFacts = serde_json::from_str(r#"{"b": 1, "a": "\u00e9"}"#).unwrap();
        let b: InputFacts = serde_json::from_str(r#"{"a":"é","b":1}"#).unwrap();
        assert_eq!(a.hash, b.hash);
        // A repeated key keeps the last value, as a parsed object does.
        let dup: InputFacts = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(dup.hash, facts(&json!({"a": 2})).hash);
    }

    #[test]
    fn keeps_the_path_command_and_edit_hashes() {
        let edit = facts(&json!({"file_path": "/r/a.rs", "old_string": "x", "new_string": "y"}));
        assert_eq!(edit.file_path.as_deref(), Some("/r/a.rs"));
        assert_eq!(edit.old, Some(hash64(b"x")));
        assert_eq!(edit.new, Some(hash64(b"y")));
        let write = facts(&json!({"content": "y", "file_path": "/r/a.rs"}));
        assert_eq!(write.new, edit.new);
        assert_eq!(write.old, None);
        let grep = facts(&json!({"pattern": "fn", "path": "target/debug"}));
        assert_eq!(grep.search_path.as_deref(), Some("target/debug"));
        assert_eq!(grep.file_path, None);
        let long = "é".repeat(COMMAND_BYTES);
        let bash = facts(&json!({ "command": long }));
        let kept = bash.command.unwrap();
        assert!(kept.len() <= COMMAND_BYTES && kept.len() >= COMMAND_BYTES - 1);
        assert!(long.starts_with(&kept));
    }
}
