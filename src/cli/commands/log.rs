//! `git vouch log [range] [--json] [--no-fetch]`: the AI provenance of a branch.

use color_eyre::eyre::{Result, WrapErr, bail};

use super::{print_json, print_lines};
use crate::attest::allowed_signers::{AllowedSigners, TrustError};
use crate::attest::notes::fetch_notes;
use crate::attest::standing::AttestationState;
use crate::cli::Outcome;
use crate::cli::args::LogArgs;
use crate::cli::context::Context;
use crate::cli::style::Style;
use crate::cli::table::truncate;
use crate::git::Git;
use crate::money::Usd;
use crate::present;
use crate::provenance::{Attestation, BranchLog, CommitEntry, branch_log};
use crate::words::{counted, plural};

pub fn run(ctx: &Context, args: &LogArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    if git2::Repository::discover(&cwd).is_err() {
        bail!("not inside a git repository: {}", cwd.display());
    }
    let git = Git::new(&cwd);
    let mut fetch_warning = None;
    if !args.no_fetch
        && let Some(remote) = remote_of(&git)
    {
        match fetch_notes(&git, &remote) {
            Ok(_) => {}
            Err(e) => fetch_warning = Some(format!("attestations not fetched: {e}")),
        }
    }
    // Without a trust store the log still shows everything; signatures are then untrusted.
    let (signers, file, no_store) =
        match AllowedSigners::from_git_config(&git, args.allowed_signers.as_deref()) {
            Ok((s, f)) => (s, f, None),
            Err(TrustError::NotConfigured) => (
                AllowedSigners::default(),
                std::path::PathBuf::new(),
                Some(format!(
                    "{}; signatures are shown as untrusted",
                    TrustError::NotConfigured
                )),
            ),
            Err(e) => return Err(e.into()),
        };
    let mut log = branch_log(
        &cwd,
        args.range.as_deref(),
        &signers,
        &ctx.prices,
        ctx.clock.as_ref(),
    )?;
    log.warnings.extend(fetch_warning);
    log.warnings.extend(no_store);
    log.warnings.extend(
        signers
            .problems
            .iter()
            .map(|p| format!("{}:{}: {}", file.display(), p.line, p.message)),
    );
    if args.json {
        print_json(&log)?;
    } else {
        for w in &log.warnings {
            eprintln!("{} {w}", ctx.style.warn("warning:"));
        }
        print_lines(&text(&log, ctx.style))?;
    }
    Ok(Outcome::Success)
}

/// The remote whose notes to fetch: the current branch's upstream remote, else `origin`.
pub(super) fn remote_of(git: &Git) -> Option<String> {
    let branch = git
        .run(&["symbolic-ref", "--quiet", "--short", "HEAD"], None)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned());
    let upstream = branch
        .and_then(|b| git.config_get(&format!("branch.{b}.remote")).ok().flatten())
        .filter(|r| r != ".");
    let remotes = git.run(&["remote"], None).ok()?;
    let remotes = String::from_utf8_lossy(&remotes);
    upstream.or_else(|| {
        remotes
            .lines()
            .any(|r| r == "origin")
            .then(|| "origin".to_owned())
    })
}

fn text(log: &BranchLog, style: Style) -> Vec<String> {
    let t = &log.totals;
    let cost = Usd::parse(&t.cost_usd).unwrap_or(Usd::ZERO);
    let states = t.states().to_string();
    let mut out = vec![
        style.header(&format!(
            "{}: {}, {} made with {} · {} tokens · {}{}",
            log.range,
            counted(t.commits, "commit", "commits"),
            t.agent_commits,
            counted(t.sessions, "agent session", "agent sessions"),
            present::tokens(t.total_tokens),
            cost,
            if t.cost_incomplete { "+?" } else { "" }
        )),
        style.dim(if states.is_empty() {
            "no commits"
        } else {
            &states
        }),
    ];
    for c in &log.commits {
        out.push(String::new());
        commit_text(c, style, &mut out);
    }
    out
}

fn commit_text(c: &CommitEntry, style: Style, out: &mut Vec<String>) {
    let state = c.standing();
    let state = match c.attestation.state() {
        AttestationState::Reviewed => style.ok(&state),
        AttestationState::Unsigned | AttestationState::Unreviewed => style.dim(&state),
        AttestationState::Untrusted | AttestationState::Invalid => style.warn(&state),
    };
    out.push(format!(
        "{}  {}  {state}",
        style.id(&c.sha[..10]),
        c.subject
    ));
    for s in &c.sessions {
        let models: Vec<String> = s.models.iter().map(|m| present::model(m)).collect();
        let cost = s
            .cost_usd
            .as_deref()
            .and_then(Usd::parse)
            .map_or_else(|| "$?".to_owned(), |u| u.to_string());
        let title = s
            .title
            .as_deref()
            .map(|t| format!(" “{}”", truncate(t, 40)))
            .unwrap_or_default();
        out.push(format!(
            "            session {}{title} · {} {} · {} · {} tokens · {}",
            style.id(&s.id[..s.id.len().min(8)]),
            s.agent,
            s.agent_version,
            models.join(", "),
            present::tokens(s.total_tokens),
            style.cost(&cost)
        ));
    }
    if c.lines_added > 0 {
        out.push(format!(
            "            +{}, {} by agents{}",
            plural(c.lines_added, "line", "lines"),
            c.ai_lines_added,
            if c.source == "local" {
                " (from local capture data, not attested)"
            } else {
                ""
            }
        ));
    }
    if let Attestation::Reviewed {
        note: Some(note), ..
    } = &c.attestation
    {
        out.push(format!("            note: {}", note.replace('\n', " ")));
    }
    if let Some(summary) = &c.policy_summary {
        out.push(format!("            {summary}"));
    }
    for p in &c.policies {
        out.push(format!("            {} {p}", style.warn("violation:")));
    }
}
