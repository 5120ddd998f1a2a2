//! `git-vouch hook claude <event>` as Claude Code runs it: the real binary, the payload on stdin,
//! a temporary repository made with the real git. Recorded payloads from the harness are replayed
//! with their paths moved into the temporary repository.

#![allow(clippy::unwrap_used)]

use crate::support::cli::TestEnv;
use crate::support::shared;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use git_vouch::capture::record::{EditKind, EditLine, EditRecord, SessionRecord};
use git_vouch::capture::state::{file_id, read_ledger};
use git_vouch::fingerprint::line_hash;
use serde_json::{Value, json};

const RECORDED_REPO: &str = "/home/dev/demo/repo";
const RECORDED_PROJECTS: &str = "/home/dev/demo/home/.claude/projects/-home-dev-demo-repo";
const BANNER: &str = r#"{"systemMessage":"git-vouch: recording this session"}"#;
/// The events the handler records (any other, like PostToolBatch, is ignored).
const RECORDED: [&str; 11] = [
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "PostCompact",
    "Stop",
    "SessionEnd",
];

struct Env {
    sandbox: TestEnv,
    repo: PathBuf,
    projects: PathBuf,
}

impl Env {
    fn new() -> Self {
        let sandbox = TestEnv::new();
        let repo = sandbox.root().join("repo");
        let projects = sandbox.projects();
        std::fs::create_dir_all(&repo).unwrap();
        let env = Self {
            sandbox,
            repo,
            projects,
        };
        env.git(&["init", "-q", "-b", "main"]);
        env.write(".gitignore", "target/\n");
        env.write("README.md", "hello\n");
        env.write("old.txt", "to be deleted\n");
        env.git(&["add", "-A"]);
        env.git(&["commit", "-q", "-m", "initial"]);
        env
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut c = self.sandbox.program(program, &self.repo);
        c.args(args);
        c
    }

