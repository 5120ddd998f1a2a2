//! The detectors of failures: loops, retry storms, failing tools, abandonment and unverified
//! completion. Each reads the session's tool calls per thread (the main thread and each
//! sub-agent, in start order) or how its main thread ended, and reports the calls behind what it
//! found.

use std::collections::BTreeMap;

use super::trace::{Call, Trace};
use super::{Detector, Finding, Rules, Severity, ToolErrors, finding};
use crate::transcript::file_scan::CallStatus;
use crate::transcript::tool::ToolKind;

/// The calls of each thread, in start order: the main thread (`None`) first.
pub fn threads<'t, 'a>(trace: &'t Trace<'a>) -> BTreeMap<Option<&'a str>, Vec<&'t Call<'a>>> {
    by_thread(&trace.calls, |c| c.thread)
}

/// `items` grouped by their thread, each group in order: the main thread (`None`) first.
pub fn by_thread<'t, 'a, T>(
    items: &'t [T],
    thread: impl Fn(&T) -> Option<&'a str>,
) -> BTreeMap<Option<&'a str>, Vec<&'t T>> {
    let mut out: BTreeMap<Option<&str>, Vec<&T>> = BTreeMap::new();
    for item in items {
        out.entry(thread(item)).or_default().push(item);
    }
    out
}

pub fn ids<'t, 'a: 't>(calls: impl IntoIterator<Item = &'t &'t Call<'a>>) -> Vec<String> {
    calls.into_iter().map(|c| c.id.to_owned()).collect()
}

/// The same call (tool and whole input) `loop.min_repeats` times or more in a row in a thread:
/// high when every one failed, medium when some did, low when none did (polling, re-reading).
pub fn loops(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let min = rules.repeats.min_repeats.max(2);
    let mut out = Vec::new();
    for (thread, calls) in threads(trace) {
        for run in calls.chunk_by(|a, b| a.key == b.key && a.name == b.name && a.key != 0) {
            if run.len() < min {
                continue;
            }
            let failures = run.iter().filter(|c| c.failed()).count();
            let severity = match failures {
                0 => Severity::Low,
                n if n == run.len() => Severity::High,
                _ => Severity::Medium,
            };
            let first = run[0];
            let what = first.command.or(first.path).unwrap_or(first.name);
            let mut f = finding(
                Detector::Loop,
                format!(
                    "{} called {} times in a row with the same input ({failures} failed): {}",
                    first.name,
                    run.len(),
                    clip(what)
                ),
                severity,
                thread,
            );
            f.calls = ids(run);
            f.suggestion = if failures > 0 {
                "Read the error and change the approach instead of repeating the call; the guard's loop breaker denies the next repeat under ask and enforce.".to_owned()
            } else {
                "Check whether the repeated call was needed (polling, re-reading the same file)."
                    .to_owned()
            };
            out.push(f);
        }
    }
    out
}

