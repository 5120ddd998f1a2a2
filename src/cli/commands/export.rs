//! `git vouch export otlp [RANGE | --session ID | --project PATH --since DATE --until DATE]
//! [--endpoint URL] [--protocol P] [--content] [--again] [--json]`: sessions to an
//! OpenTelemetry collector (see [`crate::otlp`]).
//!
//! Sessions are read in full on two worker threads while the batches go out, a few at a time,
//! so memory holds a handful of sessions whatever the number exported.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use color_eyre::eyre::{Result, WrapErr, eyre};
use serde::Serialize;

use super::{filter, one_session, print_json, print_lines, sessions_of_range};
use crate::capture::state::StateDir;
use crate::cli::Outcome;
use crate::cli::args::{ExportCommand, OtlpArgs};
use crate::cli::context::Context;
use crate::index::Catalog;
use crate::otlp::ledger::Ledger;
use crate::otlp::{self, Asked, SessionData, Summary, Target};
use crate::session::SessionSummary;
use crate::session::detail::{ThreadRef, ToolStatus};

/// Sessions read ahead of the export.
const READ_AHEAD: usize = 4;

pub fn run(ctx: &Context, cmd: &ExportCommand) -> Result<Outcome> {
    match cmd {
        ExportCommand::Otlp(args) if args.live => Ok(live(ctx, args)),
        ExportCommand::Otlp(args) => otlp_export(ctx, args),
    }
}

fn otlp_export(ctx: &Context, args: &OtlpArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let target = Target::resolve(&asked(args, &cwd))?;
    let catalog = ctx.catalog()?;
    let _one_at_a_time = exclusive(ctx)?;
    let mut ledger = Ledger::open(&ledger_path(ctx))?;
    let mut chosen = choose(ctx, args, &catalog)?;
    let pending = ledger.pending(&target.traces)?;
    let retried = add_pending(&mut chosen, &pending, &catalog.sessions);
    let summary = send(ctx, &target, &mut ledger, &catalog, &chosen, args)?;
    if args.json {
        print_json(&JsonSummary::of(&summary, &target, retried))?;
    } else {
        print_lines(&lines(&summary, &target, retried))?;
    }
    match &summary.left_why {
        Some(why) => Err(eyre!(
            "{} left for the next export: {why}",
            crate::words::plural(summary.left.len() as u64, "session", "sessions")
        )),
        None => Ok(Outcome::Success),
    }
}

/// The export a session's end starts: its failures go to the repository's `errors.log`
/// (`git vouch status` shows them), and the sessions it could not send are sent next time.
fn live(ctx: &Context, args: &OtlpArgs) -> Outcome {
    let Ok(cwd) = std::env::current_dir() else {
        return Outcome::Success;
    };
    if let Err(e) = otlp_export(ctx, args)
        && let Some(state) = StateDir::discover(&cwd)
    {
        state.log_error(ctx.clock.now(), "export otlp (live)", &format!("{e:#}"));
    }
    Outcome::Success
}

/// Waits for any other export to finish: two at once (two sessions ending together, or a
/// person's export during a live one) would both find a session not yet taken and send its
/// metrics twice. The lock is the data folder's `otlp.lock`, released when the export ends.
fn exclusive(ctx: &Context) -> Result<std::fs::File> {
    let path = ctx.config.data_dir.join("otlp.lock");
    std::fs::create_dir_all(&ctx.config.data_dir)
        .wrap_err_with(|| format!("cannot create {}", ctx.config.data_dir.display()))?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .wrap_err_with(|| format!("cannot open {}", path.display()))?;
    if file.try_lock().is_err() {
        eprintln!("waiting for another export to finish ({})", path.display());
        file.lock()
            .wrap_err_with(|| format!("cannot lock {}", path.display()))?;
    }
    Ok(file)
}

fn ledger_path(ctx: &Context) -> std::path::PathBuf {
    ctx.config.data_dir.join("otlp.sqlite")
}

/// What was asked for, from the arguments, the environment and the repository's configuration.
fn asked(args: &OtlpArgs, cwd: &Path) -> Asked {
    let env = std::env::vars()
        .filter_map(|(k, v)| Some((k.strip_prefix("OTEL_EXPORTER_OTLP_")?.to_owned(), v)))
        .collect();
    let config = crate::git::paths::RepoPaths::discover(cwd).map(|repo| {
        let keys = [
            "vouch.otlp.endpoint",
            "vouch.otlp.protocol",
            "vouch.otlp.headers",
        ];
        crate::git::config::values(&repo, &keys).unwrap_or_default()
    });
    let mut config = config.unwrap_or_default().into_iter();
    Asked {
        endpoint: args.endpoint.clone(),
        protocol: args.protocol.clone(),
        env,
        config_endpoint: config.next().flatten(),
        config_protocol: config.next().flatten(),
        config_headers: config.next().flatten(),
    }
}

fn choose<'c>(
    ctx: &Context,
    args: &OtlpArgs,
    catalog: &'c Catalog,
) -> Result<Vec<&'c SessionSummary>> {
    Ok(match (&args.range, &args.session) {
        (Some(range), _) => sessions_of_range(ctx, range, &catalog.sessions)?,
        (None, Some(prefix)) => one_session(&catalog.sessions, prefix)?
            .into_iter()
            .collect(),
        (None, None) => {
            let filter = filter(ctx, &args.filter)?;
            catalog
                .sessions
                .iter()
                .filter(|s| filter.matches(s))
                .collect()
        }
    })
}

