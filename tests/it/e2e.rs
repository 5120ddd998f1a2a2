//! End to end: the real Claude Code CLI, run in `-p` mode against a scripted mock of the
//! Anthropic API on loopback, in a fresh repository with `git vouch init` installed; then what
//! git-vouch reports (sessions, show, commit trailers and records, ledgers, pushes) is checked
//! against the scenario's scripted figures exactly.
//!
//! The CLI is installed with npm into `target/claude-code/<version>` when missing (2.1.197, the
//! pinned version, and 2.1.329, a native binary that also runs on Node 20). Without npm or the
//! CLI the tests skip with a message; under `CI=true` they fail instead. Scenarios live in
//! `fixtures/scenarios/*.json`; the harness is in `tests/it/e2e/`. The guard's scenarios
//! (`guard_enforce`, `guard_observe`, `guard_watch`) make their work folder in `target/tmp`, because the guard
//! takes `/tmp` for a temporary folder, where deleting is routine rather than outside the
//! repository; what they try to delete or read is in that work folder.
//!
//! Environment: `E2E_KEEP=1` keeps every work folder (a failing test always keeps its own and
//! prints where; `<scenario>.mock.jsonl` there logs every request with the mock's decision);
//! `E2E_LOG_BODIES=1` adds the request bodies to that log; `GIT_VOUCH_E2E_TIMEOUT` is the limit
//! per CLI session in seconds (default 180).
//!
//! Re-recording the fixtures and the demo data (after a Claude Code update):
//!
//! ```sh
//! GIT_VOUCH_RECORD=1 cargo test --test it e2e::record_fixtures -- --nocapture
//! ```
//!
//! This runs the scenarios and writes `fixtures/claude/v<version>-<scenario>/projects/…` (five
//! scenarios with 2.1.197, three with 2.1.329; see `tests/it/e2e/record.rs`) with machine paths
//! replaced by `/home/dev/<scenario>`, then runs the `demo_*` scenarios one after another in one
//! repository (`/home/dev/tasktrack` once imported) and writes `fixtures/claude/v2.1.197-demo`,
//! `assets/demo/repo.bundle` (that repository, `git bundle create … --all`) and
//! `assets/demo/transcripts.txt` (`git-vouch debug pack-demo` over the demo recording and the
//! three fixtures recorded earlier with the shared harness).
//! `GIT_VOUCH_RECORD=fixtures`, `=insights` (the sessions that go wrong, in `fixtures/insights`)
//! or `=demo` records only that part. Without `GIT_VOUCH_RECORD` the
//! `record_fixtures` test does nothing.

#![allow(clippy::unwrap_used)] // Test helpers fail loudly.

mod cases;
mod checks;
mod cli;
mod driver;
mod expect;
pub mod http;
mod mock;
mod pick;
mod record;
mod reply;
mod scenario;
mod select;
mod selftest;
mod sse;

/// One module per scenario, with a test for each CLI version.
macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn cli_2_1_197() {
                if let Some(run) = crate::e2e::expect::run_scenario(stringify!($name), crate::e2e::cli::PINNED) {
                    crate::e2e::cases::$name(&run);
                }
            }

            #[test]
            fn cli_2_1_329() {
                if let Some(run) = crate::e2e::expect::run_scenario(stringify!($name), crate::e2e::cli::NEWER) {
                    crate::e2e::cases::$name(&run);
                }
            }
        }
    )*};
}

scenarios!(
    write_edit_bash_read,
    subagent_edit,
    continue_fork,
    parallel_thinking_retry_failure,
    agent_push,
    agent_push_required,
    concurrent_sessions,
    guard_enforce,
    guard_observe,
    guard_watch,
    insights_loop,
    record_session,
    record_compact,
);

/// The mock on its own, without the CLI: SSE and JSON answers, retries, side requests, logging.
#[test]
fn mock_speaks_the_messages_api() {
    selftest::mock_protocol();
}

/// Every scenario file parses, scripts usage on every turn, and is run by a test.
#[test]
fn scenario_files_are_complete() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut known: Vec<String> = record::SCENARIOS
        .iter()
        .chain(record::DEMO.iter())
        .map(|s| (*s).to_owned())
        .collect();
    known.sort();
    assert_eq!(
        names, known,
        "scenario files vs. the scenarios the tests run"
    );
    for name in &names {
        let sc = scenario::Scenario::load(name);
        assert!(!sc.description.is_empty(), "{name}: no description");
        assert!(!sc.sessions.is_empty() && !sc.prompts.is_empty(), "{name}");
    }
}

/// Re-records `fixtures/claude/*`, `fixtures/insights/*` and `assets/demo/*` when
/// `GIT_VOUCH_RECORD` is set (see the top): `1` records all, `fixtures`, `insights` or `demo`
/// only one part.
#[test]
fn record_fixtures() {
    let what = std::env::var("GIT_VOUCH_RECORD").unwrap_or_default();
    if !matches!(what.as_str(), "1" | "fixtures" | "insights" | "demo") {
        eprintln!("record_fixtures: set GIT_VOUCH_RECORD=1 to re-record the fixtures");
        return;
    }
    let all = what == "1";
    if all || what == "fixtures" {
        record::record_fixtures();
    }
    if all || what == "insights" {
        record::record_insights();
    }
    if all || what == "demo" {
        record::record_demo();
    }
}
