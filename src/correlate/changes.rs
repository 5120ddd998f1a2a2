//! What each commit tied to a session changed: its files with +/- counts, the diff of each, and
//! which added lines the agent wrote — from the commit's record when the hooks saw it, else by
//! matching the lines the session wrote. Only a record says a person wrote a line: without one,
//! a line that does not match is of unknown author.

use std::collections::HashMap;

use git2::{DiffFindOptions, DiffOptions, Oid, Patch, Repository};

use super::{CommitLink, CorrelateError, LinkSource, agent_edges, agent_lines, commits_in};
use crate::capture::commit_record::{CommitRecord, FileChange};
use crate::fingerprint::{is_distinctive, line_hash};
use crate::git::paths::RepoPaths;
use crate::session::detail::{LineEdge, SessionDetail};

/// Lines of context around each change.
const CONTEXT: u32 = 3;
/// Diff lines kept per file, and per commit; the rest are counted (lock files and generated
/// code would otherwise fill memory).
const MAX_LINES: usize = 5000;
const MAX_COMMIT_LINES: usize = 50_000;

/// A linked commit and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitChanges {
    pub link: CommitLink,
    pub files: Vec<ChangedFile>,
}

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    pub path: String,
    pub old_path: Option<String>,
    /// added, modified, deleted, renamed, copied, typechange.
    pub status: &'static str,
    pub added: u32,
    pub removed: u32,
    pub binary: bool,
    /// Added lines the agent wrote, and lines a person wrote: only a commit record (the hooks
    /// saw the commit) says a person wrote a line.
    pub agent_lines: u32,
    pub human_lines: u32,
    /// Added lines of unknown author: without a record, those that match nothing the session
    /// wrote, or are too plain to match (blank lines, a lone brace).
    pub unknown_lines: u32,
    /// Authorship comes from the commit's record (exact) rather than matching lines.
    pub recorded: bool,
    /// The new line numbers of the agent's and of unknown added lines, all of them (the diff
    /// lines below are capped): what the evidence records as ranges.
    pub agent_at: Vec<u32>,
    pub unknown_at: Vec<u32>,
    pub lines: Vec<DiffLine>,
    /// Diff lines left out past the cap.
    pub more_lines: usize,
}

/// One line of a file's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: LineKind,
    pub old: Option<u32>,
    pub new: Option<u32>,
    /// The text without its line ending (a hunk header for [`LineKind::Hunk`]).
    pub text: String,
}

/// What a diff line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Hunk,
    Context,
    Added(Author),
    Removed,
}

/// Who wrote an added line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Agent,
    /// Only from a commit record.
    Human,
    /// No record, and the line matches nothing the session wrote.
    Unknown,
    /// No record, and the line is too plain to match (blank, a lone brace): also unknown.
    Plain,
}

/// The commits of `repo` tied to the session (see [`commits_in`]), each with its files.
pub fn session_changes(
    repo: &Repository,
    paths: &RepoPaths,
    records: &[CommitRecord],
    detail: &SessionDetail,
) -> Result<Vec<CommitChanges>, CorrelateError> {
    let links = commits_in(repo, paths, records, detail)?;
    let wrote = Written::of(paths, detail);
    links
        .into_iter()
        .map(|mut link| {
            let record = records.iter().find(|r| r.sha == link.sha);
            let files = commit_files(repo, &link.sha, record, &wrote)?;
            // Without a record the lines were matched here: the link counts the same lines.
            if record.is_none() && link.source != LinkSource::Recorded {
                link.agent_lines = files.iter().map(|f| f.agent_lines).sum();
            }
            Ok(CommitChanges { link, files })
        })
        .collect()
}

/// What one or more sessions wrote, by path relative to the worktree: the hashes of whole lines
/// (with how often each was written) and the pieces of lines edits started or ended with.
#[derive(Debug, Clone, Default)]
pub struct Written {
    hashes: HashMap<String, HashMap<u64, u32>>,
    edges: HashMap<String, Vec<LineEdge>>,
}

impl Written {
    /// What `detail`'s session (its sub-agents included) wrote in the worktree of `paths`.
    pub fn of(paths: &RepoPaths, detail: &SessionDetail) -> Self {
        Self {
            hashes: agent_lines(paths, detail),
            edges: agent_edges(paths, detail),
        }
    }

