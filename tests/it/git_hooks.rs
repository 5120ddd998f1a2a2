//! The git side of capture with the real git: the session trailer, commit records with line
//! attribution, carrying sessions over amend and rebase, and what pre-push sees being pushed.

#![allow(clippy::unwrap_used)]

use crate::support::capture;
use crate::support::cli::TestEnv;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use git_vouch::capture::commit_record::CommitRecord;
use git_vouch::capture::state::{StateDir, read_json};
use git_vouch::git::paths::RepoPaths;

struct Repo {
    env: TestEnv,
    dir: PathBuf,
}

const HOOKS: [&str; 4] = ["commit-msg", "post-commit", "post-rewrite", "pre-push"];

impl Repo {
    fn new() -> Self {
        let env = TestEnv::new();
        let dir = env.root().join("repo");
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Self { env, dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.write("README.md", "hello\n");
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "initial"]);
        install_hooks(&repo.dir.join(".git/hooks"));
        repo
    }

    fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = self.env.program(program, &self.dir);
        c.args(args);
        c
    }

    fn git(&self, args: &[&str]) -> Output {
        let out = self.cmd("git", args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn stdout(&self, args: &[&str]) -> String {
        String::from_utf8(self.git(args).stdout)
            .unwrap()
            .trim()
            .to_owned()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn state(&self) -> StateDir {
        StateDir::new(RepoPaths::discover(&self.dir).unwrap())
    }

    /// Records, as the Claude Code hooks would, that `session` wrote `lines` into `path`.
    fn agent_wrote(&self, session: &str, path: &str, lines: &[&str]) {
        capture::agent_wrote(&self.state(), session, None, path, lines);
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["commit", "-q", "-m", message]);
        self.stdout(&["rev-parse", "HEAD"])
    }

    fn record(&self, sha: &str) -> Option<CommitRecord> {
        read_json(&self.state().commit_file(sha)).unwrap()
    }

    fn message(&self, sha: &str) -> String {
        self.stdout(&["log", "-1", "--format=%B", sha])
    }
}

fn install_hooks(dir: &Path) {
    let bin = env!("CARGO_BIN_EXE_git-vouch");
    for name in HOOKS {
        let chained = dir.join(format!("{name}.vouch-chained"));
        let chain = if chained.exists() {
            format!("--chain '{}' ", chained.display())
        } else {
            String::new()
        };
        let script = format!("#!/bin/sh\nexec '{bin}' hook git {name} {chain}-- \"$@\"\n");
        let path = dir.join(name);
        std::fs::write(&path, script).unwrap();
        make_executable(&path);
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn agent_lines_credit_the_session_and_are_consumed() {
    let repo = Repo::new();
    repo.agent_wrote("s1", "src/a.rs", &["fn a() {}", "fn b() {}"]);
    repo.write("src/a.rs", "// by hand\nfn a() {}\nfn b() {}\n");
    repo.git(&["add", "-A"]);
    let sha = repo.commit("Add a");
    assert!(
        repo.message(&sha).contains("Vouch-Session: s1"),
        "{}",
        repo.message(&sha)
    );
    let record = repo.record(&sha).expect("post-commit wrote a record");
    assert_eq!(record.sessions, ["s1"]);
    assert_eq!(record.source.name(), "recorded");
    let file = &record.files[0];
    assert_eq!(
        (file.path.as_str(), file.status.as_str()),
        ("src/a.rs", "added")
    );
    assert_eq!(file.ai_lines, vec![[2, 3]]);
    assert_eq!(file.human_lines, vec![[1, 1]]);

    // The same file changed later by a person: the finished session is not credited again.
    repo.write("src/a.rs", "// by hand\nfn a() {}\nfn b() {}\nfn c() {}\n");
    repo.git(&["add", "-A"]);
    let later = repo.commit("Add c by hand");
    assert!(!repo.message(&later).contains("Vouch-Session"));
    // The hooks saw it: its record says the new line is a person's.
    let record = repo
        .record(&later)
        .expect("post-commit records every commit");
    assert!(record.sessions.is_empty());
    assert_eq!(record.files[0].human_lines, vec![[4, 4]]);
    assert!(record.files[0].ai_lines.is_empty());
}

#[test]
fn each_commit_is_credited_to_its_own_session_only() {
    let repo = Repo::new();
    repo.agent_wrote("s1", "a.txt", &["alpha"]);
    repo.agent_wrote("s2", "b.txt", &["beta"]);
    repo.write("a.txt", "alpha\n");
    repo.write("b.txt", "beta\n");
    repo.git(&["add", "b.txt"]);
    let first = repo.commit("b");
    assert_eq!(repo.record(&first).unwrap().sessions, ["s2"]);
    repo.git(&["add", "a.txt"]);
    let second = repo.commit("a");
    assert_eq!(repo.record(&second).unwrap().sessions, ["s1"]);
    assert!(!repo.message(&second).contains("s2"));
}

#[test]
fn partial_commit_uses_gits_temporary_index() {
    let repo = Repo::new();
    repo.agent_wrote("s1", "a.txt", &["alpha"]);
    repo.write("a.txt", "alpha\n");
    repo.write("b.txt", "human\n");
    repo.git(&["add", "-A"]);
    // `git commit <path>` commits only b.txt through a temporary index (GIT_INDEX_FILE).
    repo.git(&["commit", "-q", "-m", "only b", "b.txt"]);
    let sha = repo.stdout(&["rev-parse", "HEAD"]);
    assert!(!repo.message(&sha).contains("Vouch-Session"));
    let next = repo.commit("now a");
    assert!(repo.message(&next).contains("Vouch-Session: s1"));
}

#[test]
fn no_verify_commit_is_still_recorded_and_trailer_is_idempotent() {
    let repo = Repo::new();
    repo.agent_wrote("s1", "a.txt", &["alpha"]);
    repo.write("a.txt", "alpha\n");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "skip hooks\n\nVouch-Session: s1",
    ]);
    let sha = repo.stdout(&["rev-parse", "HEAD"]);
    let message = repo.message(&sha);
    assert_eq!(message.matches("Vouch-Session").count(), 1, "{message}");
    assert_eq!(repo.record(&sha).unwrap().sessions, ["s1"]);
}

#[test]
fn merges_are_skipped() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", "side\n");
    repo.git(&["add", "-A"]);
    repo.commit("side");
    repo.git(&["checkout", "-q", "main"]);
    repo.agent_wrote("s1", "main.txt", &["main"]);
    repo.write("main.txt", "main\n");
    repo.git(&["add", "-A"]);
    repo.commit("main");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let merge = repo.stdout(&["rev-parse", "HEAD"]);
    assert!(!repo.message(&merge).contains("Vouch-Session"));
    assert!(repo.record(&merge).is_none());
}

