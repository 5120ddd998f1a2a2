//! Model strings as transcripts write them, reduced to the spellings the price table uses.
//!
//! The same model appears as `claude-sonnet-4-5-20250929`, `claude-sonnet-4-5`,
//! `us.anthropic.claude-sonnet-4-5-20250929-v1:0` (Bedrock), `claude-sonnet-4-5@20250929`
//! (Vertex) or `claude-sonnet-4-5[1m]` (Claude Code's 1M-context setting). Matching is by whole
//! key only, never by prefix or substring, so `claude-opus-4` and `claude-opus-4-1` stay apart and
//! an unknown model is reported as unknown instead of being priced as a neighbour.

/// The keys to look `model` up by, in order: as written, lowercase without a provider path
/// (`openai/gpt-5.5`, whose dots other vendors' ids keep), normalised, and normalised without an
/// 8-digit date suffix. Duplicates are removed; at most four keys.
pub(super) fn candidates(model: &str) -> Vec<String> {
    let mut keys = vec![model.to_owned()];
    let lower = model.trim().to_ascii_lowercase();
    push_new(
        &mut keys,
        lower.rsplit('/').next().unwrap_or_default().to_owned(),
    );
    let normal = normalise(model);
    if let Some(undated) = strip_date(&normal) {
        let undated = undated.to_owned();
        push_new(&mut keys, normal);
        push_new(&mut keys, undated);
    } else {
        push_new(&mut keys, normal);
    }
    keys
}

fn push_new(keys: &mut Vec<String>, key: String) {
    if !key.is_empty() && !keys.contains(&key) {
        keys.push(key);
    }
}

/// Lowercase, without provider path, Bedrock region/`anthropic.` prefix and `-vN:M` suffix,
/// `[1m]` suffix; Vertex `@date` and dotted versions (`4.5`) turned into `-` separators.
fn normalise(model: &str) -> String {
    let mut s = model.trim().to_ascii_lowercase();
    if let Some(stripped) = s.strip_suffix("[1m]") {
        s.truncate(stripped.len());
    }
    // Provider paths: `anthropic/claude-…`, `…/publishers/anthropic/models/claude-…`.
    if let Some(i) = s.rfind('/') {
        s.drain(..=i);
    }
    // Bedrock: optional region (`us.`, `eu.`, `apac.`, `global.`, …) then `anthropic.`.
    if let Some(i) = s.find("anthropic.") {
        let region = &s[..i];
        let region_ok = region.is_empty()
            || region.strip_suffix('.').is_some_and(|r| {
                !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            });
        if region_ok {
            s.drain(..i + "anthropic.".len());
        }
    }
    strip_bedrock_version(&mut s);
    s.replace(['@', '.'], "-")
}

/// Removes a trailing Bedrock version, `-v1`, `-v2:0` or `-v1:0:200k`.
fn strip_bedrock_version(s: &mut String) {
    let Some(i) = s.rfind("-v") else { return };
    let rest = &s[i + 2..];
    let (version, tail) = rest.split_once(':').unwrap_or((rest, ""));
    let tail_ok = tail.is_empty() || tail.bytes().all(|b| b.is_ascii_alphanumeric() || b == b':');
    if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && tail_ok {
        s.truncate(i);
    }
}

