//! Drawing the watch screen. No I/O: everything comes from the [`WatchApp`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use serde_json::Value;

use super::app::{Pending, WatchApp, short};
use super::feed::FeedLine;
use crate::evidence::guard::Outcome;
use crate::guard::decide::Verdict;
use crate::guard::rules::Level;
use crate::present::sanitize::one_line;
use crate::session::detail::input_summary;
use crate::tui::action::Action;
use crate::tui::widgets::{help_box, pane_block};
use crate::words::counted;

/// Draws the whole screen.
pub fn render(app: &WatchApp, frame: &mut Frame) {
    let waiting = if app.pending.is_empty() {
        3
    } else {
        let detail = app.pending.get(app.selected).map_or(0, detail_height);
        (app.pending.len() as u16 + 1 + detail + 2).min((frame.area().height / 2).max(10))
    };
    let reason = if app.reason.is_some() { 3 } else { 0 };
    let sessions = (app.feed.running().len().min(4) as u16 + 2).max(3);
    let [top, held, input, live, calls, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(waiting),
        Constraint::Length(reason),
        Constraint::Length(sessions),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(title(app)), top);
    render_waiting(app, frame, held);
    if let Some(area) = &app.reason {
        let block = pane_block(
            &app.theme,
            " Deny: the reason the agent reads ".into(),
            true,
        );
        let inner = block.inner(input);
        frame.render_widget(block, input);
        frame.render_widget(area, inner);
    }
    render_sessions(app, frame, live);
    render_calls(app, frame, calls);
    frame.render_widget(Paragraph::new(footer_line(app)), footer);
    if app.help {
        render_help(app, frame);
    }
}

fn title(app: &WatchApp) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!(" Watch {}", one_line(&app.repository)),
            app.theme.title,
        ),
        Span::styled(
            format!(
                " · guard {} · {} · {} UTC",
                app.mode,
                counted(
                    app.pending.len(),
                    "call waits for you",
                    "calls wait for you"
                ),
                app.now.format("%H:%M:%S")
            ),
            app.theme.muted,
        ),
    ])
}

fn render_waiting(app: &WatchApp, frame: &mut Frame, area: Rect) {
    let title = format!(" Waiting for you ({}) ", app.pending.len());
    let block = pane_block(&app.theme, title, !app.pending.is_empty());
    if app.pending.is_empty() {
        let line = Line::styled(
            " Nothing waits. Calls the guard would ask you about wait here.",
            app.theme.muted,
        );
        frame.render_widget(Paragraph::new(line).block(block), area);
        return;
    }
    let mut lines: Vec<Line> = app
        .pending
        .iter()
        .enumerate()
        .map(|(i, p)| pending_row(app, p, i == app.selected))
        .collect();
    if let Some(p) = app.pending.get(app.selected) {
        lines.push(Line::default());
        lines.extend(pending_detail(app, p));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn pending_row(app: &WatchApp, p: &Pending, selected: bool) -> Line<'static> {
    let marker = if selected { "▶ " } else { "  " };
    let style = if selected {
        app.theme.selection
    } else {
        Style::default()
    };
    let left = p.seconds_left(app.now).max(0);
    Line::from(vec![
        Span::styled(marker.to_owned(), style),
        level_span(app, p.held.level),
        Span::styled(format!(" {:<6} ", one_line(&p.held.tool)), style),
        Span::styled(clip(&input_summary(&p.held.tool, &p.held.input), 70), style),
        Span::styled(
            format!("  session {} · {left} s left", short(&p.held.session_id)),
            app.theme.muted,
        ),
    ])
}

/// The selected call in full: what it does, why the guard flagged it, what happens without you.
fn pending_detail(app: &WatchApp, p: &Pending) -> Vec<Line<'static>> {
    let h = &p.held;
    let muted = app.theme.muted;
    let mut out = Vec::new();
    for line in body(&h.tool, &h.input, app) {
        out.push(line);
    }
    let categories: Vec<&str> = h.categories.iter().map(|c| c.label()).collect();
    out.push(Line::from(vec![
        Span::styled(" risk: ", muted),
        Span::raw(format!(
            "{} · {} · rules {}",
            h.level.label(),
            categories.join(", "),
            h.rules.join(", ")
        )),
    ]));
    if let Some(reason) = &h.reason {
        out.push(Line::from(vec![
            Span::styled(" why: ", muted),
            Span::raw(one_line(reason)),
        ]));
    }
    let agent = h.agent_id.as_deref().map_or("main thread".to_owned(), |a| {
        format!("sub-agent {}", short(a))
    });
    let cwd = h.cwd.as_deref().unwrap_or("?");
    out.push(Line::from(vec![
        Span::styled(" where: ", muted),
        Span::raw(format!(
            "{} · {agent} · {}",
            short(&h.session_id),
            one_line(cwd)
        )),
    ]));
    let fallback = match h.fallback {
        Verdict::Deny => "denied (nobody can answer Claude Code's prompt here)",
        Verdict::Ask => "Claude Code asks at its own prompt",
        Verdict::Allow => "Claude Code's permissions decide",
    };
    out.push(Line::from(vec![
        Span::styled(" without you: ", muted),
        Span::raw(format!(
            "{fallback}, in {} s",
            p.seconds_left(app.now).max(0)
        )),
    ]));
    out
}

