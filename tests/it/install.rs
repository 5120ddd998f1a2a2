//! `git vouch init`, `uninstall` and `status` end to end: the real binary on throwaway
//! repositories made with the git CLI, in a sandbox where HOME, CLAUDE_CONFIG_DIR and git's
//! global configuration are all temporary.

#![allow(clippy::unwrap_used)] // Test helpers fail loudly.
#![cfg(unix)]

mod git_hooks;
mod sandbox;

use std::fs;
use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use sandbox::{
    EVENTS, GIT_HOOKS, ODD_SETTINGS, RECORDING_HOOK, Sandbox, assert_all_events_installed, json,
    mode, ours, text, write_hook,
};

#[test]
fn init_twice_writes_the_same_bytes_and_keeps_user_content() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let settings = repo.join(".claude/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    fs::write(&settings, ODD_SETTINGS).unwrap();
    let original: Value = serde_json::from_str(ODD_SETTINGS).unwrap();

    let first = sb.ok(&repo, &["init"]);
    assert!(
        first.contains(".claude/settings.json: installed"),
        "{first}"
    );
    let after_one = sb.snapshot();
    let doc = json(&settings);
    assert_all_events_installed(&doc);
    let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["zeta", "hooks", "alpha", "model"]);
    for key in ["zeta", "alpha", "model"] {
        assert_eq!(doc[key], original[key], "{key}");
    }
    assert_eq!(
        doc["hooks"]["Notification"],
        original["hooks"]["Notification"]
    );
    assert_eq!(
        doc["hooks"]["PreToolUse"][0],
        original["hooks"]["PreToolUse"][0]
    );
    for hook in GIT_HOOKS {
        let path = repo.join(".git/hooks").join(hook);
        assert!(
            fs::read_to_string(&path)
                .unwrap()
                .contains("# git-vouch-managed")
        );
        assert_eq!(mode(&path), 0o755, "{hook}");
    }

    let second = sb.ok(&repo, &["init"]);
    assert_eq!(second.matches("already installed").count(), 5, "{second}");
    assert_eq!(sb.snapshot(), after_one, "a second init changed files");
}

#[test]
fn uninstall_restores_the_original_bytes() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let before_init = sb.snapshot();
    let settings = repo.join(".claude/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    fs::write(&settings, ODD_SETTINGS).unwrap();
    let with_settings = sb.snapshot();

    sb.ok(&repo, &["init"]);
    assert_ne!(fs::read_to_string(&settings).unwrap(), ODD_SETTINGS);
    let out = sb.ok(&repo, &["uninstall"]);
    assert!(out.contains("restored the original file"), "{out}");
    assert_eq!(
        sb.snapshot(),
        with_settings,
        "uninstall left changes behind"
    );

    // A settings file init created is removed again, with its folder.
    fs::remove_dir_all(repo.join(".claude")).unwrap();
    sb.ok(&repo, &["init"]);
    assert!(settings.is_file());
    sb.ok(&repo, &["uninstall"]);
    assert_eq!(sb.snapshot(), before_init, "uninstall left changes behind");
}

#[test]
fn uninstall_keeps_edits_made_after_init() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let settings = repo.join(".claude/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    fs::write(&settings, ODD_SETTINGS).unwrap();
    sb.ok(&repo, &["init"]);
    let mut doc = json(&settings);
    doc["added"] = Value::from("later");
    fs::write(&settings, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();

    let out = sb.ok(&repo, &["uninstall"]);
    assert!(out.contains("kept the rest"), "{out}");
    let mut expected: Value = serde_json::from_str(ODD_SETTINGS).unwrap();
    expected["added"] = Value::from("later");
    assert_eq!(json(&settings), expected);
}

#[test]
fn local_and_user_scopes() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.ok(&repo, &["init", "--local"]);
    assert_all_events_installed(&json(&repo.join(".claude/settings.local.json")));
    assert!(!repo.join(".claude/settings.json").exists());

    sb.ok(&repo, &["init", "--user"]);
    let user = sb.config().join("settings.json");
    assert_all_events_installed(&json(&user));
    assert!(
        !sb.root.join("home/.claude").exists(),
        "CLAUDE_CONFIG_DIR ignored"
    );

    let out = sb.vouch(&repo, &["uninstall", "--user"]);
    assert!(out.status.success());
    assert!(
        !user.exists(),
        "the user settings init created are not removed"
    );
    assert!(text(&out.stderr).contains("settings.local.json still runs git-vouch hooks"));
    sb.ok(&repo, &["uninstall", "--local"]);
    assert!(!repo.join(".claude").exists());
}

#[test]
fn dry_run_changes_nothing_and_prints_a_diff() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write_hook(&repo.join(".git/hooks/pre-push"), RECORDING_HOOK, 0o755);
    let before = sb.snapshot();
    let out = sb.ok(&repo, &["init", "--dry-run"]);
    assert_eq!(sb.snapshot(), before, "--dry-run changed files");
    assert!(
        out.contains("--- /dev/null\n+++ b/.claude/settings.json\n@@"),
        "{out}"
    );
    assert!(out.contains("git-vouch hook claude PreToolUse"), "{out}");
    assert!(out.contains("rename .git/hooks/pre-push to .git/hooks/pre-push.vouch-chained"));
    assert!(out.contains("+# git-vouch-managed"), "{out}");

    sb.ok(&repo, &["init"]);
    let installed = sb.snapshot();
    let out = sb.ok(&repo, &["uninstall", "--dry-run"]);
    assert_eq!(sb.snapshot(), installed, "--dry-run changed files");
    assert!(out.contains("+++ /dev/null"), "{out}");
}

