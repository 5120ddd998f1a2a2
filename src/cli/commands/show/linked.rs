//! The commits of the session's repository tied to it, recorded by hooks or inferred.

use crate::cli::context::Context;
use crate::cli::table::{Column, render};
use crate::correlate::{CommitLink, how_marked};
use crate::present;

/// Text rows of the linked commits.
pub fn section(ctx: &Context, links: &[CommitLink]) -> Vec<String> {
    if links.is_empty() {
        return Vec::new();
    }
    let columns = [
        Column::left("COMMIT", 0),
        Column::left("LINK", 0),
        Column::right("AGENT LINES", 2),
        Column::left("WHEN", 1),
        Column::flex("SUBJECT"),
    ];
    let rows: Vec<Vec<String>> = links
        .iter()
        .map(|l| {
            vec![
                l.sha.chars().take(10).collect(),
                present::link_source(l.source).to_owned(),
                l.agent_lines.to_string(),
                l.committed_at
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default(),
                l.subject.clone(),
            ]
        })
        .collect();
    let mut out = vec![
        String::new(),
        ctx.style
            .header(&format!("Commits in the repository ({})", links.len())),
    ];
    let mut table = render(&columns, &rows, None, ctx.width);
    table[0] = ctx.style.dim(&table[0]);
    out.extend(table);
    let (recorded, matched) = (
        links.iter().any(CommitLink::from_record),
        links.iter().any(|l| !l.from_record()),
    );
    for (any, from_record, which) in [
        (recorded, true, "recorded, trailer"),
        (matched, false, "agent commit, inferred"),
    ] {
        if any {
            let note = format!("AGENT LINES ({which}): {}", how_marked(from_record));
            out.push(ctx.style.dim(&note));
        }
    }
    out
}

/// A linked commit as JSON: its fields, and how its agent lines were told apart (in words).
pub fn json(link: &CommitLink) -> serde_json::Value {
    let mut value = serde_json::to_value(link).unwrap_or_default();
    value["agent_lines_how"] = how_marked(link.from_record()).into();
    value
}
