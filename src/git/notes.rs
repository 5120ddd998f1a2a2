//! Reading git notes in process (libgit2): the explorer, pre-push and `attest` read the notes of
//! many commits, and a `git notes show` per commit would cost a spawn each.

use git2::{ErrorCode, Oid, Repository};

/// Hands the bytes of the note on `oid` under `notes_ref` to `read`; `None` when there is none.
pub fn with_note<T>(
    repo: &Repository,
    notes_ref: &str,
    oid: Oid,
    read: impl FnOnce(&[u8]) -> T,
) -> Result<Option<T>, git2::Error> {
    match repo.find_note(Some(notes_ref), oid) {
        Ok(note) => Ok(Some(read(note.message_bytes()))),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
