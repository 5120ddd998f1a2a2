//! The session detail screen: a top bar, the tabs, the selected tab's body, and key hints.

mod blame;
mod conversation;
pub(crate) mod diff;
mod exchanges;
mod files;
mod guard;
mod insights;
pub(crate) mod overview;
mod replay;
mod subagents;
mod tokens;
mod tools;

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::present::sanitize::{hide_if, one_line};
use crate::session::detail::SessionDetail;
use crate::tui::action::Action;
use crate::tui::app::detail::{Changes, FilesPane};
use crate::tui::app::{App, Tab};
use crate::tui::widgets::{message, spinner};

/// Draws the open session over the whole frame.
pub fn render(app: &App, frame: &mut Frame) {
    let [top, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    render_top(app, frame, top);
    render_tabs(app, frame, tabs);
    let Some(tab) = app.detail.as_ref().map(|v| v.tab) else {
        return;
    };
    match detail_of(app) {
        None => message(
            &app.theme,
            frame,
            body,
            &[&format!("{} Reading the session…", spinner(app.tick))],
        ),
        Some(_) if app.detail.as_ref().is_some_and(|v| v.replay.is_some()) => {
            replay::render(app, frame, body);
        }
        Some(d) => match tab {
            Tab::Overview => overview::render(app, &d, frame, body),
            Tab::Tokens => tokens::render(app, &d, frame, body),
            Tab::Tools => tools::render(app, &d, frame, body),
            Tab::Subagents => subagents::render(app, &d, frame, body),
            Tab::Files => files::render(app, &d, frame, body),
            Tab::Conversation => conversation::render(app, frame, body),
            Tab::Guard => guard::render(app, frame, body),
            Tab::Insights => insights::render(app, frame, body),
            Tab::Exchanges => exchanges::render(app, frame, body),
        },
    }
    render_footer(app, frame, footer);
}

/// The open session's detail, once read.
fn detail_of(app: &App) -> Option<Arc<SessionDetail>> {
    app.open_data()?.detail.clone()
}

fn render_top(app: &App, frame: &mut Frame, area: Rect) {
    let Some(data) = app.open_data() else { return };
    let title = one_line(&hide_if(app.redacted, data.summary.display_title()));
    let left = Line::from(vec![
        Span::styled(" git vouch", app.theme.title),
        Span::styled(" › ", app.theme.muted),
        Span::raw(title),
    ]);
    let busy = if data.detail.is_none() {
        Some("reading the session")
    } else if data.changes == Changes::Waiting {
        Some("reading git")
    } else {
        None
    };
    let right = match busy {
        Some(what) => Span::styled(format!(" {} {what}… ", spinner(app.tick)), app.theme.warn),
        None if app.redacted => Span::styled(" REDACTED view ", app.theme.warn),
        None => Span::styled(
            format!(
                " {} ",
                one_line(&data.summary.id)
                    .chars()
                    .take(8)
                    .collect::<String>()
            ),
            app.theme.muted,
        ),
    };
    let [l, r] = Layout::horizontal([Constraint::Min(1), Constraint::Length(right.width() as u16)])
        .areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(Line::from(right)), r);
}

fn render_tabs(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let full: Vec<String> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.label()))
        .collect();
    let width = |titles: &[String], pad: usize| -> usize {
        titles.iter().map(|t| t.len() + 2 * pad + 1).sum()
    };
    let room = usize::from(area.width);
    let short: Vec<String> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{} {}", i + 1, t.short()))
        .collect();
    // Full labels, with padding or without, else short ones, else short ones without padding
    // (narrow terminals).
    let (titles, pad) = if width(&full, 1) <= room {
        (full, " ")
    } else if width(&full, 0) <= room {
        (full, "")
    } else if width(&short, 1) <= room {
        (short, " ")
    } else {
        (short, "")
    };
    let tabs = Tabs::new(titles)
        .select(view.tab.index())
        .style(app.theme.muted)
        .highlight_style(app.theme.tab)
        .divider(Span::styled("│", app.theme.muted))
        .padding(pad, pad);
    frame.render_widget(tabs, area);
}

fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let open = match view.tab {
        Tab::Tools if !view.tools.calls_focus => Some("calls"),
        Tab::Tools if !view.tools.open => Some("call in full"),
        Tab::Subagents => Some("conversation"),
        Tab::Files if view.files.pane != FilesPane::Diff => Some("open"),
        Tab::Conversation => Some("results"),
        _ => None,
    };
    if let Some(r) = &view.replay {
        let play = if r.playing { "pause" } else { "play" };
        let hints = [
            (Action::PlayPause, play),
            (Action::Faster, "faster"),
            (Action::Slower, "slower"),
            (Action::Down, "step"),
            (Action::Help, "help"),
            (Action::Back, "leave"),
        ];
        return render_hints(app, frame, area, &hints);
    }
    let mut hints: Vec<(Action, &str)> = vec![(Action::NextTab, "next tab")];
    if let Some(label) = open {
        hints.push((Action::Open, label));
    }
    if view.tab == Tab::Conversation {
        hints.extend([
            (Action::Search, "search"),
            (Action::ToggleThinking, "thinking"),
        ]);
    }
    if view.tab == Tab::Files && view.files.blame {
        hints.push((Action::Blame, "diff"));
    } else if view.tab == Tab::Files && view.files.pane == FilesPane::Diff {
        hints.extend([
            (Action::ScrollRight, "scroll"),
            (Action::ToggleWrap, "wrap"),
            (Action::ToggleMaximize, "maximise"),
            (Action::Blame, "blame"),
        ]);
    }
    hints.push((
        Action::ToggleRedact,
        if app.redacted {
            "show secrets"
        } else {
            "redact"
        },
    ));
    hints.extend([(Action::Help, "help"), (Action::Back, "back")]);
    render_hints(app, frame, area, &hints);
}

/// Key hints: each action's first key and what it does.
fn render_hints(app: &App, frame: &mut Frame, area: Rect, hints: &[(Action, &str)]) {
    let mut spans = Vec::new();
    for &(a, label) in hints {
        let key = app.keymap.hint(a);
        if key.is_empty() {
            continue;
        }
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(format!(" {label} "), app.theme.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