/// The lines [`pending_detail`] takes.
fn detail_height(p: &Pending) -> u16 {
    let input = &p.held.input;
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    let body = match (text("command"), text("old_string"), text("new_string")) {
        (Some(command), _, _) => command.lines().take(6).count().max(1),
        (None, Some(old), Some(new)) => {
            1 + old.lines().take(4).count() + new.lines().take(4).count()
        }
        _ => 1,
    };
    let reason = usize::from(p.held.reason.is_some());
    (body + reason + 3) as u16
}

/// The call itself: a command, the lines an edit replaces and writes, else the input.
fn body(tool: &str, input: &Value, app: &WatchApp) -> Vec<Line<'static>> {
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    let mut out = Vec::new();
    match (
        tool,
        text("command"),
        text("old_string"),
        text("new_string"),
    ) {
        (_, Some(command), _, _) => {
            for line in command.lines().take(6) {
                out.push(Line::raw(format!(" $ {}", one_line(line))));
            }
        }
        (_, None, Some(old), Some(new)) => {
            out.push(Line::raw(format!(" {}", text("file_path").unwrap_or(""))));
            for line in old.lines().take(4) {
                out.push(Line::styled(
                    format!(" - {}", one_line(line)),
                    app.theme.removed,
                ));
            }
            for line in new.lines().take(4) {
                out.push(Line::styled(
                    format!(" + {}", one_line(line)),
                    app.theme.added,
                ));
            }
        }
        _ => out.push(Line::raw(format!(" {}", clip(&input.to_string(), 300)))),
    }
    out
}

fn render_sessions(app: &WatchApp, frame: &mut Frame, area: Rect) {
    let running = app.feed.running();
    let title = format!(" Running here ({}) ", running.len());
    let lines: Vec<Line> = if running.is_empty() {
        vec![Line::styled(
            " No session is running in this repository.",
            app.theme.muted,
        )]
    } else {
        running
            .iter()
            .take(4)
            .map(|s| {
                Line::from(vec![
                    Span::raw(format!(" {}  ", short(&s.id))),
                    Span::styled(
                        format!(
                            "since {} · last {} · {} · riskiest ",
                            s.first.format("%H:%M"),
                            s.last.format("%H:%M:%S"),
                            counted(s.calls, "call", "calls")
                        ),
                        app.theme.muted,
                    ),
                    level_span(app, s.worst),
                ])
            })
            .collect()
    };
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(&app.theme, title, false)),
        area,
    );
}

fn render_calls(app: &WatchApp, frame: &mut Frame, area: Rect) {
    let rows = usize::from(area.height.saturating_sub(2));
    let total = app.feed.lines.len();
    let end = total.saturating_sub(app.scroll);
    let start = end.saturating_sub(rows);
    let lines: Vec<Line> = app
        .feed
        .lines
        .range(start..end)
        .map(|l| call_row(app, l))
        .collect();
    let title = if app.scroll > 0 {
        format!(" Tool calls ({total}, {} newer below) ", app.scroll)
    } else {
        format!(" Tool calls ({total}, newest last) ")
    };
    let lines = if lines.is_empty() {
        vec![Line::styled(" No tool call yet.", app.theme.muted)]
    } else {
        lines
    };
    frame.render_widget(
        Paragraph::new(lines).block(pane_block(&app.theme, title, false)),
        area,
    );
}

