//! What pre-push does with the pushed commits that involve agent sessions, in two gates:
//!
//! 1. Policies (`git config vouch.policy enforce|warn|off`, see `policy_gate`): each pushed ref's
//!    evidence is checked; the results are printed and recorded in the evidence, so they are
//!    signed with it. `enforce` refuses the push on violations or a policy that cannot run.
//! 2. Review (`git config vouch.review required|optional|off`, see `super::review`): the review
//!    screen when a person is at a terminal, else a refusal (`required`), a non-interactive
//!    attestation marked as not reviewed (`optional`), or nothing (`off`).
//!
//! Then the attestation notes are pushed to the same remote. Only the two gates ever refuse a
//! push; a missing key or a failed notes push is reported on stderr and logged.

use std::collections::{BTreeMap, BTreeSet};

use super::policy_gate::{Gate as PolicyGate, PolicyMode};
use super::pre_push::PushedRef;
use super::review::{Gate, Mode, Reviewer, Target, gate_push};
use crate::attest::notes::{self, PushOutcome};
use crate::attest::publish::{PublishError, attest_pushed, prepare_commits};
use crate::capture::git_hook::Verdict;
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::evidence::Evidence;
use crate::evidence::range::Range;
use crate::git::Git;
use crate::pricing::PriceTable;
use crate::redact::{RedactOptions, Redactor};
use crate::transcript::discover::ProcessEnv;
use crate::words::counted;

/// What both gates need: the repository, prices and redaction.
struct Push<'a> {
    state: &'a StateDir,
    prices: PriceTable,
    redactor: Redactor,
    clock: &'a dyn Clock,
}

/// Checks policies, reviews, attests and shares; `agent_commits` are the pushed commits credited
/// to a session.
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
    let policy = PolicyGate::open(&git, &state.repo.worktree);
    if !policy.allowed {
        return Verdict::Refuse;
    }
    if mode == Mode::Off && policy.mode == PolicyMode::Off {
        return Verdict::Continue;
    }
    let push = Push {
        state,
        prices: prices(state, clock),
        redactor: Redactor::new(RedactOptions::default()),
        clock,
    };
    let targets: Vec<Target> = refs
        .iter()
        .filter(|r| r.commits.iter().any(|c| agent_commits.contains(c)))
        .map(target)
        .collect();
    let Some(mut checked) = check_policies(&push, &policy, &targets) else {
        return Verdict::Refuse;
    };
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
                    "git-vouch: signed {}, reviewed by a person; signed by {}",
                    counted(a.commits.len(), "commit", "commits"),
                    a.signer
                );
            }
        }
        Gate::Attested => {}
        Gate::AttestUnreviewed(targets) => {
            if !attest_unreviewed(&push, &targets, &mut checked) {
                return Verdict::Continue;
            }
        }
    }
    share(state, &git, remote, clock);
    Verdict::Continue
}

fn prices(state: &StateDir, clock: &dyn Clock) -> PriceTable {
    crate::config::price_table(&ProcessEnv).unwrap_or_else(|e| {
        report(state, clock, &format!("price overrides ignored: {e}"));
        PriceTable::embedded().clone()
    })
}

/// The policy gate over every target's evidence: the evidence with its results, by target label;
/// `None` when `enforce` refuses the push.
fn check_policies(
    push: &Push<'_>,
    policy: &PolicyGate,
    targets: &[Target],
) -> Option<BTreeMap<String, Evidence>> {
    let mut checked = BTreeMap::new();
    if policy.mode == PolicyMode::Off {
        return Some(checked);
    }
    let mut allowed = true;
    for t in targets {
        let Some(mut evidence) = evidence(push, t) else {
            continue;
        };
        allowed &= policy.check(&mut evidence, &t.label);
        checked.insert(t.label.clone(), evidence);
    }
    allowed.then_some(checked)
}

fn evidence(push: &Push<'_>, t: &Target) -> Option<Evidence> {
    let root = &push.state.repo.worktree;
    match prepare_commits(
        root,
        &t.range.commits,
        &push.prices,
        &push.redactor,
        push.clock,
    ) {
        Ok(p) => Some(p.evidence),
        Err(e) => {
            report(
                push.state,
                push.clock,
                &format!("no evidence for {}: {e}", t.label),
            );
            None
        }
    }
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

/// Attaches not-reviewed attestations (the policy gate's evidence when it built one); whether
/// any exist afterwards.
fn attest_unreviewed(
    push: &Push<'_>,
    targets: &[Target],
    checked: &mut BTreeMap<String, Evidence>,
) -> bool {
    let mut attested = false;
    for t in targets {
        let Some(evidence) = checked.remove(&t.label).or_else(|| evidence(push, t)) else {
            continue;
        };
        let root = &push.state.repo.worktree;
        match attest_pushed(root, evidence, &push.redactor, push.clock) {
            Ok(a) => {
                attested = true;
                eprintln!(
                    "git-vouch: attested {} of {} (not reviewed by a person; signed by {})",
                    counted(a.commits.len(), "commit", "commits"),
                    t.label,
                    a.signer
                );
            }
            Err(PublishError::NoKey(e)) => eprintln!("git-vouch: not attested: {e}"),
            Err(e) => report(push.state, push.clock, &format!("not attested: {e}")),
        }
    }
    attested
}

fn share(state: &StateDir, git: &Git, remote: &str, clock: &dyn Clock) {
    match notes::push_notes(git, remote) {
        Ok(outcome @ PushOutcome::Pushed { .. }) => {
            eprintln!("git-vouch: {}", outcome.message(remote));
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
