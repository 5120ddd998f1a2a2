//! The Insights tab: the session's health and what went wrong (`git vouch insights --session`
//! on screen), most severe first; below the table, the selected finding in full. Enter shows its
//! first call in the conversation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::insights::{Basis, Finding, Insights};
use crate::present::sanitize::{hide_if, one_line};
use crate::tui::app::App;
use crate::tui::widgets::{Selectable, message};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(insights) = app.open_data().and_then(|d| d.insights.as_deref()) else {
        message(
            &app.theme,
            frame,
            area,
            &["No insights for this session: its thresholds could not be read."],
        );
        return;
    };
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let [head, table, below] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(6),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(headline(app, insights)), head);
    if insights.findings.is_empty() {
        message(
            &app.theme,
            frame,
            table,
            &[
                "Nothing went wrong that the detectors look for.",
                "Loops, failure storms, churn, unverified claims, context pressure and waste.",
            ],
        );
        return;
    }
    let theme = app.theme;
    let rows: Vec<Row> = insights
        .findings
        .iter()
        .map(|f| {
            Row::new(vec![
                Cell::from(f.severity.label()).style(theme.severity(f.severity)),
                Cell::from(f.id.label()),
                Cell::from(one_line(&hide_if(app.redacted, &f.title))),
                Cell::from(thread(f)).style(theme.muted),
            ])
        })
        .collect();
    let selected = view.finding.min(insights.findings.len() - 1);
    Selectable {
        header: ["Severity", "Finding", "What", "Where"],
        widths: [
            Constraint::Length(8),
            Constraint::Length(21),
            Constraint::Min(20),
            Constraint::Length(14),
        ],
        rows,
        selected,
        details: details(app, &insights.findings[selected]),
    }
    .render(&theme, frame, table, below);
}

/// The health, its grade, and how many findings of which severity.
fn headline(app: &App, i: &Insights) -> Vec<Line<'static>> {
    let style = app.theme.grade(&i.grade);
    let count = crate::words::counted(i.findings.len() as u64, "finding", "findings");
    vec![Line::from(vec![
        Span::styled(format!(" Health {} ({})", i.health, i.grade), style),
        Span::styled(
            format!(" · {count} · thresholds version {}", i.rules_version),
            app.theme.muted,
        ),
    ])]
}

fn thread(f: &Finding) -> String {
    f.agent_id.as_deref().map_or_else(
        || "main thread".to_owned(),
        |a| format!("agent {}", one_line(a)),
    )
}

fn details(app: &App, f: &Finding) -> Vec<Line<'static>> {
    let muted = app.theme.muted;
    let basis = match f.basis {
        Basis::Measured => "measured",
        Basis::Estimated => "estimated",
    };
    let when = f.at.map_or_else(String::new, |t| {
        format!(" · at {}", crate::present::datetime(t))
    });
    let calls = match f.calls.len() {
        0 => "none (it is about requests or the session)".to_owned(),
        n => format!(
            "{} (enter: the first in the conversation)",
            crate::words::counted(n as u64, "call", "calls")
        ),
    };
    vec![
        Line::from(Span::raw(format!(" {}", hide_if(app.redacted, &f.title)))),
        Line::from(vec![
            Span::styled(" how sure ", muted),
            Span::raw(format!("{basis}, {:?} confidence{when}", f.confidence).to_lowercase()),
        ]),
        Line::from(vec![Span::styled(" calls ", muted), Span::raw(calls)]),
        Line::from(vec![
            Span::styled(" what to do ", muted),
            Span::raw(f.suggestion.clone()),
        ]),
    ]
}
