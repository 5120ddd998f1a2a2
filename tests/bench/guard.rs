//! Benchmark: a guarded PreToolUse decision (issue 15), whole hook process, spawn to exit, beside
//! the PreToolUse hooks of AgenticAudit and Pisama on the same payload.
//!
//! ```sh
//! cargo bench --bench guard                          # 200 runs per git-vouch case, 50 per peer
//! cargo bench --bench guard -- --runs 500 --peer-runs 100
//! cargo bench --bench guard -- --no-peers            # git-vouch only, no network
//! ```
//!
//! Each case gets the same Claude Code PreToolUse payload for a Bash call, one harmless realistic
//! command and one dangerous one, round-robin so that load from elsewhere hits every case alike
//! (the peers, a few hundred milliseconds each, take part in every `runs / peer-runs`-th round):
//!
//! - `sh -c cat`, the baseline;
//! - `git-vouch hook claude PreToolUse` in a small repository with `git config vouch.guard
//!   observe`, in one with `enforce`, and, to show what the guard itself costs, in one with `off`
//!   (the payloads differ only in `cwd`, the repository names having the same length);
//! - AgenticAudit's hook, `agentaudit-hook pre` (PyPI `agentic-audit-hook`), pointed at a closed
//!   loopback port: its API call is refused at once and it fails open (exit 0, buffers the event);
//! - Pisama's guardian, `pisama_claude_code/hooks/guardian_hook.py` (PyPI `pisama-claude-code`
//!   with its `core` extra), run through an entry point written like the ones `pisama-cc install`
//!   writes; that installer registers no PreToolUse hook, so the benchmark registers this one;
//! - for scale, the peers' Python interpreter doing nothing (`python -c pass`).
//!
//! The peers are installed by the benchmark, never by the build: pinned versions, each in its own
//! virtualenv under Cargo's target tmp folder (reused by later runs), with Python 3.12 or newer
//! (`VOUCH_BENCH_PYTHON`, else `python3.13`, `python3.12`, `python3.14`, `python3`, else pyenv's).
//! Everything runs with a temporary `HOME` and `TMPDIR`. When Python, pip or the network fails,
//! it says why and still reports git-vouch's figures.
//!
//! It prints the median and p99 in milliseconds, what each process answered (exit code, and the
//! `permissionDecision` when it printed one), PASS/FAIL for git-vouch's cases against the targets
//! (median ≤ 4 ms, p99 ≤ 10 ms) and each peer's median over git-vouch's `enforce` median. The exit
//! code is non-zero only when a git-vouch hook process fails. Without `--bench` (as
//! `cargo test --benches` runs it) it does a quick smoke run of 5 rounds without the peers.

mod peers;
mod support;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use peers::{Peer, find_python, install, tail};
use serde_json::{Value, json};
use support::{git, load_average, percentile};

const MEDIAN_MS: f64 = 4.0;
const P99_MS: f64 = 10.0;
/// Rounds run first and not counted.
const WARM_UP: usize = 3;
const HARMLESS: &str = "cargo test -j2 --lib 2>&1 | tail -20 && git status --short";
/// Outside the repository and outside any temporary folder (the repositories live in one).
const DANGEROUS: &str = "rm -rf /srv/other-folder";

const AGENTIC_AUDIT: Peer = Peer {
    name: "AgenticAudit",
    slug: "agentic-audit-hook-0.3.0",
    pins: &["agentic-audit-hook==0.3.0", "agentic-audit==0.3.0"],
    report: &["agentic-audit-hook", "agentic-audit", "httpx"],
};
const PISAMA: Peer = Peer {
    name: "Pisama",
    slug: "pisama-claude-code-0.6.5",
    pins: &["pisama-claude-code[core]==0.6.5", "pisama-core==1.11.0"],
    report: &["pisama-claude-code", "pisama-core", "pydantic"],
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Baseline,
    Vouch,
    Peer,
    /// The peers' Python starting and exiting, for scale: run in the peers' rounds.
    Interpreter,
}

/// A process to time: how to start it and which repository's payload it reads.
struct Subject {
    name: String,
    kind: Kind,
    argv: Vec<OsString>,
    env: Vec<(String, String)>,
    /// The repository whose path is the payload's `cwd` and the process's working folder.
    repo: PathBuf,
}

