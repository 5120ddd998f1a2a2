//! `git vouch diff [RANGE]`: a range's whole diff, as a pull request shows it, with every added
//! line marked with who wrote it, the way [`super::blame`] tells it: the range's added lines are
//! blamed inside the range (`git blame -M -C base..tip`), so a line keeps the commit that first
//! wrote it even if a later commit of the range moved it, and that commit's record or the
//! sessions' edits name its author.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use git2::{Oid, Repository};
use serde::Serialize;

use super::blame::resolve::{attribute, likely_sessions, read_sessions};
use super::blame::{
    Basis, Blame, BlameCommit, BlameError, BlameLine, BlameSession, LineAuthor, SessionReader,
};
use crate::capture::state::StateDir;
use crate::evidence::range::{Range, resolve};
use crate::git::Git;
use crate::git::blame::{BlameRequest, FileBlame, blame};
use crate::git::patch::{PatchFile, PatchKind, range_patch};
use crate::git::paths::RepoPaths;

/// The JSON schema name of `git vouch diff --json`.
pub const DIFF_SCHEMA: &str = "git-vouch/diff@1";

/// A range's diff with its added lines' authors.
#[derive(Debug, Clone, Serialize)]
pub struct RangeDiff {
    pub schema: &'static str,
    pub range: String,
    pub base: Option<String>,
    pub tip: String,
    pub files: Vec<DiffFile>,
    /// The commits added lines come from, newest first.
    pub commits: Vec<BlameCommit>,
    /// The sessions added lines come from, with the prompts behind them.
    pub sessions: Vec<BlameSession>,
    pub totals: DiffTotals,
    pub warnings: Vec<String>,
}

/// One file.
#[derive(Debug, Clone, Serialize)]
pub struct DiffFile {
    pub path: String,
    pub old_path: Option<String>,
    pub status: &'static str,
    pub binary: bool,
    pub added: u32,
    pub removed: u32,
    /// Added lines by author (of those kept; see `more_lines`).
    pub agent: u32,
    pub human: u32,
    pub unknown: u32,
    pub lines: Vec<DiffLine>,
    /// Diff lines left out past the cap (5,000 per file, 100,000 in all).
    pub more_lines: usize,
}

/// One line of a file's diff; an added line says who wrote it.
#[derive(Debug, Clone, Serialize)]
pub struct DiffLine {
    /// `hunk`, `context`, `added` or `removed`.
    pub kind: &'static str,
    pub old: Option<u32>,
    pub new: Option<u32>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<LineBy>,
}

/// Who wrote an added line, and how that was told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineBy {
    pub author: LineAuthor,
    pub basis: Basis,
    /// The commit that wrote it: one of the range's, or an older one for a line the range moved.
    pub commit: Option<String>,
    pub session: Option<String>,
    pub tool_use_id: Option<String>,
    pub prompt: Option<usize>,
}

/// Added and removed lines, and the added ones by author.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DiffTotals {
    pub files: usize,
    pub added: u32,
    pub removed: u32,
    pub agent: u32,
    pub human: u32,
    pub unknown: u32,
}

/// The diff of `spec` (default: the current branch against its upstream or default branch) in the
/// repository at `cwd`.
pub fn range_diff(
    cwd: &Path,
    spec: Option<&str>,
    reader: &dyn SessionReader,
) -> Result<RangeDiff, BlameError> {
    let paths = RepoPaths::discover(cwd)
        .ok_or_else(|| BlameError::NotARepository(cwd.display().to_string()))?;
    let repo = Repository::open(&paths.worktree)?;
    let range = resolve(&repo, spec)?;
    diff_of(&paths, &repo, &range, reader)
}

/// The diff of `range` (resolved already: the commits a push sends) in the repository at `cwd`.
pub fn range_diff_of(
    cwd: &Path,
    range: &Range,
    reader: &dyn SessionReader,
) -> Result<RangeDiff, BlameError> {
    let paths = RepoPaths::discover(cwd)
        .ok_or_else(|| BlameError::NotARepository(cwd.display().to_string()))?;
    let repo = Repository::open(&paths.worktree)?;
    diff_of(&paths, &repo, range, reader)
}

fn diff_of(
    paths: &RepoPaths,
    repo: &Repository,
    range: &Range,
    reader: &dyn SessionReader,
) -> Result<RangeDiff, BlameError> {
    let base = range.base.as_deref().map(Oid::from_str).transpose()?;
    let patch = range_patch(repo, base, Oid::from_str(&range.tip)?)?;
    let git = Git::new(&paths.worktree);
    let state = StateDir::new(paths.clone());
    let changed: Vec<&str> = patch
        .iter()
        .filter(|f| f.added > 0)
        .map(|f| f.path.as_str())
        .collect();
    let likely = likely_sessions(paths, &changed, reader);
    let (blamed, read) = std::thread::scope(|scope| {
        let walk = scope.spawn(|| blame_added(&git, &patch, range));
        let read = read_sessions(&state, reader, &likely);
        (walk.join(), read)
    });
    let blamed = blamed.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let (merged, counts) = merge(&blamed);
    let told = attribute(repo, paths, &merged, reader, read);
    let files = mark(patch, &counts, &told);
    Ok(RangeDiff {
        schema: DIFF_SCHEMA,
        range: range.spec.clone(),
        base: range.base.clone(),
        tip: range.tip.clone(),
        totals: totals(&files),
        files,
        commits: told.commits,
        sessions: told.sessions,
        warnings: told.warnings,
    })
}

