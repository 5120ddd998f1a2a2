//! Benchmark: the whole `git-vouch hook claude <event>` process, spawn to exit, per event.
//!
//! ```sh
//! cargo bench --bench hooks                  # 200 runs per case
//! cargo bench --bench hooks -- --runs 500
//! ```
//!
//! Cases: PreToolUse/PostToolUse for Edit, Write and Read with realistic payloads in a small
//! repository; PreToolUse/PostToolUse for Bash in a generated repository of 10,000 tracked files
//! (one file changes between the two); `sh -c cat` with the same stdin as the baseline. It prints
//! the median and p99 in milliseconds and PASS/FAIL against the targets (file tools: median
//! ≤ 3 ms, p99 ≤ 10 ms; Bash: median ≤ 30 ms). The exit code is non-zero only when a hook process
//! fails. Without `--bench` (as `cargo test --benches` runs it) it does a quick smoke run: 5 runs
//! per case and a 1,000-file repository.

mod support;

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde_json::{Value, json};
use support::{git, load_average, percentile};

const FILE_MEDIAN_MS: f64 = 3.0;
const FILE_P99_MS: f64 = 10.0;
const BASH_MEDIAN_MS: f64 = 30.0;
/// Rounds run first and not counted.
const WARM_UP: usize = 3;

