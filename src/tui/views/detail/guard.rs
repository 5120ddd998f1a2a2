//! The Guard tab: every call the guard checked in the session, in order, with its risk, what was
//! decided and by whom, and what became of it (`git vouch audit --session` on screen); below the
//! table, the selected call's rules, categories and reason.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::evidence::guard::GuardedCall;
use crate::present::sanitize::{hide_if, one_line};
use crate::tui::app::App;
use crate::tui::widgets::{Selectable, message};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(account) = app.open_data().and_then(|d| d.guard.clone()) else {
        message(
            &app.theme,
            frame,
            area,
            &[
                "The guard checked none of this session's calls.",
                "It checks them when the capture hooks are installed (git vouch init) and",
                "vouch.guard is not off, in the repository the session worked in.",
            ],
        );
        return;
    };
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let [head, table, below] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(4),
    ])
    .areas(area);
    let style = if account.evidence.bypassed > 0 {
        app.theme.error
    } else {
        app.theme.muted
    };
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" {}", account.evidence.headline()),
            style,
        )),
        head,
    );
    let theme = app.theme;
    let rows: Vec<Row> = account
        .timeline
        .iter()
        .map(|c| {
            let what = hide_if(app.redacted, c.summary.as_deref().unwrap_or(&c.tool));
            Row::new(vec![
                Cell::from(c.at.format("%H:%M:%S").to_string()).style(theme.muted),
                Cell::from(c.level.label()).style(level_style(app, c)),
                Cell::from(one_line(&c.tool)),
                Cell::from(one_line(&what)),
                Cell::from(decision(c)),
            ])
        })
        .collect();
    let selected = view
        .guard_call
        .min(account.timeline.len().saturating_sub(1));
    Selectable {
        header: ["Time", "Risk", "Tool", "Call", "Decided, outcome"],
        widths: [
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Min(16),
            Constraint::Length(34),
        ],
        rows,
        selected,
        details: account
            .timeline
            .get(selected)
            .map(|call| details(app, call))
            .unwrap_or_default(),
    }
    .render(&theme, frame, table, below);
}

/// Who decided, in the audit's words (with the watcher's name), and what became of the call.
fn decision(c: &GuardedCall) -> String {
    if c.bypassed {
        return c.fate();
    }
    match &c.answered_by {
        Some(by) => format!("{} ({by}), {}", c.decided_by().label(), c.outcome.label()),
        None => c.fate(),
    }
}

fn details(app: &App, c: &GuardedCall) -> Vec<Line<'static>> {
    let muted = app.theme.muted;
    let categories: Vec<&str> = c.categories.iter().map(|k| k.label()).collect();
    let rules = if c.rules.is_empty() {
        "none matched".to_owned()
    } else {
        c.rules.join(", ")
    };
    let thread = c.agent_id.as_deref().map_or_else(
        || "main thread".to_owned(),
        |a| format!("sub-agent {}", one_line(a)),
    );
    vec![
        Line::from(vec![
            Span::styled(" rules ", muted),
            Span::raw(one_line(&rules)),
            Span::styled(" · categories ", muted),
            Span::raw(if categories.is_empty() {
                "none".to_owned()
            } else {
                categories.join(", ")
            }),
        ]),
        Line::from(vec![
            Span::styled(" mode ", muted),
            Span::raw(format!("{} · {thread}", c.mode)),
            Span::styled(
                if c.bypassed {
                    " · denied, yet it ran: a guard bypass"
                } else {
                    ""
                },
                app.theme.error,
            ),
        ]),
        Line::from(vec![
            Span::styled(" reason ", muted),
            Span::raw(one_line(
                c.reason.as_deref().unwrap_or("none (no objection)"),
            )),
        ]),
    ]
}

fn level_style(app: &App, c: &GuardedCall) -> Style {
    if c.bypassed {
        app.theme.error
    } else {
        app.theme.risk(c.level)
    }
}
