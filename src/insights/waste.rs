//! The detectors of churn and waste: edits undone by later edits, a file edited again and again,
//! files read again while unchanged, very large tool outputs, and reads of build output.

use std::collections::{BTreeMap, HashMap};

use super::detect::{clip, ids, relative, threads};
use super::trace::{Call, Trace};
use super::{Detector, Finding, Rules, Severity, finding};
use crate::transcript::tool::ToolKind;

/// Per file, the edits a later edit undid (an Edit whose old and new strings are an earlier
/// Edit's new and old ones; a Write putting back a content the file had before another change);
/// per thread, a file edited `churn.max_in_row` times or more with no other file edited between.
pub fn churn(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let mut by_path: BTreeMap<&str, Vec<&Call<'_>>> = BTreeMap::new();
    for c in trace.calls.iter().filter(|c| c.ok() && c.edit.is_some()) {
        if let Some(path) = c.path {
            by_path.entry(path).or_default().push(c);
        }
    }
    let mut out = Vec::new();
    for (path, edits) in &by_path {
        let undone = undone_edits(edits);
        if undone.is_empty() {
            continue;
        }
        let severity = if undone.len() >= 2 {
            Severity::Medium
        } else {
            Severity::Low
        };
        let mut calls: Vec<&Call<'_>> = Vec::new();
        for &(a, b) in &undone {
            for c in [a, b] {
                if !calls.iter().any(|k| k.id == c.id) {
                    calls.push(c);
                }
            }
        }
        let mut f = finding(
            Detector::EditChurn,
            format!(
                "{}: {} edit(s) undone by a later edit",
                clip(&relative(trace, path)),
                undone.len()
            ),
            severity,
            calls[0].thread,
        );
        f.calls = calls.iter().map(|c| c.id.to_owned()).collect();
        "Edits that go back and forth mean the agent was unsure: check which version it settled on and why.".clone_into(&mut f.suggestion);
        out.push(f);
    }
    out.extend(edited_in_a_row(rules, trace));
    out
}

/// The pairs (earlier edit, later edit undoing it) among one file's edits, in order.
fn undone_edits<'t, 'a>(edits: &[&'t Call<'a>]) -> Vec<(&'t Call<'a>, &'t Call<'a>)> {
    let mut out = Vec::new();
    for (j, b) in edits.iter().enumerate() {
        let Some((old, new)) = b.edit else { continue };
        if old == new {
            continue;
        }
        let earlier = &edits[..j];
        let undone = if old == 0 {
            // A Write: the same content as an earlier Write, with another change between.
            earlier
                .iter()
                .rposition(|a| a.edit == Some((0, new)))
                .filter(|&i| i + 1 < j)
                .map(|i| earlier[i])
        } else {
            earlier
                .iter()
                .rev()
                .find(|a| a.edit == Some((new, old)))
                .copied()
        };
        if let Some(a) = undone {
            out.push((a, *b));
        }
    }
    out
}

fn edited_in_a_row(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let max = rules.churn.max_in_row.max(2);
    let mut out = Vec::new();
    for (thread, calls) in threads(trace) {
        let edits: Vec<&&Call<'_>> = calls
            .iter()
            .filter(|c| c.ok() && ToolKind::of(c.name).writes_file() && c.path.is_some())
            .collect();
        for run in edits.chunk_by(|a, b| a.path == b.path) {
            if run.len() < max {
                continue;
            }
            let path = run[0].path.unwrap_or_default();
            let mut f = finding(
                Detector::EditChurn,
                format!(
                    "{} edited {} times in a row",
                    clip(&relative(trace, path)),
                    run.len()
                ),
                Severity::Low,
                thread,
            );
            f.calls = ids(run.iter().copied());
            "Many small edits to one file cost a request each: a larger edit or a Write does it at once.".clone_into(&mut f.suggestion);
            out.push(f);
        }
    }
    out
}

