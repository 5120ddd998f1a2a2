//! The top bar (scope, sort, progress), the search box and the totals footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::cli::commands::sessions::cost_cell;
use crate::cli::fmt;
use crate::money::Usd;
use crate::tui::action::Action;
use crate::tui::app::{App, LoadState};
use crate::tui::sanitize::one_line;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render_top(app: &App, frame: &mut Frame, area: Rect) {
    let scope = match (&app.list.only, app.list.active_scope()) {
        (Some((what, _)), _) => format!("sessions of {}", one_line(what)),
        (None, Some(root)) => one_line(&root.display().to_string()),
        (None, None) => "all projects".to_owned(),
    };
    let left = Line::from(vec![
        Span::styled(" git vouch", app.theme.title),
        Span::styled(" · ", app.theme.muted),
        Span::raw(scope),
    ]);
    let right = match &app.load {
        LoadState::Loading(n) => Line::from(Span::styled(
            format!("{} reading sessions… ", SPINNER[n % SPINNER.len()]),
            app.theme.warn,
        )),
        LoadState::Failed(_) => Line::from(Span::styled("load failed ", app.theme.error)),
        LoadState::Ready => Line::from(Span::styled(
            format!("sorted by {} ", app.list.sort.label().to_lowercase()),
            app.theme.muted,
        )),
    };
    render_split(frame, area, left, right);
}

pub fn render_search(app: &App, frame: &mut Frame, area: Rect) {
    let cursor = if app.list.searching { "▏" } else { "" };
    let line = Line::from(vec![
        Span::styled(" / ", app.theme.key),
        Span::styled(one_line(&app.list.query), app.theme.search),
        Span::styled(cursor, app.theme.search),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

pub fn render_footer(app: &App, frame: &mut Frame, area: Rect) {
    let (mut tokens, mut cost, mut unpriced, mut count) = (0, Usd::ZERO, false, 0);
    for s in app.shown() {
        count += 1;
        tokens += s.tokens.total();
        cost += s.cost;
        unpriced |= !s.unpriced_models.is_empty();
    }
    let noun = if count == 1 { "session" } else { "sessions" };
    let left = Line::from(vec![
        Span::styled(format!(" {count} {noun}"), app.theme.footer),
        Span::styled(" · ", app.theme.muted),
        Span::styled(format!("{} tokens", fmt::tokens(tokens)), app.theme.tokens),
        Span::styled(" · ", app.theme.muted),
        Span::styled(cost_cell(cost, unpriced), app.theme.cost),
    ]);
    render_split(frame, area, left, hints(app));
}

/// The most useful keys, from the key map so they follow the person's bindings.
fn hints(app: &App) -> Line<'static> {
    let mut actions = vec![Action::Search, Action::SortNext];
    if app.list.scope.is_some() {
        actions.push(Action::ToggleScope);
    }
    actions.extend([Action::Help, Action::Back]);
    let mut spans = Vec::new();
    for a in actions {
        let key = app.keymap.hint(a);
        if key.is_empty() {
            continue;
        }
        let label = match a {
            Action::Search => "search",
            Action::SortNext => "sort",
            Action::ToggleScope if app.list.all_projects => "this repo",
            Action::ToggleScope => "all projects",
            Action::Help => "help",
            _ => "quit",
        };
        spans.push(Span::styled(key.to_owned(), app.theme.key));
        spans.push(Span::styled(format!(" {label}  "), app.theme.muted));
    }
    Line::from(spans)
}

/// `left` at the start of the row and `right` at its end, dropping `right` when both do not fit.
fn render_split(frame: &mut Frame, area: Rect, left: Line<'_>, right: Line<'_>) {
    let fits = left.width() + right.width() < usize::from(area.width);
    frame.render_widget(Paragraph::new(left), area);
    if fits {
        frame.render_widget(Paragraph::new(right.right_aligned()), area);
    }
}
