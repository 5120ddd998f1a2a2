//! What post-commit records about a commit: who made it, which sessions are credited, and per
//! file which added lines came from an agent and which from a person.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::pending::Pending;
use crate::git::diff::{DiffFile, ranges};

/// `commits/<sha>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRecord {
    pub sha: String,
    pub parents: Vec<String>,
    pub subject: String,
    pub author: String,
    pub committed_at: DateTime<Utc>,
    /// Sessions credited with this commit.
    pub sessions: Vec<String>,
    /// `recorded` (hooks saw the edits) or `trailer` (credited by its trailer only, e.g. after a
    /// rebase).
    pub source: LinkSource,
    pub files: Vec<FileChange>,
    pub recorded_at: DateTime<Utc>,
}

/// How a commit was tied to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", from = "String")]
pub enum LinkSource {
    /// The hooks recorded the agent's edits in the commit.
    Recorded,
    /// The commit's `Vouch-Session` trailer names the session (read from a record: also any
    /// source git-vouch does not know).
    Trailer,
    /// The agent made the commit itself (a `git commit` in its transcript).
    AgentCommit,
    /// Lines the agent wrote appear in the commit (no hook saw it).
    Inferred,
}

impl From<String> for LinkSource {
    fn from(name: String) -> Self {
        match name.as_str() {
            "recorded" => Self::Recorded,
            "agent_commit" => Self::AgentCommit,
            "inferred" => Self::Inferred,
            _ => Self::Trailer,
        }
    }
}

impl LinkSource {
    /// The name in JSON (`recorded`, `trailer`, `agent_commit`, `inferred`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Trailer => "trailer",
            Self::AgentCommit => "agent_commit",
            Self::Inferred => "inferred",
        }
    }
}

/// One file of a commit, with its added lines split by author.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_path: Option<String>,
    pub status: String,
    pub lines_added: u32,
    pub lines_removed: u32,
    /// Added lines an agent wrote, as inclusive ranges of new-file line numbers.
    pub ai_lines: Vec<[u32; 2]>,
    /// Added lines a person wrote.
    pub human_lines: Vec<[u32; 2]>,
    /// Sessions whose edits are among `ai_lines`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_sessions: Vec<String>,
    /// Hashes of the agent's lines, kept so attribution survives amend and rebase.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ai_hashes: Vec<u64>,
}

impl FileChange {
    pub fn ai_count(&self) -> u32 {
        self.ai_lines.iter().map(|r| r[1] - r[0] + 1).sum()
    }
    pub fn human_count(&self) -> u32 {
        self.human_lines.iter().map(|r| r[1] - r[0] + 1).sum()
    }
}

/// What a commit consumed from one session's pending edits in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumption {
    pub session: String,
    pub path: String,
    pub hashes: Vec<u64>,
    /// The whole-file or deletion state was consumed too.
    pub whole: bool,
}

/// Sessions whose pending edits appear in `files`: a pending line among the added lines, or a
/// whole-file change or deletion pending on a changed path.
pub fn sessions_in(files: &[DiffFile], pending: &Pending) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (session, paths) in &pending.sessions {
        let hit = files.iter().any(|f| {
            paths.get(&f.path).is_some_and(|p| {
                p.whole_file
                    || (p.deleted && f.status == "deleted")
                    || f.added.iter().any(|(_, h)| p.lines.contains_key(h))
            })
        });
        if hit {
            out.insert(session.clone());
        }
    }
    out.into_iter().collect()
}

/// Splits each file's added lines between the credited sessions' pending lines (consumed as they
/// match) and a person, and lists what was consumed. `extra` holds agent line hashes known from
/// earlier records of the same change (amend, rebase).
#[allow(clippy::implicit_hasher)] // Callers always pass std maps.
pub fn attribute(
    files: &[DiffFile],
    pending: &mut Pending,
    credited: &[String],
    extra: &mut std::collections::HashMap<String, Vec<u64>>,
) -> (Vec<FileChange>, Vec<Consumption>) {
    let mut changes = Vec::new();
    let mut consumed: Vec<Consumption> = Vec::new();
    for f in files {
        let mut change = FileChange {
            path: f.path.clone(),
            old_path: f.old_path.clone(),
            status: f.status.to_owned(),
            lines_added: f.added.len() as u32,
            lines_removed: f.removed,
            ..FileChange::default()
        };
        let (mut ai, mut human) = (Vec::new(), Vec::new());
        for &(line, hash) in &f.added {
            match take_line(pending, credited, &f.path, hash, extra, &mut consumed) {
                Some(session) => {
                    ai.push(line);
                    change.ai_hashes.push(hash);
                    if !session.is_empty() && !change.ai_sessions.contains(&session) {
                        change.ai_sessions.push(session);
                    }
                }
                None => human.push(line),
            }
        }
        for s in credited {
            if let Some(p) = pending.sessions.get(s).and_then(|m| m.get(&f.path))
                && (p.whole_file || p.deleted)
            {
                consumed.push(Consumption {
                    session: s.clone(),
                    path: f.path.clone(),
                    hashes: Vec::new(),
                    whole: true,
                });
                if f.status == "deleted" && !change.ai_sessions.contains(s) {
                    change.ai_sessions.push(s.clone());
                }
            }
        }
        change.ai_lines = ranges(&ai);
        change.human_lines = ranges(&human);
        changes.push(change);
    }
    (changes, consumed)
}

/// Finds who wrote one added line: a credited session's pending line (consumed), a whole-file
/// change, or a line known from an earlier record. Returns the session ("" when from `extra`).
fn take_line(
    pending: &mut Pending,
    credited: &[String],
    path: &str,
    hash: u64,
    extra: &mut std::collections::HashMap<String, Vec<u64>>,
    consumed: &mut Vec<Consumption>,
) -> Option<String> {
    for s in credited {
        let Some(p) = pending.sessions.get_mut(s).and_then(|m| m.get_mut(path)) else {
            continue;
        };
        if p.take(hash) {
            match consumed
                .iter_mut()
                .find(|c| c.session == *s && c.path == path)
            {
                Some(c) => c.hashes.push(hash),
                None => consumed.push(Consumption {
                    session: s.clone(),
                    path: path.to_owned(),
                    hashes: vec![hash],
                    whole: false,
                }),
            }
            return Some(s.clone());
        }
    }
    if let Some(s) = credited.iter().find(|s| {
        pending
            .sessions
            .get(*s)
            .and_then(|m| m.get(path))
            .is_some_and(|p| p.whole_file)
    }) {
        return Some(s.clone());
    }
    let known = extra.get_mut(path)?;
    let i = known.iter().position(|h| *h == hash)?;
    known.swap_remove(i);
    Some(String::new())
}

#[cfg(test)]
mod tests {
    use super::LinkSource;

    #[test]
    fn link_sources_read_back_and_unknown_ones_count_as_trailer() {
        for s in [
            LinkSource::Recorded,
            LinkSource::Trailer,
            LinkSource::AgentCommit,
            LinkSource::Inferred,
        ] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.name()));
            assert_eq!(serde_json::from_str::<LinkSource>(&json).unwrap(), s);
        }
        let odd: LinkSource = serde_json::from_str("\"imported\"").unwrap();
        assert_eq!(odd, LinkSource::Trailer);
    }
}
