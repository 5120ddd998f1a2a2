//! `git vouch insights [RANGE | --session ID | --project PATH --since DATE --until DATE]
//! [--json]`: what went wrong in sessions, with a health score each (see [`crate::insights`]).

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
    if Rules::shared().is_none() {
        // Only to say why: the summaries were made without insights.
        Rules::embedded().wrap_err("the insights' thresholds")?;
    }
    let catalog = ctx.catalog()?;
    let chosen: Vec<&SessionSummary> = match (&args.range, &args.session) {
        (Some(range), _) => super::sessions_of_range(ctx, range, &catalog.sessions)?,
        (None, Some(prefix)) => match one_session(&catalog.sessions, prefix)? {
            Some(one) => vec![one],
            None => return Ok(Outcome::Negative),
        },
        (None, None) => {
            let filter = filter(ctx, &args.filter)?;
            catalog
                .sessions
                .iter()
                .filter(|s| filter.matches(s))
                .collect()
        }
    };
    let ids: Vec<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
    let mut found = catalog
        .findings
        .of_many(&ids)
        .wrap_err("cannot read the sessions' findings")?;
    let rows: Vec<Row> = chosen
        .iter()
        .filter_map(|s| {
            Some(Row {
                id: &s.id,
                title: s.display_title(),
                start: s.start,
                insights: found.remove(&s.id)?,
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

/// The sessions the commits of `range` credit, in the order of their first commit (oldest
/// first); a session that is not on this machine is named on stderr.
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
