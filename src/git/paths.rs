//! Finding a repository's git dir from a working directory without spawning git or opening
//! libgit2: hooks run on every tool call, so this is a walk up the folder tree.

use std::path::{Path, PathBuf};

/// The folders of one worktree of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoPaths {
    /// The top of the worktree.
    pub worktree: PathBuf,
    /// This worktree's git dir (`.git`, or `.git/worktrees/<name>` for a linked worktree).
    pub git_dir: PathBuf,
    /// The git dir shared by all worktrees (holds `hooks/`, `config`, objects).
    pub common_dir: PathBuf,
}

impl RepoPaths {
    /// The repository containing `start`, if any. Honours `GIT_DIR` only when given explicitly by
    /// the caller (hooks run by git set it; agent hooks do not).
    pub fn discover(start: &Path) -> Option<Self> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let dot_git = d.join(".git");
            if dot_git.is_dir() {
                return Some(Self::from_git_dir(d.to_path_buf(), dot_git));
            }
            if dot_git.is_file() {
                let git_dir = read_gitdir_file(&dot_git)?;
                return Some(Self::from_git_dir(d.to_path_buf(), git_dir));
            }
            dir = d.parent();
        }
        None
    }

    /// The paths for a known git dir and worktree.
    pub fn from_git_dir(worktree: PathBuf, git_dir: PathBuf) -> Self {
        let common_dir = std::fs::read_to_string(git_dir.join("commondir"))
            .ok()
            .map(|c| {
                let c = PathBuf::from(c.trim());
                if c.is_absolute() { c } else { git_dir.join(c) }
            })
            .map_or_else(|| git_dir.clone(), |c| c.canonicalize().unwrap_or(c));
        Self {
            worktree,
            git_dir,
            common_dir,
        }
    }

    /// `path` relative to the worktree with `/` separators, if it lies inside it.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.worktree.join(path)
        };
        let rel = abs
            .strip_prefix(&self.worktree)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| {
                // The worktree may be reached through a symlink (`/tmp` on some systems).
                let worktree = self.worktree.canonicalize().ok()?;
                let parent = abs.parent()?.canonicalize().ok()?;
                let file = parent.join(abs.file_name()?);
                file.strip_prefix(worktree).ok().map(Path::to_path_buf)
            })?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// Reads a `.git` file (`gitdir: <path>`), as linked worktrees and submodules have.
fn read_gitdir_file(file: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let target = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
    Some(if target.is_absolute() {
        target
    } else {
        file.parent()?.join(target)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plain_and_linked_worktrees() {
        let tmp = tempfile::tempdir().unwrap();
        let main = tmp.path().join("main");
        std::fs::create_dir_all(main.join(".git/worktrees/wt")).unwrap();
        std::fs::create_dir_all(main.join("src/deep")).unwrap();
        let found = RepoPaths::discover(&main.join("src/deep")).unwrap();
        assert_eq!(found.worktree, main);
        assert_eq!(found.git_dir, main.join(".git"));
        assert_eq!(
            found.relative(&main.join("src/deep/a.rs")).as_deref(),
            Some("src/deep/a.rs")
        );
        assert_eq!(found.relative(Path::new("/elsewhere/x")), None);

        let wt = tmp.path().join("wt");
        std::fs::create_dir_all(&wt).unwrap();
        std::fs::write(
            wt.join(".git"),
            format!("gitdir: {}\n", main.join(".git/worktrees/wt").display()),
        )
        .unwrap();
        std::fs::write(main.join(".git/worktrees/wt/commondir"), "../..\n").unwrap();
        let linked = RepoPaths::discover(&wt).unwrap();
        assert_eq!(linked.git_dir, main.join(".git/worktrees/wt"));
        assert_eq!(linked.common_dir, main.join(".git").canonicalize().unwrap());
        assert!(RepoPaths::discover(Path::new("/")).is_none());
    }
}
