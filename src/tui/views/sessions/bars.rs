//! The top bar (scope, sort, position, progress), the search box and the totals footer with
//! the most useful keys (or the question "Quit git-vouch?").

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::money::Usd;
use crate::present;
use crate::present::sanitize::one_line;
use crate::tui::action::Action;
use crate::tui::app::{App, LoadState};
use crate::tui::widgets::spinner;

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
            format!("{} reading sessions… ", spinner(*n)),
            app.theme.warn,
        )),
        LoadState::Failed(_) => Line::from(Span::styled("load failed ", app.theme.error)),
        LoadState::Ready => Line::from(Span::styled(sort_and_position(app), app.theme.muted)),
    };
    render_right_first(frame, area, left, right);
}

/// `sorted by cost ↓ · row 12 of 2,700 `.
fn sort_and_position(app: &App) -> String {
    let arrow = if app.list.descending { '↓' } else { '↑' };
    let sort = format!("sorted by {} {arrow}", app.list.sort.label().to_lowercase());
    match app.list.position() {
        Some((row, of)) => format!(
            "{sort} · row {} of {} ",
            present::count(row as u64),
            present::count(of as u64)
        ),
        None => format!("{sort} "),
    }
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
    if app.quitting {
        render_split(frame, area, quit_question(app), Line::default());
        return;
    }
    if let Some(notice) = &app.notice {
        let line = Line::styled(format!(" {}", one_line(notice)), app.theme.warn);
        render_split(frame, area, line, Line::default());
        return;
    }
    let noun = if count == 1 { "session" } else { "sessions" };
    let left = Line::from(vec![
        Span::styled(format!(" {count} {noun}"), app.theme.footer),
        Span::styled(" · ", app.theme.muted),
        Span::styled(
            format!("{} tokens", present::tokens(tokens)),
            app.theme.tokens,
        ),
        Span::styled(" · ", app.theme.muted),
        Span::styled(present::cost_cell(cost, unpriced), app.theme.cost),
    ]);
    let room = usize::from(area.width).saturating_sub(left.width() + 1);
    render_split(frame, area, left, hints(app, room));
}

/// "Quit git-vouch?" with the keys that answer it.
fn quit_question(app: &App) -> Line<'static> {
    let again = app.keymap.hint_typed(Action::Back);
    let stay = app.keymap.hint_untyped(Action::Back);
    let or = |k: &str, more: &str| {
        if k.is_empty() {
            more.to_owned()
        } else {
            format!("{more}/{k}")
        }
    };
    Line::from(vec![
        Span::styled(" Quit git-vouch? ", app.theme.warn),
        Span::styled(or(again, "y"), app.theme.key),
        Span::styled(" yes  ", app.theme.muted),
        Span::styled(or(stay, "n"), app.theme.key),
        Span::styled(" no", app.theme.muted),
    ])
}

/// The most useful keys, from the key map so they follow the person's bindings, as many as fit
/// in `room` cells, most useful first.
fn hints(app: &App, room: usize) -> Line<'static> {
    let mut actions = vec![Action::Open, Action::Branch, Action::Help, Action::Search];
    actions.push(Action::SortPick);
    if app.list.scope.is_some() {
        actions.push(Action::ToggleScope);
    }
    actions.push(Action::Back);
    let mut spans = Vec::new();
    let mut used = 0;
    for a in actions {
        let key = app.keymap.hint(a);
        if key.is_empty() {
            continue;
        }
        let label = match a {
            Action::Open => "open",
            Action::Branch => "branch",
            Action::Search => "search",
            Action::SortPick => "sort",
            Action::ToggleScope if app.list.all_projects => "this repo",
            Action::ToggleScope => "all projects",
            Action::Help => "help",
            _ => "quit",
        };
        let text = format!(" {label}  ");
        let width = key.chars().count() + text.chars().count();
        if used + width > room {
            break;
        }
        used += width;
        spans.push(Span::styled(key.to_owned(), app.theme.key));
        spans.push(Span::styled(text, app.theme.muted));
    }
    Line::from(spans)
}

/// `right` at the end of the row and `left` in what is left of it (cut short when needed).
fn render_right_first(frame: &mut Frame, area: Rect, left: Line<'_>, right: Line<'_>) {
    let width = u16::try_from(right.width())
        .unwrap_or(u16::MAX)
        .min(area.width);
    let [l, r] = ratatui::layout::Layout::horizontal([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(width),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right.right_aligned()), r);
}

/// `left` at the start of the row and `right` at its end, dropping `right` when both do not fit.
fn render_split(frame: &mut Frame, area: Rect, left: Line<'_>, right: Line<'_>) {
    let fits = left.width() + right.width() < usize::from(area.width);
    frame.render_widget(Paragraph::new(left), area);
    if fits {
        frame.render_widget(Paragraph::new(right.right_aligned()), area);
    }
}