#[test]
fn amend_and_rebase_carry_sessions_and_agent_lines() {
    let repo = Repo::new();
    repo.agent_wrote("s1", "a.txt", &["one", "two"]);
    repo.write("a.txt", "one\ntwo\n");
    repo.git(&["add", "-A"]);
    let original = repo.commit("a");
    repo.write("a.txt", "one\ntwo\nthree by hand\n");
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--amend", "-m", "a, amended"]);
    let amended = repo.stdout(&["rev-parse", "HEAD"]);
    assert_ne!(original, amended);
    assert!(
        repo.message(&amended).contains("Vouch-Session: s1"),
        "amend keeps the trailer"
    );
    let record = repo.record(&amended).expect("amended commit recorded");
    assert_eq!(record.sessions, ["s1"]);
    assert_eq!(record.files[0].ai_lines, vec![[1, 2]]);
    assert_eq!(record.files[0].human_lines, vec![[3, 3]]);

    // Rebase onto a new base commit on main.
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.write("base.txt", "base\n");
    repo.git(&["add", "-A"]);
    repo.commit("base");
    repo.git(&["checkout", "-q", "feature"]);
    repo.git(&["rebase", "-q", "main"]);
    let rebased = repo.stdout(&["rev-parse", "HEAD"]);
    assert_ne!(rebased, amended);
    let record = repo.record(&rebased).expect("rebased commit recorded");
    assert_eq!(record.sessions, ["s1"]);
    assert_eq!(record.files[0].ai_lines, vec![[1, 2]]);
}

