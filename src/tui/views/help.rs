//! The help screen: the keys of the screen it was asked from (on a session, of its tab), from
//! the key map with its descriptions, in a box that scrolls when it does not fit.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Action;
use crate::tui::app::{App, HelpPage, Tab};

/// Width of the keys column.
const KEYS: usize = 16;
/// Width of the box, borders included.
const WIDTH: u16 = 72;

/// Draws the key bindings in a box over the current screen.
pub fn render(app: &App, frame: &mut Frame) {
    let lines = lines(app);
    let total = lines.len() as u16;
    let area = centered(frame.area(), WIDTH, total.saturating_add(2));
    let visible = area.height.saturating_sub(2);
    let scroll = app.help_scroll.min(total.saturating_sub(visible));
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let mut bottom = format!(" {} close ", k(Action::Help));
    if visible < total {
        let last = (scroll + visible).min(total);
        bottom = format!(
            " lines {}–{last} of {total} · {}/{} scroll ·{bottom}",
            scroll + 1,
            k(Action::Down),
            k(Action::Up),
        );
    }
    let title = format!(" Keys · {} ", app.help_page().title());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.muted)
        .title(Span::styled(title, app.theme.title))
        .title_bottom(Line::from(Span::styled(bottom, app.theme.muted)).right_aligned());
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

/// Lines of the help that fit in the box at the terminal's last known size.
pub fn visible_rows(app: &App) -> u16 {
    let total = lines(app).len() as u16;
    total.min(app.size.1.saturating_sub(2))
}

/// How far the help can scroll: until its last line is at the bottom of the box.
pub fn max_scroll(app: &App) -> u16 {
    (lines(app).len() as u16).saturating_sub(visible_rows(app))
}

/// One line per action the page's screen answers, then what other keys do there.
fn lines(app: &App) -> Vec<Line<'static>> {
    let page = app.help_page();
    let mut out: Vec<Line> = page
        .keys()
        .into_iter()
        .filter_map(|(a, desc)| {
            let b = app.keymap.binding(a)?;
            let keys: Vec<&str> = b.keys.iter().map(|k| k.text.as_str()).collect();
            (!keys.is_empty()).then(|| row(app, &keys.join(" "), desc.unwrap_or(&b.desc)))
        })
        .collect();
    match page {
        HelpPage::List => {
            section(app, &mut out, "In the search box");
            out.push(row(app, "enter", "Keep the filter and go back to the list"));
            out.push(row(app, "esc", "Clear the filter"));
            out.push(row(app, "up down", "Move the selection while typing"));
            section(app, &mut out, "Asked \"Quit git-vouch?\"");
            let again = app.keymap.hint_typed(Action::Back);
            out.push(row(app, &format!("y enter {again}"), "Quit"));
            out.push(row(app, "n esc", "Stay"));
        }
        HelpPage::Detail(Tab::Conversation) => {
            section(app, &mut out, "In the conversation search");
            out.push(row(
                app,
                "enter",
                "Keep the search, then next / previous match",
            ));
            out.push(row(app, "esc", "Clear the search"));
        }
        HelpPage::Detail(Tab::Files) => {
            section(app, &mut out, "In a diff");
            out.push(row(
                app,
                "A H ·",
                "Diff gutter: the agent's line, a person's, unknown",
            ));
        }
        HelpPage::BranchDiff => {
            section(app, &mut out, "In the diff");
            out.push(row(
                app,
                "A H ?",
                "Gutter: an agent session's line, a person's, unknown",
            ));
        }
        HelpPage::Branch | HelpPage::Detail(_) | HelpPage::Replay => {}
    }
    out
}

fn section(app: &App, out: &mut Vec<Line<'static>>, title: &str) {
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        format!(" {title}"),
        app.theme.header,
    )));
}

fn row(app: &App, keys: &str, desc: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {keys:<KEYS$}"), app.theme.key),
        Span::raw(desc.to_owned()),
    ])
}

/// A box of at most `width` × `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [area] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(area);
    let [area] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    area
}
