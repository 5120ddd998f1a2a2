//! The tools tab: a histogram of calls per tool (failures drawn apart, median duration), and
//! the calls of the selected tool.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Row, Table, TableState};

use crate::present::sanitize::hide_if;
use crate::present::sanitize::one_line;
use crate::present::{clock, millis};
use crate::session::detail::{SessionDetail, ToolCall, ToolStat, ToolStatus};
use crate::tui::app::App;
use crate::tui::app::detail::call::{call_lines, popup_area};
use crate::tui::app::detail::tools_areas;
use crate::tui::text_fit::clip;
use crate::tui::text_fit::relative;
use crate::tui::widgets::{Popup, message};
use crate::words::counted;

const SELECTED: &str = "› ";

pub fn render(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let stats = d.tool_stats();
    if stats.is_empty() {
        message(&app.theme, frame, area, &["No tool calls in this session."]);
        return;
    }
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let (tool, call, calls_focus) = (view.tools.tool, view.tools.call, view.tools.calls_focus);
    // `update` keeps the selection within the tools.
    let Some(stat) = stats.get(tool) else {
        return;
    };
    let [top, bottom] = tools_areas(area, stats.len());
    render_histogram(app, &stats, tool, !calls_focus, frame, top);
    let calls: Vec<&ToolCall> = d
        .tool_calls
        .iter()
        .filter(|c| c.name == stat.name)
        .collect();
    let cwd = d.summary.cwd.as_deref();
    let list = CallList {
        stat,
        calls: &calls,
        selected: call,
        focused: calls_focus,
        cwd,
    };
    render_calls(app, &list, frame, bottom);
    if let Some(c) = calls
        .get(call)
        .filter(|_| app.detail.as_ref().is_some_and(|v| v.tools.open))
    {
        render_call(app, c, frame);
    }
}

fn render_histogram(
    app: &App,
    stats: &[ToolStat],
    selected: usize,
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = app.theme;
    let max = stats.iter().map(|s| s.calls).max().unwrap_or(1).max(1);
    // Name, counts and median take 14 + 6 + 7 + 8 cells, spacing and the marker 7.
    let bar = usize::from(area.width).saturating_sub(42).max(4);
    let rows: Vec<Row> = stats
        .iter()
        .map(|s| {
            let ok = ((s.calls - s.failed) as usize * bar).div_ceil(max as usize);
            let failed = (s.failed as usize * bar).div_ceil(max as usize);
            Row::new(vec![
                Cell::from(clip(&one_line(&s.name), 14)),
                Cell::from(Line::from(vec![
                    Span::styled("█".repeat(ok), theme.chart),
                    Span::styled("▒".repeat(failed), theme.error),
                ])),
                Cell::from(Line::from(s.calls.to_string()).right_aligned()),
                Cell::from(Line::from(failed_text(s.failed)).right_aligned()).style(theme.error),
                Cell::from(Line::from(s.median_ms.map_or("—".into(), millis)).right_aligned()),
            ])
        })
        .collect();
    let header =
        Row::new(["Tool", "Calls (▒ failed)", "Calls", "Failed", "Median"]).style(theme.header);
    let widths = [
        Constraint::Length(14),
        Constraint::Length(bar as u16),
        Constraint::Length(6),
        Constraint::Length(7),
        Constraint::Length(8),
    ];
    let mut state = TableState::default().with_selected(Some(selected));
    let table = Table::new(rows, widths)
        .header(header)
        .block(
            Block::default()
                .borders(Borders::BOTTOM)
                .border_style(theme.muted),
        )
        .row_highlight_style(if focused {
            theme.selection
        } else {
            Style::default()
        })
        .highlight_symbol(SELECTED)
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(table, area, &mut state);
}

/// The selected call in full over the tab: its input, and its result or error.
fn render_call(app: &App, call: &ToolCall, frame: &mut Frame) {
    let (Some(view), Some(data)) = (app.detail.as_ref(), app.open_data()) else {
        return;
    };
    let area = popup_area(app.size).intersection(frame.area());
    let width = usize::from(area.width.saturating_sub(2));
    let lines = call_lines(data, call, width, app.redacted)
        .into_iter()
        .map(|l| {
            let heading = matches!(l.as_str(), "Input" | "Result" | "Error");
            (l, heading)
        })
        .collect();
    let style = match call.status {
        ToolStatus::Failed { .. } => app.theme.error,
        _ => app.theme.title,
    };
    Popup {
        title: format!(" {} call ", one_line(&call.name)),
        style,
        lines,
        scroll: view.tools.call_scroll,
        area,
        theme: &app.theme,
    }
    .render(frame);
}

fn failed_text(n: u64) -> String {
    if n == 0 { String::new() } else { n.to_string() }
}

/// The calls of the selected tool.
struct CallList<'a> {
    stat: &'a ToolStat,
    calls: &'a [&'a ToolCall],
    selected: usize,
    focused: bool,
    cwd: Option<&'a str>,
}

fn render_calls(app: &App, list: &CallList<'_>, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let CallList {
        stat,
        calls,
        selected,
        focused,
        cwd,
    } = *list;
    let rows: Vec<Row> = calls
        .iter()
        .map(|c| {
            let input = one_line(&hide_if(app.redacted, &relative(&c.input_summary, cwd)));
            let (mark, style, detail) = match &c.status {
                ToolStatus::Ok => ("✓", theme.ok, input),
                ToolStatus::Failed { error } => (
                    "✗",
                    theme.error,
                    format!(
                        "{input} — {}",
                        one_line(&hide_if(app.redacted, &relative(error, cwd)))
                    ),
                ),
                ToolStatus::Pending => ("…", theme.warn, input),
            };
            let by = c
                .agent_id
                .as_deref()
                .map_or("main".to_owned(), |a| one_line(a).chars().take(8).collect());
            Row::new(vec![
                Cell::from(clock(c.started)).style(theme.muted),
                Cell::from(mark).style(style),
                Cell::from(Line::from(c.duration_ms.map_or("—".into(), millis)).right_aligned()),
                Cell::from(by).style(theme.muted),
                Cell::from(detail),
            ])
        })
        .collect();
    let title = format!(
        " {} of {} ",
        counted(calls.len() as u64, "call", "calls"),
        one_line(&stat.name)
    );
    let widths = [
        Constraint::Length(8),
        Constraint::Length(1),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Min(10),
    ];
    let mut state = TableState::default().with_selected(focused.then_some(selected));
    let table = Table::new(rows, widths)
        .header(Row::new(["Time", "", "Took", "By", "Input"]).style(theme.header))
        .block(Block::default().title(Span::styled(title, theme.header)))
        .row_highlight_style(theme.selection)
        .highlight_symbol(SELECTED)
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(table, area, &mut state);
}
