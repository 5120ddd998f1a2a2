//! Capture with git-vouch's opencode plugin: `git vouch init --agent opencode` before the run
//! (with `vouch.guard enforce`), then what the plugin's events recorded, and `uninstall`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::OpencodeRun;
use super::scenario::OUTSIDE_RM;
use crate::codex_e2e::path_with_git_vouch;
use crate::support::capture::{guarded_run, one_session, recorded_config};

/// git-vouch in `repo` with the run's HOME and XDG folders.
fn vouch(home: &Path, repo: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(repo)
        .env_clear()
        .env("PATH", path_with_git_vouch())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
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

/// Before the run: the folder the guard must protect, enforce mode, and the plugin.
pub fn install(root: &Path, repo: &Path, home: &Path) {
    std::fs::create_dir_all(root.join("outside")).expect("outside/");
    std::fs::write(root.join("outside/keep.txt"), "keep me\n").expect("outside/keep.txt");
    let ok = Command::new("git")
        .args(["config", "vouch.guard", "enforce"])
        .current_dir(repo)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .status()
        .expect("run git")
        .success();
    assert!(ok, "git config vouch.guard enforce");
    let said = vouch(home, repo, &["init", "--agent", "opencode"]);
    assert!(said.contains("git-vouch.js"), "{said}");
}

/// What the plugin's events recorded, the guard's denial, the commit, and `uninstall`.
pub fn check(run: &OpencodeRun) {
    let state = run.repo.join(".git/vouch");
    let status: Value =
        serde_json::from_str(&vouch(&run.home, &run.repo, &["status", "--json"])).expect("JSON");
    assert_eq!(
        status["opencode"]["missing"],
        serde_json::json!([]),
        "{:#}",
        status["opencode"]
    );

    let (id, _) = one_session(&state, "opencode");
    let id = id.as_str();
    let config = recorded_config(&state, id, "opencode.json", false, None);
    // The run's `--auto`, read from opencode's command line: its sessions record no mode.
    assert_eq!(config["launch_mode"], "auto-approve", "{config:#}");

    guarded_run(&state, id, OUTSIDE_RM, &run.root);
    let show: Value =
        serde_json::from_str(&vouch(&run.home, &run.repo, &["show", id, "--json"])).expect("JSON");
    assert_eq!(show["launch_mode"], "auto-approve", "{show:#}");
    let message = run.git(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!("Vouch-Session: {id}")),
        "the agent's commit names its session: {message}"
    );

    vouch(&run.home, &run.repo, &["uninstall", "--agent", "opencode"]);
    assert!(
        !run.home
            .join(".config/opencode/plugin/git-vouch.js")
            .exists()
    );
}
