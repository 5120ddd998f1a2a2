//! The agent CLIs the end-to-end tests run, pinned and installed with npm into
//! `target/<folder>/<version>` when missing: into a `.partial-<pid>` folder with a
//! throwaway HOME, then renamed into place, so a half-finished install is never used.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One pinned npm package and the launcher it puts in `node_modules/.bin`.
pub struct Pinned {
    /// The agent's folder under `target/` (`agents/codex`).
    pub folder: &'static str,
    /// The name people know it by, for messages.
    pub label: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    pub bin: &'static str,
}

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

impl Pinned {
    /// `target/<folder>`.
    pub fn root(&self) -> PathBuf {
        target_dir().join(self.folder)
    }

    /// The launcher, installing the package first when missing.
    pub fn launcher(&self) -> Result<PathBuf, String> {
        let launcher = |dir: &Path| Ok(dir.join("node_modules/.bin").join(self.bin));
        let bin = launcher(&self.root().join(self.version))?;
        if !bin.exists() {
            self.install(&self.root().join(".npm-cache"), &launcher)?;
        }
        Ok(bin)
    }

    /// What the tests get: the launcher, or `None` after printing why it cannot be had
    /// (panics under CI=true).
    pub fn or_skip(&self, found: &Result<PathBuf, String>) -> Option<PathBuf> {
        match found {
            Ok(path) => Some(path.clone()),
            Err(why) => {
                let (label, version) = (self.label, self.version);
                assert!(
                    !in_ci(),
                    "{label} {version} is required under CI=true: {why}"
                );
                eprintln!("skipping: {label} {version} is not available: {why}");
                None
            }
        }
    }

    /// `npm install --prefix <root>/<version>.partial-<pid> <package>@<version>` with a throwaway
    /// HOME and `cache` as npm's cache, then renamed into place once `installed` (the program
    /// the tests run, under an install folder) exists.
    pub fn install(
        &self,
        cache: &Path,
        installed: &dyn Fn(&Path) -> Result<PathBuf, String>,
    ) -> Result<(), String> {
        let npm_ok = Command::new("npm")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !npm_ok {
            return Err("npm is not installed (it installs the CLI)".into());
        }
        let (root, version) = (self.root(), self.version);
        std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
        let partial = root.join(format!("{version}.partial-{}", std::process::id()));
        let home = tempfile::tempdir().map_err(|e| e.to_string())?;
        let log_path = root.join(format!("install-{version}.log"));
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        eprintln!(
            "installing {} {version} with npm into {} (log: {})",
            self.label,
            root.display(),
            log_path.display()
        );
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&partial)
            .arg(format!("{}@{version}", self.package))
            .env("HOME", home.path())
            .env("npm_config_cache", cache)
            .env("npm_config_update_notifier", "false")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .status()
            .map_err(|e| format!("cannot run npm: {e}"))?;
        if !status.success() || !installed(&partial)?.exists() {
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
}
