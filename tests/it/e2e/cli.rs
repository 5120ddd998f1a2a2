//! The Claude Code CLI the end-to-end tests run: a pinned version installed with npm into
//! `target/claude-code/<version>` when missing. Where npm or the CLI cannot be had the tests
//! skip with a message; under `CI=true` they fail instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::support::npm::Pinned;

/// The version every scenario runs with (the newest that declares support for Node 20).
pub const PINNED: &str = "2.1.197";
/// A newer CLI (a native binary, so it runs on Node 20 as well).
pub const NEWER: &str = "2.1.329";

/// The npm package of Claude Code `version`, installed into `target/claude-code/<version>`.
const fn package(version: &'static str) -> Pinned {
    Pinned {
        folder: "claude-code",
        label: "Claude Code",
        package: "@anthropic-ai/claude-code",
        version,
        bin: "claude",
    }
}

/// The CLI binary of `version`, installing it first when missing. `None` (after printing why)
/// when it cannot be had; panics under CI=true.
pub fn claude(version: &'static str) -> Option<PathBuf> {
    static DONE: Mutex<Option<HashMap<String, Result<PathBuf, String>>>> = Mutex::new(None);
    let mut done = DONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let map = done.get_or_insert_with(HashMap::new);
    let result = map
        .entry(version.to_owned())
        .or_insert_with(|| find_or_install(version));
    package(version).or_skip(result)
}

fn find_or_install(version: &'static str) -> Result<PathBuf, String> {
    let pinned = package(version);
    let bin = pinned.launcher()?;
    let got = installed_version(&bin)?;
    if got == version {
        Ok(bin)
    } else {
        Err(format!(
            "{} reports version {got}; delete {} to reinstall",
            bin.display(),
            pinned.root().join(version).display()
        ))
    }
}

/// `claude --version`, run with a throwaway HOME and config folder (never the real ~/.claude).
fn installed_version(bin: &Path) -> Result<String, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = Command::new(bin)
        .arg("--version")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("CLAUDE_CONFIG_DIR", home.path().join(".claude"))
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_TELEMETRY", "1")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    match text.split_whitespace().next() {
        Some(v) if out.status.success() => Ok(v.to_owned()),
        _ => Err(format!(
            "{} --version failed: {}",
            bin.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}
