//! Running the foreign hook `init` chained behind ours, exactly as git would have run it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `hook` with `args` and, when we consumed git's stdin, the same bytes on its stdin.
/// Returns its exit code (1 when it cannot be started, as git reports a broken hook).
pub fn run(hook: &Path, args: &[String], stdin: Option<&[u8]>) -> u8 {
    if !is_executable(hook) {
        // Git skips a hook that is not executable; so do we.
        return 0;
    }
    let mut cmd = Command::new(hook);
    cmd.args(args).stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::inherit()
    });
    let Ok(mut child) = cmd.spawn() else {
        eprintln!("git-vouch: cannot run the chained hook {}", hook.display());
        return 1;
    };
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // A hook that exits without reading its stdin closes the pipe: not an error.
        let _ = pipe.write_all(bytes);
    }
    match child.wait() {
        Ok(status) => status.code().map_or(1, |c| u8::try_from(c).unwrap_or(1)),
        Err(_) => 1,
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