    fn git(&self, args: &[&str]) {
        let out = self.command("git", args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// Waits, polling, until a file written now gets a later change time than every file in
    /// the worktree: the filesystem's clock tick has visibly passed them, so a snapshot taken
    /// next never shares their tick (however coarse the filesystem's timestamps are).
    fn wait_for_next_tick(&self) {
        let latest = latest_change(&self.repo);
        let probe = self.sandbox.root().join("tick");
        let started = std::time::Instant::now();
        loop {
            std::fs::write(&probe, "tick").unwrap();
            if change_ns(&std::fs::metadata(&probe).unwrap()) > latest {
                return;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "the filesystem's clock did not tick"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.repo.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs one hook with `stdin` piped in (written from a thread: it may be large).
    fn hook_bytes(&self, event: &str, stdin: Vec<u8>) -> Output {
        let exe = env!("CARGO_BIN_EXE_git-vouch");
        let mut child = self
            .command(exe, &["hook", "claude", event])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&stdin);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        assert_eq!(out.status.code(), Some(0), "{event}: {out:?}");
        out
    }

    fn hook(&self, event: &str, payload: &Value) -> Output {
        self.hook_bytes(event, serde_json::to_vec(payload).unwrap())
    }

    fn state(&self) -> PathBuf {
        self.repo.join(".git/vouch")
    }

    fn events(&self, sid: &str) -> Vec<Value> {
        let path = self.state().join(format!("events/{}.jsonl", file_id(sid)));
        let (rows, problems) = read_ledger::<Value>(&path);
        assert!(problems.is_empty(), "{problems:?}");
        rows
    }

    fn edits(&self, sid: &str) -> Vec<EditRecord> {
        let path = self.state().join(format!("edits/{}.jsonl", file_id(sid)));
        let (rows, problems) = read_ledger::<EditLine>(&path);
        assert!(problems.is_empty(), "{problems:?}");
        rows.into_iter()
            .filter_map(|l| match l {
                EditLine::Edit(e) => Some(e),
                EditLine::Consumed(_) => None,
            })
            .collect()
    }

    fn session(&self, sid: &str) -> SessionRecord {
        let path = self.state().join(format!("sessions/{}.json", file_id(sid)));
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn errors(&self) -> String {
        std::fs::read_to_string(self.state().join("errors.log")).unwrap_or_default()
    }

    /// A payload for this repository.
    fn payload(&self, sid: &str, event: &str, extra: &Value) -> Value {
        let mut p = json!({
            "session_id": sid,
            "transcript_path": self.projects.join(format!("{sid}.jsonl")),
            "cwd": self.repo,
            "hook_event_name": event,
        });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    }

    /// The payloads of a harness sample, paths moved here and its transcripts copied here.
    fn sample(&self, name: &str) -> Option<Vec<Value>> {
        let dir = shared::shared(&format!("claude-code-harness/samples/{name}"))?;
        shared::copy_tree(&dir.join("transcripts"), &self.projects);
        let text = std::fs::read_to_string(dir.join("hooks.jsonl")).unwrap();
        let projects = self.projects.to_str().unwrap();
        let repo = self.repo.to_str().unwrap();
        let rows = text.lines().map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            let stdin = row["stdin"].to_string();
            let moved = stdin
                .replace(RECORDED_PROJECTS, projects)
                .replace(RECORDED_REPO, repo);
            serde_json::from_str(&moved).unwrap()
        });
        Some(rows.collect())
    }

    /// Replays payloads in order, doing the Write calls' writes like Claude Code would.
    fn replay(&self, payloads: &[Value]) {
        for p in payloads {
            let event = p["hook_event_name"].as_str().unwrap();
            if event == "PostToolUse" && p["tool_name"] == "Write" {
                let path = Path::new(p["tool_input"]["file_path"].as_str().unwrap());
                std::fs::write(path, p["tool_input"]["content"].as_str().unwrap()).unwrap();
            }
            let out = self.hook(event, p);
            let stdout = String::from_utf8(out.stdout).unwrap();
            if event == "SessionStart" {
                assert_eq!(stdout, format!("{BANNER}\n"));
                serde_json::from_str::<Value>(&stdout).unwrap();
            } else {
                assert_eq!(stdout, "", "{event} printed something");
            }
        }
    }
}

fn recorded(payloads: &[Value]) -> Vec<(String, Value)> {
    payloads
        .iter()
        .filter(|p| RECORDED.contains(&p["hook_event_name"].as_str().unwrap()))
        .map(|p| {
            (
                p["hook_event_name"].as_str().unwrap().to_owned(),
                p["tool_use_id"].clone(),
            )
        })
        .collect()
}

fn ledger_shape(events: &[Value]) -> Vec<(String, Value)> {
    events
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["tool_use_id"].clone(),
            )
        })
        .collect()
}

