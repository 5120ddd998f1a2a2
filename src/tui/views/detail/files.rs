//! The files and commits tab: the commits tied to the session, the files the selected one
//! changed with +/- counts, and the selected file's diff (see [`super::diff`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph};

use crate::correlate::CommitChanges;
use crate::present;
use crate::present::sanitize::hide_if;
use crate::present::sanitize::one_line;
use crate::session::detail::SessionDetail;
use crate::tui::app::App;
use crate::tui::app::detail::{Changes, FilesPane, files_areas};
use crate::tui::text_fit::clip;
use crate::tui::text_fit::clip_left;
use crate::tui::theme::Theme;
use crate::tui::widgets::{message, pane_block, spinner};

pub fn render(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let changes = match app.open_data().map(|x| x.changes.clone()) {
        Some(Changes::Ready(c)) if !c.is_empty() => c,
        Some(Changes::Waiting) => {
            let text = format!(
                "{} Looking for the session's commits in git…",
                spinner(app.tick)
            );
            message(&app.theme, frame, area, &[&text]);
            return;
        }
        other => {
            let why = match other {
                Some(Changes::Unavailable(why)) => why,
                _ => "no commit holds the lines it wrote".to_owned(),
            };
            return render_no_commits(app, d, &why, frame, area);
        }
    };
    let (theme, redacted) = (app.theme, app.redacted);
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    // `update` keeps the selection within the commits and files.
    let f = &view.files;
    let (commit_index, file_index) = (f.commit, f.file);
    let Some(commit) = changes.get(commit_index) else {
        return;
    };
    let pane = f.pane;
    let [commits_area, files_area, diff] = files_areas(area, changes.len(), f.maximized);
    if !f.maximized {
        let lists = Lists {
            theme: &theme,
            pane,
            redacted,
        };
        render_commits(&lists, &changes, commit_index, frame, commits_area);
        render_files(&lists, commit, file_index, frame, files_area);
    }
    let Some(file) = commit.files.get(file_index) else {
        return;
    };
    if f.blame {
        return super::blame::render(app, &file.path, frame, diff);
    }
    let highlighted = app.open_data().and_then(|x| {
        x.highlighted
            .get(&(commit.link.sha.clone(), file.path.clone()))
            .cloned()
    });
    super::diff::render(
        app,
        file,
        highlighted.as_deref(),
        pane == FilesPane::Diff,
        frame,
        diff,
    );
}

/// How the lists are drawn.
struct Lists<'a> {
    theme: &'a Theme,
    pane: FilesPane,
    redacted: bool,
}

fn render_commits(
    how: &Lists<'_>,
    changes: &[CommitChanges],
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let (theme, pane) = (how.theme, how.pane);
    let width = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = changes
        .iter()
        .map(|c| {
            let short: String = c.link.sha.chars().take(7).collect();
            let tag = format!(" {}", present::link_source(c.link.source));
            let room = width.saturating_sub(short.len() + 1 + tag.len()) as u16;
            ListItem::new(Line::from(vec![
                Span::styled(short, theme.hunk),
                Span::raw(" "),
                Span::raw(clip(
                    &one_line(&hide_if(how.redacted, &c.link.subject)),
                    room,
                )),
                Span::styled(tag, theme.muted),
            ]))
        })
        .collect();
    let title = format!(" Commits ({}) ", changes.len());
    list(
        theme,
        items,
        selected,
        pane == FilesPane::Commits,
        title,
        frame,
        area,
    );
}

fn render_files(
    how: &Lists<'_>,
    commit: &CommitChanges,
    selected: usize,
    frame: &mut Frame,
    area: Rect,
) {
    let (theme, pane) = (how.theme, how.pane);
    let width = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = commit
        .files
        .iter()
        .map(|f| {
            let counts = format!("+{:<4}-{:<4}", f.added, f.removed);
            let agent = format!("A{:<4}", f.agent_lines);
            let room = width.saturating_sub(counts.len() + agent.len() + 1);
            let path = match &f.old_path {
                Some(old) => format!("{} → {}", one_line(old), one_line(&f.path)),
                None => one_line(&f.path),
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("+{:<4}", f.added), theme.added),
                Span::styled(format!("-{:<4}", f.removed), theme.removed),
                Span::styled(agent, theme.ai_line),
                Span::raw(" "),
                Span::raw(clip_left(&path, room)),
            ]))
        })
        .collect();
    let title = format!(" Files ({}) ", commit.files.len());
    list(
        theme,
        items,
        selected,
        pane == FilesPane::Files,
        title,
        frame,
        area,
    );
}

fn list(
    theme: &Theme,
    items: Vec<ListItem<'_>>,
    selected: usize,
    focused: bool,
    title: String,
    frame: &mut Frame,
    area: Rect,
) {
    let highlight = if focused {
        theme.selection
    } else {
        theme.header
    };
    let widget = List::new(items)
        .block(pane_block(theme, title, focused))
        .highlight_style(highlight)
        .highlight_symbol("› ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(widget, area, &mut state);
}

/// No commit to show: why, and the files the agent edited according to the transcript.
fn render_no_commits(app: &App, d: &SessionDetail, why: &str, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let mut lines = vec![
        Line::default(),
        Line::from("  No commits are linked to this session."),
        Line::from(Span::styled(format!("  {}", one_line(why)), theme.muted)),
        Line::default(),
    ];
    if !d.commits.is_empty() {
        lines.push(Line::from(Span::styled(
            "  Commits the agent made, from its transcript",
            theme.header,
        )));
        for c in &d.commits {
            let subject = c.subject.as_deref().unwrap_or("");
            let text = one_line(&format!("  {} {subject}", c.sha));
            lines.push(Line::from(hide_if(app.redacted, &text)));
        }
        lines.push(Line::default());
    }
    let files = d.files_by_path();
    if files.is_empty() {
        lines.push(Line::from(Span::styled(
            "  The agent edited no files.",
            theme.muted,
        )));
    } else {
        lines.push(Line::from(Span::styled(
            "  Files the agent edited",
            theme.header,
        )));
        let root = d.summary.cwd.as_deref().unwrap_or("");
        for f in files {
            let rel = f
                .path
                .strip_prefix(root)
                .map_or(f.path.as_str(), |p| p.trim_start_matches('/'));
            lines.push(Line::from(vec![
                Span::styled(format!("  +{:<5}", f.added), theme.added),
                Span::styled(format!("-{:<5}", f.removed), theme.removed),
                Span::raw(one_line(rel)),
                Span::styled(if f.created { " (new)" } else { "" }, theme.muted),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
