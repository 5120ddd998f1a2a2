//! What the table area says when there is no row to show, and why.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::agent_source::{self, Hints};
use crate::present::sanitize::one_line;
use crate::tui::action::Action;
use crate::tui::app::{App, LoadState};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let lines = match &app.load {
        LoadState::Failed(e) => vec![
            Line::from(Span::styled(
                "Could not read the sessions:",
                app.theme.error,
            )),
            Line::from(one_line(e)),
        ],
        _ if app.sessions.is_empty() && app.loading() => {
            vec![Line::from(Span::styled(
                "Reading sessions…",
                app.theme.muted,
            ))]
        }
        _ if app.sessions.is_empty() => nothing_found(app),
        _ if !app.list.query.is_empty() => vec![
            Line::from(format!(
                "No sessions match “{}”.",
                one_line(&app.list.query)
            )),
            hint_key(
                app,
                app.keymap.hint_untyped(Action::Back),
                "to clear the search.",
            ),
        ],
        _ => vec![
            Line::from("No sessions in this repository."),
            hint(app, Action::ToggleScope, "to show every project."),
        ],
    };
    let mut text = vec![Line::default()];
    text.extend(lines.into_iter().map(indent));
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}

/// No session at all: the agents looked for, where, and how to look elsewhere (each agent's
/// source says it).
fn nothing_found(app: &App) -> Vec<Line<'static>> {
    let agents = agent_source::ALL;
    let names: Vec<&str> = agents.iter().map(|a| a.name()).collect();
    let hints: Vec<Hints> = agents
        .iter()
        .map(|a| agent_source::of(*a).hints())
        .collect();
    let mut lines = vec![
        Line::from(Span::styled(
            format!("No sessions found of {}.", crate::words::either(&names)),
            app.theme.header,
        )),
        Line::default(),
        Line::from("Looked for transcripts in:"),
    ];
    if app.searched.is_empty() {
        for h in &hints {
            lines.push(Line::from(Span::styled(
                format!("  (none exists: {})", h.default_places),
                app.theme.muted,
            )));
        }
    }
    for dir in &app.searched {
        lines.push(Line::from(format!(
            "  {}",
            one_line(&dir.display().to_string())
        )));
    }
    lines.push(Line::default());
    for h in &hints {
        lines.push(Line::from(Span::styled(h.elsewhere, app.theme.muted)));
    }
    lines
}

fn hint(app: &App, action: Action, what: &str) -> Line<'static> {
    hint_key(app, app.keymap.hint(action), what)
}

/// "Press <key> <what>"; the search box's own Esc when the key map leaves no other key.
fn hint_key(app: &App, key: &str, what: &str) -> Line<'static> {
    let key = if key.is_empty() { "esc" } else { key };
    Line::from(vec![
        Span::styled("Press ", app.theme.muted),
        Span::styled(key.to_owned(), app.theme.key),
        Span::styled(format!(" {what}"), app.theme.muted),
    ])
}

fn indent(line: Line<'static>) -> Line<'static> {
    let mut spans = vec![Span::raw("  ")];
    spans.extend(line.spans);
    Line::from(spans).style(line.style)
}
