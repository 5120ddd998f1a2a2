//! A range's diff to browse (the review's Changes tab, the Branch view's diff): each range's diff
//! with every added line's author (the agent/person gutter), the agent hunks in it, and, on the
//! review, the reviewer's mark on each. Built on a worker thread ([`TargetChanges::new`]);
//! [`ChangesState`] only moves the cursor and records marks, as `update` asks.

use crate::attest::hunk_review::{HunkCoverage, HunkMark, MarkedHunk};
use crate::correlate::{DiffLine as PlainLine, LineKind};
use crate::provenance::diff::{DiffLine, RangeDiff};
use crate::provenance::hunks::{AgentHunk, agent_hunks};
use crate::tui::highlight::{MAX_LINES, Piece, highlight};

/// One pushed range's diff, its agent hunks and their marks.
#[derive(Debug, Clone)]
pub struct TargetChanges {
    pub diff: RangeDiff,
    pub hunks: Vec<AgentHunk>,
    pub marks: Vec<HunkMark>,
    pub comments: Vec<Option<String>>,
    /// Per file, the highlighted pieces of each diff line (empty past the cap).
    pub highlighted: Vec<Vec<Vec<Piece>>>,
}

impl TargetChanges {
    /// The range's diff made ready for the screen (highlighting included: call it off the UI
    /// thread).
    pub fn new(diff: RangeDiff) -> Self {
        let hunks = agent_hunks(&diff);
        let highlighted = diff
            .files
            .iter()
            .map(|f| {
                let plain: Vec<PlainLine> = f.lines.iter().take(MAX_LINES).map(plain).collect();
                highlight(&f.path, &plain)
            })
            .collect();
        Self {
            marks: vec![HunkMark::Unmarked; hunks.len()],
            comments: vec![None; hunks.len()],
            hunks,
            diff,
            highlighted,
        }
    }

    /// The hunks with their marks, as the review block signs them.
    pub fn marked(&self) -> Vec<MarkedHunk> {
        self.hunks
            .iter()
            .zip(&self.marks)
            .zip(&self.comments)
            .map(|((h, &mark), comment)| MarkedHunk {
                file: self.diff.files[h.file].path.clone(),
                header: h.header.clone(),
                digest: h.digest.clone(),
                sessions: h.sessions.clone(),
                mark,
                comment: comment.clone(),
            })
            .collect()
    }
}

fn plain(l: &DiffLine) -> PlainLine {
    PlainLine {
        kind: match l.kind {
            "hunk" => LineKind::Hunk,
            "removed" => LineKind::Removed,
            _ => LineKind::Context,
        },
        old: l.old,
        new: l.new,
        text: l.text.clone(),
    }
}

/// One row of the Changes tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A range's header (when more than one is pushed).
    Target(usize),
    File(usize, usize),
    /// A diff line: target, file, line.
    Line(usize, usize, usize),
    /// The lines left out of a file past the cap.
    More(usize, usize),
}

/// The Changes tab: loading, failed, or every range's changes with a cursor on one agent hunk.
#[derive(Debug, Clone, Default)]
pub struct ChangesState {
    pub targets: Vec<TargetChanges>,
    pub rows: Vec<Row>,
    /// Every agent hunk as (target, hunk, row of its header), in row order.
    pub hunks: Vec<(usize, usize, usize)>,
    /// The agent hunk the cursor is on (an index into `hunks`).
    pub selected: usize,
    pub scroll: usize,
    pub loaded: bool,
    pub error: Option<String>,
}

impl ChangesState {
    pub fn ready(targets: Vec<TargetChanges>) -> Self {
        let many = targets.len() > 1;
        let mut rows = Vec::new();
        let mut hunks = Vec::new();
        for (t, c) in targets.iter().enumerate() {
            if many {
                rows.push(Row::Target(t));
            }
            for (f, file) in c.diff.files.iter().enumerate() {
                rows.push(Row::File(t, f));
                let first = rows.len();
                rows.extend((0..file.lines.len()).map(|i| Row::Line(t, f, i)));
                if file.more_lines > 0 {
                    rows.push(Row::More(t, f));
                }
                for (h, hunk) in c.hunks.iter().enumerate().filter(|(_, h)| h.file == f) {
                    hunks.push((t, h, first + hunk.start));
                }
            }
        }
        let mut out = Self {
            targets,
            rows,
            hunks,
            loaded: true,
            ..Self::default()
        };
        out.scroll = out.hunk_row().unwrap_or(0).saturating_sub(2);
        out
    }