fn call_row(app: &WatchApp, l: &FeedLine) -> Line<'static> {
    let (level, decision) = match &l.guard {
        Some(g) => (Some(g.level), decision(g)),
        None => (None, "not checked".to_owned()),
    };
    let denied = l.guard.as_ref().is_some_and(|g| g.verdict == Verdict::Deny);
    let outcome = match l.outcome {
        Outcome::NoResult if denied => String::new(),
        Outcome::NoResult => " · …".to_owned(),
        o => format!(" · {}", o.label()),
    };
    let mut spans = vec![
        Span::styled(format!(" {} ", l.at.format("%H:%M:%S")), app.theme.muted),
        Span::raw(format!("{} ", short(&l.session))),
    ];
    spans.push(level.map_or_else(
        || Span::styled(format!("{:<8}", "—"), app.theme.muted),
        |lv| level_span(app, lv),
    ));
    spans.push(Span::raw(format!(" {:<6} ", one_line(&l.tool))));
    spans.push(Span::raw(clip(l.summary.as_deref().unwrap_or(""), 60)));
    spans.push(Span::styled(
        format!("  {decision}{outcome}"),
        app.theme.muted,
    ));
    Line::from(spans)
}

/// The decision in the audit's words, with who answered at watch.
fn decision(g: &crate::guard::check::GuardRecord) -> String {
    if let Some(h) = &g.held {
        return match (h.answer, &h.by) {
            (Some(a), Some(by)) => format!("{} by {by}", a.label()),
            _ => format!("held: {}", h.error.as_deref().unwrap_or("no answer")),
        };
    }
    match g.verdict {
        Verdict::Allow => "no objection".to_owned(),
        Verdict::Ask => "asked".to_owned(),
        Verdict::Deny => "denied".to_owned(),
    }
}

fn level_span(app: &WatchApp, level: Level) -> Span<'static> {
    let style = match level {
        Level::Critical => app.theme.error,
        Level::High => app.theme.warn,
        Level::Medium => app.theme.tokens,
        Level::Low => app.theme.muted,
    };
    Span::styled(format!("{:<8}", level.label()), style)
}

fn footer_line(app: &WatchApp) -> Line<'static> {
    if let Some(m) = &app.message {
        return Line::styled(format!(" {}", one_line(m)), app.theme.warn);
    }
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let hints = if app.reason.is_some() {
        vec![
            ("enter".to_owned(), "deny with this reason"),
            ("esc".to_owned(), "cancel"),
        ]
    } else if app.pending.is_empty() {
        vec![
            (k(Action::PageUp), "older calls"),
            (k(Action::Help), "help"),
            (k(Action::Back), "quit"),
        ]
    } else {
        vec![
            (k(Action::AllowCall), "allow once"),
            (k(Action::DenyCall), "deny"),
            (k(Action::PromptCall), "Claude Code's prompt"),
            (k(Action::Down), "next"),
            (k(Action::Help), "help"),
            (k(Action::Back), "quit"),
        ]
    };
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::raw(format!(" {what} ")));
    }
    Line::from(spans)
}

fn render_help(app: &WatchApp, frame: &mut Frame) {
    let lines: Vec<Line> = Action::WATCH
        .iter()
        .filter_map(|&a| Some((a, app.keymap.binding(a)?)))
        .map(|(a, b)| {
            let keys: Vec<&str> = b.keys.iter().map(|k| k.text.as_str()).collect();
            let desc = match a {
                Action::Down => "Select the next waiting call",
                Action::Up => "Select the previous waiting call",
                Action::PageUp => "Scroll back through the tool calls",
                Action::PageDown => "Scroll forward through the tool calls",
                Action::Top => "The oldest tool calls kept",
                Action::Bottom => "Follow the newest tool calls",
                Action::Back | Action::Quit => "Quit: waiting calls get the guard's own decision",
                _ => b.desc.strip_prefix("Watch: ").unwrap_or(&b.desc),
            };
            Line::from(vec![
                Span::styled(format!(" {:<16}", keys.join(" ")), app.theme.key),
                Span::raw(desc.to_owned()),
            ])
        })
        .collect();
    help_box(&app.theme, frame, " Watch keys ", lines, 76);
}

fn clip(text: &str, max: usize) -> String {
    let text = one_line(text);
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}
