//! The conversation laid out as lines for one width and set of toggles: prompts, answers and
//! summaries wrapped under their headings, thinking shown or reduced to a marker, each tool call
//! on one line with its results unfolded or not. Built on a worker thread (a long session takes
//! a while) and kept in the state; the view draws a window of it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::app::detail::{LayoutKey, RenderedConversation};
use super::text_fit::{clip, relative, wrap};
use super::theme::Theme;
use crate::present::sanitize::{one_line, text_lines};
use crate::present::{clock, millis};
use crate::session::detail::{Conversation, EntryKind, ToolEntry};

/// Lays out `c` for `key` (width, thinking shown, results unfolded, thread, secrets hidden),
/// with paths shown relative to `cwd`. Secrets are hidden here, on the worker, with the
/// evidence's redaction rules.
pub fn lay_out(
    theme: &Theme,
    c: &Conversation,
    key: LayoutKey,
    cwd: Option<&str>,
) -> RenderedConversation {
    let how = How {
        theme,
        width: usize::from(key.0),
        thinking: key.1,
        results: key.2,
        redact: key.4,
        cwd,
    };
    let (lines, plain, calls) = build(&how, c);
    RenderedConversation {
        key,
        lines,
        plain,
        calls,
    }
}

/// How the thread is drawn: width, toggles, and the folder paths are shown relative to.
struct How<'a> {
    theme: &'a Theme,
    width: usize,
    thinking: bool,
    results: bool,
    redact: bool,
    cwd: Option<&'a str>,
}

impl How<'_> {
    /// `text`, its secrets replaced by `[REDACTED:rule]` when they are hidden.
    fn shown<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if self.redact {
            crate::redact::shared().redact(text, &mut crate::redact::Counts::new())
        } else {
            std::borrow::Cow::Borrowed(text)
        }
    }
}

/// The lines of the whole thread, their lower-cased text for searching, and the line of each
/// tool call.
fn build(
    how: &How<'_>,
    c: &Conversation,
) -> (Vec<Line<'static>>, Vec<String>, Vec<(String, usize)>) {
    let How {
        theme,
        width,
        thinking,
        ..
    } = *how;
    let mut out = Vec::new();
    let mut calls = Vec::new();
    for e in &c.entries {
        let at = clock(e.at);
        match &e.kind {
            EntryKind::Prompt(t) => block(
                &mut out,
                heading("▶ Prompt", theme.prompt, &at, theme),
                &how.shown(t),
                width,
                Style::default(),
            ),
            EntryKind::Answer(t) => block(
                &mut out,
                heading("◆ Claude", theme.answer, &at, theme),
                &how.shown(t),
                width,
                Style::default(),
            ),
            EntryKind::Summary(t) => block(
                &mut out,
                heading(
                    "≡ Summary of the earlier conversation",
                    theme.header,
                    &at,
                    theme,
                ),
                &how.shown(t),
                width,
                theme.muted,
            ),
            EntryKind::Thinking(t) if thinking => block(
                &mut out,
                heading("✻ Thinking", theme.thinking, &at, theme),
                &how.shown(t),
                width,
                theme.thinking,
            ),
            EntryKind::Thinking(_) => out.push(Line::from(Span::styled(
                "✻ thinking hidden",
                theme.thinking,
            ))),
            EntryKind::Tool(tool) => {
                calls.push((tool.id.clone(), out.len()));
                tool_lines(&mut out, how, tool, e.at);
            }
        }
    }
    let plain = out
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                .to_lowercase()
        })
        .collect();
    (out, plain, calls)
}

fn heading(label: &str, style: Style, at: &str, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(label.to_owned(), style),
        Span::styled(format!("  {at}"), theme.muted),
    ])
}

/// A blank line, the heading, and the text wrapped under it.
fn block(
    out: &mut Vec<Line<'static>>,
    head: Line<'static>,
    text: &str,
    width: usize,
    style: Style,
) {
    out.push(Line::default());
    out.push(head);
    for line in text_lines(text) {
        for piece in wrap(&line, width.saturating_sub(2)) {
            out.push(Line::from(Span::styled(format!("  {piece}"), style)));
        }
    }
}

fn tool_lines(
    out: &mut Vec<Line<'static>>,
    how: &How<'_>,
    t: &ToolEntry,
    at: Option<chrono::DateTime<chrono::Utc>>,
) {
    let (theme, width, unfold) = (how.theme, how.width, how.results);
    let (mark, style) = match &t.result {
        None => ("…", theme.warn),
        Some(r) if r.is_error => ("✗", theme.error),
        Some(_) => ("✓", theme.ok),
    };
    let took = t
        .result
        .as_ref()
        .and_then(|r| Some((r.at? - at?).num_milliseconds()))
        .filter(|ms| *ms >= 0)
        .map_or_else(String::new, |ms| format!(" {}", millis(ms)));
    let fold = if unfold && t.result.is_some() {
        "▾"
    } else {
        "▸"
    };
    let name = one_line(&t.name);
    let room = width.saturating_sub(name.width() + took.len() + 6) as u16;
    out.push(Line::from(vec![
        Span::styled(format!("{fold} "), theme.muted),
        Span::styled(name, theme.tool),
        Span::raw(" "),
        Span::raw(clip(
            &one_line(&how.shown(&relative(&t.input, how.cwd))),
            room,
        )),
        Span::styled(format!(" {mark}"), style),
        Span::styled(took, theme.muted),
    ]));
    let Some(r) = t.result.as_ref().filter(|_| unfold) else {
        return;
    };
    let style = if r.is_error { theme.error } else { theme.muted };
    for line in text_lines(&how.shown(&r.text)) {
        for piece in wrap(&line, width.saturating_sub(4)) {
            out.push(Line::from(vec![
                Span::styled("  │ ", theme.muted),
                Span::styled(piece, style),
            ]));
        }
    }
    if r.more_lines > 0 {
        out.push(Line::from(Span::styled(
            format!(
                "  │ … {}",
                crate::words::counted(r.more_lines as u64, "more line", "more lines")
            ),
            theme.muted,
        )));
    }
}
