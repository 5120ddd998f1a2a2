//! Planned file changes and carrying them out.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::InstallError;
use crate::capture::atomic_write::write_atomic;

/// One change to the file system. Steps are computed from what is on disk before any is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Create or replace a file atomically, keeping the old file's mode unless `mode` is given.
    Write {
        path: PathBuf,
        before: Option<Vec<u8>>,
        after: Vec<u8>,
        mode: Option<u32>,
    },
    /// Delete a file.
    Remove { path: PathBuf, before: Vec<u8> },
    /// Save what a later `uninstall` restores: the original bytes, or a marker saying the file
    /// did not exist.
    Backup { path: PathBuf, bytes: Vec<u8> },
    /// Delete a backup or marker that is no longer needed.
    Discard { path: PathBuf },
    /// Move a file (a foreign hook to or from its chained name); bytes and mode move with it.
    Rename { from: PathBuf, to: PathBuf },
    /// Remove a folder that `init` created, if nothing else is in it now.
    RemoveEmptyDir { path: PathBuf },
}

/// What happens to one file (a settings file or a git hook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub path: PathBuf,
    pub action: Action,
    pub steps: Vec<Step>,
}

/// The outcome for one file, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Installed,
    /// Our hooks were there but not in the current form.
    Updated,
    AlreadyInstalled,
    /// A foreign hook was moved to `foreign` and runs after ours.
    Chained {
        foreign: PathBuf,
    },
    /// Our hook file was deleted.
    Removed,
    /// Our entries were taken out of a settings file; the rest stays.
    Stripped,
    /// The file is back to the bytes it had before `init`.
    Restored,
    /// The file did not exist before `init`, so it is gone again.
    Deleted,
    /// Our hook is gone and the foreign hook it chained is back in place.
    Unchained {
        foreign: PathBuf,
    },
    NotInstalled,
    /// A hook that is not ours: left as it is.
    Foreign,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Installed => f.write_str("installed"),
            Self::Updated => f.write_str("updated"),
            Self::AlreadyInstalled => f.write_str("already installed"),
            Self::Chained { foreign } => write!(
                f,
                "installed; the existing hook is now {} and still runs, after git-vouch",
                foreign.display()
            ),
            Self::Removed => f.write_str("removed"),
            Self::Stripped => f.write_str("took out git-vouch's hooks, kept the rest"),
            Self::Restored => f.write_str("restored the original file"),
            Self::Deleted => f.write_str("removed (git-vouch had created it)"),
            Self::Unchained { foreign } => write!(
                f,
                "removed; the original hook is back from {}",
                foreign.display()
            ),
            Self::NotInstalled => f.write_str("not installed"),
            Self::Foreign => f.write_str("not a git-vouch hook, left alone"),
        }
    }
}

impl Item {
    /// Whether applying this item changes anything.
    pub fn changes(&self) -> bool {
        !self.steps.is_empty()
    }
}

/// Takes every step of every item, in order.
pub fn apply(items: &[Item]) -> Result<(), InstallError> {
    for step in items.iter().flat_map(|i| &i.steps) {
        match step {
            Step::Write {
                path, after, mode, ..
            } => {
                write_atomic(path, after, *mode).map_err(|e| InstallError::io("write", path, e))?;
            }
            Step::Backup { path, bytes } => {
                write_atomic(path, bytes, None).map_err(|e| InstallError::io("write", path, e))?;
            }
            Step::Remove { path, .. } | Step::Discard { path } => match fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(InstallError::io("remove", path, e));
                }
                _ => {}
            },
            Step::Rename { from, to } => {
                fs::rename(from, to).map_err(|e| InstallError::io("rename", from, e))?;
            }
            Step::RemoveEmptyDir { path } => {
                // Fails harmlessly when something else now lives there.
                let _ = fs::remove_dir(path);
            }
        }
    }
    Ok(())
}

/// The bytes of `path`, or `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, InstallError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(InstallError::io("read", path, e)),
    }
}

/// A unified diff of what a `Write` or `Remove` step does to its file, naming it `label`
/// (`/dev/null` on the side where the file does not exist).
pub fn diff(step: &Step, label: &str) -> Option<String> {
    let (old, new, created, removed): (&[u8], &[u8], bool, bool) = match step {
        Step::Write { before, after, .. } => (
            before.as_deref().unwrap_or_default(),
            after,
            before.is_none(),
            false,
        ),
        Step::Remove { before, .. } => (before, &[], false, true),
        _ => return None,
    };
    let text = crate::git::diff::text_patch(old, new, Path::new(label))?;
    // libgit2's git-style header (`diff --git`, `index`) is noise here: keep the hunks.
    let hunks = text.find("\n@@").map_or("", |i| &text[i + 1..]);
    let side = |gone: bool, prefix: &str| {
        if gone {
            "/dev/null".to_owned()
        } else {
            format!("{prefix}{label}")
        }
    };
    Some(format!(
        "--- {}\n+++ {}\n{hunks}",
        side(created, "a/"),
        side(removed, "b/")
    ))
}
