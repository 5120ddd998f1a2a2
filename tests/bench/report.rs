//! Benchmark: `git vouch report` over 500 attested commits, as HTML, PDF and JSON (targets: at
//! most 2 s for HTML and 5 s for PDF, median).
//!
//! Run with `cargo bench --bench report` (`-- --runs N`). It builds the repository of
//! `attested_repo.rs` (48 attested ranges of 10 commits and 20 squash merges of attested pull
//! requests whose commits are gone), checks that the report covers all 500 commits with every
//! statement verified, then times each format. With `-- --agentic-audit DIR` (a checkout of
//! AgenticAudit's repository, its API package importable by the `python3` given with
//! `--python`), AgenticAudit's own PDF report (`report_pdf.generate_pdf`, fpdf2) is timed in
//! the same run over as many high-risk events, handed to it directly (no database query).

#![allow(clippy::unwrap_used)]

#[path = "attested_repo.rs"]
mod attested_repo;
#[path = "support.rs"]
mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use attested_repo::{DIRECT_RANGES, RANGE_COMMITS, SQUASHED, setup};

const HTML_TARGET_MS: f64 = 2000.0;
const PDF_TARGET_MS: f64 = 5000.0;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// A timed tool: its name, median/min/max milliseconds, and its output's size.
type Row = (String, (f64, f64, f64), u64);

fn median(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0], ms[ms.len() - 1])
}

fn main() {
    let runs: usize = arg("--runs").and_then(|n| n.parse().ok()).unwrap_or(5);
    let tmp = tempfile::tempdir().unwrap();
    let (w, allowed, base) = setup(tmp.path());
    let range = format!("{base}..main");
    let allowed = allowed.to_str().unwrap().to_owned();
    let total = DIRECT_RANGES * RANGE_COMMITS + SQUASHED;
    let out = |format: &str| tmp.path().join(format!("report.{format}"));
    let args = |format: &str| -> Vec<String> {
        let file = out(format).display().to_string();
        [
            "report",
            "--no-fetch",
            "--allowed-signers",
            &allowed,
            "--format",
            format,
            "-o",
            &file,
            &range,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let run = |format: &str| {
        let a = args(format);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        w.vouch(&a);
    };
    run("json");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out("json")).unwrap()).unwrap();
    let s = &doc["summary"];
    assert_eq!(s["commits"], total, "{s}");
    assert_eq!(
        s["unreviewed"], total,
        "every commit attested (not reviewed): {s}"
    );
    let statements = doc["verification"]["statements"].as_u64().unwrap();
    println!(
        "report of {total} commits: {statements} signed statements verified, {} exceptions",
        s["exceptions"]
    );
    println!("load average: {}", support::load_average());
    let mut rows = Vec::new();
    for format in ["html", "pdf", "json"] {
        let ms: Vec<f64> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                run(format);
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        let size = std::fs::metadata(out(format)).map_or(0, |m| m.len());
        rows.push((
            format!("git vouch report --format {format}"),
            median(ms),
            size,
        ));
    }
    if let Some(dir) = arg("--agentic-audit") {
        match agentic_audit(&PathBuf::from(dir), total, runs, tmp.path()) {
            Ok(row) => rows.push(row),
            Err(e) => println!("SKIP AgenticAudit: {e}"),
        }
    }
    print(&rows);
}

/// The table, and a verdict per target.
fn print(rows: &[Row]) {
    println!(
        "\n{:<46} {:>26} {:>12}",
        "", "ms median [min, max]", "bytes"
    );
    for (name, (med, lo, hi), size) in rows {
        println!(
            "{name:<46} {:>26} {size:>12}",
            format!("{med:.0} [{lo:.0}, {hi:.0}]")
        );
    }
    for (format, target) in [("html", HTML_TARGET_MS), ("pdf", PDF_TARGET_MS)] {
        let (_, (med, ..), _) = rows.iter().find(|r| r.0.ends_with(format)).unwrap();
        let verdict = if *med <= target { "PASS" } else { "FAIL" };
        println!(
            "{verdict} report --format {format}: median {med:.0} ms; target <= {target:.0} ms"
        );
    }
}

/// AgenticAudit's PDF report over `events` high-risk events, timed in its own Python.
fn agentic_audit(
    checkout: &std::path::Path,
    events: usize,
    runs: usize,
    tmp: &std::path::Path,
) -> Result<Row, String> {
    let python = arg("--python").unwrap_or_else(|| "python3".to_owned());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/bench/agentic_audit_report.py");
    let pdf = tmp.join("agentic-audit.pdf");
    let out = Command::new(&python)
        .arg(&script)
        .arg(checkout.join("packages/api/src"))
        .arg(events.to_string())
        .arg(runs.to_string())
        .arg(&pdf)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .unwrap_or("")
            .to_owned());
    }
    let ms: Vec<f64> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    if ms.is_empty() {
        return Err("no timings".into());
    }
    let size = std::fs::metadata(&pdf).map_or(0, |m| m.len());
    Ok((
        format!("AgenticAudit generate_pdf ({events} events)"),
        median(ms),
        size,
    ))
}
