//! One module per subcommand; `dispatch` routes to them.

pub mod attest;
pub mod audit;
pub mod blame;
pub mod diff;
pub mod evidence;
pub mod explore;
pub mod export;
pub mod hook;
pub mod insights;
pub mod install;
pub mod log;
pub mod man;
pub mod policy;
pub mod record;
pub mod report;
pub mod review;
pub mod sessions;
pub mod show;
pub mod usage;
pub mod watch;

use chrono::{DateTime, Local, NaiveDate, TimeZone, Utc};
use color_eyre::eyre::{Result, eyre};

use super::Outcome;
use super::args::{Cli, Command, DebugCommand, FilterArgs, PolicyCommand};
use super::context::Context;
use crate::report::SessionFilter;

/// Runs the command line.
pub fn dispatch(cli: &Cli) -> Result<Outcome> {
    if let Some(Command::Policy(PolicyCommand::Worker)) = &cli.command {
        // A worker needs nothing but its request: no price table, clock or style.
        return policy::worker();
    }
    if let Some(Command::Man(args)) = &cli.command {
        return man::run(args);
    }
    let ctx = Context::new(&cli.global)?;
    match &cli.command {
        None => explore::run(&ctx),
        Some(Command::Sessions(args)) => sessions::run(&ctx, args),
        Some(Command::Show(args)) => show::run(&ctx, args),
        Some(Command::Usage(args)) => usage::run(&ctx, args),
        Some(Command::Debug(cmd)) => debug(cmd),
        Some(Command::Evidence(args)) => evidence::run(&ctx, args),
        Some(Command::Attest(args)) => attest::attest(&ctx, args),
        Some(Command::Verify(args)) => attest::verify(&ctx, args),
        Some(Command::Review(args)) => review::run(&ctx, args),
        Some(Command::Log(args)) => log::run(&ctx, args),
        Some(Command::Blame(args)) => blame::run(&ctx, args),
        Some(Command::Diff(args)) => diff::run(&ctx, args),
        Some(Command::Keygen(args)) => attest::keygen(&ctx, args),
        Some(Command::Audit(args)) => audit::run(&ctx, args),
        Some(Command::Watch) => watch::run(&ctx),
        Some(Command::Record(args)) => record::run(&ctx, args),
        Some(Command::Insights(args)) => insights::run(&ctx, args),
        Some(Command::Export(cmd)) => export::run(&ctx, cmd),
        Some(Command::Report(args)) => report::run(&ctx, args),
        Some(Command::Policy(cmd)) => policy::run(&ctx, cmd),
        Some(Command::Notes(cmd)) => attest::notes(&ctx, cmd),
        Some(Command::Init(args)) => install::init(&ctx, args),
        Some(Command::Uninstall(args)) => install::uninstall(&ctx, args),
        Some(Command::Status(args)) => install::status(&ctx, args),
        Some(Command::Hook(cmd)) => Ok(hook::run(cmd)),
        Some(Command::Man(args)) => man::run(args),
    }
}

fn debug(cmd: &DebugCommand) -> Result<Outcome> {
    use color_eyre::eyre::WrapErr;
    match cmd {
        DebugCommand::ImportRun { run, dest, neutral } => {
            let files = crate::recording::import_run(run, dest, neutral)
                .wrap_err_with(|| format!("cannot import {}", run.display()))?;
            print_text(&format!(
                "{} written under {}",
                crate::present::plural(files.len() as u64, "file", "files"),
                dest.display()
            ))?;
        }
        DebugCommand::PackDemo { out, roots } => {
            let text = crate::recording::pack(roots).wrap_err("cannot pack the demo data")?;
            std::fs::write(out, text)
                .wrap_err_with(|| format!("cannot write {}", out.display()))?;
        }
    }
    Ok(Outcome::Success)
}

