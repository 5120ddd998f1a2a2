//! What pre-push attaches to a push: a non-interactive attestation of each pushed ref's commits
//! that involve agent sessions (marked as not reviewed by a person), and the attestation notes,
//! pushed to the same remote. `git config vouch.review off` turns it off. Nothing here ever
//! blocks the push: a missing key or a failed notes push is reported on stderr and logged.

use std::collections::BTreeSet;

use super::pre_push::PushedRef;
use crate::attest::git::Git;
use crate::attest::notes::{self, PushOutcome};
use crate::attest::publish::{PublishError, attest_commits};
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::redact::{RedactOptions, Redactor};
use crate::transcript::discover::ProcessEnv;

/// Attests and shares; `agent_commits` are the pushed commits credited to a session.
pub fn run(
    state: &StateDir,
    remote: &str,
    refs: &[PushedRef],
    agent_commits: &BTreeSet<String>,
    clock: &dyn Clock,
) {
    let git = Git::new(&state.repo.worktree);
    let mode = git
        .config_get("vouch.review")
        .ok()
        .flatten()
        .unwrap_or_else(|| "optional".into());
    if mode.eq_ignore_ascii_case("off") {
        return;
    }
    let prices = match crate::config::price_table(&ProcessEnv) {
        Ok(p) => p,
        Err(e) => {
            report(state, clock, &format!("price overrides ignored: {e}"));
            crate::pricing::PriceTable::embedded().clone()
        }
    };
    let redactor = Redactor::new(RedactOptions::default());
    let mut attested = false;
    for r in refs
        .iter()
        .filter(|r| r.commits.iter().any(|c| agent_commits.contains(c)))
    {
        if already_attested(&git, &r.commits) {
            attested = true;
            continue;
        }
        match attest_commits(&state.repo.worktree, &r.commits, &prices, &redactor, clock) {
            Ok(Some(a)) => {
                attested = true;
                eprintln!(
                    "git-vouch: attested {} commit(s) of {} (not reviewed by a person; signed by {})",
                    a.commits.len(),
                    r.push.remote_ref,
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
    if attested {
        share(state, &git, remote, clock);
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
