//! The Files tab's blame (`B`): who wrote each line of the selected file at the selected commit,
//! the agent session with the prompt behind the edit or a person, as `git vouch blame` tells it.
//! Asked for once per file and commit, kept with the session's data.

use std::sync::Arc;

use super::{Changes, FilesPane, SessionData, Tab};
use crate::provenance::blame::Blame;
use crate::tui::app::App;
use crate::tui::msg::Effect;

impl SessionData {
    /// Keeps a blame the worker read.
    pub fn blamed(&mut self, key: (String, String), result: Result<Arc<Blame>, String>) {
        self.pending
            .remove(&(format!("blame {}", key.0), key.1.clone()));
        self.blames.insert(key, result);
    }
}

impl App {
    /// Shows the blame of the selected file instead of its diff, or the diff again.
    pub(super) fn toggle_blame(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let f = &mut view.files;
        f.blame = !f.blame;
        f.blame_scroll = 0;
        if f.blame {
            f.pane = FilesPane::Diff;
        }
        self.blame_effect()
    }

    /// Keeps the blame's scroll within its lines.
    pub(super) fn clamp_blame(&mut self) {
        let len = self
            .blame_key()
            .and_then(|k| Some(self.open_data()?.blames.get(&k)?.as_ref().ok()?.lines.len()));
        if let (Some(len), Some(view)) = (len, self.detail.as_mut()) {
            view.files.blame_scroll = view.files.blame_scroll.min(len.saturating_sub(1));
        }
    }

    /// The selected file at the selected commit, as (commit sha, path).
    pub fn blame_key(&self) -> Option<(String, String)> {
        let view = self.detail.as_ref()?;
        let Changes::Ready(changes) = &self.open_data()?.changes else {
            return None;
        };
        let commit = changes.get(view.files.commit)?;
        let file = commit.files.get(view.files.file)?;
        Some((commit.link.sha.clone(), file.path.clone()))
    }

    /// Asks for the shown file's blame, unless it is not shown, read, or being read.
    pub(in crate::tui::app) fn blame_effect(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_ref() else {
            return Vec::new();
        };
        if view.tab != Tab::Files || !view.files.blame {
            return Vec::new();
        }
        let Some((sha, path)) = self.blame_key() else {
            return Vec::new();
        };
        let session = view.session.clone();
        let scope = self
            .list
            .scope
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let Some(data) = self.loaded.get_mut(&session) else {
            return Vec::new();
        };
        let key = (sha.clone(), path.clone());
        let Some(cwd) = data.summary.cwd.clone() else {
            data.blames.insert(
                key,
                Err("the session did not record its working directory".into()),
            );
            return Vec::new();
        };
        if data.blames.contains_key(&key)
            || !data.pending.insert((format!("blame {sha}"), path.clone()))
        {
            return Vec::new();
        }
        // The sessions that can have written the repository's lines.
        let root = scope.unwrap_or_else(|| cwd.clone());
        let sessions = self
            .sessions
            .iter()
            .filter(|s| {
                s.cwd
                    .as_deref()
                    .is_some_and(|c| c.starts_with(&root) || root.starts_with(c))
            })
            .cloned()
            .collect();
        vec![Effect::LoadBlame {
            session,
            cwd,
            sha,
            path,
            sessions,
        }]
    }
}