struct Case {
    name: String,
    event: &'static str,
    payload: Vec<u8>,
    cwd: PathBuf,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(if smoke { 5 } else { 200 });
    let files = if smoke { 1_000 } else { 10_000 };
    let tmp = tempfile::tempdir().expect("temporary folder");
    let small = tmp.path().join("small");
    let big = tmp.path().join("big");
    make_repo(&small, 3, tmp.path());
    make_repo(&big, files, tmp.path());
    println!(
        "git-vouch hook claude: {runs} runs per case, spawn to exit (Bash repo: {files} files)"
    );
    println!("load average at start (1, 5, 15 min): {}\n", load_average());
    println!(
        "{:<28} {:>10} {:>10}  target",
        "case", "median ms", "p99 ms"
    );
    let home = tmp.path().join("home");
    let mut ok = true;
    let cases = file_cases(&small);
    let times = round_robin(&cases, runs, &small, &home);
    report("sh -c cat (baseline)", times[0].as_ref(), None);
    for (case, t) in cases.iter().zip(&times[1..]) {
        ok &= t.is_some();
        report(
            &case.name,
            t.as_ref(),
            Some((FILE_MEDIAN_MS, Some(FILE_P99_MS))),
        );
    }
    for (name, times) in bash_cases(&big, runs, &home) {
        ok &= times.is_some();
        report(&name, times.as_ref(), Some((BASH_MEDIAN_MS, None)));
    }
    println!("\nload average at end (1, 5, 15 min): {}", load_average());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A repository with `files` tracked files, 100 per folder, and a `.gitignore`d build folder.
fn make_repo(dir: &Path, files: usize, tmp: &Path) {
    std::fs::create_dir_all(dir.join("target/debug")).expect("mkdir");
    git(dir, tmp, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join(".gitignore"), "target/\n").expect("write");
    std::fs::write(dir.join("target/debug/out.bin"), "ignored").expect("write");
    for i in 0..files {
        let sub = dir.join(format!("src/m{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&sub).expect("mkdir");
        }
        let text = format!("// file {i}\npub fn f{i}() -> u32 {{\n    {i}\n}}\n");
        std::fs::write(sub.join(format!("f{i}.rs")), text).expect("write");
    }
    git(dir, tmp, &["add", "-A"]);
    git(dir, tmp, &["commit", "-q", "-m", "files"]);
}

fn base(dir: &Path, event: &str, tool: &str, id: &str) -> Value {
    json!({
        "session_id": "0b5c8f2e-6a53-4d8e-9a57-3f1f0e2d9c41",
        "transcript_path": "/nonexistent/projects/-repo/0b5c8f2e-6a53-4d8e-9a57-3f1f0e2d9c41.jsonl",
        "cwd": dir, "prompt_id": "be848031-3cbd-4885-bcad-9f76c2b202ea",
        "permission_mode": "acceptEdits", "hook_event_name": event,
        "tool_name": tool, "tool_use_id": id,
    })
}

/// `sh -c cat` then each case, `runs` rounds (after warming up): load from elsewhere on the
/// machine hits all cases alike. Slot 0 is the baseline.
fn round_robin(cases: &[Case], runs: usize, cwd: &Path, home: &Path) -> Vec<Option<Vec<f64>>> {
    let mut times: Vec<Option<Vec<f64>>> = vec![Some(Vec::new()); cases.len() + 1];
    for round in 0..runs + WARM_UP {
        let baseline = std::iter::once(run(&["sh", "-c", "cat"], &cases[0].payload, cwd, home));
        let all = baseline.chain(cases.iter().map(|c| hook(c, home)));
        for (slot, t) in times.iter_mut().zip(all) {
            if round >= WARM_UP {
                *slot = slot.take().zip(t).map(|(mut v, t)| {
                    v.push(t);
                    v
                });
            }
        }
    }
    times
}

/// PreToolUse and PostToolUse payloads for Edit, Write and Read, shaped like real ones.
fn file_cases(dir: &Path) -> Vec<Case> {
    let file = dir.join("src/m000/f1.rs");
    let body = (0..200).fold(String::new(), |mut s, i| {
        let _ = writeln!(s, "    let value_{i} = compute({i});");
        s
    });
    let edit_in = json!({"file_path": file, "old_string": "    1\n", "new_string": "    2\n", "replace_all": false});
    let edit_out = json!({"filePath": file, "oldString": "    1\n", "newString": "    2\n",
        "originalFile": body, "userModified": false, "replaceAll": false,
        "structuredPatch": [{"oldStart": 1, "oldLines": 4, "newStart": 1, "newLines": 4,
            "lines": ["// file 1", " pub fn f1() -> u32 {", "-    1", "+    2", " }"]}]});
    let write_in = json!({"file_path": dir.join("src/new.rs"), "content": body});
    let write_out = json!({"type": "create", "filePath": dir.join("src/new.rs"), "content": body,
        "structuredPatch": [], "originalFile": null, "userModified": false});
    let read_in = json!({"file_path": file});
    let read_out = json!({"type": "text", "file": {"filePath": file, "content": body,
        "numLines": 200, "startLine": 1, "totalLines": 200}});
    let mut cases = Vec::new();
    for (tool, input, output) in [
        ("Edit", edit_in, edit_out),
        ("Write", write_in, write_out),
        ("Read", read_in, read_out),
    ] {
        for event in ["PreToolUse", "PostToolUse"] {
            let mut p = base(dir, event, tool, "toolu_01twypDkEYPdQujbIwgHfG3E");
            p["tool_input"] = input.clone();
            if event == "PostToolUse" {
                (p["tool_response"], p["duration_ms"]) = (output.clone(), json!(7));
            }
            let payload = serde_json::to_vec(&p).expect("json");
            cases.push(Case {
                name: format!("{event} {tool}"),
                event,
                payload,
                cwd: dir.to_path_buf(),
            });
        }
    }
    cases
}

/// Bash pre and post, alternating (each post diffs against its pre), one file changed between.
fn bash_cases(dir: &Path, runs: usize, home: &Path) -> Vec<(String, Option<Vec<f64>>)> {
    let (mut pre, mut post) = (Some(Vec::new()), Some(Vec::new()));
    let changed = dir.join("src/m000/f0.rs");
    for i in 0..runs + WARM_UP {
        let id = format!("toolu_bash_{i}");
        let mut p = base(dir, "PreToolUse", "Bash", &id);
        p["tool_input"] = json!({"command": "cargo fmt", "description": "Format"});
        let case = |event: &'static str, p: &Value| Case {
            name: String::new(),
            event,
            payload: serde_json::to_vec(p).expect("json"),
            cwd: dir.to_path_buf(),
        };
        let t_pre = hook(&case("PreToolUse", &p), home);
        std::fs::write(&changed, format!("// changed {i}\n")).expect("write");
        p["hook_event_name"] = json!("PostToolUse");
        p["tool_response"] = json!({"stdout": "", "stderr": "", "interrupted": false});
        let t_post = hook(&case("PostToolUse", &p), home);
        if i >= WARM_UP {
            pre = pre.zip(t_pre).map(|(mut v, t)| {
                v.push(t);
                v
            });
            post = post.zip(t_post).map(|(mut v, t)| {
                v.push(t);
                v
            });
        }
    }
    vec![
        ("PreToolUse Bash".to_owned(), pre),
        ("PostToolUse Bash".to_owned(), post),
    ]
}

fn hook(case: &Case, home: &Path) -> Option<f64> {
    let exe = env!("CARGO_BIN_EXE_git-vouch");
    run(
        &[exe, "hook", "claude", case.event],
        &case.payload,
        &case.cwd,
        home,
    )
}

/// Milliseconds from spawn to exit; `None` when the process failed or printed anything.
fn run(argv: &[&str], stdin: &[u8], cwd: &Path, home: &Path) -> Option<f64> {
    let start = Instant::now();
    let mut child = Command::new(argv[0])
        .args(&argv[1..])
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(stdin).ok()?;
    let status = child.wait().ok()?;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    status.success().then_some(ms)
}

fn report(name: &str, times: Option<&Vec<f64>>, target: Option<(f64, Option<f64>)>) {
    let Some(times) = times.filter(|t| !t.is_empty()) else {
        println!("{name:<28} {:>10} {:>10}  FAIL (a run failed)", "-", "-");
        return;
    };
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let (median, p99) = (percentile(&sorted, 50.0), percentile(&sorted, 99.0));
    let verdict = match target {
        None => String::new(),
        Some((m, p)) => {
            let pass = median <= m && p.is_none_or(|p| p99 <= p);
            let p = p.map(|p| format!(", p99 ≤ {p} ms")).unwrap_or_default();
            format!(
                "{} (median ≤ {m} ms{p})",
                if pass { "PASS" } else { "FAIL" }
            )
        }
    };
    println!("{name:<28} {median:>10.2} {p99:>10.2}  {verdict}");
}
