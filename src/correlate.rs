//! Git correlation: the commits a session produced, from the hook records when capture was on,
//! and afterwards from the transcript alone for sessions recorded before `init` or elsewhere:
//! commits the agent made itself (its Bash results name them), and commits whose added lines
//! match lines the agent wrote, made while or soon after it worked (marked as inferred).

mod repository;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use git2::{Oid, Repository, Sort};
use serde::Serialize;

use crate::capture::commit_record::CommitRecord;
pub use crate::capture::commit_record::LinkSource;
use crate::capture::state::{StateDir, read_json};
use crate::git::diff::commit_diff;
use crate::git::paths::RepoPaths;
use crate::session::detail::{LineEdge, SessionDetail};

pub use repository::commits_by_session;
mod changes;

pub use changes::{
    Author, ChangedFile, CommitChanges, DiffLine, LineKind, Written, matched_files, session_changes,
};

/// Commits examined for inferred links, newest first.
const WALK_LIMIT: usize = 5000;
/// How long after a session's last record its edits may still be committed by a person.
pub const COMMIT_WINDOW: i64 = 7;

/// A commit tied to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitLink {
    pub sha: String,
    pub subject: String,
    pub author: String,
    pub committed_at: Option<DateTime<Utc>>,
    pub source: LinkSource,
    /// Added lines that match the agent's (inferred links) or were attributed to it (recorded).
    pub agent_lines: u32,
}

impl CommitLink {
    /// Whether a commit record (the hooks saw the commit) says which lines the agent wrote;
    /// otherwise they were found by matching the session's edits.
    pub const fn from_record(&self) -> bool {
        matches!(self.source, LinkSource::Recorded | LinkSource::Trailer)
    }
}

/// How the agent's lines of a commit were told apart, in words (the same on every screen).
pub const fn how_marked(from_record: bool) -> &'static str {
    if from_record {
        "agent lines recorded by the hooks"
    } else {
        "agent lines found by matching the session's edits; others unknown"
    }
}

/// Errors opening the repository.
#[derive(Debug, thiserror::Error)]
pub enum CorrelateError {
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// The commits of the repository at `cwd` tied to the session, oldest first, their agent lines
/// counted as the files tab counts them (see [`session_changes`]). `None` when `cwd` is not in
/// a git repository on this machine.
pub fn commits_for(
    cwd: &Path,
    detail: &SessionDetail,
) -> Result<Option<Vec<CommitLink>>, CorrelateError> {
    let Some(paths) = RepoPaths::discover(cwd) else {
        return Ok(None);
    };
    let repo = Repository::open(&paths.worktree)?;
    let records = commit_records(&paths);
    let changes = session_changes(&repo, &paths, &records, detail)?;
    Ok(Some(changes.into_iter().map(|c| c.link).collect()))
}

/// The commit records post-commit wrote in the repository's state folder.
pub fn commit_records(paths: &RepoPaths) -> Vec<CommitRecord> {
    recorded(&StateDir::new(paths.clone()))
}

/// The commits of `repo` tied to the session, oldest first: those `records` credit it with,
/// those the agent made, and those inferred from its lines. `paths.worktree` is where the
/// session's file paths are made relative (the session's own working tree).
pub fn commits_in(
    repo: &Repository,
    paths: &RepoPaths,
    records: &[CommitRecord],
    detail: &SessionDetail,
) -> Result<Vec<CommitLink>, CorrelateError> {
    let id = detail.summary.id.as_str();
    let mut links: BTreeMap<String, CommitLink> = BTreeMap::new();
    for record in records
        .iter()
        .filter(|r| r.sessions.iter().any(|s| s == id))
    {
        let source = if record.source == LinkSource::Recorded {
            LinkSource::Recorded
        } else {
            LinkSource::Trailer
        };
        let agent_lines = record
            .files
            .iter()
            .map(crate::capture::commit_record::FileChange::ai_count)
            .sum();
        let link = CommitLink {
            sha: record.sha.clone(),
            subject: record.subject.clone(),
            author: record.author.clone(),
            committed_at: Some(record.committed_at),
            source,
            agent_lines,
        };
        links.insert(record.sha.clone(), link);
    }
    for c in &detail.commits {
        if let Ok(commit) = repo
            .revparse_single(&c.sha)
            .and_then(|o| o.peel_to_commit())
        {
            let sha = commit.id().to_string();
            links
                .entry(sha)
                .or_insert_with(|| link(&commit, LinkSource::AgentCommit, 0));
        }
    }
    infer(repo, paths, detail, &mut links)?;
    let mut out: Vec<CommitLink> = links.into_values().collect();
    out.sort_by_key(|l| l.committed_at);
    Ok(out)
}

fn recorded(state: &StateDir) -> Vec<CommitRecord> {
    let Ok(entries) = std::fs::read_dir(state.commits_dir()) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| read_json::<CommitRecord>(&e.path()).ok().flatten())
        .collect()
}

