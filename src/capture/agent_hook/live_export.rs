//! The live OpenTelemetry export: when a session ends in a repository with `git config
//! vouch.otlp.endpoint URL`, the hook starts `git-vouch export otlp --live --session ID` in a
//! process group of its own, with no terminal or pipe of the hook's, and never waits for it:
//! the agent is not delayed by the collector. That process writes its failures to `errors.log`
//! and leaves the session pending, so the next export sends it.

use std::path::Path;
use std::process::{Command, Stdio};

/// The git-config key of the collector's base URL.
pub(super) const KEY: &str = "vouch.otlp.endpoint";

/// Starts the export of `session` from `worktree`; an error says why it could not start.
pub(super) fn start(worktree: &Path, session: &str) -> Result<(), String> {
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find git-vouch to export the session: {e}"))?;
    let mut command = Command::new(exe);
    command
        .args(["export", "otlp", "--live", "--session", session])
        .current_dir(worktree)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the session's OpenTelemetry export: {e}"))
}
