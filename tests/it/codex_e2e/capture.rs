//! Capture with Codex CLI's own hooks: `git vouch init --agent codex` before the run (with
//! `vouch.guard enforce`), then what the hooks recorded, and `uninstall` after it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::CodexRun;
use super::scenario::OUTSIDE_RM;
use crate::support::capture::{guarded_run, one_session, recorded_config};

/// PATH with the built git-vouch first: the hooks run `git-vouch` from PATH.
pub fn path_with_git_vouch() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"));
    let mut dirs = vec![bin.parent().expect("the binary's folder").to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).expect("a PATH")
}

/// git-vouch in `repo` with the run's HOME and CODEX_HOME.
fn vouch(root: &Path, repo: &Path, args: &[&str]) -> String {
    let home = root.join("home");
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(repo)
        .env_clear()
        .env("PATH", path_with_git_vouch())
        .env("HOME", &home)
        .env("CODEX_HOME", home.join(".codex"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("run git-vouch");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "git-vouch {args:?}: {}\n{text}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Before the run: the folder the guard must protect, enforce mode, Codex's `config.toml` as
/// the harness wrote it (kept to compare after `uninstall`), and `init --agent codex`.
pub fn install(root: &Path, repo: &Path) {
    std::fs::create_dir_all(root.join("outside")).expect("outside/");
    std::fs::write(root.join("outside/keep.txt"), "keep me\n").expect("outside/keep.txt");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(repo)
            .env("HOME", root.join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .expect("run git")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["config", "vouch.guard", "enforce"]);
    // Codex runs commands in a login shell (`bash -lc`), whose /etc/profile sets PATH anew: the
    // person's profile puts git-vouch back on it, as an install in ~/.cargo/bin would.
    let bin = Path::new(env!("CARGO_BIN_EXE_git-vouch"))
        .parent()
        .expect("bin folder");
    let profile = format!("export PATH=\"{}:$PATH\"\n", bin.display());
    std::fs::write(root.join("home/.bash_profile"), profile).expect("~/.bash_profile");
    let config = root.join("home/.codex/config.toml");
    std::fs::copy(&config, root.join("config.toml.before")).expect("keep config.toml");
    let said = vouch(root, repo, &["init", "--agent", "codex"]);
    assert!(said.contains("hooks.json"), "{said}");
}

fn state(run: &CodexRun) -> PathBuf {
    run.repo.join(".git/vouch")
}

/// What the hooks recorded, the guard's denial, the commit's trailer, and `uninstall`.
pub fn check(run: &CodexRun) {
    let status: Value =
        serde_json::from_str(&vouch(&run.root, &run.repo, &["status", "--json"])).expect("JSON");
    assert_eq!(status["codex"]["trusted"], true, "{:#}", status["codex"]);
    assert_eq!(status["codex"]["missing"], serde_json::json!([]));

    let (id, record) = one_session(&state(run), "codex");
    let id = id.as_str();
    let config = recorded_config(&state(run), id, "~/.codex/hooks.json", true, None);
    assert!(
        config["settings"][0]["path"] == "~/.codex/config.toml"
            && config["settings"][0]["model"] == "gpt-5.5",
        "what governed Codex, from its config.toml: {config:#}"
    );
    // Codex's rollouts record its modes: no launch mode is read for it.
    assert!(config.get("launch_mode").is_none(), "{config:#}");
    assert!(
        record["ended_at"].is_string(),
        "SessionEnd recorded: {record:#}"
    );

    guarded_run(&state(run), id, OUTSIDE_RM, &run.root);

    let message = run.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!("Vouch-Session: {id}")),
        "the agent's commit names its session: {message}"
    );

    vouch(&run.root, &run.repo, &["uninstall", "--agent", "codex"]);
    let codex = run.home.clone();
    assert_eq!(
        std::fs::read(codex.join("config.toml")).expect("config.toml"),
        std::fs::read(run.root.join("config.toml.before")).expect("the copy"),
        "uninstall gives config.toml back byte for byte"
    );
    assert!(!codex.join("hooks.json").exists());
    assert!(!codex.join("config.toml.vouch-backup").exists());
}
