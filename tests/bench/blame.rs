//! Benchmark: `git vouch blame` of a 5,000-line file with 200 commits of history (target: at most
//! 300 ms median, warm index), beside `git blame -M -C --porcelain` (the walk it builds on) and,
//! when its binary is given, git-ai's `git-ai blame` over the same history with its own notes.
//!
//! Run with `cargo build --release && cargo bench --bench blame` (`-- --runs N`,
//! `-- --git-ai PATH` for the peer: git-ai 1.6.24 built from its repository with
//! `cargo build --release`; its daemon runs in the benchmark's home and is shut down at the end). It builds a repository in a temporary folder with
//! git-vouch's hooks installed: 20 agent sessions make 140 commits (7 prompts each, one Edit per
//! prompt, the lines in the session's edit ledger as the capture hooks write them, and a Claude
//! Code transcript of about 1.5 MB each in a temporary `CLAUDE_CONFIG_DIR`), a person makes 60.
//! Every commit inserts 25 lines at a varying place in `src/big.rs`, and every fifth rewrites a
//! line of an earlier one, so the file ends with 5,000 lines from 200 commits. The blame's figures
//! are checked (5,000 lines; 3,500 agent lines named with their session and prompt, 1,500 a
//! person's) before anything is timed.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

#[path = "support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use git_vouch::capture::record::{EditKind, EditLine, EditRecord, LineRef};
use git_vouch::capture::state::{StateDir, append_json};
use git_vouch::fingerprint::line_hash;
use git_vouch::git::paths::RepoPaths;
use serde_json::{Value, json};

const SESSIONS: usize = 20;
const PROMPTS: usize = 7;
const PERSON_COMMITS: usize = 60;
const LINES_PER_COMMIT: usize = 25;
const FILE: &str = "src/big.rs";
/// A large tool result in each prompt, so transcripts weigh what real ones do.
const READ_BYTES: usize = 200 * 1024;
const TARGET_MS: f64 = 300.0;

struct World {
    root: PathBuf,
    repo: PathBuf,
    /// Lines of the file an agent wrote, as the generator knows them.
    agent_lines: usize,
    /// git-ai records the history too.
    git_ai: bool,
}

impl World {
    fn cmd(&self, program: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        let path = format!(
            "{}:{}",
            support::bin().parent().unwrap().display(),
            std::env::var("PATH").unwrap()
        );
        c.args(args)
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
            .env("TZ", "UTC")
            .env("NO_COLOR", "1");
        c
    }

