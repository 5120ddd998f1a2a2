//! What pre-push attaches to a push: the repository's policies checked over each pushed ref's
//! evidence (`git config vouch.policy enforce|warn|off`), a non-interactive attestation of the
//! ref's commits that involve agent sessions (marked as not reviewed by a person; the policy
//! results are part of the signed evidence), and the attestation notes, pushed to the same
//! remote (`git config vouch.review off` turns attesting off).
//!
//! Only `vouch.policy enforce` ever stops a push: on violations, and when a policy could not be
//! evaluated (a broken policy fails closed). Everything else (no key, a failed notes push) is
//! reported on stderr and logged.

use std::collections::BTreeSet;

use super::policy_gate::{Gate, PolicyMode};
use super::pre_push::PushedRef;
use crate::attest::git::Git;
use crate::attest::notes::{self, PushOutcome};
use crate::attest::publish::{PublishError, attest_pushed, pushed_evidence};
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::redact::{RedactOptions, Redactor};
use crate::transcript::discover::ProcessEnv;

/// Checks, attests and shares; `agent_commits` are the pushed commits credited to a session.
/// Returns false when `vouch.policy enforce` refuses the push.
pub fn run(
    state: &StateDir,
    remote: &str,
    refs: &[PushedRef],
    agent_commits: &BTreeSet<String>,
    clock: &dyn Clock,
) -> bool {
    let git = Git::new(&state.repo.worktree);
    let review = !git
        .config_get("vouch.review")
        .ok()
        .flatten()
        .is_some_and(|m| m.eq_ignore_ascii_case("off"));
    let gate = Gate::open(&git, &state.repo.worktree);
    if !review && gate.mode == PolicyMode::Off {
        return gate.allowed;
    }
    let prices = match crate::config::price_table(&ProcessEnv) {
        Ok(p) => p,
        Err(e) => {
            report(state, clock, &format!("price overrides ignored: {e}"));
            crate::pricing::PriceTable::embedded().clone()
        }
    };
    let redactor = Redactor::new(RedactOptions::default());
    let mut allowed = gate.allowed;
    let mut attested = false;
    for r in refs
        .iter()
        .filter(|r| r.commits.iter().any(|c| agent_commits.contains(c)))
    {
        let already = review && already_attested(&git, &r.commits);
        if already && gate.mode == PolicyMode::Off {
            attested = true;
            continue;
        }
        let root = &state.repo.worktree;
        let mut evidence = match pushed_evidence(root, &r.commits, &prices, &redactor, clock) {
            Ok(Some(e)) => e,
            Ok(None) => continue,
            Err(e) => {
                report(
                    state,
                    clock,
                    &format!("no evidence for {}: {e}", r.push.remote_ref),
                );
                continue;
            }
        };
        if !gate.check(&mut evidence, &r.push.remote_ref) {
            allowed = false;
            continue;
        }
        if already {
            attested = true;
        } else if review {
            attested |= attest(state, &evidence, &r.push.remote_ref, clock);
        }
    }
    if attested && allowed {
        share(state, &git, remote, clock);
    }
    allowed
}

fn attest(
    state: &StateDir,
    evidence: &crate::evidence::Evidence,
    r: &str,
    clock: &dyn Clock,
) -> bool {
    match attest_pushed(&state.repo.worktree, evidence, clock) {
        Ok(a) => {
            eprintln!(
                "git-vouch: attested {} commit(s) of {r} (not reviewed by a person; signed by {})",
                a.commits.len(),
                a.signer
            );
            true
        }
        Err(PublishError::NoKey(e)) => {
            eprintln!("git-vouch: not attested: no signing key ({e}); run `git vouch keygen`");
            false
        }
        Err(e) => {
            report(state, clock, &format!("not attested: {e}"));
            false
        }
    }
}

/// Every commit already carries an attestation note (a repeated push adds nothing). Read in
/// process: one `git notes show` per commit would cost a spawn each.
fn already_attested(git: &Git, commits: &[String]) -> bool {
    let Ok(repo) = git2::Repository::discover(git.dir()) else {
        return false;
    };
    commits.iter().all(|c| {
        git2::Oid::from_str(c)
            .ok()
            .is_some_and(|oid| repo.find_note(Some(notes::NOTES_REF), oid).is_ok())
    })
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
