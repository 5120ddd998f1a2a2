//! Sharing the notes ref with a remote, as git-ai does: fetch into a tracking ref, merge with
//! `cat_sort_uniq` (concatenate, sort, dedupe: right for order-free JSONL bundles), push without
//! force, retry on a non-fast-forward rejection. Every git run here disables hooks
//! (`-c core.hooksPath=/dev/null`, `--no-verify`), so it is safe from inside pre-push.

use super::{NOTES_REF, NotesError, REMOTE_NOTES_REF, ref_exists};
use crate::git::Git;

/// How many times [`push_notes`] pushes before giving up on a remote that keeps moving.
pub const MAX_PUSH_ATTEMPTS: u32 = 3;

/// What [`push_notes`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// There are no local notes.
    NothingToPush,
    /// Pushed (or already up to date) after `attempts` pushes; `merged` tells whether the
    /// remote's notes had to be fetched and merged first.
    Pushed { attempts: u32, merged: bool },
}

/// What [`fetch_notes`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The remote has no git-vouch notes.
    RemoteHasNone,
    /// The remote's notes were merged into the local ref (or became it).
    Merged,
    /// The local notes already held everything the remote has.
    UpToDate,
}

impl PushOutcome {
    /// What happened, as a sentence for people starting with a lowercase word:
    /// `pushed refs/notes/vouch to origin`.
    pub fn message(self, remote: &str) -> String {
        match self {
            Self::NothingToPush => {
                format!(
                    "nothing to push to {remote}: there are no attestation notes ({NOTES_REF}) here"
                )
            }
            Self::Pushed {
                merged: false,
                attempts: 1,
            } => format!("pushed {NOTES_REF} to {remote}"),
            Self::Pushed { attempts, merged } => format!(
                "{}pushed {NOTES_REF} to {remote} ({attempts} {})",
                if merged {
                    format!("merged with {remote}'s notes and ")
                } else {
                    String::new()
                },
                if attempts == 1 { "attempt" } else { "attempts" }
            ),
        }
    }
}

impl FetchOutcome {
    /// What happened, as a sentence for people starting with a lowercase word:
    /// `fetched refs/notes/vouch from origin; nothing new`.
    pub fn message(self, remote: &str) -> String {
        match self {
            Self::RemoteHasNone => {
                format!("found no attestation notes ({NOTES_REF}) on {remote}; nothing fetched")
            }
            Self::Merged => {
                format!("fetched {NOTES_REF} from {remote} and merged it into the local notes")
            }
            Self::UpToDate => format!("fetched {NOTES_REF} from {remote}; nothing new"),
        }
    }
}

const NO_HOOKS: [&str; 2] = ["-c", "core.hooksPath=/dev/null"];

/// Pushes `refs/notes/vouch` to `remote` (a remote name or URL), never forced. On a
/// non-fast-forward rejection it fetches and merges the remote's notes, then tries again, at
/// most [`MAX_PUSH_ATTEMPTS`] pushes in all.
pub fn push_notes(git: &Git, remote: &str) -> Result<PushOutcome, NotesError> {
    if !ref_exists(git, NOTES_REF)? {
        return Ok(PushOutcome::NothingToPush);
    }
    let refspec = format!("{NOTES_REF}:{NOTES_REF}");
    let mut merged = false;
    for attempt in 1..=MAX_PUSH_ATTEMPTS {
        let args = [
            &NO_HOOKS[..],
            &[
                "push",
                "--no-verify",
                "--no-signed",
                "--porcelain",
                "--",
                remote,
                &refspec,
            ],
        ]
        .concat();
        let out = git.output(&args, None)?;
        if out.status.success() {
            return Ok(PushOutcome::Pushed {
                attempts: attempt,
                merged,
            });
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !is_stale_rejection(&stdout, &stderr) {
            return Err(NotesError::Push {
                remote: remote.to_owned(),
                message: failure_message(&stdout, &stderr),
            });
        }
        if attempt < MAX_PUSH_ATTEMPTS {
            fetch_notes(git, remote)?;
            merged = true;
        }
    }
    Err(NotesError::Rejected {
        remote: remote.to_owned(),
        attempts: MAX_PUSH_ATTEMPTS,
    })
}

/// Fetches `remote`'s `refs/notes/vouch` into `refs/notes/vouch-remote` and merges it into the
/// local notes with `cat_sort_uniq` (the local ref is never overwritten).
pub fn fetch_notes(git: &Git, remote: &str) -> Result<FetchOutcome, NotesError> {
    let refspec = format!("+{NOTES_REF}:{REMOTE_NOTES_REF}");
    let args = [
        &NO_HOOKS[..],
        &[
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--no-auto-maintenance",
            "--",
            remote,
            &refspec,
        ],
    ]
    .concat();
    let out = git.output(&args, None)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("couldn't find remote ref") {
            return Ok(FetchOutcome::RemoteHasNone);
        }
        return Err(NotesError::Fetch {
            remote: remote.to_owned(),
            message: stderr.trim().to_owned(),
        });
    }
    let before = ref_oid(git, NOTES_REF)?;
    if before.is_some() {
        git.run(
            &[
                "notes",
                "--ref",
                NOTES_REF,
                "merge",
                "--quiet",
                "--strategy=cat_sort_uniq",
                REMOTE_NOTES_REF,
            ],
            None,
        )?;
    } else {
        git.run(
            &["update-ref", NOTES_REF, REMOTE_NOTES_REF, &zero_oid(git)?],
            None,
        )?;
    }
    Ok(if ref_oid(git, NOTES_REF)? == before {
        FetchOutcome::UpToDate
    } else {
        FetchOutcome::Merged
    })
}

/// The object id a ref points at, `None` when it does not exist.
fn ref_oid(git: &Git, name: &str) -> Result<Option<String>, NotesError> {
    let out = git.output(&["rev-parse", "--verify", "--quiet", name], None)?;
    Ok(out
        .status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()))
}

/// The all-zero object id of this repository's hash (`update-ref` "must not exist yet").
fn zero_oid(git: &Git) -> Result<String, NotesError> {
    let out = git.run(&["rev-parse", "--show-object-format"], None)?;
    let len = if String::from_utf8_lossy(&out).trim() == "sha256" {
        64
    } else {
        40
    };
    Ok("0".repeat(len))
}

/// Whether a failed push was refused only because the remote ref moved (fetch, merge, retry).
fn is_stale_rejection(stdout: &str, stderr: &str) -> bool {
    let rejected_line = stdout
        .lines()
        .any(|l| l.starts_with('!') && l.contains("[rejected]"));
    rejected_line || stderr.contains("non-fast-forward") || stderr.contains("fetch first")
}

fn failure_message(stdout: &str, stderr: &str) -> String {
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with('!'))
        .chain(stderr.lines().filter(|l| !l.trim().is_empty()))
        .collect();
    lines.join("; ")
}
