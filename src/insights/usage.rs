//! The detectors of context and money: how full the context got against the model's window,
//! compactions (and the compaction call the transcript never records, estimated), requests that
//! cost far more than the session's usual one, cache thrash, and sessions that cost money and
//! delivered nothing.

use super::detect::{by_thread, clip};
use super::trace::{Request, Trace};
use super::{Basis, Confidence, Detector, Finding, Rules, Severity, finding, time};
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::transcript::tool::ToolKind;
use crate::usage::{Tokens, Usage};

/// `n` tokens, in thousands from a thousand.
fn k(n: u64) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{}k", (n + 500) / 1000)
    }
}

/// The largest context of any request against its model's window (the extended window when the
/// context went past the standard one): one finding for the fullest request of the session.
pub fn context_pressure(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let spec = rules.context;
    let fullest = trace
        .requests
        .iter()
        .filter_map(|r| {
            let w = rules.window(r.model)?;
            let context = r.context();
            let window = match w.extended {
                Some(ext) if context > w.tokens => ext,
                _ => w.tokens,
            };
            Some((context * 100 / window.max(1), window, r))
        })
        .max_by_key(|(percent, _, r)| (*percent, r.context()));
    let Some((percent, window, r)) = fullest else {
        return Vec::new();
    };
    let severity = if percent >= spec.medium_percent {
        Severity::Medium
    } else if percent >= spec.low_percent {
        Severity::Low
    } else {
        return Vec::new();
    };
    let mut f = finding(
        Detector::ContextPressure,
        format!(
            "a request sent {} tokens of context, {percent}% of {}'s {} window",
            k(r.context()),
            r.model,
            k(window)
        ),
        severity,
        r.thread,
    );
    f.at = time(r.ts_ms);
    "Split the work or start a fresh session with a short brief: a nearly full context is compacted and loses detail.".clone_into(&mut f.suggestion);
    vec![f]
}

/// Each compaction: automatic ones in the middle of work (the agent was between a tool call and
/// its next step: MAST's loss of conversation history) are medium, other automatic ones low, the
/// ones a person asked for (`/compact`) information. A compaction whose model call the session's
/// files do not hold is estimated as its own finding.
pub fn compactions(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let unrecorded_from = trace.compaction_calls.min(trace.compactions.len());
    for (i, mark) in trace.compactions.iter().enumerate() {
        let (severity, what) = match (mark.trigger.as_str(), mark.mid_work) {
            ("manual", _) => (Severity::Info, "compacted on request"),
            (_, true) => (
                Severity::Medium,
                "compacted automatically in the middle of work",
            ),
            _ => (Severity::Low, "compacted automatically between prompts"),
        };
        let mut f = finding(
            Detector::Compaction,
            format!("the context was {what} ({} tokens)", k(mark.pre_tokens)),
            severity,
            None,
        );
        f.at = time(mark.ts_ms);
        f.suggestion = if mark.mid_work {
            "Check the work after the compaction: the agent continued from a summary and may have lost details.".to_owned()
        } else {
            "Long sessions compact: a fresh session per task keeps the context whole.".to_owned()
        };
        out.push(f);
        if i >= unrecorded_from
            && let Some(estimate) = unrecorded(rules, trace, mark)
        {
            out.push(estimate);
        }
    }
    out
}

/// The compaction call the transcript has no record of, estimated: the summarised context read
/// from the cache, the summary written as output, at the price of the model before it.
fn unrecorded(
    rules: &Rules,
    trace: &Trace<'_>,
    mark: &crate::transcript::file_scan::CompactionMark,
) -> Option<Finding> {
    let before = trace
        .requests
        .iter()
        .filter(|r| r.thread.is_none() && r.ts_ms <= mark.ts_ms)
        .max_by_key(|r| r.ts_ms)?;
    let tokens = Tokens {
        cache_read: mark.pre_tokens,
        output: mark.summary_chars / rules.compaction.chars_per_token.max(1),
        ..Tokens::default()
    };
    let usage = Usage {
        tokens,
        billing: crate::usage::Billing::default(),
    };
    let prices = trace.prices.unwrap_or_else(|| PriceTable::embedded());
    let cost = prices.cost(before.model, &usage, time(mark.ts_ms));
    let mut f = finding(
        Detector::UnrecordedCompaction,
        format!(
            "the compaction's model call is not in the transcript: about {} tokens read and {} written{}, not in the session's figures",
            k(tokens.cache_read),
            k(tokens.output),
            cost.map_or(String::new(), |c| format!(", about {c}")),
        ),
        Severity::Info,
        None,
    );
    f.basis = Basis::Estimated;
    f.confidence = Confidence::Medium;
    f.at = time(mark.ts_ms);
    "Record the session with `git vouch record` to have the exact figure."
        .clone_into(&mut f.suggestion);
    Some(f)
}

