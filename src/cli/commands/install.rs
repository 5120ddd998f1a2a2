//! `git vouch init`, `uninstall` and `status`: thin wrappers over [`crate::capture::install`],
//! which plans every change before any is made.

use color_eyre::eyre::{Result, WrapErr};

use super::{print_json, print_lines};
use crate::capture::install::codex::CodexFiles;
use crate::capture::install::entries::EVENTS;
use crate::capture::install::git_hooks::HookState;
use crate::capture::install::plugin::PluginFile;
use crate::capture::install::status::{
    AgentHooksReport, GitHookReport, GuardReport, SettingsReport, on_path,
};
use crate::capture::install::{
    self, Action, Agents, Item, Repo, Scope, SettingsFile, Status, Step, plan::diff,
};
use crate::cli::Outcome;
use crate::cli::args::{AgentArg, InstallArgs, StatusArgs};
use crate::cli::context::Context;
use crate::config::{Env, ProcessEnv};
use crate::present::plural;

pub fn init(ctx: &Context, args: &InstallArgs) -> Result<Outcome> {
    let (repo, agents) = target(args)?;
    let items = install::plan_init(&repo, &agents).wrap_err("init changed nothing")?;
    finish(ctx, &repo, &items, args.dry_run)?;
    if ProcessEnv.var("PATH").and_then(|p| on_path(&p)).is_none() {
        eprintln!(
            "{} git-vouch is not on PATH: the hooks do nothing until it is",
            ctx.style.warn("note:")
        );
    }
    Ok(Outcome::Success)
}

pub fn uninstall(ctx: &Context, args: &InstallArgs) -> Result<Outcome> {
    let (repo, agents) = target(args)?;
    // Codex's hooks alone: the git hooks stay for the agents still installed.
    let git_hooks = agents.claude.is_some();
    let items =
        install::plan_uninstall(&repo, &agents, git_hooks).wrap_err("uninstall changed nothing")?;
    finish(ctx, &repo, &items, args.dry_run)?;
    let status = install::status(&repo, &ProcessEnv);
    if agents.codex.is_none() && !status.codex.installed.is_empty() {
        eprintln!(
            "{} {} still runs git-vouch hooks for Codex CLI (`git vouch uninstall --agent codex` removes them)",
            ctx.style.warn("note:"),
            status.codex.path.as_deref().unwrap_or("hooks.json")
        );
    }
    let Some(settings) = &agents.claude else {
        return Ok(Outcome::Success);
    };
    for other in status.settings.iter().filter(|s| s.scope != settings.scope) {
        if let (Some(path), false) = (&other.path, other.installed.is_empty()) {
            let flag = match other.scope {
                Scope::Project => "",
                Scope::Local => " --local",
                Scope::User => " --user",
            };
            eprintln!(
                "{} {path} still runs git-vouch hooks (`git vouch uninstall{flag}` removes them)",
                ctx.style.warn("note:")
            );
        }
    }
    Ok(Outcome::Success)
}

pub fn status(ctx: &Context, args: &StatusArgs) -> Result<Outcome> {
    let repo = discover()?;
    let status = install::status(&repo, &ProcessEnv);
    if args.json {
        print_json(&status)?;
    } else {
        print_lines(&status_lines(ctx, &repo, &status))?;
    }
    Ok(Outcome::Success)
}

fn discover() -> Result<Repo> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current directory")?;
    Ok(Repo::discover(&cwd)?)
}

fn target(args: &InstallArgs) -> Result<(Repo, Agents)> {
    let repo = discover()?;
    let scope = if args.user {
        Scope::User
    } else if args.local {
        Scope::Local
    } else {
        Scope::Project
    };
    let claude = matches!(args.agent, AgentArg::Claude | AgentArg::All);
    let codex = matches!(args.agent, AgentArg::Codex | AgentArg::All);
    let gemini = matches!(args.agent, AgentArg::Gemini | AgentArg::All);
    let opencode = matches!(args.agent, AgentArg::Opencode | AgentArg::All);
    let agents = Agents {
        claude: claude
            .then(|| SettingsFile::new(scope, &repo, &ProcessEnv))
            .transpose()?,
        codex: codex.then(|| CodexFiles::new(&ProcessEnv)).transpose()?,
        gemini: gemini
            .then(|| SettingsFile::gemini(&ProcessEnv))
            .transpose()?,
        opencode: opencode.then(|| PluginFile::new(&ProcessEnv)).transpose()?,
    };
    Ok((repo, agents))
}

