//! What pre-push attaches to a push, after the review gate (`crate::review::gate_push`) decided:
//! the attestation a person signed on the review screen, or a non-interactive attestation of
//! each pushed ref's commits that involve agent sessions (marked as not reviewed), and then the
//! attestation notes, pushed to the same remote. Only a refusal (`vouch.review required` without
//! a reviewed attestation, or an abort on the screen) stops the push: a missing key or a failed
//! notes push is reported on stderr and logged.

use std::collections::BTreeSet;

use super::pre_push::PushedRef;
use crate::attest::git::Git;
use crate::attest::notes::{self, PushOutcome};
use crate::attest::publish::{PublishError, attest_commits};
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::evidence::range::Range;
use crate::redact::{RedactOptions, Redactor};
use crate::review::{Gate, Mode, Reviewer, Target, gate_push};
use crate::transcript::discover::ProcessEnv;

/// Whether the push goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Continue,
    /// Refused, with the message already printed.
    Refuse,
}

/// Reviews, attests and shares; `agent_commits` are the pushed commits credited to a session.
pub fn run(
    state: &StateDir,
    remote: &str,
    refs: &[PushedRef],
    agent_commits: &BTreeSet<String>,
    reviewer: Option<&dyn Reviewer>,
    clock: &dyn Clock,
) -> Verdict {
    let git = Git::new(&state.repo.worktree);
    let mode = Mode::from_git(&git).unwrap_or_else(|e| {
        report(state, clock, &format!("{e}; using optional"));
        Mode::Optional
    });
    let targets: Vec<Target> = refs
        .iter()
        .filter(|r| r.commits.iter().any(|c| agent_commits.contains(c)))
        .map(target)
        .collect();
    let agent: Vec<String> = agent_commits.iter().cloned().collect();
    let gate = gate_push(
        &state.repo.worktree,
        remote,
        &targets,
        &agent,
        mode,
        reviewer,
    );
    match gate {
        Gate::Nothing => return Verdict::Continue,
        Gate::Refuse(message) => {
            eprintln!("{message}");
            return Verdict::Refuse;
        }
        Gate::Unattested => {
            eprintln!("git-vouch: pushing without attestation (chosen in review)");
            return Verdict::Continue;
        }
        Gate::Reviewed(done) => {
            for a in done {
                eprintln!(
                    "git-vouch: signed {} commit(s), reviewed by a person; signed by {}",
                    a.commits.len(),
                    a.signer
                );
            }
        }
        Gate::Attested => {}
        Gate::AttestUnreviewed(targets) => {
            if !attest_unreviewed(state, &targets, clock) {
                return Verdict::Continue;
            }
        }
    }
    share(state, &git, remote, clock);
    Verdict::Continue
}

/// The review target of one pushed ref.
fn target(r: &PushedRef) -> Target {
    let local = r
        .push
        .local_ref
        .strip_prefix("refs/heads/")
        .unwrap_or(&r.push.local_ref);
    let short = |s: &str| s.chars().take(12).collect::<String>();
    let remote_known = !r.push.remote_sha.bytes().all(|b| b == b'0');
    let spec = match r.commits.first() {
        _ if remote_known => format!("{}..{local}", short(&r.push.remote_sha)),
        Some(first) => format!("{}~1..{local}", short(first)),
        None => local.to_owned(),
    };
    Target {
        label: format!("{} → {}", r.push.local_ref, r.push.remote_ref),
        range: Range {
            spec,
            base: remote_known.then(|| r.push.remote_sha.clone()),
            tip: r.push.local_sha.clone(),
            commits: r.commits.clone(),
        },
    }
}

/// Attaches not-reviewed attestations; whether any exist afterwards.
fn attest_unreviewed(state: &StateDir, targets: &[Target], clock: &dyn Clock) -> bool {
    let prices = match crate::config::price_table(&ProcessEnv) {
        Ok(p) => p,
        Err(e) => {
            report(state, clock, &format!("price overrides ignored: {e}"));
            crate::pricing::PriceTable::embedded().clone()
        }
    };
    let redactor = Redactor::new(RedactOptions::default());
    let mut attested = false;
    for t in targets {
        match attest_commits(
            &state.repo.worktree,
            &t.range.commits,
            &prices,
            &redactor,
            clock,
        ) {
            Ok(Some(a)) => {
                attested = true;
                eprintln!(
                    "git-vouch: attested {} commit(s) of {} (not reviewed by a person; signed by {})",
                    a.commits.len(),
                    t.label,
                    a.signer
                );
            }
            Ok(None) => {}
            Err(PublishError::NoKey(e)) => {
                eprintln!("git-vouch: not attested: no signing key ({e}); run `git vouch keygen`");
            }
            Err(e) => report(state, clock, &format!("not attested: {e}")),
        }
    }
    attested
}

fn share(state: &StateDir, git: &Git, remote: &str, clock: &dyn Clock) {
    match notes::push_notes(git, remote) {
        Ok(PushOutcome::Pushed { .. }) => {
            eprintln!("git-vouch: attestations pushed to {remote} (refs/notes/vouch)");
        }
        Ok(_) => {}
        Err(e) => report(
            state,
            clock,
            &format!("attestation notes not pushed to {remote}: {e}"),
        ),
    }
}

fn report(state: &StateDir, clock: &dyn Clock, message: &str) {
    eprintln!("git-vouch: {message}");
    state.log_error(clock.now(), "git pre-push", message);
}
