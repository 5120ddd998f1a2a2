//! `git vouch sessions`: one row per session.

use color_eyre::eyre::Result;

use super::{filter, print_json, print_lines, print_text, print_warnings};
use crate::cli::Outcome;
use crate::cli::args::SessionsArgs;
use crate::cli::context::Context;
use crate::cli::fmt;
use crate::cli::table::{Column, render};
use crate::money::Usd;
use crate::report::json;
use crate::session::SessionSummary;
use crate::usage::Tokens;

pub fn run(ctx: &Context, args: &SessionsArgs) -> Result<Outcome> {
    let catalog = ctx.catalog()?;
    let filter = filter(ctx, &args.filter)?;
    let shown: Vec<&SessionSummary> = catalog
        .sessions
        .iter()
        .filter(|s| filter.matches(s))
        .collect();
    let warnings = json::warnings(&shown, &catalog.diagnostics);
    if args.json {
        print_json(&json::sessions_doc(&shown, &catalog.diagnostics))?;
        return Ok(Outcome::Success);
    }
    if shown.is_empty() {
        print_text(&format!(
            "No sessions found{}.",
            if ctx.demo { " in the demo data" } else { "" }
        ))?;
    } else {
        print_lines(&table(ctx, &shown))?;
    }
    print_warnings(ctx, &warnings);
    Ok(Outcome::Success)
}

fn table(ctx: &Context, sessions: &[&SessionSummary]) -> Vec<String> {
    let columns = [
        Column::left("STARTED", 0),
        Column::left("PROJECT", 6),
        Column::left("BRANCH", 3),
        Column::flex("TITLE"),
        Column::left("MODELS", 4),
        Column::right("DUR", 5),
        Column::right("INPUT", 1),
        Column::right("OUTPUT", 2),
        Column::right("CACHE W", 1),
        Column::right("CACHE R", 1),
        Column::right("TOKENS", 7),
        Column::right("COST", 0),
        Column::right("TOOLS", 5),
        Column::right("SUB", 2),
    ];
    let now = ctx.clock.now();
    let rows: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            let t = &s.tokens;
            vec![
                s.start.map(|t| fmt::relative(t, now)).unwrap_or_default(),
                fmt::project(s.cwd.as_deref(), &s.project),
                s.git_branch.clone().unwrap_or_default(),
                s.display_title().to_owned(),
                s.models
                    .iter()
                    .map(|m| fmt::model(&m.model))
                    .collect::<Vec<_>>()
                    .join(","),
                s.duration().map(fmt::duration).unwrap_or_default(),
                fmt::tokens(t.input),
                fmt::tokens(t.output),
                fmt::tokens(t.cache_write()),
                fmt::tokens(t.cache_read),
                fmt::tokens(t.total()),
                cost_cell(s.cost, !s.unpriced_models.is_empty()),
                s.tool_calls.to_string(),
                s.subagents.to_string(),
            ]
        })
        .collect();
    let mut total = Tokens::default();
    let mut cost = Usd::ZERO;
    for s in sessions {
        total.add(&s.tokens);
        cost += s.cost;
    }
    let footer = vec![
        fmt::plural(sessions.len() as u64, "session", "sessions"),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        fmt::tokens(total.input),
        fmt::tokens(total.output),
        fmt::tokens(total.cache_write()),
        fmt::tokens(total.cache_read),
        fmt::tokens(total.total()),
        cost_cell(cost, sessions.iter().any(|s| !s.unpriced_models.is_empty())),
        sessions
            .iter()
            .map(|s| s.tool_calls)
            .sum::<u64>()
            .to_string(),
        sessions
            .iter()
            .map(|s| s.subagents)
            .sum::<u64>()
            .to_string(),
    ];
    let mut lines = render(&columns, &rows, Some(&footer), ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}

/// A cost, with `+?` when some of the tokens had no price.
pub fn cost_cell(cost: Usd, incomplete: bool) -> String {
    if incomplete {
        format!("{cost}+?")
    } else {
        cost.to_string()
    }
}