#[derive(Default)]
struct Stats {
    times: Vec<f64>,
    /// Outcome → (count, first line of stderr the first time it occurred).
    outcomes: BTreeMap<String, (usize, String)>,
    failed: bool,
}

const COMMANDS: [(&str, &str); 2] = [("harmless", HARMLESS), ("dangerous", DANGEROUS)];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let smoke = !args.iter().any(|a| a == "--bench");
    let value = |flag: &str| {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1)?.parse::<usize>().ok()
    };
    let runs = value("--runs")
        .unwrap_or(if smoke { 5 } else { 200 })
        .max(1);
    let peer_runs = value("--peer-runs").unwrap_or(50).clamp(1, runs);
    let stride = runs / peer_runs;
    let tmp = tempfile::tempdir().expect("temporary folder");
    let home = tmp.path().join("home");
    let tmpdir = tmp.path().join("tmp");
    std::fs::create_dir_all(&home).expect("mkdir");
    std::fs::create_dir_all(&tmpdir).expect("mkdir");
    let off = tmp.path().join("offmode");
    let observe = tmp.path().join("observe");
    let enforce = tmp.path().join("enforce");
    make_repo(&off, "off", &home);
    make_repo(&observe, "observe", &home);
    make_repo(&enforce, "enforce", &home);
    std::fs::create_dir_all(tmp.path().join("other-folder")).expect("mkdir");

    println!("git-vouch guard: PreToolUse Bash, whole hook process, spawn to exit");
    let mut subjects = vouch_subjects(&off, &observe, &enforce);
    if smoke {
        println!(
            "peers: skipped in the smoke run (`cargo bench --bench guard` installs and times them)"
        );
    } else if args.iter().any(|a| a == "--no-peers") {
        println!("peers: skipped (--no-peers)");
    } else {
        subjects.extend(peers(&home, &tmpdir, &enforce));
    }
    let with_peers = subjects.iter().any(|s| s.kind == Kind::Peer);
    let peer_note = if with_peers {
        format!(
            " (peers: {} runs, every {stride}th round)",
            runs.div_ceil(stride)
        )
    } else {
        String::new()
    };
    println!("\n{runs} runs per case{peer_note}, after {WARM_UP} warm-up rounds");
    println!("load average at start (1, 5, 15 min): {}\n", load_average());
    let stats = measure(&subjects, runs, stride, &home, &tmpdir);
    let (ok, medians) = table(&subjects, &stats);
    if with_peers {
        peer_notes(&subjects, &stats, &medians, &home);
    }
    println!("\nload average at end (1, 5, 15 min): {}", load_average());
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The baseline and git-vouch's hook in the `off`, `observe` and `enforce` repositories.
fn vouch_subjects(off: &Path, observe: &Path, enforce: &Path) -> Vec<Subject> {
    let mut subjects = vec![Subject {
        name: "sh -c cat (baseline)".into(),
        kind: Kind::Baseline,
        argv: vec!["sh".into(), "-c".into(), "cat".into()],
        env: Vec::new(),
        repo: enforce.to_path_buf(),
    }];
    let exe = env!("CARGO_BIN_EXE_git-vouch");
    let modes = [("off", off), ("observe", observe), ("enforce", enforce)];
    for (mode, repo) in modes {
        let name = if mode == "off" {
            "git-vouch off (no guard)".to_owned()
        } else {
            format!("git-vouch {mode}")
        };
        subjects.push(Subject {
            name,
            kind: Kind::Vouch,
            argv: [exe, "hook", "claude", "PreToolUse"]
                .map(OsString::from)
                .into(),
            env: Vec::new(),
            repo: repo.to_path_buf(),
        });
    }
    subjects
}

/// `runs` rounds after warming up, every subject on each command in turn (the peers and their
/// interpreter in every `stride`-th round): load from elsewhere hits all cases alike.
/// Returns the stats per command, then per subject.
fn measure(
    subjects: &[Subject],
    runs: usize,
    stride: usize,
    home: &Path,
    tmpdir: &Path,
) -> Vec<Vec<Stats>> {
    let mut stats: Vec<Vec<Stats>> = COMMANDS
        .iter()
        .map(|_| subjects.iter().map(|_| Stats::default()).collect())
        .collect();
    for round in 0..runs + WARM_UP {
        let counted = round >= WARM_UP;
        let peers_now = !counted || (round - WARM_UP).is_multiple_of(stride);
        for (c, (_, command)) in COMMANDS.iter().enumerate() {
            let id = format!("toolu_01bench{round:05}x{c}");
            for (subject, stats) in subjects.iter().zip(&mut stats[c]) {
                if matches!(subject.kind, Kind::Peer | Kind::Interpreter) && !peers_now {
                    continue;
                }
                let payload = payload(&subject.repo, command, &id);
                let (ms, outcome, stderr, ok) = execute(subject, &payload, home, tmpdir);
                if subject.kind == Kind::Vouch && !ok {
                    stats.failed = true;
                }
                if counted {
                    stats.times.push(ms);
                }
                let entry = stats.outcomes.entry(outcome).or_insert((0, stderr));
                entry.0 += usize::from(counted);
            }
        }
    }
    stats
}