/// Each file's added lines blamed inside the range (files without any get an empty blame). A
/// line the range moved from older code is blamed again over the whole history, so it keeps the
/// commit, and the author, that first wrote it.
fn blame_added(
    git: &Git,
    patch: &[PatchFile],
    range: &Range,
) -> Result<Vec<FileBlame>, BlameError> {
    let in_range: BTreeSet<&str> = range.commits.iter().map(String::as_str).collect();
    patch
        .iter()
        .map(|f| {
            let ranges = f.added_ranges();
            if ranges.is_empty() || f.binary {
                return Ok(FileBlame::default());
            }
            let request = BlameRequest {
                rev: Some(&range.tip),
                since: range.base.as_deref(),
                ranges: &ranges,
            };
            let mut b = blame(git, &f.path, request)?;
            let older: Vec<u32> = b
                .lines
                .iter()
                .filter(|l| !in_range.contains(l.commit.as_str()))
                .map(|l| l.line)
                .collect();
            if older.is_empty() {
                return Ok(b);
            }
            let ranges: Vec<(u32, u32)> = crate::git::diff::ranges(&older)
                .into_iter()
                .map(|[a, z]| (a, z))
                .collect();
            let request = BlameRequest {
                rev: Some(&range.tip),
                since: None,
                ranges: &ranges,
            };
            let again = blame(git, &f.path, request)?;
            b.lines.retain(|l| in_range.contains(l.commit.as_str()));
            b.lines.extend(again.lines);
            b.lines.sort_by_key(|l| l.line);
            b.commits.retain(|sha, _| in_range.contains(sha.as_str()));
            b.commits.extend(again.commits);
            Ok(b)
        })
        .collect()
}

/// Every file's blamed lines in one list, in file order, for one attribution, and how many each
/// file gave.
fn merge(blamed: &[FileBlame]) -> (FileBlame, Vec<usize>) {
    let mut out = FileBlame::default();
    let mut counts = Vec::with_capacity(blamed.len());
    for b in blamed {
        out.lines.extend(b.lines.iter().cloned());
        counts.push(b.lines.len());
        out.commits
            .extend(b.commits.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    (out, counts)
}

/// The patch's lines with each added line's author, from `told` (in the order [`merge`] gave).
fn mark(patch: Vec<PatchFile>, counts: &[usize], told: &Blame) -> Vec<DiffFile> {
    let mut rest = told.lines.as_slice();
    patch
        .into_iter()
        .zip(counts)
        .map(|(f, &n)| {
            let (mine, after) = rest.split_at(n.min(rest.len()));
            rest = after;
            let by_line: HashMap<u32, &BlameLine> = mine.iter().map(|l| (l.line, l)).collect();
            file(f, &by_line)
        })
        .collect()
}

fn file(f: PatchFile, by_line: &HashMap<u32, &BlameLine>) -> DiffFile {
    let mut out = DiffFile {
        path: f.path,
        old_path: f.old_path,
        status: f.status,
        binary: f.binary,
        added: f.added,
        removed: f.removed,
        agent: 0,
        human: 0,
        unknown: 0,
        lines: Vec::with_capacity(f.lines.len()),
        more_lines: f.more_lines,
    };
    for l in f.lines {
        let by = (l.kind == PatchKind::Added).then(|| by(l.new.and_then(|n| by_line.get(&n))));
        match by.as_ref().map(|b| b.author) {
            Some(LineAuthor::Agent) => out.agent += 1,
            Some(LineAuthor::Human) => out.human += 1,
            Some(LineAuthor::Unknown) => out.unknown += 1,
            None => {}
        }
        out.lines.push(DiffLine {
            kind: match l.kind {
                PatchKind::Hunk => "hunk",
                PatchKind::Context => "context",
                PatchKind::Added => "added",
                PatchKind::Removed => "removed",
            },
            old: l.old,
            new: l.new,
            text: l.text,
            by,
        });
    }
    out
}

/// An added line's author: from its blame, else (git blamed nothing for it) unknown.
fn by(line: Option<&&BlameLine>) -> LineBy {
    match line {
        Some(l) => LineBy {
            author: l.author,
            basis: l.basis,
            commit: l.commit.clone(),
            session: l.session.clone(),
            tool_use_id: l.tool_use_id.clone(),
            prompt: l.prompt,
        },
        None => LineBy {
            author: LineAuthor::Unknown,
            basis: Basis::Matched,
            commit: None,
            session: None,
            tool_use_id: None,
            prompt: None,
        },
    }
}

fn totals(files: &[DiffFile]) -> DiffTotals {
    let mut t = DiffTotals {
        files: files.len(),
        ..DiffTotals::default()
    };
    for f in files {
        t.added += f.added;
        t.removed += f.removed;
        t.agent += f.agent;
        t.human += f.human;
        t.unknown += f.unknown;
    }
    t
}
