//! Reviewing before signing: the configured review mode (`git config vouch.review`), what a
//! review covers ([`Request`]), what the person decided ([`Decision`]), and which commits already
//! carry an attestation a person reviewed. The screen itself lives in the terminal layer and is
//! handed in as a [`Reviewer`], so the pre-push hook works the same with or without one.

mod gate;
pub mod state;

use std::path::{Path, PathBuf};

use crate::attest::publish::{Attested, Prepared};
use crate::clock::Clock;
use crate::config::UnknownReviewMode;
use crate::evidence::range::Range;
use crate::evidence::{EvidenceError, build_for};
use crate::git::paths::RepoPaths;
use crate::git::{Git, GitError};
use crate::pricing::PriceTable;
use crate::redact::Redactor;

use super::policy_gate::Gate as PolicyGate;

pub use gate::{Gate, Screen, gate_push};
pub use state::{NoteState, note_states};

/// `git config vouch.review`: what a push without a terminal does.
pub use crate::config::ReviewMode as Mode;

/// A `vouch.review` that cannot be read or is not a mode.
#[derive(Debug, thiserror::Error)]
pub enum ModeError {
    #[error(transparent)]
    Unknown(#[from] UnknownReviewMode),
    #[error(transparent)]
    Git(#[from] GitError),
}

/// The repository's review mode (default `optional`).
pub fn review_mode(git: &Git) -> Result<Mode, ModeError> {
    let value = git.config_get(Mode::KEY)?;
    Ok(Mode::from_value(value.as_deref())?)
}

/// The git-config key that asks for every agent hunk to be marked before signing.
pub const HUNKS_KEY: &str = "vouch.review.hunks";

/// Whether `vouch.review.hunks` is `all`: the review screen signs only once every agent hunk is
/// marked read, flagged or skipped. Any other value, or none, leaves marking optional.
pub fn hunks_required(git: &Git) -> bool {
    git.config_get(HUNKS_KEY)
        .ok()
        .flatten()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("all"))
}

/// One range under review: a pushed ref's commits, or the range given to `git vouch review`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What it is, for people: `refs/heads/feature → origin refs/heads/feature`.
    pub label: String,
    /// The commits (oldest first), and a revision range naming them (`git vouch review <spec>`).
    pub range: Range,
}

impl Target {
    /// The range `spec` of the repository at `cwd` (`None`: the current branch).
    pub fn resolve(cwd: &Path, spec: Option<&str>) -> Result<Self, EvidenceError> {
        let repo = git2::Repository::discover(cwd)
            .map_err(|_| EvidenceError::NotARepository(cwd.display().to_string()))?;
        let range = crate::evidence::range::resolve(&repo, spec)?;
        Ok(Self {
            label: range.spec.clone(),
            range,
        })
    }
}

/// The evidence of `target` in the repository at `cwd` with the repository's policy results
/// recorded in it (the pre-push policy gate, told nothing; policies that cannot be loaded become a
/// warning in the evidence), serialized once: what `git vouch review` shows and signs.
pub fn prepare_for_review(
    cwd: &Path,
    target: &Target,
    prices: &PriceTable,
    redactor: &Redactor,
    clock: &dyn Clock,
) -> Result<Prepared, EvidenceError> {
    let mut evidence = build_for(cwd, &target.range, prices, redactor, clock)?;
    if let Some(root) = RepoPaths::discover(cwd).map(|p| p.worktree) {
        let quiet = |_: &str| {};
        let policies = PolicyGate::open(&Git::new(&root), &root, &quiet);
        if let Some(e) = &policies.load_error {
            evidence.warnings.push(format!("policies not checked: {e}"));
        }
        policies.check(&mut evidence, &target.label, &quiet);
    }
    Ok(Prepared::new(evidence))
}

/// What the review screen is asked to review.
#[derive(Debug, Clone)]
pub struct Request {
    /// The repository's worktree.
    pub cwd: PathBuf,
    /// The remote being pushed to (none outside a push).
    pub remote: Option<String>,
    pub targets: Vec<Target>,
    /// Whether "push without attestation" is offered (`vouch.review optional`).
    pub allow_unattested: bool,
    /// `vouch.policy enforce`: evidence with policy violations cannot be signed.
    pub enforce_policies: bool,
    /// `vouch.review.hunks all`: every agent hunk must be marked before signing.
    pub require_hunks: bool,
    /// Each target's evidence (in the order of `targets`), built once with its policy results
    /// before the screen opens: the screen shows and signs exactly these bytes. `Err`: why it
    /// could not be built.
    pub evidence: PreparedEvidence,
}

/// The evidence of each range under review, in order, or why it could not be built.
pub type PreparedEvidence = Result<Vec<Prepared>, String>;

impl Request {
    pub fn pushing(&self) -> bool {
        self.remote.is_some()
    }
}

/// What the person chose.
#[derive(Debug, Clone)]
pub enum Decision {
    /// Signed (one attestation per target) and attached as notes.
    Signed(Vec<Attested>),
    /// Go on without attaching anything (only offered when allowed).
    PushUnattested,
    /// Stop: nothing is signed, the push is refused.
    Abort,
    /// The screen could not run (the terminal went away): decide as if there were no terminal.
    Unavailable(String),
}

/// The interactive review, provided by the terminal layer.
pub trait Reviewer {
    fn review(&self, request: &Request) -> Decision;
}
