//! Drawing a range's diff to browse ([`ChangesState`]): file headers with their counts by author,
//! hunk headers (with the reviewer's mark on the review), and lines highlighted with the
//! agent/person gutter the explorer's Files tab draws; the selected agent hunk is marked at the
//! left edge. Shared by the review's Changes tab and the Branch view's diff; reads state only.

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};

use crate::attest::hunk_review::HunkMark;
use crate::present::blame::mark;
use crate::present::sanitize::{code_line, code_piece, one_line};
use crate::provenance::blame::LineAuthor;
use crate::provenance::diff::DiffLine;
use crate::provenance::hunks::AgentHunk;
use crate::tui::highlight::Piece;
use crate::tui::range_diff::{ChangesState, Row, TargetChanges};
use crate::tui::theme::Theme;
use crate::words::counted;

/// Where the selected hunk is and who wrote it: `src/a.rs · session 1a2b3c4d (claude-code) ·
/// prompt 2: «…»` (the prompt clipped to `prompt_chars`).
pub fn hunk_origin(c: &TargetChanges, h: &AgentHunk, prompt_chars: usize) -> String {
    let session = h.first.session.as_deref().unwrap_or("");
    let found = c.diff.sessions.iter().find(|s| s.id == session);
    let prompt = h
        .first
        .prompt
        .and_then(|n| {
            let p = found?.prompts.iter().find(|p| p.number == n)?;
            let text = one_line(&p.text);
            let clipped: String = if text.chars().count() > prompt_chars {
                text.chars()
                    .take(prompt_chars.saturating_sub(1))
                    .chain(['…'])
                    .collect()
            } else {
                text
            };
            Some(format!(" · prompt {n}: «{clipped}»"))
        })
        .unwrap_or_default();
    let agent = found.map(|s| format!(" ({})", s.agent)).unwrap_or_default();
    format!(
        "{} · session {}{agent}{prompt}",
        one_line(&c.diff.files[h.file].path),
        crate::present::blame::short_id(session)
    )
}

/// How the rows are drawn: colours, the ranges' names, whether hunks show their marks.
pub struct Rows<'a> {
    pub theme: &'a Theme,
    pub labels: &'a [&'a str],
    pub marks: bool,
}

/// The rows in view: from the state's scroll (kept within the rows), `height` of them.
pub fn rows(c: &ChangesState, how: &Rows<'_>, height: usize) -> Vec<Line<'static>> {
    let scroll = c.scroll.min(c.rows.len().saturating_sub(height.max(1)));
    let selected = c.selected_rows();
    c.rows
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(r, row)| row_line(c, how, *row, r, selected.contains(&r)))
        .collect()
}

/// `[read]`, `[flagged: comment]`, `[skipped]`, `[unmarked]`.
pub fn badge(c: &TargetChanges, h: usize) -> String {
    match (c.marks[h], c.comments[h].as_deref()) {
        (HunkMark::Flagged, Some(comment)) => format!("[flagged: {}]", one_line(comment)),
        (m, _) => format!("[{}]", m.label()),
    }
}

pub fn mark_style(t: &Theme, m: HunkMark) -> Style {
    match m {
        HunkMark::Read => t.ok,
        HunkMark::Flagged => t.error,
        HunkMark::Skipped => t.warn,
        HunkMark::Unmarked => t.muted,
    }
}

fn row_line(c: &ChangesState, how: &Rows<'_>, row: Row, r: usize, selected: bool) -> Line<'static> {
    let t = how.theme;
    let edge = if selected {
        Span::styled("▌", t.title)
    } else {
        Span::raw(" ")
    };
    let mut spans = vec![edge];
    match row {
        Row::Target(i) => spans.push(Span::styled(
            format!(
                "── {} ──",
                one_line(how.labels.get(i).copied().unwrap_or(""))
            ),
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
            if let Some(&(_, h, _)) = hunk_at(c, r).filter(|_| how.marks && line.kind == "hunk") {
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
