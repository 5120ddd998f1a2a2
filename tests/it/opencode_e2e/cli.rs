//! The opencode CLI the end-to-end tests run: a pinned version of `opencode-ai` installed with
//! npm into `target/agents/opencode/<version>` when missing. npm (11) skips the package's
//! postinstall, so the binary that runs is the platform package's
//! `node_modules/opencode-linux-x64/bin/opencode` (`opencode-darwin-arm64`… elsewhere). Where
//! npm or the CLI cannot be had the tests skip with a message; under `CI=true` they fail
//! instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The version every scenario runs with and the fixtures are recorded with.
pub const VERSION: &str = "1.18.33";

/// `target/` (the folder holding the profile folder of the git-vouch binary).
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"));
    bin.parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

/// `target/agents/opencode`: the installs, their logs, and the npm cache shared by the installs
/// and by the CLI's own start-up npm installs (`npm_config_cache`), so they are warm after the
/// first run.
pub fn agent_dir() -> PathBuf {
    target_dir().join("agents/opencode")
}

pub fn npm_cache() -> PathBuf {
    agent_dir().join("npm-cache")
}

pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The `opencode` binary of [`VERSION`], installing it first when missing. `None` (after
/// printing why) when it cannot be had; panics under CI=true.
pub fn opencode() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match FOUND.get_or_init(find_or_install) {
        Ok(path) => Some(path.clone()),
        Err(why) => {
            assert!(
                !in_ci(),
                "opencode CLI {VERSION} is required under CI=true: {why}"
            );
            eprintln!("skipping: opencode CLI {VERSION} is not available: {why}");
            None
        }
    }
}

/// The platform package npm installs next to `opencode-ai` (`opencode-linux-x64`).
fn platform_package() -> Result<String, String> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        other => return Err(format!("no opencode binary package for {other}")),
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => return Err(format!("no opencode binary package for {other}")),
    };
    Ok(format!("opencode-{os}-{arch}"))
}

fn binary_in(dir: &Path) -> Result<PathBuf, String> {
    Ok(dir.join(format!("node_modules/{}/bin/opencode", platform_package()?)))
}

fn find_or_install() -> Result<PathBuf, String> {
    let root = agent_dir();
    let dir = root.join(VERSION);
    let bin = binary_in(&dir)?;
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

/// `npm install --prefix <root>/<version>.partial-<pid> opencode-ai@<version>` with a
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
        "installing opencode CLI {VERSION} with npm into {} (log: {})",
        root.display(),
        log_path.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&partial)
        .arg(format!("opencode-ai@{VERSION}"))
        .env("HOME", home.path())
        .env("npm_config_cache", npm_cache())
        .env("npm_config_update_notifier", "false")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .status()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !status.success() || !binary_in(&partial)?.exists() {
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

/// `opencode --version` (`1.18.33`), run with a throwaway HOME and XDG folders inside it
/// (never the real ~/.local/share/opencode or ~/.config/opencode).
fn installed_version(bin: &Path) -> Result<String, String> {
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let h = home.path();
    let out = Command::new(bin)
        .arg("--version")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", h)
        .env("XDG_DATA_HOME", h.join(".local/share"))
        .env("XDG_CONFIG_HOME", h.join(".config"))
        .env("XDG_CACHE_HOME", h.join(".cache"))
        .env("XDG_STATE_HOME", h.join(".local/state"))
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
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
