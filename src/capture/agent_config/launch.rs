//! The permission mode an agent started a session in, for the agents whose transcripts record
//! none: Gemini CLI (`--yolo`, `--approval-mode <mode>`) and opencode (`--auto`, with its hidden
//! aliases `--yolo` and `--dangerously-skip-permissions`). The SessionStart hook reads the agent's command line from
//! the processes above it (Linux: `/proc/<pid>/cmdline`; the agent starts its hooks, directly or
//! through a shell). A mode switched during the session (Gemini CLI's Ctrl+Y) is not seen.

use crate::transcript::agent::Agent;

use super::SettingsFile;

/// How many processes up from the hook the agent is looked for (hook ← shell ← agent, and the
/// npm wrappers that start the agent's own binary).
const MAX_ANCESTORS: usize = 6;

/// Gemini CLI's options that take a value (`gemini --help`, 0.61): their values are skipped, so a
/// prompt reading `--yolo` is not taken for the flag.
const GEMINI_VALUES: [&str; 24] = [
    "-w",
    "--worktree",
    "-m",
    "--model",
    "-p",
    "--prompt",
    "-i",
    "--prompt-interactive",
    "--approval-mode",
    "--policy",
    "--admin-policy",
    "--allowed-mcp-server-names",
    "--allowed-tools",
    "-e",
    "--extensions",
    "--session-file",
    "--delete-session",
    "--include-directories",
    "-o",
    "--output-format",
    "-r",
    "--resume",
    "--fake-responses",
    "--record-responses",
];

/// opencode's options that take a value (`opencode run --help`, 1.18).
const OPENCODE_VALUES: [&str; 17] = [
    "-m",
    "--model",
    "--agent",
    "-s",
    "--session",
    "--prompt",
    "--format",
    "-f",
    "--file",
    "--title",
    "--attach",
    "--port",
    "--hostname",
    "--variant",
    "--log-level",
    "--dir",
    "--command",
];

/// The mode the session started in: the command line's flag; else, found without one, the
/// settings' default mode (Gemini CLI: system, then project, then user) or `default`. `None`
/// for the agents whose transcripts record their modes, or when the agent's command line was not
/// found.
pub fn mode(
    agent: Agent,
    command_line: Option<&[String]>,
    settings: &[SettingsFile],
) -> Option<String> {
    let args = command_line?;
    match agent {
        Agent::Gemini => {
            Some(gemini_flag(args).unwrap_or_else(|| {
                settings_default(settings).unwrap_or_else(|| "default".to_owned())
            }))
        }
        Agent::OpenCode => Some(opencode_flag(args).unwrap_or_else(|| "default".to_owned())),
        Agent::ClaudeCode | Agent::Codex => None,
    }
}

/// Gemini CLI's settings in force, highest first: the system's override the project's, which
/// override the user's.
fn settings_default(settings: &[SettingsFile]) -> Option<String> {
    ["managed", "project", "user"].iter().find_map(|scope| {
        settings
            .iter()
            .filter(|s| s.scope == *scope)
            .find_map(|s| s.default_mode.clone())
    })
}

/// The options of a command line as (name, value): `--name=value`, or `--name value` for the
/// options in `valued` (so a value that reads like an option is never taken for one); nothing
/// after `--`.
fn options<'a>(args: &'a [String], valued: &[&str]) -> Vec<(&'a str, Option<&'a str>)> {
    let mut out = Vec::new();
    let mut it = args.iter().map(String::as_str).take_while(|a| *a != "--");
    while let Some(arg) = it.next() {
        if !arg.starts_with('-') {
            continue;
        }
        match arg.split_once('=') {
            Some((name, value)) => out.push((name, Some(value))),
            None if valued.contains(&arg) => out.push((arg, it.next())),
            None => out.push((arg, None)),
        }
    }
    out
}

/// `--yolo`/`-y` (yargs also reads `--yolo=true`, `--no-yolo`), or `--approval-mode <mode>`.
fn gemini_flag(args: &[String]) -> Option<String> {
    let mut yolo = false;
    let mut approval = None;
    for (name, value) in options(args, &GEMINI_VALUES) {
        match name {
            "--approval-mode" => approval = value,
            "--yolo" | "-y" => yolo = value != Some("false"),
            "--no-yolo" => yolo = false,
            _ => {}
        }
    }
    if yolo {
        Some("yolo".to_owned())
    } else {
        approval.map(str::to_owned)
    }
}

/// `--auto` ("auto-approve permissions that are not explicitly denied"), or its hidden aliases
/// `--yolo` and `--dangerously-skip-permissions` (yargs also reads `--auto=true`, `--no-auto`):
/// recorded as `auto-approve`.
fn opencode_flag(args: &[String]) -> Option<String> {
    let mut auto = false;
    for (name, value) in options(args, &OPENCODE_VALUES) {
        match name {
            "--auto" | "--yolo" | "--dangerously-skip-permissions" => auto = value != Some("false"),
            "--no-auto" | "--no-yolo" | "--no-dangerously-skip-permissions" => auto = false,
            _ => {}
        }
    }
    auto.then(|| "auto-approve".to_owned())
}

/// The command line of the nearest process above this one that is `agent`'s (its program or
/// script is named after it), without the program itself.
pub fn agent_command_line(agent: Agent) -> Option<Vec<String>> {
    let name = program_name(agent)?;
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..MAX_ANCESTORS {
        if pid <= 1 {
            return None;
        }
        if let Some(args) = command_line(pid)
            && let Some(at) = program_at(name, &args)
        {
            return Some(args[at + 1..].to_vec());
        }
        pid = parent_of(pid)?;
    }
    None
}

/// The name of the agent's program, for the agents whose launch mode is read.
const fn program_name(agent: Agent) -> Option<&'static str> {
    match agent {
        Agent::Gemini => Some("gemini"),
        Agent::OpenCode => Some("opencode"),
        Agent::ClaudeCode | Agent::Codex => None,
    }
}

/// Where the program `name` is: the program itself (`gemini …`), or the script an interpreter
/// runs (`node [node options] …/gemini.js …`).
fn program_at(name: &str, args: &[String]) -> Option<usize> {
    let script = args
        .iter()
        .skip(1)
        .position(|a| !a.starts_with('-'))
        .map(|i| i + 1);
    [Some(0), script].into_iter().flatten().find(|&i| {
        let file = args[i].rsplit('/').next().unwrap_or(&args[i]);
        file.strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('-'))
    })
}

/// A process's arguments (`/proc/<pid>/cmdline`, NUL-separated).
fn command_line(pid: u32) -> Option<Vec<String>> {
    let bytes = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = bytes
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    (!args.is_empty()).then_some(args)
}

/// A process's parent (`/proc/<pid>/stat`: the field after the parenthesised command name).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests;
