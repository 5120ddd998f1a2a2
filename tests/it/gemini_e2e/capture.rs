//! Capture with Gemini CLI's hooks: `git vouch init --agent gemini` before the run (with
//! `vouch.guard enforce`), then what the hooks recorded, and `uninstall` after it.
//!
//! Gemini CLI empties `core.hooksPath` for the agent's commands: git's hooks do not run in its
//! `git commit`, so that commit carries no trailer; `show` names it from the command's output.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::GeminiRun;
use super::scenario::OUTSIDE_RM;
use crate::codex_e2e::path_with_git_vouch;
use crate::support::capture::{guarded_run, one_session, recorded_config};

/// git-vouch in `repo` with the run's HOME.
fn vouch(home: &Path, repo: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .current_dir(repo)
        .env_clear()
        .env("PATH", path_with_git_vouch())
        .env("HOME", home)
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

/// Before the run: the folder the guard must protect, enforce mode, the settings as the
/// harness wrote them (kept to compare after `uninstall`), and `init --agent gemini`.
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
    let settings = home.join(".gemini/settings.json");
    std::fs::copy(&settings, root.join("settings.json.before")).expect("keep settings.json");
    let said = vouch(home, repo, &["init", "--agent", "gemini"]);
    assert!(said.contains("settings.json"), "{said}");
}

/// What the hooks recorded, the guard's denial, the commit's trailer, and `uninstall`.
pub fn check(run: &GeminiRun) {
    let state = run.repo.join(".git/vouch");
    let status: Value =
        serde_json::from_str(&vouch(&run.home, &run.repo, &["status", "--json"])).expect("JSON");
    assert_eq!(
        status["gemini"]["missing"],
        serde_json::json!([]),
        "{:#}",
        status["gemini"]
    );

    let (id, _) = one_session(&state, "gemini-cli");
    let id = id.as_str();
    let config = recorded_config(&state, id, "~/.gemini/settings.json", true, None);
    // The run's `--yolo`, read from Gemini CLI's command line: its chats record no mode.
    assert_eq!(config["launch_mode"], "yolo", "{config:#}");

    guarded_run(&state, id, OUTSIDE_RM, &run.root);
    // Gemini CLI runs the agent's commands with `core.hooksPath` emptied (GIT_CONFIG_KEY_*), so
    // no git hook runs in the agent's own `git commit`: no trailer. The session still names the
    // commit, from the command's output.
    let message = run.git(&["log", "-1", "--format=%B"]);
    assert!(!message.contains("Vouch-Session"), "{message}");
    let head = run.git(&["rev-parse", "--short=7", "HEAD"]);
    let show: Value =
        serde_json::from_str(&vouch(&run.home, &run.repo, &["show", id, "--json"])).expect("JSON");
    // `show` names the mode the session started in: the transcript records none.
    assert_eq!(show["launch_mode"], "yolo", "{show:#}");
    let said = vouch(&run.home, &run.repo, &["show", id]);
    assert!(
        said.lines()
            .any(|l| l.contains("permission") && l.contains("yolo (at start)")),
        "{said}"
    );
    let shas: Vec<&str> = show["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["sha"].as_str())
        .collect();
    assert!(
        shas.iter()
            .any(|s| head.trim().starts_with(s) || s.starts_with(head.trim())),
        "{head} in {shas:?}"
    );

    vouch(&run.home, &run.repo, &["uninstall", "--agent", "gemini"]);
    assert_eq!(
        std::fs::read(run.home.join(".gemini/settings.json")).expect("settings.json"),
        std::fs::read(run.root.join("settings.json.before")).expect("the copy"),
        "uninstall gives settings.json back byte for byte"
    );
}
