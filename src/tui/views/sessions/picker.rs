//! The sort picker: the table's columns in a box, the current sort marked with its direction.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::App;

/// Draws the picker in the middle of the frame, when it is open.
pub fn render(app: &App, frame: &mut Frame) {
    let Some(at) = app.list.picker else {
        return;
    };
    let lines: Vec<Line> = app
        .list
        .columns()
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mark = if c == app.list.sort {
                if app.list.descending { " ↓" } else { " ↑" }
            } else {
                ""
            };
            let (cursor, style) = if i == at {
                ("› ", app.theme.selection)
            } else {
                ("  ", ratatui::style::Style::default())
            };
            Line::from(Span::styled(format!("{cursor}{}{mark}", c.label()), style))
        })
        .collect();
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let bottom = format!(" {} sort · {} close ", k(Action::Open), k(Action::Back));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let [area] = Layout::horizontal([Constraint::Length(30)])
        .flex(Flex::Center)
        .areas(frame.area());
    let [area] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.muted)
        .title(Span::styled(" Sort by ", app.theme.title))
        .title_bottom(Line::from(Span::styled(bottom, app.theme.muted)).right_aligned());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
