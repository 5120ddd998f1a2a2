//! git hooks: chaining a foreign hook with its arguments and stdin intact, `core.hooksPath`,
//! and linked worktrees.

use std::fs;
use std::io::Write;
use std::process::Stdio;

use super::sandbox::{GIT_HOOKS, RECORDING_HOOK, Sandbox, mode, text, write_hook};

#[test]
fn foreign_pre_push_is_chained_with_its_args_and_stdin() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let hook = repo.join(".git/hooks/pre-push");
    write_hook(&hook, RECORDING_HOOK, 0o750);
    let out = sb.ok(&repo, &["init"]);
    assert!(
        out.contains("pre-push.vouch-chained and still runs"),
        "{out}"
    );
    let chained = repo.join(".git/hooks/pre-push.vouch-chained");
    assert_eq!(fs::read_to_string(&chained).unwrap(), RECORDING_HOOK);
    assert_eq!(mode(&chained), 0o750);

    let stdin = "refs/heads/main 1111 refs/heads/main 2222\nrefs/tags/v1 3333 refs/tags/v1 0000\n";
    let args = ["origin", "https://example.com/r.git", "-x", "a b"];
    for with_vouch in [false, true] {
        let mut child = sb
            .command(&hook, &repo, with_vouch)
            .args(args)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        let got_args = fs::read_to_string(chained.with_extension("vouch-chained.args")).unwrap();
        assert_eq!(
            got_args.lines().collect::<Vec<_>>(),
            args,
            "git-vouch on PATH: {with_vouch}"
        );
        let got_stdin = fs::read_to_string(chained.with_extension("vouch-chained.stdin")).unwrap();
        assert_eq!(got_stdin, stdin, "git-vouch on PATH: {with_vouch}");
    }

    sb.ok(&repo, &["uninstall"]);
    assert_eq!(fs::read_to_string(&hook).unwrap(), RECORDING_HOOK);
    assert_eq!(mode(&hook), 0o750);
    assert!(!chained.exists());
}

#[test]
fn refuses_to_chain_when_the_chained_name_is_taken() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write_hook(&repo.join(".git/hooks/pre-push"), RECORDING_HOOK, 0o755);
    write_hook(
        &repo.join(".git/hooks/pre-push.vouch-chained"),
        "#!/bin/sh\n",
        0o755,
    );
    let before = sb.snapshot();
    let out = sb.vouch(&repo, &["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("pre-push.vouch-chained already exists"));
    assert_eq!(sb.snapshot(), before);
}

#[test]
fn relative_core_hooks_path_is_honoured() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.git(&repo, &["config", "core.hooksPath", ".husky"]);
    write_hook(&repo.join(".husky/pre-push"), RECORDING_HOOK, 0o755);
    fs::create_dir_all(repo.join("src/deep")).unwrap();
    sb.ok(&repo.join("src/deep"), &["init"]);
    for hook in GIT_HOOKS {
        assert!(repo.join(".husky").join(hook).is_file(), "{hook}");
        assert!(!repo.join(".git/hooks").join(hook).exists(), "{hook}");
    }
    let script = fs::read_to_string(repo.join(".husky/pre-push")).unwrap();
    let chained = repo.join(".husky/pre-push.vouch-chained");
    assert!(
        script.contains(&format!("--chain '{}'", chained.display())),
        "{script}"
    );
    sb.ok(&repo, &["uninstall"]);
    assert_eq!(
        fs::read_to_string(repo.join(".husky/pre-push")).unwrap(),
        RECORDING_HOOK
    );
    assert!(!repo.join(".husky/commit-msg").exists());
}

#[test]
fn linked_worktree_installs_into_the_common_hooks_dir() {
    let sb = Sandbox::new();
    let repo = sb.repo("main");
    sb.git(&repo, &["worktree", "add", "-q", "../wt"]);
    let wt = sb.root.join("wt");
    sb.ok(&wt, &["init"]);
    let hooks = repo.join(".git/hooks");
    for hook in GIT_HOOKS {
        assert!(hooks.join(hook).is_file(), "{hook}");
        assert!(!repo.join(".git/worktrees/wt/hooks").join(hook).exists());
    }
    assert!(wt.join(".claude/settings.json").is_file());
    let installed: Vec<Vec<u8>> = GIT_HOOKS
        .iter()
        .map(|h| fs::read(hooks.join(h)).unwrap())
        .collect();

    let out = sb.ok(&repo, &["init"]);
    for hook in GIT_HOOKS {
        assert!(
            out.contains(&format!(".git/hooks/{hook}: already installed")),
            "{out}"
        );
    }
    let again: Vec<Vec<u8>> = GIT_HOOKS
        .iter()
        .map(|h| fs::read(hooks.join(h)).unwrap())
        .collect();
    assert_eq!(again, installed);
}
