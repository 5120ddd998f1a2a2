//! Attestations as git notes under `refs/notes/vouch`: the note on a commit is an in-toto bundle,
//! one DSSE envelope per line, so several attestations per commit are fine and concurrent notes
//! merge with `cat_sort_uniq`. Lines that do not parse are reported; the others still count.
//!
//! Sharing never needs a server: [`push_notes`] pushes the notes ref to a remote with hooks
//! disabled and never forced; when the remote has moved it fetches, merges and retries.
//! [`fetch_notes`] brings teammates' attestations. Nothing here writes git config (a notes
//! refspec in `remote.<name>.push` would stop plain `git push` pushing the current branch).

mod sync;

use std::collections::BTreeMap;

use super::dsse::{DsseError, Envelope};
use crate::git::notes::with_note;
use crate::git::{Git, GitError};

pub use sync::{FetchOutcome, MAX_PUSH_ATTEMPTS, PushOutcome, fetch_notes, push_notes};

/// The notes ref git-vouch writes.
pub const NOTES_REF: &str = "refs/notes/vouch";

/// Where [`fetch_notes`] puts the remote's notes before merging them.
pub const REMOTE_NOTES_REF: &str = "refs/notes/vouch-remote";

/// The largest note read; a bigger one is reported, not parsed.
pub const MAX_NOTE_BYTES: usize = 16 * 1024 * 1024;

/// A failure reading or writing notes.
#[derive(Debug, thiserror::Error)]
pub enum NotesError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("no commit {commit} in this repository")]
    NoCommit { commit: String },
    #[error("pushing {NOTES_REF} to {remote} failed: {message}")]
    Push { remote: String, message: String },
    #[error("{NOTES_REF} on {remote} kept moving: still rejected after {attempts} attempts")]
    Rejected { remote: String, attempts: u32 },
    #[error("fetching {NOTES_REF} from {remote} failed: {message}")]
    Fetch { remote: String, message: String },
    #[error("unexpected output from `git {command}`: {line:?}")]
    Output { command: String, line: String },
    #[error("writing {NOTES_REF}: {0}")]
    Write(#[from] git2::Error),
}

/// One non-blank line of a bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleLine {
    /// 1-based line number in the note.
    pub line: usize,
    pub text: String,
    pub envelope: Result<Envelope, DsseError>,
}

/// Splits a note into envelopes; blank lines (git's `append` separators) are skipped.
pub fn parse_bundle(text: &str) -> Vec<BundleLine> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| BundleLine {
            line: i + 1,
            text: l.trim().to_owned(),
            envelope: Envelope::from_json(l.trim()),
        })
        .collect()
}

/// Adds an attestation to the note on `commit` (creating the note). Returns false when the same
/// envelope line is already there.
pub fn append(git: &Git, commit: &str, envelope: &Envelope) -> Result<bool, NotesError> {
    let commit = resolve_commit(git, commit)?;
    let line = envelope.to_line();
    if let Some(existing) = read_note(git, &commit)?
        && existing.lines().any(|l| l.trim() == line)
    {
        return Ok(false);
    }
    let mut body = line.into_bytes();
    body.push(b'\n');
    git.run(
        &["notes", "--ref", NOTES_REF, "append", "-F", "-", &commit],
        Some(&body),
    )?;
    Ok(true)
}

/// Appends `envelope` to the notes of every commit in `commits` in one process (libgit2; a
/// `git notes append` per commit costs three spawns). Returns how many notes changed; a note
/// that already holds the exact line is left alone.
pub fn append_all(git: &Git, commits: &[String], envelope: &Envelope) -> Result<usize, NotesError> {
    let repo = git2::Repository::discover(git.dir())?;
    let signature = repo
        .signature()
        .or_else(|_| git2::Signature::now("git-vouch", "git-vouch@localhost"))?;
    let line = envelope.to_line();
    let mut changed = 0;
    for commit in commits {
        let oid = repo
            .revparse_single(commit)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| NotesError::NoCommit {
                commit: commit.clone(),
            })?
            .id();
        let existing = with_note(&repo, NOTES_REF, oid, |b| {
            std::str::from_utf8(b).unwrap_or("").to_owned()
        })?
        .unwrap_or_default();
        if existing.lines().any(|l| l.trim() == line) {
            continue;
        }
        let mut text = existing.trim_end().to_owned();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&line);
        text.push('\n');
        repo.note(&signature, &signature, Some(NOTES_REF), oid, &text, true)?;
        changed += 1;
    }
    Ok(changed)
}

