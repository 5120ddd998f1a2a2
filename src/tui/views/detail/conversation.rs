//! The conversation tab: the thread as a timeline (prompts, answers, tool calls folded with
//! their results, thinking hidden unless asked), searchable. Lines are built once per width and
//! set of toggles and kept in the state; each draw shows a window of them.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::text::{clock, message, millis, relative, spinner, wrap};
use crate::session::detail::{Conversation, EntryKind, ToolEntry};
use crate::tui::app::App;
use crate::tui::app::detail::RenderedConversation;
use crate::tui::sanitize::{one_line, text_lines};
use crate::tui::theme::Theme;
use crate::tui::views::sessions::clip;

pub fn render(app: &mut App, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let c = &view.conversation;
    let bar = c.searching || !c.query.is_empty();
    let [title, body, search] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(bar)),
    ])
    .areas(area);
    let agent = c.agent.clone();
    let theme = app.theme;
    let conversation = app
        .open_data()
        .and_then(|d| d.conversations.get(&agent).cloned());
    let cwd = app.open_data().and_then(|d| d.summary.cwd.clone());
    frame.render_widget(Paragraph::new(title_line(app, agent.as_deref())), title);
    let Some(conversation) = conversation else {
        let text = format!("{} Reading the conversation…", spinner(app));
        return message(app, frame, body, &[&text]);
    };
    if conversation.entries.is_empty() {
        return message(app, frame, body, &["Nothing was said in this thread."]);
    }
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let c = &mut view.conversation;
    let key = (body.width, c.thinking, c.results, agent);
    if c.rendered.key != key || c.rendered.lines.is_empty() {
        let how = How {
            theme: &theme,
            width: usize::from(body.width),
            thinking: c.thinking,
            results: c.results,
            cwd: cwd.as_deref(),
        };
        let (lines, plain) = build(&how, &conversation);
        c.rendered = RenderedConversation { key, lines, plain };
    }
    let height = usize::from(body.height);
    find_matches(c, height);
    view.page = height;
    let current = c.matches.get(c.current).copied();
    let shown: Vec<Line> = c
        .rendered
        .lines
        .iter()
        .enumerate()
        .skip(c.scroll)
        .take(height)
        .map(|(i, l)| {
            if Some(i) == current {
                l.clone().patch_style(theme.search_match)
            } else {
                l.clone()
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
    if bar {
        render_search(&theme, &view.conversation, frame, search);
    }
}

/// The lines matching the query; scrolls to the current one when asked to.
fn find_matches(c: &mut crate::tui::app::detail::ConversationView, height: usize) {
    let query = c.query.to_lowercase();
    c.matches = if query.is_empty() {
        Vec::new()
    } else {
        let hits = c.rendered.plain.iter().enumerate();
        hits.filter(|(_, l)| l.contains(&query))
            .map(|(i, _)| i)
            .collect()
    };
    if !c.matches.is_empty() {
        c.current %= c.matches.len();
        if c.jump {
            c.scroll = c.matches[c.current].saturating_sub(height / 3);
        }
    }
    c.jump = false;
    c.scroll = c.scroll.min(c.rendered.lines.len().saturating_sub(height));
}

fn render_search(
    theme: &Theme,
    c: &crate::tui::app::detail::ConversationView,
    frame: &mut Frame,
    area: Rect,
) {
    {
        let count = match (c.query.is_empty(), c.matches.len()) {
            (true, _) => String::new(),
            (false, 0) => "  no match".to_owned(),
            (false, n) => format!("  {}/{n}", c.current + 1),
        };
        let line = Line::from(vec![
            Span::styled(" / ", theme.key),
            Span::styled(one_line(&c.query), theme.search),
            Span::styled(if c.searching { "▏" } else { "" }, theme.search),
            Span::styled(count, theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
    }
}

fn title_line(app: &App, agent: Option<&str>) -> Line<'static> {
    let theme = app.theme;
    let Some(agent) = agent else {
        return Line::from(Span::styled(" Main thread", theme.header));
    };
    let node = app
        .open_data()
        .and_then(|d| d.detail.clone())
        .and_then(|d| {
            d.subagents_flat()
                .into_iter()
                .find(|(_, n)| n.agent_id == agent)
                .map(|(_, n)| n.clone())
        });
    let what = node.map_or_else(String::new, |n| {
        format!(
            " {} {}",
            n.agent_type.as_deref().unwrap_or(n.kind.as_str()),
            n.description.as_deref().unwrap_or("")
        )
    });
    Line::from(vec![
        Span::styled(" Sub-agent ", theme.header),
        Span::raw(one_line(&what)),
        Span::styled(
            format!(
                "  {} back to the list",
                app.keymap.hint(crate::tui::action::Action::Back)
            ),
            theme.muted,
        ),
    ])
}

/// How the thread is drawn: width, toggles, and the folder paths are shown relative to.
struct How<'a> {
    theme: &'a Theme,
    width: usize,
    thinking: bool,
    results: bool,
    cwd: Option<&'a str>,
}

/// The lines of the whole thread, and their lower-cased text for searching.
fn build(how: &How<'_>, c: &Conversation) -> (Vec<Line<'static>>, Vec<String>) {
    let How {
        theme,
        width,
        thinking,
        ..
    } = *how;
    let mut out = Vec::new();
    for e in &c.entries {
        let at = clock(e.at);
        match &e.kind {
            EntryKind::Prompt(t) => block(
                &mut out,
                heading("▶ Prompt", theme.prompt, &at, theme),
                t,
                width,
                Style::default(),
            ),
            EntryKind::Answer(t) => block(
                &mut out,
                heading("◆ Claude", theme.answer, &at, theme),
                t,
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
                t,
                width,
                theme.muted,
            ),
            EntryKind::Thinking(t) if thinking => block(
                &mut out,
                heading("✻ Thinking", theme.thinking, &at, theme),
                t,
                width,
                theme.thinking,
            ),
            EntryKind::Thinking(_) => out.push(Line::from(Span::styled(
                "✻ thinking hidden",
                theme.thinking,
            ))),
            EntryKind::Tool(tool) => tool_lines(&mut out, how, tool, e.at),
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
    (out, plain)
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
        Span::raw(clip(&one_line(&relative(&t.input, how.cwd)), room)),
        Span::styled(format!(" {mark}"), style),
        Span::styled(took, theme.muted),
    ]));
    let Some(r) = t.result.as_ref().filter(|_| unfold) else {
        return;
    };
    let style = if r.is_error { theme.error } else { theme.muted };
    for line in text_lines(&r.text) {
        for piece in wrap(&line, width.saturating_sub(4)) {
            out.push(Line::from(vec![
                Span::styled("  │ ", theme.muted),
                Span::styled(piece, style),
            ]));
        }
    }
    if r.more_lines > 0 {
        out.push(Line::from(Span::styled(
            format!("  │ … {} more lines", r.more_lines),
            theme.muted,
        )));
    }
}
