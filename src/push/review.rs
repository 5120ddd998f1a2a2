//! Reviewing before signing: the configured review mode (`git config vouch.review`), what a
//! review covers ([`Request`]), what the person decided ([`Decision`]), and which commits already
//! carry an attestation a person reviewed. The screen itself lives in the terminal layer and is
//! handed in as a [`Reviewer`], so the pre-push hook works the same with or without one.

mod gate;
pub mod state;

use std::path::{Path, PathBuf};

use crate::attest::publish::{Attested, Prepared};
use crate::clock::Clock;
use crate::evidence::range::Range;
use crate::evidence::{Evidence, EvidenceError, build_for};
use crate::git::paths::RepoPaths;
use crate::git::{Git, GitError};
use crate::policy::PolicySet;
use crate::pricing::PriceTable;
use crate::redact::Redactor;

pub use gate::{Gate, gate_push};
pub use state::{NoteState, note_states};

/// `git config vouch.review`: what a push without a terminal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Agent commits must carry an attestation a person reviewed; otherwise the push is refused.
    Required,
    /// Without a terminal, a non-interactive attestation (not reviewed) is attached.
    Optional,
    /// Nothing is reviewed or attached.
    Off,
}

/// A `vouch.review` value git-vouch does not know.
#[derive(Debug, thiserror::Error)]
pub enum ModeError {
    #[error("git config vouch.review is {0:?}; expected required, optional or off")]
    Unknown(String),
    #[error(transparent)]
    Git(#[from] GitError),
}

impl Mode {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "required" => Some(Self::Required),
            "optional" => Some(Self::Optional),
            "off" | "false" | "no" => Some(Self::Off),
            _ => None,
        }
    }

    /// The repository's mode (default `optional`).
    pub fn from_git(git: &Git) -> Result<Self, ModeError> {
        match git.config_get("vouch.review")? {
            None => Ok(Self::Optional),
            Some(v) => Self::parse(&v).ok_or(ModeError::Unknown(v)),
        }
    }

    /// Whether `git config vouch.policy` is `enforce`.
    pub fn policies_enforced(git: &Git) -> bool {
        git.config_get("vouch.policy")
            .ok()
            .flatten()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("enforce"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Off => "off",
        }
    }
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

    /// Its evidence with the repository's policy results, serialized once for showing and
    /// signing.
    pub fn prepare(
        &self,
        cwd: &Path,
        prices: &PriceTable,
        redactor: &Redactor,
        clock: &dyn Clock,
    ) -> Result<Prepared, EvidenceError> {
        let mut evidence = build_for(cwd, &self.range, prices, redactor, clock)?;
        check_policies(cwd, &mut evidence);
        Ok(Prepared::new(evidence))
    }
}

/// Runs the repository's enabled policies over `evidence` and records the results in it (so
/// they are signed with it), unless `vouch.policy` is `off`; a policy folder that cannot be read
/// becomes a warning.
pub fn check_policies(cwd: &Path, evidence: &mut Evidence) {
    let Some(root) = RepoPaths::discover(cwd).map(|p| p.worktree) else {
        return;
    };
    let off = Git::new(&root)
        .config_get("vouch.policy")
        .ok()
        .flatten()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("off"));
    if off {
        return;
    }
    match PolicySet::load(&root) {
        Ok(set) if set.any_enabled() => {
            // Repository policies run in worker processes with a memory limit, as at pre-push.
            let set = match std::env::current_exe() {
                Ok(exe) => set.isolated(exe),
                Err(_) => set,
            };
            evidence.policies = Some(set.check(evidence));
        }
        Ok(_) => {}
        Err(e) => evidence.warnings.push(format!("policies not checked: {e}")),
    }
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
}

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
