//! Benchmark: `git vouch verify` of 500 commits, 20 of them squash merges of attested pull
//! requests that only the notes describe (target: at most 1 s median).
//!
//! Run with `cargo build --release && cargo bench --bench verify` (`-- --runs N`). It builds the
//! repository of `attested_repo.rs` in a temporary folder. The verification must find every
//! commit verified (the squash merges through the attested changes they repeat) before it is
//! timed.

#![allow(clippy::unwrap_used)]

#[path = "attested_repo.rs"]
mod attested_repo;
#[path = "support.rs"]
mod support;

use std::time::Instant;

use attested_repo::{DIRECT_RANGES, RANGE_COMMITS, SQUASHED, setup};

const TARGET_MS: f64 = 1000.0;

fn main() {
    let runs: usize = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(11);
    let tmp = tempfile::tempdir().unwrap();
    let (w, allowed, base) = setup(tmp.path());
    let range = format!("{base}..main");
    let allowed = allowed.to_str().unwrap();
    let args = ["verify", range.as_str(), "--allowed-signers", allowed];
    let text = w.vouch(&args);
    let summary = text.lines().last().unwrap_or("").to_owned();
    let via = text
        .lines()
        .filter(|l| l.contains("(via squash of 5 attested commits)"))
        .count();
    println!("{summary}; {via} through squash merges");
    let total = DIRECT_RANGES * RANGE_COMMITS + SQUASHED;
    assert!(
        summary.starts_with(&format!(
            "{total} of {total} commits have a verified signature"
        )),
        "{text}"
    );
    assert_eq!(via, SQUASHED, "{text}");
    println!("load average: {}", support::load_average());
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            w.vouch(&args);
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = ms[ms.len() / 2];
    println!(
        "git vouch verify, {total} commits ({SQUASHED} squash merges): median {median:.0} ms [min {:.0}, max {:.0}] over {runs} runs",
        ms[0],
        ms[ms.len() - 1]
    );
    let verdict = if median <= TARGET_MS { "PASS" } else { "FAIL" };
    println!("{verdict} verify median {median:.0} ms; target <= {TARGET_MS:.0} ms");
}
