//! The help screen: every binding of the key map with its description, over the sessions.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::App;

/// Width of the keys column.
const KEYS: usize = 16;

/// Draws the key bindings in a box over the current screen.
pub fn render(app: &App, frame: &mut Frame) {
    let lines = lines(app);
    let area = centered(frame.area(), 72, lines.len() as u16 + 2);
    let back = app.keymap.hint(Action::Back);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.muted)
        .title(Span::styled(" Keys ", app.theme.title))
        .title_bottom(
            Line::from(Span::styled(format!(" {back} close "), app.theme.muted)).right_aligned(),
        );
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((app.help_scroll, 0)),
        area,
    );
}

/// One line per action, in the key map's order, then the search box's own keys.
fn lines(app: &App) -> Vec<Line<'static>> {
    let mut out: Vec<Line> = Action::ALL
        .iter()
        .filter(|a| !Action::REVIEW_ONLY.contains(a))
        .filter_map(|&a| app.keymap.binding(a))
        .map(|b| {
            let keys: Vec<&str> = b.keys.iter().map(|k| k.text.as_str()).collect();
            row(app, &keys.join(" "), &b.desc)
        })
        .collect();
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        " In the search box",
        app.theme.header,
    )));
    out.push(row(app, "enter", "Keep the filter and go back to the list"));
    out.push(row(app, "esc", "Clear the filter"));
    out.push(row(app, "up down", "Move the selection while typing"));
    out.push(Line::default());
    out.push(Line::from(Span::styled(" In a session", app.theme.header)));
    let search = app.keymap.hint(Action::Search);
    out.push(row(
        app,
        search,
        "Search the conversation, then next / previous match",
    ));
    out.push(row(
        app,
        "A H ·",
        "Diff gutter: the agent's line, a person's, unknown",
    ));
    out
}

fn row(app: &App, keys: &str, desc: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {keys:<KEYS$}"), app.theme.key),
        Span::raw(desc.to_owned()),
    ])
}

/// A box of at most `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [area] = ratatui::layout::Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    let [area] = ratatui::layout::Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(ratatui::layout::Flex::Center)
        .areas(area);
    area
}
