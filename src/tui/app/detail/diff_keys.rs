//! The diff's keys in the files tab: sideways scroll kept within the widest line at the
//! terminal's size, wrap and maximise; and the vertical scroll kept within the diff.

use ratatui::layout::Rect;
use unicode_width::UnicodeWidthChar;

use super::{Changes, DIFF_GUTTER, FilesPane, body_area, files_areas};
use crate::correlate::LineKind;
use crate::present::sanitize::code_line;
use crate::tui::action::Action;
use crate::tui::app::App;
use crate::tui::msg::Effect;

/// Columns the diff moves per sideways step.
const HSTEP: usize = 8;

impl App {
    /// The diff's keys: sideways scroll (kept within the widest line), wrap, maximise.
    pub(super) fn diff_key(&mut self, action: Action) -> Vec<Effect> {
        let extent = self.diff_extent();
        let lens = self.lengths();
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let f = &mut view.files;
        match action {
            Action::ScrollLeft => f.diff_hscroll = f.diff_hscroll.saturating_sub(HSTEP),
            Action::ScrollRight if !f.wrap => {
                let (_, widest, inner) = extent.unwrap_or_default();
                let room = usize::from(inner.width).saturating_sub(DIFF_GUTTER);
                f.diff_hscroll = (f.diff_hscroll + HSTEP).min(widest.saturating_sub(room));
            }
            Action::ToggleWrap => f.wrap = !f.wrap,
            Action::ToggleMaximize => {
                f.maximized = !f.maximized;
                if f.maximized && lens.files > 0 {
                    f.pane = FilesPane::Diff;
                }
            }
            _ => {}
        }
        self.clamp_diff();
        self.highlight_effect()
    }

    /// The open diff's line count, widest code (columns) and inner area at the current size.
    fn diff_extent(&self) -> Option<(usize, usize, Rect)> {
        let view = self.detail.as_ref()?;
        let Changes::Ready(changes) = &self.open_data()?.changes else {
            return None;
        };
        let commit = changes.get(view.files.commit)?;
        let file = commit.files.get(view.files.file)?;
        let body = body_area(self.size);
        let [_, _, diff] = files_areas(body, changes.len(), view.files.maximized);
        let inner = Rect {
            x: diff.x + 1,
            y: diff.y + 1,
            width: diff.width.saturating_sub(2),
            height: diff.height.saturating_sub(2),
        };
        let widest = file
            .lines
            .iter()
            .filter(|l| l.kind != LineKind::Hunk)
            .map(|l| {
                code_line(&l.text)
                    .chars()
                    .map(|c| c.width().unwrap_or(0))
                    .sum()
            })
            .max()
            .unwrap_or(0);
        let total = file.lines.len() + usize::from(file.more_lines > 0);
        Some((total, widest, inner))
    }

    /// Keeps the diff's vertical scroll within its lines at the current size.
    pub(super) fn clamp_diff(&mut self) {
        let Some((total, _, inner)) = self.diff_extent() else {
            return;
        };
        if let Some(view) = self.detail.as_mut() {
            let f = &mut view.files;
            let last = if f.wrap {
                total.saturating_sub(1)
            } else {
                total.saturating_sub(usize::from(inner.height).max(1))
            };
            f.diff_scroll = f.diff_scroll.min(last);
        }
    }
}
