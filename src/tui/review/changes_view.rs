//! Drawing the review's Changes tab: what the agents wrote hunk by hunk, with the agent/person
//! gutter as the explorer's Files tab draws it, the selected hunk marked at the left edge with the
//! session and prompt behind it, and each agent hunk's mark on its header. Also the flag comment
//! box and the story of a hunk (`enter`). Reads the [`ReviewApp`] only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{Focus, ReviewApp, StoryView};
use crate::present::sanitize::{code_line, one_line};
use crate::tui::theme::Theme;
use crate::tui::views::range_diff::{Rows, badge, hunk_origin, mark_style, rows};
use crate::tui::widgets::{pane_block, spinner};

/// Characters of a prompt shown beside the selected hunk.
const PROMPT: usize = 90;

pub fn render(app: &ReviewApp, frame: &mut Frame, area: Rect, tick: usize) {
    let c = &app.changes;
    let block = pane_block(&app.theme, title(app), app.focus == Focus::Changes);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if !c.loaded {
        let text = format!(
            " {} Reading the diff and who wrote each line…",
            spinner(tick)
        );
        frame.render_widget(Paragraph::new(Line::styled(text, app.theme.muted)), inner);
        return;
    }
    if let Some(e) = &c.error {
        let lines = vec![
            Line::styled(" The diff could not be read:", app.theme.error),
            Line::raw(format!(" {}", one_line(e))),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(head_lines(app)), head);
    let labels: Vec<&str> = app
        .request
        .targets
        .iter()
        .map(|t| t.label.as_str())
        .collect();
    let how = Rows {
        theme: &app.theme,
        labels: &labels,
        marks: true,
    };
    frame.render_widget(
        Paragraph::new(rows(c, &how, usize::from(body.height))),
        body,
    );
}

fn title(app: &ReviewApp) -> String {
    let cov = app.changes.coverage();
    if !app.changes.loaded || app.changes.error.is_some() {
        return " Changes ".to_owned();
    }
    format!(
        " Changes · {} of {} agent hunks marked ",
        cov.agent_hunks - cov.unmarked,
        cov.agent_hunks
    )
}

/// The marks so far, then the selected hunk: where, which session and prompt, its mark.
fn head_lines(app: &ReviewApp) -> Vec<Line<'static>> {
    let t = &app.theme;
    let c = &app.changes;
    let cov = c.coverage();
    let mut first = vec![Span::styled(
        format!(
            " {} read · {} flagged · {} skipped · {} unmarked",
            cov.read, cov.flagged, cov.skipped, cov.unmarked
        ),
        t.muted,
    )];
    if app.request.require_hunks && !cov.complete() {
        first.push(Span::styled(
            " · every agent hunk must be marked (vouch.review.hunks all)",
            t.warn,
        ));
    }
    let Some((tc, h, _, hi)) = c.current() else {
        return vec![
            Line::from(first),
            Line::styled(" No agent wrote any of these changes.", t.muted),
        ];
    };
    let second = Line::from(vec![
        Span::styled(
            format!(" hunk {} of {} ", c.selected + 1, c.hunks.len()),
            t.header,
        ),
        Span::styled(format!("{} ", badge(tc, hi)), mark_style(t, tc.marks[hi])),
        Span::styled(hunk_origin(tc, h, PROMPT), t.muted),
    ]);
    vec![Line::from(first), second]
}

/// The comment box of a flag, over the bottom of the screen.
pub fn render_comment(app: &ReviewApp, frame: &mut Frame) {
    let Some(comment) = &app.comment else {
        return;
    };
    let area = frame.area();
    let rect = Rect {
        x: area.x + 2,
        y: area.y + area.height.saturating_sub(7),
        width: area.width.saturating_sub(4),
        height: 3.min(area.height),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.title)
        .title(Span::styled(
            " Flag this hunk: what is wrong? (enter: flag, esc: cancel) ",
            app.theme.title,
        ));
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    frame.render_widget(comment, inner);
}

/// The story of the selected hunk: the prompt, the tool call that wrote it, the conversation
/// around that call.
pub fn render_story(app: &ReviewApp, view: &StoryView, frame: &mut Frame, tick: usize) {
    let t = &app.theme;
    let area = frame.area();
    let rect = Rect {
        x: area.x + 2,
        y: area.y + 1,
        width: area.width.saturating_sub(4),
        height: area.height.saturating_sub(3),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.title)
        .title(Span::styled(one_line(&view.title), t.title))
        .title_bottom(Span::styled(" esc/enter: close · j/k: scroll ", t.muted));
    let lines = match &view.story {
        None => vec![Line::styled(
            format!(" {} Reading the session…", spinner(tick)),
            t.muted,
        )],
        Some(s) => story_lines(t, s),
    };
    frame.render_widget(Clear, rect);
    let scroll = u16::try_from(view.scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}

fn story_lines(t: &Theme, s: &crate::provenance::blame::CallStory) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match &s.prompt {
        Some(p) => {
            out.push(Line::styled(
                format!(" Prompt {} of {}", p.number, p.of),
                t.header,
            ));
            out.extend(
                p.text
                    .lines()
                    .map(|l| Line::styled(format!("   {}", code_line(l)), t.prompt)),
            );
        }
        None => out.push(Line::styled(" The prompt is not known.", t.muted)),
    }
    out.push(Line::default());
    if let Some(c) = &s.tool_call {
        out.push(Line::styled(
            format!(" Tool call {} ({}, {})", c.name, c.status, one_line(&c.id)),
            t.header,
        ));
        out.push(Line::raw(format!("   {}", one_line(&c.input))));
        out.push(Line::default());
    }
    out.push(Line::styled(" Conversation around the call", t.header));
    for e in &s.conversation {
        let style = match e.kind {
            "prompt" => t.prompt,
            "answer" => t.answer,
            "thinking" => t.thinking,
            _ => t.tool,
        };
        let arrow = if e.this_call { "▶" } else { " " };
        let text: String = one_line(&e.text).chars().take(400).collect();
        out.push(Line::from(vec![
            Span::styled(format!(" {arrow} {:<8} ", e.kind), style),
            Span::raw(text),
        ]));
    }
    out
}