/// At least `retry_storm.min_failures` failures among `retry_storm.window` consecutive calls of a
/// thread; overlapping windows are one storm.
pub fn retry_storms(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let spec = rules.retry_storm;
    let (window, min) = (spec.window.max(1), spec.min_failures.max(1));
    let mut out = Vec::new();
    for (thread, calls) in threads(trace) {
        let mut storm: Option<(usize, usize)> = None;
        let mut storms = Vec::new();
        for start in 0..calls.len() {
            let end = (start + window).min(calls.len());
            let failures = calls[start..end].iter().filter(|c| c.failed()).count();
            if failures < min {
                continue;
            }
            storm = match storm {
                Some((s, e)) if start <= e => Some((s, end.max(e))),
                Some(done) => {
                    storms.push(done);
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        storms.extend(storm);
        for (s, e) in storms {
            let failing: Vec<&&Call<'_>> = calls[s..e].iter().filter(|c| c.failed()).collect();
            let mut by_tool: BTreeMap<&str, usize> = BTreeMap::new();
            for c in &failing {
                *by_tool.entry(c.name).or_default() += 1;
            }
            let (tool, most) = by_tool
                .iter()
                .max_by_key(|(_, n)| **n)
                .map_or(("?", 0), |(t, n)| (*t, *n));
            let severity = if failing.len() >= 2 * min {
                Severity::High
            } else {
                Severity::Medium
            };
            let mut f = finding(
                Detector::RetryStorm,
                format!(
                    "{} failures in {} calls ({most} of them {tool})",
                    failing.len(),
                    e - s
                ),
                severity,
                thread,
            );
            f.calls = ids(failing);
            "Stop and read the errors: many failures close together mean the approach is not working.".clone_into(&mut f.suggestion);
            out.push(f);
        }
    }
    out
}

/// The calls and failures of every tool that failed, the failures by error class.
pub fn tool_errors(rules: &Rules, trace: &Trace<'_>) -> Vec<ToolErrors> {
    let mut by_tool: BTreeMap<&str, ToolErrors> = BTreeMap::new();
    for call in &trace.calls {
        let e = by_tool.entry(call.name).or_insert_with(|| ToolErrors {
            tool: call.name.to_owned(),
            ..ToolErrors::default()
        });
        e.calls += 1;
        if call.failed() {
            e.failed += 1;
            let class = rules.error_class(call.error.unwrap_or(""));
            *e.classes.entry(class.to_owned()).or_default() += 1;
        }
    }
    by_tool.into_values().filter(|t| t.failed > 0).collect()
}

/// A tool that failed at least `tool_errors.min_failures` times and at least
/// `tool_errors.min_rate_percent` of its calls.
pub fn failing_tools(rules: &Rules, trace: &Trace<'_>, stats: &[ToolErrors]) -> Vec<Finding> {
    let spec = rules.tool_errors;
    stats
        .iter()
        .filter(|t| {
            t.failed >= spec.min_failures as u64 && t.rate_percent() >= spec.min_rate_percent
        })
        .map(|t| {
            let classes: Vec<String> = t.classes.iter().map(|(c, n)| format!("{n} {c}")).collect();
            let mut f = finding(
                Detector::ToolErrors,
                format!(
                    "{} failed {} of {} calls ({}%): {}",
                    t.tool,
                    t.failed,
                    t.calls,
                    t.rate_percent(),
                    classes.join(", ")
                ),
                Severity::Low,
                None,
            );
            f.calls = trace
                .calls
                .iter()
                .filter(|c| c.name == t.tool && c.failed())
                .map(|c| c.id.to_owned())
                .collect();
            f.suggestion = format!(
                "See why {} keeps failing: the most common class says where to look.",
                t.tool
            );
            f
        })
        .collect()
}

/// The session ends on `abandonment.min_failures` failed calls in a row on the main thread, or
/// on a typed prompt that got no answer.
pub fn abandonment(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let main: Vec<&Call<'_>> = trace.calls.iter().filter(|c| c.thread.is_none()).collect();
    let streak: Vec<&&Call<'_>> = main.iter().rev().take_while(|c| c.failed()).collect();
    if streak.len() >= rules.abandonment.min_failures.max(1) {
        let mut f = finding(
            Detector::Abandoned,
            format!(
                "the session ended on {} failed calls in a row",
                streak.len()
            ),
            Severity::High,
            None,
        );
        f.calls = ids(streak.into_iter().rev());
        "The work was left failing: check what the last calls were trying to do before relying on it.".clone_into(&mut f.suggestion);
        out.push(f);
    }
    if let Some(text) = trace.open_prompt {
        let mut f = finding(
            Detector::UnansweredPrompt,
            format!("the last prompt got no answer: {}", clip(text)),
            Severity::Medium,
            None,
        );
        "The session stopped before answering: it was interrupted or failed."
            .clone_into(&mut f.suggestion);
        out.push(f);
    }
    out
}

/// The last answer claims success (`unverified.claims`) after an edit of something other than
/// documentation, and no test runner (`unverified.test_runners`) ran on any thread after it.
pub fn unverified_completion(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let documentation = |path: &str| rules.documentation.is_match(&relative(trace, path));
    let edits = |c: &&Call<'_>| {
        ToolKind::of(c.name).writes_file() && c.ok() && !c.path.is_some_and(documentation)
    };
    let Some(last_edit) = trace.calls.iter().rposition(|c| edits(&c)) else {
        return Vec::new();
    };
    let Some(claim) = trace.last_answer.and_then(|a| rules.claims.find(a)) else {
        return Vec::new();
    };
    let tested = trace.calls[last_edit + 1..].iter().any(|c| {
        c.status != CallStatus::Pending
            && c.command
                .is_some_and(|cmd| rules.test_runners.is_match(cmd))
    });
    if tested {
        return Vec::new();
    }
    let edit = &trace.calls[last_edit];
    let mut f = finding(
        Detector::UnverifiedCompletion,
        format!(
            "the last answer says \"{}\" but no test ran after the last edit ({})",
            claim.as_str(),
            clip(&relative(trace, edit.path.unwrap_or(edit.name)))
        ),
        Severity::High,
        edit.thread,
    );
    f.confidence = super::Confidence::Medium;
    f.calls = vec![edit.id.to_owned()];
    "Run the tests before trusting the claim; the built-in tests-run policy checks the same on a push.".clone_into(&mut f.suggestion);
    vec![f]
}

/// `path` relative to the session's folder when it is inside it.
pub fn relative<'p>(trace: &Trace<'_>, path: &'p str) -> std::borrow::Cow<'p, str> {
    let Some(cwd) = trace.cwd.map(|c| c.trim_end_matches('/')) else {
        return path.into();
    };
    match path.strip_prefix(cwd).and_then(|p| p.strip_prefix('/')) {
        Some(rest) => rest.into(),
        None => path.into(),
    }
}

/// `text` on one line, at most 80 characters.
pub fn clip(text: &str) -> String {
    crate::words::clip(text, 80)
}
