//! `git vouch show <session>`: one session in full.

use std::path::Path;

use color_eyre::eyre::Result;

mod linked;
mod recording;

use super::{print_json, print_lines};
use crate::agent_source;
use crate::cli::Outcome;
use crate::cli::args::ShowArgs;
use crate::cli::context::Context;
use crate::cli::table::{Column, render, truncate};
use crate::money::Usd;
use crate::present;
use crate::report::session_json::session_doc;
use crate::session::detail::SessionDetail;
use crate::session::permission;
use crate::session::{ModelUsage, SessionSummary};

pub fn run(ctx: &Context, args: &ShowArgs) -> Result<Outcome> {
    let catalog = ctx.catalog()?;
    let Some(session) = super::one_session(&catalog.sessions, &args.session)? else {
        return Ok(Outcome::Negative);
    };
    let open = |p: &Path| ctx.open(p);
    let mut detail = agent_source::detail(session, &open, &ctx.prices);
    let secrets = agent_source::secrets(session, &open);
    detail.record_secrets(secrets);
    let links = if ctx.demo {
        demo_links(session.cwd.as_deref(), &detail)
    } else {
        session
            .cwd
            .as_deref()
            .and_then(|cwd| {
                crate::correlate::commits_for(Path::new(cwd), &detail)
                    .ok()
                    .flatten()
            })
            .unwrap_or_default()
    };
    let launch = if ctx.demo {
        None
    } else {
        session
            .cwd
            .as_deref()
            .and_then(|cwd| launch_mode(Path::new(cwd), &session.id))
    };
    let redactor = args.redact.then(crate::redact::shared);
    let mut counts = crate::redact::Counts::new();
    if args.json {
        let mut doc = session_doc(&detail);
        doc["linked_commits"] = links.iter().map(linked::json).collect();
        doc["launch_mode"] = launch.clone().into();
        if let Some(r) = redactor {
            r.redact_json(&mut doc, &mut counts);
        }
        print_json(&doc)?;
    } else {
        let mut output = text(ctx, &detail, launch.as_deref());
        output.extend(linked::section(ctx, &links));
        if let Some(r) = detail.summary.recording.as_deref() {
            output.extend(recording::section(ctx, &detail, r));
        }
        if let Some(r) = redactor {
            for line in &mut output {
                *line = r.redact(line, &mut counts).into_owned();
            }
        }
        print_lines(&output)?;
    }
    Ok(Outcome::Success)
}

/// The permission mode the session started in, as its SessionStart hook recorded it from the
/// agent's command line (Gemini CLI, opencode: their transcripts record none); `None` when the
/// session's repository has no such record.
fn launch_mode(cwd: &Path, session: &str) -> Option<String> {
    let state = crate::capture::state::StateDir::discover(cwd)?;
    let config: crate::capture::agent_config::AgentConfig =
        crate::capture::state::read_json(&state.config_file(session)).ok()??;
    config.launch_mode
}

fn text(ctx: &Context, d: &SessionDetail, launch: Option<&str>) -> Vec<String> {
    let mut out = identity(ctx, &d.summary, launch);
    out.push(String::new());
    out.extend(model_table(ctx, &d.summary));
    out.extend(tools(ctx, d));
    out.extend(subagents(ctx, d));
    out.extend(files(ctx, d));
    out.extend(commits(ctx, d));
    let warnings = d.warning_lines();
    if !warnings.is_empty() {
        out.push(String::new());
        out.push(ctx.style.warn(&format!("Warnings ({})", warnings.len())));
        out.extend(warnings.iter().map(|w| format!("  {w}")));
    }
    out
}

fn identity(ctx: &Context, s: &SessionSummary, launch: Option<&str>) -> Vec<String> {
    let st = ctx.style;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields = [
        ("title", opt(&s.title)),
        ("prompt", opt(&s.first_prompt)),
        (
            "project",
            s.cwd.clone().unwrap_or_else(|| s.project.clone()),
        ),
        ("branch", opt(&s.git_branch)),
        (
            "permission",
            permission::in_words(&s.permission_modes, launch),
        ),
        (
            "agent",
            s.agent_version
                .as_ref()
                .map(|v| format!("{} {v}", s.agent.name()))
                .unwrap_or_default(),
        ),
        ("time", when(s)),
        (
            "messages",
            format!(
                "{}, {}",
                present::plural(s.user_prompts, "prompt", "prompts"),
                present::plural(s.assistant_messages, "response", "responses")
            ),
        ),
        (
            "cost",
            present::cost_cell(s.cost, !s.unpriced_models.is_empty()),
        ),
        (
            "transcript",
            if s.archived {
                present::ARCHIVED.to_owned()
            } else {
                String::new()
            },
        ),
    ];
    let room = ctx.width.saturating_sub(13).max(20);
    let mut out = vec![format!("{} {}", st.header("Session"), st.id(&s.id))];
    out.extend(
        fields
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(name, value)| format!("  {:<10} {}", st.dim(name), truncate(value, room))),
    );
    out
}

