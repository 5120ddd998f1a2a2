//! Context pressure, compactions, cost outliers, cache thrash and sessions without delivery, at
//! their thresholds.

use serde_json::{Value, json};

use super::{answer, bash, ids, insights, insights_of_files, prompt, session, step, ts};
use crate::insights::{Basis, Finding, Insights, Severity};
use crate::transcript::source_file::FileRole;

/// A response of `model` at second `n` with this usage (input, cache writes, cache reads,
/// output).
fn request(n: usize, model: &str, usage: [u64; 4]) -> Value {
    let [input, write, read, output] = usage;
    json!({"type":"assistant","timestamp":ts(n),"requestId":format!("req_r{n}"),
        "message":{"id":format!("msg_r{n}"),"model":model,
        "usage":{"input_tokens":input,"cache_creation_input_tokens":write,
            "cache_read_input_tokens":read,"output_tokens":output},
        "content":[{"type":"text","text":"Working on it."}]}})
}

fn only<'i>(i: &'i Insights, id: &str) -> Vec<&'i Finding> {
    i.findings.iter().filter(|f| f.id.label() == id).collect()
}

const SONNET: &str = "claude-sonnet-4-5-20250929";

#[test]
fn context_pressure_is_the_fullest_request_against_the_window() {
    let with_context = |model: &str, tokens: u64| {
        insights(vec![
            prompt(0, "Go"),
            request(1, model, [1, 0, tokens - 1, 10]),
        ])
    };
    assert!(only(&with_context(SONNET, 149_999), "context_pressure").is_empty());
    let low = with_context(SONNET, 150_000);
    let f = only(&low, "context_pressure");
    assert_eq!(f[0].severity, Severity::Low);
    assert_eq!(
        f[0].title,
        "a request sent 150k tokens of context, 75% of claude-sonnet-4-5-20250929's 200k window"
    );
    assert!(f[0].at.is_some());
    assert_eq!(
        only(&with_context(SONNET, 180_000), "context_pressure")[0].severity,
        Severity::Medium
    );
    // Past the standard window, Sonnet 4.5 had the 1M window: 25% of it.
    assert!(only(&with_context(SONNET, 250_000), "context_pressure").is_empty());
    // Opus 4.6 has 1M.
    assert!(
        only(
            &with_context("claude-opus-4-6", 180_000),
            "context_pressure"
        )
        .is_empty()
    );
    assert!(
        only(
            &with_context("some-other-model", 180_000),
            "context_pressure"
        )
        .is_empty()
    );
}

fn boundary(n: usize, trigger: &str, pre: u64) -> [Value; 2] {
    [
        json!({"type":"system","subtype":"compact_boundary","timestamp":ts(n),"parentUuid":null,
            "compactMetadata":{"trigger":trigger,"preTokens":pre}}),
        json!({"type":"user","timestamp":ts(n),"isCompactSummary":true,
            "message":{"content":"This session is being continued… ".repeat(40)}}),
    ]
}

#[test]
fn compactions_mid_work_and_the_call_the_transcript_never_records() {
    let mut lines = session(vec![bash(1, "cargo build", Ok("ok"))], Vec::new());
    lines.insert(1, request(1, SONNET, [10, 0, 0, 5]));
    lines.extend(boundary(10, "auto", 160_000));
    lines.push(answer(20, "Carrying on."));
    lines.push(prompt(30, "And now?"));
    lines.extend(boundary(40, "auto", 170_000));
    lines.push(answer(50, "Here."));
    lines.extend(boundary(60, "manual", 90_000));
    let found = insights(lines.clone());
    let c = only(&found, "compaction");
    let severities: Vec<Severity> = c.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [Severity::Medium, Severity::Low, Severity::Info],
        "mid-work, between prompts, on request"
    );
    assert!(
        c[0].title.contains("in the middle of work (160k tokens)"),
        "{}",
        c[0].title
    );
    let estimated = only(&found, "unrecorded_compaction");
    assert_eq!(estimated.len(), 3);
    assert_eq!(estimated[0].basis, Basis::Estimated);
    // 160,000 cache reads at $0.30/M and 1,320 / 4 = 330 output tokens at $15/M ≈ $0.05.
    assert!(
        estimated[0]
            .title
            .contains("about 160k tokens read and 330 written, about $0.05"),
        "{}",
        estimated[0].title
    );
    // Sessions whose files hold the compaction calls (Claude Code before 2.1.197) are measured.
    let acompact = |id: &str| {
        (
            FileRole::Agent {
                agent_id: format!("acompact-{id}"),
            },
            vec![request(11, SONNET, [100, 0, 0, 50])],
        )
    };
    let recorded = insights_of_files(vec![
        (FileRole::Main, lines),
        acompact("a1"),
        acompact("a2"),
    ]);
    assert_eq!(
        only(&recorded, "unrecorded_compaction").len(),
        1,
        "3 compactions, 2 calls"
    );
    // Information costs no health.
    assert_eq!(found.health, 100 - 10 - 3);
}