/// Prints what happens to each file and, unless `dry_run`, does it.
fn finish(ctx: &Context, repo: &Repo, items: &[Item], dry_run: bool) -> Result<()> {
    let mut lines = Vec::new();
    if dry_run {
        lines.push(
            ctx.style
                .header("Dry run: nothing was changed. This is what would happen:"),
        );
    }
    for item in items {
        let label = repo.display(&item.path);
        let action = match &item.action {
            Action::Chained { foreign } => format!(
                "installed; the existing hook is now {} and still runs, after git-vouch",
                repo.display(foreign)
            ),
            Action::Unchained { foreign } => format!(
                "removed; the original hook is back from {}",
                repo.display(foreign)
            ),
            other => other.to_string(),
        };
        lines.push(format!("{}: {action}", ctx.style.id(&label)));
        if dry_run {
            lines.extend(item.steps.iter().flat_map(|s| describe(ctx, repo, s)));
        }
    }
    if !dry_run {
        install::apply(items)?;
    }
    print_lines(&lines)
}

/// One step of a dry run: a diff for the file itself, one line for anything else.
fn describe(ctx: &Context, repo: &Repo, step: &Step) -> Vec<String> {
    let one = |text: String| vec![ctx.style.dim(&format!("  {text}"))];
    match step {
        Step::Write { path, .. } | Step::Remove { path, .. } => {
            let text = diff(step, &repo.display(path)).unwrap_or_default();
            text.lines().map(|l| paint_diff_line(ctx, l)).collect()
        }
        Step::Backup { path, .. } => one(format!(
            "save what uninstall restores in {}",
            repo.display(path)
        )),
        Step::Discard { path } => one(format!("remove {}", repo.display(path))),
        Step::Rename { from, to } => one(format!(
            "rename {} to {}",
            repo.display(from),
            repo.display(to)
        )),
        Step::RemoveEmptyDir { path } => {
            one(format!("remove the folder {} if empty", repo.display(path)))
        }
    }
}

fn paint_diff_line(ctx: &Context, line: &str) -> String {
    if line.starts_with("+++") || line.starts_with("---") {
        ctx.style.header(line)
    } else if line.starts_with('+') {
        ctx.style.ok(line)
    } else if line.starts_with('-') {
        ctx.style.warn(line)
    } else if line.starts_with("@@") {
        ctx.style.id(line)
    } else {
        line.to_owned()
    }
}

fn status_lines(ctx: &Context, repo: &Repo, s: &Status) -> Vec<String> {
    let row = |label: &str, value: String| {
        format!("{}{value}", ctx.style.header(&format!("{label:<13}")))
    };
    let linked = if s.linked_worktree {
        format!(" (linked worktree of {})", s.common_dir)
    } else {
        String::new()
    };
    let mut out = vec![
        row("repository", format!("{}{linked}", s.worktree)),
        row("git dir", s.git_dir.clone()),
        row("git hooks", s.hooks_dir.clone()),
    ];
    out.extend(s.git_hooks.iter().map(|h| hook_line(ctx, repo, h)));
    out.push(row("settings", "Claude Code hooks".to_owned()));
    out.extend(settings_lines(ctx, repo, &s.settings));
    let agents = [
        ("codex", &s.codex),
        ("gemini", &s.gemini),
        ("opencode", &s.opencode),
    ];
    out.extend(agents.map(|(name, hooks)| row(name, agent_hooks_state(ctx, hooks))));
    let st = &s.state;
    out.push(row(
        "state",
        if st.exists {
            format!(
                "{}: {}, {}, {}",
                st.path,
                plural(st.sessions as u64, "session", "sessions"),
                plural(st.edit_ledgers as u64, "edit ledger", "edit ledgers"),
                plural(st.commits as u64, "commit", "commits")
            )
        } else {
            format!("{} (nothing recorded yet)", st.path)
        },
    ));
    out.push(row("guard", guard_state(ctx, &s.guard)));
    out.push(row(
        "git-vouch",
        s.on_path.as_ref().map_or_else(
            || {
                ctx.style
                    .warn("not on PATH: hooks run but do nothing (as for teammates without it)")
            },
            |p| format!("on PATH at {p}"),
        ),
    ));
    if s.last_errors.is_empty() {
        out.push(row("hook errors", "none".to_owned()));
    } else {
        out.push(row(
            "hook errors",
            format!("last lines of {}", st.errors_log),
        ));
        out.extend(s.last_errors.iter().map(|e| format!("  {e}")));
    }
    let nothing = s
        .git_hooks
        .iter()
        .all(|g| g.state != HookState::Installed && g.state != HookState::Chained)
        && s.settings.iter().all(|x| x.installed.is_empty())
        && agents.iter().all(|(_, hooks)| hooks.installed.is_empty());
    if nothing {
        out.push(ctx.style.dim("Run `git vouch init` to install the hooks."));
    }
    out
}

