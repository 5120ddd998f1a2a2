//! Each detector at its threshold (N−1, N, N+1), on small hand-made transcripts read by the
//! summary scan and summed up by the session model, as every list and screen gets them.

use std::path::PathBuf;

use serde_json::{Value, json};

use super::*;
use crate::agent_source;
use crate::pricing::PriceTable;
use crate::session::{ScannedFile, summarize_project};
use crate::transcript::agent::Agent;
use crate::transcript::source_file::{FileRole, SourceFile};

pub(super) fn ts(n: usize) -> String {
    format!("2026-01-01T00:{:02}:{:02}Z", n / 60, n % 60)
}

/// A call and its result: `Ok(text)` or `Err(error)`.
pub(super) fn step(n: usize, name: &str, input: &Value, outcome: Result<&str, &str>) -> [Value; 2] {
    let id = format!("toolu_{n:03}");
    let call = json!({"type":"assistant","timestamp":ts(2 * n),"requestId":format!("req_{n}"),
        "message":{"id":format!("msg_{n}"),"model":"claude-sonnet-4-5-20250929",
        "usage":{"input_tokens":10,"output_tokens":5},
        "content":[{"type":"tool_use","id":id,"name":name,"input":input}]}});
    let (text, error) = match outcome {
        Ok(t) => (t, false),
        Err(e) => (e, true),
    };
    let result = json!({"type":"user","timestamp":ts(2 * n + 1),
        "message":{"content":[{"type":"tool_result","tool_use_id":id,"content":text,"is_error":error}]}});
    [call, result]
}

pub(super) fn bash(n: usize, command: &str, outcome: Result<&str, &str>) -> [Value; 2] {
    step(n, "Bash", &json!({ "command": command }), outcome)
}

pub(super) fn answer(n: usize, text: &str) -> Value {
    json!({"type":"assistant","timestamp":ts(2 * n),"requestId":format!("req_a{n}"),
        "message":{"id":format!("msg_a{n}"),"model":"claude-sonnet-4-5-20250929",
        "usage":{"input_tokens":10,"output_tokens":5},
        "content":[{"type":"text","text":text}]}})
}

pub(super) fn prompt(n: usize, text: &str) -> Value {
    json!({"type":"user","uuid":format!("u{n}"),"timestamp":ts(2 * n),"message":{"content":text}})
}

#[allow(clippy::needless_pass_by_value)] // Callers build the lines in the call.
pub(super) fn insights(lines: Vec<Value>) -> Insights {
    insights_of_files(vec![(FileRole::Main, lines)])
}

/// The insights of one session made of these files (the first is the main transcript).
pub(super) fn insights_of_files(files: Vec<(FileRole, Vec<Value>)>) -> Insights {
    let scanned: Vec<ScannedFile> = files
        .into_iter()
        .enumerate()
        .map(|(i, (role, lines))| {
            let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
            let source = SourceFile {
                agent: Agent::default(),
                path: PathBuf::from(format!("p/s/{i}.jsonl")),
                project: "p".into(),
                session_hint: Some("s".into()),
                role,
                len: 0,
                mtime_ns: 0,
                inode: 0,
            };
            let scan = agent_source::of(source.agent).scan_bytes(&source, text.as_bytes());
            ScannedFile { source, scan }
        })
        .collect();
    let refs: Vec<&ScannedFile> = scanned.iter().collect();
    let sessions = summarize_project(&refs, PriceTable::embedded());
    assert_eq!(sessions.len(), 1, "one session");
    sessions[0]
        .insights
        .clone()
        .expect("the embedded thresholds read")
}

pub(super) fn ids(i: &Insights) -> Vec<&str> {
    i.findings.iter().map(|f| f.id.label()).collect()
}

pub(super) fn session(steps: Vec<[Value; 2]>, tail: Vec<Value>) -> Vec<Value> {
    let mut lines = vec![prompt(0, "Fix the build")];
    lines.extend(steps.into_iter().flatten());
    lines.extend(tail);
    lines
}

#[test]
fn a_loop_is_the_same_call_three_times_in_a_row() {
    let fail = Err("Exit code 101");
    let repeat = |n: usize| {
        (1..=n)
            .map(|i| bash(i, "cargo build", fail))
            .collect::<Vec<_>>()
    };
    let done = || vec![answer(90, "I could not fix it.")];
    assert!(!ids(&insights(session(repeat(2), done()))).contains(&"loop"));
    let three = insights(session(repeat(3), done()));
    let found = three
        .findings
        .iter()
        .find(|f| f.id.label() == "loop")
        .unwrap();
    assert_eq!(found.severity, Severity::High, "every repeat failed");
    assert_eq!(found.calls, ["toolu_001", "toolu_002", "toolu_003"]);
    assert!(
        found.title.starts_with("Bash called 3 times in a row"),
        "{}",
        found.title
    );
    let four = insights(session(repeat(4), done()));
    assert_eq!(
        four.findings
            .iter()
            .filter(|f| f.id.label() == "loop")
            .count(),
        1
    );
    // Another call in between ends the run; successes make it low.
    let mut broken = repeat(2);
    broken.push(bash(3, "cargo check", Ok("ok")));
    broken.extend((4..=5).map(|i| bash(i, "cargo build", fail)));
    assert!(!ids(&insights(session(broken, done()))).contains(&"loop"));
    let polling = (1..=3)
        .map(|i| bash(i, "git status", Ok("clean")))
        .collect();
    let low = insights(session(polling, done()));
    assert_eq!(low.findings[0].severity, Severity::Low);
}

