//! `git vouch report [RANGE | --since DATE --until DATE] [--format html|pdf|json] [--output
//! FILE]`: the compliance report of a range or a period (see [`crate::compliance`]).

use std::io::{IsTerminal, Write};
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, bail};

use super::parse_date;
use crate::attest::allowed_signers::{AllowedSigners, TrustError};
use crate::attest::notes::fetch_notes;
use crate::cli::Outcome;
use crate::cli::args::{ReportArgs, ReportFormat};
use crate::cli::context::Context;
use crate::compliance::{self, Inputs};
use crate::evidence::range::{by_dates, resolve};
use crate::git::Git;
use crate::provenance::log_of_range;

pub fn run(ctx: &Context, args: &ReportArgs) -> Result<Outcome> {
    if !ctx.demo {
        let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
        return report(ctx, args, &cwd);
    }
    // The demo: a throwaway clone of the demo repository, its notes and allowed signers.
    let parent = std::env::temp_dir().join("git-vouch-demo");
    let cwd = crate::demo::review_workspace(&parent).wrap_err("cannot set up the demo report")?;
    let outcome = report(ctx, args, &cwd);
    crate::demo::remove_review_workspace(&cwd);
    outcome
}

fn report(ctx: &Context, args: &ReportArgs, cwd: &Path) -> Result<Outcome> {
    let cwd = cwd.to_path_buf();
    let Ok(repo) = git2::Repository::discover(&cwd) else {
        bail!("not inside a git repository: {}", cwd.display());
    };
    if args.format == ReportFormat::Pdf && args.output.is_none() && std::io::stdout().is_terminal()
    {
        bail!("a PDF is not for the terminal: give --output FILE, or pipe it");
    }
    let git = Git::new(&cwd);
    if !args.no_fetch
        && let Some(remote) = super::log::remote_of(&git)
        && let Err(e) = fetch_notes(&git, &remote)
    {
        eprintln!(
            "{} attestations not fetched: {e}",
            ctx.style.warn("warning:")
        );
    }
    let (signers, file) = trust(ctx, &git, args)?;
    let now = ctx.clock.now();
    let (range, label, since, until) = scope(&repo, args, now)?;
    let current = args.range.is_none() && since.is_none() && until.is_none();
    let asked = (!current).then_some(range.spec.as_str());
    let log = log_of_range(
        &cwd,
        &range,
        asked,
        &signers,
        &ctx.prices,
        ctx.clock.as_ref(),
    )?;
    for w in &log.warnings {
        eprintln!("{} {w}", ctx.style.warn("warning:"));
    }
    // The current branch is named by its name.
    let label = match (&log.branch, current) {
        (Some(branch), true) => branch.clone(),
        _ => label,
    };
    let evidence_repo = crate::evidence::build::repository_of(&repo);
    let inputs = Inputs {
        log: &log,
        repository: evidence_repo.name,
        remote_url: evidence_repo.remote_url,
        range: label,
        since,
        until,
        allowed_signers: file.map(|f| shown_path(&f, &cwd)),
        trusted_keys: signers.entries.len(),
        verify_command: verify_command(&repo, &range),
        now,
    };
    let report = compliance::build(&inputs);
    let json = compliance::json_bytes(&report);
    let digest = compliance::data_sha256(&json);
    let bytes = match args.format {
        ReportFormat::Json => json,
        ReportFormat::Html => compliance::html::render(&report, &json).into_bytes(),
        ReportFormat::Pdf => pdf(&json, now)?,
    };
    write(args.output.as_deref(), &bytes)?;
    if let Some(path) = &args.output {
        eprintln!(
            "{} written: {} commits, {} controls, {} exceptions; data sha256 {}",
            path.display(),
            report.summary.commits,
            report.controls.len(),
            report.exceptions.len(),
            digest
        );
    }
    Ok(Outcome::Success)
}

/// The allowed signers, and their file; none configured is said, and every signature is then
/// untrusted.
fn trust(
    ctx: &Context,
    git: &Git,
    args: &ReportArgs,
) -> Result<(AllowedSigners, Option<std::path::PathBuf>)> {
    match AllowedSigners::from_git_config(git, args.allowed_signers.as_deref()) {
        Ok((s, f)) => Ok((s, Some(f))),
        Err(TrustError::NotConfigured) => {
            eprintln!(
                "{} {}; signatures count as untrusted",
                ctx.style.warn("warning:"),
                TrustError::NotConfigured
            );
            Ok((AllowedSigners::default(), None))
        }
        Err(e) => Err(e.into()),
    }
}

type Dates = Option<chrono::DateTime<chrono::Utc>>;

/// The commits asked for, the range in words, and the period's bounds.
fn scope(
    repo: &git2::Repository,
    args: &ReportArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(crate::evidence::range::Range, String, Dates, Dates)> {
    let since = args
        .since
        .as_deref()
        .map(|d| parse_date(d, now, false))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|d| parse_date(d, now, true))
        .transpose()?;
    if since.is_some() || until.is_some() {
        let label = period(args);
        return Ok((by_dates(repo, since, until, &label)?, label, since, until));
    }
    let spec = args.range.clone().unwrap_or_else(|| "HEAD".to_owned());
    Ok((resolve(repo, Some(&spec))?, spec, since, until))
}

#[cfg(feature = "pdf")]
fn pdf(json: &[u8], now: chrono::DateTime<chrono::Utc>) -> Result<Vec<u8>> {
    Ok(compliance::pdf::render(json, now)?)
}

#[cfg(not(feature = "pdf"))]
fn pdf(_json: &[u8], _now: chrono::DateTime<chrono::Utc>) -> Result<Vec<u8>> {
    bail!("this git-vouch was built without the `pdf` feature: use --format html and print it")
}

/// The period in words: `HEAD, commits from 2026-11-01 to 2026-11-30`.
fn period(args: &ReportArgs) -> String {
    match (&args.since, &args.until) {
        (Some(s), Some(u)) => format!("HEAD, commits from {s} to {u}"),
        (Some(s), None) => format!("HEAD, commits from {s}"),
        (None, Some(u)) => format!("HEAD, commits up to {u}"),
        (None, None) => "HEAD".to_owned(),
    }
}

/// The command that verifies exactly the report's commits again.
fn verify_command(repo: &git2::Repository, range: &crate::evidence::range::Range) -> String {
    let (Some(first), Some(last)) = (range.commits.first(), range.commits.last()) else {
        return "git vouch verify".to_owned();
    };
    let parent = git2::Oid::from_str(first)
        .ok()
        .and_then(|o| repo.find_commit(o).ok())
        .and_then(|c| c.parent_id(0).ok());
    match (&range.base, parent) {
        (Some(base), _) => format!("git vouch verify {base}..{last}"),
        (None, Some(p)) => format!("git vouch verify {p}..{last}"),
        (None, None) => format!("git vouch verify {last}"),
    }
}

/// A path inside the worktree relative to it; others as they are.
fn shown_path(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

fn write(output: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, bytes).wrap_err_with(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)?;
            out.flush()?;
            Ok(())
        }
    }
}
