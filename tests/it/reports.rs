//! The reports as a user runs them: price overrides, periods, filters, exit codes and colour.

#![allow(clippy::unwrap_used)]

use crate::support::cli;
mod closed_pipe;
use crate::support::git;
mod help;
mod tables;

use cli::TestEnv;

fn line(model: &str, id: &str, ts: &str, input: u64, output: u64) -> String {
    format!(
        r#"{{"type":"assistant","sessionId":"s1","cwd":"/w/app","requestId":"r-{id}","timestamp":"{ts}","message":{{"id":"{id}","model":"{model}","usage":{{"input_tokens":{input},"output_tokens":{output}}}}}}}"#
    )
}

fn two_day_env() -> TestEnv {
    let env = TestEnv::new();
    let text = [
        line(
            "claude-sonnet-4-5",
            "m1",
            "2026-03-01T23:30:00Z",
            100_000,
            0,
        ),
        line(
            "claude-sonnet-4-5",
            "m2",
            "2026-03-02T00:30:00Z",
            0,
            1_000_000,
        ),
    ]
    .join("\n");
    env.write("-w-app/s1.jsonl", &text);
    env
}

#[test]
fn daily_usage_splits_by_time_zone_and_prices_exactly() {
    let env = two_day_env();
    let doc = env.json(&["usage", "daily", "--json", "--timezone", "UTC"]);
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // Sonnet 4.5: $3 per million input tokens, $15 per million output tokens.
    assert_eq!(rows[0]["cost_usd"], "0.300000");
    assert_eq!(rows[1]["cost_usd"], "15.000000");
    assert_eq!(doc["totals"]["cost_usd"], "15.300000");
    let shifted = env.json(&["usage", "daily", "--json", "--timezone", "+02:00"]);
    assert_eq!(shifted["rows"].as_array().unwrap().len(), 1);
    let monthly = env.json(&["usage", "monthly", "--json"]);
    assert_eq!(monthly["rows"][0]["period"], "2026-03");
}

#[test]
fn a_prompt_over_200k_bills_the_whole_request_at_long_context_rates() {
    let env = TestEnv::new();
    env.write(
        "-w-app/s1.jsonl",
        &line(
            "claude-sonnet-4-5",
            "m1",
            "2026-03-01T10:00:00Z",
            250_000,
            1_000,
        ),
    );
    let doc = env.json(&["sessions", "--json"]);
    // 250k input at $6/M plus 1k output at $22.50/M.
    assert_eq!(doc["totals"]["cost_usd"], "1.522500");
}

#[test]
fn user_price_file_overrides_and_extends_the_table() {
    let env = two_day_env();
    let dir = env.dir.path().join("config/git-vouch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pricing.toml"),
        r#"
[[model]]
id = "claude-sonnet-4-5"
effective_from = 2025-09-29
input = "1"
output = "2"
cache_write_5m = "1.25"
cache_write_1h = "2"
cache_read = "0.1"
"#,
    )
    .unwrap();
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(doc["totals"]["cost_usd"], "2.100000");
}

#[test]
fn a_broken_price_file_is_an_error_naming_file_and_line() {
    let env = two_day_env();
    let dir = env.dir.path().join("config/git-vouch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pricing.toml"),
        "[[model]]\nid = \"x\"\ninput = \"abc\"\n",
    )
    .unwrap();
    let out = env.run(&["sessions"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pricing.toml"), "{err}");
}

#[test]
fn filters_and_exit_codes() {
    let env = two_day_env();
    let doc = env.json(&["sessions", "--json", "--since", "2026-03-03"]);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 0);
    let doc = env.json(&["sessions", "--json", "--project", "/w/app"]);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(env.run(&["show", "nope"]).status.code(), Some(1));
    assert_eq!(
        env.run(&["usage", "daily", "--timezone", "Mars/Olympus"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        env.run(&["sessions", "--since", "someday"]).status.code(),
        Some(2)
    );
    assert_eq!(env.run(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let env = two_day_env();
    let plain = env.run(&["sessions"]);
    assert!(
        !plain.stdout.contains(&0x1b),
        "NO_COLOR output has no escapes"
    );
    let coloured = env.run(&["--color", "always", "sessions"]);
    assert!(coloured.stdout.contains(&0x1b));
}

#[test]
fn text_fits_eighty_columns() {
    let env = two_day_env();
    let out = env
        .command(&["sessions"])
        .env("COLUMNS", "80")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() >= 3, "{text}");
    for l in text.lines() {
        assert!(l.chars().count() <= 80, "too wide: {l}");
    }
}

#[test]
fn no_subcommand_prints_the_report_when_not_on_a_terminal() {
    let env = two_day_env();
    let out = env.run(&[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("1 session ") && text.contains("STARTED"),
        "{text}"
    );
}
