//! The rows PageUp/PageDown move by on the sessions list and the Branch view, set by `update`
//! from the terminal's size with the layouts the screens draw with.

use ratatui::layout::{Constraint, Layout, Rect};

use super::{App, BranchLoad, Screen};
use crate::tui::views;

/// The sessions screen's areas in `area`: top bar, search box (no rows unless `searching`),
/// the table, and the footer.
pub fn sessions_areas(area: Rect, searching: bool) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(searching)),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

impl App {
    /// The whole terminal, once its size is known.
    pub(super) fn screen_area(&self) -> Option<Rect> {
        let (w, h) = self.size;
        (h > 0).then(|| Rect::new(0, 0, w, h))
    }

    /// Sets the page of the screen shown (under the help, when it is open).
    pub(super) fn settle_pages(&mut self) {
        let Some(area) = self.screen_area() else {
            return;
        };
        let under = if self.screen == Screen::Help {
            self.help_over
        } else {
            self.screen
        };
        // The screens `render` draws: the detail's tabs page themselves (`settle_detail`).
        if under == Screen::Detail && self.detail.is_some() {
            return;
        }
        if under == Screen::Branch {
            if self.branch.load == BranchLoad::Ready {
                let [_, body, _, _] = views::branch::areas(self, area);
                self.branch.page = usize::from(body.height.saturating_sub(1));
            }
        } else if !self.list.shown.is_empty() {
            let searching = self.list.searching || !self.list.query.is_empty();
            let [_, _, body, _] = sessions_areas(area, searching);
            self.list.page = usize::from(body.height.saturating_sub(1));
        }
    }
}