/// Reads of a file a thread had read already with the same range, with no edit of the file, no
/// compaction and no Bash command naming it in between: `waste.min_rereads` or more make one
/// finding.
pub fn rereads(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    // (thread, call key) of each read that still holds: the file it read.
    let mut held: HashMap<(Option<&str>, u64), &str> = HashMap::new();
    let mut compactions = trace.compactions.iter().map(|m| m.ts_ms).peekable();
    let mut again: Vec<&Call<'_>> = Vec::new();
    for c in &trace.calls {
        while compactions.next_if(|&at| at <= c.ts_ms).is_some() {
            held.retain(|(thread, _), _| thread.is_some());
        }
        if !c.ok() {
            continue;
        }
        let kind = ToolKind::of(c.name);
        match (c.path, c.command) {
            (Some(path), _) if kind == ToolKind::Read && c.key != 0 => {
                let read_before = held.insert((c.thread, c.key), path).is_some();
                if read_before {
                    again.push(c);
                }
            }
            (Some(path), _) if kind.writes_file() => held.retain(|_, p| *p != path),
            (_, Some(command)) => held.retain(|_, p| !command.contains(file_name(p))),
            _ => {}
        }
    }
    if again.len() < rules.waste.min_rereads.max(1) {
        return Vec::new();
    }
    let mut files: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &again {
        *files.entry(c.path.unwrap_or_default()).or_default() += 1;
    }
    let mut top: Vec<(&str, usize)> = files.iter().map(|(p, n)| (*p, *n)).collect();
    top.sort_by_key(|t| std::cmp::Reverse(t.1));
    let named: Vec<String> = top
        .iter()
        .take(3)
        .map(|(p, n)| format!("{} ×{n}", relative(trace, p)))
        .collect();
    let mut f = finding(
        Detector::Reread,
        format!(
            "{} reads of {} file(s) already read and unchanged: {}",
            again.len(),
            files.len(),
            clip(&named.join(", "))
        ),
        Severity::Low,
        None,
    );
    f.calls = again.iter().map(|c| c.id.to_owned()).collect();
    "Each read puts the file in the context again: the agent can use what it read."
        .clone_into(&mut f.suggestion);
    vec![f]
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Tool outputs of `waste.large_output_bytes` or more: one finding.
pub fn large_outputs(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let min = rules.waste.large_output_bytes.max(1);
    let large: Vec<&Call<'_>> = trace
        .calls
        .iter()
        .filter(|c| c.output_bytes >= min)
        .collect();
    let Some(top) = large.iter().max_by_key(|c| c.output_bytes) else {
        return Vec::new();
    };
    let what = top
        .command
        .or(top.path)
        .map_or(String::new(), |w| format!(": {}", clip(w)));
    let mut f = finding(
        Detector::LargeOutput,
        format!(
            "{} tool output(s) of {} KB or more; the largest {} KB from {}{what}",
            large.len(),
            min / 1000,
            top.output_bytes / 1000,
            top.name
        ),
        Severity::Low,
        top.thread,
    );
    f.calls = large.iter().map(|c| c.id.to_owned()).collect();
    "Large outputs fill the context: filter them (head, grep, a narrower read) before they reach the model.".clone_into(&mut f.suggestion);
    vec![f]
}

/// Reads and searches in build output (`waste.build_folders`): `waste.min_build_reads` or more
/// make one finding.
pub fn build_folder_reads(rules: &Rules, trace: &Trace<'_>) -> Vec<Finding> {
    let spec = &rules.waste;
    let hits: Vec<&Call<'_>> = trace
        .calls
        .iter()
        .filter(|c| ToolKind::of(c.name).reads_path())
        .filter(|c| {
            c.path
                .or(c.search_path)
                .is_some_and(|p| spec.build_folders.is_match(&relative(trace, p)))
        })
        .collect();
    if hits.len() < spec.min_build_reads.max(1) {
        return Vec::new();
    }
    let first = hits[0].path.or(hits[0].search_path).unwrap_or_default();
    let mut f = finding(
        Detector::BuildFolderRead,
        format!(
            "{} reads or searches in build output, such as {}",
            hits.len(),
            clip(&relative(trace, first))
        ),
        Severity::Low,
        None,
    );
    f.calls = hits.iter().map(|c| c.id.to_owned()).collect();
    "Keep build folders out of reach (.claudeignore, a narrower search path): their files are large and generated.".clone_into(&mut f.suggestion);
    vec![f]
}
