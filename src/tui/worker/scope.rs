//! What a repository says of its own sessions, for the explorer's scope: its worktrees and the
//! sessions archived in their capture state (`<git-dir>/vouch/sessions`, `…/transcripts`).

use std::path::{Path, PathBuf};

use crate::tui::app::RepoScope;

/// The worktrees of the repository at `path` and the sessions their capture state keeps; empty
/// when it cannot be read.
pub fn repo_scope(path: &Path) -> RepoScope {
    let Ok(repo) = git2::Repository::open(path) else {
        return RepoScope::default();
    };
    let common = repo.commondir().to_path_buf();
    let mut git_dirs = vec![common.clone()];
    let mut worktrees: Vec<PathBuf> = git2::Repository::open(&common)
        .ok()
        .and_then(|main| main.workdir().map(Path::to_path_buf))
        .into_iter()
        .collect();
    if let Ok(names) = repo.worktrees() {
        for name in names.iter().flatten().flatten() {
            if let Ok(w) = repo.find_worktree(name) {
                worktrees.push(w.path().to_path_buf());
            }
            git_dirs.push(common.join("worktrees").join(name));
        }
    }
    let mut archived: Vec<String> = git_dirs
        .iter()
        .flat_map(|d| archived_ids(&d.join("vouch")))
        .collect();
    archived.sort();
    archived.dedup();
    RepoScope {
        worktrees,
        archived,
    }
}

/// The session ids a state folder keeps a record or transcripts of.
fn archived_ids(state: &Path) -> Vec<String> {
    let records = names(&state.join("sessions"))
        .into_iter()
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned));
    let transcripts = names(&state.join("transcripts"));
    records.chain(transcripts).collect()
}

fn names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
