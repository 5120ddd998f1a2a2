//! The Exchanges tab: every API call `git vouch record` recorded for the session, in order (time,
//! model, what became of it, tokens, cost, time to first byte, duration, retries), the calls the
//! transcript lacks marked; `enter` opens one in full over the tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use crate::present;
use crate::present::sanitize::one_line;
use crate::recorder::browse::{ExchangeRow, Exchanges};
use crate::recorder::exchange::Purpose;
use crate::tui::app::App;
use crate::tui::app::detail::call::popup_area;
use crate::tui::app::detail::exchange::exchange_lines;
use crate::tui::widgets::{Popup, Selectable, message};

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(data) = app.open_data() else {
        return;
    };
    let list = match &data.exchanges {
        Some(Ok(list)) => list,
        Some(Err(e)) => {
            message(
                &app.theme,
                frame,
                area,
                &["The recording could not be read:", &one_line(e)],
            );
            return;
        }
        None => {
            message(
                &app.theme,
                frame,
                area,
                &[
                    "No recording of this session's API calls.",
                    "git vouch record -- claude records every call the agent makes, billed or",
                    "not, with what the transcript leaves out (compaction, side calls).",
                ],
            );
            return;
        }
    };
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let [head, table, below] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(headline(app, list), app.theme.muted)),
        head,
    );
    let selected = view.exchanges.row.min(list.rows.len().saturating_sub(1));
    let rows = list.rows.iter().map(|r| row(app, r)).collect();
    Selectable {
        header: [
            "Time", "Model", "State", "Tokens", "Cost", "1st byte", "Took", "Retry", "Note",
        ],
        widths: [
            Constraint::Length(8),
            Constraint::Length(11),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Min(10),
        ],
        rows,
        selected,
        details: list
            .rows
            .get(selected)
            .map(|r| details(app, r))
            .unwrap_or_default(),
    }
    .render(&app.theme, frame, table, below);
    if view.exchanges.open
        && let Some(r) = list.rows.get(selected)
    {
        render_open(app, r, frame);
    }
}

/// `7 calls recorded · 32.1K tokens · $0.04 · 2 not in the transcript`.
fn headline(app: &App, list: &Exchanges) -> String {
    let Some(r) = app.open_data().and_then(|d| d.summary.recording.as_deref()) else {
        return format!(
            " {}",
            present::plural(list.rows.len() as u64, "call", "calls")
        );
    };
    let lacking = match r.not_in_transcript.len() {
        0 => String::new(),
        n => format!(" · {n} not in the transcript"),
    };
    format!(
        " {} recorded · billed {}{lacking}",
        present::plural(list.rows.len() as u64, "call", "calls"),
        present::tally(&r.recorded)
    )
}

/// Why the transcript lacks a call, when it does.
fn lacking(app: &App, r: &ExchangeRow) -> Option<&'static str> {
    let rec = app.open_data()?.summary.recording.as_deref()?;
    let id = r.message_id.as_deref()?;
    rec.not_in_transcript
        .iter()
        .find(|m| m.message_id.as_deref() == Some(id))
        .map(|m| m.kind.word())
}

/// What the Note column says: why the transcript lacks it, another endpoint, the error.
fn note(app: &App, r: &ExchangeRow) -> String {
    let mut note = Vec::new();
    if let Some(kind) = lacking(app, r) {
        note.push(format!("{kind}, not in the transcript"));
    } else if r.purpose == Some(Purpose::Compaction) {
        note.push("compaction".to_owned());
    }
    if r.path != "/v1/messages" {
        note.push(r.path.clone());
    }
    if let Some(e) = &r.error {
        note.push(e.clone());
    }
    one_line(&note.join(" · "))
}

fn row<'a>(app: &App, r: &ExchangeRow) -> Row<'a> {
    let theme = app.theme;
    let state_style = if r.error.is_some() || r.status >= 400 {
        theme.error
    } else {
        theme.muted
    };
    Row::new(vec![
        Cell::from(r.started.format("%H:%M:%S").to_string()).style(theme.muted),
        Cell::from(r.model.as_deref().map_or(String::new(), present::model)),
        Cell::from(r.state()).style(state_style),
        Cell::from(
            r.tokens
                .map_or(String::new(), |t| present::tokens(t.total())),
        )
        .style(theme.tokens),
        Cell::from(r.cost.map_or(String::new(), |c| c.to_string())).style(theme.cost),
        Cell::from(r.ttfb_ms.map_or(String::new(), |ms| format!("{ms} ms"))),
        Cell::from(format!("{} ms", r.duration_ms)),
        Cell::from(if r.retry > 0 {
            r.retry.to_string()
        } else {
            String::new()
        }),
        Cell::from(note(app, r)),
    ])
}

fn details(app: &App, r: &ExchangeRow) -> Vec<Line<'static>> {
    let muted = app.theme.muted;
    let thread = r.agent_id.as_deref().map_or_else(
        || "main thread".to_owned(),
        |a| format!("sub-agent {}", one_line(a)),
    );
    let note = note(app, r);
    vec![
        Line::from(vec![
            Span::styled(" request ", muted),
            Span::raw(r.request_id.clone().unwrap_or_else(|| "—".into())),
            Span::styled(" · ", muted),
            Span::raw(thread),
            Span::styled(" · stop ", muted),
            Span::raw(r.stop_reason.clone().unwrap_or_else(|| "—".into())),
            Span::styled("  enter opens it in full", muted),
        ]),
        Line::from(Span::raw(if note.is_empty() {
            String::new()
        } else {
            format!(" {note}")
        })),
    ]
}

/// The selected call in full over the tab.
fn render_open(app: &App, r: &ExchangeRow, frame: &mut Frame) {
    let (Some(view), Some(data)) = (app.detail.as_ref(), app.open_data()) else {
        return;
    };
    let area = popup_area(app.size).intersection(frame.area());
    let width = usize::from(area.width.saturating_sub(2));
    let content = data.exchange.get(&(r.store, r.id));
    // Headings are the lines not indented.
    let lines = exchange_lines(r, content, width, view.exchanges.unfolded, app.redacted)
        .into_iter()
        .map(|l| {
            let heading = !l.is_empty() && !l.starts_with(' ');
            (l, heading)
        })
        .collect();
    let style = if r.error.is_some() {
        app.theme.error
    } else {
        app.theme.title
    };
    Popup {
        title: format!(" API call {} ", r.id),
        style,
        lines,
        scroll: view.exchanges.scroll,
        area,
        theme: &app.theme,
    }
    .render(frame);
}
