//! A change's identity wherever it is applied, like `git patch-id`: what a rebase or a squash
//! merge keeps of the commits it rewrites. Each file's id is the sha256 of its path and its
//! removed and added lines in order (line numbers and context left out, trailing whitespace
//! dropped; a binary file by its blob ids); the whole change's id is the sha256 of its files' ids
//! in path order. Renames count as a deletion and an addition, so ids never depend on rename
//! detection.

use std::collections::BTreeMap;

use git2::{Commit, Delta, DiffOptions, Oid, Patch, Repository, Tree};
use sha2::{Digest, Sha256};

use crate::fingerprint::hex;

/// A change's ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeIds {
    /// The whole change: empty changes have the id of nothing.
    pub whole: String,
    /// Each changed file's, by path.
    pub files: BTreeMap<String, String>,
}

/// The ids of what `commit` changes against its first parent (all of it, for a root commit).
pub fn commit_change(repo: &Repository, commit: &Commit<'_>) -> Result<ChangeIds, git2::Error> {
    let old = match commit.parents().next() {
        Some(p) => Some(p.tree()?),
        None => None,
    };
    tree_change(repo, old.as_ref(), &commit.tree()?)
}

/// The ids of what changes from the commit `base` (nothing, when `None`) to the commit `tip`.
pub fn range_change(
    repo: &Repository,
    base: Option<Oid>,
    tip: Oid,
) -> Result<ChangeIds, git2::Error> {
    let old = base
        .map(|b| repo.find_commit(b).and_then(|c| c.tree()))
        .transpose()?;
    tree_change(repo, old.as_ref(), &repo.find_commit(tip)?.tree()?)
}

/// The ids of the change from `old` (empty when `None`) to `new`.
pub fn tree_change(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
) -> Result<ChangeIds, git2::Error> {
    let mut options = DiffOptions::new();
    options.context_lines(0).ignore_submodules(true);
    let diff = repo.diff_tree_to_tree(old, Some(new), Some(&mut options))?;
    let mut files = BTreeMap::new();
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let file = if delta.status() == Delta::Deleted {
            delta.old_file()
        } else {
            delta.new_file()
        };
        let path = file
            .path()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let mut hash = Sha256::new();
        hash.update(path.as_bytes());
        hash.update([0]);
        if delta.flags().is_binary() {
            hash.update(format!(
                "binary {} {}",
                delta.old_file().id(),
                delta.new_file().id()
            ));
        } else if let Some(patch) = Patch::from_diff(&diff, i)? {
            lines(&patch, &mut hash)?;
        }
        files.insert(path, hex(&hash.finalize()));
    }
    Ok(ChangeIds {
        whole: whole(&files),
        files,
    })
}

/// The id of a change made of these files' changes.
pub fn whole(files: &BTreeMap<String, String>) -> String {
    let mut hash = Sha256::new();
    for (path, id) in files {
        hash.update(path.as_bytes());
        hash.update([0]);
        hash.update(id.as_bytes());
        hash.update([b'\n']);
    }
    hex(&hash.finalize())
}

fn lines(patch: &Patch<'_>, hash: &mut Sha256) -> Result<(), git2::Error> {
    for h in 0..patch.num_hunks() {
        for l in 0..patch.num_lines_in_hunk(h)? {
            let line = patch.line_in_hunk(h, l)?;
            let origin = line.origin();
            if origin == '+' || origin == '-' {
                hash.update([origin as u8]);
                hash.update(line.content().trim_ascii_end());
                hash.update([b'\n']);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    fn commit(dir: &std::path::Path, file: &str, text: &str) -> String {
        std::fs::write(dir.join(file), text).unwrap();
        git(dir, &["add", file]);
        git(dir, &["commit", "-q", "-m", file]);
        git(dir, &["rev-parse", "HEAD"])
    }

    fn ids(repo: &Repository, sha: &str) -> ChangeIds {
        commit_change(
            repo,
            &repo.find_commit(Oid::from_str(sha).unwrap()).unwrap(),
        )
        .unwrap()
    }

    /// A commit picked onto another base keeps its id; a squash of two commits has the id of
    /// their range; trailing whitespace does not count, a changed line does.
    #[test]
    fn ids_survive_rebase_and_squash_and_tell_changes_apart() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        let base = commit(d, "a.txt", "one\ntwo\nthree\n");
        git(d, &["checkout", "-q", "-b", "feature"]);
        let first = commit(d, "a.txt", "one\ntwo, edited\nthree\n");
        let second = commit(d, "b.txt", "new file\n");
        git(d, &["checkout", "-q", "main"]);
        commit(d, "c.txt", "elsewhere\n");
        git(d, &["cherry-pick", &first]);
        let picked = git(d, &["rev-parse", "HEAD"]);
        git(d, &["merge", "-q", "--squash", &second]);
        git(d, &["commit", "-q", "-m", "squash"]);
        let squashed = git(d, &["rev-parse", "HEAD"]);
        let repo = Repository::open(d).unwrap();
        assert_eq!(ids(&repo, &picked).whole, ids(&repo, &first).whole);
        let range = range_change(
            &repo,
            Some(Oid::from_str(&base).unwrap()),
            Oid::from_str(&second).unwrap(),
        )
        .unwrap();
        assert_eq!(range.files.len(), 2);
        // The squash holds the second commit's change only (the first was picked before).
        assert_eq!(ids(&repo, &squashed).whole, ids(&repo, &second).whole);
        assert_ne!(ids(&repo, &squashed).whole, range.whole);
        assert_eq!(ids(&repo, &squashed).files["b.txt"], range.files["b.txt"]);

        git(d, &["checkout", "-q", "-b", "spaces", &base]);
        let spaces = commit(d, "a.txt", "one\ntwo, edited   \nthree\n");
        assert_eq!(ids(&repo, &spaces).whole, ids(&repo, &first).whole);
        let other = commit(d, "a.txt", "one\ntwo, edited again\nthree\n");
        assert_ne!(ids(&repo, &other).whole, ids(&repo, &first).whole);
    }
}