/// `key` without a trailing `-YYYYMMDD`, if it has one.
fn strip_date(key: &str) -> Option<&str> {
    let (head, date) = key.rsplit_once('-')?;
    (date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) && !head.is_empty())
        .then_some(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Usd;
    use crate::pricing::{PriceTable, is_unbilled_model};
    use crate::usage::Usage;

    fn id_of(model: &str) -> Option<&'static str> {
        PriceTable::embedded()
            .resolve(model, None)
            .map(|p| p.id.as_str())
    }

    #[test]
    fn resolves_dated_undated_and_cloud_spellings() {
        let cases = [
            ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
            ("claude-sonnet-4-5", "claude-sonnet-4-5"),
            ("claude-sonnet-4-5-20991231", "claude-sonnet-4-5"),
            ("Claude-Opus-4-6", "claude-opus-4-6"),
            ("claude-opus-4-6[1m]", "claude-opus-4-6"),
            (
                "us.anthropic.claude-sonnet-4-20250514-v1:0",
                "claude-sonnet-4",
            ),
            (
                "anthropic.claude-3-5-sonnet-20241022-v2:0",
                "claude-3-5-sonnet",
            ),
            (
                "global.anthropic.claude-haiku-4-5-20251001-v1:0",
                "claude-haiku-4-5",
            ),
            ("claude-opus-4-1@20250805", "claude-opus-4-1"),
            ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),
            ("claude-3-7-sonnet-20250219", "claude-3-7-sonnet"),
            ("claude-3-5-haiku-20241022", "claude-3-5-haiku"),
            ("claude-3-haiku-20240307", "claude-3-haiku"),
            ("claude-3-opus-20240229", "claude-3-opus"),
            ("claude-mythos-5", "claude-fable-5"),
            ("gpt-5.5", "gpt-5.5"),
            ("openai/GPT-5.5", "gpt-5.5"),
            ("gpt-5-codex", "gpt-5"),
            ("gpt-5.3-codex", "gpt-5.2"),
            ("gemini-3.1-pro-preview", "gemini-3-pro-preview"),
            ("google/gemini-2.5-flash", "gemini-2.5-flash"),
        ];
        for (model, want) in cases {
            assert_eq!(id_of(model), Some(want), "{model}");
        }
    }

    #[test]
    fn never_prices_one_version_as_another() {
        assert_eq!(id_of("claude-opus-4"), Some("claude-opus-4"));
        assert_eq!(id_of("claude-opus-4-20250514"), Some("claude-opus-4"));
        assert_eq!(id_of("claude-opus-4-1"), Some("claude-opus-4-1"));
        assert_eq!(id_of("claude-opus-4-1-20250805"), Some("claude-opus-4-1"));
        for unknown in [
            "claude-opus-4-2",
            "claude-opus",
            "claude-opus-4-1-x",
            "gpt-5.55",
            "gpt-6.2-sol",
            "gemini-2.5",
            "<synthetic>",
            "",
        ] {
            assert_eq!(id_of(unknown), None, "{unknown}");
        }
        assert!(is_unbilled_model("<synthetic>") && is_unbilled_model(""));
        assert!(!is_unbilled_model("claude-opus-4"));
        let usage = Usage::default();
        assert_eq!(
            PriceTable::embedded().cost("<synthetic>", &usage, None),
            Some(Usd::ZERO)
        );
        assert_eq!(
            PriceTable::embedded().cost("claude-opus-9", &usage, None),
            None
        );
    }

    #[test]
    fn normalises_cloud_spellings() {
        let cases = [
            ("claude-opus-4-6", "claude-opus-4-6"),
            ("  Claude-Opus-4-6[1M] ", "claude-opus-4-6"),
            (
                "us.anthropic.claude-opus-4-1-20250805-v1:0",
                "claude-opus-4-1-20250805",
            ),
            (
                "anthropic.claude-3-5-sonnet-20241022-v2:0",
                "claude-3-5-sonnet-20241022",
            ),
            (
                "apac.anthropic.claude-sonnet-4-20250514-v1:0",
                "claude-sonnet-4-20250514",
            ),
            (
                "anthropic.claude-3-sonnet-20240229-v1:0:200k",
                "claude-3-sonnet-20240229",
            ),
            ("claude-sonnet-4@20250514", "claude-sonnet-4-20250514"),
            ("anthropic/claude-opus-4.5", "claude-opus-4-5"),
            (
                "publishers/anthropic/models/claude-haiku-4-5@20251001",
                "claude-haiku-4-5-20251001",
            ),
            ("notanthropic.claude-x", "notanthropic-claude-x"),
        ];
        for (model, want) in cases {
            assert_eq!(normalise(model), want, "{model}");
        }
    }

    #[test]
    fn drops_only_a_date_suffix() {
        assert_eq!(
            strip_date("claude-sonnet-4-5-20250929"),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(strip_date("claude-opus-4-1"), None);
        assert_eq!(strip_date("claude-opus-4"), None);
        assert_eq!(strip_date("-20250929"), None);
        assert_eq!(
            candidates("us.anthropic.claude-opus-4-20250514-v1:0"),
            [
                "us.anthropic.claude-opus-4-20250514-v1:0",
                "claude-opus-4-20250514",
                "claude-opus-4"
            ]
        );
        assert_eq!(candidates("claude-opus-4-1"), ["claude-opus-4-1"]);
    }
}
