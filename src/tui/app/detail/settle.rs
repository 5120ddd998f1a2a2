//! What `update` keeps true after every message, so drawing only reads: the conversation's
//! search matches, the jump to the current one and its scroll for the height it is shown at,
//! and the files tab's selection, diff scroll and page, all from the terminal's size.

use ratatui::layout::{Constraint, Layout, Rect};

use super::{Changes, ConversationView, FilesPane, Tab, body_area, files_areas};
use crate::tui::app::App;

/// The conversation tab's areas in `body`: the thread's title, its lines, and the search bar
/// (no rows when `bar` is off).
pub fn conversation_areas(body: Rect, bar: bool) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(bar)),
    ])
    .areas(body)
}

impl ConversationView {
    /// Whether the search bar is shown.
    pub fn search_bar(&self) -> bool {
        self.searching || !self.query.is_empty()
    }
}

impl App {
    /// Brings the open tab's derived state up to date with the last message.
    pub(in crate::tui::app) fn settle_detail(&mut self) {
        match self.detail.as_ref().map(|v| v.tab) {
            Some(Tab::Conversation) => self.settle_conversation(),
            Some(Tab::Files) => self.settle_files(),
            _ => {}
        }
    }

    /// Finds the query's matches in the layout shown, scrolls to the current one when asked
    /// to, and keeps the scroll within the lines.
    fn settle_conversation(&mut self) {
        let body = body_area(self.size);
        let Some(view) = self.detail.as_mut() else {
            return;
        };
        let c = &mut view.conversation;
        // Until a layout of this thread arrives nothing is shown, and a jump waits for it.
        if c.rendered.lines.is_empty() || c.rendered.key.3 != c.agent {
            return;
        }
        let [_, lines, _] = conversation_areas(body, c.search_bar());
        let height = usize::from(lines.height);
        find_matches(c, height);
        view.page = height;
    }

    /// Keeps the files tab's selection within the commits and files, the diff's scroll within
    /// its lines, and the page at the focused pane's height.
    fn settle_files(&mut self) {
        let body = body_area(self.size);
        let Some(view) = self.detail.as_mut() else {
            return;
        };
        let Some(Changes::Ready(changes)) = self.loaded.get(&view.session).map(|d| &d.changes)
        else {
            return;
        };
        if changes.is_empty() {
            return;
        }
        let f = &mut view.files;
        f.commit = f.commit.min(changes.len() - 1);
        let files = changes[f.commit].files.len();
        f.file = f.file.min(files.saturating_sub(1));
        let [commits, files, diff] = files_areas(body, changes.len(), f.maximized);
        view.page = usize::from(match f.pane {
            FilesPane::Commits => commits.height,
            FilesPane::Files => files.height,
            FilesPane::Diff => diff.height,
        })
        .saturating_sub(2);
        self.clamp_diff();
    }
}

/// The lines matching the query; scrolls to the current one when asked to.
fn find_matches(c: &mut ConversationView, height: usize) {
    let query = c.query.to_lowercase();
    c.matches = if query.is_empty() {
        Vec::new()
    } else {
        let hits = c.rendered.plain.iter().enumerate();
        hits.filter(|(_, l)| l.contains(&query))
            .map(|(i, _)| i)
            .collect()
    };
    if !c.matches.is_empty() {
        c.current %= c.matches.len();
        if c.jump {
            c.scroll = c.matches[c.current].saturating_sub(height / 3);
        }
    }
    c.jump = false;
    c.scroll = c.scroll.min(c.rendered.lines.len().saturating_sub(height));
}