fn link(commit: &git2::Commit<'_>, source: LinkSource, agent_lines: u32) -> CommitLink {
    let author = commit.author();
    CommitLink {
        sha: commit.id().to_string(),
        subject: commit.summary().ok().flatten().unwrap_or("").to_owned(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or(""),
            author.email().unwrap_or("")
        ),
        committed_at: DateTime::from_timestamp(commit.time().seconds(), 0),
        source,
        agent_lines,
    }
}

/// Adds commits, made from the session's start until a week after its end, whose added lines
/// include lines the agent wrote to the same file (only distinctive lines are kept as evidence;
/// see [`crate::fingerprint::is_distinctive`]).
fn infer(
    repo: &Repository,
    paths: &RepoPaths,
    detail: &SessionDetail,
    links: &mut BTreeMap<String, CommitLink>,
) -> Result<(), CorrelateError> {
    let (Some(start), Some(end)) = (detail.summary.start, detail.summary.end) else {
        return Ok(());
    };
    let wrote = agent_lines(paths, detail);
    if wrote.values().all(HashMap::is_empty) {
        return Ok(());
    }
    let window = (
        start - Duration::minutes(1),
        end + Duration::days(COMMIT_WINDOW),
    );
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TIME)?;
    walk.push_glob("refs/heads/*")?;
    for oid in walk.take(WALK_LIMIT) {
        let commit = repo.find_commit(oid?)?;
        let at = DateTime::from_timestamp(commit.time().seconds(), 0).unwrap_or_default();
        if at < window.0 - Duration::days(1) {
            break;
        }
        if at > window.1
            || at < window.0
            || commit.parent_count() > 1
            || links.contains_key(&oid_str(commit.id()))
        {
            continue;
        }
        let matched = matching_lines(repo, &commit, &wrote)?;
        if matched > 0 {
            links.insert(
                oid_str(commit.id()),
                link(&commit, LinkSource::Inferred, matched),
            );
        }
    }
    Ok(())
}

/// The hashes of the lines the agent wrote (with their counts), by path relative to the
/// worktree.
pub fn agent_lines(
    paths: &RepoPaths,
    detail: &SessionDetail,
) -> HashMap<String, HashMap<u64, u32>> {
    let mut wrote: HashMap<String, HashMap<u64, u32>> = HashMap::new();
    for f in &detail.files {
        let Some(rel) = paths.relative(Path::new(&f.path)) else {
            continue;
        };
        let hashes = wrote.entry(rel).or_default();
        for h in &f.added_hashes {
            *hashes.entry(*h).or_default() += 1;
        }
    }
    wrote
}

/// The pieces of lines the agent wrote (see [`LineEdge`]), by path relative to the worktree.
pub fn agent_edges(paths: &RepoPaths, detail: &SessionDetail) -> HashMap<String, Vec<LineEdge>> {
    let mut out: HashMap<String, Vec<LineEdge>> = HashMap::new();
    for f in detail.files.iter().filter(|f| !f.edges.is_empty()) {
        if let Some(rel) = paths.relative(Path::new(&f.path)) {
            out.entry(rel).or_default().extend(f.edges.iter().cloned());
        }
    }
    out
}

fn matching_lines(
    repo: &Repository,
    commit: &git2::Commit<'_>,
    wrote: &HashMap<String, HashMap<u64, u32>>,
) -> Result<u32, CorrelateError> {
    let mut matched = 0;
    for f in commit_diff(repo, commit)? {
        let Some(lines) = wrote.get(&f.path) else {
            continue;
        };
        let mut left = lines.clone();
        for (_, h) in &f.added {
            if let Some(n) = left.get_mut(h).filter(|n| **n > 0) {
                *n -= 1;
                matched += 1;
            }
        }
    }
    Ok(matched)
}

fn oid_str(oid: Oid) -> String {
    oid.to_string()
}
