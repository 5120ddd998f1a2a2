//! The tokens and cost tab: usage per model, the cache hit ratio, and tokens and cost per turn
//! as charts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table,
};

use crate::money::{PICOS_PER_USD, Usd};
use crate::present;
use crate::present::sanitize::one_line;
use crate::session::detail::SessionDetail;
use crate::tui::app::App;

const HEADERS: [&str; 8] = [
    "Model", "Reqs", "Input", "Output", "Wr 5m", "Wr 1h", "Read", "Cost",
];

pub fn render(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let models = d.summary.models.len() as u16;
    let [table, ratio, charts] = Layout::vertical([
        Constraint::Length(models + 2),
        Constraint::Length(2),
        Constraint::Min(0),
    ])
    .areas(area);
    render_table(app, d, frame, table);
    frame.render_widget(Paragraph::new(ratio_line(app, d)), ratio);
    if d.turns.is_empty() {
        let text = Line::from(Span::styled(
            "  No API responses recorded.",
            app.theme.muted,
        ));
        frame.render_widget(Paragraph::new(text), charts);
        return;
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(charts);
    render_tokens_chart(app, d, frame, left);
    render_cost_chart(app, d, frame, right);
}

fn render_table(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let header = Row::new(HEADERS.iter().enumerate().map(|(i, h)| {
        let line = Line::from(*h);
        Cell::from(if i == 0 { line } else { line.right_aligned() })
    }))
    .style(theme.header);
    let num = |n: u64| Cell::from(Line::from(present::tokens(n)).right_aligned());
    let mut rows: Vec<Row> = d
        .summary
        .models
        .iter()
        .map(|m| {
            let t = &m.tokens;
            let cost = m.cost.map_or_else(|| "?".to_owned(), |c| c.to_string());
            Row::new(vec![
                Cell::from(one_line(&present::model(&m.model))),
                Cell::from(Line::from(m.messages.to_string()).right_aligned()),
                num(t.input),
                num(t.output),
                num(t.cache_write_5m),
                num(t.cache_write_1h),
                num(t.cache_read),
                Cell::from(Line::from(cost).right_aligned()).style(theme.cost),
            ])
        })
        .collect();
    let t = &d.summary.tokens;
    rows.push(
        Row::new(vec![
            Cell::from("Total"),
            Cell::from(Line::from(d.summary.assistant_messages.to_string()).right_aligned()),
            num(t.input),
            num(t.output),
            num(t.cache_write_5m),
            num(t.cache_write_1h),
            num(t.cache_read),
            Cell::from(
                Line::from(present::cost_cell(
                    d.summary.cost,
                    !d.summary.unpriced_models.is_empty(),
                ))
                .right_aligned(),
            )
            .style(theme.cost),
        ])
        .style(theme.footer),
    );
    let widths = [
        Constraint::Min(10),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, area);
}

/// Cache reads over all the input side (uncached input, cache writes and reads).
fn ratio_line(app: &App, d: &SessionDetail) -> Line<'static> {
    let t = &d.summary.tokens;
    let input = t.input + t.cache_write() + t.cache_read;
    let ratio = if input == 0 {
        "—".to_owned()
    } else {
        format!("{:.1}%", t.cache_read as f64 * 100.0 / input as f64)
    };
    Line::from(vec![
        Span::styled(" Cache hit ratio ", app.theme.header),
        Span::styled(ratio, app.theme.tokens),
        Span::styled(
            format!(
                "  ({} of {} input tokens read from the cache) · {} turns",
                present::tokens(t.cache_read),
                present::tokens(input),
                d.turns.len()
            ),
            app.theme.muted,
        ),
    ])
}

fn usd(c: Usd) -> f64 {
    c.picos() as f64 / PICOS_PER_USD as f64
}

fn render_tokens_chart(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let points: Vec<(f64, f64)> = d
        .turns
        .iter()
        .enumerate()
        .map(|(i, t)| ((i + 1) as f64, t.tokens.total() as f64))
        .collect();
    let max = points.iter().map(|p| p.1).fold(1.0, f64::max);
    let data = Dataset::default()
        .marker(Marker::HalfBlock)
        .graph_type(GraphType::Bar)
        .style(app.theme.chart)
        .data(&points);
    let chart = Chart::new(vec![data])
        .block(block(app, " Tokens per turn "))
        .x_axis(x_axis(app, points.len()))
        .y_axis(
            Axis::default()
                .bounds([0.0, max])
                .labels(["0".to_owned(), present::tokens(max as u64)])
                .style(app.theme.muted),
        );
    frame.render_widget(chart, area);
}

fn render_cost_chart(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let mut total = Usd::ZERO;
    let points: Vec<(f64, f64)> = d
        .turns
        .iter()
        .enumerate()
        .map(|(i, t)| {
            total += t.cost.unwrap_or(Usd::ZERO);
            ((i + 1) as f64, usd(total))
        })
        .collect();
    let max = usd(total).max(0.000_001);
    let data = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(app.theme.cost)
        .data(&points);
    let chart = Chart::new(vec![data])
        .block(block(app, " Cost so far "))
        .x_axis(x_axis(app, points.len()))
        .y_axis(
            Axis::default()
                .bounds([0.0, max])
                .labels(["$0".to_owned(), total.to_string()])
                .style(app.theme.muted),
        );
    frame.render_widget(chart, area);
}

fn block<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::TOP)
        .border_style(app.theme.muted)
        .title(Span::styled(title, app.theme.header))
}

fn x_axis(app: &App, n: usize) -> Axis<'static> {
    Axis::default()
        .bounds([1.0, n.max(2) as f64])
        .labels(["1".to_owned(), n.to_string()])
        .style(app.theme.muted)
}
