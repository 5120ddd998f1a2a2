//! The Gemini CLI the end-to-end tests run: a pinned version installed with npm into
//! `target/agents/gemini/<version>` when missing. Where npm or the CLI cannot be had the tests
//! skip with a message; under `CI=true` they fail instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The version every scenario runs with and the fixtures are recorded with.
pub const VERSION: &str = "0.61.0";

/// `target/` (the folder holding the profile folder of the git-vouch binary).
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"));
    bin.parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The `gemini` launcher of [`VERSION`], installing it first when missing. `None` (after
/// printing why) when it cannot be had; panics under CI=true.
pub fn gemini() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find_or_install) {
        Ok(path) => Some(path.clone()),
        Err(why) => {
            assert!(
                !in_ci(),
                "Gemini CLI {VERSION} is required under CI=true: {why}"
            );
            eprintln!("skipping: Gemini CLI {VERSION} is not available: {why}");
            None
        }
    }
}

fn find_or_install() -> Result<PathBuf, String> {
    let root = target_dir().join("agents/gemini");
    let dir = root.join(VERSION);
    let bin = dir.join("node_modules/.bin/gemini");
    if !bin.exists() {
        install(&root)?;
    }
    let got = installed_version(&bin)?;
    if got == VERSION {
        Ok(bin)
    } else {
        Err(format!(
            "{} reports version {got}; delete {} to reinstall",
            bin.display(),
            dir.display()
        ))
    }
}

/// `npm install --prefix <root>/<version>.partial-<pid> @google/gemini-cli@<version>` with a
/// throwaway HOME, then renamed into place (so a half-finished install is never used).
fn install(root: &Path) -> Result<(), String> {
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
    let partial = root.join(format!("{VERSION}.partial-{}", std::process::id()));
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let log_path = root.join(format!("install-{VERSION}.log"));
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    eprintln!(
        "installing Gemini CLI {VERSION} with npm into {} (log: {})",
        root.display(),
        log_path.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&partial)
        .arg(format!("@google/gemini-cli@{VERSION}"))
        .env("HOME", home.path())
        .env("npm_config_cache", root.join(".npm-cache"))
        .env("npm_config_update_notifier", "false")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() || !partial.join("node_modules/.bin/gemini").exists() {
        let _ = std::fs::remove_dir_all(&partial);
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(8).collect();
        return Err(format!(
            "npm install failed ({status}): {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    if std::fs::rename(&partial, root.join(VERSION)).is_err() {
        // Another process installed it meanwhile.
        let _ = std::fs::remove_dir_all(&partial);
    }
    Ok(())
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
