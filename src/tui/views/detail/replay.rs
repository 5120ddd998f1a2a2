//! The replay of a session, over its tabs: where the time cursor is (idle time compressed) and
//! how fast it plays, a progress bar, the events up to the cursor (the latest at the bottom,
//! highlighted), and the tokens and cost so far.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{LineGauge, Paragraph};

use crate::present::replay::{Event, EventKind, IDLE_LIMIT_MS, Replay, SoFar};
use crate::present::sanitize::{hide_if, one_line};
use crate::present::{self};
use crate::tui::app::App;
use crate::tui::app::detail::ReplayState;
use crate::tui::text_fit::clip;
use crate::tui::widgets::message;

pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (Some(replay), Some(state)) = (
        app.open_replay(),
        app.detail.as_ref().and_then(|v| v.replay.as_ref()),
    ) else {
        return;
    };
    if replay.events.is_empty() {
        message(
            &app.theme,
            frame,
            area,
            &["Nothing in this session has a time to replay."],
        );
        return;
    }
    let [head, bar, list, totals] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let at = replay.index_at(state.cursor_ms);
    let cursor = state.cursor_ms.max(0);
    let head_text = head_text(&replay, state, at);
    frame.render_widget(
        Paragraph::new(Span::styled(clip(&head_text, area.width), app.theme.header)),
        head,
    );
    let ratio = if replay.total_ms == 0 {
        1.0
    } else {
        cursor as f64 / replay.total_ms as f64
    };
    frame.render_widget(
        LineGauge::default()
            .filled_style(app.theme.chart)
            .unfilled_style(app.theme.muted)
            .ratio(ratio.clamp(0.0, 1.0))
            .label(""),
        bar,
    );
    let shown = usize::from(list.height);
    let end = at.map_or(0, |i| i + 1);
    let lines: Vec<Line> = replay.events[end.saturating_sub(shown)..end]
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let line = event_line(app, e, list.width);
            if Some(end.saturating_sub(shown) + i) == at {
                line.style(app.theme.selection)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    frame.render_widget(
        Paragraph::new(Span::styled(
            clip(&totals_text(&replay.so_far(at)), area.width),
            app.theme.cost,
        )),
        totals,
    );
}

/// `So far 3 API calls · 32.1K tokens · $0.04 · 5 tool calls (1 failed)`.
fn totals_text(so_far: &SoFar) -> String {
    let failed = match so_far.failed_tools {
        0 => String::new(),
        n => format!(" ({n} failed)"),
    };
    format!(
        " So far {} · {} tokens · {} · {}{failed}",
        present::plural(so_far.calls, "API call", "API calls"),
        present::tokens(so_far.tokens.total()),
        so_far.cost,
        present::plural(so_far.tool_calls, "tool call", "tool calls"),
    )
}

/// Where the cursor is, how fast, how far through the events.
fn head_text(replay: &Replay, state: &ReplayState, at: Option<usize>) -> String {
    let playing = if state.playing { "playing" } else { "paused" };
    format!(
        " Replay {} of {} · {}× · {playing} · {} of {} events · idle over {} s shown as {} s",
        clock(state.cursor_ms.max(0)),
        clock(replay.total_ms),
        state.speed,
        at.map_or(0, |i| i + 1),
        replay.events.len(),
        IDLE_LIMIT_MS / 1000,
        IDLE_LIMIT_MS / 1000,
    )
}

/// `1:05`, `12:00`, `1:02:03`.
fn clock(ms: i64) -> String {
    let s = ms / 1000;
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s / 60 % 60, s % 60),
    }
}

fn event_line(app: &App, e: &Event, width: u16) -> Line<'static> {
    let theme = app.theme;
    let (label, style, what) = match &e.kind {
        EventKind::Prompt(t) => ("prompt", theme.prompt, one_line(t)),
        EventKind::Answer(t) => ("answer", theme.answer, one_line(t)),
        EventKind::Call {
            model,
            tokens,
            cost,
            missing,
        } => {
            let lacking = missing.map_or(String::new(), |k| {
                format!(" · {}, not in the transcript", k.word())
            });
            let cost = cost.map_or_else(|| "no price".to_owned(), |c| c.to_string());
            let what = format!(
                "{} · {} tokens · {cost}{lacking}",
                present::model(model),
                present::tokens(tokens.total())
            );
            ("API call", theme.tokens, what)
        }
        EventKind::FailedCall { state, error } => {
            let what = error
                .as_deref()
                .map_or(state.clone(), |e| format!("{state} · {e}"));
            ("API error", theme.error, what)
        }
        EventKind::ToolStart { name, input } => {
            ("tool", theme.tool, format!("{name} {}", one_line(input)))
        }
        EventKind::ToolEnd {
            name,
            failed,
            duration_ms,
        } => {
            let took =
                duration_ms.map_or(String::new(), |ms| format!(" · {}", present::millis(ms)));
            if *failed {
                ("failed", theme.error, format!("{name}{took}"))
            } else {
                ("done", theme.muted, format!("{name}{took}"))
            }
        }
    };
    let thread = e
        .agent_id
        .as_deref()
        .map_or("main".to_owned(), |a| clip(a, 8));
    let text = format!("{} {thread:<8} {label:<9} ", e.at.format("%H:%M:%S"));
    let room = width.saturating_sub(text.chars().count() as u16 + 1);
    Line::from(vec![
        Span::styled(format!(" {text}"), theme.muted),
        Span::styled(clip(&hide_if(app.redacted, &what), room), style),
    ])
}
