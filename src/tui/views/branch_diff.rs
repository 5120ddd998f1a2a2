//! The Branch view's diff: the branch's whole diff as a pull request shows it, file by file,
//! highlighted, each added line marked with who wrote it (`A` an agent session's, `H` a
//! person's, `?` unknown), with the session and prompt behind the selected agent hunk. The same
//! facts as `git vouch diff`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::range_diff::{Rows, hunk_origin, rows};
use crate::present::sanitize::one_line;
use crate::tui::action::Action;
use crate::tui::app::{App, BranchLoad};
use crate::tui::widgets::{pane_block, spinner};
use crate::words::counted;

/// Characters of a prompt shown beside the selected hunk.
const PROMPT: usize = 80;

pub fn render(app: &App, frame: &mut Frame) {
    let [top, hunk, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let t = &app.theme;
    let diff = &app.branch.diff;
    frame.render_widget(Paragraph::new(top_line(app)), top);
    frame.render_widget(Paragraph::new(hunk_line(app)), hunk);
    let block = pane_block(t, " Diff ".to_owned(), true);
    let inner = block.inner(body);
    frame.render_widget(block, body);
    let lines = match &diff.load {
        BranchLoad::Ready => {
            let how = Rows {
                theme: t,
                labels: &[],
                marks: false,
            };
            rows(&diff.changes, &how, usize::from(inner.height))
        }
        BranchLoad::Failed(e) => vec![Line::styled(format!(" {}", one_line(e)), t.error)],
        BranchLoad::Loading(n) => vec![Line::styled(
            format!(" {} reading the diff and who wrote each line…", spinner(*n)),
            t.muted,
        )],
        BranchLoad::Idle => Vec::new(),
    };
    frame.render_widget(Paragraph::new(lines), inner);
    frame.render_widget(Paragraph::new(footer_line(app)), footer);
}

/// `git vouch · diff origin/main..feature · 4 files, +120 −8: 96 agent, 20 human, 4 unknown`.
fn top_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let mut spans = vec![
        Span::styled(" git vouch", t.title),
        Span::styled(" · diff ", t.muted),
    ];
    if let Some(c) = app.branch.diff.target() {
        let d = &c.diff.totals;
        spans.push(Span::styled(one_line(&c.diff.range), t.header));
        spans.push(Span::styled(
            format!(
                " · {}, +{} −{}: {} agent, {} human, {} unknown · {}",
                counted(d.files as u64, "file", "files"),
                d.added,
                d.removed,
                d.agent,
                d.human,
                d.unknown,
                counted(c.hunks.len() as u64, "agent hunk", "agent hunks"),
            ),
            t.muted,
        ));
    }
    Line::from(spans)
}

/// The selected agent hunk: which of them, where, the session and the prompt behind it.
fn hunk_line(app: &App) -> Line<'static> {
    let t = &app.theme;
    let c = &app.branch.diff.changes;
    let Some((tc, h, _, _)) = c.current() else {
        let text = if app.branch.diff.load == BranchLoad::Ready {
            " No agent wrote any of these changes."
        } else {
            ""
        };
        return Line::styled(text, t.muted);
    };
    Line::from(vec![
        Span::styled(
            format!(" hunk {} of {} ", c.selected + 1, c.hunks.len()),
            t.header,
        ),
        Span::styled(hunk_origin(tc, h, PROMPT), t.muted),
    ])
}

fn footer_line(app: &App) -> Line<'static> {
    if let Some(notice) = &app.notice {
        return Line::styled(format!(" {}", one_line(notice)), app.theme.warn);
    }
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let mut spans = Vec::new();
    for (key, what) in [
        (k(Action::NextMatch), "next hunk"),
        (k(Action::NextPane), "next file"),
        (k(Action::Open), "session"),
        (k(Action::Help), "help"),
        (k(Action::Back), "back"),
    ] {
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::styled(format!(" {what} "), app.theme.muted));
    }
    Line::from(spans)
}
