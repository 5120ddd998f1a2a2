//! A repository of 500 attested commits for the benchmarks that read attestations (`verify`,
//! `report`): 48 ranges of 10 commits attested on `main` with `git vouch attest`, and 20 pull
//! request branches of 5 commits each, attested on their branch, squash-merged onto `main` and
//! deleted, so their commits are gone and only the notes remain.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::support;

pub const DIRECT_RANGES: usize = 48;
pub const RANGE_COMMITS: usize = 10;
pub const SQUASHED: usize = 20;
pub const PR_COMMITS: usize = 5;

pub struct World {
    pub root: PathBuf,
    pub repo: PathBuf,
}

impl World {
    pub fn run(&self, program: &Path, args: &[&str]) -> Output {
        let path = format!(
            "{}:{}",
            support::bin().parent().unwrap().display(),
            std::env::var("PATH").unwrap()
        );
        Command::new(program)
            .args(args)
            .current_dir(&self.repo)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.root.join("home"))
            .env("XDG_CONFIG_HOME", self.root.join("config"))
            .env("XDG_CACHE_HOME", self.root.join("cache"))
            .env("XDG_DATA_HOME", self.root.join("data"))
            .env("CLAUDE_CONFIG_DIR", self.root.join("claude"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Dev")
            .env("GIT_AUTHOR_EMAIL", "dev@example.com")
            .env("GIT_COMMITTER_NAME", "Dev")
            .env("GIT_COMMITTER_EMAIL", "dev@example.com")
            .output()
            .unwrap()
    }

    pub fn ok(&self, program: &Path, args: &[&str]) -> String {
        let out = self.run(program, args);
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.ok(Path::new("git"), args)
    }

    pub fn vouch(&self, args: &[&str]) -> String {
        self.ok(&support::bin(), args)
    }

    pub fn commit(&self, file: &str, line: &str) {
        let path = self.repo.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(line);
        text.push('\n');
        std::fs::write(&path, text).unwrap();
        self.git(&["add", file]);
        self.git(&["commit", "-q", "-m", line]);
    }
}

/// The repository and its allowed signers file; returns the first commit (the range's base).
pub fn setup(root: &Path) -> (World, PathBuf, String) {
    for d in ["home", "config", "cache", "data", "claude", "repo/src"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let w = World {
        root: root.to_path_buf(),
        repo: root.join("repo"),
    };
    w.git(&["init", "-q", "-b", "main"]);
    w.commit("README.md", "readme");
    let base = w.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let keygen = w.vouch(&["keygen"]);
    let line = keygen
        .lines()
        .map(str::trim)
        .find(|l| l.contains("namespaces="))
        .unwrap()
        .to_owned();
    let allowed = root.join("allowed_signers");
    std::fs::write(&allowed, format!("{line}\n")).unwrap();
    for r in 0..DIRECT_RANGES {
        for c in 0..RANGE_COMMITS {
            w.commit(
                &format!("src/module{r}.rs"),
                &format!("fn step_{r}_{c}() {{}}"),
            );
        }
        w.vouch(&["attest", &format!("HEAD~{RANGE_COMMITS}..HEAD")]);
    }
    for p in 0..SQUASHED {
        let branch = format!("pr{p}");
        w.git(&["checkout", "-q", "-b", &branch]);
        for c in 0..PR_COMMITS {
            w.commit(
                &format!("src/feature{p}_{}.rs", c % 2),
                &format!("fn feature_{p}_{c}() {{}}"),
            );
        }
        w.vouch(&["attest", &format!("main..{branch}")]);
        w.git(&["checkout", "-q", "main"]);
        w.git(&["merge", "-q", "--squash", &branch]);
        w.git(&["commit", "-q", "-m", &format!("Feature {p} (#{p})")]);
        w.git(&["branch", "-q", "-D", &branch]);
    }
    (w, allowed, base)
}
