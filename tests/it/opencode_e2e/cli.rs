//! The opencode CLI the end-to-end tests run: a pinned version of `opencode-ai` installed with
//! npm into `target/agents/opencode/<version>` when missing. npm (11) skips the package's
//! postinstall, so the binary that runs is the platform package's
//! `node_modules/opencode-linux-x64/bin/opencode` (`opencode-darwin-arm64`… elsewhere). Where
//! npm or the CLI cannot be had the tests skip with a message; under `CI=true` they fail
//! instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::support::npm::Pinned;
pub use crate::support::npm::in_ci;

/// The version every scenario runs with and the fixtures are recorded with.
pub const VERSION: &str = "1.18.33";

/// `target/agents/opencode`: the installs, their logs, and the npm cache shared by the installs
/// and by the CLI's own start-up npm installs (`npm_config_cache`), so they are warm after the
/// first run.
pub fn agent_dir() -> PathBuf {
    PINNED.root()
}

pub fn npm_cache() -> PathBuf {
    agent_dir().join("npm-cache")
}

/// The npm package (its launcher is a Node script; the tests run the platform binary).
const PINNED: Pinned = Pinned {
    folder: "agents/opencode",
    label: "opencode CLI",
    package: "opencode-ai",
    version: VERSION,
    bin: "opencode",
};

/// The `opencode` binary of [`VERSION`], installing it first when missing. `None` (after
/// printing why) when it cannot be had; panics under CI=true.
pub fn opencode() -> Option<PathBuf> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PINNED.or_skip(FOUND.get_or_init(find_or_install))
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
    let dir = agent_dir().join(VERSION);
    let bin = binary_in(&dir)?;
    if !bin.exists() {
        PINNED.install(&npm_cache(), &binary_in)?;
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
