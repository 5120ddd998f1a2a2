//! The pre-push decision: given the pushed ranges that hold agent commits, the review mode and
//! whether a person is at a terminal, what happens to the push.

use std::path::Path;

use super::state::{NoteState, note_states};
use super::{Decision, Mode, Request, Reviewer, Target};
use crate::attest::publish::Attested;

/// What pre-push does next.
#[derive(Debug, Clone)]
pub enum Gate {
    /// Nothing to review or attach (`vouch.review off`, or no agent commits).
    Nothing,
    /// Every agent commit already carries the attestation the mode asks for: share the notes.
    Attested,
    /// A person reviewed and signed on the screen: share the notes.
    Reviewed(Vec<Attested>),
    /// Attach non-interactive (not reviewed) attestations to these ranges.
    AttestUnreviewed(Vec<Target>),
    /// The person chose to push without attestation.
    Unattested,
    /// Refuse the push, with the message for the person.
    Refuse(String),
}

/// Decides for the ranges `targets` (each with agent commits among `agent_commits`).
pub fn gate_push(
    cwd: &Path,
    remote: &str,
    targets: &[Target],
    agent_commits: &[String],
    mode: Mode,
    reviewer: Option<&dyn Reviewer>,
) -> Gate {
    if mode == Mode::Off || targets.is_empty() {
        return Gate::Nothing;
    }
    let states = note_states(cwd, agent_commits);
    let lacking = |need: NoteState| -> Vec<Target> {
        targets
            .iter()
            .filter(|t| {
                t.range
                    .commits
                    .iter()
                    .any(|c| states.get(c).is_some_and(|s| *s < need))
            })
            .cloned()
            .collect()
    };
    let unreviewed = lacking(NoteState::Reviewed);
    if unreviewed.is_empty() {
        return Gate::Attested;
    }
    if let Some(reviewer) = reviewer {
        let request = Request {
            cwd: cwd.to_path_buf(),
            remote: Some(remote.to_owned()),
            targets: unreviewed.clone(),
            allow_unattested: mode == Mode::Optional,
        };
        match reviewer.review(&request) {
            Decision::Signed(done) => return Gate::Reviewed(done),
            Decision::PushUnattested if request.allow_unattested => return Gate::Unattested,
            Decision::PushUnattested | Decision::Abort => {
                return Gate::Refuse(
                    "git-vouch: push aborted in review; nothing was signed or sent".to_owned(),
                );
            }
            Decision::Unavailable(why) => {
                eprintln!("git-vouch: the review screen could not open ({why})");
            }
        }
    }
    match mode {
        Mode::Required => Gate::Refuse(refusal(&unreviewed)),
        _ => {
            let unattested = lacking(NoteState::Unreviewed);
            if unattested.is_empty() {
                Gate::Attested
            } else {
                Gate::AttestUnreviewed(unattested)
            }
        }
    }
}

/// The message for a refused push: what is missing and the command that fixes it.
fn refusal(targets: &[Target]) -> String {
    let commits: usize = targets.iter().map(|t| t.range.commits.len()).sum();
    let mut text = format!(
        "git-vouch: push refused: vouch.review is `required` and {commits} pushed commit(s) made \
         with agent sessions have no attestation reviewed by a person.\n\
         Review and sign them in a terminal, then push again:"
    );
    for t in targets {
        text.push_str("\n    git vouch review ");
        text.push_str(&t.range.spec);
    }
    text
}