/// `2026-03-01 10:00:00 → 10:42:13 UTC (42m)`.
fn when(s: &SessionSummary) -> String {
    let (Some(a), Some(b)) = (s.start, s.end) else {
        return String::new();
    };
    let end = if a.date_naive() == b.date_naive() {
        "%H:%M:%S"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    let (start, end) = (a.format("%Y-%m-%d %H:%M:%S"), b.format(end));
    format!("{start} → {end} UTC ({})", present::duration(b - a))
}

/// A cell of the model table.
type ModelCell = fn(&ModelUsage) -> String;

fn model_table(ctx: &Context, s: &SessionSummary) -> Vec<String> {
    let mut cols: Vec<(Column, ModelCell)> = vec![
        (Column::left("MODEL", 0), |m| m.model.clone()),
        (Column::right("REQS", 5), |m| present::count(m.messages)),
        (Column::figure("INPUT", "IN"), |m| {
            present::count(m.tokens.input)
        }),
        (Column::figure("OUTPUT", "OUT"), |m| {
            present::count(m.tokens.output)
        }),
        (Column::figure("CACHE W 5M", "CW 5M"), |m| {
            present::count(m.tokens.cache_write_5m)
        }),
        (Column::figure("CACHE W 1H", "CW 1H"), |m| {
            present::count(m.tokens.cache_write_1h)
        }),
        (Column::figure("CACHE R", "CR"), |m| {
            present::count(m.tokens.cache_read)
        }),
        (Column::figure("COST", "COST"), |m| cost(m.cost)),
    ];
    // A cache lifetime that no request used is left out.
    let used = |f: fn(&ModelUsage) -> u64| s.models.iter().any(|m| f(m) > 0);
    let (w5m, w1h) = (
        used(|m| m.tokens.cache_write_5m),
        used(|m| m.tokens.cache_write_1h),
    );
    cols.retain(|(c, _)| match c.header {
        "CACHE W 5M" => w5m || !w1h,
        "CACHE W 1H" => w1h,
        _ => true,
    });
    let rows: Vec<Vec<String>> = s
        .models
        .iter()
        .map(|m| cols.iter().map(|(_, cell)| cell(m)).collect())
        .collect();
    let columns: Vec<Column> = cols.into_iter().map(|(c, _)| c).collect();
    table(ctx, &columns, &rows)
}

fn cost(c: Option<Usd>) -> String {
    c.map_or_else(|| "unknown".to_owned(), |c| c.to_string())
}

/// A section: a blank line, its title, then the table; nothing when there are no rows.
fn section(ctx: &Context, title: &str, columns: &[Column], rows: &[Vec<String>]) -> Vec<String> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut out = vec![String::new(), ctx.style.header(title)];
    out.extend(table(ctx, columns, rows));
    out
}

fn table(ctx: &Context, columns: &[Column], rows: &[Vec<String>]) -> Vec<String> {
    let mut lines = render(columns, rows, None, ctx.width);
    if let Some(first) = lines.first_mut() {
        *first = ctx.style.header(first);
    }
    lines
}

fn tools(ctx: &Context, d: &SessionDetail) -> Vec<String> {
    let stats = d.tool_stats();
    let widest = stats.first().map_or(1, |s| s.calls.max(1));
    let failed: u64 = stats.iter().map(|s| s.failed).sum();
    let rows: Vec<Vec<String>> = stats
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                present::count(s.calls),
                Some(s.failed)
                    .filter(|n| *n > 0)
                    .map(present::count)
                    .unwrap_or_default(),
                s.median_ms.map(millis).unwrap_or_default(),
                "█".repeat((s.calls * 20).div_ceil(widest) as usize),
            ]
        })
        .collect();
    let columns = [
        Column::left("TOOL", 0),
        Column::right("CALLS", 0),
        Column::right("FAILED", 0),
        Column::right("MEDIAN", 1),
        Column::left("", 2),
    ];
    let title = format!(
        "Tools ({}, {} failed)",
        present::plural(d.tool_calls.len() as u64, "call", "calls"),
        present::count(failed)
    );
    section(ctx, &title, &columns, &rows)
}