/// The session whose id is `prefix` or starts with it; `None` (said on stderr) when none does,
/// an error naming a few when several do and none is exactly it.
pub fn one_session<'a>(
    sessions: &'a [crate::session::SessionSummary],
    prefix: &str,
) -> Result<Option<&'a crate::session::SessionSummary>> {
    let found: Vec<&crate::session::SessionSummary> = sessions
        .iter()
        .filter(|s| s.id.starts_with(prefix))
        .collect();
    match found.as_slice() {
        [] => {
            eprintln!("git-vouch: no session matches '{prefix}'");
            Ok(None)
        }
        [one] => Ok(Some(*one)),
        many => match many.iter().find(|s| s.id == prefix) {
            Some(exact) => Ok(Some(*exact)),
            None => {
                let ids: Vec<&str> = many.iter().take(5).map(|s| s.id.as_str()).collect();
                Err(eyre!(
                    "'{prefix}' matches {}: {}",
                    crate::present::plural(many.len() as u64, "session", "sessions"),
                    ids.join(", ")
                ))
            }
        },
    }
}

/// Turns `--project/--since/--until` into a filter.
pub fn filter(ctx: &Context, args: &FilterArgs) -> Result<SessionFilter> {
    let now = ctx.clock.now();
    Ok(SessionFilter {
        project: args
            .project
            .as_ref()
            .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone())),
        since: args
            .since
            .as_deref()
            .map(|d| parse_date(d, now, false))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|d| parse_date(d, now, true))
            .transpose()?,
        agents: args.agent.clone(),
    })
}

/// `2026-03-01` or `20260301` (local midnight; with `end`, the midnight after), an RFC 3339
/// instant, or a span back from now such as `7d` or `12h`.
pub fn parse_date(text: &str, now: DateTime<Utc>, end: bool) -> Result<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y%m%d"));
    if let Ok(day) = day {
        let day = if end {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        return Local
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| eyre!("'{text}' is not a valid local date"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    match humantime::parse_duration(text) {
        Ok(span) => Ok(now - chrono::Duration::from_std(span).unwrap_or_default()),
        Err(_) => Err(eyre!(
            "'{text}' is not a date: use YYYY-MM-DD, YYYYMMDD, an RFC 3339 time, or a span such as 7d"
        )),
    }
}

/// Prints the warnings met while loading, to stderr, at most a few.
pub fn print_warnings(ctx: &Context, warnings: &[String]) {
    const SHOWN: usize = 5;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("{} {w}", ctx.style.warn("warning:"));
    }
    if warnings.len() > SHOWN {
        eprintln!(
            "{} {} more (see --json)",
            ctx.style.warn("warning:"),
            warnings.len() - SHOWN
        );
    }
}

/// Writes a JSON document to stdout.
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Writes text and a line break to stdout; a closed stdout is an error the caller passes on.
pub fn print_text(text: &str) -> Result<()> {
    print_lines(&[text.to_owned()])
}

/// Writes lines to stdout.
pub fn print_lines(lines: &[String]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for l in lines {
        writeln!(out, "{l}")?;
    }
    out.flush()?;
    Ok(())
}

/// The sessions credited to the commits of `range`, in commit order (each once); sessions
/// not on this machine are named on stderr.
pub fn sessions_of_range<'c>(
    ctx: &Context,
    range: &str,
    sessions: &'c [crate::session::SessionSummary],
) -> Result<Vec<&'c crate::session::SessionSummary>> {
    let cwd = color_eyre::eyre::WrapErr::wrap_err(
        std::env::current_dir(),
        "cannot read the current folder",
    )?;
    let log = crate::provenance::branch_log(
        &cwd,
        Some(range),
        &crate::attest::allowed_signers::AllowedSigners::default(),
        &ctx.prices,
        ctx.clock.as_ref(),
    )?;
    let mut chosen: Vec<&crate::session::SessionSummary> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for entry in log.commits.iter().rev().flat_map(|c| &c.sessions) {
        match sessions.iter().find(|s| s.id == entry.id) {
            Some(s) if !chosen.iter().any(|c| c.id == s.id) => chosen.push(s),
            None if !missing.contains(&entry.id.as_str()) => missing.push(&entry.id),
            _ => {}
        }
    }
    for id in missing {
        let warning = ctx.style.warn("warning:");
        eprintln!("{warning} session {id} of {range} is not on this machine");
    }
    Ok(chosen)
}