    fn run(&self, program: &Path, args: &[&str], env: &[(&str, String)]) -> Output {
        let out = self
            .cmd(program, args)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{} {args:?}: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn git(&self, args: &[&str], who: &str, at: DateTime<Utc>) {
        let date = at.to_rfc3339();
        let email = format!("{}@example.com", who.to_lowercase());
        let mut env = vec![
            ("GIT_AUTHOR_NAME", who.to_owned()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_COMMITTER_NAME", who.to_owned()),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
        ];
        if self.git_ai {
            // git-ai learns of commits from git's trace2 events, sent to its daemon.
            let socket = self.root.join("home/.git-ai/internal/daemon/trace2.sock");
            env.push((
                "GIT_TRACE2_EVENT",
                format!("af_unix:stream:{}", socket.display()),
            ));
            env.push(("GIT_TRACE2_EVENT_NESTING", "0".into()));
        }
        self.run(Path::new("git"), args, &env);
    }
}

/// A session's id.
fn session_id(s: usize) -> String {
    format!("{s:08x}-0000-4000-8000-{s:012x}")
}

/// The 25 lines commit `c` adds.
fn block(c: usize, author: &str) -> Vec<String> {
    (0..LINES_PER_COMMIT)
        .map(|l| format!("    let {author}_{c}_{l} = compute({c}, {l}); // step {l} of change {c}"))
        .collect()
}

/// One transcript line with the fields every Claude Code record has.
fn record(session: &str, cwd: &str, at: DateTime<Utc>, uuid: &str, body: Value) -> String {
    let mut v = body;
    for (k, x) in [
        ("uuid", json!(uuid)),
        (
            "timestamp",
            json!(at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        ),
        ("sessionId", json!(session)),
        ("cwd", json!(cwd)),
        ("version", json!("2.1.197")),
        ("gitBranch", json!("main")),
        ("isSidechain", json!(false)),
        ("userType", json!("external")),
    ] {
        v[k] = x;
    }
    v.to_string()
}

/// The transcript lines of one prompt: the prompt, a Read with a large result, an Edit adding
/// `lines` at `at_line` of the file, its result with the structured patch, and an answer.
#[allow(clippy::too_many_arguments)]
fn prompt_lines(
    out: &mut String,
    session: &str,
    cwd: &str,
    n: usize,
    at: DateTime<Utc>,
    lines: &[String],
    at_line: usize,
) {
    let path = format!("{cwd}/{FILE}");
    let id = |k: &str| format!("{k}-{session}-{n}");
    let usage = json!({"input_tokens": 10, "output_tokens": 200, "cache_creation_input_tokens": 500, "cache_read_input_tokens": 20000});
    let t = |s: i64| at + Duration::seconds(s);
    let big = "x".repeat(READ_BYTES);
    let mut push = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    push(record(
        session,
        cwd,
        t(0),
        &id("u"),
        json!({"type": "user", "message": {"role": "user", "content": format!("Change {n}: add the next steps to the pipeline")}}),
    ));
    push(record(
        session,
        cwd,
        t(1),
        &id("ar"),
        json!({"type": "assistant", "requestId": id("req_r"), "message": {"id": id("msg_r"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": [{"type": "tool_use", "id": id("toolu_r"), "name": "Read", "input": {"file_path": path}}], "usage": usage}}),
    ));
    push(record(
        session,
        cwd,
        t(2),
        &id("rr"),
        json!({"type": "user", "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": id("toolu_r"), "content": big}]}}),
    ));
    let mut patch = vec![format!(" // context at {at_line}")];
    patch.extend(lines.iter().map(|l| format!("+{l}")));
    push(record(
        session,
        cwd,
        t(3),
        &id("ae"),
        json!({"type": "assistant", "requestId": id("req_e"), "message": {"id": id("msg_e"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": [{"type": "tool_use", "id": id("toolu_e"), "name": "Edit", "input": {"file_path": path, "old_string": "x", "new_string": lines.join("\n")}}], "usage": usage}}),
    ));
    push(record(
        session,
        cwd,
        t(4),
        &id("er"),
        json!({"type": "user", "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": id("toolu_e"), "content": "The file has been updated successfully."}]}, "toolUseResult": {"filePath": path, "oldString": "x", "newString": lines.join("\n"), "structuredPatch": [{"oldStart": at_line, "oldLines": 1, "newStart": at_line, "newLines": 1 + lines.len(), "lines": patch}], "userModified": false, "replaceAll": false}}),
    ));
    push(record(
        session,
        cwd,
        t(5),
        &id("a"),
        json!({"type": "assistant", "requestId": id("req_a"), "message": {"id": id("msg_a"), "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": [{"type": "text", "text": "Added the steps."}], "usage": usage}}),
    ));
}

/// Inserts `lines` (the agent's or not) into the file at a place that depends on `c`; returns the
/// (1-based) line the block starts at.
fn insert(file: &mut Vec<(String, bool)>, c: usize, lines: &[String], agent: bool) -> usize {
    let at = if file.is_empty() {
        0
    } else {
        (c * 7919) % file.len()
    };
    for (i, l) in lines.iter().enumerate() {
        file.insert(at + i, (l.clone(), agent));
    }
    at + 1
}

fn setup(root: &Path, git_ai: Option<&Path>) -> World {
    for d in [
        "home",
        "config",
        "cache",
        "data",
        "claude/projects",
        "repo/src",
    ] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    let w = World {
        root: root.to_path_buf(),
        repo: root.join("repo").canonicalize().unwrap(),
        agent_lines: 0,
        git_ai: git_ai.is_some(),
    };
    if let Some(peer) = git_ai {
        git_ai_start(&w, peer);
    }
    let start: DateTime<Utc> = "2026-10-01T09:00:00Z".parse().unwrap();
    std::fs::write(w.repo.join(FILE), "").unwrap();
    w.git(&["init", "-q", "-b", "main"], "Dev", start);
    w.git(&["add", "-A"], "Dev", start);
    w.git(&["commit", "-q", "-m", "initial"], "Dev", start);
    w.run(&support::bin(), &["init", "--local"], &[]);
    let state = StateDir::new(RepoPaths::discover(&w.repo).unwrap());
    let cwd = w.repo.display().to_string();
    let project = w
        .root
        .join("claude/projects")
        .join(cwd.replace(['/', '.'], "-"));
    std::fs::create_dir_all(&project).unwrap();
    let mut file: Vec<(String, bool)> = Vec::new();
    let mut transcripts: Vec<String> = vec![String::new(); SESSIONS];
    let total = SESSIONS * PROMPTS + PERSON_COMMITS;
    let mut transcript_bytes = 0;
    for c in 0..total {
        let at = start + Duration::minutes(10 * (c as i64 + 1));
        // Every seventh commit of ten is an agent's: sessions take turns.
        let agent = c % 10 < 7 && c / 10 * 7 + c % 10 < SESSIONS * PROMPTS;
        let who = if agent { "agent" } else { "pat" };
        let lines = block(c, who);
        let line = insert(&mut file, c, &lines, agent);
        // The person also revises a line of an earlier change, now and then.
        if c % 10 == 9 {
            let i = (c * 31) % file.len();
            file[i] = (format!("{} // revised in change {c}", file[i].0), false);
        }
        if agent {
            let k = c / 10 * 7 + c % 10;
            let (s, n) = (k % SESSIONS, k / SESSIONS + 1);
            let id = session_id(s);
            let edit_at = at - Duration::minutes(5);
            prompt_lines(&mut transcripts[s], &id, &cwd, n, edit_at, &lines, line);
            let edit = EditRecord {
                ts: edit_at,
                session_id: id.clone(),
                agent_id: None,
                tool_use_id: format!("toolu_e-{id}-{n}"),
                tool: "Edit".into(),
                path: FILE.into(),
                kind: EditKind::Lines,
                lines: lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| LineRef {
                        line: (line + i) as u32,
                        hash: line_hash(l),
                    })
                    .collect(),
                removed: 0,
            };
            append_json(&state.edits_file(&id), &EditLine::Edit(edit)).unwrap();
        }
        let text: Vec<&str> = file.iter().map(|(l, _)| l.as_str()).collect();
        std::fs::write(w.repo.join(FILE), text.join("\n") + "\n").unwrap();
        if let Some(peer) = git_ai {
            git_ai_checkpoint(&w, peer, agent);
        }
        w.git(&["add", "-A"], who, at);
        w.git(
            &["commit", "-q", "-m", &format!("Change {c} by {who}")],
            who,
            at,
        );
    }
    for (s, t) in transcripts.iter().enumerate() {
        transcript_bytes += t.len();
        std::fs::write(project.join(format!("{}.jsonl", session_id(s))), t).unwrap();
    }
    let agent_lines = file.iter().filter(|(_, a)| *a).count();
    println!(
        "repository: {} lines in {FILE} from {} commits ({} by {SESSIONS} agent sessions); transcripts {:.1} MB",
        file.len(),
        total,
        SESSIONS * PROMPTS,
        transcript_bytes as f64 / 1e6
    );
    World { agent_lines, ..w }
}

/// Starts git-ai's daemon in the benchmark's home, with telemetry, update checks and uploads off
/// (git-ai 1.6 writes its notes from the daemon, which follows git's trace2 events).
fn git_ai_start(w: &World, peer: &Path) {
    let home = w.root.join("home/.git-ai");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.json"),
        r#"{"telemetry_oss":"off","disable_version_checks":true,"disable_auto_updates":true,"prompt_storage":"notes"}"#,
    )
    .unwrap();
    w.run(peer, &["bg", "start"], &git_ai_env(w));
}

fn git_ai_env(w: &World) -> Vec<(&'static str, String)> {
    vec![(
        "GIT_AI_DAEMON_HOME",
        w.root.join("home").display().to_string(),
    )]
}

/// Marks the working tree's changes since the last commit as the agent's or a person's for
/// git-ai, with its own checkpoint command (as its agent hooks and its tests call it).
fn git_ai_checkpoint(w: &World, peer: &Path, agent: bool) {
    let preset = if agent { "mock_ai" } else { "mock_known_human" };
    w.run(peer, &["checkpoint", preset, FILE], &git_ai_env(w));
}

/// Waits for git-ai's daemon to write the last notes.
fn git_ai_settle(w: &World, peer: &Path) {
    w.run(peer, &["await", "--timeout", "120"], &git_ai_env(w));
    let notes = w.run(Path::new("git"), &["notes", "--ref=ai", "list"], &[]);
    let blame = w.run(peer, &["blame", FILE], &git_ai_env(w));
    let ai = String::from_utf8_lossy(&blame.stdout)
        .lines()
        .filter(|l| l.contains("(mock_ai"))
        .count();
    println!(
        "git-ai: {} commits carry its notes; its blame gives {ai} lines to the agent (the generator wrote {})",
        String::from_utf8_lossy(&notes.stdout).lines().count(),
        w.agent_lines
    );
}

/// Checks the blame's figures before timing it.
fn check(w: &World) {
    let out = w.run(&support::bin(), &["blame", FILE, "--json"], &[]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &doc["totals"];
    let named = doc["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["author"] == "agent" && l["prompt"].is_u64() && l["tool_use_id"].is_string())
        .count();
    println!(
        "blame: {} lines, {} agent ({named} with their session, tool call and prompt), {} human, {} unknown",
        t["lines"], t["agent"], t["human"], t["unknown"]
    );
    let want_agent = w.agent_lines;
    assert_eq!(t["lines"], 5000, "the file has 5,000 lines");
    assert_eq!(
        t["agent"].as_u64().unwrap() as usize,
        want_agent,
        "every agent line is the agent's"
    );
    assert_eq!(
        named, want_agent,
        "every agent line names its call and prompt"
    );
    assert_eq!(t["unknown"], 0);
}

/// Median, min and max of `runs` timings of `f`, in milliseconds.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64, f64) {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0], ms[ms.len() - 1])
}

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn main() {
    let runs: usize = arg("--runs").and_then(|n| n.parse().ok()).unwrap_or(11);
    let git_ai = arg("--git-ai").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let root = if std::env::var_os("GIT_VOUCH_BENCH_KEEP").is_some() {
        let kept = tmp.keep();
        println!("keeping {}", kept.display());
        Box::leak(Box::new(kept)).as_path()
    } else {
        tmp.path()
    };
    let w = setup(root, git_ai.as_deref());
    if let Some(peer) = &git_ai {
        git_ai_settle(&w, peer);
    }
    let cold = {
        let start = Instant::now();
        w.run(&support::bin(), &["blame", FILE, "--json"], &[]);
        start.elapsed().as_secs_f64() * 1e3
    };
    check(&w);
    println!("load average: {}", support::load_average());
    let mut rows = vec![(
        "git vouch blame (cold: index built)".to_owned(),
        (cold, cold, cold),
    )];
    rows.push((
        "git vouch blame".into(),
        time(runs, || {
            w.run(&support::bin(), &["blame", FILE], &[]);
        }),
    ));
    rows.push((
        "git vouch blame --json".into(),
        time(runs, || {
            w.run(&support::bin(), &["blame", FILE, "--json"], &[]);
        }),
    ));
    rows.push((
        "git blame -M -C --porcelain".into(),
        time(runs, || {
            w.run(
                Path::new("git"),
                &["blame", "-M", "-C", "--porcelain", FILE],
                &[],
            );
        }),
    ));
    if let Some(peer) = &git_ai {
        rows.push((
            "git-ai blame".into(),
            time(runs, || {
                w.run(peer, &["blame", FILE], &git_ai_env(&w));
            }),
        ));
        w.run(peer, &["bg", "shutdown"], &git_ai_env(&w));
    }
    println!("| subject | median | min | max |\n| --- | --- | --- | --- |");
    for (name, (median, min, max)) in &rows {
        println!("| {name} | {median:.0} ms | {min:.0} ms | {max:.0} ms |");
    }
    let ours = rows[1].1.0;
    let verdict = if ours <= TARGET_MS { "PASS" } else { "FAIL" };
    println!("{verdict} blame median {ours:.0} ms over {runs} runs; target <= {TARGET_MS:.0} ms");
}