fn subagents(ctx: &Context, d: &SessionDetail) -> Vec<String> {
    let rows: Vec<Vec<String>> = d
        .subagents_flat()
        .into_iter()
        .map(|(depth, n)| {
            let what = n.agent_type.as_deref().unwrap_or(n.kind.as_str());
            let about = n.description.as_deref().unwrap_or("");
            let tokens = n.path.as_ref().map(|_| present::tokens(n.tokens.total()));
            vec![
                format!("{}{}", "  ".repeat(depth), n.agent_id),
                format!("{what} {about}").trim().to_owned(),
                tokens.unwrap_or_else(|| "?".to_owned()),
                cost(n.cost),
                present::count(n.tool_calls),
            ]
        })
        .collect();
    let columns = [
        Column::left("AGENT", 0),
        Column::flex("TASK"),
        Column::right("TOKENS", 0),
        Column::right("COST", 0),
        Column::right("TOOLS", 1),
    ];
    section(ctx, &format!("Subagents ({})", rows.len()), &columns, &rows)
}

fn files(ctx: &Context, d: &SessionDetail) -> Vec<String> {
    let cwd = d.summary.cwd.as_deref().filter(|c| !c.is_empty());
    let rows: Vec<Vec<String>> = d
        .files_by_path()
        .into_iter()
        .map(|e| {
            let short = cwd
                .and_then(|c| e.path.strip_prefix(c)?.strip_prefix('/'))
                .unwrap_or(&e.path);
            let note = if e.created { " (new)" } else { "" };
            vec![
                format!("+{}", e.added),
                format!("-{}", e.removed),
                format!("{short}{note}"),
                present::count(e.edits),
                e.by.iter()
                    .map(|a| a.as_deref().unwrap_or("main"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    let columns = [
        Column::right("ADDED", 0),
        Column::right("REMOVED", 0),
        Column::flex("FILE"),
        Column::right("EDITS", 2),
        Column::left("BY", 1),
    ];
    section(
        ctx,
        &format!("Files touched ({})", rows.len()),
        &columns,
        &rows,
    )
}

fn commits(ctx: &Context, d: &SessionDetail) -> Vec<String> {
    let rows: Vec<Vec<String>> = d
        .commits
        .iter()
        .map(|c| {
            vec![
                c.sha.clone(),
                c.branch.clone().unwrap_or_default(),
                c.subject.clone().unwrap_or_default(),
                c.agent_id.clone().unwrap_or_else(|| "main".to_owned()),
            ]
        })
        .collect();
    let columns = [
        Column::left("COMMIT", 0),
        Column::left("BRANCH", 1),
        Column::flex("SUBJECT"),
        Column::left("BY", 2),
    ];
    let title = format!(
        "Commits the agent made ({}, from its transcript)",
        rows.len()
    );
    section(ctx, &title, &columns, &rows)
}

/// `350ms`, `1.2s`, then minutes and hours.
fn millis(ms: i64) -> String {
    match ms {
        ..1_000 => format!("{}ms", ms.max(0)),
        1_000..60_000 => format!("{}.{}s", ms / 1000, ms % 1000 / 100),
        _ => present::duration(chrono::Duration::milliseconds(ms)),
    }
}

/// With `--demo`, the commits of the demo repository tied to a session that ran in it (as the
/// explorer's Files tab finds them; sessions of other demo projects have no repository).
fn demo_links(cwd: Option<&str>, detail: &SessionDetail) -> Vec<crate::correlate::CommitLink> {
    if cwd != Some(crate::demo::WORKTREE) {
        return Vec::new();
    }
    let parent = crate::config::Config::load(&crate::config::ProcessEnv).cache_dir;
    crate::demo::repository(&parent)
        .ok()
        .and_then(|(repo, paths)| {
            crate::correlate::session_changes(&repo, &paths, &[], detail).ok()
        })
        .map(|changes| changes.into_iter().map(|c| c.link).collect())
        .unwrap_or_default()
}
