//! `git vouch show <session>`: one session in full.

use color_eyre::eyre::{Result, eyre};

use super::{print_json, print_lines};
use crate::cli::Outcome;
use crate::cli::args::ShowArgs;
use crate::cli::context::Context;
use crate::cli::fmt;
use crate::cli::table::{Column, render};
use crate::report::json;
use crate::session::SessionSummary;

pub fn run(ctx: &Context, args: &ShowArgs) -> Result<Outcome> {
    let catalog = ctx.catalog()?;
    let found: Vec<&SessionSummary> = catalog
        .sessions
        .iter()
        .filter(|s| s.id.starts_with(&args.session))
        .collect();
    let session = match found.as_slice() {
        [] => {
            eprintln!("git-vouch: no session matches '{}'", args.session);
            return Ok(Outcome::Negative);
        }
        [one] => *one,
        many => match many.iter().find(|s| s.id == args.session) {
            Some(exact) => *exact,
            None => {
                let ids: Vec<&str> = many.iter().take(5).map(|s| s.id.as_str()).collect();
                return Err(eyre!(
                    "'{}' matches {} sessions: {}",
                    args.session,
                    many.len(),
                    ids.join(", ")
                ));
            }
        },
    };
    if args.json {
        print_json(&json::session_row(session))?;
    } else {
        print_lines(&text(ctx, session))?;
    }
    Ok(Outcome::Success)
}

fn text(ctx: &Context, s: &SessionSummary) -> Vec<String> {
    let st = ctx.style;
    let mut out = vec![format!("{} {}", st.header("Session"), st.id(&s.id))];
    let mut field = |name: &str, value: String| {
        if !value.is_empty() {
            out.push(format!("  {:<10} {value}", st.dim(name)));
        }
    };
    field("title", s.title.clone().unwrap_or_default());
    field("prompt", s.first_prompt.clone().unwrap_or_default());
    field(
        "project",
        s.cwd.clone().unwrap_or_else(|| s.project.clone()),
    );
    field("branch", s.git_branch.clone().unwrap_or_default());
    field(
        "agent",
        s.agent_version
            .as_ref()
            .map(|v| format!("Claude Code {v}"))
            .unwrap_or_default(),
    );
    let when = match (s.start, s.end) {
        (Some(a), Some(b)) => format!(
            "{} → {} ({})",
            a.to_rfc3339(),
            b.to_rfc3339(),
            fmt::duration(b - a)
        ),
        _ => String::new(),
    };
    field("time", when);
    field(
        "messages",
        format!(
            "{} prompts, {} responses",
            s.user_prompts, s.assistant_messages
        ),
    );
    field(
        "cost",
        super::sessions::cost_cell(s.cost, !s.unpriced_models.is_empty()),
    );
    out.push(String::new());
    out.extend(model_table(ctx, s));
    if !s.tools.is_empty() {
        out.push(String::new());
        out.push(st.header(&format!(
            "Tools ({} calls, {} subagents)",
            s.tool_calls, s.subagents
        )));
        let widest = s.tools.first().map_or(1, |t| t.1);
        for (name, n) in &s.tools {
            let bar = "█".repeat(((n * 30).div_ceil(widest)) as usize);
            out.push(format!("  {name:<16} {n:>5} {bar}"));
        }
    }
    if !s.warnings.is_empty() {
        out.push(String::new());
        out.push(st.warn("Warnings"));
        out.extend(s.warnings.iter().map(|w| format!("  {w}")));
    }
    out
}

fn model_table(ctx: &Context, s: &SessionSummary) -> Vec<String> {
    let columns = [
        Column::left("MODEL", 0),
        Column::right("REQS", 5),
        Column::right("INPUT", 3),
        Column::right("OUTPUT", 4),
        Column::right("CACHE W 5M", 1),
        Column::right("CACHE W 1H", 1),
        Column::right("CACHE R", 2),
        Column::right("COST", 0),
    ];
    let rows: Vec<Vec<String>> = s
        .models
        .iter()
        .map(|m| {
            let t = &m.tokens;
            vec![
                m.model.clone(),
                fmt::count(m.messages),
                fmt::count(t.input),
                fmt::count(t.output),
                fmt::count(t.cache_write_5m),
                fmt::count(t.cache_write_1h),
                fmt::count(t.cache_read),
                m.cost
                    .map_or_else(|| "unknown".to_owned(), |c| c.to_string()),
            ]
        })
        .collect();
    let mut lines = render(&columns, &rows, None, ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}
