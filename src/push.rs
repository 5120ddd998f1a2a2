//! The push pipeline: what happens to the commits a `git push` sends that involve agent
//! sessions. [`pre_push`] computes exactly what each pushed ref sends and records it, then
//! [`pipeline`] runs the two gates and publishes:
//!
//! 1. Policies ([`policy_gate`], `git config vouch.policy`): each pushed ref's evidence is built
//!    once and checked; the results are recorded in it, so they are signed with it.
//! 2. Review ([`review`], `git config vouch.review`): the review screen when a person is at a
//!    terminal (handed in as a [`review::Reviewer`]), else a refusal, a non-interactive
//!    attestation marked as not reviewed, or nothing.
//!
//! Then the attestations are signed and attached as notes, and the notes pushed to the same
//! remote. The git hook entry point lives in `capture::git_hook` (which records); it hands
//! pre-push to [`PrePushHook`] here.

pub mod pipeline;
pub mod policy_gate;
pub mod pre_push;
pub mod review;

use crate::capture::git_hook::{GitHookError, PrePush, Verdict};
use crate::capture::state::StateDir;
use crate::clock::Clock;

pub use pipeline::Edge;
pub use pre_push::{PushRef, PushedRef, pushed_commits};

/// The pre-push handler the hook entry point hands to `capture::git_hook::run`.
pub struct PrePushHook<'a> {
    /// What the pipeline needs from the edge: the review screen, the signer, where to say things.
    pub edge: pipeline::Edge<'a>,
}

impl PrePush for PrePushHook<'_> {
    fn pre_push(
        &self,
        state: &StateDir,
        repo: &git2::Repository,
        args: &[String],
        stdin: &[u8],
        clock: &dyn Clock,
    ) -> Result<Verdict, GitHookError> {
        pre_push::run(state, repo, args, stdin, &self.edge, clock)
    }
}
