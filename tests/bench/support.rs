//! What the benchmarks share: the release binary, an isolated git for their scratch
//! repositories, percentiles and the machine's load.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The release binary next to the benchmark's own (`cargo bench` builds both).
#[allow(
    dead_code,
    reason = "the hook benchmarks run the binary through their own cases"
)]
pub fn bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let release = exe
        .ancestors()
        .nth(2)
        .expect("target/<profile>/deps")
        .join("git-vouch");
    assert!(
        release.exists(),
        "build the binary first: cargo build --release"
    );
    release
}

/// Runs git in `dir` with no global or system configuration and a fixed identity.
#[allow(dead_code, reason = "the recorder's benchmark makes no repository")]
pub fn git(dir: &Path, home: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .stdout(Stdio::null())
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// The `p`th percentile (nearest rank) of sorted, non-empty timings.
#[allow(dead_code, reason = "the blame benchmark reports medians")]
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews these timings.
pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
