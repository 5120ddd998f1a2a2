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

/// The options of a command line, with the values of `valued` options left out; stops at `--`.
fn options<'a>(args: &'a [String], valued: &'a [&str]) -> impl Iterator<Item = &'a str> {
    let mut skip = false;
    args.iter()
        .map(String::as_str)
        .take_while(|a| *a != "--")
        .filter(move |a| {
            if std::mem::take(&mut skip) {
                return false;
            }
            let name = a.split('=').next().unwrap_or(a);
            skip = valued.contains(&name) && !a.contains('=');
            a.starts_with('-')
        })
}

/// `--yolo`/`-y` (yargs also reads `--yolo=true`, `--no-yolo`), or `--approval-mode <mode>`.
fn gemini_flag(args: &[String]) -> Option<String> {
    let mut yolo = None;
    let mut approval = None;
    let mut it = args.iter().map(String::as_str).take_while(|a| *a != "--");
    let mut skip = false;
    while let Some(a) = it.next() {
        if std::mem::take(&mut skip) {
            continue;
        }
        match a.split_once('=') {
            Some(("--approval-mode", v)) => approval = Some(v.to_owned()),
            Some(("--yolo" | "-y", v)) => yolo = Some(v != "false"),
            Some(_) => {}
            None => match a {
                "--approval-mode" => approval = it.next().map(str::to_owned),
                "--yolo" | "-y" => yolo = Some(true),
                "--no-yolo" => yolo = Some(false),
                _ => skip = GEMINI_VALUES.contains(&a),
            },
        }
    }
    match (yolo, approval) {
        (Some(true), _) => Some("yolo".to_owned()),
        (_, Some(mode)) => Some(mode),
        _ => None,
    }
}

/// `--auto` ("auto-approve permissions that are not explicitly denied"), or its hidden aliases
/// `--yolo` and `--dangerously-skip-permissions` (yargs also reads `--auto=true`, `--no-auto`):
/// recorded as `auto-approve`.
fn opencode_flag(args: &[String]) -> Option<String> {
    let mut auto = false;
    for a in options(args, &OPENCODE_VALUES) {
        let (name, value) = a.split_once('=').unwrap_or((a, "true"));
        match name {
            "--auto" | "--yolo" | "--dangerously-skip-permissions" => auto = value != "false",
            "--no-auto" | "--no-yolo" | "--no-dangerously-skip-permissions" => auto = false,
            _ => {}
        }
    }
    auto.then(|| "auto-approve".to_owned())
}

/// The command line of the nearest process above this one that is `agent`'s (its program or
/// script is named after it), without the program itself.
pub fn agent_command_line(agent: Agent) -> Option<Vec<String>> {
    if matches!(agent, Agent::ClaudeCode | Agent::Codex) {
        return None;
    }
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..MAX_ANCESTORS {
        if pid <= 1 {
            return None;
        }
        if let Some(args) = command_line(pid)
            && let Some(at) = program_at(agent, &args)
        {
            return Some(args[at + 1..].to_vec());
        }
        pid = parent_of(pid)?;
    }
    None
}

/// Where the agent's program is: the program itself (`gemini …`), or the script an interpreter
/// runs (`node [node options] …/gemini.js …`).
fn program_at(agent: Agent, args: &[String]) -> Option<usize> {
    let name = match agent {
        Agent::Gemini => "gemini",
        Agent::OpenCode => "opencode",
        Agent::ClaudeCode | Agent::Codex => return None,
    };
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
