//! The small pieces every screen draws with: the progress spinner, the block around a pane
//! that shows whether it has the focus, a few lines of explanation in place of content, and a
//! table with its selected row's details below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Clear, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};

use super::theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The progress indicator's frame after `tick` ticks.
pub fn spinner(tick: usize) -> &'static str {
    SPINNER[tick % SPINNER.len()]
}

/// A bordered pane titled `title`: bright when it has the focus, muted when not.
pub fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let style = if focused { theme.title } else { theme.muted };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(
            title,
            if focused { theme.title } else { theme.header },
        ))
}

/// A few lines of explanation in place of a pane's content (empty states, loading): the first
/// plain, the others muted.
pub fn message(theme: &Theme, frame: &mut Frame, area: Rect, lines: &[&str]) {
    let mut text = vec![Line::default()];
    for (i, l) in lines.iter().enumerate() {
        let style = if i == 0 {
            Style::default()
        } else {
            theme.muted
        };
        text.push(Line::from(Span::styled(format!("  {l}"), style)));
    }
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}

/// A screen's key help: `lines` in a bordered box titled `title`, at most `width` columns wide,
/// centred over what is drawn.
pub fn help_box(theme: &Theme, frame: &mut Frame, title: &str, lines: Vec<Line<'_>>, width: u16) {
    let area = frame.area();
    let width = width.min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).style(Style::default()).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.muted)
                .title(Span::styled(title.to_owned(), theme.title)),
        ),
        rect,
    );
}

/// A table with one selected row in `table` (rows past it scroll), and the selected row's
/// details wrapped in `below`: the Guard and Insights tabs.
pub struct Selectable<'a, const N: usize> {
    pub header: [&'a str; N],
    pub widths: [Constraint; N],
    pub rows: Vec<Row<'a>>,
    pub selected: usize,
    pub details: Vec<Line<'a>>,
}

impl<const N: usize> Selectable<'_, N> {
    pub fn render(self, theme: &Theme, frame: &mut Frame, table: Rect, below: Rect) {
        let mut state = TableState::default().with_selected(Some(self.selected));
        let t = Table::new(self.rows, self.widths)
            .header(Row::new(self.header).style(theme.header))
            .column_spacing(1)
            .row_highlight_style(theme.selection)
            .highlight_symbol("› ")
            .highlight_spacing(HighlightSpacing::Always);
        frame.render_stateful_widget(t, table, &mut state);
        frame.render_widget(
            Paragraph::new(self.details).wrap(Wrap { trim: false }),
            below,
        );
    }
}

/// A pop-up over `area`: `lines` (each with whether it is a heading) from line `scroll` on, in
/// a border of `style` titled `title`, with which lines are shown at the bottom.
pub struct Popup<'a> {
    pub title: String,
    pub style: Style,
    pub lines: Vec<(String, bool)>,
    pub scroll: usize,
    pub area: Rect,
    pub theme: &'a Theme,
}

impl Popup<'_> {
    pub fn render(self, frame: &mut Frame) {
        let total = self.lines.len();
        let height = usize::from(self.area.height.saturating_sub(2));
        let scroll = self.scroll.min(total.saturating_sub(height));
        let shown: Vec<Line> = self
            .lines
            .into_iter()
            .skip(scroll)
            .take(height)
            .map(|(l, heading)| {
                if heading {
                    Line::from(Span::styled(l, self.theme.header))
                } else {
                    Line::from(l)
                }
            })
            .collect();
        let position = format!(
            " {}–{} of {} ",
            (scroll + 1).min(total),
            (scroll + height).min(total),
            total
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(self.style)
            .title(Span::styled(self.title, self.style))
            .title_bottom(Span::styled(position, self.theme.muted));
        frame.render_widget(Clear, self.area);
        frame.render_widget(Paragraph::new(shown).block(block), self.area);
    }
}

#[cfg(test)]
mod tests {
    use super::spinner;

    #[test]
    fn the_spinner_turns_and_wraps() {
        assert_eq!(spinner(0), "⠋");
        assert_eq!(spinner(1), "⠙");
        assert_eq!(spinner(10), spinner(0));
    }
}
