//! What the command line and the screens both show, formatted the same way: numbers, token
//! counts, money cells, times, model and project names, and the labels of domain values. It sits
//! above the domain and below `cli` and `tui`, and names no terminal crate.

pub mod blame;
pub mod replay;
pub mod sanitize;
pub mod verify_markdown;

use chrono::{DateTime, Utc};

use crate::correlate::LinkSource;
use crate::money::Usd;
use crate::session::SessionSummary;
use crate::session::recorded::{CallKind, Recording, Tally};

/// `950`, `12.3K`, `4.5M`, `1.2B`: one decimal, rounded half away from zero (3,881 is `3.9K`),
/// moving to the next unit when rounding reaches a thousand (999,950 is `1.0M`).
pub fn tokens(n: u64) -> String {
    const UNITS: [(u128, &str); 3] = [(1_000, "K"), (1_000_000, "M"), (1_000_000_000, "B")];
    if n < 1_000 {
        return n.to_string();
    }
    let n = u128::from(n);
    // Tenths of the unit, rounded; the first unit under a thousand of itself wins.
    let tenths = |unit: u128| (n * 10 + unit / 2) / unit;
    let (value, unit) = UNITS
        .iter()
        .map(|&(size, name)| (tenths(size), name))
        .find(|&(v, name)| v < 10_000 || name == "B")
        .unwrap_or((0, ""));
    format!("{}.{}{unit}", crate::money::grouped(value / 10), value % 10)
}

/// An integer with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    crate::money::grouped(u128::from(n))
}

pub use crate::words::plural;

/// `45s`, `12m`, `1h05m`, `3d04h`.
pub fn duration(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `just now`, `5m ago`, `3h ago`, `2d ago`, or the date for older times.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    match s {
        i64::MIN..0 => t.format("%Y-%m-%d").to_string(),
        0..60 => "just now".to_owned(),
        60..3600 => format!("{}m ago", s / 60),
        3600..86_400 => format!("{}h ago", s / 3600),
        86_400..2_592_000 => format!("{}d ago", s / 86_400),
        _ => t.format("%Y-%m-%d").to_string(),
    }
}

/// `claude-sonnet-4-5-20250929` → `sonnet-4-5`.
pub fn model(name: &str) -> String {
    let short = name.strip_prefix("claude-").unwrap_or(name);
    match short.rsplit_once('-') {
        Some((head, date)) if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) => {
            head.to_owned()
        }
        _ => short.to_owned(),
    }
}

/// The last path component of a working directory, for narrow tables.
pub fn project(cwd: Option<&str>, fallback: &str) -> String {
    cwd.and_then(|c| c.rsplit(['/', '\\']).find(|p| !p.is_empty()))
        .unwrap_or(fallback)
        .to_owned()
}

/// A cost, with `+?` when some of the tokens had no price.
pub fn cost_cell(cost: Usd, incomplete: bool) -> String {
    if incomplete {
        format!("{cost}+?")
    } else {
        cost.to_string()
    }
}

/// `3 calls, 32.1K tokens, $0.04`.
pub fn tally(t: &Tally) -> String {
    format!(
        "{}, {} tokens, {}",
        plural(t.calls, "call", "calls"),
        tokens(t.tokens.total()),
        t.cost
    )
}

/// What a recording holds that the transcript lacks, in one phrase: `1 call not in the
/// transcript: compaction, 24.4K tokens, $0.09`; `None` when it lacks nothing.
pub fn not_in_transcript(r: &Recording) -> Option<String> {
    let missing = r.missing();
    if missing.calls == 0 {
        return None;
    }
    let mut kinds: Vec<(CallKind, u64)> = Vec::new();
    for m in &r.not_in_transcript {
        match kinds.iter_mut().find(|(k, _)| *k == m.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((m.kind, 1)),
        }
    }
    let kinds: Vec<String> = kinds
        .iter()
        .map(|&(k, n)| match n {
            1 => k.word().to_owned(),
            _ => format!("{n} {}", k.words()),
        })
        .collect();
    Some(format!(
        "{} not in the transcript: {}, {} tokens, {}",
        plural(missing.calls, "call", "calls"),
        kinds.join(", "),
        tokens(missing.tokens.total()),
        missing.cost
    ))
}

/// The line under a list or report holding recorded sessions: how many, and what their
/// transcripts lack that the figures count; `None` when none was recorded.
pub fn recorded_note<'a>(sessions: impl Iterator<Item = &'a SessionSummary>) -> Option<String> {
    let mut all = Recording::default();
    let mut n = 0;
    for r in sessions.filter_map(|s| s.recording.as_deref()) {
        n += 1;
        all.not_in_transcript
            .extend(r.not_in_transcript.iter().cloned());
    }
    let sessions = plural(n, "session", "sessions");
    match not_in_transcript(&all) {
        _ if n == 0 => None,
        None => Some(format!(
            "Recorded by git vouch record: {sessions}, every call in its transcript."
        )),
        Some(phrase) => Some(format!(
            "Recorded by git vouch record: {sessions}; the figures count {phrase} (git vouch show lists them)."
        )),
    }
}

/// How a commit was tied to a session, in a few words.
pub fn link_source(source: LinkSource) -> &'static str {
    match source {
        LinkSource::Recorded => "recorded",
        LinkSource::Trailer => "trailer",
        LinkSource::AgentCommit => "agent commit",
        LinkSource::Inferred => "inferred",
    }
}

/// Where an archived session's transcript is read from, in words (`show`, the explorer).
pub const ARCHIVED: &str =
    "read from this repository's transcript archive (Claude Code deleted the original)";

/// A time of day in UTC, as the transcripts record it.
pub fn clock(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "--:--:--".to_owned(),
        |t| t.format("%H:%M:%S").to_string(),
    )
}

/// A full time in UTC.
pub fn datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Milliseconds as `850ms`, `12.3s` or `4m05s`.
pub fn millis(ms: i64) -> String {
    match ms {
        ..1000 => format!("{ms}ms"),
        1000..60_000 => format!("{:.1}s", ms as f64 / 1000.0),
        _ => format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_half_away_from_zero() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1.0K"),
            (1_049, "1.0K"),
            (1_050, "1.1K"),
            (3_881, "3.9K"),
            (12_345, "12.3K"),
            (16_275, "16.3K"),
            (999_949, "999.9K"),
            (999_950, "1.0M"),
            (4_560_000, "4.6M"),
            (4_549_999, "4.5M"),
            (999_949_999, "999.9M"),
            (999_950_000, "1.0B"),
            (1_234_000_000, "1.2B"),
            (1_250_000_000, "1.3B"),
            (u64::MAX, "18,446,744,073.7B"),
        ];
        for (n, text) in cases {
            assert_eq!(tokens(n), text, "{n}");
        }
    }

    #[test]
    fn plurals_agree_with_the_count() {
        assert_eq!(plural(0, "session", "sessions"), "0 sessions");
        assert_eq!(plural(1, "session", "sessions"), "1 session");
        assert_eq!(plural(1_200, "commit", "commits"), "1,200 commits");
    }

    #[test]
    fn formats() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(duration(chrono::Duration::seconds(3900)), "1h05m");
        assert_eq!(model("claude-sonnet-4-5-20250929"), "sonnet-4-5");
        assert_eq!(model("claude-opus-4-6"), "opus-4-6");
        assert_eq!(project(Some("/home/u/app"), "x"), "app");
        assert_eq!(millis(850), "850ms");
        assert_eq!(millis(12_345), "12.3s");
        assert_eq!(millis(245_000), "4m05s");
    }
}