    /// Adds what another session wrote (a commit can credit several).
    pub fn add(&mut self, other: &Self) {
        for (path, hashes) in &other.hashes {
            let mine = self.hashes.entry(path.clone()).or_default();
            for (h, n) in hashes {
                *mine.entry(*h).or_default() += n;
            }
        }
        for (path, edges) in &other.edges {
            self.edges
                .entry(path.clone())
                .or_default()
                .extend(edges.iter().cloned());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.values().all(HashMap::is_empty) && self.edges.values().all(Vec::is_empty)
    }
}

/// The files of commit `sha` with their added lines told apart by matching what the sessions
/// wrote ([`Written`]), exactly as the explorer's Files tab marks them: for a commit no capture
/// record covers.
pub fn matched_files(
    repo: &Repository,
    sha: &str,
    wrote: &Written,
) -> Result<Vec<ChangedFile>, git2::Error> {
    commit_files(repo, sha, None, wrote)
}

/// How added lines are told apart in one file.
enum Attribution<'a> {
    Recorded(&'a FileChange),
    /// The hashes (and counts) of the lines the session wrote to the file, and the pieces of
    /// lines its edits started or ended with.
    Matched(HashMap<u64, u32>, Vec<LineEdge>),
}

impl Attribution<'_> {
    fn author(&mut self, line: u32, text: &str) -> Author {
        match self {
            Self::Recorded(change)
                if change
                    .ai_lines
                    .iter()
                    .any(|r| (r[0]..=r[1]).contains(&line)) =>
            {
                Author::Agent
            }
            Self::Recorded(_) => Author::Human,
            Self::Matched(..) if !is_distinctive(text) => Author::Plain,
            Self::Matched(left, edges) => {
                let whole = left
                    .get_mut(&line_hash(text))
                    .filter(|n| **n > 0)
                    .map(|n| *n -= 1)
                    .is_some();
                let mut piece = || match edges.iter().position(|e| e.fits(text)) {
                    Some(i) => {
                        edges.swap_remove(i);
                        true
                    }
                    None => false,
                };
                if whole || piece() {
                    Author::Agent
                } else {
                    Author::Unknown
                }
            }
        }
    }
}

fn commit_files(
    repo: &Repository,
    sha: &str,
    record: Option<&CommitRecord>,
    wrote: &Written,
) -> Result<Vec<ChangedFile>, git2::Error> {
    let commit = repo.find_commit(Oid::from_str(sha)?)?;
    let new = commit.tree()?;
    let old = match commit.parents().next() {
        Some(p) => Some(p.tree()?),
        None => None,
    };
    let mut options = DiffOptions::new();
    options.context_lines(CONTEXT).ignore_submodules(true);
    let mut diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let mut out = Vec::new();
    let mut budget = MAX_COMMIT_LINES;
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let path = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let (new_path, old_path) = (path(delta.new_file()), path(delta.old_file()));
        let status = crate::git::diff::status_name(delta.status());
        let file_path = new_path.or_else(|| old_path.clone()).unwrap_or_default();
        let recorded = record.and_then(|r| r.files.iter().find(|f| f.path == file_path));
        let mut who = match recorded {
            Some(change) => Attribution::Recorded(change),
            None => Attribution::Matched(
                wrote.hashes.get(&file_path).cloned().unwrap_or_default(),
                wrote.edges.get(&file_path).cloned().unwrap_or_default(),
            ),
        };
        let mut file = ChangedFile {
            old_path: (status == "renamed").then_some(old_path).flatten(),
            path: file_path,
            status,
            added: 0,
            removed: 0,
            binary: delta.flags().is_binary(),
            agent_lines: 0,
            human_lines: 0,
            unknown_lines: 0,
            recorded: recorded.is_some(),
            agent_at: Vec::new(),
            unknown_at: Vec::new(),
            lines: Vec::new(),
            more_lines: 0,
        };
        if let Some(patch) = Patch::from_diff(&diff, i)? {
            read_patch(&patch, &mut file, &mut who)?;
        }
        let kept = file.lines.len().min(budget);
        file.more_lines += file.lines.len() - kept;
        file.lines.truncate(kept);
        budget -= kept;
        out.push(file);
    }
    Ok(out)
}

fn read_patch(
    patch: &Patch<'_>,
    file: &mut ChangedFile,
    who: &mut Attribution<'_>,
) -> Result<(), git2::Error> {
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        let header = String::from_utf8_lossy(hunk.header()).trim_end().to_owned();
        push(file, LineKind::Hunk, None, None, header);
        for l in 0..patch.num_lines_in_hunk(h)? {
            let line = patch.line_in_hunk(h, l)?;
            let text = String::from_utf8_lossy(line.content())
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            let (old, new) = (line.old_lineno(), line.new_lineno());
            let kind = match line.origin() {
                '+' => {
                    file.added += 1;
                    let author = who.author(new.unwrap_or(0), &text);
                    file.agent_lines += u32::from(author == Author::Agent);
                    file.human_lines += u32::from(author == Author::Human);
                    file.unknown_lines +=
                        u32::from(matches!(author, Author::Unknown | Author::Plain));
                    let at = new.unwrap_or(0);
                    match author {
                        Author::Agent => file.agent_at.push(at),
                        Author::Unknown | Author::Plain => file.unknown_at.push(at),
                        Author::Human => {}
                    }
                    LineKind::Added(author)
                }
                '-' => {
                    file.removed += 1;
                    LineKind::Removed
                }
                ' ' => LineKind::Context,
                // "\ No newline at end of file" and similar markers.
                _ => continue,
            };
            push(file, kind, old, new, text);
        }
    }
    Ok(())
}

fn push(file: &mut ChangedFile, kind: LineKind, old: Option<u32>, new: Option<u32>, text: String) {
    if file.lines.len() < MAX_LINES {
        file.lines.push(DiffLine {
            kind,
            old,
            new,
            text,
        });
    } else {
        file.more_lines += 1;
    }
}

#[cfg(test)]
mod tests;