/// Prints the table; returns whether every git-vouch process succeeded, and the medians.
fn table(subjects: &[Subject], stats: &[Vec<Stats>]) -> (bool, Vec<Vec<Option<f64>>>) {
    println!(
        "{:<36} {:>10} {:>10}  {:<24} target",
        "case", "median ms", "p99 ms", "outcome"
    );
    let mut ok = true;
    let mut medians = Vec::new();
    for (c, (label, command)) in COMMANDS.iter().enumerate() {
        println!("— {label}: {command}");
        let mut row = Vec::new();
        for (subject, stats) in subjects.iter().zip(&stats[c]) {
            ok &= !stats.failed;
            let target = (subject.kind == Kind::Vouch).then_some((MEDIAN_MS, P99_MS));
            row.push(report(&format!("  {}", subject.name), stats, target));
        }
        medians.push(row);
    }
    (ok, medians)
}

/// The peers' medians over git-vouch's `enforce` median, what they said and what they left.
fn peer_notes(
    subjects: &[Subject],
    stats: &[Vec<Stats>],
    medians: &[Vec<Option<f64>>],
    home: &Path,
) {
    println!("\nmedian over git-vouch enforce's median:");
    let enforce = subjects
        .iter()
        .position(|s| s.name == "git-vouch enforce")
        .expect("enforce case");
    for (c, (label, _)) in COMMANDS.iter().enumerate() {
        let ratios: Vec<String> = subjects
            .iter()
            .zip(&medians[c])
            .filter(|(s, _)| s.kind == Kind::Peer)
            .map(|(s, m)| match (m, medians[c][enforce]) {
                (Some(m), Some(e)) if e > 0.0 => format!("{} {:.0}×", s.name, m / e),
                _ => format!("{} -", s.name),
            })
            .collect();
        println!("  {label:<10} {}", ratios.join(", "));
    }
    println!("\nwhat the peers printed on stderr (first line, first time each outcome occurred):");
    for (c, (label, _)) in COMMANDS.iter().enumerate() {
        for (subject, stats) in subjects.iter().zip(&stats[c]) {
            if subject.kind != Kind::Peer {
                continue;
            }
            for (outcome, (_, line)) in &stats.outcomes {
                println!("  {label} {} [{outcome}]: {line}", subject.name);
            }
        }
    }
    peer_state(home);
}

/// A small crate-shaped repository with `vouch.guard` set to `mode`.
fn make_repo(dir: &Path, mode: &str, home: &Path) {
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    git(dir, home, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join(".gitignore"), "target/\n").expect("write");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"bench\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )
    .expect("write");
    std::fs::write(dir.join("src/lib.rs"), "pub fn f() -> u32 {\n    1\n}\n").expect("write");
    git(dir, home, &["add", "-A"]);
    git(dir, home, &["commit", "-q", "-m", "files"]);
    git(dir, home, &["config", "vouch.guard", mode]);
}

/// Claude Code's PreToolUse payload for a Bash call (`claude-code-formats.md` §2.3).
fn payload(cwd: &Path, command: &str, tool_use_id: &str) -> Vec<u8> {
    let p: Value = json!({
        "session_id": "0b5c8f2e-6a53-4d8e-9a57-3f1f0e2d9c41",
        "transcript_path": "/nonexistent/projects/-repo/0b5c8f2e-6a53-4d8e-9a57-3f1f0e2d9c41.jsonl",
        "cwd": cwd, "prompt_id": "be848031-3cbd-4885-bcad-9f76c2b202ea",
        "permission_mode": "default", "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_use_id": tool_use_id,
        "tool_input": {"command": command, "description": "Run the command"},
    });
    serde_json::to_vec(&p).expect("json")
}

