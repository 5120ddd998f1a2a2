//! Our git hook scripts, and chaining a foreign hook (husky, pre-commit, git-lfs…) found in
//! their place.
//!
//! A foreign hook is renamed to `<name>.vouch-chained` (a rename keeps its bytes, mode, and a
//! symlink as a symlink) and our script hands its path to `git-vouch hook git --chain`, which runs
//! it with the same arguments and the same stdin bytes (pre-push's ref lines included). When
//! git-vouch is not on PATH the script runs the chained hook itself, so a hook never stops working
//! because git-vouch was uninstalled from the machine. `uninstall` renames it back.

use std::fs;
use std::path::{Path, PathBuf};

use super::InstallError;
use super::plan::{Action, Item, Step, read_optional};

/// The hooks we install.
pub const HOOKS: [&str; 4] = ["commit-msg", "post-commit", "post-rewrite", "pre-push"];

/// The line that marks a hook as ours.
pub const MARKER: &str = "# git-vouch-managed";

/// Appended to a foreign hook's name when ours takes its place.
pub const CHAINED_SUFFIX: &str = ".vouch-chained";

/// Our script for hook `name`, chaining `chained` when given.
pub fn script(name: &str, chained: Option<&Path>) -> String {
    let (chain_arg, fallback) = chained.map_or_else(Default::default, |path| {
        let q = sh_quote(&path.to_string_lossy());
        (
            format!(" --chain {q}"),
            format!("[ -x {q} ] && exec {q} \"$@\"\n"),
        )
    });
    format!(
        "#!/bin/sh\n\
         {MARKER}: `git vouch uninstall` restores any hook this replaced\n\
         if command -v git-vouch >/dev/null 2>&1; then\n  \
         exec git-vouch hook git {name}{chain_arg} -- \"$@\"\n\
         fi\n\
         {fallback}exit 0\n"
    )
}

/// Whether a hook file is one of our scripts.
pub fn is_ours(bytes: &[u8]) -> bool {
    bytes
        .split(|b| *b == b'\n')
        .any(|line| line.starts_with(MARKER.as_bytes()))
}

/// Where a foreign hook `name` is kept while ours is installed.
pub fn chained_path(hooks_dir: &Path, name: &str) -> PathBuf {
    hooks_dir.join(format!("{name}{CHAINED_SUFFIX}"))
}

/// What is at a hook's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookState {
    /// Our script, alone.
    Installed,
    /// Our script, running a foreign hook after it.
    Chained,
    /// Someone else's hook: ours is not installed.
    Foreign,
    Missing,
}

/// One hook as found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookStatus {
    pub name: &'static str,
    pub path: PathBuf,
    pub state: HookState,
    /// The chained foreign hook, when one is kept.
    pub chained: Option<PathBuf>,
    /// Whether git can run the hook (a hook that is not executable is skipped by git).
    pub executable: bool,
}

/// Looks at hook `name` in `hooks_dir`.
pub fn inspect(hooks_dir: &Path, name: &'static str) -> HookStatus {
    let path = hooks_dir.join(name);
    let chained = chained_path(hooks_dir, name);
    let chained = exists(&chained).then_some(chained);
    let state = match fs::read(&path) {
        Ok(bytes) if is_ours(&bytes) => {
            if chained.is_some() {
                HookState::Chained
            } else {
                HookState::Installed
            }
        }
        _ if exists(&path) => HookState::Foreign,
        _ => HookState::Missing,
    };
    HookStatus {
        executable: is_executable(&path),
        name,
        path,
        state,
        chained,
    }
}

/// Plans installing hook `name`: write ours, chaining a foreign hook if one is there.
pub fn plan_install(hooks_dir: &Path, name: &str) -> Result<Item, InstallError> {
    let path = hooks_dir.join(name);
    let chained = chained_path(hooks_dir, name);
    let current = if exists(&path) {
        Some(read_optional(&path)?.unwrap_or_default())
    } else {
        None
    };
    let mut item = Item {
        path: path.clone(),
        action: Action::Installed,
        steps: Vec::new(),
    };
    let mut before = None;
    match current {
        Some(bytes) if is_ours(&bytes) => {
            let want = script(name, exists(&chained).then_some(chained.as_path()));
            if bytes == want.as_bytes() && is_executable(&path) {
                item.action = Action::AlreadyInstalled;
                return Ok(item);
            }
            item.action = Action::Updated;
            before = Some(bytes);
        }
        Some(_) if exists(&chained) => {
            return Err(InstallError::ChainedExists {
                hook: path,
                chained,
            });
        }
        Some(_) => {
            item.steps.push(Step::Rename {
                from: path.clone(),
                to: chained.clone(),
            });
            item.action = Action::Chained {
                foreign: chained.clone(),
            };
        }
        // Our hook was deleted but the hook it chained is still kept: chain it again.
        None if exists(&chained) => {
            item.action = Action::Chained {
                foreign: chained.clone(),
            };
        }
        None => {}
    }
    let chain = matches!(item.action, Action::Chained { .. })
        || (item.action == Action::Updated && exists(&chained));
    item.steps.push(Step::Write {
        path,
        before,
        after: script(name, chain.then_some(chained.as_path())).into_bytes(),
        mode: Some(0o755),
    });
    Ok(item)
}

/// Plans removing hook `name`: delete ours and put back the hook it chained; leave foreign
/// hooks alone.
pub fn plan_uninstall(hooks_dir: &Path, name: &str) -> Result<Item, InstallError> {
    let path = hooks_dir.join(name);
    let chained = chained_path(hooks_dir, name);
    let mut item = Item {
        path: path.clone(),
        action: Action::NotInstalled,
        steps: Vec::new(),
    };
    if exists(&path) {
        let bytes = read_optional(&path)?.unwrap_or_default();
        if !is_ours(&bytes) {
            item.action = Action::Foreign;
            return Ok(item);
        }
        item.steps.push(Step::Remove {
            path: path.clone(),
            before: bytes,
        });
        item.action = Action::Removed;
    }
    if exists(&chained) {
        item.steps.push(Step::Rename {
            from: chained.clone(),
            to: path,
        });
        item.action = Action::Unchained { foreign: chained };
    }
    Ok(item)
}

/// Whether anything (a file, a symlink, even a dangling one) is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// `text` as one shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
