//! Answers from the worker for the detail screen, the highlight jobs it asks for, and the
//! conversation's search box.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Changes, RenderedConversation, Tab};
use crate::correlate::CommitChanges;
use crate::tui::app::App;
use crate::tui::highlight::Highlighted;
use crate::tui::msg::{DetailLoad, Effect};

impl App {
    /// Keeps a session read in full and asks for its commits.
    pub(in crate::tui::app) fn on_detail_loaded(&mut self, load: DetailLoad) -> Vec<Effect> {
        let id = load.detail.summary.id.clone();
        let Some(data) = self.loaded.get_mut(&id) else {
            return Vec::new();
        };
        data.detail = Some(load.detail.clone());
        data.conversations.insert(None, load.conversation);
        data.guard = load.guard;
        data.insights = load.insights;
        data.exchanges = load.exchanges;
        data.changes = Changes::Waiting;
        vec![
            Effect::LoadChanges(load.detail.clone()),
            Effect::ScanSecrets(load.detail),
        ]
    }

    pub(in crate::tui::app) fn on_changes_loaded(
        &mut self,
        session: &str,
        result: Result<Arc<Vec<CommitChanges>>, String>,
    ) -> Vec<Effect> {
        let Some(data) = self.loaded.get_mut(session) else {
            return Vec::new();
        };
        data.changes = match result {
            Ok(c) => Changes::Ready(c),
            Err(e) => Changes::Unavailable(e),
        };
        self.highlight_effect()
    }

    pub(in crate::tui::app) fn on_exchange_loaded(
        &mut self,
        session: &str,
        key: (usize, i64),
        result: Result<Arc<crate::recorder::browse::ExchangeContent>, String>,
    ) {
        if let Some(data) = self.loaded.get_mut(session) {
            data.pending
                .remove(&("exchange".to_owned(), format!("{key:?}")));
            data.exchange.insert(key, result);
        }
    }

    pub(in crate::tui::app) fn on_highlighted(&mut self, h: Highlighted) {
        if let Some(data) = self.loaded.get_mut(&h.session) {
            let key = (h.sha.clone(), h.path.clone());
            data.pending.remove(&key);
            data.highlighted.insert(key, Arc::new(h));
        }
    }

    /// Asks for the diff shown in the files tab to be highlighted, once.
    pub(in crate::tui::app) fn highlight_effect(&mut self) -> Vec<Effect> {
        let Some(view) = self.detail.as_ref() else {
            return Vec::new();
        };
        if view.tab != Tab::Files {
            return Vec::new();
        }
        let (commit, file) = (view.files.commit, view.files.file);
        let Some(data) = self.loaded.get_mut(&view.session) else {
            return Vec::new();
        };
        let Changes::Ready(changes) = &data.changes else {
            return Vec::new();
        };
        let Some(f) = changes.get(commit).and_then(|c| c.files.get(file)) else {
            return Vec::new();
        };
        let key = (changes[commit].link.sha.clone(), f.path.clone());
        if f.binary || data.highlighted.contains_key(&key) || !data.pending.insert(key) {
            return Vec::new();
        }
        vec![Effect::Highlight {
            session: view.session.clone(),
            changes: changes.clone(),
            commit,
            file,
        }]
    }

    /// Asks for the conversation on screen to be laid out, unless it is or has been asked for.
    pub(in crate::tui::app) fn layout_effect(&mut self) -> Vec<Effect> {
        let width = self.size.0;
        let Some(view) = self.detail.as_mut() else {
            return Vec::new();
        };
        let c = &view.conversation;
        if view.tab != Tab::Conversation || width == 0 {
            return Vec::new();
        }
        let key = (width, c.thinking, c.results, c.agent.clone(), self.redacted);
        let laid_out = c.rendered.key == key && !c.rendered.lines.is_empty();
        if laid_out || c.requested.as_ref() == Some(&key) {
            return Vec::new();
        }
        let Some(data) = self.loaded.get(&view.session) else {
            return Vec::new();
        };
        let Some(conversation) = data.conversations.get(&c.agent).cloned() else {
            return Vec::new();
        };
        if conversation.entries.is_empty() {
            return Vec::new();
        }
        view.conversation.requested = Some(key.clone());
        vec![Effect::LayoutConversation {
            session: view.session.clone(),
            key,
            conversation,
            theme: Box::new(self.theme),
            cwd: data.summary.cwd.clone(),
        }]
    }

    /// Keeps a layout when it is the one last asked for.
    pub(in crate::tui::app) fn on_laid_out(
        &mut self,
        session: &str,
        rendered: RenderedConversation,
    ) {
        let Some(view) = self.detail.as_mut().filter(|v| v.session == session) else {
            return;
        };
        let c = &mut view.conversation;
        if c.requested.as_ref() == Some(&rendered.key) {
            c.requested = None;
            c.rendered = rendered;
        }
    }

    /// Whether keys go to the conversation's search box.
    pub(in crate::tui::app) fn conversation_searching(&self) -> bool {
        self.detail
            .as_ref()
            .is_some_and(|v| v.tab == Tab::Conversation && v.conversation.searching)
    }

    /// Keys typed into the conversation's search box: Enter keeps the query (n/N move between
    /// matches), Esc drops it.
    pub(in crate::tui::app) fn on_conversation_search_key(&mut self, key: KeyEvent) {
        let Some(c) = self.detail.as_mut().map(|v| &mut v.conversation) else {
            return;
        };
        match key.code {
            KeyCode::Enter => c.searching = false,
            KeyCode::Esc => {
                c.searching = false;
                c.query.clear();
            }
            KeyCode::Backspace => {
                c.query.pop();
            }
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                c.searching = false;
            }
            KeyCode::Char(ch) if !ch.is_control() => c.query.push(ch),
            _ => return,
        }
        c.current = 0;
        c.jump = true;
    }
}