#[test]
fn replays_a_recorded_write_commit_read_session() {
    let env = Env::new();
    let Some(payloads) = env.sample("v2.1.197_write_commit_read") else {
        return;
    };
    env.replay(&payloads);
    let sid = payloads[0]["session_id"].as_str().unwrap();
    let events = env.events(sid);
    assert_eq!(ledger_shape(&events), recorded(&payloads));
    let write = &events[3];
    assert_eq!(
        (write["tool"].as_str(), write["ok"].as_bool()),
        (Some("Write"), Some(true))
    );
    assert_eq!(write["files"], json!(["hello.txt"]));
    assert_eq!(events[1]["summary"], "create hello.txt and commit it");

    let edits = env.edits(sid);
    assert_eq!(edits.len(), 1, "{edits:?}");
    let e = &edits[0];
    assert_eq!(
        (e.path.as_str(), e.kind, e.tool.as_str()),
        ("hello.txt", EditKind::Lines, "Write")
    );
    assert_eq!(e.lines.len(), 1);
    assert_eq!(
        (e.lines[0].line, e.lines[0].hash),
        (1, line_hash("hello world"))
    );
    assert_eq!(e.tool_use_id, "toolu_01twypDkEYPdQujbIwgHfG3E");

    let session = env.session(sid);
    assert_eq!(session.source.as_deref(), Some("startup"));
    assert_eq!(session.end_reason.as_deref(), Some("other"));
    assert!(session.ended_at.is_some() && session.started_at <= session.last_event_at);
    let name = format!("{sid}.jsonl");
    let copy = std::fs::read(env.state().join("transcripts").join(sid).join(&name)).unwrap();
    assert_eq!(copy, std::fs::read(env.projects.join(&name)).unwrap());
    assert_eq!(env.errors(), "");
    assert_eq!(
        std::fs::read_dir(env.state().join("snapshots"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn replays_a_recorded_subagent_session() {
    let env = Env::new();
    let Some(payloads) = env.sample("v2.1.197_subagent") else {
        return;
    };
    env.replay(&payloads);
    let sid = payloads[0]["session_id"].as_str().unwrap();
    let events = env.events(sid);
    assert_eq!(ledger_shape(&events), recorded(&payloads));
    let agent = "a5927760d7329ed89";
    let from_agent: Vec<&str> = events
        .iter()
        .filter(|e| e["agent_id"] == agent)
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        from_agent,
        [
            "SubagentStart",
            "PreToolUse",
            "PostToolUse",
            "PreToolUse",
            "PostToolUse",
            "SubagentStop"
        ]
    );
    assert!(
        events
            .iter()
            .filter(|e| e["agent_id"] == agent)
            .all(|e| e["agent_type"] == "general-purpose")
    );
    let edits = env.edits(sid);
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].path.as_str(), edits[0].agent_id.as_deref()),
        ("notes.txt", Some(agent))
    );
    assert_eq!(edits[0].lines[0].hash, line_hash("subagent notes"));
    let sub = format!("transcripts/{sid}/{sid}/subagents/agent-{agent}");
    for ext in ["jsonl", "meta.json"] {
        assert!(
            env.state().join(format!("{sub}.{ext}")).is_file(),
            "{sub}.{ext}"
        );
    }
    assert_eq!(env.errors(), "");
}

/// When an inode last changed (ctime), in nanoseconds.
fn change_ns(meta: &std::fs::Metadata) -> i128 {
    use std::os::unix::fs::MetadataExt;
    i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec())
}

/// The latest change time of anything under `dir`, `.git` aside.
fn latest_change(dir: &Path) -> i128 {
    let mut latest = i128::MIN;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == ".git" {
            continue;
        }
        let meta = entry.metadata().unwrap();
        latest = latest.max(change_ns(&meta));
        if meta.is_dir() {
            latest = latest.max(latest_change(&entry.path()));
        }
    }
    latest
}

fn bash(env: &Env, sid: &str, event: &str, id: &str) -> Output {
    let extra = json!({"tool_name": "Bash", "tool_use_id": id,
                       "tool_input": {"command": "make   things\n  happen", "description": "Build"},
                       "tool_response": {"stdout": "", "stderr": "", "interrupted": false}});
    env.hook(event, &env.payload(sid, event, &extra))
}