/// Requests costing `cost_outlier.ratio` times the session's median request or more (and at
/// least `cost_outlier.min_usd`): one finding naming the costliest.
pub fn cost_outliers(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let spec = rules.cost_outlier;
    let mut costs: Vec<Usd> = trace.requests.iter().filter_map(|r| r.cost).collect();
    if costs.len() < spec.min_requests.max(1) {
        return Vec::new();
    }
    costs.sort_unstable();
    let median = costs[costs.len() / 2];
    let limit = median.scale(u128::from(spec.ratio), 1).max(spec.min);
    let over: Vec<&Request<'_>> = trace
        .requests
        .iter()
        .filter(|r| r.cost.is_some_and(|c| c >= limit && c > median))
        .collect();
    let Some(top) = over.iter().max_by_key(|r| r.cost) else {
        return Vec::new();
    };
    let top_cost = top.cost.unwrap_or(Usd::ZERO);
    let mut f = finding(
        Detector::CostOutlier,
        format!(
            "{} request(s) cost {}× the median request ({}) or more; the costliest {} ({} tokens of context, {})",
            over.len(),
            spec.ratio,
            median,
            top_cost,
            k(top.context()),
            top.model
        ),
        Severity::Low,
        top.thread,
    );
    f.at = time(top.ts_ms);
    "See what the costly request carried: a large paste, a large tool output, or a cold cache."
        .clone_into(&mut f.suggestion);
    vec![f]
}

/// `cache_thrash.min_run` requests in a row on a thread, each within the cache's lifetime of the
/// one before and of the same model, that each wrote most of their context to the cache again.
pub fn cache_thrash(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let spec = rules.cache_thrash;
    let mut out = Vec::new();
    for (thread, requests) in by_thread(&trace.requests, |r| r.thread) {
        let rewrites = |pair: &[&Request<'_>]| {
            let (prev, r) = (pair[0], pair[1]);
            r.model == prev.model
                && r.ts_ms - prev.ts_ms <= spec.ttl_seconds * 1000
                && r.context() >= spec.min_context
                && r.cache_write() * 100 >= r.context() * spec.write_percent
        };
        let flags: Vec<bool> = requests.windows(2).map(rewrites).collect();
        let mut i = 0;
        while i < flags.len() {
            let start = i;
            while i < flags.len() && flags[i] {
                i += 1;
            }
            if i == start {
                i += 1;
                continue;
            }
            if i - start < spec.min_run.max(1) {
                continue;
            }
            // `flags[j]` says whether request `j + 1` wrote its context again.
            let hit = &requests[start + 1..=i];
            let written: u64 = hit.iter().map(|r| r.cache_write()).sum();
            let read: u64 = hit.iter().map(|r| r.tokens.cache_read).sum();
            let mut f = finding(
                Detector::CacheThrash,
                format!(
                    "{} requests in a row wrote their context to the cache again ({} tokens written, {} read)",
                    hit.len(),
                    k(written),
                    k(read)
                ),
                Severity::Low,
                thread,
            );
            f.at = time(hit[0].ts_ms);
            "Something changes the start of the prompt between requests (a timestamp, reordered tools or files): keep it stable so the cache is read.".clone_into(&mut f.suggestion);
            out.push(f);
        }
    }
    out
}

/// A session that cost at least `no_delivery.min_usd` and edited no file, committed nothing and
/// opened no pull request.
pub fn no_delivery(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let cost: Usd = trace.requests.iter().filter_map(|r| r.cost).sum();
    if cost < rules.no_delivery_min {
        return Vec::new();
    }
    let delivered = trace.calls.iter().any(|c| {
        c.ok()
            && (ToolKind::of(c.name).writes_file()
                || c.command.is_some_and(|cmd| rules.delivery.is_match(cmd)))
    });
    if delivered {
        return Vec::new();
    }
    let what = trace.last_answer.map_or(String::new(), |a| {
        format!(": it ended with \"{}\"", clip(a))
    });
    let mut f = finding(
        Detector::NoDelivery,
        format!("{cost} spent without editing a file, committing or opening a pull request{what}"),
        Severity::Low,
        None,
    );
    f.confidence = Confidence::Medium;
    "If the session was research or a question, this is expected; otherwise see where it stalled."
        .clone_into(&mut f.suggestion);
    vec![f]
}
