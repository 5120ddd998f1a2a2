//! Repository policies: `.rego` files over the evidence document, chainloop `kind: Policy` YAML
//! run unchanged over the chainloop materials, and bad policies reported with their file and
//! line while the other policies still run.

use git_vouch::policy::{PolicyReport, PolicyResult, PolicySet, check};

use super::support::{actions, evidence, repo_with, session};

fn named<'a>(report: &'a PolicyReport, name: &str) -> &'a PolicyResult {
    report
        .policies
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no policy {name} in {}", report.render_text()))
}

const MAX_TWO_SESSIONS: &str = r#"package team.sessions
import rego.v1

violations contains msg if {
	count(input.sessions) > input.args.max_sessions
	msg := sprintf("%d sessions in one push (max %d)", [count(input.sessions), input.args.max_sessions])
}
"#;

/// chainloop's own example (sbx-demo `tests-were-run`), unchanged: it reads the raw session.
const CHAINLOOP_TESTS_WERE_RUN: &str = r#"apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: tests-were-run
  description: Code changes must be accompanied by a test run
spec:
  policies:
    - kind: CHAINLOOP_AI_CODING_SESSION
      embedded: |
        package main

        import rego.v1

        result := {
          "skipped": skipped,
          "violations": violations,
          "skip_reason": skip_reason,
        }

        default skip_reason := ""

        skip_reason := "invalid input" if not valid_input

        default skipped := true

        skipped := false if valid_input

        default valid_input := false

        valid_input if input.data.code_changes

        commands := [c |
          some entry in input.data.raw_session.main
          entry.type == "assistant"
          some block in entry.message.content
          block.type == "tool_use"
          block.name == "Bash"
          c := block.input.command
        ]

        ran_tests if {
          some c in commands
          regex.match(`(npm|pnpm|yarn) test|go test|pytest|cargo test`, c)
        }

        violations contains msg if {
          valid_input
          count(input.data.code_changes.files) > 0
          not ran_tests
          msg := "code changed but no tests were run"
        }
"#;

#[test]
fn rego_files_get_the_evidence_and_their_args() {
    let repo = repo_with(&[
        ("sessions.rego", MAX_TWO_SESSIONS),
        ("config.toml", "[args]\nmax_sessions = 2\n"),
    ]);
    let two = evidence(vec![session("a"), session("b")], &[]);
    let report = check(repo.path(), &two).unwrap();
    let r = named(&report, "sessions");
    assert_eq!(r.status, "pass");
    assert_eq!(r.source, ".vouch/policies/sessions.rego");
    assert_eq!(r.kind, "rego");
    assert_eq!(r.sha256.len(), 64);
    let three = evidence(vec![session("a"), session("b"), session("c")], &[]);
    let report = check(repo.path(), &three).unwrap();
    let r = named(&report, "sessions");
    assert_eq!(r.violations[0].message, "3 sessions in one push (max 2)");
    assert_eq!(r.violations[0].session, None);
    assert!(report.has_violations());
}

#[test]
fn chainloop_policies_run_unchanged_per_session() {
    let repo = repo_with(&[("tests-were-run.yaml", CHAINLOOP_TESTS_WERE_RUN)]);
    let mut tested = session("tested");
    tested.actions = actions(&[("edit", "src/a.rs"), ("command", "cargo test --all")]);
    let mut untested = session("untested");
    untested.actions = actions(&[("edit", "src/a.rs"), ("command", "cargo build")]);
    let e = evidence(vec![tested, untested], &["src/a.rs"]);
    let report = check(repo.path(), &e).unwrap();
    let r = named(&report, "tests-were-run");
    assert_eq!(r.kind, "chainloop");
    assert_eq!(r.status, "violated", "{}", report.render_text());
    assert_eq!(r.violations.len(), 1);
    assert_eq!(r.violations[0].session.as_deref(), Some("untested"));
    assert_eq!(
        r.violations[0].message,
        "code changed but no tests were run"
    );
    // Nothing changed: every material is skipped... and a session that ran tests passes.
    let mut only = session("only");
    only.actions = actions(&[("command", "pytest -q")]);
    let report = check(repo.path(), &evidence(vec![only], &["src/a.rs"])).unwrap();
    assert_eq!(named(&report, "tests-were-run").status, "pass");
}

