//! The Branch view's diff (`D`): the branch's whole diff, file by file, each added line marked
//! agent or person as `git vouch diff` marks it; `n`/`N` step between agent hunks, `l`/`h`
//! between files, `enter` opens the session that wrote the selected hunk.

use super::{App, BranchLoad, Screen};
use crate::tui::action::Action;
use crate::tui::msg::Effect;

impl App {
    /// Shows the branch's diff, reading it when it has not been read (or `again`).
    pub(in crate::tui::app) fn load_branch_diff(&mut self, again: bool) -> Vec<Effect> {
        self.screen = Screen::BranchDiff;
        let diff = &mut self.branch.diff;
        if matches!(diff.load, BranchLoad::Loading(_)) || (!again && diff.load != BranchLoad::Idle)
        {
            return Vec::new();
        }
        diff.load = BranchLoad::Loading(0);
        let repo = self.list.scope.clone();
        // Only the repository's sessions can have written its lines.
        let sessions = match &repo {
            Some(root) => {
                let root = root.to_string_lossy();
                self.sessions
                    .iter()
                    .filter(|s| s.cwd.as_deref().is_some_and(|c| c.starts_with(&*root)))
                    .cloned()
                    .collect()
            }
            None => self.sessions.clone(),
        };
        vec![Effect::LoadBranchDiff { repo, sessions }]
    }

    /// Rows a page of the diff moves by.
    fn diff_page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }

    pub(in crate::tui::app) fn on_branch_diff_action(&mut self, action: Action) -> Vec<Effect> {
        let page = self.diff_page();
        let c = &mut self.branch.diff.changes;
        match action {
            Action::Down => c.scroll_by(1, page),
            Action::Up => c.scroll_by(-1, page),
            Action::PageDown => c.scroll_by(page as isize, page),
            Action::PageUp => c.scroll_by(-(page as isize), page),
            Action::Top => c.scroll_by(isize::MIN / 2, page),
            Action::Bottom => c.scroll_by(isize::MAX / 2, page),
            Action::NextMatch => c.step(1),
            Action::PrevMatch => c.step(-1),
            Action::NextPane => c.step_file(1),
            Action::PrevPane => c.step_file(-1),
            Action::Open => return self.open_hunk_session(),
            _ => {}
        }
        Vec::new()
    }

    /// Opens the session that wrote the selected hunk's first agent line, when it is known here.
    fn open_hunk_session(&mut self) -> Vec<Effect> {
        let Some((_, hunk, _, _)) = self.branch.diff.changes.current() else {
            return Vec::new();
        };
        let Some(id) = hunk.first.session.clone() else {
            return Vec::new();
        };
        match self.sessions.iter().find(|s| s.id == id).cloned() {
            Some(summary) => self.open_session(summary),
            None => {
                self.notice = Some(format!(
                    "session {} is not among the sessions read here",
                    crate::present::blame::short_id(&id)
                ));
                Vec::new()
            }
        }
    }
}