#[test]
fn a_retry_storm_is_five_failures_among_ten_calls() {
    let calls = |failures: usize| {
        (1..=10)
            .map(|i| {
                let outcome = if i <= failures {
                    Err("Exit code 1")
                } else {
                    Ok("ok")
                };
                bash(i, &format!("step {i}"), outcome)
            })
            .collect::<Vec<_>>()
    };
    let done = || vec![answer(90, "Summary of the work.")];
    assert!(!ids(&insights(session(calls(4), done()))).contains(&"retry_storm"));
    let five = insights(session(calls(5), done()));
    let storm = five
        .findings
        .iter()
        .find(|f| f.id.label() == "retry_storm")
        .unwrap();
    assert_eq!((storm.severity, storm.calls.len()), (Severity::Medium, 5));
    assert!(
        storm
            .title
            .starts_with("5 failures in 10 calls (5 of them Bash)"),
        "{}",
        storm.title
    );
    let ten = insights(session(calls(10), done()));
    let storms: Vec<&Finding> = ten
        .findings
        .iter()
        .filter(|f| f.id.label() == "retry_storm")
        .collect();
    assert_eq!(storms.len(), 1, "overlapping windows are one storm");
    assert_eq!(storms[0].severity, Severity::High);
}

#[test]
fn tool_errors_are_classified_and_a_tool_failing_often_is_a_finding() {
    let edit = |n: usize, error: &str| {
        step(
            n,
            "Edit",
            &json!({"file_path":"/srv/shop/a.rs","old_string":format!("x{n}"),"new_string":"y"}),
            Err(error),
        )
    };
    let steps = vec![
        edit(
            1,
            "File has not been read yet. Read it first before writing to it.",
        ),
        edit(2, "String to replace not found in file."),
        edit(
            3,
            "<tool_use_error>String to replace not found in file.</tool_use_error>",
        ),
        step(
            4,
            "Edit",
            &json!({"file_path":"/srv/shop/a.rs","old_string":"a","new_string":"b"}),
            Ok("ok"),
        ),
        bash(
            5,
            "ls /nope",
            Err("ls: cannot access '/nope': No such file or directory"),
        ),
    ];
    let i = insights(session(steps, vec![answer(90, "Edited a.rs.")]));
    let edit = i.tool_errors.iter().find(|t| t.tool == "Edit").unwrap();
    assert_eq!((edit.calls, edit.failed, edit.rate_percent()), (4, 3, 75));
    assert_eq!(edit.classes["file_not_read"], 1);
    assert_eq!(edit.classes["string_not_found"], 2);
    let bash = i.tool_errors.iter().find(|t| t.tool == "Bash").unwrap();
    assert_eq!(bash.classes["not_found"], 1);
    assert_eq!(i.tool_errors.len(), 2, "only the tools that failed");
    let found: Vec<&Finding> = i
        .findings
        .iter()
        .filter(|f| f.id.label() == "tool_errors")
        .collect();
    assert_eq!(found.len(), 1, "Bash failed once: below the threshold");
    assert_eq!(found[0].calls.len(), 3);
    assert!(
        found[0].title.starts_with("Edit failed 3 of 4 calls (75%)"),
        "{}",
        found[0].title
    );
}

#[test]
fn a_session_ending_on_three_failures_or_an_unanswered_prompt_is_abandoned() {
    let ending = |failures: usize| {
        let mut steps = vec![bash(1, "make", Ok("ok"))];
        steps.extend(
            (2..2 + failures).map(|i| bash(i, &format!("make target{i}"), Err("Exit code 2"))),
        );
        steps
    };
    assert!(!ids(&insights(session(ending(2), vec![]))).contains(&"abandoned"));
    let three = insights(session(ending(3), vec![]));
    let found = three
        .findings
        .iter()
        .find(|f| f.id.label() == "abandoned")
        .unwrap();
    assert_eq!(found.calls, ["toolu_002", "toolu_003", "toolu_004"]);
    let unanswered = insights(session(
        vec![bash(1, "make", Ok("ok"))],
        vec![answer(5, "Built."), prompt(6, "now deploy it")],
    ));
    assert!(ids(&unanswered).contains(&"unanswered_prompt"));
    // A command echo (`/exit`) is not a prompt that needed an answer.
    let exit = insights(session(
        vec![bash(1, "make", Ok("ok"))],
        vec![
            answer(5, "Built."),
            prompt(6, "<command-name>/exit</command-name>"),
        ],
    ));
    assert!(
        !ids(&exit).contains(&"unanswered_prompt"),
        "{:?}",
        ids(&exit)
    );
}

