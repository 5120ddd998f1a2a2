//! The files and commits tab: the commits tied to the session, the files the selected one
//! changed with +/- counts, and the selected file's diff, highlighted, with the lines the agent
//! wrote marked in the gutter: `A` the agent's; with a commit record (the hooks saw the commit)
//! `H` a person's; without one, `?` for lines that match nothing the session wrote and `·` for
//! lines too plain to match, both of unknown author (see [`crate::correlate`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, HighlightSpacing, List, ListItem, ListState, Paragraph};

use super::text::{clip_left, message, spinner};
use crate::correlate::{Author, ChangedFile, CommitChanges, LineKind, LinkSource};
use crate::session::detail::SessionDetail;
use crate::tui::app::App;
use crate::tui::app::detail::{Changes, FilesPane};
use crate::tui::highlight::Highlighted;
use crate::tui::sanitize::{code_line, code_piece, one_line};
use crate::tui::theme::Theme;
use crate::tui::views::sessions::clip;

/// How a commit was tied to the session, in a few words.
pub fn source_label(source: LinkSource) -> &'static str {
    match source {
        LinkSource::Recorded => "recorded",
        LinkSource::Trailer => "trailer",
        LinkSource::AgentCommit => "agent commit",
        LinkSource::Inferred => "inferred",
    }
}

