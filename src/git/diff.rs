//! Line-level diffs through libgit2 (read-only: no index lock is taken): what a commit, or the
//! staged index, adds and removes per file, with renames and copies detected; and the unified
//! diff of two texts (what `init` and `uninstall` show before changing a file).

use std::path::Path;

use git2::{Delta, Diff, DiffFindOptions, DiffOptions, Index, Patch, Repository, Tree};

use crate::config::Env;
use crate::fingerprint::line_hash;

/// One file of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffFile {
    pub path: String,
    pub old_path: Option<String>,
    /// added, modified, deleted, renamed, copied, typechange.
    pub status: &'static str,
    /// Added lines: (line number in the new file, hash of the text).
    pub added: Vec<(u32, u64)>,
    pub removed: u32,
    pub binary: bool,
}

/// Files changed by `commit` against its first parent (or everything, for a root commit).
pub fn commit_diff(
    repo: &Repository,
    commit: &git2::Commit<'_>,
) -> Result<Vec<DiffFile>, git2::Error> {
    let new = commit.tree()?;
    let old = match commit.parents().next() {
        Some(p) => Some(p.tree()?),
        None => None,
    };
    let mut diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options()))?;
    files(&mut diff)
}

/// Files staged in `index` against HEAD (what `git commit` is about to record).
pub fn staged_diff(repo: &Repository, index: &Index) -> Result<Vec<DiffFile>, git2::Error> {
    let head: Option<Tree<'_>> = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let mut diff = repo.diff_tree_to_index(head.as_ref(), Some(index), Some(&mut options()))?;
    files(&mut diff)
}

/// The index `git commit` is using: `GIT_INDEX_FILE` when git set one (partial and `-a` commits
/// use a temporary index), else the repository's.
pub fn commit_index(repo: &Repository, env: &dyn Env) -> Result<Index, git2::Error> {
    match env.var("GIT_INDEX_FILE") {
        Some(path) => {
            let path = Path::new(&path);
            let full = if path.is_absolute() {
                path.to_path_buf()
            } else {
                repo.workdir().unwrap_or_else(|| repo.path()).join(path)
            };
            Index::open(&full)
        }
        None => repo.index(),
    }
}

fn options() -> DiffOptions {
    let mut o = DiffOptions::new();
    o.context_lines(0).ignore_submodules(true);
    o
}

fn files(diff: &mut Diff<'_>) -> Result<Vec<DiffFile>, git2::Error> {
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true);
    diff.find_similar(Some(&mut find))?;
    let mut out = Vec::new();
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let path = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let new_path = path(delta.new_file());
        let old_path = path(delta.old_file());
        let status = status_name(delta.status());
        let mut file = DiffFile {
            path: new_path
                .clone()
                .or_else(|| old_path.clone())
                .unwrap_or_default(),
            old_path: matches!(status, "renamed" | "copied")
                .then_some(old_path)
                .flatten(),
            status,
            added: Vec::new(),
            removed: 0,
            binary: delta.flags().is_binary(),
        };
        if let Some(patch) = Patch::from_diff(diff, i)? {
            read_lines(&patch, &mut file)?;
        }
        out.push(file);
    }
    Ok(out)
}

/// The name of a delta's status: added, deleted, renamed, copied, typechange or modified.
pub fn status_name(status: Delta) -> &'static str {
    match status {
        Delta::Added | Delta::Untracked => "added",
        Delta::Deleted => "deleted",
        Delta::Renamed => "renamed",
        Delta::Copied => "copied",
        Delta::Typechange => "typechange",
        _ => "modified",
    }
}

fn read_lines(patch: &Patch<'_>, file: &mut DiffFile) -> Result<(), git2::Error> {
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h)? {
            let line = patch.line_in_hunk(h, l)?;
            match line.origin() {
                '+' => {
                    let text = String::from_utf8_lossy(line.content());
                    file.added
                        .push((line.new_lineno().unwrap_or(0), line_hash(&text)));
                }
                '-' => file.removed += 1,
                _ => {}
            }
        }
    }
    Ok(())
}

/// A unified diff of two versions of one file's text, with 3 lines of context, as libgit2 writes
/// it (its `diff --git` header included); `None` when libgit2 cannot make one.
pub fn text_patch(old: &[u8], new: &[u8], file: &Path) -> Option<String> {
    let mut opts = DiffOptions::new();
    opts.context_lines(3);
    let mut patch = Patch::from_buffers(old, Some(file), new, Some(file), Some(&mut opts)).ok()?;
    let text = patch.to_buf().ok()?;
    Some(String::from_utf8_lossy(&text).into_owned())
}

/// Collapses sorted line numbers into inclusive `[start, end]` ranges.
pub fn ranges(lines: &[u32]) -> Vec<[u32; 2]> {
    let mut out: Vec<[u32; 2]> = Vec::new();
    for &l in lines {
        match out.last_mut() {
            Some(r) if r[1] + 1 == l => r[1] = l,
            _ => out.push([l, l]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ranges;

    #[test]
    fn ranges_merge_adjacent_lines() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), vec![[1, 3], [7, 7], [9, 10]]);
        assert!(ranges(&[]).is_empty());
    }
}