#[test]
fn a_request_ten_times_the_median_and_at_least_fifty_cents_is_an_outlier() {
    // Sonnet 4.5: $3/M input. 10,000 input tokens cost $0.03; 200,000 cost $0.60.
    let requests = |n: usize, big: u64| {
        let mut lines = vec![prompt(0, "Go")];
        lines.extend((1..n).map(|i| request(i, SONNET, [10_000, 0, 0, 0])));
        lines.push(request(n, SONNET, [big, 0, 0, 0]));
        insights(lines)
    };
    assert_eq!(only(&requests(10, 200_000), "cost_outlier").len(), 1);
    assert!(
        only(&requests(9, 200_000), "cost_outlier").is_empty(),
        "too few requests"
    );
    assert!(
        only(&requests(10, 160_000), "cost_outlier").is_empty(),
        "$0.48 < $0.50"
    );
    let outlier = requests(10, 200_000);
    assert_eq!(
        only(&outlier, "cost_outlier")[0].title,
        "1 request(s) cost 10× the median request ($0.03) or more; the costliest $0.60 (200k tokens of context, claude-sonnet-4-5-20250929)"
    );
}

#[test]
fn cache_thrash_is_three_requests_in_a_row_writing_their_context_again() {
    let run = |rewrites: usize, gap: usize| {
        let mut lines = vec![prompt(0, "Go"), request(1, SONNET, [10, 30_000, 0, 5])];
        lines.extend((0..rewrites).map(|i| request(2 + i * gap, SONNET, [10, 30_000, 1_000, 5])));
        lines.push(request(2 + rewrites * gap, SONNET, [10, 500, 30_000, 5]));
        insights(lines)
    };
    assert!(only(&run(2, 1), "cache_thrash").is_empty());
    let three = run(3, 1);
    let f = only(&three, "cache_thrash");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0].title,
        "3 requests in a row wrote their context to the cache again (90k tokens written, 3k read)"
    );
    // Requests more than five minutes apart find the cache expired: not thrash.
    assert!(only(&run(3, 301), "cache_thrash").is_empty());
}

#[test]
fn a_costly_session_that_edited_nothing_delivered_nothing() {
    // 240,000 input tokens of Opus 4.6 cost $1.20.
    let with = |tokens: u64, steps: Vec<[Value; 2]>| {
        let mut lines = session(steps, vec![answer(90, "Here is what I found.")]);
        lines.insert(1, request(1, "claude-opus-4-6", [tokens, 0, 0, 0]));
        insights(lines)
    };
    let idle = with(240_000, vec![bash(2, "ls", Ok("a b"))]);
    let f = only(&idle, "no_delivery");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].title.starts_with("$1.20 spent without editing a file"),
        "{}",
        f[0].title
    );
    assert!(only(&with(180_000, vec![bash(2, "ls", Ok("a"))]), "no_delivery").is_empty());
    let edited = step(
        2,
        "Write",
        &json!({"file_path":"/r/a.md","content":"x"}),
        Ok("ok"),
    );
    assert!(only(&with(240_000, vec![edited]), "no_delivery").is_empty());
    let committed = bash(2, "git -C /r commit -m x", Ok("ok"));
    assert!(!ids(&with(240_000, vec![committed])).contains(&"no_delivery"));
}
