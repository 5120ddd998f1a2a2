//! The reports as a user runs them: price overrides, periods, filters, exit codes and colour.

#![allow(clippy::unwrap_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/git.rs"]
mod git;

use std::process::Command;

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

/// Every command that prints to stdout, text and JSON. `{repo}` is a repository with one
/// commit, `{dir}` a fresh folder for each run.
const PRINTING: &[&str] = &[
    "--help",
    "--version",
    "help",
    "sessions --help",
    "man",
    "--demo sessions",
    "--demo sessions --json",
    "--demo",
    "--demo show 7a694908",
    "--demo show 7a694908 --json",
    "--demo usage daily",
    "--demo usage daily --json",
    "--demo usage monthly",
    "--demo usage monthly --json",
    "--demo usage session",
    "--demo usage session --json",
    "evidence",
    "evidence --format chainloop",
    "log --no-fetch --allowed-signers {repo}/signers",
    "log --no-fetch --json --allowed-signers {repo}/signers",
    "verify --allowed-signers {repo}/signers",
    "verify --json --allowed-signers {repo}/signers",
    "policy check",
    "policy check --json",
    "policy list",
    "policy list --json",
    "keygen --path {dir}/signing_key",
    "status",
    "status --json",
    "init --dry-run",
];

/// A repository with one commit and an empty allowed signers file.
fn one_commit_repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git::git(&repo, &["init", "-q", "-b", "main"]);
    git::git(&repo, &["commit", "-q", "--allow-empty", "-m", "first"]);
    std::fs::write(repo.join("signers"), "").unwrap();
    repo
}

/// `args` with the placeholders filled in, as a command in `repo` with git's identity fixed.
fn printing_command(env: &TestEnv, repo: &std::path::Path, args: &str, run: usize) -> Command {
    let dir = env.dir.path().join(format!("run{run}"));
    let args = args
        .replace("{repo}", &repo.display().to_string())
        .replace("{dir}", &dir.display().to_string());
    let args: Vec<&str> = args.split(' ').collect();
    let mut cmd = env.command(&args);
    cmd.current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com");
    cmd
}