pub fn render(app: &mut App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let changes = match app.open_data().map(|x| x.changes.clone()) {
        Some(Changes::Ready(c)) if !c.is_empty() => c,
        Some(Changes::Waiting) => {
            let text = format!("{} Looking for the session's commits in git…", spinner(app));
            message(app, frame, area, &[&text]);
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
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let f = &mut view.files;
    f.commit = f.commit.min(changes.len() - 1);
    let commit = &changes[f.commit];
    f.file = f.file.min(commit.files.len().saturating_sub(1));
    let (pane, file_index) = (f.pane, f.file);
    let [lists, diff] = if area.width >= 100 {
        Layout::horizontal([Constraint::Percentage(38), Constraint::Min(0)]).areas(area)
    } else {
        Layout::vertical([Constraint::Percentage(40), Constraint::Min(0)]).areas(area)
    };
    let commits_height = (changes.len() as u16 + 2).min(lists.height / 2).max(3);
    let [commits_area, files_area] =
        Layout::vertical([Constraint::Length(commits_height), Constraint::Min(0)]).areas(lists);
    let theme = app.theme;
    render_commits(
        &theme,
        &changes,
        view.files.commit,
        pane,
        frame,
        commits_area,
    );
    render_files(&theme, commit, file_index, pane, frame, files_area);
    view.page = usize::from(match pane {
        FilesPane::Commits => commits_area.height,
        FilesPane::Files => files_area.height,
        FilesPane::Diff => diff.height,
    })
    .saturating_sub(2);
    let Some(file) = commit.files.get(file_index) else {
        return;
    };
    let highlighted = app.open_data().and_then(|x| {
        x.highlighted
            .get(&(commit.link.sha.clone(), file.path.clone()))
            .cloned()
    });
    render_diff(
        app,
        file,
        highlighted.as_deref(),
        pane == FilesPane::Diff,
        frame,
        diff,
    );
}

fn pane_block<'a>(theme: &Theme, title: String, focused: bool) -> Block<'a> {
    let style = if focused { theme.title } else { theme.muted };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(
            title,
            if focused { theme.title } else { theme.header },
        ))
}

fn render_commits(
    theme: &Theme,
    changes: &[CommitChanges],
    selected: usize,
    pane: FilesPane,
    frame: &mut Frame,
    area: Rect,
) {
    let width = usize::from(area.width.saturating_sub(4));
    let items: Vec<ListItem> = changes
        .iter()
        .map(|c| {
            let short: String = c.link.sha.chars().take(7).collect();
            let tag = format!(" {}", source_label(c.link.source));
            let room = width.saturating_sub(short.len() + 1 + tag.len()) as u16;
            ListItem::new(Line::from(vec![
                Span::styled(short, theme.hunk),
                Span::raw(" "),
                Span::raw(clip(&one_line(&c.link.subject), room)),
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
    theme: &Theme,
    commit: &CommitChanges,
    selected: usize,
    pane: FilesPane,
    frame: &mut Frame,
    area: Rect,
) {
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

fn render_diff(
    app: &mut App,
    file: &ChangedFile,
    highlighted: Option<&Highlighted>,
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = app.theme;
    let path = clip_left(&one_line(&file.path), usize::from(area.width / 2));
    let title = if file.recorded {
        format!(
            " {path} · A agent {} · H person {} ",
            file.agent_lines, file.human_lines
        )
    } else {
        format!(
            " {path} · A agent {} · ? unknown {} ",
            file.agent_lines, file.unknown_lines
        )
    };
    let block = pane_block(&theme, title, focused).title_bottom(Span::styled(
        format!(" {} ", crate::correlate::how_marked(file.recorded)),
        theme.muted,
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if file.binary {
        frame.render_widget(
            Paragraph::new(Span::styled(" binary file", theme.muted)),
            inner,
        );
        return;
    }
    let height = usize::from(inner.height);
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let total = file.lines.len() + usize::from(file.more_lines > 0);
    let scroll = view.files.diff_scroll.min(total.saturating_sub(height));
    view.files.diff_scroll = scroll;
    let mut lines: Vec<Line> = file
        .lines
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(i, l)| {
            let pieces = highlighted.and_then(|h| h.lines.get(i));
            diff_line(&theme, l, pieces.map(Vec::as_slice))
        })
        .collect();
    if file.more_lines > 0 && lines.len() < height {
        lines.push(Line::from(Span::styled(
            format!(" … {} more lines not shown", file.more_lines),
            theme.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn diff_line<'a>(
    theme: &Theme,
    l: &crate::correlate::DiffLine,
    pieces: Option<&[crate::tui::highlight::Piece]>,
) -> Line<'a> {
    let num = |n: Option<u32>| n.map_or_else(|| "    ".to_owned(), |n| format!("{n:>4}"));
    if l.kind == LineKind::Hunk {
        return Line::from(Span::styled(one_line(&l.text), theme.hunk));
    }
    let (sign, sign_style, who, who_style) = match l.kind {
        LineKind::Added(Author::Agent) => ("+", theme.added, "A", theme.ai_line),
        LineKind::Added(Author::Human) => ("+", theme.added, "H", theme.human_line),
        LineKind::Added(Author::Unknown) => ("+", theme.added, "?", theme.muted),
        LineKind::Added(Author::Plain) => ("+", theme.added, "·", theme.muted),
        LineKind::Removed => ("-", theme.removed, " ", Style::default()),
        _ => (" ", Style::default(), " ", Style::default()),
    };
    let mut spans = vec![
        Span::styled(format!("{} {} ", num(l.old), num(l.new)), theme.muted),
        Span::styled(who, who_style),
        Span::styled(sign, sign_style),
        Span::raw(" "),
    ];
    match pieces.filter(|p| !p.is_empty() && !theme.plain) {
        Some(pieces) => spans.extend(pieces.iter().map(|(c, t)| {
            let style = c.map_or(Style::default(), |(r, g, b)| {
                Style::default().fg(Color::Rgb(r, g, b))
            });
            Span::styled(code_piece(t), style)
        })),
        None => spans.push(Span::styled(code_line(&l.text), sign_style)),
    }
    Line::from(spans)
}

/// No commit to show: why, and the files the agent edited according to the transcript.
fn render_no_commits(app: &mut App, d: &SessionDetail, why: &str, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let mut lines = vec![
        Line::default(),
        Line::from("  No commits are linked to this session."),
        Line::from(Span::styled(format!("  {}", one_line(why)), theme.muted)),
        Line::default(),
    ];
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
