//! Small pieces the detail tabs share: messages, the spinner, wrapping, times and labels.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::tui::app::App;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// `text` as shown on the detail screen: while the redacted view is on, its secrets replaced by
/// `[REDACTED:rule]` with the evidence's rules. Screens pass short strings (a call's input, a
/// line of a diff); the conversation is redacted where it is laid out, on the worker.
pub fn hide(app: &App, text: &str) -> String {
    hide_if(app.redacted, text)
}

/// `text`, its secrets replaced by `[REDACTED:rule]` when `on`.
pub fn hide_if(on: bool, text: &str) -> String {
    if on {
        crate::redact::shared()
            .redact(text, &mut crate::redact::Counts::new())
            .into_owned()
    } else {
        text.to_owned()
    }
}

/// The progress indicator's current frame.
pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.tick % SPINNER.len()]
}

/// A few lines of explanation in place of a tab's content (empty states, loading).
pub fn message(app: &App, frame: &mut Frame, area: Rect, lines: &[&str]) {
    let mut text = vec![Line::default()];
    for (i, l) in lines.iter().enumerate() {
        let style = if i == 0 {
            Style::default()
        } else {
            app.theme.muted
        };
        text.push(Line::from(Span::styled(format!("  {l}"), style)));
    }
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}

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

/// `text` with the session's working directory left out of the paths under it
/// (`/home/dev/app/src/x.rs` reads `src/x.rs`).
pub fn relative(text: &str, cwd: Option<&str>) -> String {
    match cwd
        .map(|c| c.trim_end_matches('/'))
        .filter(|c| !c.is_empty())
    {
        Some(root) => text.replace(&format!("{root}/"), ""),
        None => text.to_owned(),
    }
}

/// `text` cut to `width` cells from the left, with an ellipsis (paths keep their file name).
pub fn clip_left(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Greedy word wrapping to `width` cells; words longer than a line are broken, and every
/// line keeps the text's indentation.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let spaces = text.len() - text.trim_start_matches(' ').len();
    let indent = " ".repeat(spaces.min(width / 2));
    let room = width - indent.len();
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text[spaces..].split(' ') {
        let w = word.width();
        if used > 0 && used + 1 + w > room {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room && used > 0 {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    out.push(line);
    out.into_iter().map(|l| format!("{indent}{l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{clip_left, millis, relative, wrap};

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("  indented text", 10), vec!["  indented", "  text"]);
    }

    #[test]
    fn clips_paths_from_the_left_and_formats_durations() {
        assert_eq!(clip_left("tasktrack/importer.py", 12), "…importer.py");
        assert_eq!(clip_left("a.py", 12), "a.py");
        let cwd = Some("/home/dev/app/");
        assert_eq!(relative("cat /home/dev/app/src/x.rs", cwd), "cat src/x.rs");
        assert_eq!(relative("cd /home/dev/app", cwd), "cd /home/dev/app");
        assert_eq!(relative("/x", Some("/")), "/x");
        assert_eq!(millis(850), "850ms");
        assert_eq!(millis(12_345), "12.3s");
        assert_eq!(millis(245_000), "4m05s");
    }
}
