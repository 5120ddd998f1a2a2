//! `git vouch status`: what is installed, what is missing, where the state lives, and what the
//! hooks last complained about. Read-only; a broken file is reported, not fatal.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::entries::{EVENTS, events_with_ours, parse};
use super::git_hooks::{self, HOOKS, HookState};
use super::plan::read_optional;
use super::{Repo, Scope, SettingsFile};
use crate::capture::state::StateDir;
use crate::config::Env;
use crate::git::config;
use crate::guard::decide::GuardMode;
use crate::guard::watch;

/// The identifier of the JSON document.
pub const SCHEMA: &str = "git-vouch/status@1";

/// How many `errors.log` lines to show.
const LAST_ERRORS: usize = 5;

/// The `status --json` document (`git-vouch/status@1`).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub schema: &'static str,
    pub worktree: String,
    pub git_dir: String,
    pub common_dir: String,
    pub linked_worktree: bool,
    pub hooks_dir: String,
    pub git_hooks: Vec<GitHookReport>,
    pub settings: Vec<SettingsReport>,
    /// Codex CLI's hooks (`$CODEX_HOME/hooks.json`) and whether Codex trusts them.
    pub codex: AgentHooksReport,
    /// Gemini CLI's hooks (`~/.gemini/settings.json`).
    pub gemini: AgentHooksReport,
    /// git-vouch's opencode plugin (`~/.config/opencode/plugin/git-vouch.js`).
    pub opencode: AgentHooksReport,
    pub state: StateReport,
    pub guard: GuardReport,
    /// The last lines of `errors.log`, oldest first.
    pub last_errors: Vec<String>,
    /// Where `git-vouch` is found on PATH; `null` means hooks run but do nothing.
    pub on_path: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GitHookReport {
    pub name: &'static str,
    pub path: String,
    pub state: HookState,
    /// The foreign hook ours runs after it.
    pub chained: Option<String>,
    pub executable: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SettingsReport {
    pub scope: Scope,
    /// `null` when the user settings cannot be located (no HOME).
    pub path: Option<String>,
    pub exists: bool,
    /// Events that run git-vouch.
    pub installed: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    /// Whether a backup of the original file is kept for `uninstall`.
    pub backup: bool,
    /// Why the file could not be read.
    pub error: Option<String>,
}

impl AgentHooksReport {
    /// Nothing found yet: every one of `events` missing.
    fn expecting(events: &[&'static str]) -> Self {
        Self {
            path: None,
            exists: false,
            installed: Vec::new(),
            missing: events.to_vec(),
            trusted: None,
            error: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentHooksReport {
    /// `null` when Codex's folder cannot be located (neither CODEX_HOME nor HOME).
    pub path: Option<String>,
    pub exists: bool,
    /// Events that run git-vouch.
    pub installed: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    /// Codex CLI: whether `config.toml` trusts every hook of ours with its current hash
    /// (`null`: none is installed, or the agent needs no trust). Codex skips untrusted hooks
    /// silently.
    pub trusted: Option<bool>,
    /// Why the file could not be read.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StateReport {
    pub path: String,
    pub exists: bool,
    pub sessions: usize,
    pub edit_ledgers: usize,
    pub commits: usize,
    pub errors_log: String,
}

/// The guard's settings, and whether `git vouch watch` is attached.
#[derive(Debug, Clone, Serialize)]
pub struct GuardReport {
    /// `vouch.guard` (`observe` when unset); `null` when it cannot be used (see `error`).
    pub mode: Option<String>,
    /// Why the mode cannot be used (the guard then asks).
    pub error: Option<String>,
    /// How long a call is held for a watcher (`vouch.guardWait`), in seconds.
    pub wait_secs: u64,
    /// Whether `vouch.guardWebhook` is set.
    pub webhook: bool,
    /// The socket of the watcher attached to this repository, if one answers there.
    pub watcher: Option<String>,
}

/// Inspects `repo`, the three settings files and the state folder.
pub fn status(repo: &Repo, env: &dyn Env) -> Status {
    let git_hooks = HOOKS
        .into_iter()
        .map(|name| {
            let h = git_hooks::inspect(&repo.hooks_dir, name);
            GitHookReport {
                name: h.name,
                path: show(&h.path),
                state: h.state,
                chained: h.chained.as_deref().map(show),
                executable: h.executable,
            }
        })
        .collect();
    let settings = [Scope::Project, Scope::Local, Scope::User]
        .into_iter()
        .map(|scope| settings_report(scope, repo, env))
        .collect();
    let dir = StateDir::new(repo.paths.clone());
    let count = |folder: PathBuf, ext: &str| count_files(&folder, ext);
    let state = StateReport {
        path: show(&dir.root),
        exists: dir.root.is_dir(),
        sessions: count(dir.sessions_dir(), "json"),
        edit_ledgers: count(dir.edits_dir(), "jsonl"),
        commits: count(dir.commits_dir(), "json"),
        errors_log: show(&dir.errors_log()),
    };
    let guard = guard_report(&dir);
    Status {
        schema: SCHEMA,
        worktree: show(&repo.paths.worktree),
        git_dir: show(&repo.paths.git_dir),
        common_dir: show(&repo.paths.common_dir),
        linked_worktree: repo.is_linked_worktree(),
        hooks_dir: show(&repo.hooks_dir),
        git_hooks,
        settings,
        codex: codex_report(env),
        gemini: gemini_report(env),
        opencode: opencode_report(env),
        state,
        guard,
        last_errors: dir.last_errors(LAST_ERRORS),
        on_path: env.var("PATH").and_then(|p| on_path(&p)).map(|p| show(&p)),
    }
}

fn guard_report(dir: &StateDir) -> GuardReport {
    let keys = [GuardMode::KEY, watch::WAIT_KEY, "vouch.guardWebhook"];
    let (mode, wait, webhook) = match config::values(&dir.repo, &keys) {
        Ok(v) => (
            GuardMode::from_value(v[0].as_deref())
                .map(|m| m.to_string())
                .map_err(|e| e.to_string()),
            watch::wait_for(v[1].as_deref()),
            v[2].as_deref().is_some_and(|u| !u.trim().is_empty()),
        ),
        Err(e) => (Err(e.to_string()), watch::wait_for(None), false),
    };
    let socket = watch::socket_path(&dir.root);
    // A connection closed at once: the watcher reads nothing and goes on.
    let attached =
        watch::is_attached(&socket) && std::os::unix::net::UnixStream::connect(&socket).is_ok();
    let (mode, error) = match mode {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e)),
    };
    GuardReport {
        mode,
        error,
        wait_secs: wait.as_secs(),
        webhook,
        watcher: attached.then(|| show(&socket)),
    }
}

fn settings_report(scope: Scope, repo: &Repo, env: &dyn Env) -> SettingsReport {
    let mut report = SettingsReport {
        scope,
        path: None,
        exists: false,
        installed: Vec::new(),
        missing: EVENTS.to_vec(),
        backup: false,
        error: None,
    };
    let file = match SettingsFile::new(scope, repo, env) {
        Ok(f) => f,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.path = Some(show(&file.path));
    report.backup = file.backup.exists() || file.created_marker.exists();
    let doc = read_optional(&file.path).and_then(|bytes| {
        report.exists = bytes.is_some();
        parse(&file.path, bytes.as_deref())
    });
    match doc {
        Ok(doc) => {
            report.installed = events_with_ours(&doc);
            report.missing.retain(|e| !report.installed.contains(e));
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

fn opencode_report(env: &dyn Env) -> AgentHooksReport {
    let mut report = AgentHooksReport::expecting(&super::plugin::EVENTS);
    match super::plugin::PluginFile::new(env) {
        Ok(file) => {
            report.path = Some(show(&file.path));
            report.exists = file.path.exists();
            match file.current() {
                Some(true) => {
                    report.installed = super::plugin::EVENTS.to_vec();
                    report.missing.clear();
                }
                Some(false) => {
                    report.error =
                        Some("not the current git-vouch plugin (init --agent opencode)".into());
                }
                None => {}
            }
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

fn gemini_report(env: &dyn Env) -> AgentHooksReport {
    let flavor = super::entries::Flavor::GEMINI;
    let mut report = AgentHooksReport::expecting(flavor.events);
    let file = match SettingsFile::gemini(env) {
        Ok(f) => f,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    report.path = Some(show(&file.path));
    let doc = read_optional(&file.path).and_then(|bytes| {
        report.exists = bytes.is_some();
        parse(&file.path, bytes.as_deref())
    });
    match doc {
        Ok(doc) => {
            report.installed = flavor.events_with_ours(&doc);
            report.missing.retain(|e| !report.installed.contains(e));
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

fn codex_report(env: &dyn Env) -> AgentHooksReport {
    let flavor = super::entries::Flavor::CODEX;
    let mut report = AgentHooksReport::expecting(flavor.events);
    let files = match super::codex::CodexFiles::new(env) {
        Ok(f) => f,
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    };
    let path = &files.hooks.path;
    report.path = Some(show(path));
    let doc = read_optional(path).and_then(|bytes| {
        report.exists = bytes.is_some();
        parse(path, bytes.as_deref())
    });
    match doc {
        Ok(doc) => {
            report.installed = flavor.events_with_ours(&doc);
            report.missing.retain(|e| !report.installed.contains(e));
            report.trusted = super::codex::trusted(&files);
        }
        Err(e) => report.error = Some(e.to_string()),
    }
    report
}

/// The first executable `git-vouch` on `path_var`.
pub fn on_path(path_var: &str) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .map(|dir| dir.join("git-vouch"))
        .find(|p| is_executable_file(p))
}

#[cfg(unix)]
fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable_file(path: &Path) -> bool {
    path.is_file()
}

fn count_files(dir: &Path, ext: &str) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == ext))
            .count()
    })
}

fn show(path: &Path) -> String {
    path.display().to_string()
}
