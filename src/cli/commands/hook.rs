//! `git-vouch hook claude <event>`, `git-vouch hook codex <event>` and `git-vouch hook git <name>`:
//! the hook entry points.
//!
//! They never block or break the agent or git: any internal failure, a panic included, is logged
//! to the state folder and the process exits 0 (for Claude Code and Codex CLI, exit 2 would block a tool call).
//! Only a chained foreign git hook's exit code and a deliberate pre-push refusal are passed on.

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::attest::sign::SignerSlot;
use crate::cli::Outcome;
use crate::cli::args::{Cli, Command, HookCommand};
use crate::git::Git;
use crate::transcript::agent::Agent;

/// Entry point when the first argument is `hook`: parse leniently and never fail.
pub fn main() -> ExitCode {
    // The agent's hook runs on every tool call: its forms, `hook <agent> <event>`, are read
    // without clap, whose parser costs more than the rest of a harmless call's start.
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(2).collect();
    if let [agent, event] = args.as_slice()
        && let Some(event) = event.to_str().filter(|e| !e.starts_with('-'))
    {
        let event = event.to_owned();
        if agent == "claude" {
            return exit_code(&HookCommand::Claude { event });
        }
        if agent == "codex" {
            return exit_code(&HookCommand::Codex { event });
        }
        if agent == "gemini" {
            return exit_code(&HookCommand::Gemini { event });
        }
        if agent == "opencode" {
            return exit_code(&HookCommand::Opencode { event });
        }
    }
    let Ok(cli) = Cli::try_parse() else {
        // An unknown hook form from a newer or older install: do nothing, successfully.
        return ExitCode::SUCCESS;
    };
    match cli.command {
        Some(Command::Hook(cmd)) => exit_code(&cmd),
        _ => ExitCode::SUCCESS,
    }
}

/// Runs a hook from the normal dispatcher (same behaviour).
pub fn run(cmd: &HookCommand) -> Outcome {
    let _ = exit_code(cmd);
    Outcome::Success
}

fn exit_code(cmd: &HookCommand) -> ExitCode {
    let clock = crate::clock::SystemClock;
    match cmd {
        HookCommand::Claude { event } => {
            crate::capture::agent_hook::run(Agent::ClaudeCode, event, &clock);
            ExitCode::SUCCESS
        }
        HookCommand::Codex { event } => {
            crate::capture::agent_hook::run(Agent::Codex, event, &clock);
            ExitCode::SUCCESS
        }
        HookCommand::Gemini { event } => {
            crate::capture::agent_hook::run(Agent::Gemini, event, &clock);
            ExitCode::SUCCESS
        }
        HookCommand::Opencode { event } => {
            crate::capture::agent_hook::run(Agent::OpenCode, event, &clock);
            ExitCode::SUCCESS
        }
        HookCommand::Git { name, chain, args } => {
            // The signer is resolved once, when something is first signed, whether by the
            // review screen or by the non-interactive attestation.
            let cwd = std::env::current_dir().unwrap_or_default();
            let signer = Arc::new(SignerSlot::from_env(Git::new(cwd)));
            let reviewer = super::review::hook_reviewer(name, &signer);
            let say = |line: &str| eprintln!("{line}");
            let pre_push = crate::push::PrePushHook {
                edge: crate::push::Edge {
                    reviewer: reviewer.as_deref(),
                    signer: &signer,
                    say: &say,
                },
            };
            let code = crate::capture::git_hook::run(
                name,
                args,
                chain.as_deref(),
                Some(&pre_push),
                &clock,
            );
            ExitCode::from(code)
        }
    }
}
