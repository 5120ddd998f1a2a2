//! `git vouch audit [--session ID] [--since WHEN] [--risk LEVEL] [--json]`: the guard's timeline
//! from the event ledgers of this worktree: every checked tool call with its risk, the decision,
//! who made it and what became of the call, newest last.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use color_eyre::eyre::{Result, WrapErr, eyre};
use serde::Serialize;

use super::{print_json, print_lines, print_text};
use crate::capture::record::EventRecord;
use crate::capture::state::{StateDir, read_ledger};
use crate::cli::Outcome;
use crate::cli::args::{AuditArgs, RiskArg};
use crate::cli::context::Context;
use crate::cli::table::{Column, render};
use crate::evidence::guard::{DecidedBy, GuardedCall, timeline};
use crate::guard::decide::Verdict;
use crate::guard::rules::Level;
use crate::present;
use crate::report::short_ids;
use crate::words::plural;

/// The JSON document's schema name.
pub const SCHEMA: &str = "git-vouch/audit@1";

/// One row: a checked call and its session.
#[derive(Serialize)]
struct Row {
    session: String,
    #[serde(flatten)]
    call: GuardedCall,
    decided_by: DecidedBy,
}

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    calls: &'a [Row],
    totals: Totals,
}

#[derive(Debug, Default, Serialize)]
struct Totals {
    calls: u64,
    critical: u64,
    high: u64,
    denied: u64,
    asked: u64,
    /// Calls a person answered at `git vouch watch`.
    answered: u64,
    bypassed: u64,
}

pub fn run(ctx: &Context, args: &AuditArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let state = StateDir::discover(&cwd).ok_or_else(|| eyre!("not inside a git repository"))?;
    let since = args
        .since
        .as_deref()
        .map(|s| since(s, ctx.clock.now()))
        .transpose()?;
    let min = args.risk.map_or(Level::Low, level);
    let mut rows: Vec<Row> = Vec::new();
    for session in sessions(&state, args.session.as_deref())? {
        let (events, _problems) = read_ledger::<EventRecord>(&state.events_file(&session));
        let calls = timeline(&events, &BTreeSet::new());
        rows.extend(
            calls
                .into_iter()
                .filter(|c| c.level >= min && since.is_none_or(|t| c.at >= t))
                .map(|call| Row {
                    session: session.clone(),
                    decided_by: call.decided_by(),
                    call,
                }),
        );
    }
    rows.sort_by_key(|r| r.call.at);
    let totals = totals(&rows);
    if args.json {
        print_json(&Doc {
            schema: SCHEMA,
            calls: &rows,
            totals,
        })?;
    } else if rows.is_empty() {
        print_text(
            "No checked tool calls found (the guard records them unless vouch.guard is off).",
        )?;
    } else {
        let mut lines = table(ctx, &rows);
        lines.push(summary(&totals));
        print_lines(&lines)?;
    }
    Ok(Outcome::Success)
}

/// The sessions with an event ledger, by id, those starting with `prefix` when given.
fn sessions(state: &StateDir, prefix: Option<&str>) -> Result<Vec<String>> {
    let dir = state.events_dir();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).wrap_err_with(|| format!("cannot read {}", dir.display())),
    };
    let mut ids: Vec<String> = entries
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".jsonl")?.to_owned())
        })
        .filter(|id| prefix.is_none_or(|p| id.starts_with(p)))
        .collect();
    ids.sort();
    if let Some(p) = prefix.filter(|_| ids.is_empty()) {
        return Err(eyre!("no session of this repository starts with {p:?}"));
    }
    Ok(ids)
}

/// `--since`: a date, an RFC 3339 time, or a span back from `now`.
fn since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let span = humantime::parse_duration(text).map_err(|_| {
        eyre!("--since {text:?}: use a date (2026-12-01), an RFC 3339 time or a span (24h, 7d)")
    })?;
    let span = chrono::Duration::from_std(span).wrap_err("--since: the span is too long")?;
    Ok(now - span)
}

fn level(risk: RiskArg) -> Level {
    match risk {
        RiskArg::Low => Level::Low,
        RiskArg::Medium => Level::Medium,
        RiskArg::High => Level::High,
        RiskArg::Critical => Level::Critical,
    }
}

fn totals(rows: &[Row]) -> Totals {
    let mut t = Totals::default();
    for r in rows {
        let c = &r.call;
        t.calls += 1;
        t.critical += u64::from(c.level == Level::Critical);
        t.high += u64::from(c.level == Level::High);
        // The evidence's words: denials and asks are verdicts, whoever gave them.
        t.denied += u64::from(c.verdict == Verdict::Deny);
        t.asked += u64::from(c.verdict == Verdict::Ask);
        t.answered += u64::from(c.answered_by.is_some());
        t.bypassed += u64::from(c.bypassed);
    }
    t
}

fn table(ctx: &Context, rows: &[Row]) -> Vec<String> {
    let ids: Vec<&str> = rows.iter().map(|r| r.session.as_str()).collect();
    let distinct: Vec<&str> = ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let short: HashMap<&str, String> = distinct.iter().copied().zip(short_ids(&distinct)).collect();
    let columns = [
        Column::left("TIME", 0),
        Column::left("SESSION", 1),
        Column::left("TOOL", 2),
        Column::left("RISK", 0),
        Column::left("DECISION", 0),
        Column::left("OUTCOME", 0),
        Column::left("RULES", 3),
        Column::flex("CALL"),
    ];
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let c = &r.call;
            vec![
                present::datetime(c.at),
                short.get(r.session.as_str()).cloned().unwrap_or_default(),
                c.tool.clone(),
                c.level.label().to_owned(),
                match &c.answered_by {
                    Some(by) => format!("{} ({by})", r.decided_by.label()),
                    None => r.decided_by.label().to_owned(),
                },
                outcome(c).to_owned(),
                c.rules.join(", "),
                c.summary.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut lines = render(&columns, &body, None, ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}

fn outcome(c: &GuardedCall) -> &'static str {
    if c.bypassed {
        "BYPASSED"
    } else {
        c.outcome.label()
    }
}

fn summary(t: &Totals) -> String {
    let mut parts = vec![
        plural(t.calls, "call checked", "calls checked"),
        format!("{} critical, {} high", t.critical, t.high),
        format!("{} denied, {} asked", t.denied, t.asked),
    ];
    if t.answered > 0 {
        parts.push(format!("{} answered at watch", t.answered));
    }
    if t.bypassed > 0 {
        parts.push(plural(t.bypassed, "bypass", "bypasses"));
    }
    parts.join("; ")
}
