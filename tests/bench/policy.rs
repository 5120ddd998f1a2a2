//! Benchmark: every built-in policy over the evidence of a push of 20 agent sessions (target:
//! at most 50 ms on a 2-core machine), in process as pre-push runs them: loading and parsing
//! the policies, converting the evidence, and evaluating.
//!
//! Run with `cargo bench --bench policy` (`-- --runs N`). Each session has 3 models, 150
//! actions (100 Bash commands of the kinds agents run, 30 edits, 20 reads), and 2 of the push's
//! 40 commits with 5 files each. Prints the median, min and max of the whole check and of the
//! evaluation alone, and PASS/FAIL against the target.

#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use git_vouch::evidence::{
    ActionEvidence, CommitEvidence, Evidence, FileEvidence, ModelEvidence, Producer, RangeInfo,
    Repository, SessionEvidence, Totals, UsageEvidence,
};
use git_vouch::policy::PolicySet;

const SESSIONS: usize = 20;
const TARGET: Duration = Duration::from_millis(50);

const CONFIG: &str = r#"builtins = ["all"]
[args]
approved_models = ["claude-sonnet-4-5*", "claude-haiku-4-5*", "claude-opus-4-*"]
max_tokens_per_session = 50_000_000
max_tokens_per_push = 500_000_000
max_cost_usd_per_session = "25.00"
max_cost_usd_per_push = "200.00"
"#;

const COMMANDS: [&str; 10] = [
    "cd <repo> && cargo build --all-targets 2>&1 | tail -20",
    "git status --short",
    "rg -n \"fn parse\" src/ | head -50",
    "cargo test -p engine -- --nocapture parse::",
    "ls -la src/engine",
    "git diff --stat HEAD~1",
    "rm -rf target/debug/incremental",
    "npm run lint -- --fix && npm test",
    "git add -A && git commit -m \"Parse nested blocks\"",
    "cat Cargo.toml | grep -n version",
];

fn usage(tokens: u64, cost: &str) -> UsageEvidence {
    UsageEvidence {
        input_tokens: tokens / 10,
        output_tokens: tokens / 10,
        cache_write_5m_tokens: tokens / 10,
        cache_write_1h_tokens: 0,
        cache_read_tokens: tokens - 3 * (tokens / 10),
        total_tokens: tokens,
        cost_usd: Some(cost.to_owned()),
    }
}

fn session(i: usize, commits: Vec<String>) -> SessionEvidence {
    let actions = (0..150u64)
        .map(|seq| {
            let (kind, tool) = match seq % 5 {
                0 => ("edit", "Edit"),
                1 if seq % 3 == 0 => ("read", "Read"),
                _ => ("command", "Bash"),
            };
            ActionEvidence {
                seq: seq * 2,
                kind: kind.into(),
                tool: tool.into(),
                command: (kind == "command").then(|| COMMANDS[seq as usize % 10].to_owned()),
                path: (kind != "command").then(|| format!("src/engine/module_{}.rs", seq % 17)),
                status: "ok".into(),
                agent_id: None,
            }
        })
        .collect();
    SessionEvidence {
        id: format!("{i:08}-0000-4000-8000-000000000000"),
        agent: Producer {
            name: "claude-code".into(),
            version: "2.1.329".into(),
        },
        title: Some("Parse nested blocks".into()),
        started_at: None,
        ended_at: None,
        duration_seconds: Some(3600),
        git_branch: Some("feature".into()),
        permission_modes: vec!["default".into()],
        models: [
            "claude-sonnet-4-5-20250929",
            "claude-haiku-4-5-20251001",
            "claude-opus-4-6",
        ]
        .iter()
        .map(|m| ModelEvidence {
            model: (*m).into(),
            requests: 120,
            usage: usage(4_000_000, "1.234567"),
        })
        .collect(),
        usage: usage(12_000_000, "3.703701"),
        tools: Vec::new(),
        subagents: Vec::new(),
        user_prompts: 12,
        assistant_messages: 340,
        commits,
        transcripts: Vec::new(),
        warnings: Vec::new(),
        actions,
        guard: None,
        insights: None,
        recording: None,
        agent_config: None,
    }
}