/// Runs `subject` once on `stdin`: milliseconds from spawn to exit, the outcome (exit code, and
/// the `permissionDecision` when stdout holds one), stderr's first line, and whether it exited 0.
fn execute(
    subject: &Subject,
    stdin: &[u8],
    home: &Path,
    tmpdir: &Path,
) -> (f64, String, String, bool) {
    let start = Instant::now();
    let child = Command::new(&subject.argv[0])
        .args(&subject.argv[1..])
        .current_dir(&subject.repo)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", tmpdir)
        .envs(subject.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => return (0.0, "did not start".into(), e.to_string(), false),
    };
    if let Some(mut pipe) = child.stdin.take() {
        // A hook may exit without reading its input: a broken pipe is its answer, not ours.
        let _ = pipe.write_all(stdin);
    }
    let output = match child.wait_with_output() {
        Ok(output) => output,
        Err(e) => return (0.0, "wait failed".into(), e.to_string(), false),
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let code = output
        .status
        .code()
        .map_or_else(|| "signal".to_owned(), |c| c.to_string());
    let decision = serde_json::from_slice::<Value>(&output.stdout)
        .ok()
        .and_then(|v| {
            let d = &v["hookSpecificOutput"]["permissionDecision"];
            d.as_str().map(str::to_owned)
        });
    let outcome = match (subject.kind, decision) {
        (_, Some(d)) => format!("exit {code}, {d}"),
        (Kind::Vouch, None) if output.stdout.is_empty() => format!("exit {code}, no output"),
        (Kind::Vouch, None) => format!("exit {code}, other output"),
        _ => format!("exit {code}"),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    (
        ms,
        outcome,
        line.chars().take(160).collect(),
        output.status.success(),
    )
}

/// Prints one row; returns the median.
fn report(name: &str, stats: &Stats, target: Option<(f64, f64)>) -> Option<f64> {
    let outcome = stats
        .outcomes
        .iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(o, (n, _))| format!("{o} ×{n}"))
        .collect::<Vec<_>>()
        .join("; ");
    if stats.times.is_empty() {
        println!(
            "{name:<36} {:>10} {:>10}  {outcome:<24} FAIL (no run)",
            "-", "-"
        );
        return None;
    }
    let mut sorted = stats.times.clone();
    sorted.sort_by(f64::total_cmp);
    let (median, p99) = (percentile(&sorted, 50.0), percentile(&sorted, 99.0));
    let verdict = match target {
        None => String::new(),
        Some(_) if stats.failed => "FAIL (a run failed)".to_owned(),
        Some((m, p)) => format!(
            "{} (median ≤ {m} ms, p99 ≤ {p} ms)",
            if median <= m && p99 <= p {
                "PASS"
            } else {
                "FAIL"
            }
        ),
    };
    println!("{name:<36} {median:>10.2} {p99:>10.2}  {outcome:<24} {verdict}");
    Some(median)
}

// ---- The peers ----

/// Installs (or reuses) both peers and returns the ones ready to run; says why for the others.
fn peers(home: &Path, tmpdir: &Path, repo: &Path) -> Vec<Subject> {
    let python = match find_python() {
        Ok(python) => python,
        Err(why) => {
            println!("peers: skipped, {why}");
            return Vec::new();
        }
    };
    println!(
        "peers: Python {} ({}), temporary HOME {}",
        python.1,
        python.0.display(),
        home.display()
    );
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("guard-peers");
    let mut subjects = Vec::new();
    for peer in [&AGENTIC_AUDIT, &PISAMA] {
        let venv = cache.join(format!("{}-py{}", peer.slug, python.1));
        let setup = install(peer, &python.0, &venv, &cache, home).and_then(|()| {
            if peer.name == AGENTIC_AUDIT.name {
                agentic_audit(&venv)
            } else {
                pisama(&venv, home, tmpdir)
            }
        });
        match setup {
            Ok((argv, env)) => {
                let shown: Vec<String> = env
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .chain(argv.iter().map(|a| a.to_string_lossy().into_owned()))
                    .collect();
                println!("  {} command: {}", peer.name, shown.join(" "));
                subjects.push(Subject {
                    name: peer.name.to_owned(),
                    kind: Kind::Peer,
                    argv,
                    env,
                    repo: repo.to_path_buf(),
                });
            }
            Err(why) => println!("  {}: skipped, {why}", peer.name),
        }
    }
    if !subjects.is_empty() {
        subjects.insert(
            0,
            Subject {
                name: "python -c pass (peers' Python)".to_owned(),
                kind: Kind::Interpreter,
                argv: [python.0.as_os_str(), "-c".as_ref(), "pass".as_ref()]
                    .map(OsString::from)
                    .into(),
                env: Vec::new(),
                repo: repo.to_path_buf(),
            },
        );
    }
    subjects
}

type Setup = (Vec<OsString>, Vec<(String, String)>);

/// `agentaudit-hook pre`, its API URL on a loopback port that refuses connections: the SDK's
/// 30 s timeout never comes into play, the hook logs the error, buffers the event and exits 0.
fn agentic_audit(venv: &Path) -> Result<Setup, String> {
    let port = {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("bind: {e}"))?;
        listener.local_addr().map_err(|e| e.to_string())?.port()
    };
    let refused = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
    if !refused {
        return Err(format!(
            "port {port} on 127.0.0.1 did not refuse a connection"
        ));
    }
    let argv = vec![venv.join("bin/agentaudit-hook").into(), "pre".into()];
    let env = vec![
        (
            "AGENTAUDIT_BASE_URL".to_owned(),
            format!("http://127.0.0.1:{port}"),
        ),
        (
            "AGENTAUDIT_API_KEY".to_owned(),
            "aa_live_bench_unreachable".to_owned(),
        ),
    ];
    Ok((argv, env))
}

