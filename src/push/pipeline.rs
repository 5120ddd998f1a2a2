//! What pre-push does with the pushed commits that involve agent sessions, in two gates:
//!
//! 1. Policies (`git config vouch.policy enforce|warn|off`, see `policy_gate`): each pushed ref's
//!    evidence is built once and checked; the results are told and recorded in the evidence, so
//!    they are signed with it. `enforce` refuses the push on violations or a policy that cannot
//!    run.
//! 2. Review (`git config vouch.review required|optional|off`, see `super::review`): the review
//!    screen when a person is at a terminal (shown the evidence built in 1, or built now), else a
//!    refusal (`required`), a non-interactive attestation marked as not reviewed (`optional`) of
//!    that same evidence, or nothing (`off`).
//!
//! Then the attestation notes are pushed to the same remote. Only the two gates ever refuse a
//! push; a missing key or a failed notes push is told to the person and logged. Nothing here
//! prints: every line goes through the edge's `say`.

use std::collections::{BTreeMap, BTreeSet};

use super::policy_gate::Gate as PolicyGate;
use super::pre_push::PushedRef;
use super::review::{Gate, Mode, Reviewer, Screen, Target, gate_push, review_mode};
use crate::attest::notes::{self, PushOutcome};
use crate::attest::publish::{Prepared, Review, sign_and_attach};
use crate::attest::sign::SignerSlot;
use crate::capture::git_hook::Verdict;
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::config::{Config, PolicyMode, ProcessEnv};
use crate::evidence::build_for;
use crate::evidence::range::Range;
use crate::git::Git;
use crate::git::pushed::is_zero;
use crate::pricing::PriceTable;
use crate::redact::{RedactOptions, Redactor};
use crate::words::counted;

/// What the hook entry point hands the pipeline: the review screen when a person is at a
/// terminal, the signer (resolved once, when first needed), and where to tell the person things.
pub struct Edge<'a> {
    pub reviewer: Option<&'a dyn Reviewer>,
    pub signer: &'a SignerSlot,
    /// Tells the person one line (the hook prints it on stderr).
    pub say: &'a dyn Fn(&str),
}

/// What both gates need: the repository, prices and redaction.
struct Push<'a> {
    state: &'a StateDir,
    prices: PriceTable,
    redactor: Redactor,
    clock: &'a dyn Clock,
    say: &'a dyn Fn(&str),
}

/// Each pushed ref's evidence by target label, built at most once (`Err`: why it could not be).
type Built = BTreeMap<String, Result<Prepared, String>>;

/// Checks policies, reviews, attests and shares; `agent_commits` are the pushed commits credited
/// to a session.
pub fn run(
    state: &StateDir,
    remote: &str,
    refs: &[PushedRef],
    agent_commits: &BTreeSet<String>,
    edge: &Edge<'_>,
    clock: &dyn Clock,
) -> Verdict {
    let say = edge.say;
    let git = Git::new(&state.repo.worktree);
    let mode = review_mode(&git).unwrap_or_else(|e| {
        report(state, clock, say, &format!("{e}; using optional"));
        Mode::Optional
    });
    let policy = PolicyGate::open(&git, &state.repo.worktree, say);
    if !policy.allowed {
        return Verdict::Refuse;
    }
    if mode == Mode::Off && policy.mode == PolicyMode::Off {
        return Verdict::Continue;
    }
    let push = Push {
        state,
        prices: prices(state, clock, say),
        redactor: Redactor::new(RedactOptions::default()),
        clock,
        say,
    };
    let targets: Vec<Target> = refs
        .iter()
        .filter(|r| r.commits.iter().any(|c| agent_commits.contains(c)))
        .map(target)
        .collect();
    let mut built = Built::new();
    if !check_policies(&push, &policy, &targets, &mut built) {
        return Verdict::Refuse;
    }
    let agent: Vec<String> = agent_commits.iter().cloned().collect();
    let gate = {
        let mut evidence = |unreviewed: &[Target]| {
            unreviewed
                .iter()
                .map(|t| {
                    push.prepared(t, &mut built, false)
                        .map_err(|e| format!("{}: {e}", t.label))
                })
                .collect()
        };
        let screen = edge.reviewer.map(|reviewer| Screen {
            reviewer,
            evidence: &mut evidence,
            say,
        });
        gate_push(&state.repo.worktree, remote, &targets, &agent, mode, screen)
    };
    match gate {
        Gate::Nothing => return Verdict::Continue,
        Gate::Refuse(message) => {
            say(&message);
            return Verdict::Refuse;
        }
        Gate::Unattested => {
            say("git-vouch: pushing without attestation (chosen in review)");
            return Verdict::Continue;
        }
        Gate::Reviewed(done) => {
            for a in done {
                say(&format!(
                    "git-vouch: signed {}, reviewed by a person; signed by {}",
                    counted(a.commits.len(), "commit", "commits"),
                    a.signer
                ));
            }
        }
        Gate::Attested => {}
        Gate::AttestUnreviewed(targets) => {
            if !attest_unreviewed(&push, &git, edge.signer, &targets, &mut built) {
                return Verdict::Continue;
            }
        }
    }
    share(state, &git, remote, clock, say);
    Verdict::Continue
}

