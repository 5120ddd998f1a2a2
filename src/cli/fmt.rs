//! Human formatting of numbers, times and model names for text output.

use chrono::{DateTime, Utc};

/// `950`, `12.3K`, `4.5M`, `1.2B`.
pub fn tokens(n: u64) -> String {
    let (value, unit) = match n {
        0..1_000 => return n.to_string(),
        1_000..1_000_000 => (n * 10 / 1_000, "K"),
        1_000_000..1_000_000_000 => (n * 10 / 1_000_000, "M"),
        _ => (n / 100_000_000, "B"),
    };
    format!("{}.{}{unit}", value / 10, value % 10)
}

/// An integer with thousands separators: `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(tokens(999), "999");
        assert_eq!(tokens(12_345), "12.3K");
        assert_eq!(tokens(4_560_000), "4.5M");
        assert_eq!(tokens(1_234_000_000), "12.3B".replace("12.3", "1.2"));
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(duration(chrono::Duration::seconds(3900)), "1h05m");
        assert_eq!(model("claude-sonnet-4-5-20250929"), "sonnet-4-5");
        assert_eq!(model("claude-opus-4-6"), "opus-4-6");
        assert_eq!(project(Some("/home/u/app"), "x"), "app");
    }
}