#[test]
fn invalid_settings_json_is_reported_and_nothing_is_written() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let settings = repo.join(".claude/settings.json");
    fs::create_dir_all(settings.parent().unwrap()).unwrap();
    fs::write(&settings, "{\n  \"a\": 1,\n  oops\n}\n").unwrap();
    let before = sb.snapshot();
    let out = sb.vouch(&repo, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{}:3:", settings.display())), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");
    assert_eq!(sb.snapshot(), before, "a failed init wrote files");
}

#[test]
fn committed_hook_commands_exit_zero_without_git_vouch() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.ok(&repo, &["init"]);
    let doc = json(&repo.join(".claude/settings.json"));
    for event in EVENTS {
        let command = ours(&doc, event)[0]["hooks"][0]["command"]
            .as_str()
            .unwrap()
            .to_owned();
        for with_vouch in [false, true] {
            let mut child = sb
                .command("sh", &repo, with_vouch)
                .args(["-c", &command])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let payload = format!(
                r#"{{"session_id":"s1","hook_event_name":"{event}","cwd":"{}"}}"#,
                repo.display()
            );
            let _ = child.stdin.take().unwrap().write_all(payload.as_bytes());
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{event}, git-vouch on PATH: {with_vouch}"
            );
            if !with_vouch {
                assert!(out.stderr.is_empty(), "{event}: {}", text(&out.stderr));
            }
        }
    }
}

#[test]
fn status_reports_what_is_installed_and_fails_outside_a_repository() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write_hook(&repo.join(".git/hooks/pre-push"), RECORDING_HOOK, 0o755);
    sb.ok(&repo, &["init"]);
    fs::create_dir_all(repo.join(".git/vouch")).unwrap();
    fs::write(repo.join(".git/vouch/errors.log"), "t1 a: one\nt2 b: two\n").unwrap();

    let doc: Value = serde_json::from_str(&sb.ok(&repo, &["status", "--json"])).unwrap();
    assert_eq!(doc["schema"], "git-vouch/status@1");
    assert_eq!(doc["worktree"], repo.display().to_string());
    let states: Vec<(&str, &str)> = doc["git_hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("commit-msg", "installed"),
            ("post-commit", "installed"),
            ("post-rewrite", "installed"),
            ("pre-push", "chained")
        ]
    );
    let chained = repo.join(".git/hooks/pre-push.vouch-chained");
    assert_eq!(
        doc["git_hooks"][3]["chained"],
        chained.display().to_string()
    );
    assert_eq!(doc["settings"][0]["scope"], "project");
    assert_eq!(doc["settings"][0]["installed"].as_array().unwrap().len(), 9);
    assert_eq!(doc["settings"][0]["missing"], Value::Array(vec![]));
    assert_eq!(doc["settings"][1]["exists"], false);
    assert_eq!(
        doc["settings"][2]["path"],
        sb.config().join("settings.json").display().to_string()
    );
    assert_eq!(
        doc["state"]["path"],
        repo.join(".git/vouch").display().to_string()
    );
    assert_eq!(
        doc["last_errors"],
        serde_json::json!(["t1 a: one", "t2 b: two"])
    );
    assert_eq!(
        doc["on_path"],
        sb.root.join("bin/git-vouch").display().to_string()
    );

    let text_out = sb.ok(&repo, &["status"]);
    assert!(
        text_out.contains("pre-push      installed, then runs"),
        "{text_out}"
    );

    let outside = sb.root.join("home");
    for args in [&["status"][..], &["init"], &["uninstall"]] {
        let out = sb.vouch(&outside, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            text(&out.stderr).contains("not inside a git repository"),
            "{args:?}"
        );
    }
}

/// `man` on PATH; without it the test is skipped with a message, and fails under CI=true.
fn man_available() -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join("man").is_file()));
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "man is missing; under CI=true it must be installed (.ci/run installs man-db)"
        );
        eprintln!("skipping: man is not installed");
    }
    found
}

#[test]
fn git_vouch_help_through_git_opens_the_installed_manual_page() {
    if !man_available() {
        return;
    }
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    // An installed copy (not a link: the page goes beside the binary that runs).
    let bin = sb.root.join("prefix/bin");
    fs::create_dir_all(&bin).unwrap();
    fs::copy(env!("CARGO_BIN_EXE_git-vouch"), bin.join("git-vouch")).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin.clone()).chain(std::env::split_paths(&sb.path_var(false))),
    )
    .unwrap();
    let help = || {
        sb.command("git", &repo, false)
            .env("PATH", &path)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .args(["vouch", "--help"])
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let before = help();
    assert!(
        !text(&before.stdout).contains("GIT VOUCH SESSIONS"),
        "a page before install: {}",
        text(&before.stdout)
    );

    let out = sb
        .command(bin.join("git-vouch"), &repo, false)
        .env("PATH", &path)
        .args(["man", "--install"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = sb.root.join("prefix/share/man/man1/git-vouch.1");
    assert!(
        text(&out.stdout).contains(&page.display().to_string()),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(fs::read(&page).unwrap(), sb.vouch(&repo, &["man"]).stdout);

    let after = help();
    let shown = text(&after.stdout);
    assert!(after.status.success(), "{}", text(&after.stderr));
    for heading in ["git-vouch", "GIT VOUCH SESSIONS", "GIT VOUCH POLICY CHECK"] {
        assert!(shown.contains(heading), "no {heading} in:\n{shown}");
    }

    // --dir puts it elsewhere.
    let elsewhere = sb.root.join("man");
    sb.ok(
        &repo,
        &["man", "--install", "--dir", elsewhere.to_str().unwrap()],
    );
    assert!(elsewhere.join("man1/git-vouch.1").is_file());
}