#[test]
fn bash_calls_record_the_files_they_changed() {
    let env = Env::new();
    // Changes are told by inode change times: keep earlier writes out of the snapshot's tick.
    let settle = || env.wait_for_next_tick();
    settle();
    bash(&env, "s1", "PreToolUse", "toolu_a");
    env.write("README.md", "hello\nmore\n");
    env.write("src/new.rs", "fn main() {}\n");
    env.write("target/debug/ignored", "build output\n");
    std::fs::remove_file(env.repo.join("old.txt")).unwrap();
    bash(&env, "s1", "PostToolUse", "toolu_a");

    settle();
    bash(&env, "s1", "PreToolUse", "toolu_b");
    env.write("partial.txt", "written before failing\n");
    bash(&env, "s1", "PostToolUseFailure", "toolu_b");

    let events = env.events("s1");
    assert_eq!(
        events[1]["files"],
        json!(["README.md", "old.txt", "src/new.rs"])
    );
    assert_eq!(events[1]["summary"], "make things happen");
    assert_eq!(
        (events[3]["ok"].as_bool(), &events[3]["files"]),
        (Some(false), &json!(["partial.txt"]))
    );
    let kinds: Vec<(String, EditKind)> = env
        .edits("s1")
        .into_iter()
        .map(|e| (e.path, e.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("src/new.rs".to_owned(), EditKind::WholeFile),
            ("README.md".to_owned(), EditKind::WholeFile),
            ("old.txt".to_owned(), EditKind::Deleted),
            ("partial.txt".to_owned(), EditKind::WholeFile),
        ]
    );
    assert_eq!(
        std::fs::read_dir(env.state().join("snapshots"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(env.errors(), "");
}

fn edit_payload(env: &Env, sid: &str, file: &Path, id: &str) -> Value {
    env.payload(sid, "PostToolUse", &json!({
        "tool_name": "Edit", "tool_use_id": id, "duration_ms": 3,
        "tool_input": {"file_path": file, "old_string": "a", "new_string": "b"},
        "tool_response": {"filePath": file, "structuredPatch": [
            {"oldStart": 2, "oldLines": 1, "newStart": 2, "newLines": 2, "lines": ["-a", "+b", "+c"]}]}
    }))
}

#[test]
fn edits_in_a_linked_worktree_land_in_that_worktrees_state() {
    let env = Env::new();
    let wt = env.sandbox.root().join("wt");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "feature",
        wt.to_str().unwrap(),
    ]);
    let file = wt.join("src/lib.rs");
    env.hook("PostToolUse", &edit_payload(&env, "s1", &file, "toolu_w"));
    let wt_state = env.repo.join(".git/worktrees/wt/vouch");
    let (rows, _) = read_ledger::<EditLine>(&wt_state.join("edits/s1.jsonl"));
    let EditLine::Edit(e) = &rows[0] else {
        panic!("{rows:?}")
    };
    assert_eq!((e.path.as_str(), e.removed), ("src/lib.rs", 1));
    assert_eq!(e.lines.iter().map(|l| l.line).collect::<Vec<_>>(), [2, 3]);
    assert!(!env.state().join("edits").exists());
    // A file outside every repository is not attributed; the event is still recorded.
    env.hook(
        "PostToolUse",
        &edit_payload(&env, "s1", Path::new("/nowhere/x.rs"), "toolu_x"),
    );
    let events = env.events("s1");
    assert_eq!((events.len(), events[0]["files"].is_null()), (1, true));
}

#[test]
fn parallel_hooks_lose_nothing() {
    let env = Env::new();
    let file = env.repo.join("README.md");
    std::thread::scope(|s| {
        for t in 0..8 {
            let env = &env;
            let file = &file;
            s.spawn(move || {
                for i in 0..50 {
                    let p = edit_payload(env, "shared", file, &format!("toolu_{t}_{i}"));
                    let out = env.hook("PostToolUse", &p);
                    assert!(out.stdout.is_empty());
                }
            });
        }
    });
    let events = env.events("shared");
    assert_eq!(events.len(), 400);
    let mut ids: Vec<&str> = events
        .iter()
        .map(|e| e["tool_use_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((ids.len(), env.edits("shared").len()), (400, 400));
    assert_eq!(env.session("shared").session_id, "shared");
    assert_eq!(env.errors(), "");
}

#[test]
fn unknown_events_and_fields_are_ignored() {
    let env = Env::new();
    for event in ["Notification", "PostToolBatch", "SomethingNew"] {
        let out = env.hook(event, &env.payload("s1", event, &json!({"message": "hi"})));
        assert!(out.stdout.is_empty());
    }
    assert!(!env.state().exists());
    let odd = json!({"brand_new": {"x": [1, 2]}, "duration_ms": "soon", "tool_input": "text",
                     "tool_response": [1], "prompt": 7, "tool_name": "Edit"});
    let out = env.hook("PostToolUse", &env.payload("s1", "PostToolUse", &odd));
    assert!(out.stdout.is_empty());
    assert_eq!(env.events("s1").len(), 1);
    assert_eq!(env.errors(), "");
}

/// Starts a session with one recorded event and returns the ledger's bytes.
fn started(env: &Env) -> Vec<u8> {
    let out = env.hook(
        "SessionStart",
        &env.payload("s1", "SessionStart", &json!({"source": "startup"})),
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), BANNER);
    std::fs::read(env.state().join("events/s1.jsonl")).unwrap()
}

/// Sends bad stdin: exit 0 (checked by `hook_bytes`), nothing printed, `expected` logged, the
/// earlier ledger kept.
fn rejects(env: &Env, before: &[u8], stdin: Vec<u8>, expected: &str) {
    let out = env.hook_bytes("PreToolUse", stdin);
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    let errors = env.errors();
    assert!(
        errors.lines().last().unwrap_or("").contains(expected),
        "{expected:?} not in {errors}"
    );
    assert!(
        std::fs::read(env.state().join("events/s1.jsonl"))
            .unwrap()
            .starts_with(before)
    );
}

#[test]
fn bad_payloads_are_logged_and_nothing_is_lost() {
    let env = Env::new();
    let before = started(&env);
    rejects(
        &env,
        &before,
        b"this is not json".to_vec(),
        "not valid hook JSON",
    );
    rejects(&env, &before, Vec::new(), "empty payload");
    let good = serde_json::to_vec(&env.payload("s1", "PreToolUse", &json!({"tool_name": "Read"})))
        .unwrap();
    rejects(
        &env,
        &before,
        good[..good.len() / 2].to_vec(),
        "not valid hook JSON",
    );
    rejects(&env, &before, b"[1, 2, 3]".to_vec(), "not valid hook JSON");
    let missing =
        serde_json::to_vec(&json!({"cwd": env.repo, "hook_event_name": "PreToolUse"})).unwrap();
    rejects(
        &env,
        &before,
        missing,
        "missing session id; nothing recorded",
    );
    assert_eq!(env.events("s1").len(), 1);
}

#[test]
fn a_huge_payload_is_drained_and_ignored() {
    let env = Env::new();
    let before = started(&env);
    let mut huge = br#"{"session_id":"s1","prompt":""#.to_vec();
    huge.resize(100 * 1024 * 1024, b'x');
    rejects(&env, &before, huge, "payload too large (104857600 bytes)");
    assert_eq!(env.events("s1").len(), 1);
}

#[test]
fn a_session_id_with_path_separators_stays_inside_the_state_folder() {
    let env = Env::new();
    let sid = "../../../escape/x";
    let out = env.hook(
        "UserPromptSubmit",
        &env.payload(sid, "UserPromptSubmit", &json!({"prompt": "hi"})),
    );
    assert!(out.stdout.is_empty());
    assert!(
        env.errors().contains("is not a plain file name; stored as"),
        "{}",
        env.errors()
    );
    assert_eq!(env.session(sid).session_id, sid);
    assert_eq!(env.events(sid).len(), 1);
    assert!(!env.sandbox.root().join("escape").exists() && !env.repo.join("escape").exists());
    for dir in ["sessions", "events"] {
        for entry in std::fs::read_dir(env.state().join(dir)).unwrap() {
            assert!(
                !entry
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("..")
            );
        }
    }
}

#[test]
fn a_missing_or_unreadable_transcript_is_logged_at_stop() {
    let env = Env::new();
    let before = started(&env);
    let out = env.hook(
        "Stop",
        &env.payload("s1", "Stop", &json!({"stop_hook_active": false})),
    );
    assert!(out.stdout.is_empty());
    assert!(
        env.errors()
            .contains("is missing or not a file; not copied"),
        "{}",
        env.errors()
    );
    // A folder where the transcript should be cannot be read as one.
    std::fs::create_dir_all(env.projects.join("s1.jsonl")).unwrap();
    env.hook(
        "SessionEnd",
        &env.payload("s1", "SessionEnd", &json!({"reason": "other"})),
    );
    assert_eq!(env.errors().lines().count(), 2);
    let events = std::fs::read(env.state().join("events/s1.jsonl")).unwrap();
    assert!(events.starts_with(&before));
    assert_eq!(env.events("s1").len(), 3);
    assert_eq!(env.session("s1").end_reason.as_deref(), Some("other"));
}

#[test]
fn transcripts_are_copied_incrementally_and_rewrites_keep_the_old_copy() {
    let env = Env::new();
    let source = env.projects.join("s1.jsonl");
    std::fs::write(&source, "{\"n\":1}\n").unwrap();
    let stop = env.payload("s1", "Stop", &json!({}));
    env.hook("Stop", &stop);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&source)
        .unwrap();
    f.write_all(b"{\"n\":2}\n").unwrap();
    env.hook(
        "PreCompact",
        &env.payload("s1", "PreCompact", &json!({"trigger": "auto"})),
    );
    let copy = env.state().join("transcripts/s1/s1.jsonl");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&source).unwrap()
    );
    std::fs::write(&source, "{\"rewritten\":true}\n").unwrap();
    env.hook("Stop", &stop);
    assert_eq!(
        std::fs::read_to_string(&copy).unwrap(),
        "{\"rewritten\":true}\n"
    );
    let kept = std::fs::read_to_string(copy.with_file_name("s1.jsonl.1")).unwrap();
    assert_eq!(kept, "{\"n\":1}\n{\"n\":2}\n");
    assert_eq!(env.errors(), "");
}

