//! A [`SessionReader`] that owns what it reads: the sessions found on this machine (through the
//! sessions cache) and the repository's transcript archive, each read from its file. For screens
//! that read sessions on worker threads (the review screen), where nothing can be borrowed.

use std::path::{Path, PathBuf};

use super::SessionReader;
use crate::config::ProcessEnv;
use crate::pricing::PriceTable;
use crate::session::SessionSummary;
use crate::session::detail::{Conversation, SessionDetail, ThreadRef, open_file};

pub struct LocalReader {
    sessions: Vec<SessionSummary>,
    prices: PriceTable,
}

impl LocalReader {
    /// The sessions of this machine and of the archive of the repository at `cwd`, through the
    /// cache file `index` when given.
    pub fn load(cwd: &Path, index: Option<PathBuf>, prices: PriceTable) -> Result<Self, String> {
        let archives = crate::capture::archive::archive_roots(cwd);
        let (catalog, _) = crate::index::load_local(&ProcessEnv, index, &prices, &archives)
            .map_err(|e| format!("cannot load sessions: {e}"))?;
        Ok(Self {
            sessions: catalog.sessions,
            prices,
        })
    }
}

impl SessionReader for LocalReader {
    fn sessions(&self) -> &[SessionSummary] {
        &self.sessions
    }
    fn read(&self, s: &SessionSummary) -> (SessionDetail, Conversation) {
        crate::agent_source::detail_and_conversation(s, &|p: &Path| open_file(p), &self.prices)
    }
    fn thread(&self, s: &SessionSummary, thread: ThreadRef<'_>) -> Conversation {
        crate::agent_source::conversation(s, thread, &|p: &Path| open_file(p))
    }
}
