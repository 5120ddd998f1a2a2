//! The Gemini CLI the end-to-end tests run: a pinned version installed with npm into
//! `target/agents/gemini/<version>` when missing (`crate::support::npm`). Where npm or the CLI
//! cannot be had the tests skip with a message; under `CI=true` they fail instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::npm::Pinned;

/// The version every scenario runs with and the fixtures are recorded with.
pub const VERSION: &str = "0.61.0";

const PINNED: Pinned = Pinned {
    folder: "agents/gemini",
    label: "Gemini CLI",
    package: "@google/gemini-cli",
    version: VERSION,
    bin: "gemini",
};

/// The `gemini` launcher of [`VERSION`], installing it first when missing. `None` (after
/// printing why) when it cannot be had; panics under CI=true.
pub fn gemini() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PINNED.or_skip(FOUND.get_or_init(find_or_install))
}

fn find_or_install() -> Result<PathBuf, String> {
    let bin = PINNED.launcher()?;
    let got = installed_version(&bin)?;
    if got == VERSION {
        Ok(bin)
    } else {
        Err(format!(
            "{} reports version {got}; delete {} to reinstall",
            bin.display(),
            PINNED.root().join(VERSION).display()
        ))
    }
}

/// `gemini --version` (`0.61.0`), run with a throwaway HOME (never the real ~/.gemini).
fn installed_version(bin: &Path) -> Result<String, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = Command::new(bin)
        .arg("--version")
        .current_dir(home.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.trim();
    if out.status.success() && !version.is_empty() && !version.contains(char::is_whitespace) {
        Ok(version.to_owned())
    } else {
        Err(format!(
            "{} --version failed ({}): {} {}",
            bin.display(),
            out.status,
            version,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
