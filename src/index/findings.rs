//! Where a catalog's findings are kept. The session summaries carry only each session's health
//! (every list shows it); the findings in full are read only by what shows them (the Insights
//! tab, `git vouch insights`), so a list never parses them: from the index cache when the
//! catalog came through it, else from memory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::IndexError;
use crate::insights::Insights;
use crate::session::SessionSummary;

/// Up to this many sessions are looked up one by one; more read the whole table.
const ONE_BY_ONE: usize = 32;

/// A catalog's findings, by session id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Findings {
    /// None were computed (the thresholds could not be read).
    #[default]
    None,
    /// Kept in memory (a catalog read without the cache, the demo).
    Memory(Arc<HashMap<String, Insights>>),
    /// In the `insights` table of the index cache at this path.
    Index(PathBuf),
}

impl Findings {
    /// Takes the findings out of freshly summed-up sessions and keeps them in memory.
    pub fn take_from(sessions: &mut [SessionSummary]) -> Self {
        let found: HashMap<String, Insights> = sessions
            .iter_mut()
            .filter_map(|s| Some((s.id.clone(), s.insights.take()?)))
            .collect();
        Self::Memory(Arc::new(found))
    }

    /// The findings of one session (`Ok(None)` for a session without any record of them).
    pub fn of(&self, id: &str) -> Result<Option<Insights>, IndexError> {
        Ok(self.of_many(&[id])?.remove(id))
    }

    /// The findings of these sessions, by id; sessions without them are left out.
    pub fn of_many(&self, ids: &[&str]) -> Result<HashMap<String, Insights>, IndexError> {
        match self {
            Self::None => Ok(HashMap::new()),
            Self::Memory(all) => Ok(ids
                .iter()
                .filter_map(|id| Some(((*id).to_owned(), all.get(*id)?.clone())))
                .collect()),
            Self::Index(path) => read(path, ids).map_err(|source| IndexError::Cache {
                path: path.clone(),
                source,
            }),
        }
    }
}

/// Reads the stored findings of `ids` from the cache at `path` (read-only: a build writing a
/// new cache renames it over this one, so a reader never sees half of it).
fn read(path: &Path, ids: &[&str]) -> rusqlite::Result<HashMap<String, Insights>> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = HashMap::new();
    let mut keep = |id: String, blob: Vec<u8>| {
        if let Ok(found) = serde_json::from_slice::<Insights>(&blob) {
            out.insert(id, found);
        }
    };
    if ids.len() <= ONE_BY_ONE {
        let mut stmt = conn.prepare("SELECT value FROM insights WHERE id = ?1")?;
        for id in ids {
            let blob: Option<Vec<u8>> = stmt.query_row([id], |r| r.get(0)).optional()?;
            if let Some(blob) = blob {
                keep((*id).to_owned(), blob);
            }
        }
    } else {
        let wanted: std::collections::HashSet<&str> = ids.iter().copied().collect();
        let mut stmt = conn.prepare("SELECT id, value FROM insights")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (id, blob) = row?;
            if wanted.contains(id.as_str()) {
                keep(id, blob);
            }
        }
    }
    Ok(out)
}
