//! The Claude Code CLI the end-to-end tests run: a pinned version installed with npm into
//! `target/claude-code/<version>` when missing. Where npm or the CLI cannot be had the tests
//! skip with a message; under `CI=true` they fail instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The version every scenario runs with (the newest that declares support for Node 20).
pub const PINNED: &str = "2.1.197";
/// A newer CLI (a native binary, so it runs on Node 20 as well).
pub const NEWER: &str = "2.1.329";

/// `target/` (the folder holding the profile folder of the git-vouch binary).
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"));
    bin.parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The CLI binary of `version`, installing it first when missing. `None` (after printing why)
/// when it cannot be had; panics under CI=true.
pub fn claude(version: &str) -> Option<PathBuf> {
    static DONE: Mutex<Option<HashMap<String, Result<PathBuf, String>>>> = Mutex::new(None);
    let mut done = DONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let map = done.get_or_insert_with(HashMap::new);
    let result = map
        .entry(version.to_owned())
        .or_insert_with(|| find_or_install(version))
        .clone();
    match result {
        Ok(path) => Some(path),
        Err(why) => {
            assert!(
                !in_ci(),
                "Claude Code {version} is required under CI=true: {why}"
            );
            eprintln!("skipping: Claude Code {version} is not available: {why}");
            None
        }
    }
}

fn find_or_install(version: &str) -> Result<PathBuf, String> {
    let root = target_dir().join("claude-code");
    let dir = root.join(version);
    let bin = dir.join("node_modules/.bin/claude");
    if !bin.exists() {
        install(&root, version)?;
    }
    let got = installed_version(&bin)?;
    if got == version {
        Ok(bin)
    } else {
        Err(format!(
            "{} reports version {got}; delete {} to reinstall",
            bin.display(),
            dir.display()
        ))
    }
}

/// `npm install --prefix <root>/<version>.partial-<pid> @anthropic-ai/claude-code@<version>`
/// with a throwaway HOME, then renamed into place (so a half-finished install is never used).
fn install(root: &Path, version: &str) -> Result<(), String> {
    let npm_ok = Command::new("npm")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !npm_ok {
        return Err("npm is not installed (it installs the CLI)".into());
    }
    std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
    let partial = root.join(format!("{version}.partial-{}", std::process::id()));
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let log_path = root.join(format!("install-{version}.log"));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    eprintln!(
        "installing Claude Code {version} with npm into {} (log: {})",
        root.display(),
        log_path.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&partial)
        .arg(format!("@anthropic-ai/claude-code@{version}"))
        .env("HOME", home.path())
        .env("npm_config_cache", root.join(".npm-cache"))
        .env("npm_config_update_notifier", "false")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() || !partial.join("node_modules/.bin/claude").exists() {
        let _ = std::fs::remove_dir_all(&partial);
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(8).collect();
        return Err(format!(
            "npm install failed ({status}): {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    if std::fs::rename(&partial, root.join(version)).is_err() {
        // Another process installed it meanwhile.
        let _ = std::fs::remove_dir_all(&partial);
    }
    Ok(())
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
