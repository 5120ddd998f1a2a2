//! Serde mirror of the parts of a Claude Code transcript line that the summary scan needs.
//!
//! Every field is optional and unknown fields are ignored: the format is internal to Claude Code
//! and changes between releases. Strings borrow from the line when they contain no escapes.
//! Large values we do not need (tool inputs, tool results, thinking) are skipped unparsed.

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess};
use std::borrow::Cow;

use super::input_facts::InputFacts;
use super::lenient::{Lenient, lenient, lenient_object};

use crate::usage::{Billing, Tokens, Usage};

/// One transcript line, as far as the summary scan is concerned.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScanRecord<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Str<'a>,
    #[serde(borrow)]
    pub subtype: Str<'a>,
    #[serde(borrow)]
    pub session_id: Str<'a>,
    #[serde(borrow)]
    pub uuid: Str<'a>,
    #[serde(borrow)]
    pub timestamp: Str<'a>,
    #[serde(borrow)]
    pub cwd: Str<'a>,
    #[serde(borrow)]
    pub git_branch: Str<'a>,
    #[serde(borrow)]
    pub version: Str<'a>,
    #[serde(borrow)]
    pub slug: Str<'a>,
    #[serde(borrow)]
    pub agent_id: Str<'a>,
    #[serde(borrow)]
    pub request_id: Str<'a>,
    /// The permission mode the session ran in (on typed prompts and `permission-mode` lines).
    #[serde(borrow)]
    pub permission_mode: Str<'a>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_sidechain: Option<bool>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_meta: Option<bool>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_api_error_message: Option<bool>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_compact_summary: Option<bool>,
    #[serde(rename = "costUSD", deserialize_with = "lenient_number")]
    pub cost_usd: Option<serde_json::Number>,
    #[serde(borrow)]
    pub message: Option<ScanMessage<'a>>,
    #[serde(borrow)]
    pub summary: Str<'a>,
    #[serde(borrow)]
    pub leaf_uuid: Str<'a>,
    #[serde(borrow)]
    pub custom_title: Str<'a>,
    #[serde(borrow)]
    pub ai_title: Str<'a>,
    /// Present on tool results; its content is not needed by the scan.
    pub tool_use_result: Option<IgnoredAny>,
    /// `compactMetadata` of a `compact_boundary` line.
    #[serde(deserialize_with = "lenient_object")]
    pub compact_metadata: Option<CompactMetadata>,
}

/// What a compaction recorded about itself.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CompactMetadata {
    #[serde(deserialize_with = "lenient_string")]
    pub trigger: Option<String>,
    #[serde(deserialize_with = "lenient_u64")]
    pub pre_tokens: Option<u64>,
}

/// The `message` object of a user or assistant line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScanMessage<'a> {
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(borrow)]
    pub model: Str<'a>,
    #[serde(borrow)]
    pub role: Str<'a>,
    #[serde(deserialize_with = "lenient_object")]
    pub usage: Option<RawUsage>,
    #[serde(borrow)]
    pub content: Option<Content<'a>>,
}

/// `message.content`: a plain string (a typed prompt) or a list of blocks.
#[derive(Debug, Default)]
pub enum Content<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<Block<'a>>),
    #[default]
    Other,
}

/// A content block: only its kind, tool ids and (for prompts) its text are kept.
#[derive(Debug, Default)]
pub struct Block<'a> {
    pub kind: Str<'a>,
    pub id: Str<'a>,
    pub name: Str<'a>,
    pub text: Str<'a>,
    pub tool_use_id: Str<'a>,
    pub is_error: Option<bool>,
    /// What the scan keeps of a tool call's input.
    pub input: Option<InputFacts>,
    /// A tool result's text: its size and its start.
    pub result: ResultText,
}

/// A tool result's `content` (a string or text blocks): its length in bytes and its first
/// [`ResultText::KEPT`] characters.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ResultText {
    pub len: u64,
    pub head: String,
}

impl ResultText {
    pub const KEPT: usize = 240;

    fn add(&mut self, text: &str) {
        self.len += text.len() as u64;
        if self.head.chars().count() < Self::KEPT {
            if !self.head.is_empty() {
                self.head.push('\n');
            }
            self.head.extend(text.chars().take(Self::KEPT));
        }
    }
}

impl<'de> Lenient<'de> for ResultText {
    const EXPECTING: &'static str = "a tool result's content";
    fn text(v: &str) -> Self {
        let mut r = Self::default();
        r.add(v);
        r
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut r = Self::default();
        while let Some(part) = seq.next_element::<Block<'de>>()? {
            if let Some(text) = part.text.get() {
                r.add(text);
            }
        }
        Ok(r)
    }
}

impl<'de> Deserialize<'de> for ResultText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

impl<'de: 'a, 'a> Lenient<'de> for Content<'a> {
    const EXPECTING: &'static str = "a string or a list of content blocks";
    fn text(v: &str) -> Self {
        Content::Text(Cow::Owned(v.to_owned()))
    }
    fn borrowed_text(v: &'de str) -> Self {
        Content::Text(Cow::Borrowed(v))
    }
    fn owned_text(v: String) -> Self {
        Content::Text(Cow::Owned(v))
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut blocks = Vec::new();
        while let Some(block) = seq.next_element::<Block<'de>>()? {
            blocks.push(block);
        }
        Ok(Content::Blocks(blocks))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Content<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

