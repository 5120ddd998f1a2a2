//! Benchmark: `git vouch attest` over 20 commits made in 3 agent sessions whose archived
//! transcripts total about 30 MB (target: at most 300 ms wall on a 2-core machine, no network).
//!
//! Run with `cargo bench --bench attest` (`-- --runs N`). It builds a repository in a temporary
//! folder with git-vouch's git hooks, three sessions made by repeating a recorded fixture with
//! fresh message ids, a signing key from `git vouch keygen`, then times `attest` and prints the
//! median, min and max, and PASS/FAIL against the target.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{DateTime, Utc};
use git_vouch::capture::record::{EditKind, EditLine, EditRecord, LineRef};
use git_vouch::capture::state::{StateDir, append_json};
use git_vouch::fingerprint::line_hash;
use git_vouch::git::paths::RepoPaths;

const SESSIONS: [&str; 3] = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
];
const FIXTURE_SESSION: &str = "c1aa46c2-c142-4c34-a25d-c6079bf20d5d";
const PER_SESSION_BYTES: usize = 10 * 1024 * 1024;

fn bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let release = exe.parent().unwrap().parent().unwrap().join("git-vouch");
    assert!(
        release.exists(),
        "build the binary first: cargo build --release"
    );
    release
}

fn cmd(root: &Path, program: &Path, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(program);
    let path = format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    c.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", root.join("home"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com");
    c
}

fn ok(root: &Path, program: &Path, dir: &Path, args: &[&str]) {
    let out = cmd(root, program, dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A session's transcript: the fixture repeated with fresh message and request ids.
fn write_session(state: &StateDir, id: &str) -> u64 {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/claude/v2.1.197-subagent/projects/-home-dev-subagent-repo")
        .join(format!("{FIXTURE_SESSION}.jsonl"));
    let template = std::fs::read_to_string(fixture)
        .unwrap()
        .replace(FIXTURE_SESSION, id);
    let mut out = String::with_capacity(PER_SESSION_BYTES + template.len());
    let mut round = 0;
    while out.len() < PER_SESSION_BYTES {
        out.push_str(
            &template
                .replace("\"msg_", &format!("\"msg_{round}_"))
                .replace("\"req_", &format!("\"req_{round}_")),
        );
        round += 1;
    }
    let dir = state.transcripts_dir(id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.jsonl")), &out).unwrap();
    out.len() as u64
}

fn setup(root: &Path) -> PathBuf {
    let git = Path::new("git");
    let repo = root.join("repo");
    for d in ["home", "config", "repo"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    ok(root, git, &repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README.md"), "readme\n").unwrap();
    ok(root, git, &repo, &["add", "-A"]);
    ok(root, git, &repo, &["commit", "-q", "-m", "initial"]);
    ok(root, &bin(), &repo, &["init", "--local"]);
    ok(root, &bin(), &repo, &["keygen"]);
    let state = StateDir::new(RepoPaths::discover(&repo).unwrap());
    let bytes: u64 = SESSIONS.iter().map(|s| write_session(&state, s)).sum();
    println!(
        "transcripts: {:.1} MB in {} sessions",
        bytes as f64 / 1e6,
        SESSIONS.len()
    );
    for i in 0..20 {
        let session = SESSIONS[i % 3];
        let path = format!("src/file{i}.rs");
        let lines: Vec<String> = (0..30)
            .map(|l| format!("pub fn f{i}_{l}() -> u32 {{ {l} }}"))
            .collect();
        let record = EditRecord {
            ts: DateTime::parse_from_rfc3339("2026-11-21T06:07:57Z")
                .unwrap()
                .with_timezone(&Utc),
            session_id: session.into(),
            agent_id: None,
            tool_use_id: format!("toolu_{i}"),
            tool: "Write".into(),
            path: path.clone(),
            kind: EditKind::Lines,
            lines: lines
                .iter()
                .enumerate()
                .map(|(n, l)| LineRef {
                    line: n as u32 + 1,
                    hash: line_hash(l),
                })
                .collect(),
            removed: 0,
        };
        append_json(&state.edits_file(session), &EditLine::Edit(record)).unwrap();
        std::fs::create_dir_all(repo.join("src")).unwrap();
        std::fs::write(repo.join(&path), lines.join("\n") + "\n").unwrap();
        ok(root, git, &repo, &["add", &path]);
        ok(
            root,
            git,
            &repo,
            &["commit", "-q", "-m", &format!("commit {i}")],
        );
    }
    repo
}

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(7);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    // GIT_VOUCH_BENCH_KEEP=1 keeps the repository for profiling.
    let root = if std::env::var_os("GIT_VOUCH_BENCH_KEEP").is_some() {
        let kept = tmp.keep();
        println!("keeping {}", kept.display());
        Box::leak(Box::new(kept)).as_path()
    } else {
        root
    };
    let repo = setup(root);
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        ok(root, &bin(), &repo, &["attest", "main~20..main"]);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "git vouch attest, 20 commits, 3 sessions: median {:.0} ms [min {:.0}, max {:.0}] over {runs} runs",
        median * 1e3,
        times[0] * 1e3,
        times[times.len() - 1] * 1e3
    );
    let verdict = if median <= 0.300 { "PASS" } else { "FAIL" };
    println!(
        "{verdict} attest median {:.0} ms; target <= 300 ms",
        median * 1e3
    );
}
