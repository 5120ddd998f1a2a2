//! What a repository says of its own sessions, for the explorer's scope: its worktrees, the
//! sessions archived in their capture state (`<git-dir>/vouch/sessions`, `…/transcripts`) and
//! the riskiest call the guard checked in each (`…/events`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::guard::rules::Level;
use crate::tui::app::{RepoScope, SessionRisk};

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
    let mut risks = HashMap::new();
    for dir in &git_dirs {
        guard_risks(&dir.join("vouch/events"), &mut risks);
    }
    RepoScope {
        worktrees,
        archived,
        risks,
    }
}

/// What the guard found in each session of an `events/` folder. Only the lines that hold a
/// guard record are parsed (a byte search finds them), so a large ledger is read at about the
/// speed of the disk.
fn guard_risks(events: &Path, out: &mut HashMap<String, SessionRisk>) {
    #[derive(Deserialize)]
    struct Line {
        guard: Option<Checked>,
    }
    #[derive(Deserialize)]
    struct Checked {
        level: Level,
    }
    let finder = memchr::memmem::Finder::new(b"\"guard\":{");
    for entry in std::fs::read_dir(events).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(id) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".jsonl"))
        else {
            continue;
        };
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for line in bytes.split(|b| *b == b'\n') {
            if finder.find(line).is_none() {
                continue;
            }
            let Ok(Line { guard: Some(g) }) = serde_json::from_slice::<Line>(line) else {
                continue;
            };
            let risk = out.entry(id.to_owned()).or_default();
            if g.level > risk.worst || risk.at_worst == 0 {
                *risk = SessionRisk {
                    worst: g.level,
                    at_worst: 0,
                };
            }
            if g.level == risk.worst {
                risk.at_worst += 1;
            }
        }
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