#[test]
fn a_claimed_success_without_a_test_run_after_the_last_edit_is_unverified() {
    let edit = || {
        step(
            1,
            "Edit",
            &json!({"file_path":"/srv/shop/src/lib.rs","old_string":"a","new_string":"b"}),
            Ok("ok"),
        )
    };
    let claimed = insights(session(
        vec![edit()],
        vec![answer(9, "Fixed: all tests pass now.")],
    ));
    let found = claimed
        .findings
        .iter()
        .find(|f| f.id.label() == "unverified_completion")
        .unwrap();
    assert_eq!(
        (found.severity, found.confidence),
        (Severity::High, Confidence::Medium)
    );
    assert_eq!(found.calls, ["toolu_001"]);
    let tested = insights(session(
        vec![edit(), bash(2, "cargo test -q", Ok("ok"))],
        vec![answer(9, "Fixed: all tests pass now.")],
    ));
    assert!(!ids(&tested).contains(&"unverified_completion"));
    let modest = insights(session(
        vec![edit()],
        vec![answer(9, "I changed lib.rs; please review.")],
    ));
    assert!(!ids(&modest).contains(&"unverified_completion"));
    // Documentation needs no test run.
    let docs = step(
        1,
        "Write",
        &json!({"file_path":"/srv/shop/CHANGELOG.md","content":"x"}),
        Ok("ok"),
    );
    let notes = insights(session(vec![docs], vec![answer(9, "Done.")]));
    assert!(
        !ids(&notes).contains(&"unverified_completion"),
        "{:?}",
        ids(&notes)
    );
    // Nothing edited, nothing to verify.
    let talk = insights(session(
        vec![bash(1, "ls", Ok("a"))],
        vec![answer(9, "Done.")],
    ));
    assert!(!ids(&talk).contains(&"unverified_completion"));
}

#[test]
fn health_is_100_less_the_penalties_with_a_grade() {
    let healthy = insights(session(
        vec![bash(1, "cargo test", Ok("ok"))],
        vec![answer(9, "Tests ran.")],
    ));
    assert_eq!((healthy.health, healthy.grade.as_str()), (100, "A"));
    assert!(healthy.findings.is_empty(), "{:?}", healthy.findings);
    let rules = Rules::embedded().unwrap();
    let f = |severity| Finding {
        id: Detector::Loop,
        title: String::new(),
        severity,
        confidence: Confidence::High,
        basis: Basis::Measured,
        agent_id: None,
        at: None,
        calls: Vec::new(),
        suggestion: String::new(),
    };
    assert_eq!(health(&rules, &[f(Severity::High)]), (75, "B".to_owned()));
    assert_eq!(
        health(
            &rules,
            &[f(Severity::High), f(Severity::Medium), f(Severity::Low)]
        ),
        (62, "C".to_owned())
    );
    let five = vec![f(Severity::High); 5];
    assert_eq!(health(&rules, &five), (0, "F".to_owned()));
}

#[test]
fn the_test_runners_and_documentation_are_the_tests_run_policys() {
    let rego = include_str!("../../assets/policies/tests_run.rego");
    let policy = |name: &str| {
        let start = format!("{name} := `");
        let line = rego.lines().find(|l| l.starts_with(&start)).unwrap();
        line.trim_start_matches(&start)
            .trim_end_matches('`')
            .to_owned()
    };
    let rules = Rules::embedded().unwrap();
    assert_eq!(rules.test_runners.as_str(), policy("runners"));
    assert_eq!(rules.documentation.as_str(), policy("doc_lines"));
}

#[test]
fn errors_read_as_claude_code_and_the_shell_write_them() {
    let rules = Rules::embedded().unwrap();
    for (error, class) in [
        (
            "Error: The user doesn't want to proceed with this tool use. The tool use was rejected",
            "user_rejected",
        ),
        (
            "The user doesn't want to take this action right now. STOP what you are doing",
            "user_rejected",
        ),
        (
            "Error: File has not been read yet. Read it first before writing to it.",
            "file_not_read",
        ),
        (
            "<tool_use_error>String to replace not found in file.",
            "string_not_found",
        ),
        (
            r#"InputValidationError: [ { "code": "invalid_type", "path": [ "prompt" ] } ]"#,
            "invalid_input",
        ),
        (
            "Error: lsd: 3: No such file or directory (os error 2)",
            "not_found",
        ),
        (
            "Error: Claude requested permissions to write to /srv/a, but you haven't granted it yet.",
            "permission",
        ),
        ("Command timed out after 2m 0.0s", "timeout"),
        (
            "error[E0308]: mismatched types\nExit code 101",
            "syntax_or_runtime",
        ),
        ("something else entirely", "other"),
    ] {
        assert_eq!(rules.error_class(error), class, "{error}");
    }
}

mod usage;
mod waste;
