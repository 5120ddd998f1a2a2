//! Re-recording the project's fixtures and the demo data with the real CLI (see `tests/it/e2e.rs`
//! for the command). Transcripts are imported with `git-vouch debug import-run`, which rewrites
//! every machine path to a neutral `/home/dev/<name>`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cli::{self, NEWER, PINNED};
use super::driver::{self, Workdir};
use super::expect::{Run, run_scenario};
use super::scenario::Scenario;

/// The end-to-end scenarios.
pub const SCENARIOS: [&str; 13] = [
    "write_edit_bash_read",
    "subagent_edit",
    "continue_fork",
    "parallel_thinking_retry_failure",
    "agent_push",
    "agent_push_required",
    "concurrent_sessions",
    "guard_enforce",
    "guard_observe",
    "guard_watch",
    "insights_loop",
    "record_session",
    "record_compact",
];
/// Recorded as fixtures with the pinned CLI. Not `continue_fork`: `tests/it/totals.rs` takes a
/// session's truth to be every response in its files, which counts a fork's replayed history
/// twice (git-vouch counts it for the session that had it first, as documented).
pub const PINNED_SCENARIOS: [&str; 5] = [
    "write_edit_bash_read",
    "subagent_edit",
    "parallel_thinking_retry_failure",
    "agent_push",
    "concurrent_sessions",
];
/// Recorded with the newer CLI too (its transcripts are about ten times larger).
pub const NEWER_SCENARIOS: [&str; 3] = [
    "write_edit_bash_read",
    "subagent_edit",
    "parallel_thinking_retry_failure",
];
/// Recorded apart, in `fixtures/insights` (not among the corpus generator's templates in
/// `fixtures/claude`): sessions that go wrong, for the insights' tests and the comparison with
/// pisama (`tests/bench/pisama_compare.py`).
pub const INSIGHTS_SCENARIOS: [&str; 1] = ["insights_loop"];
/// The demo sessions, run one after another in one repository (a project evolving).
pub const DEMO: [&str; 5] = [
    "demo_1_due_dates",
    "demo_2_refactor",
    "demo_3_bugfix",
    "demo_4_docs",
    "demo_5_import",
];
/// Fixtures recorded earlier (with the shared Python harness) that stay in the demo archive.
const KEPT_IN_DEMO: [&str; 3] = [
    "v2.1.197-continue_resume",
    "v2.1.197-subagent",
    "v2.1.197-write_commit_read",
];

fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn vouch(args: &[&std::ffi::OsStr]) {
    let out = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
        .args(args)
        .output()
        .expect("run git-vouch");
    assert!(
        out.status.success(),
        "git-vouch {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies a run's transcripts to `fixtures/<folder>/v<version>-<name>`, with the work folder's
/// path replaced by `neutral`.
fn import(workdir: &Path, folder: &str, version: &str, name: &str, neutral: &str) -> PathBuf {
    let dest = manifest().join(format!("fixtures/{folder}/v{version}-{name}"));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).expect("remove the old fixture");
    }
    vouch(&[
        "debug".as_ref(),
        "import-run".as_ref(),
        workdir.as_os_str(),
        dest.as_os_str(),
        "--neutral".as_ref(),
        neutral.as_ref(),
    ]);
    eprintln!("recorded {}", dest.display());
    dest
}

/// Records the fixtures of the end-to-end scenarios. Needs both CLI versions.
pub fn record_fixtures() {
    for (version, names) in [
        (PINNED, &PINNED_SCENARIOS[..]),
        (NEWER, &NEWER_SCENARIOS[..]),
    ] {
        for name in names {
            let run = run_scenario(name, version).expect("the CLI is needed to record");
            import(
                &run.wd.root,
                "claude",
                version,
                name,
                &format!("/home/dev/{name}"),
            );
        }
    }
}

/// Records the sessions that go wrong into `fixtures/insights`, with the pinned CLI.
pub fn record_insights() {
    for name in INSIGHTS_SCENARIOS {
        let run = run_scenario(name, PINNED).expect("the CLI is needed to record");
        import(
            &run.wd.root,
            "insights",
            PINNED,
            name,
            &format!("/home/dev/{name}"),
        );
    }
}

/// Runs the demo scenarios in one work folder, imports them as `v<pinned>-demo` (the project is
/// `/home/dev/tasktrack`), saves the repository as `assets/demo/repo.bundle` and packs
/// `assets/demo/transcripts.txt`.
pub fn record_demo() {
    let claude = cli::claude(PINNED).expect("the CLI is needed to record");
    let wd = Workdir::with_repo("demo", "tasktrack");
    let (mut sessions, mut log) = (Vec::new(), Vec::new());
    for name in DEMO {
        let sc = Scenario::load(name);
        let (s, l, _) = driver::run(&wd, &sc, &claude, name);
        sessions.extend(s);
        log.extend(l);
    }
    let run = Run {
        name: "demo".into(),
        version: PINNED.into(),
        wd,
        sessions,
        log,
        held: Vec::new(),
    };
    run.assert_clean();
    let calls: usize = run.served().map(|e| e.tools.len()).sum();
    eprintln!("demo: {} sessions, {calls} tool calls", run.sessions.len());
    let fixture = import(&run.wd.root, "claude", PINNED, "demo", "/home/dev");
    let assets = manifest().join("assets/demo");
    std::fs::create_dir_all(&assets).expect("assets/demo");
    let bundle = assets.join("repo.bundle");
    let _ = std::fs::remove_file(&bundle);
    run.wd.git(&[
        "bundle",
        "create",
        "-q",
        bundle.to_str().expect("utf-8"),
        "--all",
    ]);
    let out = assets.join("transcripts.txt");
    let mut args: Vec<PathBuf> = vec![fixture];
    args.extend(
        KEPT_IN_DEMO
            .iter()
            .map(|k| manifest().join("fixtures/claude").join(k)),
    );
    let mut argv: Vec<&std::ffi::OsStr> = vec![
        "debug".as_ref(),
        "pack-demo".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    argv.extend(args.iter().map(|p| p.as_os_str()));
    vouch(&argv);
    eprintln!("wrote {} and {}", out.display(), bundle.display());
}
