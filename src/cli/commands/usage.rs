//! `git vouch usage daily|monthly|session`: totals by period, like ccusage.

use std::collections::HashMap;

use color_eyre::eyre::{Result, eyre};

use super::sessions::unpriced_footnote;
use super::{filter, print_json, print_lines, print_text};
use crate::cli::Outcome;
use crate::cli::args::{PeriodArg, UsageArgs};
use crate::cli::context::Context;
use crate::cli::table::{Column, render};
use crate::present;
use crate::report::period::Zone;
use crate::report::{Period, UsageRow, json, short_ids, usage_rows};
use crate::session::SessionSummary;

pub fn run(ctx: &Context, args: &UsageArgs) -> Result<Outcome> {
    let zone = Zone::parse(&args.timezone).ok_or_else(|| {
        eyre!(
            "--timezone '{}': use local, UTC, or an offset such as +02:00",
            args.timezone
        )
    })?;
    let catalog = ctx.catalog()?;
    let filter = filter(ctx, &args.filter)?;
    let shown: Vec<SessionSummary> = catalog
        .sessions
        .iter()
        .filter(|s| filter.matches(s))
        .cloned()
        .collect();
    let period = match args.period {
        PeriodArg::Daily => Period::Daily,
        PeriodArg::Monthly => Period::Monthly,
        PeriodArg::Session => Period::Session,
    };
    let rows = usage_rows(&shown, period, zone);
    let mut total = UsageRow {
        key: "total".into(),
        ..UsageRow::default()
    };
    for r in &rows {
        total.absorb(r);
    }
    if args.json {
        print_json(&json::usage_doc(period, &rows, &total))?;
    } else if rows.is_empty() {
        print_text("No usage found.")?;
    } else {
        let all: Vec<&str> = catalog.sessions.iter().map(|s| s.id.as_str()).collect();
        let short: HashMap<&str, String> = all.iter().copied().zip(short_ids(&all)).collect();
        let names: HashMap<&str, (&str, &str)> = shown
            .iter()
            .map(|s| {
                let id = short.get(s.id.as_str()).map_or("", String::as_str);
                (s.id.as_str(), (id, s.display_title()))
            })
            .collect();
        let mut lines = table(ctx, period, &rows, &total, &names);
        lines.extend(unpriced_footnote(total.unpriced_models.iter()));
        lines.extend(crate::present::recorded_note(shown.iter()));
        print_lines(&lines)?;
    }
    Ok(Outcome::Success)
}

/// A usage table; `names` gives each session's short id and title (for `usage session`).
fn table(
    ctx: &Context,
    period: Period,
    rows: &[UsageRow],
    total: &UsageRow,
    names: &HashMap<&str, (&str, &str)>,
) -> Vec<String> {
    let first = match period {
        Period::Daily => "DATE",
        Period::Monthly => "MONTH",
        Period::Session => "SESSION",
    };
    let by_session = period == Period::Session;
    let mut columns = vec![Column::left(first, 0)];
    if by_session {
        columns.extend([Column::flex("TITLE"), Column::left("MODELS", 1)]);
    } else {
        columns.push(Column::flex("MODELS"));
    }
    columns.extend([
        Column::figure("INPUT", "IN"),
        Column::figure("OUTPUT", "OUT"),
        Column::figure("CACHE W", "CW"),
        Column::figure("CACHE R", "CR"),
        Column::figure("TOTAL", "TOT"),
        Column::figure("COST", "COST"),
    ]);
    let cells = |r: &UsageRow, key: String, title: Option<String>| {
        let t = &r.tokens;
        let mut row = vec![key];
        row.extend(title);
        row.extend([
            r.models
                .iter()
                .map(|m| present::model(m))
                .collect::<Vec<_>>()
                .join(", "),
            present::count(t.input),
            present::count(t.output),
            present::count(t.cache_write()),
            present::count(t.cache_read),
            present::count(t.total()),
            present::cost_cell(r.cost, !r.unpriced_models.is_empty()),
        ]);
        row
    };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            if by_session {
                let (id, title) = names.get(r.key.as_str()).copied().unwrap_or_default();
                cells(r, id.to_owned(), Some(title.to_owned()))
            } else {
                cells(r, r.key.clone(), None)
            }
        })
        .collect();
    let footer = cells(total, "Total".into(), by_session.then(String::new));
    let mut lines = render(&columns, &body, Some(&footer), ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}