#[test]
fn an_unwritable_state_folder_or_no_repository_is_silent() {
    let env = Env::new();
    std::fs::write(env.state(), "a file where the state folder should be").unwrap();
    for event in ["SessionStart", "PreToolUse", "Stop"] {
        let out = env.hook(
            event,
            &env.payload("s1", event, &json!({"source": "startup"})),
        );
        assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    }
    assert!(env.state().is_file());

    // A worktree whose git dir is gone: nothing is created in its place.
    let broken = env.sandbox.root().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    let gone = env.sandbox.root().join("gone/.git/worktrees/x");
    std::fs::write(broken.join(".git"), format!("gitdir: {}\n", gone.display())).unwrap();
    let mut p = env.payload("s3", "SessionStart", &json!({}));
    p["cwd"] = json!(broken);
    assert!(env.hook("SessionStart", &p).stdout.is_empty());
    assert!(!env.sandbox.root().join("gone").exists());

    let outside = env.sandbox.root().join("not-a-repo");
    std::fs::create_dir_all(&outside).unwrap();
    let mut p = env.payload("s2", "SessionStart", &json!({}));
    p["cwd"] = json!(outside);
    let out = env.hook("SessionStart", &p);
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn corrupt_ledger_lines_and_records_keep_earlier_data() {
    let env = Env::new();
    let before = started(&env);
    let ledger = env.state().join("events/s1.jsonl");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&ledger)
        .unwrap();
    f.write_all(b"{\"ts\": broken}\n").unwrap();
    env.hook(
        "UserPromptSubmit",
        &env.payload("s1", "UserPromptSubmit", &json!({"prompt": "a"})),
    );
    assert!(
        env.errors().contains("its last line is not valid JSON"),
        "{}",
        env.errors()
    );
    f.write_all(b"{\"ts\": \"torn").unwrap();
    env.hook(
        "UserPromptSubmit",
        &env.payload("s1", "UserPromptSubmit", &json!({"prompt": "b"})),
    );
    assert!(
        env.errors().contains("its last line was cut off"),
        "{}",
        env.errors()
    );
    let bytes = std::fs::read(&ledger).unwrap();
    assert!(bytes.starts_with(&before));
    let (rows, problems) = read_ledger::<Value>(&ledger);
    assert_eq!((rows.len(), problems.len()), (3, 2));
    assert_eq!(rows[2]["summary"], "b");

    let session = env.state().join("sessions/s1.json");
    std::fs::write(&session, "{ not json").unwrap();
    env.hook("Stop", &env.payload("s1", "Stop", &json!({})));
    assert!(env.errors().contains("is corrupt"), "{}", env.errors());
    assert_eq!(
        std::fs::read_to_string(session.with_extension("json.corrupt")).unwrap(),
        "{ not json"
    );
    assert_eq!(env.session("s1").session_id, "s1");
}

