//! The pre-push decision: given the pushed ranges that hold agent commits, the review mode and
//! whether a person is at a terminal, what happens to the push.

use std::path::Path;

use super::state::{NoteState, note_states};
use super::{Decision, Mode, PreparedEvidence, Request, Reviewer, Target};
use crate::attest::publish::Attested;
use crate::config::PolicyMode;
use crate::push::policy_gate::policy_setting;
use crate::words::counted;

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

/// The review screen, when a person is at a terminal, with what it needs from the push.
pub struct Screen<'a> {
    pub reviewer: &'a dyn Reviewer,
    /// The evidence of the ranges under review, one per target, built once by the push (with
    /// its policy results): the screen shows and signs exactly these bytes.
    pub evidence: &'a mut dyn FnMut(&[Target]) -> PreparedEvidence,
    /// Tells the person something (the hook prints it on stderr).
    pub say: &'a dyn Fn(&str),
}

/// Decides for the ranges `targets` (each with agent commits among `agent_commits`).
pub fn gate_push(
    cwd: &Path,
    remote: &str,
    targets: &[Target],
    agent_commits: &[String],
    mode: Mode,
    screen: Option<Screen<'_>>,
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
    if let Some(screen) = screen {
        let request = Request {
            cwd: cwd.to_path_buf(),
            remote: Some(remote.to_owned()),
            targets: unreviewed.clone(),
            allow_unattested: mode == Mode::Optional,
            enforce_policies: policy_setting(&crate::git::Git::new(cwd)).mode
                == PolicyMode::Enforce,
            require_hunks: super::hunks_required(&crate::git::Git::new(cwd)),
            evidence: (screen.evidence)(&unreviewed),
        };
        match screen.reviewer.review(&request) {
            Decision::Signed(done) => return Gate::Reviewed(done),
            Decision::PushUnattested if request.allow_unattested => return Gate::Unattested,
            Decision::PushUnattested | Decision::Abort => {
                return Gate::Refuse(
                    "git-vouch: push aborted in review; nothing was signed or sent".to_owned(),
                );
            }
            Decision::Unavailable(why) => {
                (screen.say)(&format!(
                    "git-vouch: the review screen could not open ({why})"
                ));
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
        "git-vouch: push refused: vouch.review is `required` and {} made with agent \
         sessions {} no attestation reviewed by a person.\n\
         Review and sign {} in a terminal, then push again:",
        counted(commits, "pushed commit", "pushed commits"),
        if commits == 1 { "has" } else { "have" },
        if commits == 1 { "it" } else { "them" },
    );
    for t in targets {
        text.push_str("\n    git vouch review ");
        text.push_str(&t.range.spec);
    }
    text
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::evidence::range::Range;

    const SHA: &str = "1111111111111111111111111111111111111111";

    /// A screen that answers with a fixed decision and counts how often it was asked.
    struct Fake(Decision, Cell<usize>);

    impl Reviewer for Fake {
        fn review(&self, request: &Request) -> Decision {
            assert_eq!(request.targets.len(), 1);
            self.1.set(self.1.get() + 1);
            self.0.clone()
        }
    }

    fn targets() -> Vec<Target> {
        vec![Target {
            label: "refs/heads/f → refs/heads/f".into(),
            range: Range {
                spec: "abc..f".into(),
                base: None,
                tip: SHA.into(),
                commits: vec![SHA.into()],
            },
        }]
    }

    fn decide(mode: Mode, reviewer: Option<&dyn Reviewer>) -> Gate {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let mut evidence = |_: &[Target]| Err("not built in these tests".to_owned());
        let screen = reviewer.map(|reviewer| Screen {
            reviewer,
            evidence: &mut evidence,
            say: &|_| {},
        });
        gate_push(
            dir.path(),
            "origin",
            &targets(),
            &[SHA.into()],
            mode,
            screen,
        )
    }

    #[test]
    fn without_a_screen_the_mode_decides() {
        assert!(matches!(decide(Mode::Off, None), Gate::Nothing));
        match decide(Mode::Required, None) {
            Gate::Refuse(m) => assert!(m.contains("git vouch review abc..f"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            decide(Mode::Optional, None),
            Gate::AttestUnreviewed(t) if t.len() == 1
        ));
    }

    #[test]
    fn the_screen_decides_when_there_is_one() {
        let abort = Fake(Decision::Abort, Cell::new(0));
        assert!(matches!(
            decide(Mode::Optional, Some(&abort)),
            Gate::Refuse(_)
        ));
        assert_eq!(abort.1.get(), 1);
        let skip = Fake(Decision::PushUnattested, Cell::new(0));
        assert!(matches!(
            decide(Mode::Optional, Some(&skip)),
            Gate::Unattested
        ));
        // Required never lets an unsigned push through, whatever the screen says.
        assert!(matches!(
            decide(Mode::Required, Some(&skip)),
            Gate::Refuse(_)
        ));
        let off = Fake(Decision::Abort, Cell::new(0));
        assert!(matches!(decide(Mode::Off, Some(&off)), Gate::Nothing));
        assert_eq!(off.1.get(), 0, "off never opens the screen");
    }

    #[test]
    fn a_screen_that_cannot_open_falls_back_to_the_mode() {
        let broken = Fake(Decision::Unavailable("no tty".into()), Cell::new(0));
        assert!(matches!(
            decide(Mode::Required, Some(&broken)),
            Gate::Refuse(_)
        ));
        assert!(matches!(
            decide(Mode::Optional, Some(&broken)),
            Gate::AttestUnreviewed(_)
        ));
    }

    #[test]
    fn modes_parse_and_name_themselves() {
        for m in [Mode::Required, Mode::Optional, Mode::Off] {
            assert_eq!(Mode::parse(m.name()), Some(m));
        }
        assert_eq!(Mode::parse(" Required "), Some(Mode::Required));
        assert_eq!(Mode::parse("sometimes"), None);
    }
}
