//! The demo repository's attestations: when the demo repository is unpacked, its agent commits
//! are attested with demo keys made on the spot, so that a newcomer meets every state a reviewer
//! meets, each on one commit, with real signatures that `git vouch verify` checks:
//!
//! - reviewed: alice read the change and signed it (with a note);
//! - reviewed, also signed by the CI key: the hook signed it, then alice reviewed it;
//! - unreviewed: only the CI key signed it, nobody reviewed it;
//! - untrusted: signed by a key the demo's allowed signers do not list;
//! - invalid: alice's signature over evidence someone changed afterwards;
//! - unsigned: no attestation (the last agent commit, and the commits no session made).
//!
//! The allowed signers file is kept in the demo repository (see [`allowed_signers_path`]); the
//! private keys are thrown away once the notes are written.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::DemoRepoError;
use crate::attest::notes::append_all;
use crate::attest::publish::{Prepared, Review, predicate};
use crate::attest::sign::{FileSigner, keygen};
use crate::attest::{Signer, seal, statement_for};
use crate::clock::FixedClock;
use crate::evidence::build_for;
use crate::evidence::range::resolve;
use crate::git::Git;
use crate::pricing::PriceTable;
use crate::redact::{RedactOptions, Redactor};

/// The people and machines of the demo.
const ALICE: &str = "alice@tasktrack.dev";
const CI: &str = "ci@tasktrack.dev";
const MALLORY: &str = "mallory@elsewhere.example";

/// When the demo's attestations were signed.
const SIGNED_AT: &str = "2026-11-21T11:30:00Z";

/// The allowed signers file of the demo repository at `repo` (its git folder).
pub fn allowed_signers_path(repo: &Path) -> PathBuf {
    repo.join("vouch-demo-allowed-signers")
}

/// Who signs each agent commit (oldest first), and how.
#[derive(Clone, Copy)]
enum Fate {
    Reviewed(&'static str),
    ReviewedAfterCi(&'static str),
    Unreviewed,
    Untrusted,
    Invalid,
    Unsigned,
}

const FATES: [Fate; 6] = [
    Fate::Reviewed("Read the date parsing and the overdue check; the tests cover both."),
    Fate::ReviewedAfterCi("Checked that the rename left no TaskStore behind."),
    Fate::Unreviewed,
    Fate::Untrusted,
    Fate::Invalid,
    Fate::Unsigned,
];

/// The keys, made in `dir` (removed by the caller).
struct Keys {
    alice: FileSigner,
    ci: FileSigner,
    mallory: FileSigner,
}

impl Keys {
    fn make(dir: &Path) -> Result<(Self, String), DemoRepoError> {
        let mut allowed = String::new();
        let mut open = |name: &str, principal: &str, trusted: bool| {
            let path = dir.join(name);
            let key = keygen(&path, principal).map_err(|e| io_error(&path, &e))?;
            if trusted {
                allowed.push_str(&key.allowed_signers_line(principal));
                allowed.push('\n');
            }
            FileSigner::open(&path).map_err(|e| io_error(&path, &e))
        };
        let keys = Self {
            alice: open("alice", ALICE, true)?,
            ci: open("ci", CI, true)?,
            mallory: open("mallory", MALLORY, false)?,
        };
        Ok((keys, allowed))
    }
}

fn io_error(path: &Path, e: &dyn std::fmt::Display) -> DemoRepoError {
    DemoRepoError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Attests the agent commits of the demo workspace at `workspace` (a clone with the demo
/// sessions archived) as [`FATES`] says, and writes the allowed signers file to `allowed`.
pub fn attest(workspace: &Path, keys_dir: &Path, allowed: &Path) -> Result<(), DemoRepoError> {
    let (keys, allowed_text) = Keys::make(keys_dir)?;
    std::fs::write(allowed, allowed_text).map_err(|e| io_error(allowed, &e))?;
    let repo = git2::Repository::open(workspace)?;
    let mut walk = repo.revwalk()?;
    walk.push_head()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    let commits: Vec<String> = walk
        .filter_map(Result::ok)
        .filter(|oid| repo.find_commit(*oid).is_ok_and(|c| c.parent_count() == 1))
        .map(|oid| oid.to_string())
        .collect();
    let git = Git::new(workspace);
    let clock = FixedClock::parse(SIGNED_AT).ok_or(DemoRepoError::Bundle("demo clock"))?;
    let redactor = Redactor::new(RedactOptions::default());
    let mut fates = FATES.iter();
    for sha in commits {
        let range = resolve(&repo, Some(&format!("{sha}~1..{sha}")))
            .map_err(|e| io_error(workspace, &e))?;
        let evidence = build_for(workspace, &range, PriceTable::embedded(), &redactor, &clock)
            .map_err(|e| io_error(workspace, &e))?;
        if evidence.sessions.is_empty() {
            continue;
        }
        let Some(fate) = fates.next() else {
            break;
        };
        let prepared = Prepared::new(evidence);
        let sign = |signer: &dyn Signer, note: Option<&str>, tamper: bool| {
            let review = Review {
                reviewed: note.is_some(),
                note: note.map(str::to_owned),
                hunks: None,
            };
            let mut statement = statement_for(
                std::slice::from_ref(&sha),
                &prepared.evidence.range.tip_tree,
                predicate(&prepared, &review, &redactor),
            );
            let mut envelope =
                seal(&mut statement, signer, &clock).map_err(|e| io_error(workspace, &e))?;
            if tamper {
                envelope.payload = tampered(&envelope.payload);
            }
            append_all(&git, std::slice::from_ref(&sha), &envelope)
                .map_err(|e| io_error(workspace, &e))
        };
        match *fate {
            Fate::Reviewed(note) => sign(&keys.alice, Some(note), false)?,
            Fate::ReviewedAfterCi(note) => {
                sign(&keys.ci, None, false)?;
                sign(&keys.alice, Some(note), false)?
            }
            Fate::Unreviewed => sign(&keys.ci, None, false)?,
            Fate::Untrusted => sign(&keys.mallory, None, false)?,
            Fate::Invalid => sign(&keys.alice, Some("Looks fine."), true)?,
            Fate::Unsigned => 0,
        };
    }
    Ok(())
}

/// The payload with its evidence changed after signing: the first cost a digit larger, as
/// someone inflating what a change cost would. The signature no longer matches.
fn tampered(payload: &str) -> String {
    let engine = base64::engine::general_purpose::STANDARD;
    let Ok(bytes) = engine.decode(payload) else {
        return payload.to_owned();
    };
    let text = String::from_utf8_lossy(&bytes).replacen("\"cost_usd\":\"", "\"cost_usd\":\"1", 1);
    engine.encode(text)
}