#[test]
fn chainloop_files_for_other_kinds_or_not_policies_are_reported() {
    let other = "apiVersion: chainloop.dev/v1\nkind: Policy\nmetadata:\n  name: sbom\nspec:\n  policies:\n    - kind: SBOM_SPDX_JSON\n      embedded: |\n        package main\n";
    let repo = repo_with(&[
        ("sbom.yaml", other),
        ("notes.yml", "just: text\n"),
        ("broken.yaml", "kind: Policy\nspec: [unclosed\n"),
        ("ok.rego", "package ok\nimport rego.v1\nviolations := []\n"),
    ]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let sbom = named(&report, "sbom");
    assert!(
        sbom.error
            .as_deref()
            .unwrap()
            .contains("no spec.policies entry for kind CHAINLOOP_AI_CODING_SESSION")
    );
    let notes = named(&report, "notes");
    assert!(
        notes
            .error
            .as_deref()
            .unwrap()
            .contains("not a chainloop policy")
    );
    let broken = named(&report, "broken");
    assert!(
        broken
            .error
            .as_deref()
            .unwrap()
            .starts_with(".vouch/policies/broken.yaml: "),
        "{:?}",
        broken.error
    );
    assert_eq!(named(&report, "ok").status, "pass");
    assert_eq!(report.errors, 3);
}

#[test]
fn a_syntax_error_names_file_and_line_and_the_others_still_run() {
    let bad = "package bad\nimport rego.v1\n\nviolations contains msg if {\n  msg := \"x\" +\n}\n";
    let repo = repo_with(&[
        ("bad.rego", bad),
        ("sessions.rego", MAX_TWO_SESSIONS),
        (
            "config.toml",
            "builtins = [\"no-secrets\"]\n[args]\nmax_sessions = 0\n",
        ),
    ]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let err = named(&report, "bad").error.clone().unwrap();
    assert!(err.starts_with(".vouch/policies/bad.rego:5:"), "{err}");
    assert_eq!(named(&report, "bad").status, "error");
    assert_eq!(named(&report, "sessions").status, "violated");
    assert_eq!(named(&report, "no-secrets").status, "pass");
}

#[test]
fn a_syntax_error_in_embedded_rego_names_the_yaml_line() {
    let yaml = "apiVersion: chainloop.dev/v1\nkind: Policy\nmetadata:\n  name: typo\nspec:\n  policies:\n    - kind: CHAINLOOP_AI_CODING_SESSION\n      embedded: |\n        package main\n        import rego.v1\n        violations contains msg iff {\n          msg := \"x\"\n        }\n";
    let repo = repo_with(&[("typo.yaml", yaml)]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let err = named(&report, "typo").error.clone().unwrap();
    // Line 11 of the file is the third line of the embedded block.
    assert!(err.starts_with(".vouch/policies/typo.yaml:11:"), "{err}");
}

#[test]
fn a_runtime_error_is_reported_with_its_line() {
    let conflict = "package conflict\nimport rego.v1\n\nlevel := \"low\" if true\nlevel := \"high\" if count(input.sessions) > 0\n\nviolations contains level if true\n";
    let repo = repo_with(&[
        ("conflict.rego", conflict),
        ("sessions.rego", MAX_TWO_SESSIONS),
    ]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let r = named(&report, "conflict");
    assert_eq!(r.status, "error");
    let err = r.error.clone().unwrap();
    assert!(err.starts_with(".vouch/policies/conflict.rego:"), "{err}");
    // Without its max_sessions argument the comparison is undefined: no violation.
    assert_eq!(named(&report, "sessions").status, "pass");
}

#[test]
fn an_endless_loop_stops_at_the_time_limit() {
    let endless = "package endless\nimport rego.v1\n\nn := numbers.range(1, 3000)\n\nviolations contains x if {\n  x := count([1 | some a in n; some b in n; some c in n])\n}\n";
    let repo = repo_with(&[
        ("endless.rego", endless),
        (
            "config.toml",
            "builtins = [\"no-secrets\"]\ntime_limit_ms = 200\n",
        ),
    ]);
    let started = std::time::Instant::now();
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(
        named(&report, "endless").error.as_deref(),
        Some(".vouch/policies/endless.rego: evaluation stopped at the time limit of 200 ms")
    );
    assert_eq!(named(&report, "no-secrets").status, "pass");
}

#[test]
fn huge_output_is_capped() {
    let many = "package many\nimport rego.v1\n\nviolations contains sprintf(\"violation number %d\", [i]) if some i in numbers.range(1, 5000)\n";
    let long = "package long\nimport rego.v1\n\nviolations contains concat(\"\", [\"x\" | some _ in numbers.range(1, 10000)]) if true\n";
    // 2,000 messages of 1,000 characters: 2 MB, over the 1 MiB cap before the count cap.
    let flood = "package flood\nimport rego.v1\n\nz := concat(\"\", [\"z\" | some _ in numbers.range(1, 1000)])\n\nviolations contains sprintf(\"%d %s\", [i, z]) if some i in numbers.range(1, 2000)\n";
    let repo = repo_with(&[
        ("many.rego", many),
        ("long.rego", long),
        ("flood.rego", flood),
    ]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let many = named(&report, "many");
    assert_eq!(many.violations.len(), 101);
    assert_eq!(
        many.violations[100].message,
        "… and 4900 more violations (output capped)"
    );
    let long = named(&report, "long");
    assert_eq!(long.violations[0].message.chars().count(), 501);
    let flood = named(&report, "flood");
    assert!(
        flood.error.as_deref().unwrap().contains("output too large"),
        "{:?}",
        flood.error
    );
}

#[test]
fn bad_configuration_is_an_error_naming_the_file() {
    let repo = repo_with(&[("config.toml", "builtins = [\"approved-models\"\n")]);
    let err = PolicySet::load(repo.path()).unwrap_err().to_string();
    assert!(err.contains(".vouch/policies/config.toml"), "{err}");
    let repo = repo_with(&[("config.toml", "builtin = []\n")]);
    let err = PolicySet::load(repo.path()).unwrap_err().to_string();
    assert!(err.contains("unknown field `builtin`"), "{err}");
    let repo = repo_with(&[("config.toml", "builtins = [\"approved-modles\"]\n")]);
    let report = check(repo.path(), &evidence(vec![session("s")], &[])).unwrap();
    let err = named(&report, "approved-modles").error.clone().unwrap();
    assert!(
        err.contains("unknown built-in policy 'approved-modles'"),
        "{err}"
    );
}

#[test]
fn nothing_configured_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let set = PolicySet::load(dir.path()).unwrap();
    assert!(!set.configured);
    assert!(!set.any_enabled());
    let report = set.check(&evidence(vec![session("s")], &[]));
    assert!(report.policies.is_empty());
}
