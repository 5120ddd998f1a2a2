//! Drawing the review screen. No I/O: everything comes from the [`ReviewApp`].

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::app::{Focus, Phase, ReviewApp};
use crate::present::sanitize::{code_line, one_line};
use crate::tui::action::Action;
use crate::tui::widgets::{help_box, pane_block, spinner};
use crate::words::counted;

/// The most lines a message (a failed signature with its fix) takes above the screen's bottom.
const MAX_MESSAGE_LINES: u16 = 4;

/// Draws the whole screen.
pub fn render(app: &ReviewApp, frame: &mut Frame) {
    let note_height = (app.note.lines().len() as u16 + 2).clamp(3, 7);
    let footer_height = app.message.as_deref().map_or(1, |m| {
        wrapped_height(&message_text(m), frame.area().width).clamp(1, MAX_MESSAGE_LINES)
    });
    let [top, tabs, body, note, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(note_height),
        Constraint::Length(footer_height),
    ])
    .areas(frame.area());
    frame.render_widget(Paragraph::new(title(app)), top);
    frame.render_widget(Paragraph::new(tab_line(app)), tabs);
    match app.shown {
        // Without evidence there is nothing to review: the reason is what to read.
        _ if matches!(app.phase, Phase::Failed(_)) => render_summary(app, frame, body),
        Focus::Summary => render_summary(app, frame, body),
        Focus::Evidence => render_evidence(app, frame, body),
        _ => super::changes_view::render(app, frame, body, app.tick),
    }
    render_note(app, frame, note);
    frame.render_widget(
        Paragraph::new(footer_line(app)).wrap(Wrap { trim: false }),
        footer,
    );
    super::changes_view::render_comment(app, frame);
    if let Some(story) = &app.story {
        super::changes_view::render_story(app, story, frame, app.tick);
    }
    if app.help {
        render_help(app, frame);
    }
}

/// The body's tabs, the shown one bright, then the evidence's digest: what is signed.
fn tab_line(app: &ReviewApp) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, tab) in Focus::TABS.iter().enumerate() {
        let style = if *tab == app.shown {
            app.theme.tab
        } else {
            app.theme.muted
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, tab.title()), style));
    }
    if let Some(i) = app.items.first() {
        spans.push(Span::styled(
            format!("  evidence sha256 {}…", &i.prepared.sha256[..12]),
            app.theme.muted,
        ));
    }
    Line::from(spans)
}

fn title(app: &ReviewApp) -> Line<'static> {
    let what = match &app.request.remote {
        Some(remote) => format!(" Review before pushing to {}", one_line(remote)),
        None => " Review and sign".to_owned(),
    };
    let commits: usize = app
        .request
        .targets
        .iter()
        .map(|t| t.range.commits.len())
        .sum();
    Line::from(vec![
        Span::styled(what, app.theme.title),
        Span::styled(
            format!(
                " {}, {} · what is shown is what is signed",
                counted(app.request.targets.len(), "range", "ranges"),
                counted(commits, "commit", "commits")
            ),
            app.theme.muted,
        ),
    ])
}

fn pane<'a>(app: &ReviewApp, title: String, focus: Focus) -> Block<'a> {
    pane_block(&app.theme, title, app.focus == focus)
}

fn render_summary(app: &ReviewApp, frame: &mut Frame, area: Rect) {
    let block = pane(app, " Sessions & commands ".to_owned(), Focus::Summary);
    let lines = match &app.phase {
        Phase::Preparing(n) => vec![Line::styled(
            format!(" {} Building the evidence…", spinner(*n)),
            app.theme.muted,
        )],
        Phase::Failed(e) => vec![
            Line::styled(" The evidence could not be built:", app.theme.error),
            Line::raw(format!(" {}", one_line(e))),
        ],
        _ => super::summary::lines(&app.items, &app.theme),
    };
    let scroll = u16::try_from(app.summary_scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn render_evidence(app: &ReviewApp, frame: &mut Frame, area: Rect) {
    let digest = app
        .items
        .first()
        .map(|i| format!(" sha256 {}… ", &i.prepared.sha256[..12]))
        .unwrap_or_default();
    let block = pane(app, " Evidence to sign ".to_owned(), Focus::Evidence)
        .title_bottom(Line::styled(digest, app.theme.muted).right_aligned());
    let inner = usize::from(area.height.saturating_sub(2));
    let lines: Vec<Line> = evidence_lines(app)
        .skip(app.evidence_scroll)
        .take(inner)
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The evidence documents, one after another, each under a header naming its range.
fn evidence_lines(app: &ReviewApp) -> impl Iterator<Item = Line<'_>> {
    let many = app.items.len() > 1;
    app.items.iter().flat_map(move |item| {
        let header = many.then(|| {
            Line::styled(
                format!("── {} ──", one_line(&item.target.label)),
                app.theme.header,
            )
        });
        header
            .into_iter()
            .chain(item.lines.iter().map(|l| Line::raw(code_line(l))))
    })
}

fn render_note(app: &ReviewApp, frame: &mut Frame, area: Rect) {
    let block = pane(
        app,
        " Note (signed with the evidence) ".to_owned(),
        Focus::Note,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(&app.note, inner);
}

fn footer_line(app: &ReviewApp) -> Line<'static> {
    if let Some(m) = &app.message {
        return Line::styled(message_text(m), app.theme.warn);
    }
    if let Phase::Signing(n) = app.phase {
        return Line::styled(format!(" {} Signing…", spinner(n)), app.theme.footer);
    }
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let sign = if app.request.pushing() {
        "sign & push"
    } else {
        "sign"
    };
    let mut spans = Vec::new();
    let mut hints = Vec::new();
    if app.blocked_by_policies() {
        // Said before anyone tries: the policies' pane lists the violations.
        spans.push(Span::styled(
            " signing blocked: policy violations (vouch.policy enforce) ",
            app.theme.warn,
        ));
    } else if let Some(why) = app.blocked_by_hunks().filter(|_| app.changes.loaded) {
        spans.push(Span::styled(
            format!(" signing blocked: {why} "),
            app.theme.warn,
        ));
    } else {
        hints.push((k(Action::Sign), sign));
    }
    if app.focus == Focus::Changes && !app.changes.hunks.is_empty() {
        hints.push((k(Action::NextMatch), "next hunk"));
        hints.push((k(Action::MarkRead), "read"));
        hints.push((k(Action::MarkFlagged), "flag"));
        hints.push((k(Action::MarkSkipped), "skip"));
        hints.push((k(Action::Open), "why"));
    }
    if unattested_allowed(app) {
        hints.push((k(Action::PushUnattested), "push unsigned"));
    }
    let abort = if app.request.pushing() {
        "abort push"
    } else {
        "leave"
    };
    hints.push((k(Action::Back), abort));
    hints.push((k(Action::NextTab), "next tab"));
    hints.push((k(Action::Help), "help"));
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key}"), app.theme.key));
        spans.push(Span::raw(format!(" {what} ")));
    }
    Line::from(spans)
}