    pub fn failed(error: String) -> Self {
        Self {
            loaded: true,
            error: Some(error),
            ..Self::default()
        }
    }

    /// The row of the selected hunk's header.
    pub fn hunk_row(&self) -> Option<usize> {
        self.hunks.get(self.selected).map(|&(_, _, row)| row)
    }

    /// The selected hunk: its range's changes and the hunk.
    pub fn current(&self) -> Option<(&TargetChanges, &AgentHunk, usize, usize)> {
        let &(t, h, _) = self.hunks.get(self.selected)?;
        let c = self.targets.get(t)?;
        Some((c, c.hunks.get(h)?, t, h))
    }

    /// Rows the selected hunk spans (header included).
    pub fn selected_rows(&self) -> std::ops::Range<usize> {
        self.current()
            .zip(self.hunk_row())
            .map_or(0..0, |((_, h, _, _), row)| row..row + (h.end - h.start))
    }

    /// Moves to the first agent hunk of the file `by` files away (files without one are passed
    /// over), or to the file's header when no agent hunk is left that way.
    pub fn step_file(&mut self, by: isize) {
        let here = self.hunk_row().unwrap_or(self.scroll);
        let files: Vec<usize> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Row::File(..)))
            .map(|(i, _)| i)
            .collect();
        let current = files.iter().rposition(|&i| i <= here);
        let to = match current {
            Some(c) => c.checked_add_signed(by),
            None if by > 0 => Some(by.unsigned_abs() - 1),
            None => None,
        };
        let Some(&row) = to.and_then(|i| files.get(i)) else {
            return;
        };
        let end = files
            .iter()
            .find(|&&i| i > row)
            .copied()
            .unwrap_or(usize::MAX);
        self.scroll = row;
        if let Some(i) = self.hunks.iter().position(|&(_, _, r)| r > row && r < end) {
            self.selected = i;
        }
    }

    /// Moves to the agent hunk `by` away and scrolls it into view (a few rows of context above).
    pub fn step(&mut self, by: isize) {
        if self.hunks.is_empty() {
            return;
        }
        self.selected = self
            .selected
            .saturating_add_signed(by)
            .min(self.hunks.len() - 1);
        self.scroll = self.hunk_row().unwrap_or(0).saturating_sub(2);
    }

    /// Scrolls by rows, and puts the cursor on the first agent hunk in view.
    pub fn scroll_by(&mut self, by: isize, height: usize) {
        let max = self.rows.len().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(by).min(max);
        let view = self.scroll..self.scroll + height.max(1);
        if view.contains(&self.hunk_row().unwrap_or(usize::MAX)) {
            return;
        }
        if let Some(i) = self.hunks.iter().position(|(_, _, r)| view.contains(r)) {
            self.selected = i;
        }
    }

    /// Marks the selected hunk (with a comment for a flag) and moves to the next unmarked one.
    pub fn mark(&mut self, mark: HunkMark, comment: Option<String>) {
        let Some(&(t, h, _)) = self.hunks.get(self.selected) else {
            return;
        };
        let c = &mut self.targets[t];
        c.marks[h] = mark;
        c.comments[h] = comment;
        let next = (1..self.hunks.len())
            .map(|k| (self.selected + k) % self.hunks.len())
            .find(|&i| {
                let (t, h, _) = self.hunks[i];
                self.targets[t].marks[h] == HunkMark::Unmarked
            });
        if let Some(i) = next {
            self.selected = i;
            self.scroll = self.hunk_row().unwrap_or(0).saturating_sub(2);
        }
    }

    /// How many agent hunks of every range got each mark.
    pub fn coverage(&self) -> HunkCoverage {
        let all: Vec<MarkedHunk> = self
            .targets
            .iter()
            .flat_map(TargetChanges::marked)
            .collect();
        HunkCoverage::of(&all)
    }
}
