//! `git vouch usage daily|monthly|session`: totals by period, like ccusage.

use color_eyre::eyre::{Result, eyre};

use super::sessions::cost_cell;
use super::{filter, print_json, print_lines, print_text};
use crate::cli::Outcome;
use crate::cli::args::{PeriodArg, UsageArgs};
use crate::cli::context::Context;
use crate::cli::fmt;
use crate::cli::table::{Column, render};
use crate::report::period::Zone;
use crate::report::{Period, UsageRow, json, usage_rows};
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
        print_lines(&table(ctx, period, &rows, &total))?;
    }
    Ok(Outcome::Success)
}

fn table(ctx: &Context, period: Period, rows: &[UsageRow], total: &UsageRow) -> Vec<String> {
    let first = match period {
        Period::Daily => "DATE",
        Period::Monthly => "MONTH",
        Period::Session => "SESSION",
    };
    let columns = [
        Column::left(first, 0),
        Column::flex("MODELS"),
        Column::right("INPUT", 3),
        Column::right("OUTPUT", 4),
        Column::right("CACHE W", 2),
        Column::right("CACHE R", 1),
        Column::right("TOTAL", 5),
        Column::right("COST", 0),
    ];
    let cells = |r: &UsageRow, key: String| {
        let t = &r.tokens;
        vec![
            key,
            r.models
                .iter()
                .map(|m| fmt::model(m))
                .collect::<Vec<_>>()
                .join(", "),
            fmt::count(t.input),
            fmt::count(t.output),
            fmt::count(t.cache_write()),
            fmt::count(t.cache_read),
            fmt::count(t.total()),
            cost_cell(r.cost, !r.unpriced_models.is_empty()),
        ]
    };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let key = if period == Period::Session {
                r.key.chars().take(8).collect()
            } else {
                r.key.clone()
            };
            cells(r, key)
        })
        .collect();
    let footer = cells(total, "Total".into());
    let mut lines = render(&columns, &body, Some(&footer), ctx.width);
    lines[0] = ctx.style.header(&lines[0]);
    lines
}
