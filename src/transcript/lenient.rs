//! Tolerant serde building blocks for transcript lines and hook payloads.
//!
//! The transcript format is internal to Claude Code and changes between releases, so a field of
//! an unexpected JSON type reads as absent instead of failing its whole line. Values a type has
//! no use for are scanned by serde's `IgnoredAny`, which neither buffers nor allocates.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value decoded from the JSON types it understands; any other type reads as `default()`.
/// Each method defaults to skipping what it is given.
pub trait Lenient<'de>: Default {
    /// What the value is, for error messages.
    const EXPECTING: &'static str;

    /// A string that had to be unescaped (or copied) first.
    fn text(_: &str) -> Self {
        Self::default()
    }

    /// A string borrowed from the input.
    fn borrowed_text(v: &'de str) -> Self {
        Self::text(v)
    }

    /// A string the deserializer owns already.
    fn owned_text(v: String) -> Self {
        Self::text(&v)
    }

    fn boolean(_: bool) -> Self {
        Self::default()
    }

    /// A non-negative integer.
    fn unsigned(_: u64) -> Self {
        Self::default()
    }

    /// A negative integer.
    fn signed(_: i64) -> Self {
        Self::default()
    }

    /// A number with a fraction (or beyond the integers).
    fn float(_: f64) -> Self {
        Self::default()
    }

    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }

    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Self::default())
    }
}

/// Deserializes a [`Lenient`] value (for `Deserialize` impls and `deserialize_with`).
pub fn lenient<'de, T: Lenient<'de>, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(LenientVisitor(PhantomData))
}

struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<T, E> {
        Ok(T::borrowed_text(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::text(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        Ok(T::owned_text(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Ok(T::boolean(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Ok(T::unsigned(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::signed(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Ok(T::float(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }
}

/// A boolean field; any other value reads as `false`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl Lenient<'_> for Flag {
    const EXPECTING: &'static str = "a boolean";
    fn boolean(v: bool) -> Self {
        Self(v)
    }
}

impl<'de> serde::Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

impl Lenient<'_> for Option<u64> {
    const EXPECTING: &'static str = "a non-negative integer";
    fn unsigned(v: u64) -> Self {
        Some(v)
    }
}

impl Lenient<'_> for Option<i64> {
    const EXPECTING: &'static str = "an integer";
    fn unsigned(v: u64) -> Self {
        i64::try_from(v).ok()
    }
    fn signed(v: i64) -> Self {
        Some(v)
    }
}

/// Any number, as a float.
impl Lenient<'_> for Option<f64> {
    const EXPECTING: &'static str = "a number";
    fn unsigned(v: u64) -> Self {
        Some(v as f64)
    }
    fn signed(v: i64) -> Self {
        Some(v as f64)
    }
    fn float(v: f64) -> Self {
        Some(v)
    }
}

impl Lenient<'_> for Option<bool> {
    const EXPECTING: &'static str = "a boolean";
    fn boolean(v: bool) -> Self {
        Some(v)
    }
}

impl Lenient<'_> for Option<String> {
    const EXPECTING: &'static str = "a string";
    fn text(v: &str) -> Self {
        Some(v.to_owned())
    }
    fn owned_text(v: String) -> Self {
        Some(v)
    }
}

/// A string borrowed from the input when it has no escapes.
impl<'de> Lenient<'de> for Option<Cow<'de, str>> {
    const EXPECTING: &'static str = "a string";
    fn text(v: &str) -> Self {
        Some(Cow::Owned(v.to_owned()))
    }
    fn borrowed_text(v: &'de str) -> Self {
        Some(Cow::Borrowed(v))
    }
    fn owned_text(v: String) -> Self {
        Some(Cow::Owned(v))
    }
}

/// A non-negative number, a fractional one truncated; any other value reads as `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Number(pub Option<u64>);

impl Lenient<'_> for Number {
    const EXPECTING: &'static str = "a number";
    fn unsigned(v: u64) -> Self {
        Self(Some(v))
    }
    fn float(v: f64) -> Self {
        Self((v >= 0.0 && v.is_finite()).then_some(v as u64))
    }
}

/// A list whose items are each decoded leniently; any other value reads as `None`.
pub struct List<T>(pub Option<Vec<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Lenient<'de>> Lenient<'de> for List<T> {
    const EXPECTING: &'static str = "a list";
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Item(item)) = seq.next_element::<Item<T>>()? {
            out.push(item);
        }
        Ok(Self(Some(out)))
    }
}

impl<'de, T: Lenient<'de>> de::Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

/// One item of a [`List`].
struct Item<T>(T);

impl<'de, T: Lenient<'de>> de::Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d).map(Self)
    }
}

/// An object decoded as `T` (itself lenient field by field); any other value reads as `None`.
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: de::Deserialize<'de>> Lenient<'de> for Obj<T> {
    const EXPECTING: &'static str = "an object";
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|v| Self(Some(v)))
    }
}

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

/// For `deserialize_with`: whether the key is there at all (with any value, `null` too).
pub fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    <IgnoredAny as de::Deserialize>::deserialize(d).map(|_| true)
}

/// For `deserialize_with`: an object as `T`, anything else as absent.
pub fn lenient_object<'de, T: de::Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(lenient::<Obj<T>, D>(d)?.0)
}

/// An object reduced to the keys in `keys` (their values decoded in full); any other value reads
/// as `None`. Large members nobody reads (file contents, nested messages) are skipped unparsed.
pub fn object_with<'de, A: MapAccess<'de>>(
    mut map: A,
    keys: &[&str],
) -> Result<serde_json::Map<String, serde_json::Value>, A::Error> {
    let mut out = serde_json::Map::new();
    while let Some(key) = map.next_key::<super::wire::Str<'de>>()? {
        match key.get().filter(|k| keys.contains(k)) {
            Some(k) => {
                let k = k.to_owned();
                out.insert(k, map.next_value()?);
            }
            None => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Sample {
        #[serde(default, deserialize_with = "lenient")]
        int: Option<i64>,
        #[serde(default, deserialize_with = "lenient")]
        float: Option<f64>,
        #[serde(default, deserialize_with = "present")]
        error: bool,
    }

    fn sample(json: &str) -> Sample {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn numbers_of_every_sign_and_presence_of_any_value() {
        let s = sample(r#"{"int": -3, "float": 2, "error": null}"#);
        assert_eq!((s.int, s.float, s.error), (Some(-3), Some(2.0), true));
        let s = sample(r#"{"int": 18446744073709551615, "float": -0.5}"#);
        assert_eq!((s.int, s.float, s.error), (None, Some(-0.5), false));
        let s = sample(r#"{"int": "7", "float": [1], "error": {"message": "x"}}"#);
        assert_eq!((s.int, s.float, s.error), (None, None, true));
    }
}
