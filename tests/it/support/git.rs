//! The git CLI for tests, isolated from the person's environment and configuration: a cleared
//! environment, a fixed identity and no global or system config; `git_at` also sets author and
//! committer dates so commit ids are reproducible.

#![allow(clippy::unwrap_used)]

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

/// Runs `git args` in `repo`; fails the test with git's message when it fails.
pub fn git(repo: &Path, args: &[&str]) -> String {
    output(command(repo, args), args)
}

/// [`git`] dated `date`.
pub fn git_at(repo: &Path, date: &str, args: &[&str]) -> String {
    let mut cmd = command(repo, args);
    cmd.env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date);
    output(cmd, args)
}

/// [`git`] with only the variables `vars` (a hermetic test environment's, see
/// `support/cli.rs`) and the fixed identity: the hooks a commit runs see nothing else.
pub fn git_in(vars: &[(&str, OsString)], repo: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    cmd.env_clear().envs(vars.iter().cloned());
    output(isolated(cmd, repo, args), args)
}

/// git with only the variables of the hermetic environment that need no folder (see
/// `support/cli.rs`): nothing of the caller's environment but PATH.
fn command(repo: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.env_clear().envs(super::cli::hermetic_vars());
    isolated(cmd, repo, args)
}

fn isolated(mut cmd: Command, repo: &Path, args: &[&str]) -> Command {
    cmd.args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com");
    cmd
}

fn output(mut cmd: Command, args: &[&str]) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