fn message_text(m: &str) -> String {
    format!(" {}", one_line(m))
}

/// How many lines `text` takes when wrapped at word boundaries to `width` columns.
fn wrapped_height(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut lines = 1u16;
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.width();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else {
            lines = lines.saturating_add(1);
            used = w;
            while used > width {
                lines = lines.saturating_add(1);
                used -= width;
            }
        }
    }
    lines
}

fn render_help(app: &ReviewApp, frame: &mut Frame) {
    let lines: Vec<Line> = Action::REVIEW
        .iter()
        .filter(|&&a| a != Action::PushUnattested || unattested_allowed(app))
        .filter_map(|&a| Some((a, app.keymap.binding(a)?)))
        .map(|(a, b)| {
            let keys: Vec<&str> = b.keys.iter().map(|k| k.text.as_str()).collect();
            Line::from(vec![
                Span::styled(format!(" {:<16}", keys.join(" ")), app.theme.key),
                Span::raw(review_desc(app, a).unwrap_or(b.desc.as_str()).to_owned()),
            ])
        })
        .collect();
    help_box(&app.theme, frame, " Review keys ", lines, 72);
}

/// Whether this review may push without an attestation (`vouch.review` allows it).
fn unattested_allowed(app: &ReviewApp) -> bool {
    app.request.pushing() && app.request.allow_unattested
}

/// What a key does on this screen, where the key map's words are the explorer's.
fn review_desc(app: &ReviewApp, action: Action) -> Option<&'static str> {
    Some(match action {
        Action::NextTab => "Next tab: changes, sessions & commands, evidence, the note",
        Action::PrevTab => "Previous tab",
        Action::TabOverview => "Changes: the diff, hunk by hunk",
        Action::TabTokens => "Sessions & commands: what the agents did",
        Action::TabTools => "Evidence: the exact document that gets signed",
        Action::NextMatch => "Changes: next agent hunk",
        Action::PrevMatch => "Changes: previous agent hunk",
        Action::NextPane => "Changes: next file",
        Action::PrevPane => "Changes: previous file",
        Action::MarkRead => "Changes: mark the agent hunk read, go to the next unmarked",
        Action::MarkFlagged => "Changes: flag the agent hunk with a comment (signed with it)",
        Action::MarkSkipped => "Changes: mark the agent hunk skipped (not read)",
        Action::Open => "Changes: why: the prompt, tool call and conversation behind the hunk",
        Action::Down => "Scroll the pane down",
        Action::Up => "Scroll the pane up",
        Action::PageDown => "Scroll the pane a page down",
        Action::PageUp => "Scroll the pane a page up",
        Action::Top => "Top of the pane",
        Action::Bottom => "End of the pane",
        Action::Sign if app.blocked_by_policies() => {
            "Sign: blocked while policies are violated (vouch.policy enforce)"
        }
        Action::Sign if app.request.require_hunks => {
            "Sign once every agent hunk is marked (vouch.review.hunks all)"
        }
        Action::Sign if app.request.pushing() => "Sign what is shown with the note, then push",
        Action::Sign => "Sign what is shown with the note",
        Action::PushUnattested => "Push without signing (vouch.review allows it)",
        Action::Back => "Abort: nothing is signed or pushed (esc in the note: leave it)",
        Action::Quit => "Abort",
        _ => return None,
    })
}