#[test]
fn pre_push_sees_exactly_the_pushed_commits_and_chains_the_foreign_hook() {
    let repo = Repo::new();
    let remote = repo.dir.parent().unwrap().join("remote.git");
    repo.cmd("git", &["init", "-q", "--bare", remote.to_str().unwrap()])
        .output()
        .unwrap();
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.git(&["fetch", "-q", "origin"]);
    repo.git(&["remote", "set-head", "origin", "main"]);

    // A foreign pre-push hook (like git-lfs) that logs its arguments and stdin.
    let hooks = repo.dir.join(".git/hooks");
    let log = repo.dir.parent().unwrap().join("foreign.log");
    std::fs::write(
        hooks.join("pre-push.vouch-chained"),
        format!(
            "#!/bin/sh\necho \"args: $*\" > '{0}'\ncat >> '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    make_executable(&hooks.join("pre-push.vouch-chained"));
    install_hooks(&hooks);

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.agent_wrote("s1", "f.txt", &["feature"]);
    repo.write("f.txt", "feature\n");
    repo.git(&["add", "-A"]);
    let agent = repo.commit("agent work");
    repo.write("g.txt", "human\n");
    repo.git(&["add", "-A"]);
    let human = repo.commit("human work");

    let out = repo
        .cmd("git", &["push", "origin", "feature"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("git-vouch: pushing 2 commits to origin; 1 made with 1 agent session (s1)"),
        "{stderr}"
    );
    let pushes = std::fs::read_to_string(repo.state().pushes_file()).unwrap();
    let push: serde_json::Value = serde_json::from_str(pushes.lines().last().unwrap()).unwrap();
    assert_eq!(
        push["refs"][0]["commits"],
        serde_json::json!([agent, human])
    );
    assert_eq!(push["sessions"], serde_json::json!(["s1"]));
    let foreign = std::fs::read_to_string(&log).unwrap();
    assert!(
        foreign.starts_with(&format!("args: origin {}", remote.display())),
        "{foreign}"
    );
    assert!(
        foreign.contains(&format!(
            "refs/heads/feature {human} refs/heads/feature 0000000"
        )),
        "{foreign}"
    );
}

#[test]
fn a_failing_foreign_pre_push_still_blocks_the_push() {
    let repo = Repo::new();
    let remote = repo.dir.parent().unwrap().join("remote.git");
    repo.cmd("git", &["init", "-q", "--bare", remote.to_str().unwrap()])
        .output()
        .unwrap();
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    let hooks = repo.dir.join(".git/hooks");
    std::fs::write(
        hooks.join("pre-push.vouch-chained"),
        "#!/bin/sh\ncat >/dev/null\nexit 3\n",
    )
    .unwrap();
    make_executable(&hooks.join("pre-push.vouch-chained"));
    install_hooks(&hooks);
    let out = repo
        .cmd("git", &["push", "origin", "main"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "the foreign hook's refusal stands");
}

/// Hook panics are reached through `GIT_VOUCH_TEST_PANIC`, which only debug builds honour (the
/// binary is built in the same profile as this test).
#[cfg(debug_assertions)]
mod panics {
    use super::*;

    const BIN: &str = env!("CARGO_BIN_EXE_git-vouch");

    /// The one line a panicking hook prints, the logged line, and `git vouch status` showing it.
    fn assert_reported(repo: &Repo, hook: &str, stderr: &str) {
        let log_path = repo.state().errors_log();
        let line = format!(
            "git-vouch: internal error in the {hook} hook, logged to {}; git goes on",
            log_path.display()
        );
        let ours: Vec<&str> = stderr.lines().filter(|l| l.contains("git-vouch")).collect();
        assert_eq!(ours, [line.as_str()], "{stderr}");
        assert!(!stderr.contains("panicked"), "no panic message: {stderr}");
        assert!(!stderr.contains("backtrace"), "no backtrace: {stderr}");
        let logged = std::fs::read_to_string(&log_path).unwrap();
        let expected = format!(
            " git {hook}: internal error: test panic in the {hook} hook (GIT_VOUCH_TEST_PANIC) \
             (at src/capture/hook_panic.rs:"
        );
        let entry = logged.lines().find(|l| l.contains(&expected));
        assert!(entry.is_some(), "{logged}");
        let status = repo.cmd(BIN, &["status"]).output().unwrap();
        let shown = String::from_utf8_lossy(&status.stdout);
        assert!(status.status.success(), "{shown}");
        assert!(shown.contains(entry.unwrap()), "{shown}");
    }

    #[test]
    fn a_panicking_commit_msg_hook_is_logged_and_the_commit_goes_on() {
        let repo = Repo::new();
        repo.agent_wrote("s1", "a.txt", &["alpha"]);
        repo.write("a.txt", "alpha\n");
        repo.git(&["add", "-A"]);
        let out = repo
            .cmd("git", &["commit", "-q", "-m", "Add a"])
            .env("GIT_VOUCH_TEST_PANIC", "commit-msg")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let head = repo.stdout(&["rev-parse", "HEAD"]);
        assert_eq!(
            repo.message(&head),
            "Add a",
            "the panicked hook added nothing"
        );
        assert_reported(&repo, "commit-msg", &stderr);
    }

    #[test]
    fn a_panicking_pre_push_hook_lets_the_push_through_and_the_chained_hook_decide() {
        let repo = Repo::new();
        let remote = repo.dir.parent().unwrap().join("remote.git");
        repo.cmd("git", &["init", "-q", "--bare", remote.to_str().unwrap()])
            .output()
            .unwrap();
        repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
        let hooks = repo.dir.join(".git/hooks");
        let chained = hooks.join("pre-push.vouch-chained");
        let ran = repo.dir.parent().unwrap().join("foreign-ran");
        let foreign = |exit: u8| {
            let script = format!(
                "#!/bin/sh\ncat >/dev/null\ntouch '{}'\nexit {exit}\n",
                ran.display()
            );
            std::fs::write(&chained, script).unwrap();
            make_executable(&chained);
        };
        foreign(0);
        install_hooks(&hooks);
        let push = |branch: &str| {
            repo.cmd("git", &["push", "origin", branch])
                .env("GIT_VOUCH_TEST_PANIC", "pre-push")
                .stdin(Stdio::null())
                .output()
                .unwrap()
        };

        let out = push("main");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let pushed = repo.stdout(&["ls-remote", "origin", "refs/heads/main"]);
        let head = repo.stdout(&["rev-parse", "HEAD"]);
        assert!(pushed.starts_with(&head), "{pushed}");
        assert!(ran.exists(), "the chained hook still runs after our panic");
        assert!(
            !repo.state().pushes_file().exists(),
            "the handler did not run"
        );
        assert_reported(&repo, "pre-push", &stderr);

        // A refusal by the chained hook is a decision, and still stops the push.
        foreign(3);
        repo.git(&["checkout", "-q", "-b", "feature"]);
        let out = push("feature");
        assert!(!out.status.success(), "the chained hook's refusal stands");
        let remote_refs = repo.stdout(&["ls-remote", "origin"]);
        assert!(!remote_refs.contains("feature"), "{remote_refs}");
    }
}