/// `pisama-cc install` into the temporary HOME, then the guardian hook registered for PreToolUse
/// the way the installer registers its capture hook: an entry point in `~/.claude/hooks/` whose
/// shebang is the virtualenv's Python, listed in `~/.claude/settings.local.json`.
fn pisama(venv: &Path, home: &Path, tmpdir: &Path) -> Result<Setup, String> {
    let out = Command::new(venv.join("bin/pisama-cc"))
        .arg("install")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("TMPDIR", tmpdir)
        .output()
        .map_err(|e| format!("pisama-cc install: {e}"))?;
    if !out.status.success() {
        return Err(format!("pisama-cc install failed: {}", tail(&out.stderr)));
    }
    let claude = home.join(".claude");
    let settings_path = claude.join("settings.local.json");
    let mut settings: Value = std::fs::read(&settings_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_else(|| json!({}));
    let registered = settings["hooks"]
        .as_object()
        .map(|h| h.keys().cloned().collect::<Vec<_>>().join(", "))
        .unwrap_or_default();
    println!("  Pisama: `pisama-cc install` registered hooks for: {registered} (no PreToolUse)");
    let entry = claude.join("hooks/pisama-guardian.py");
    let python = venv.join("bin/python");
    let text = format!(
        "#!{}\n\"\"\"Pisama guardian hook, registered by git-vouch's guard benchmark.\"\"\"\n\n\
         from pisama_claude_code.hooks.guardian_hook import main\nmain()\n",
        python.display()
    );
    std::fs::write(&entry, text).map_err(|e| format!("write {}: {e}", entry.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("chmod: {e}"))?;
    }
    let group = json!({"matcher": "*", "hooks": [
        {"type": "command", "command": "~/.claude/hooks/pisama-guardian.py", "timeout": 10}]});
    settings["hooks"]["PreToolUse"] = json!([group]);
    std::fs::write(
        &settings_path,
        serde_json::to_vec_pretty(&settings).expect("json"),
    )
    .map_err(|e| format!("settings: {e}"))?;
    Ok((vec![entry.into()], Vec::new()))
}

/// What the peers left in the temporary HOME: AgenticAudit's fail-open buffer, Pisama's stores.
fn peer_state(home: &Path) {
    let lines = |p: &Path| std::fs::read_to_string(p).map(|t| t.lines().count()).ok();
    let buffer = home.join(".agentaudit/buffer.jsonl");
    if let Some(n) = lines(&buffer) {
        println!(
            "  AgenticAudit buffered {n} events in ~/.agentaudit/buffer.jsonl (API unreachable)"
        );
    }
    let traces = home.join(".claude/pisama/traces");
    if let Ok(dir) = std::fs::read_dir(&traces) {
        let files: Vec<String> = dir
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        println!(
            "  Pisama stored spans in ~/.claude/pisama/traces: {}",
            files.join(", ")
        );
    }
}