/// Adds the sessions an earlier export left; returns how many were added.
fn add_pending<'c>(
    chosen: &mut Vec<&'c SessionSummary>,
    pending: &[String],
    all: &'c [SessionSummary],
) -> usize {
    let have: BTreeSet<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
    let pending: BTreeSet<&str> = pending.iter().map(String::as_str).collect();
    let extra: Vec<&SessionSummary> = all
        .iter()
        .filter(|s| pending.contains(s.id.as_str()) && !have.contains(s.id.as_str()))
        .collect();
    chosen.extend(&extra);
    extra.len()
}

/// Reads the sessions on two threads and exports them as they come.
fn send(
    ctx: &Context,
    target: &Target,
    ledger: &mut Ledger,
    catalog: &Catalog,
    chosen: &[&SessionSummary],
    args: &OtlpArgs,
) -> Result<Summary> {
    let ids: Vec<&str> = chosen.iter().map(|s| s.id.as_str()).collect();
    let mut findings = catalog
        .findings
        .of_many(&ids)
        .wrap_err("cannot read the sessions' findings")?;
    let insights: HashMap<String, crate::insights::Insights> = ids
        .iter()
        .filter_map(|id| Some(((*id).to_owned(), findings.remove(*id)?)))
        .collect();
    let options = otlp::Options {
        content: args.content,
        again: args.again,
        now: ctx.clock.now(),
        batch_bytes: otlp::export::BATCH_BYTES,
    };
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<SessionData>(READ_AHEAD);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            let tx = tx.clone();
            let (next, insights) = (&next, &insights);
            scope.spawn(move || {
                while let Some(s) = chosen.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let data = read(ctx, s, insights.get(&s.id).cloned(), args.content);
                    if tx.send(data).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let sleep = |d| std::thread::sleep(d);
        let result = otlp::export(target, ledger, rx.iter(), options, &sleep);
        // Stop the readers if the export ended early.
        drop(rx);
        result.map_err(Into::into)
    })
}

/// One session in full: its detail, what the guard decided, and (for `--content`) each
/// thread's conversation.
fn read(
    ctx: &Context,
    s: &SessionSummary,
    insights: Option<crate::insights::Insights>,
    content: bool,
) -> SessionData {
    let open = |p: &Path| ctx.open(p);
    let (detail, conversations) = if content {
        let (d, main) = crate::agent_source::detail_and_conversation(s, &open, &ctx.prices);
        let mut threads = vec![(None, main)];
        for (_, agent) in d.subagents_flat() {
            let thread = ThreadRef::Agent(&agent.agent_id);
            let conversation = crate::agent_source::conversation(s, thread, &open);
            threads.push((Some(agent.agent_id.clone()), conversation));
        }
        (d, threads)
    } else {
        (
            crate::agent_source::detail(s, &open, &ctx.prices),
            Vec::new(),
        )
    };
    let guard = s
        .cwd
        .as_deref()
        .and_then(|cwd| StateDir::discover(Path::new(cwd)))
        .and_then(|state| {
            let succeeded: BTreeSet<&str> = (detail.tool_calls.iter())
                .filter(|c| c.status == ToolStatus::Ok)
                .map(|c| c.id.as_str())
                .collect();
            crate::evidence::guard::account(&state, &s.id, &succeeded)
        })
        .map(|a| a.timeline)
        .unwrap_or_default();
    SessionData {
        detail,
        insights,
        guard,
        conversations,
    }
}

fn lines(s: &Summary, target: &Target, retried: usize) -> Vec<String> {
    let plural = crate::words::plural;
    let mut out = vec![format!(
        "{} to {} over {}: {} ({}), {} unchanged",
        plural(s.traces_sent as u64, "trace", "traces"),
        target.traces,
        target.protocol.name(),
        plural(s.spans, "span", "spans"),
        plural(u64::from(s.requests), "request", "requests"),
        plural(s.unchanged as u64, "session", "sessions"),
    )];
    out.push(format!(
        "metrics of {} to {}: {}",
        plural(s.metrics_sent as u64, "session", "sessions"),
        target.metrics,
        plural(s.points, "data point", "data points"),
    ));
    if retried > 0 {
        out.push(format!(
            "{} left by an earlier export sent again",
            plural(retried as u64, "session", "sessions")
        ));
    }
    if s.rejected > 0 || !s.rejected_why.is_empty() {
        out.push(format!(
            "the collector rejected {} of them: {}",
            s.rejected,
            s.rejected_why.join("; ")
        ));
    }
    if !s.redactions.is_empty() {
        let total: u64 = s.redactions.values().sum();
        out.push(format!(
            "{} redacted from the content",
            plural(total, "secret", "secrets")
        ));
    }
    out
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    schema: &'static str,
    protocol: &'static str,
    traces_endpoint: &'a str,
    metrics_endpoint: &'a str,
    traces_sent: usize,
    spans: u64,
    unchanged: usize,
    metrics_sent: usize,
    data_points: u64,
    requests: u32,
    rejected: i64,
    retried_from_earlier: usize,
    left: &'a [String],
    left_why: Option<&'a str>,
    redactions: &'a crate::redact::Counts,
}

impl<'a> JsonSummary<'a> {
    fn of(s: &'a Summary, t: &'a Target, retried: usize) -> Self {
        Self {
            schema: "git-vouch/otlp-export@1",
            protocol: t.protocol.name(),
            traces_endpoint: &t.traces,
            metrics_endpoint: &t.metrics,
            traces_sent: s.traces_sent,
            spans: s.spans,
            unchanged: s.unchanged,
            metrics_sent: s.metrics_sent,
            data_points: s.points,
            requests: s.requests,
            rejected: s.rejected,
            retried_from_earlier: retried,
            left: &s.left,
            left_why: s.left_why.as_deref(),
            redactions: &s.redactions,
        }
    }
}