#[test]
fn a_resume_keeps_how_the_session_started_and_ended() {
    // `--fork-session` sends SessionStart (resume) with the parent's id; the parent does not end
    // again, so its record must keep its end.
    let env = Env::new();
    let start = |source: &str| env.payload("s1", "SessionStart", &json!({"source": source}));
    env.hook("SessionStart", &start("startup"));
    env.hook(
        "SessionEnd",
        &env.payload("s1", "SessionEnd", &json!({"reason": "other"})),
    );
    let ended = env.session("s1");
    let out = env.hook("SessionStart", &start("resume"));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), BANNER);
    let resumed = env.session("s1");
    assert_eq!(resumed.source.as_deref(), Some("startup"));
    assert_eq!(
        (resumed.ended_at, resumed.end_reason),
        (ended.ended_at, ended.end_reason)
    );
    assert!(resumed.last_event_at > ended.last_event_at);
    let compact = env.hook("SessionStart", &start("compact"));
    assert!(compact.stdout.is_empty(), "no banner after compaction");
}

/// SessionStart records what governed the agent: the repository's and the user's instruction
/// files and settings (hooks and MCP commands as digests only), as the session starts; a
/// `compact` start does not record it again; the record reaches the evidence.
#[test]
fn session_start_records_the_agents_configuration() {
    let env = Env::new();
    env.write("CLAUDE.md", "# Conventions\n");
    env.write(
        ".mcp.json",
        r#"{"mcpServers":{"tracker":{"command":"tracker-mcp","args":["--key","SECRET"]}}}"#,
    );
    let user = &env.sandbox.claude_config;
    std::fs::write(
        user.join("settings.json"),
        r#"{"permissions":{"defaultMode":"plan","deny":["Bash(rm:*)"]}}"#,
    )
    .unwrap();
    started(&env);
    let path = env.state().join("config/s1.json");
    let config: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(config["instructions"][0]["path"], "CLAUDE.md", "{config}");
    assert_eq!(config["instructions"][0]["scope"], "project");
    assert_eq!(config["settings"][0]["path"], "~/.claude/settings.json");
    assert_eq!(config["settings"][0]["default_mode"], "plan");
    assert_eq!(config["settings"][0]["deny"], json!(["Bash(rm:*)"]));
    assert_eq!(config["mcp_servers"][0]["name"], "tracker");
    assert!(!config.to_string().contains("SECRET"), "{config}");
    // A compaction restarts the session without touching what it recorded.
    env.write("CLAUDE.md", "# Conventions, changed\n");
    let before = std::fs::read(&path).unwrap();
    env.hook(
        "SessionStart",
        &env.payload("s1", "SessionStart", &json!({"source": "compact"})),
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A resume records the configuration as it is then.
    env.hook(
        "SessionStart",
        &env.payload("s1", "SessionStart", &json!({"source": "resume"})),
    );
    assert_ne!(std::fs::read(&path).unwrap(), before);
    assert_eq!(env.errors(), "");
}
