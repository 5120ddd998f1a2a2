//! Small text helpers of the scan: what counts as a typed prompt, first/last value slots,
//! interning, timestamps and one-line clipping.

/// Whether a user text is something a person typed, not a command echo or an injected notice.
pub fn is_typed_prompt(text: &str) -> bool {
    let t = text.trim_start();
    !(t.is_empty()
        || t.starts_with("<command-")
        || t.starts_with("<local-command-")
        || t.starts_with("<task-notification>")
        || t.starts_with("<system-reminder>")
        || t.starts_with("Caveat:")
        || t.starts_with("[Request interrupted"))
}

pub(super) fn set_once(slot: &mut Option<String>, value: Option<&str>) {
    if slot.is_none()
        && let Some(v) = value
    {
        *slot = Some(v.to_owned());
    }
}

pub(super) fn set_last(slot: &mut Option<String>, value: Option<&str>) {
    if let Some(v) = value
        && slot.as_deref() != Some(v)
    {
        *slot = Some(v.to_owned());
    }
}

pub(super) fn intern(table: &mut Vec<String>, name: &str) -> u16 {
    if let Some(i) = table.iter().position(|n| n == name) {
        return i as u16;
    }
    table.push(name.to_owned());
    (table.len() - 1).min(u16::MAX as usize) as u16
}

/// Milliseconds since the epoch of an RFC 3339 timestamp.
pub fn parse_ts_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

pub use crate::words::clip;