fn hook_line(ctx: &Context, repo: &Repo, hook: &GitHookReport) -> String {
    let mut state = match hook.state {
        HookState::Installed => ctx.style.ok("installed"),
        HookState::Chained => format!(
            "{}, then runs {}",
            ctx.style.ok("installed"),
            repo.display(hook.chained.as_deref().unwrap_or_default().as_ref())
        ),
        HookState::Foreign => ctx
            .style
            .warn("another tool's hook (git-vouch's is not installed)"),
        HookState::Missing => ctx.style.warn("missing"),
    };
    if hook.state != HookState::Missing && !hook.executable {
        state.push_str(&ctx.style.warn(", not executable: git skips it"));
    }
    format!("  {:<13} {state}", hook.name)
}

fn settings_lines(ctx: &Context, repo: &Repo, settings: &[SettingsReport]) -> Vec<String> {
    let paths: Vec<String> = settings
        .iter()
        .map(|x| {
            x.path
                .as_deref()
                .map_or_else(String::new, |p| repo.display(p.as_ref()))
        })
        .collect();
    let width = paths.iter().map(String::len).max().unwrap_or(0);
    settings
        .iter()
        .zip(&paths)
        .map(|(x, path)| {
            let scope = format!("{:?}", x.scope).to_lowercase();
            format!("  {scope:<8} {path:<width$}  {}", settings_state(ctx, x))
        })
        .collect()
}

/// The guard's mode, its watcher and its alerts.
fn guard_state(ctx: &Context, g: &GuardReport) -> String {
    let mut guard = match (&g.mode, &g.error) {
        (Some(mode), _) => format!("vouch.guard {mode}"),
        (None, error) => ctx.style.warn(&format!(
            "vouch.guard unusable ({}): the guard asks",
            error.as_deref().unwrap_or("?")
        )),
    };
    let watcher = match &g.watcher {
        Some(socket) => format!("git vouch watch attached at {socket}"),
        None => format!("no watcher (calls would be held {} s)", g.wait_secs),
    };
    guard = format!("{guard} · {watcher}");
    if g.webhook {
        guard.push_str(" · alerts to vouch.guardWebhook");
    }
    guard
}

/// Codex CLI's or Gemini CLI's hooks: where, which events, and whether the agent trusts them.
fn agent_hooks_state(ctx: &Context, c: &AgentHooksReport) -> String {
    let path = c.path.as_deref().unwrap_or("?");
    let state = if let Some(e) = &c.error {
        ctx.style.warn(&format!("error: {e}"))
    } else if c.installed.is_empty() {
        "no git-vouch hooks".to_owned()
    } else if !c.missing.is_empty() {
        ctx.style.warn(&format!("missing {}", c.missing.join(", ")))
    } else if c.trusted == Some(false) {
        ctx.style.warn(
            "not trusted in config.toml: Codex skips them (`git vouch init --agent codex` again)",
        )
    } else {
        ctx.style
            .ok(&format!("all {} events, trusted", c.installed.len()))
    };
    format!("{path}  {state}")
}

fn settings_state(ctx: &Context, s: &SettingsReport) -> String {
    if let Some(e) = &s.error {
        ctx.style.warn(&format!("error: {e}"))
    } else if !s.exists {
        "not present".to_owned()
    } else if s.missing.is_empty() {
        ctx.style.ok(&format!("all {} events", EVENTS.len()))
    } else if s.installed.is_empty() {
        "no git-vouch hooks".to_owned()
    } else {
        ctx.style.warn(&format!("missing {}", s.missing.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::capture::install::git_hooks::script;
    use crate::cli::args::{Cli, Command, HookCommand};

    /// The `exec` line of our git hook script must parse to the hook's own arguments.
    #[test]
    fn hook_script_arguments_reach_the_handler() {
        let text = script(
            "pre-push",
            Some("/r/.git/hooks/pre-push.vouch-chained".as_ref()),
        );
        let exec = text.lines().find(|l| l.contains("exec git-vouch")).unwrap();
        assert!(exec.ends_with("-- \"$@\""), "{exec}");
        let argv = [
            "git-vouch",
            "hook",
            "git",
            "pre-push",
            "--chain",
            "/r/.git/hooks/pre-push.vouch-chained",
            "--",
            "origin",
            "--weird",
        ];
        let Some(Command::Hook(HookCommand::Git { name, chain, args })) =
            Cli::try_parse_from(argv).unwrap().command
        else {
            panic!("not a git hook command");
        };
        assert_eq!(name, "pre-push");
        assert_eq!(
            chain.unwrap().to_str(),
            Some("/r/.git/hooks/pre-push.vouch-chained")
        );
        assert_eq!(args, ["origin", "--weird"]);
        let cli = Cli::try_parse_from(["git-vouch", "hook", "git", "post-commit", "--"]).unwrap();
        assert!(
            matches!(cli.command, Some(Command::Hook(HookCommand::Git { args, chain: None, .. })) if args.is_empty())
        );
    }
}
