//! What `update` keeps true after every message, so drawing only reads: the conversation's
//! search matches, the jump to the current one and its scroll for the height it is shown at,
//! each tab's selection and scroll kept within what it shows, and the rows a page moves by,
//! all from the terminal's size.

use ratatui::layout::{Constraint, Layout, Rect};

use std::sync::Arc;

use super::{Changes, ConversationState, FilesPane, Tab, body_area, files_areas, tools_areas};
use crate::session::detail::SessionDetail;
use crate::tui::app::App;
use crate::tui::views;

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

impl ConversationState {
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
            Some(Tab::Overview) => self.settle_overview(),
            Some(Tab::Tools) => self.settle_tools(),
            Some(Tab::Subagents) => self.settle_subagents(),
            Some(Tab::Guard) => self.settle_guard(),
            Some(Tab::Insights) => self.settle_insights(),
            Some(Tab::Exchanges) => self.settle_exchanges(),
            Some(Tab::Tokens) | None => {}
        }
    }

    /// Keeps the overview's scroll within its lines at the terminal's width, and pages by its
    /// height.
    fn settle_overview(&mut self) {
        let (Some(area), Some(d)) = (self.screen_area(), self.open_detail()) else {
            return;
        };
        let body = body_area((area.width, area.height));
        let lines = views::detail::overview::lines(self, &d, body.width).len();
        let Some(view) = self.detail.as_mut() else {
            return;
        };
        let height = usize::from(body.height);
        view.overview_scroll = view.overview_scroll.min(lines.saturating_sub(height));
        view.page = height;
    }

    /// Keeps the selected tool within the tools, and pages by the focused list's height.
    fn settle_tools(&mut self) {
        let Some(d) = self.open_detail() else {
            return;
        };
        let tools = d.tool_stats().len();
        let area = self.screen_area();
        let Some(view) = self.detail.as_mut().filter(|_| tools > 0) else {
            return;
        };
        view.tools.tool = view.tools.tool.min(tools - 1);
        if let Some(area) = area {
            let [top, bottom] = tools_areas(body_area((area.width, area.height)), tools);
            let focused = if view.tools.calls_focus { bottom } else { top };
            view.page = usize::from(focused.height.saturating_sub(2));
        }
    }

    /// Keeps the Guard tab's selection on a call, and pages by its table's height (the body less
    /// its headline, header and the selected call's details).
    fn settle_guard(&mut self) {
        let calls = self
            .open_data()
            .and_then(|d| d.guard.as_ref())
            .map_or(0, |g| g.timeline.len());
        self.settle_table(calls, 6, |view| &mut view.guard_call);
    }

    /// Keeps the Exchanges tab's selection on a call, and pages by its table's height.
    fn settle_exchanges(&mut self) {
        let rows = match self.open_data().and_then(|d| d.exchanges.as_ref()) {
            Some(Ok(list)) => list.rows.len(),
            _ => 0,
        };
        self.settle_table(rows, 6, |view| &mut view.exchanges.row);
    }

    /// Keeps the Insights tab's selection on a finding, and pages by its table's height.
    fn settle_insights(&mut self) {
        let findings = self
            .open_data()
            .and_then(|d| d.insights.as_ref())
            .map_or(0, |i| i.findings.len());
        self.settle_table(findings, 8, |view| &mut view.finding);
    }

    /// Keeps a table tab's selection (`selected`) within its `rows`, and pages by the body's
    /// height less the `other` rows around the table (headline, header, details).
    fn settle_table(
        &mut self,
        rows: usize,
        other: u16,
        selected: impl FnOnce(&mut super::DetailState) -> &mut usize,
    ) {
        let area = self.screen_area();
        let Some(view) = self.detail.as_mut() else {
            return;
        };
        let at = selected(view);
        *at = (*at).min(rows.saturating_sub(1));
        if let Some(area) = area {
            let body = body_area((area.width, area.height));
            view.page = usize::from(body.height.saturating_sub(other)).max(1);
        }
    }

    /// Keeps the selected sub-agent within the tree, and pages by the table's height.
    fn settle_subagents(&mut self) {
        let Some(d) = self.open_detail() else {
            return;
        };
        let agents = d.subagents_flat().len();
        let area = self.screen_area();
        let Some(view) = self.detail.as_mut().filter(|_| agents > 0) else {
            return;
        };
        view.subagent = view.subagent.min(agents - 1);
        if let Some(area) = area {
            let body = body_area((area.width, area.height));
            view.page = usize::from(body.height.saturating_sub(1));
        }
    }

    /// The open session's detail, once read.
    fn open_detail(&self) -> Option<Arc<SessionDetail>> {
        self.open_data()?.detail.clone()
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
        if let Some(id) = c.goto_call.take()
            && let Some((_, line)) = c.rendered.calls.iter().find(|(call, _)| *call == id)
        {
            c.scroll = line.saturating_sub(height / 3);
            c.jump = false;
        }
        find_matches(c, height);
        view.page = height;
    }

    /// Keeps the files tab's selection within the commits and files, the diff's scroll within
    /// its lines, and the page at the focused pane's height.
    fn settle_files(&mut self) {
        let body = body_area(self.size);
        let known = self.screen_area().is_some();
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
        if known {
            view.page = usize::from(match f.pane {
                FilesPane::Commits => commits.height,
                FilesPane::Files => files.height,
                FilesPane::Diff => diff.height,
            })
            .saturating_sub(2);
        }
        self.clamp_diff();
    }
}

/// The lines matching the query; scrolls to the current one when asked to.
fn find_matches(c: &mut ConversationState, height: usize) {
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
