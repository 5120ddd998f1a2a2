//! Our hooks in a Claude Code settings file (the JSON work is in [`super::entries`]).
//!
//! Our entry is added to each event we listen to, an outdated entry of ours is replaced, and
//! everything else is left as it was. The file is rewritten (2-space JSON) only when its content
//! changes, so a second `init` writes nothing.
//!
//! Before the first change, the original bytes are saved (or a marker that the file did not
//! exist). Backups of a repository's settings go to the worktree's state folder
//! (`<git-dir>/vouch/backup/`), not beside the file, where `git add -A` would commit them; the
//! user settings backup sits beside `~/.claude/settings.json`. `uninstall` takes our entries out
//! and, when what is left equals the original document, writes back the original bytes exactly
//! (or deletes the file if `init` created it).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::entries::{Flavor, parse, pretty};
use super::plan::{Action, Item, Step, read_optional};
use super::{InstallError, Repo};
use crate::config::Env;

/// Marker contents: the settings file did not exist (and neither did its folder).
const CREATED_FILE: &[u8] = b"file\n";
const CREATED_FILE_AND_FOLDER: &[u8] = b"file+folder\n";

/// Which settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `.claude/settings.json`, committed: teammates get the hooks.
    Project,
    /// `.claude/settings.local.json`, not committed.
    Local,
    /// `~/.claude/settings.json` (or `$CLAUDE_CONFIG_DIR/settings.json`): every repository.
    User,
}

/// A settings file and where its backup goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsFile {
    pub scope: Scope,
    pub path: PathBuf,
    /// The original bytes, saved by the first `init` that changed the file.
    pub backup: PathBuf,
    /// Present when the file did not exist before `init`.
    pub created_marker: PathBuf,
    /// Whose hooks it holds (Claude Code's settings, Codex CLI's `hooks.json`).
    pub flavor: Flavor,
}

impl SettingsFile {
    pub fn new(scope: Scope, repo: &Repo, env: &dyn Env) -> Result<Self, InstallError> {
        let backups = repo.paths.git_dir.join("vouch").join("backup");
        let in_repo = |name: &str| Self {
            scope,
            path: repo.paths.worktree.join(".claude").join(name),
            backup: backups.join(name),
            created_marker: backups.join(format!("{name}.created")),
            flavor: Flavor::CLAUDE,
        };
        Ok(match scope {
            Scope::Project => in_repo("settings.json"),
            Scope::Local => in_repo("settings.local.json"),
            Scope::User => {
                let dir = user_config_dir(env).ok_or(InstallError::NoUserSettings)?;
                Self::beside(scope, dir.join("settings.json"), Flavor::CLAUDE)
            }
        })
    }
}

impl SettingsFile {
    /// Gemini CLI's user settings, `$GEMINI_CLI_HOME/.gemini/settings.json` (else
    /// `~/.gemini/settings.json`): hooks there need no trust step.
    pub fn gemini(env: &dyn Env) -> Result<Self, InstallError> {
        let home = env
            .var("GEMINI_CLI_HOME")
            .or_else(|| env.var("HOME"))
            .ok_or(InstallError::NoGeminiHome)?;
        let path = PathBuf::from(home).join(".gemini").join("settings.json");
        Ok(Self::beside(Scope::User, path, Flavor::GEMINI))
    }

    /// A file outside the repository, whose backup and marker sit beside it
    /// (`<name>.vouch-backup`, `<name>.vouch-created`).
    pub fn beside(scope: Scope, path: PathBuf, flavor: Flavor) -> Self {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        Self {
            scope,
            backup: path.with_file_name(format!("{name}.vouch-backup")),
            created_marker: path.with_file_name(format!("{name}.vouch-created")),
            path,
            flavor,
        }
    }
}

/// `$CLAUDE_CONFIG_DIR` (its first entry when it is a comma-separated list), else `~/.claude`.
fn user_config_dir(env: &dyn Env) -> Option<PathBuf> {
    let home = env.var("HOME").map(PathBuf::from);
    let configured = env.var("CLAUDE_CONFIG_DIR").and_then(|list| {
        let first = list.split(',').map(str::trim).find(|p| !p.is_empty())?;
        Some(match (first.strip_prefix("~/"), &home) {
            (Some(rest), Some(h)) => h.join(rest),
            _ if first == "~" => home.clone()?,
            _ => PathBuf::from(first),
        })
    });
    configured.or_else(|| home.map(|h| h.join(".claude")))
}

