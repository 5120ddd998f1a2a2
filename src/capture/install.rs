//! `git vouch init`, `uninstall` and `status`: installing the Claude Code and git hooks that
//! capture sessions, removing them without a trace, and reporting on them.
//!
//! - Claude Code hooks ([`settings`], [`entries`]) are merged into one settings file (project, local or user).
//!   Each runs `git-vouch` only when it is on PATH and always exits 0, so a teammate who gets the
//!   committed file without git-vouch sees no error and nothing is ever blocked.
//! - git hooks ([`git_hooks`]) go to the hooks dir git really uses (`core.hooksPath`, linked
//!   worktrees). A foreign hook already there is moved aside and chained, not replaced.
//!
//! Work is planned before anything is written: [`plan_init`] and [`plan_uninstall`] read every
//! file and return the [`Step`]s to take, so `--dry-run` shows exactly what [`apply`] would do,
//! and a problem with any file (invalid JSON, a hook that cannot be chained) stops the command
//! before a single file changes.

pub mod codex;
pub mod entries;
pub mod git_hooks;
pub mod plan;
pub mod plugin;
pub mod repo;
pub mod settings;
pub mod status;

use std::io;
use std::path::PathBuf;

pub use plan::{Action, Item, Step, apply};
pub use repo::Repo;
pub use settings::{Scope, SettingsFile};
pub use status::{Status, status};

/// Why hooks cannot be installed, removed or inspected. Each names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The working directory is not inside a git worktree (or git refused to say).
    #[error("{} is not inside a git repository with a working tree ({detail})", path.display())]
    NotARepository { path: PathBuf, detail: String },
    /// git itself could not be run.
    #[error("cannot run git in {}: {source}", path.display())]
    Git {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// `--user` without `CLAUDE_CONFIG_DIR` or `HOME`.
    #[error("cannot find the Claude Code user settings: neither CLAUDE_CONFIG_DIR nor HOME is set")]
    NoUserSettings,
    /// `--agent opencode` without `XDG_CONFIG_HOME` or `HOME`.
    #[error("cannot find opencode's configuration folder: neither XDG_CONFIG_HOME nor HOME is set")]
    NoOpencodeConfig,
    /// `--agent gemini` without `GEMINI_CLI_HOME` or `HOME`.
    #[error("cannot find Gemini CLI's settings: neither GEMINI_CLI_HOME nor HOME is set")]
    NoGeminiHome,
    /// `--agent codex` without `CODEX_HOME` or `HOME`.
    #[error("cannot find Codex CLI's folder: neither CODEX_HOME nor HOME is set")]
    NoCodexHome,
    /// A settings file that is not JSON.
    #[error("{}:{line}:{column}: not valid JSON ({message})", path.display())]
    InvalidJson {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A settings file that is JSON but not shaped like Claude Code settings.
    #[error("{}: {what}", path.display())]
    UnexpectedShape { path: PathBuf, what: String },
    /// A foreign hook is installed and the name it would be chained under is taken.
    #[error(
        "{}: a hook that is not git-vouch's is installed and {} already exists; move one of them \
         away and run init again",
        hook.display(),
        chained.display()
    )]
    ChainedExists { hook: PathBuf, chained: PathBuf },
    /// Reading, writing, renaming or removing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl InstallError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Which agents' hooks `init` and `uninstall` handle.
#[derive(Debug, Clone, Default)]
pub struct Agents {
    /// Claude Code's hooks, in this settings file.
    pub claude: Option<SettingsFile>,
    /// Codex CLI's hooks and their trust.
    pub codex: Option<codex::CodexFiles>,
    /// Gemini CLI's hooks, in its user settings.
    pub gemini: Option<SettingsFile>,
    /// opencode's plugin.
    pub opencode: Option<plugin::PluginFile>,
}

/// What `init` would do: merge our hooks into each agent's file, then install the git hooks.
pub fn plan_init(repo: &Repo, agents: &Agents) -> Result<Vec<Item>, InstallError> {
    let mut items = Vec::new();
    if let Some(settings) = &agents.claude {
        items.push(settings::plan_install(settings)?);
    }
    if let Some(files) = &agents.codex {
        items.extend(codex::plan_install(files)?);
    }
    if let Some(settings) = &agents.gemini {
        items.push(settings::plan_install(settings)?);
    }
    if let Some(file) = &agents.opencode {
        items.push(plugin::plan_install(file)?);
    }
    for name in git_hooks::HOOKS {
        items.push(git_hooks::plan_install(&repo.hooks_dir, name)?);
    }
    Ok(items)
}

/// What `uninstall` would do: take our hooks out of each agent's file (restoring its original
/// bytes when nothing else changed); with `git_hooks`, remove the git hooks too and put back
/// any hook they chained.
pub fn plan_uninstall(
    repo: &Repo,
    agents: &Agents,
    with_git_hooks: bool,
) -> Result<Vec<Item>, InstallError> {
    let mut items = Vec::new();
    if let Some(settings) = &agents.claude {
        items.push(settings::plan_uninstall(settings)?);
    }
    if let Some(files) = &agents.codex {
        items.extend(codex::plan_uninstall(files)?);
    }
    if let Some(settings) = &agents.gemini {
        items.push(settings::plan_uninstall(settings)?);
    }
    if let Some(file) = &agents.opencode {
        items.push(plugin::plan_uninstall(file)?);
    }
    if with_git_hooks {
        for name in git_hooks::HOOKS {
            items.push(git_hooks::plan_uninstall(&repo.hooks_dir, name)?);
        }
    }
    Ok(items)
}