#[test]
fn every_command_exits_zero_quietly_when_its_reader_goes_away() {
    let env = TestEnv::new();
    let repo = one_commit_repo(&env);
    let mut wrong = Vec::new();
    for (run, args) in PRINTING.iter().enumerate() {
        // The command does print something when someone reads it.
        let open = printing_command(&env, &repo, args, 2 * run)
            .output()
            .unwrap();
        if open.stdout.is_empty() {
            wrong.push(format!(
                "`{args}` printed nothing: {}",
                String::from_utf8_lossy(&open.stderr)
            ));
        }
        let closed =
            TestEnv::run_into_closed_pipe(printing_command(&env, &repo, args, 2 * run + 1));
        if closed.status.code() != Some(0) || !closed.stderr.is_empty() {
            wrong.push(format!(
                "`{args}` into a closed pipe: exit {:?}, stderr {:?}",
                closed.status.code(),
                String::from_utf8_lossy(&closed.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The figure columns of a usage table, full or short header.
const USAGE_FIGURES: [(&str, &str); 6] = [
    ("INPUT", "IN"),
    ("OUTPUT", "OUT"),
    ("CACHE W", "CW"),
    ("CACHE R", "CR"),
    ("TOTAL", "TOT"),
    ("COST", "COST"),
];

/// A count such as `1,234` or a cost such as `$1,234.56` as a number (cents for costs).
fn figure(cell: &str) -> u64 {
    let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a figure: {cell}"))
}

/// The last six cells of a table line: the usage figures.
fn usage_figures(line: &str) -> Vec<u64> {
    let cells: Vec<&str> = line.split_whitespace().collect();
    cells[cells.len() - 6..].iter().map(|c| figure(c)).collect()
}

#[test]
fn usage_tables_keep_every_figure_and_add_up_at_any_width() {
    let env = TestEnv::new();
    for period in ["daily", "monthly", "session"] {
        // A pipe with no COLUMNS is not narrowed; 80 and 60 columns keep every figure too.
        for columns in [None, Some("80"), Some("60")] {
            let mut cmd = env.command(&["--demo", "usage", period]);
            if let Some(c) = columns {
                cmd.env("COLUMNS", c);
            } else {
                cmd.env_remove("COLUMNS");
            }
            let out = cmd.output().unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let header = lines[0];
            for (full, short) in USAGE_FIGURES {
                assert!(
                    header.contains(full)
                        || header.contains(&format!(" {short} "))
                        || header.ends_with(short),
                    "{period} at {columns:?}: no {full} column:\n{text}"
                );
            }
            if columns.is_none() {
                assert!(
                    header.contains("CACHE R"),
                    "piped output is narrowed:\n{text}"
                );
            }
            let total_at = lines.iter().position(|l| l.starts_with("Total")).unwrap();
            let rows: Vec<Vec<u64>> = lines[1..total_at - 1]
                .iter()
                .map(|l| usage_figures(l))
                .collect();
            assert!(!rows.is_empty(), "{text}");
            for r in &rows {
                assert_eq!(r[0] + r[1] + r[2] + r[3], r[4], "a row adds up:\n{text}");
            }
            let total = usage_figures(lines[total_at]);
            for (c, sum) in total.iter().enumerate().take(5) {
                assert_eq!(
                    rows.iter().map(|r| r[c]).sum::<u64>(),
                    *sum,
                    "column {c} adds up to the total:\n{text}"
                );
            }
        }
    }
}

#[test]
fn show_keeps_every_token_and_cost_column_of_every_session() {
    let env = TestEnv::new();
    let list = env.json(&["--demo", "sessions", "--json"]);
    let mut both_cache_lifetimes = false;
    for s in list["sessions"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let doc = env.json(&["--demo", "show", id, "--json"]);
        let models = doc["models"].as_array().unwrap();
        let any = |k: &str| models.iter().any(|m| m["tokens"][k].as_u64() > Some(0));
        let (w5m, w1h) = (any("cache_write_5m"), any("cache_write_1h"));
        both_cache_lifetimes |= w5m && w1h;
        for columns in ["80", "60"] {
            let out = env
                .command(&["--demo", "show", id])
                .env("COLUMNS", columns)
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            for m in models {
                let name = m["model"].as_str().unwrap();
                let t = &m["tokens"];
                let mut want: Vec<u64> =
                    vec![t["input"].as_u64().unwrap(), t["output"].as_u64().unwrap()];
                if w5m || !w1h {
                    want.push(t["cache_write_5m"].as_u64().unwrap());
                }
                if w1h {
                    want.push(t["cache_write_1h"].as_u64().unwrap());
                }
                want.push(t["cache_read"].as_u64().unwrap());
                let line = text
                    .lines()
                    .find(|l| l.starts_with(&format!("{name} ")))
                    .unwrap_or_else(|| panic!("no row for {name}:\n{text}"));
                let cells: Vec<&str> = line.split_whitespace().collect();
                let (cost, tokens) = cells.split_last().unwrap();
                let shown: Vec<u64> = tokens[tokens.len() - want.len()..]
                    .iter()
                    .map(|c| figure(c))
                    .collect();
                assert_eq!(shown, want, "{id} at {columns}: {line}");
                assert!(cost.starts_with('$'), "{id} at {columns}: {line}");
            }
        }
    }
    assert!(
        both_cache_lifetimes,
        "the demo has a session with both cache lifetimes"
    );
}

#[test]
fn sessions_print_short_ids_that_show_accepts() {
    let env = TestEnv::new();
    let out = env.run(&["--demo", "sessions"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID "), "{text}");
    let ids: Vec<&str> = lines[1..]
        .iter()
        .take_while(|l| !l.starts_with('─'))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids.len(), 8, "{text}");
    for id in ids {
        assert!(id.len() >= 8, "{id}");
        let shown = env.run(&["--demo", "show", id]);
        assert_eq!(shown.status.code(), Some(0), "show {id}");
        let first = String::from_utf8(shown.stdout).unwrap();
        assert!(first.starts_with(&format!("Session {id}")), "{first}");
    }
}

#[test]
fn usage_session_names_sessions_by_short_id_and_title() {
    let env = TestEnv::new();
    let out = env.run(&["--demo", "usage", "session"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().next().unwrap().contains("TITLE"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("7a694908  Refactor: rename TaskStore")),
        "{text}"
    );
}

#[test]
fn an_unpriced_model_is_named_with_the_price_file_to_add_it_to() {
    let env = TestEnv::new();
    let text = [
        line("claude-nova-9", "m1", "2026-03-01T10:00:00Z", 10, 10),
        line("claude-sonnet-4-5", "m2", "2026-03-01T10:01:00Z", 10, 10),
    ]
    .join("\n");
    env.write("-w-app/s1.jsonl", &text);
    let default_file = env.dir.path().join("config/git-vouch/pricing.toml");
    for args in [
        &["sessions"][..],
        &["usage", "daily"],
        &["usage", "session"],
    ] {
        let out = env.run(args);
        let stdout = String::from_utf8(out.stdout).unwrap();
        let want = format!(
            "+? no price for claude-nova-9, so its tokens are not in the cost; add prices to {}.",
            default_file.display()
        );
        assert!(
            stdout.contains("+?") && stdout.contains(&want),
            "{args:?}:\n{stdout}"
        );
    }
    // With GIT_VOUCH_PRICING, that file is the one named.
    let custom = env.dir.path().join("prices.toml");
    std::fs::write(&custom, "").unwrap();
    let out = env
        .command(&["sessions"])
        .env("GIT_VOUCH_PRICING", &custom)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("add prices to {}.", custom.display())),
        "{stdout}"
    );
    // Every model priced: no footnote.
    let priced = two_day_env();
    let stdout = String::from_utf8(priced.run(&["sessions"]).stdout).unwrap();
    assert!(!stdout.contains("no price"), "{stdout}");
}