/// Blocks are decoded by hand so that large fields (tool inputs, results, thinking) are skipped
/// without being buffered, and a block that is not an object becomes an empty block rather than
/// failing the whole line.
impl<'de: 'a, 'a> Lenient<'de> for Block<'a> {
    const EXPECTING: &'static str = "a content block";
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut block = Block::default();
        while let Some(key) = map.next_key::<Str<'de>>()? {
            match key.get().unwrap_or("") {
                "type" => block.kind = map.next_value()?,
                "id" => block.id = map.next_value()?,
                "name" => block.name = map.next_value()?,
                "text" => block.text = map.next_value()?,
                "tool_use_id" => block.tool_use_id = map.next_value()?,
                "input" => block.input = Some(map.next_value()?),
                "content" => block.result = map.next_value()?,
                "is_error" => {
                    block.is_error = map.next_value::<serde_json::Value>()?.as_bool();
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(block)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Block<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

/// A string field that borrows from the line when it can. Missing, null or non-string values read
/// as absent instead of failing the line (serde's own `Cow` never borrows inside an `Option`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Option<Cow<'a, str>>);

impl Str<'_> {
    /// The string, if there was one.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The string as an owned `String`.
    pub fn into_string(self) -> Option<String> {
        self.0.map(Cow::into_owned)
    }
}

impl<'de: 'a, 'a> Lenient<'de> for Str<'a> {
    const EXPECTING: &'static str = "a string";
    fn text(v: &str) -> Self {
        Str(Some(Cow::Owned(v.to_owned())))
    }
    fn borrowed_text(v: &'de str) -> Self {
        Str(Some(Cow::Borrowed(v)))
    }
    fn owned_text(v: String) -> Self {
        Str(Some(Cow::Owned(v)))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient(d)
    }
}

/// `message.usage` as written by the API (any number may be missing or null on gateways). Every
/// field is lenient: a value of the wrong type reads as absent.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RawUsage {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub output_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub cache_creation_input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_object")]
    pub cache_creation: Option<RawCacheCreation>,
    #[serde(default, deserialize_with = "lenient_object")]
    pub server_tool_use: Option<RawServerToolUse>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub service_tier: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub inference_geo: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub speed: Option<String>,
}

/// The cache-write breakdown by lifetime (mid-2025 and later).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RawCacheCreation {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub ephemeral_5m_input_tokens: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub ephemeral_1h_input_tokens: Option<u64>,
}

/// Server-side tool counts.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RawServerToolUse {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub web_search_requests: Option<u64>,
}

/// Accepts a non-negative integer; anything else (null, a string, a float) reads as absent.
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    lenient(d)
}

/// Accepts a boolean; anything else reads as absent.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    lenient(d)
}

/// Accepts a string; anything else reads as absent.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    lenient(d)
}

/// Accepts a JSON number; anything else reads as absent.
pub(super) fn lenient_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Number>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => Some(n),
        _ => None,
    })
}

impl RawUsage {
    /// Reduces the wire usage to billable counts.
    ///
    /// Before Claude Code 2.1.152 `cache_creation_input_tokens` could be 0 while the per-lifetime
    /// breakdown was not, so the larger of the two totals wins; the 1-hour part comes from the
    /// breakdown and the rest is billed at the 5-minute rate (as the API does without a breakdown).
    pub fn to_usage(&self) -> Usage {
        let (b5m, b1h) = self.cache_creation.as_ref().map_or((0, 0), |c| {
            (
                c.ephemeral_5m_input_tokens.unwrap_or(0),
                c.ephemeral_1h_input_tokens.unwrap_or(0),
            )
        });
        let write_total = self.cache_creation_input_tokens.unwrap_or(0).max(b5m + b1h);
        let write_1h = b1h.min(write_total);
        let tokens = Tokens {
            input: self.input_tokens.unwrap_or(0),
            output: self.output_tokens.unwrap_or(0),
            cache_write_5m: write_total - write_1h,
            cache_write_1h: write_1h,
            cache_read: self.cache_read_input_tokens.unwrap_or(0),
        };
        let geo = self.inference_geo.as_deref().unwrap_or("");
        let billing = Billing {
            fast: self.speed.as_deref() == Some("fast"),
            batch: self.service_tier.as_deref() == Some("batch"),
            us_only: geo.eq_ignore_ascii_case("us"),
            web_search_requests: self
                .server_tool_use
                .as_ref()
                .and_then(|s| s.web_search_requests)
                .unwrap_or(0),
        };
        Usage { tokens, billing }
    }
}

impl Content<'_> {
    /// The prompt text a person typed, if this content is one (not a tool result).
    pub fn prompt_text(&self) -> Option<&str> {
        match self {
            Content::Text(t) => Some(t.as_ref()),
            Content::Blocks(blocks) => {
                if blocks.iter().any(|b| b.kind.get() == Some("tool_result")) {
                    return None;
                }
                blocks
                    .iter()
                    .find(|b| b.kind.get() == Some("text"))
                    .and_then(|b| b.text.get())
            }
            Content::Other => None,
        }
    }

    /// The blocks, or nothing for plain-text content.
    pub fn blocks(&self) -> &[Block<'_>] {
        match self {
            Content::Blocks(b) => b,
            _ => &[],
        }
    }
}

impl<'a> Content<'a> {
    /// The blocks, to take what they hold, or nothing for plain-text content.
    pub fn blocks_mut(&mut self) -> &mut [Block<'a>] {
        match self {
            Content::Blocks(b) => b,
            _ => &mut [],
        }
    }
}

#[cfg(test)]
mod tests;
