//! The Codex CLI the end-to-end tests run: a pinned version installed with npm into
//! `target/agents/codex/<version>` when missing (`crate::support::npm`). Where npm or the CLI
//! cannot be had the tests skip with a message; under `CI=true` they fail instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::npm::Pinned;

/// The version every scenario runs with and the fixtures are recorded with.
pub const VERSION: &str = "0.171.0";

const PINNED: Pinned = Pinned {
    folder: "agents/codex",
    label: "Codex CLI",
    package: "@openai/codex",
    version: VERSION,
    bin: "codex",
};

/// The `codex` launcher of [`VERSION`], installing it first when missing. `None` (after
/// printing why) when it cannot be had; panics under CI=true.
pub fn codex() -> Option<PathBuf> {
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

/// `codex --version` (`codex-cli 0.171.0`), run with a throwaway HOME and CODEX_HOME (never
/// the real ~/.codex; the folder must exist or the CLI refuses to start).
fn installed_version(bin: &Path) -> Result<String, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let codex_home = home.path().join(".codex");
    std::fs::create_dir_all(&codex_home).map_err(|e| e.to_string())?;
    let out = Command::new(bin)
        .arg("--version")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("CODEX_HOME", &codex_home)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().nth(1) {
        Some(v) if out.status.success() && text.starts_with("codex-cli ") => Ok(v.to_owned()),
        _ => Err(format!(
            "{} --version failed ({}): {} {}",
            bin.display(),
            out.status,
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}
