//! Drawing the review's Changes tab: what the agents wrote hunk by hunk, with the agent/person
//! gutter as the explorer's Files tab draws it, the selected hunk marked at the left edge with the
//! session and prompt behind it, and each agent hunk's mark on its header. Also the flag comment
//! box and the story of a hunk (`enter`). Reads the [`ReviewApp`] only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{Focus, ReviewApp, StoryView};
use super::changes::{ChangesState, Row, TargetChanges};
use crate::attest::hunk_review::HunkMark;
use crate::present::blame::{mark, short_id};
use crate::present::sanitize::{code_line, code_piece, one_line};
use crate::provenance::blame::LineAuthor;
use crate::provenance::diff::DiffLine;
use crate::tui::highlight::Piece;
use crate::tui::theme::Theme;
use crate::tui::widgets::{pane_block, spinner};
use crate::words::counted;

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
    let height = usize::from(body.height);
    let scroll = c.scroll.min(c.rows.len().saturating_sub(height.max(1)));
    let selected = c.selected_rows();
    let lines: Vec<Line> = c
        .rows
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(r, row)| row_line(app, *row, r, selected.contains(&r)))
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
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
    let session = h.first.session.as_deref().unwrap_or("");
    let prompt = h
        .first
        .prompt
        .and_then(|n| {
            let s = tc.diff.sessions.iter().find(|s| s.id == session)?;
            let p = s.prompts.iter().find(|p| p.number == n)?;
            Some(format!(
                " · prompt {n}: «{}»",
                clip(&one_line(&p.text), PROMPT)
            ))
        })
        .unwrap_or_default();
    let agent = tc
        .diff
        .sessions
        .iter()
        .find(|s| s.id == session)
        .map(|s| format!(" ({})", s.agent))
        .unwrap_or_default();
    let second = Line::from(vec![
        Span::styled(
            format!(" hunk {} of {} ", c.selected + 1, c.hunks.len()),
            t.header,
        ),
        Span::styled(format!("{} ", badge(tc, hi)), mark_style(t, tc.marks[hi])),
        Span::styled(
            format!(
                "{} · session {}{agent}{prompt}",
                one_line(&tc.diff.files[h.file].path),
                short_id(session)
            ),
            t.muted,
        ),
    ]);
    vec![Line::from(first), second]
}

fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_owned();
    }
    text.chars().take(n - 1).chain(['…']).collect()
}

/// `[read]`, `[flagged: comment]`, `[skipped]`, `[unmarked]`.
fn badge(c: &TargetChanges, h: usize) -> String {
    match (c.marks[h], c.comments[h].as_deref()) {
        (HunkMark::Flagged, Some(comment)) => format!("[flagged: {}]", one_line(comment)),
        (m, _) => format!("[{}]", m.label()),
    }
}

fn mark_style(t: &Theme, m: HunkMark) -> Style {
    match m {
        HunkMark::Read => t.ok,
        HunkMark::Flagged => t.error,
        HunkMark::Skipped => t.warn,
        HunkMark::Unmarked => t.muted,
    }
}

fn row_line(app: &ReviewApp, row: Row, r: usize, selected: bool) -> Line<'static> {
    let t = &app.theme;
    let c = &app.changes;
    let edge = if selected {
        Span::styled("▌", t.title)
    } else {
        Span::raw(" ")
    };
    let mut spans = vec![edge];
    match row {
        Row::Target(i) => spans.push(Span::styled(
            format!("── {} ──", one_line(&app.request.targets[i].label)),
            t.header,
        )),
        Row::File(i, f) => {
            let f = &c.targets[i].diff.files[f];
            let from = f
                .old_path
                .as_deref()
                .map(|o| format!(" (from {})", one_line(o)))
                .unwrap_or_default();
            spans.push(Span::styled(
                format!("{}{from}", one_line(&f.path)),
                t.header,
            ));
            spans.push(Span::styled(
                format!(
                    "  {} +{} −{} · A agent {} · H person {} · ? unknown {}",
                    f.status, f.added, f.removed, f.agent, f.human, f.unknown
                ),
                t.muted,
            ));
        }
        Row::Line(i, f, l) => {
            let tc = &c.targets[i];
            let line = &tc.diff.files[f].lines[l];
            let pieces = tc.highlighted.get(f).and_then(|h| h.get(l));
            spans.extend(diff_line(t, line, pieces.map(Vec::as_slice)));
            if let Some(&(_, h, _)) = hunk_at(c, r).filter(|_| line.kind == "hunk") {
                spans.push(Span::raw(" "));
                spans.push(Span::styled(badge(tc, h), mark_style(t, tc.marks[h])));
            }
        }
        Row::More(i, f) => spans.push(Span::styled(
            format!(
                " … {} not shown",
                counted(
                    c.targets[i].diff.files[f].more_lines as u64,
                    "more line",
                    "more lines"
                )
            ),
            t.muted,
        )),
    }
    Line::from(spans)
}

fn hunk_at(c: &ChangesState, row: usize) -> Option<&(usize, usize, usize)> {
    c.hunks
        .binary_search_by_key(&row, |&(_, _, r)| r)
        .ok()
        .map(|i| &c.hunks[i])
}

fn diff_line(t: &Theme, l: &DiffLine, pieces: Option<&[Piece]>) -> Vec<Span<'static>> {
    if l.kind == "hunk" {
        return vec![Span::styled(one_line(&l.text), t.hunk)];
    }
    let num = |n: Option<u32>| n.map_or_else(|| "    ".to_owned(), |n| format!("{n:>4}"));
    let author = l.by.as_ref().map(|b| b.author);
    let (sign, sign_style, who_style) = match (l.kind, author) {
        ("added", Some(LineAuthor::Agent)) => ("+", t.added, t.ai_line),
        ("added", Some(LineAuthor::Human)) => ("+", t.added, t.human_line),
        ("added", _) => ("+", t.added, t.muted),
        ("removed", _) => ("-", t.removed, Style::default()),
        _ => (" ", Style::default(), Style::default()),
    };
    let who = author.map_or(" ", mark);
    let mut spans = vec![
        Span::styled(format!("{} {} ", num(l.old), num(l.new)), t.muted),
        Span::styled(who, who_style),
        Span::styled(sign, sign_style),
        Span::raw(" "),
    ];
    match pieces.filter(|p| !p.is_empty() && !t.plain) {
        Some(pieces) => spans.extend(pieces.iter().map(|(c, text)| {
            let style = c.map_or(Style::default(), |(r, g, b)| {
                Style::default().fg(Color::Rgb(r, g, b))
            });
            Span::styled(code_piece(text), style)
        })),
        None => spans.push(Span::styled(code_line(&l.text), sign_style)),
    }
    spans
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
