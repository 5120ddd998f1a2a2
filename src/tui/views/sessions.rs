//! The sessions screen: a top bar, the search box, the table, and the totals of what is shown.

mod bars;
mod empty;
mod picker;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Cell, HighlightSpacing, Row, Table};
use unicode_width::UnicodeWidthStr;

use crate::attest::standing::AttestationState;
use crate::present;
use crate::present::sanitize::one_line;
use crate::session::SessionSummary;
use crate::tui::app::{App, Column, models, project, sessions_areas};
use crate::tui::text_fit::clip;
use crate::tui::theme::Theme;

/// Shown where a value is not known yet.
const MISSING: &str = "—";
const SELECTED: &str = "› ";
/// The title column is never squeezed below this (the title says what a session was); other
/// columns go first.
const MIN_TITLE: u16 = 20;

/// Draws the sessions screen over the whole frame.
pub fn render(app: &mut App, frame: &mut Frame) {
    let searching = app.list.searching || !app.list.query.is_empty();
    let [top, search, body, footer] = sessions_areas(frame.area(), searching);
    bars::render_top(app, frame, top);
    if searching {
        bars::render_search(app, frame, search);
    }
    if app.list.shown.is_empty() {
        empty::render(app, frame, body);
    } else {
        render_table(app, frame, body);
    }
    bars::render_footer(app, frame, footer);
    picker::render(app, frame);
}

fn render_table(app: &mut App, frame: &mut Frame, area: Rect) {
    let columns = fit_columns(app.list.columns(), area.width);
    let theme = app.theme;
    let header = Row::new(columns.iter().map(|(c, w)| {
        let mut label = c.label().to_owned();
        if *c == app.list.sort {
            label.push(if app.list.descending { '↓' } else { '↑' });
        }
        align(*c, Line::from(clip(&label, *w)))
    }))
    .style(theme.header);
    let rows: Vec<Row> = app
        .shown()
        .map(|s| session_row(s, &columns, app, &theme))
        .collect();
    let widths = columns.iter().map(|(_, w)| Constraint::Length(*w));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selection)
        .highlight_symbol(SELECTED)
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(table, area, &mut app.list.table);
}

fn session_row<'a>(
    s: &SessionSummary,
    columns: &[(Column, u16)],
    app: &App,
    theme: &Theme,
) -> Row<'a> {
    Row::new(columns.iter().map(|&(c, w)| {
        let (text, style) = cell_text(s, c, app, theme);
        Cell::from(align(c, Line::from(clip(&text, w)))).style(style)
    }))
}

/// The text of one cell, cleaned of anything a transcript could smuggle in, and its style.
fn cell_text(s: &SessionSummary, c: Column, app: &App, theme: &Theme) -> (String, Style) {
    let or_missing = |v: Option<String>| v.unwrap_or_else(|| MISSING.to_owned());
    match c {
        Column::Started => (
            or_missing(s.start.map(|t| present::relative(t, app.now))),
            theme.muted,
        ),
        Column::Agent => (s.agent.name().to_owned(), theme.muted),
        Column::Project => (one_line(&project(s)), Style::default()),
        Column::Branch => (
            or_missing(s.git_branch.as_deref().map(one_line)),
            Style::default(),
        ),
        Column::Title => (one_line(s.display_title()), Style::default()),
        Column::Models => (one_line(&models(s)), theme.muted),
        Column::Duration => (
            or_missing(s.duration().map(present::duration)),
            Style::default(),
        ),
        Column::Tokens => (present::tokens(s.tokens.total()), theme.tokens),
        Column::Cost => (
            present::cost_cell(s.cost, !s.unpriced_models.is_empty()),
            theme.cost,
        ),
        Column::ToolCalls => (s.tool_calls.to_string(), Style::default()),
        Column::Commits => match app.list.commits.get(&s.id) {
            Some(c) => (c.commits.len().to_string(), Style::default()),
            None => (MISSING.to_owned(), theme.muted),
        },
        Column::Attestation => match app.list.commits.get(&s.id).and_then(|c| c.attestation) {
            Some(state) => (state.label().to_owned(), attestation_style(state, theme)),
            None => (MISSING.to_owned(), theme.muted),
        },
        Column::Health => match &s.health {
            Some(h) => (format!("{:>3} {}", h.score, h.grade), theme.grade(&h.grade)),
            None => (MISSING.to_owned(), theme.muted),
        },
        Column::Risk => match app.list.repo.risks.get(&s.id) {
            Some(risk) => (risk.worst.label().to_owned(), theme.risk(risk.worst)),
            None => (MISSING.to_owned(), theme.muted),
        },
    }
}

/// Good news in the "ok" colour, missing signatures as a warning, broken ones as an error.
fn attestation_style(state: AttestationState, theme: &Theme) -> Style {
    match state {
        AttestationState::Reviewed => theme.ok,
        AttestationState::Unreviewed => Style::default(),
        AttestationState::Unsigned => theme.warn,
        AttestationState::Untrusted | AttestationState::Invalid => theme.error,
    }
}

fn align(c: Column, line: Line<'_>) -> Line<'_> {
    match c {
        Column::Duration | Column::Tokens | Column::Cost | Column::ToolCalls | Column::Commits => {
            line.right_aligned()
        }
        _ => line,
    }
}

/// The fixed width of a column; the title takes what is left.
fn width(c: Column) -> u16 {
    match c {
        Column::Started | Column::Project | Column::Branch | Column::Attestation => 10,
        Column::Agent => 11,
        Column::Risk => 8,
        Column::Title => MIN_TITLE,
        Column::Models => 14,
        Column::Duration | Column::ToolCalls | Column::Health => 6,
        Column::Tokens | Column::Commits => 7,
        Column::Cost => 9,
    }
}

/// The columns dropped first when the terminal is narrow.
const DROP_ORDER: [Column; 11] = [
    Column::Agent,
    Column::Branch,
    Column::Health,
    Column::Risk,
    Column::Models,
    Column::Attestation,
    Column::Commits,
    Column::ToolCalls,
    Column::Duration,
    Column::Project,
    Column::Tokens,
];

/// The columns that fit in `total` cells, with their widths.
fn fit_columns(mut shown: Vec<Column>, total: u16) -> Vec<(Column, u16)> {
    let used = |cols: &[Column]| -> u16 {
        let fixed: u16 = cols.iter().map(|&c| width(c)).sum();
        fixed + cols.len() as u16 - 1 + SELECTED.width() as u16
    };
    for drop in DROP_ORDER {
        if used(&shown) <= total {
            break;
        }
        shown.retain(|&c| c != drop);
    }
    let spare = total.saturating_sub(used(&shown));
    shown
        .into_iter()
        .map(|c| (c, width(c) + if c == Column::Title { spare } else { 0 }))
        .collect()
}
