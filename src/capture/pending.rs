//! Pending edits: the lines agent sessions wrote that no commit has taken yet, replayed from the
//! per-session edit ledgers. Only pending lines credit a session to a commit (chainloop once
//! credited finished sessions to unrelated commits).

use std::collections::{BTreeMap, HashMap};

use super::record::{EditKind, EditLine};
use super::state::{StateDir, read_ledger};
use crate::transcript::Diagnostic;

/// What one session has pending in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PendingFile {
    /// Line hashes with how many times each is pending.
    pub lines: HashMap<u64, u32>,
    /// A Bash call or notebook edit changed the file as a whole.
    pub whole_file: bool,
    /// The session deleted the file.
    pub deleted: bool,
    /// Time of the latest pending edit, RFC 3339.
    pub last_edit: String,
}

impl PendingFile {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && !self.whole_file && !self.deleted
    }

    /// Takes one occurrence of `hash`; true when it was pending.
    pub fn take(&mut self, hash: u64) -> bool {
        match self.lines.get_mut(&hash) {
            Some(n) if *n > 1 => {
                *n -= 1;
                true
            }
            Some(_) => {
                self.lines.remove(&hash);
                true
            }
            None => false,
        }
    }
}

/// Pending edits of every session: session id → path → pending state.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub sessions: BTreeMap<String, BTreeMap<String, PendingFile>>,
    pub problems: Vec<Diagnostic>,
}

impl Pending {
    /// Replays every edit ledger of the state folder.
    pub fn load(state: &StateDir) -> Self {
        let mut pending = Self::default();
        let Ok(entries) = std::fs::read_dir(state.edits_dir()) else {
            return pending;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        {
            let (lines, problems) = read_ledger::<EditLine>(path);
            pending.problems.extend(problems);
            // A ledger holds one session's lines; consumption records name no session.
            let mut session = None;
            for line in lines {
                pending.apply(&mut session, line);
            }
        }
        pending
    }

    /// Applies one line of the ledger whose session is `session` (learnt from its edits).
    pub fn apply(&mut self, session: &mut Option<String>, line: EditLine) {
        match line {
            EditLine::Edit(e) => {
                *session = Some(e.session_id.clone());
                let file = self
                    .sessions
                    .entry(e.session_id)
                    .or_default()
                    .entry(e.path)
                    .or_default();
                match e.kind {
                    EditKind::Lines => {
                        for l in e.lines {
                            *file.lines.entry(l.hash).or_default() += 1;
                        }
                        file.deleted = false;
                    }
                    EditKind::WholeFile => {
                        file.whole_file = true;
                        file.deleted = false;
                    }
                    EditKind::Deleted => file.deleted = true,
                }
                file.last_edit = e.ts.to_rfc3339();
            }
            EditLine::Consumed(c) => {
                let Some(files) = session.as_ref().and_then(|s| self.sessions.get_mut(s)) else {
                    return;
                };
                let Some(file) = files.get_mut(&c.path) else {
                    return;
                };
                if c.hashes.is_empty() {
                    *file = PendingFile::default();
                } else {
                    for h in c.hashes {
                        file.take(h);
                    }
                    file.whole_file = false;
                    file.deleted = false;
                }
                if file.is_empty() {
                    files.remove(&c.path);
                }
            }
        }
    }

    /// Sessions with anything pending in `path`.
    pub fn sessions_for(&self, path: &str) -> Vec<&str> {
        self.sessions
            .iter()
            .filter(|(_, files)| files.get(path).is_some_and(|f| !f.is_empty()))
            .map(|(s, _)| s.as_str())
            .collect()
    }
}
