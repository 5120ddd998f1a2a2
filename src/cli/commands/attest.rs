//! `git vouch attest`, `verify`, `keygen` and `notes fetch|push`.

use color_eyre::eyre::{Result, WrapErr, eyre};
use serde_json::json;

use super::{print_json, print_lines, print_text};
use crate::attest::allowed_signers::AllowedSigners;
use crate::attest::carry_over::carry_over;
use crate::attest::lineage::{Carried, Lineage};
use crate::attest::notes::{fetch_notes, push_notes};
use crate::attest::publish::{Review, attest as attest_range};
use crate::attest::sign::{SignerSlot, default_key_path, keygen as make_key};
use crate::attest::standing::StateCounts;
use crate::attest::verify::{CommitReport, CommitStatus, carry, verify_commits};
use crate::cli::Outcome;
use crate::cli::args::{AttestArgs, KeygenArgs, NotesCommand, VerifyArgs, VerifyFormat};
use crate::cli::context::Context;
use crate::git::Git;
use crate::present::plural;
use crate::redact::{RedactOptions, Redactor};
use crate::words::counted;

pub const VERIFY_SCHEMA: &str = "git-vouch/verify@1";

fn cwd() -> Result<std::path::PathBuf> {
    std::env::current_dir().wrap_err("cannot read the current folder")
}

pub fn attest(ctx: &Context, args: &AttestArgs) -> Result<Outcome> {
    let redactor = Redactor::new(RedactOptions {
        emails: args.redact_emails,
    });
    let review = Review {
        reviewed: false,
        note: None,
        hunks: None,
    };
    let cwd = cwd()?;
    let signer = SignerSlot::from_env(Git::new(&cwd));
    let done = attest_range(
        &cwd,
        args.range.as_deref(),
        &review,
        &ctx.prices,
        &redactor,
        &signer,
        ctx.clock.as_ref(),
    )?;
    if done.commits.is_empty() {
        print_text("Nothing to attest: the range has no commits.")?;
        return Ok(Outcome::Success);
    }
    print_lines(&[
        format!(
            "Attested {} and {}, not reviewed by a person; signed by {}.",
            plural(done.commits.len() as u64, "commit", "commits"),
            plural(done.sessions as u64, "session", "sessions"),
            done.signer
        ),
        format!(
            "Statement sha256 {}; notes in refs/notes/vouch (share with `git vouch notes push`).",
            done.statement_sha256
        ),
    ])?;
    Ok(Outcome::Success)
}

