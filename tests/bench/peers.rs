//! The peers the benchmarks run beside git-vouch that are Python packages: a Python found on
//! the machine, a virtualenv per pinned set of packages (made once, reused), and what went wrong
//! in a child's output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A peer: its pinned packages.
pub struct Peer {
    pub name: &'static str,
    /// The cache folder's name: a new pin gets a new virtualenv.
    pub slug: &'static str,
    pub pins: &'static [&'static str],
    /// Packages whose installed versions are printed.
    pub report: &'static [&'static str],
}

/// The first Python ≥ 3.12 (AgenticAudit's floor) and its version.
pub fn find_python() -> Result<(PathBuf, String), String> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("VOUCH_BENCH_PYTHON")
        .into_iter()
        .map(PathBuf::from)
        .collect();
    candidates.extend(["python3.13", "python3.12", "python3.14", "python3"].map(PathBuf::from));
    for candidate in &candidates {
        if let Some(version) = python_version(candidate) {
            return Ok((candidate.clone(), version));
        }
    }
    // pyenv keeps other versions off PATH: ask it for its 3.12+ installs, newest first.
    let listed = Command::new("pyenv").args(["versions", "--bare"]).output();
    let mut versions: Vec<(u32, u32, String)> = listed
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
        .lines()
        .filter_map(|v| {
            let mut parts = v.trim().split('.');
            let major = parts.next()?.parse().ok()?;
            let minor = parts.next()?.parse().ok()?;
            Some((major, minor, v.trim().to_owned()))
        })
        .filter(|&(major, minor, _)| (major, minor) >= (3, 12))
        .collect();
    versions.sort();
    for (_, _, version) in versions.iter().rev() {
        let prefix = Command::new("pyenv").args(["prefix", version]).output();
        if let Ok(out) = prefix
            && out.status.success()
        {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let candidate = Path::new(&dir).join("bin/python3");
            if let Some(version) = python_version(&candidate) {
                return Ok((candidate, version));
            }
        }
    }
    Err("no Python 3.12 or newer found (set VOUCH_BENCH_PYTHON)".to_owned())
}

pub fn python_version(python: &Path) -> Option<String> {
    let script = "import sys; print('%d.%d.%d' % sys.version_info[:3]); \
                  sys.exit(0 if sys.version_info >= (3, 12) else 1)";
    let out = Command::new(python)
        .args(["-c", script])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `python -m venv` and `pip install` of the pinned versions, unless an earlier run did it.
pub fn install(
    peer: &Peer,
    python: &Path,
    venv: &Path,
    cache: &Path,
    home: &Path,
) -> Result<(), String> {
    let marker = venv.join("installed-by-bench.txt");
    let vpython = venv.join("bin/python");
    let pins = peer.pins.join(" ");
    let reused = std::fs::read_to_string(&marker).is_ok_and(|m| m == pins) && vpython.exists();
    if reused {
        println!("  {}: reusing {} ({pins})", peer.name, venv.display());
    } else {
        let _ = std::fs::remove_dir_all(venv);
        std::fs::create_dir_all(cache).map_err(|e| format!("cache folder: {e}"))?;
        let out = Command::new(python)
            .args(["-m", "venv"])
            .arg(venv)
            .output()
            .map_err(|e| format!("python -m venv: {e}"))?;
        if !out.status.success() {
            return Err(format!("python -m venv failed: {}", tail(&out.stderr)));
        }
        let started = Instant::now();
        let out = Command::new(&vpython)
            .args(["-m", "pip", "install", "--quiet", "--no-input"])
            .args([
                "--disable-pip-version-check",
                "--retries",
                "2",
                "--timeout",
                "30",
            ])
            .args(peer.pins)
            .env("HOME", home)
            .env("PIP_CACHE_DIR", cache.join("pip-cache"))
            .output()
            .map_err(|e| format!("pip: {e}"))?;
        if !out.status.success() {
            return Err(format!("pip install {pins} failed: {}", tail(&out.stderr)));
        }
        std::fs::write(&marker, &pins).map_err(|e| format!("marker: {e}"))?;
        println!(
            "  {}: pip install {pins} into {} ({:.0} s)",
            peer.name,
            venv.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let script = "import importlib.metadata as m, sys\n\
                  print(', '.join(f'{p} {m.version(p)}' for p in sys.argv[1:]))";
    let out = Command::new(&vpython)
        .args(["-c", script])
        .args(peer.report)
        .output()
        .map_err(|e| format!("versions: {e}"))?;
    if !out.status.success() {
        return Err(format!("installed versions: {}", tail(&out.stderr)));
    }
    println!(
        "  {} versions: {}",
        peer.name,
        String::from_utf8_lossy(&out.stdout).trim()
    );
    Ok(())
}

/// The last lines of a failed command's stderr, on one line.
pub fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(3)..].join(" | ")
}