/// The full id of `rev` as a commit, or [`NotesError::NoCommit`].
pub fn resolve_commit(git: &Git, rev: &str) -> Result<String, NotesError> {
    let spec = format!("{rev}^{{commit}}");
    let out = git.output(&["rev-parse", "--verify", "--quiet", &spec], None)?;
    if !out.status.success() {
        return Err(NotesError::NoCommit {
            commit: rev.to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The note on `commit`, if any.
pub fn read_note(git: &Git, commit: &str) -> Result<Option<String>, NotesError> {
    let notes = list_notes(git)?;
    let Some(blob) = notes.get(&commit.to_ascii_lowercase()) else {
        return Ok(None);
    };
    Ok(read_objects(git, std::slice::from_ref(blob))?
        .remove(blob)
        .flatten())
}

/// Every note: annotated object id → note blob id.
pub fn list_notes(git: &Git) -> Result<BTreeMap<String, String>, NotesError> {
    if !ref_exists(git, NOTES_REF)? {
        return Ok(BTreeMap::new());
    }
    let out = git.run(&["notes", "--ref", NOTES_REF, "list"], None)?;
    let mut map = BTreeMap::new();
    for line in String::from_utf8_lossy(&out).lines() {
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some(blob), Some(object)) => {
                map.insert(object.to_ascii_lowercase(), blob.to_owned());
            }
            _ => {
                return Err(NotesError::Output {
                    command: "notes list".into(),
                    line: line.to_owned(),
                });
            }
        }
    }
    Ok(map)
}

/// Whether a ref exists.
pub fn ref_exists(git: &Git, name: &str) -> Result<bool, NotesError> {
    let out = git.output(&["rev-parse", "--verify", "--quiet", name], None)?;
    Ok(out.status.success())
}

/// The type of each object (`commit`, `blob`, …), `None` for a missing one.
pub fn object_types(
    git: &Git,
    ids: &[String],
) -> Result<BTreeMap<String, Option<String>>, NotesError> {
    let input = id_lines(ids);
    let out = git.run(&["cat-file", "--batch-check"], Some(input.as_bytes()))?;
    let text = String::from_utf8_lossy(&out);
    Ok(ids
        .iter()
        .zip(text.lines())
        .map(|(id, line)| {
            let mut parts = line.split_whitespace();
            let kind = match (parts.next(), parts.next()) {
                (Some(_), Some("missing" | "ambiguous")) | (_, None) => None,
                (_, Some(kind)) => Some(kind.to_owned()),
            };
            (id.clone(), kind)
        })
        .collect())
}

/// The text of blobs (lossy UTF-8), `None` for a missing or oversized one. Two git runs in all:
/// sizes first (`--batch-check`), then the contents of those small enough (`--batch`).
pub fn read_objects(
    git: &Git,
    ids: &[String],
) -> Result<BTreeMap<String, Option<String>>, NotesError> {
    let input = id_lines(ids);
    let out = git.run(
        &[
            "cat-file",
            "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        ],
        Some(input.as_bytes()),
    )?;
    let mut map: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut wanted = Vec::new();
    for (id, line) in ids.iter().zip(String::from_utf8_lossy(&out).lines()) {
        let mut parts = line.split_whitespace().skip(1);
        let small_blob = parts.next() == Some("blob")
            && parts
                .next()
                .and_then(|s| s.parse::<usize>().ok())
                .is_some_and(|n| n <= MAX_NOTE_BYTES);
        map.insert(id.clone(), None);
        if small_blob {
            wanted.push(id.clone());
        }
    }
    if wanted.is_empty() {
        return Ok(map);
    }
    let input = id_lines(&wanted);
    let out = git.run(&["cat-file", "--batch"], Some(input.as_bytes()))?;
    let mut rest = out.as_slice();
    for id in wanted {
        let header_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse::<usize>().ok());
        let Some(size) = size.filter(|n| header_end + 1 + n <= rest.len()) else {
            return Err(NotesError::Output {
                command: "cat-file --batch".into(),
                line: header,
            });
        };
        let body = &rest[header_end + 1..header_end + 1 + size];
        map.insert(id, Some(String::from_utf8_lossy(body).into_owned()));
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
    }
    Ok(map)
}

/// Object ids, one per line, for `cat-file --batch*`.
fn id_lines(ids: &[String]) -> String {
    let mut out = String::new();
    for id in ids {
        out.push_str(id);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::dsse::PAYLOAD_TYPE;

    #[test]
    fn bundle_lines_keep_their_numbers_and_bad_ones_are_kept_as_errors() {
        let good = Envelope::new(PAYLOAD_TYPE, b"{}").to_line();
        let text = format!("{good}\n\n{{not json\n  \n{good}\n");
        let lines = parse_bundle(&text);
        let numbers: Vec<usize> = lines.iter().map(|l| l.line).collect();
        assert_eq!(numbers, [1, 3, 5]);
        assert!(lines[0].envelope.is_ok() && lines[2].envelope.is_ok());
        assert!(matches!(lines[1].envelope, Err(DsseError::Json(_))));
        assert!(parse_bundle("").is_empty());
    }
}