pub fn verify(ctx: &Context, args: &VerifyArgs) -> Result<Outcome> {
    let cwd = cwd()?;
    let git = Git::new(&cwd);
    let (signers, file) = AllowedSigners::from_git_config(&git, args.allowed_signers.as_deref())?;
    let repo = git2::Repository::discover(&cwd).wrap_err("not inside a git repository")?;
    let range = crate::evidence::range::resolve(&repo, args.range.as_deref())?;
    let mut reports = verify_commits(&git, &range.commits, &signers)?;
    if reports.iter().any(|r| r.status == CommitStatus::Unsigned) {
        let lineage = Lineage::from_notes(&git, &repo, &signers)?;
        carry(&mut reports, &lineage, &repo);
    }
    let all = reports.iter().all(CommitReport::is_verified);
    if args.format == VerifyFormat::Markdown {
        let log = crate::provenance::branch_log(
            &cwd,
            args.range.as_deref(),
            &signers,
            &ctx.prices,
            ctx.clock.as_ref(),
        )?;
        let recheck = format!(
            "git vouch notes fetch && git vouch verify {}",
            args.range.as_deref().unwrap_or("")
        );
        print_text(crate::present::verify_markdown::markdown(&log, recheck.trim_end()).trim_end())?;
    } else if args.json || args.format == VerifyFormat::Json {
        print_json(&json!({
            "schema": VERIFY_SCHEMA,
            "range": range.spec,
            "allowed_signers": file,
            "all_verified": all,
            "commits": reports,
            "warnings": signers.problems.iter().map(|p| format!("{}:{}: {}", file.display(), p.line, p.message)).collect::<Vec<_>>(),
        }))?;
    } else {
        for p in &signers.problems {
            eprintln!(
                "{} {}:{}: {}",
                ctx.style.warn("warning:"),
                file.display(),
                p.line,
                p.message
            );
        }
        print_lines(&verify_text(&reports))?;
    }
    Ok(if all {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// One line per commit (`1a2b3c4d5e unreviewed (signed by ci@x)`), then how many commits have
/// a verified signature and how many are in each state.
fn verify_text(reports: &[CommitReport]) -> Vec<String> {
    let mut lines: Vec<String> = reports
        .iter()
        .map(|r| format!("{} {}", &r.commit[..r.commit.len().min(10)], r.summary()))
        .collect();
    let verified = reports.iter().filter(|r| r.is_verified()).count();
    let states: StateCounts = reports.iter().map(|r| r.state).collect();
    lines.push(format!(
        "{verified} of {} {} a verified signature{}",
        counted(reports.len(), "commit", "commits"),
        if reports.len() == 1 { "has" } else { "have" },
        if reports.is_empty() {
            String::new()
        } else {
            format!(": {states}")
        }
    ));
    lines
}

pub fn keygen(_ctx: &Context, args: &KeygenArgs) -> Result<Outcome> {
    let var = |k: &str| {
        std::env::var_os(k)
            .map(std::path::PathBuf::from)
            .filter(|p| !p.as_os_str().is_empty())
    };
    let path = match &args.path {
        Some(p) => p.clone(),
        None => default_key_path(var("XDG_CONFIG_HOME").as_deref(), var("HOME").as_deref())
            .ok_or_else(|| eyre!("cannot tell where to put the key: set HOME or pass --path"))?,
    };
    let git = Git::new(cwd()?);
    // The identity git would commit with (config or GIT_COMMITTER_EMAIL), else a placeholder.
    let email = git
        .run(&["var", "GIT_COMMITTER_IDENT"], None)
        .ok()
        .and_then(|ident| {
            let ident = String::from_utf8_lossy(&ident).into_owned();
            let (_, rest) = ident.split_once('<')?;
            rest.split_once('>').map(|(email, _)| email.to_owned())
        })
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "you@example.com".into());
    let key = make_key(&path, &email)?;
    print_text(&key.instructions(&email))?;
    Ok(Outcome::Success)
}

pub fn notes(ctx: &Context, cmd: &NotesCommand) -> Result<Outcome> {
    let git = Git::new(cwd()?);
    match cmd {
        NotesCommand::Carry { range } => return carry_notes(ctx, &git, range.as_deref()),
        NotesCommand::Fetch { remote } => {
            let outcome = fetch_notes(&git, remote)?;
            print_text(&format!("{}.", capitalized(&outcome.message(remote))))?;
        }
        NotesCommand::Push { remote } => {
            let outcome = push_notes(&git, remote)?;
            print_text(&format!("{}.", capitalized(&outcome.message(remote))))?;
        }
    }
    Ok(Outcome::Success)
}

/// `git vouch notes carry [RANGE]`: carry-overs for the commits that repeat attested changes.
fn carry_notes(ctx: &Context, git: &Git, range: Option<&str>) -> Result<Outcome> {
    let cwd = cwd()?;
    let (signers, _) = AllowedSigners::from_git_config(git, None)?;
    let repo = git2::Repository::discover(&cwd).wrap_err("not inside a git repository")?;
    let range = crate::evidence::range::resolve(&repo, range)?;
    let mut reports = verify_commits(git, &range.commits, &signers)?;
    let lineage = Lineage::from_notes(git, &repo, &signers)?;
    carry(&mut reports, &lineage, &repo);
    if !reports
        .iter()
        .any(|r| r.attestations.is_empty() && r.carried.as_ref().is_some_and(Carried::complete))
    {
        print_text(
            "Nothing to carry over: no commit of the range repeats attested changes as a whole without an attestation of its own.",
        )?;
        return Ok(Outcome::Success);
    }
    let slot = SignerSlot::from_env(Git::new(&cwd));
    let signer = slot.get().map_err(|e| eyre!("{e}"))?;
    let done = carry_over(git, &repo, &reports, signer, ctx.clock.as_ref())?;
    let mut lines: Vec<String> = done
        .iter()
        .map(|(sha, c)| {
            format!(
                "{} {} ({})",
                &sha[..10],
                crate::attest::standing::account(c.state, &c.reviewers, &c.signers, ""),
                c.via()
            )
        })
        .collect();
    lines.push(format!(
        "Carried attestations over to {}, signed by {} (not a review); share them with `git vouch notes push`.",
        counted(done.len(), "commit", "commits"),
        signer.describe()
    ));
    print_lines(&lines)?;
    Ok(Outcome::Success)
}

/// `Pushed …` from `pushed …`: the outcome messages start lowercase for the hook's prefix.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
