//! The repository `init` works on, as git itself sees it.
//!
//! The hooks dir comes from `git rev-parse --git-path hooks`, which applies `core.hooksPath`
//! (absolute, `~/`, or relative to the worktree top, as husky sets it) and sends linked worktrees
//! to the hooks dir they share with the main worktree. Reading `.git` by hand gets these wrong.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::InstallError;
use crate::git::paths::RepoPaths;

/// A worktree and the hooks dir git runs hooks from.
#[derive(Debug, Clone)]
pub struct Repo {
    pub paths: RepoPaths,
    /// Where git looks for hooks (absolute; may not exist yet).
    pub hooks_dir: PathBuf,
}

impl Repo {
    /// The repository containing `cwd`, asking git.
    pub fn discover(cwd: &Path) -> Result<Self, InstallError> {
        let out = Command::new("git")
            .args([
                "rev-parse",
                "--show-toplevel",
                "--git-dir",
                "--git-common-dir",
                "--git-path",
                "hooks",
            ])
            .current_dir(cwd)
            .output()
            .map_err(|source| InstallError::Git {
                path: cwd.to_path_buf(),
                source,
            })?;
        let text = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = text.lines().collect();
        if !out.status.success() || lines.len() != 4 {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let detail = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("git rev-parse failed")
                .trim()
                .to_owned();
            return Err(InstallError::NotARepository {
                path: cwd.to_path_buf(),
                detail,
            });
        }
        let [worktree, git_dir, common_dir, hooks] = [0, 1, 2, 3].map(|i| absolute(cwd, lines[i]));
        Ok(Self {
            paths: RepoPaths {
                worktree,
                git_dir,
                common_dir,
            },
            hooks_dir: hooks,
        })
    }

    /// Whether this is a linked worktree (`git worktree add`) rather than the main one.
    pub fn is_linked_worktree(&self) -> bool {
        self.paths.git_dir != self.paths.common_dir
    }

    /// `path` for people: relative to the worktree when inside it, else as is.
    pub fn display(&self, path: &Path) -> String {
        path.strip_prefix(&self.paths.worktree).map_or_else(
            |_| path.display().to_string(),
            |rel| rel.display().to_string(),
        )
    }
}

/// `path` (as git printed it, relative to `cwd`) made absolute and free of `..`, resolving
/// symlinks in the part that exists.
fn absolute(cwd: &Path, path: &str) -> PathBuf {
    let joined = cwd.join(path);
    if let Ok(real) = joined.canonicalize() {
        return real;
    }
    match (joined.parent(), joined.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| joined.clone(), |p| p.join(name)),
        _ => joined,
    }
}