/// Plans adding our hooks to `file`.
pub fn plan_install(file: &SettingsFile) -> Result<Item, InstallError> {
    let target = resolve(&file.path);
    let before = read_optional(&target)?;
    let doc = parse(&file.path, before.as_deref())?;
    let had_ours = !file.flavor.events_with_ours(&doc).is_empty();
    let mut new = doc.clone();
    super::entries::merge_as(file.flavor, &mut new, &file.path)?;
    let mut item = Item {
        path: file.path.clone(),
        action: Action::AlreadyInstalled,
        steps: Vec::new(),
    };
    if new == doc {
        return Ok(item);
    }
    // A file that already had our hooks (a teammate committed them) has no original to keep.
    if !had_ours && !file.backup.exists() && !file.created_marker.exists() {
        item.steps.push(match &before {
            Some(bytes) => Step::Backup {
                path: file.backup.clone(),
                bytes: bytes.clone(),
            },
            None => Step::Backup {
                path: file.created_marker.clone(),
                bytes: if target.parent().is_some_and(Path::is_dir) {
                    CREATED_FILE.to_vec()
                } else {
                    CREATED_FILE_AND_FOLDER.to_vec()
                },
            },
        });
    }
    item.steps.push(Step::Write {
        path: target,
        before,
        after: pretty(&new),
        mode: None,
    });
    item.action = if had_ours {
        Action::Updated
    } else {
        Action::Installed
    };
    Ok(item)
}

/// Plans taking our hooks out of `file`, back to its original bytes when nothing else changed.
pub fn plan_uninstall(file: &SettingsFile) -> Result<Item, InstallError> {
    let target = resolve(&file.path);
    let before = read_optional(&target)?;
    let backup = read_optional(&file.backup)?;
    let marker = read_optional(&file.created_marker)?;
    let mut item = Item {
        path: file.path.clone(),
        action: Action::NotInstalled,
        steps: Vec::new(),
    };
    let mut cleanup: Vec<Step> = [(&backup, &file.backup), (&marker, &file.created_marker)]
        .into_iter()
        .filter(|(bytes, _)| bytes.is_some())
        .map(|(_, path)| Step::Discard { path: path.clone() })
        .collect();
    if !cleanup.is_empty() && file.scope != Scope::User {
        // `<git-dir>/vouch/backup/`, and `vouch/` itself if nothing was ever recorded.
        let folders = file.backup.ancestors().skip(1).take(2);
        cleanup.extend(folders.map(|f| Step::RemoveEmptyDir { path: f.into() }));
    }
    let Some(before) = before else {
        item.steps = cleanup;
        return Ok(item);
    };
    let doc = parse(&file.path, Some(&before))?;
    let mut new = doc.clone();
    let removed = super::entries::strip_as(file.flavor, &mut new);
    let original = backup
        .as_deref()
        .and_then(|b| parse(&file.backup, Some(b)).ok().map(|v| (b, v)));
    if let Some((bytes, _)) = original.filter(|(_, v)| *v == new) {
        if before != bytes {
            item.steps.push(Step::Write {
                path: target,
                before: Some(before),
                after: bytes.to_vec(),
                mode: None,
            });
            item.action = Action::Restored;
        }
    } else if marker.is_some() && new == json!({}) {
        item.steps.push(Step::Remove {
            path: target,
            before,
        });
        item.action = Action::Deleted;
        if marker.as_deref() == Some(CREATED_FILE_AND_FOLDER)
            && let Some(folder) = file.path.parent()
        {
            cleanup.push(Step::RemoveEmptyDir {
                path: folder.to_path_buf(),
            });
        }
    } else if removed {
        item.steps.push(Step::Write {
            path: target,
            before: Some(before),
            after: pretty(&new),
            mode: None,
        });
        item.action = Action::Stripped;
    }
    item.steps.extend(cleanup);
    Ok(item)
}

/// A symlinked settings file (dotfiles) is edited where it points, keeping the link.
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => path.canonicalize().unwrap_or_else(|_| path.into()),
        _ => path.to_path_buf(),
    }
}