fn evidence() -> Evidence {
    let sha = |n: usize| format!("{n:040x}");
    let commits: Vec<CommitEvidence> = (0..SESSIONS * 2)
        .map(|n| CommitEvidence {
            sha: sha(n),
            parents: vec![sha(n + 1000)],
            subject: format!("Commit {n}"),
            author: "Dev <dev@example.com>".into(),
            committed_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            sessions: vec![format!("{:08}-0000-4000-8000-000000000000", n / 2)],
            attribution_source: "recorded".into(),
            change_id: None,
            files: (0..5)
                .map(|f| FileEvidence {
                    path: if f == 4 {
                        format!("tests/engine_{n}.rs")
                    } else {
                        format!("src/engine/module_{f}.rs")
                    },
                    old_path: None,
                    status: "modified".into(),
                    lines_added: 20,
                    lines_removed: 4,
                    ai_lines_added: 18,
                    human_lines_added: 2,
                    ai_line_ranges: vec![[10, 27]],
                    human_line_ranges: vec![[30, 31]],
                    unknown_lines_added: 0,
                    unknown_line_ranges: Vec::new(),
                })
                .collect(),
        })
        .collect();
    let sessions = (0..SESSIONS)
        .map(|i| session(i, vec![sha(2 * i), sha(2 * i + 1)]))
        .collect();
    Evidence {
        schema_version: git_vouch::evidence::SCHEMA_VERSION.into(),
        generated_at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        producer: Producer {
            name: "git-vouch".into(),
            version: "0.1.0".into(),
        },
        repository: Repository {
            name: "repo".into(),
            branch: Some("feature".into()),
            remote: Some("origin".into()),
            remote_url: None,
        },
        range: RangeInfo {
            spec: "main..feature".into(),
            base: None,
            tip: sha(0),
            tip_tree: sha(0),
            commit_count: commits.len(),
            change_id: None,
            file_changes: std::collections::BTreeMap::new(),
        },
        commits,
        sessions,
        totals: Totals::default(),
        redactions: BTreeMap::new(),
        warnings: Vec::new(),
        policies: None,
    }
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(21);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join(".vouch/policies");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("config.toml"), CONFIG).unwrap();
    let evidence = evidence();

    // The first run checks the setup: every built-in ran, without errors.
    let report = PolicySet::load(dir.path()).unwrap().check(&evidence);
    let builtins = git_vouch::policy::builtin::BUILTINS.len();
    assert_eq!(report.policies.len(), builtins, "{}", report.render_text());
    assert_eq!(report.errors, 0, "{}", report.render_text());
    println!("{}", report.summary());

    let mut whole = Vec::new();
    let mut eval = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let set = PolicySet::load(dir.path()).unwrap();
        let loaded = Instant::now();
        let report = set.check(&evidence);
        let end = Instant::now();
        assert_eq!(report.errors, 0);
        whole.push(end - start);
        eval.push(end - loaded);
    }
    let (m, lo, hi) = median(whole);
    let (em, elo, ehi) = median(eval);
    println!(
        "{SESSIONS} sessions, {} actions, {} commits; {runs} runs",
        evidence
            .sessions
            .iter()
            .map(|s| s.actions.len())
            .sum::<usize>(),
        evidence.commits.len()
    );
    println!(
        "load + check: median {} (min {}, max {})",
        ms(m),
        ms(lo),
        ms(hi)
    );
    println!(
        "check only:   median {} (min {}, max {})",
        ms(em),
        ms(elo),
        ms(ehi)
    );
    // Each built-in alone (load and check), to see where the time goes.
    for b in &git_vouch::policy::builtin::BUILTINS {
        let config = CONFIG.replace("[\"all\"]", &format!("[\"{}\"]", b.name));
        std::fs::write(folder.join("config.toml"), config).unwrap();
        let times = (0..runs.min(7))
            .map(|_| {
                let start = Instant::now();
                let report = PolicySet::load(dir.path()).unwrap().check(&evidence);
                assert_eq!(report.policies.len(), 1);
                start.elapsed()
            })
            .collect();
        println!("  {:<24} median {}", b.name, ms(median(times).0));
    }
    println!(
        "{}: median {} against the target of {}",
        if m <= TARGET { "PASS" } else { "FAIL" },
        ms(m),
        ms(TARGET)
    );
}
