//! `git vouch insights [--session ID | --project PATH --since DATE --until DATE] [--json]`: what
//! went wrong in sessions, with a health score each (see [`crate::insights`]).

use color_eyre::eyre::{Result, WrapErr};
use serde::Serialize;

use super::{filter, one_session, print_json, print_lines, print_text};
use crate::cli::Outcome;
use crate::cli::args::InsightsArgs;
use crate::cli::context::Context;
use crate::cli::table::{Column, render};
use crate::insights::{self, Insights, Rules};
use crate::present;
use crate::report::short_ids;
use crate::session::SessionSummary;

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    sessions: &'a [Row<'a>],
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    title: &'a str,
    start: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(flatten)]
    insights: Insights,
}

pub fn run(ctx: &Context, args: &InsightsArgs) -> Result<Outcome> {
    Rules::embedded().wrap_err("the insights' thresholds")?;
    let catalog = ctx.catalog()?;
    let chosen: Vec<&SessionSummary> = match &args.session {
        Some(prefix) => match one_session(&catalog.sessions, prefix)? {
            Some(one) => vec![one],
            None => return Ok(Outcome::Negative),
        },
        None => {
            let filter = filter(ctx, &args.filter)?;
            catalog
                .sessions
                .iter()
                .filter(|s| filter.matches(s))
                .collect()
        }
    };
    let rows: Vec<Row> = chosen
        .iter()
        .filter_map(|s| {
            Some(Row {
                id: &s.id,
                title: s.display_title(),
                start: s.start,
                insights: s.insights.clone()?,
            })
        })
        .collect();
    if args.json {
        print_json(&Doc {
            schema: insights::SCHEMA,
            sessions: &rows,
        })?;
    } else if rows.is_empty() {
        print_text("No sessions found.")?;
    } else if args.session.is_some() {
        print_lines(&one(&rows[0]))?;
    } else {
        let all: Vec<&str> = catalog.sessions.iter().map(|s| s.id.as_str()).collect();
        let short: std::collections::HashMap<&str, String> =
            all.iter().copied().zip(short_ids(&all)).collect();
        print_lines(&table(ctx, &rows, &short))?;
    }
    Ok(Outcome::Success)
}

/// One session in full: its health, each finding with the calls behind it, its tools' errors.
fn one(row: &Row<'_>) -> Vec<String> {
    let i = &row.insights;
    let mut out = vec![format!(
        "{} · {}: health {} ({}), {}",
        row.id,
        crate::cli::table::truncate(row.title, 60),
        i.health,
        i.grade,
        present::plural(i.findings.len() as u64, "finding", "findings")
    )];
    for f in &i.findings {
        let thread = f
            .agent_id
            .as_deref()
            .map(|a| format!(" [sub-agent {a}]"))
            .unwrap_or_default();
        let estimate = if f.basis == insights::Basis::Estimated {
            " (estimate)"
        } else {
            ""
        };
        out.push(format!(
            "  {:<6} {:<21} {}{estimate}{thread}",
            f.severity.label(),
            f.id.label(),
            f.title
        ));
        if !f.calls.is_empty() {
            out.push(format!("         calls: {}", f.calls.join(", ")));
        }
        out.push(format!("         {}", f.suggestion));
    }
    let failing: Vec<String> = i
        .tool_errors
        .iter()
        .filter(|t| t.failed > 0)
        .map(|t| {
            let classes: Vec<String> = t.classes.iter().map(|(c, n)| format!("{n} {c}")).collect();
            format!(
                "  {} failed {} of {} ({}%): {}",
                t.tool,
                t.failed,
                t.calls,
                t.rate_percent(),
                classes.join(", ")
            )
        })
        .collect();
    if !failing.is_empty() {
        out.push("Tool errors:".to_owned());
        out.extend(failing);
    }
    out
}

fn table(
    ctx: &Context,
    rows: &[Row<'_>],
    short: &std::collections::HashMap<&str, String>,
) -> Vec<String> {
    let columns = [
        Column::left("ID", 0),
        Column::left("STARTED", 0),
        Column::right("HEALTH", 0),
        Column::left("GRADE", 0),
        Column::right("FINDINGS", 0),
        Column::flex("WORST"),
    ];
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let i = &r.insights;
            vec![
                short.get(r.id).cloned().unwrap_or_else(|| r.id.to_owned()),
                r.start.map(present::datetime).unwrap_or_default(),
                i.health.to_string(),
                i.grade.clone(),
                i.findings.len().to_string(),
                i.findings
                    .first()
                    .map(|f| format!("{}: {}", f.severity.label(), f.title))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut lines = render(&columns, &body, None, ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}
