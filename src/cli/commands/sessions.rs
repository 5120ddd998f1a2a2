//! `git vouch sessions`: one row per session.

use std::collections::HashMap;

use color_eyre::eyre::Result;

use super::{filter, print_json, print_lines, print_text, print_warnings};
use crate::cli::Outcome;
use crate::cli::args::SessionsArgs;
use crate::cli::context::Context;
use crate::cli::table::{Column, render};
use crate::money::Usd;
use crate::present;
use crate::report::{json, short_ids};
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
        // Short ids are unique over every session, so `show` accepts them whatever the filter.
        let all: Vec<&str> = catalog.sessions.iter().map(|s| s.id.as_str()).collect();
        let short: HashMap<&str, String> = all.iter().copied().zip(short_ids(&all)).collect();
        let mut lines = table(ctx, &shown, &short);
        let unpriced = shown.iter().flat_map(|s| s.unpriced_models.iter());
        lines.extend(unpriced_footnote(unpriced));
        lines.extend(present::recorded_note(shown.iter().copied()));
        print_lines(&lines)?;
    }
    print_warnings(ctx, &warnings);
    Ok(Outcome::Success)
}

fn table(
    ctx: &Context,
    sessions: &[&SessionSummary],
    short: &HashMap<&str, String>,
) -> Vec<String> {
    let columns = [
        Column::left("ID", 0),
        Column::left("STARTED", 0),
        Column::left("AGENT", 3),
        Column::left("PROJECT", 6),
        Column::left("BRANCH", 3),
        Column::flex("TITLE"),
        Column::left("MODELS", 4),
        Column::right("DUR", 5),
        Column::figure("INPUT", "IN"),
        Column::figure("OUTPUT", "OUT"),
        Column::figure("CACHE W", "CW"),
        Column::figure("CACHE R", "CR"),
        Column::figure("TOKENS", "TOK"),
        Column::figure("COST", "COST"),
        Column::right("TOOLS", 5),
        Column::right("SUB", 2),
    ];
    let now = ctx.clock.now();
    let rows: Vec<Vec<String>> = sessions
        .iter()
        .map(|s| {
            let t = &s.tokens;
            vec![
                short.get(s.id.as_str()).cloned().unwrap_or_default(),
                s.start
                    .map(|t| present::relative(t, now))
                    .unwrap_or_default(),
                s.agent.name().to_owned(),
                present::project(s.cwd.as_deref(), &s.project),
                s.git_branch.clone().unwrap_or_default(),
                s.display_title().to_owned(),
                s.models
                    .iter()
                    .map(|m| present::model(&m.model))
                    .collect::<Vec<_>>()
                    .join(","),
                s.duration().map(present::duration).unwrap_or_default(),
                present::tokens(t.input),
                present::tokens(t.output),
                present::tokens(t.cache_write()),
                present::tokens(t.cache_read),
                present::tokens(t.total()),
                present::cost_cell(s.cost, !s.unpriced_models.is_empty()),
                present::count(s.tool_calls),
                present::count(s.subagents),
            ]
        })
        .collect();
    let mut total = Tokens::default();
    let mut cost = Usd::ZERO;
    for s in sessions {
        total.add(&s.tokens);
        cost += s.cost;
    }
    let mut footer = vec![present::plural(
        sessions.len() as u64,
        "session",
        "sessions",
    )];
    footer.extend(std::iter::repeat_n(String::new(), 7));
    footer.extend([
        present::tokens(total.input),
        present::tokens(total.output),
        present::tokens(total.cache_write()),
        present::tokens(total.cache_read),
        present::tokens(total.total()),
        present::cost_cell(cost, sessions.iter().any(|s| !s.unpriced_models.is_empty())),
        present::count(sessions.iter().map(|s| s.tool_calls).sum::<u64>()),
        present::count(sessions.iter().map(|s| s.subagents).sum::<u64>()),
    ]);
    let mut lines = render(&columns, &rows, Some(&footer), ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}

/// The line under a table whose costs leave out models without a price: which models, and the
/// price file that would add them. Nothing when every model has a price.
pub fn unpriced_footnote<'a>(models: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut names: Vec<&str> = models.map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let config = crate::config::Config::load(&crate::config::ProcessEnv);
    crate::pricing::unpriced_note(&names, &config.price_file)
}
