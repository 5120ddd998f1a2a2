//! The `Vouch-Session:` commit trailer: reading the sessions a message names and adding
//! trailers to a message file. `commit-msg` writes it; post-commit, pre-push, the evidence and the
//! correlation read it.

use std::path::Path;
use std::process::Command;

/// The trailer key.
pub const TRAILER: &str = "Vouch-Session";

/// Why `git interpret-trailers` could not add the trailers.
#[derive(Debug, thiserror::Error)]
pub enum TrailerError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("git interpret-trailers failed: {0}")]
    Failed(String),
}

/// Appends `Vouch-Session: <id>` trailers with `git interpret-trailers`, which knows where the
/// trailer block is (comments, `--verbose` scissors, existing trailers).
pub fn add_trailer(
    worktree: &Path,
    message_file: &Path,
    sessions: &[&String],
) -> Result<(), TrailerError> {
    let mut cmd = Command::new("git");
    cmd.current_dir(worktree).args([
        "interpret-trailers",
        "--in-place",
        "--if-exists",
        "addIfDifferent",
    ]);
    for s in sessions {
        cmd.arg("--trailer").arg(format!("{TRAILER}: {s}"));
    }
    let out = cmd.arg(message_file).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(TrailerError::Failed(
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        ))
    }
}

/// Session ids named by `Vouch-Session:` trailers in a message (lines of the last paragraph).
pub fn trailer_sessions(message: &str) -> Vec<String> {
    let prefix = format!("{TRAILER}:");
    let mut out: Vec<String> = message
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix(&prefix))
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::trailer_sessions;

    #[test]
    fn reads_trailers() {
        let msg = "Fix it\n\nBody\n\nVouch-Session: b\nSigned-off-by: x\nVouch-Session: a, c\n# Vouch-Session: z\n";
        assert_eq!(trailer_sessions(msg), ["a", "b", "c"]);
        assert!(trailer_sessions("no trailers").is_empty());
    }
}
