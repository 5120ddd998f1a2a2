//! Text tables: every token and money column at any width, rows and columns that add up, short
//! ids that `show` accepts, titles beside ids, and the note on models without a price.

use super::cli::TestEnv;
use super::{line, two_day_env};

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