fn prices(state: &StateDir, clock: &dyn Clock, say: &dyn Fn(&str)) -> PriceTable {
    Config::load(&ProcessEnv).price_table().unwrap_or_else(|e| {
        report(state, clock, say, &format!("price overrides ignored: {e}"));
        PriceTable::embedded().clone()
    })
}

/// The policy gate over every target's evidence, building each once with its results recorded
/// in it; false when `enforce` refuses the push.
fn check_policies(
    push: &Push<'_>,
    policy: &PolicyGate,
    targets: &[Target],
    built: &mut Built,
) -> bool {
    if policy.mode == PolicyMode::Off {
        return true;
    }
    let mut allowed = true;
    for t in targets {
        let evidence = push.build(t, true).map(|mut evidence| {
            allowed &= policy.check(&mut evidence, &t.label, push.say);
            Prepared::new(evidence)
        });
        built.insert(t.label.clone(), evidence);
    }
    allowed
}

impl Push<'_> {
    /// The evidence of one target, without policy results; a failure is told and logged when
    /// `report_failure`.
    fn build(&self, t: &Target, report_failure: bool) -> Result<crate::evidence::Evidence, String> {
        let root = &self.state.repo.worktree;
        build_for(root, &t.range, &self.prices, &self.redactor, self.clock).map_err(|e| {
            if report_failure {
                report(
                    self.state,
                    self.clock,
                    self.say,
                    &format!("no evidence for {}: {e}", t.label),
                );
            }
            e.to_string()
        })
    }

    /// The target's evidence as the policy gate built it, else built now (once).
    fn prepared(
        &self,
        t: &Target,
        built: &mut Built,
        report_failure: bool,
    ) -> Result<Prepared, String> {
        built
            .entry(t.label.clone())
            .or_insert_with(|| self.build(t, report_failure).map(Prepared::new))
            .clone()
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
    let remote_known = !is_zero(&r.push.remote_sha);
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

/// Signs and attaches not-reviewed attestations of each target's evidence (the one the policy
/// gate built, when it did); whether any exist afterwards.
fn attest_unreviewed(
    push: &Push<'_>,
    git: &Git,
    signer: &SignerSlot,
    targets: &[Target],
    built: &mut Built,
) -> bool {
    let mut attested = false;
    for t in targets {
        let Ok(prepared) = push.prepared(t, built, true) else {
            continue;
        };
        let signer = match signer.get() {
            Ok(s) => s,
            Err(e) => {
                (push.say)(&format!("git-vouch: not attested: {e}"));
                continue;
            }
        };
        let review = Review::default();
        match sign_and_attach(git, &prepared, &review, &push.redactor, signer, push.clock) {
            Ok(a) => {
                attested = true;
                (push.say)(&format!(
                    "git-vouch: attested {} of {} (not reviewed by a person; signed by {})",
                    counted(a.commits.len(), "commit", "commits"),
                    t.label,
                    a.signer
                ));
            }
            Err(e) => report(
                push.state,
                push.clock,
                push.say,
                &format!("not attested: {e}"),
            ),
        }
    }
    attested
}

fn share(state: &StateDir, git: &Git, remote: &str, clock: &dyn Clock, say: &dyn Fn(&str)) {
    match notes::push_notes(git, remote) {
        Ok(outcome @ PushOutcome::Pushed { .. }) => {
            say(&format!("git-vouch: {}", outcome.message(remote)));
        }
        Ok(_) => {}
        Err(e) => report(
            state,
            clock,
            say,
            &format!("attestation notes not pushed to {remote}: {e}"),
        ),
    }
}

fn report(state: &StateDir, clock: &dyn Clock, say: &dyn Fn(&str), message: &str) {
    say(&format!("git-vouch: {message}"));
    state.log_error(clock.now(), "git pre-push", message);
}
