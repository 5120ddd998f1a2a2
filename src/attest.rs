//! Attestations: signed, verifiable evidence that a person vouches for what AI agents did in the
//! commits they push, stored in git notes so any clone can verify it without a server.
//!
//! - [`statement`]: an in-toto Statement v1 whose subjects are the pushed commits (`gitCommit`)
//!   and the tip's tree (`gitTree`), with git-vouch's predicate type.
//! - [`dsse`]: the DSSE envelope around the statement bytes and the PAE those signatures cover.
//! - [`sign`]: SSHSIG signatures over the PAE in the [`NAMESPACE`] namespace, with the person's
//!   git SSH signing key (key file, ssh-agent, or `ssh-keygen -Y sign`) or git-vouch's own key.
//! - [`allowed_signers`]: the trust store, git's `gpg.ssh.allowedSignersFile` (+ revocations).
//! - [`verify`]: one verdict per attestation and per commit.
//! - [`notes`]: the JSONL bundle on each commit under `refs/notes/vouch`, pushed and fetched.
//! - [`standing`]: one word per commit or session: verified, unreviewed, unsigned, … .
//!
//! Anyone can check a signature with stock OpenSSH: base64-decode `sig`, armor it as
//! `-----BEGIN SSH SIGNATURE-----`, and run `ssh-keygen -Y verify -f allowed_signers
//! -I <principal> -n git-vouch@git-vouch.dev -s sig.pem < pae.bin`.

pub mod allowed_signers;
pub mod carry_over;
pub mod dsse;
pub mod hunk_review;
pub mod lineage;
pub mod notes;
pub mod publish;
pub mod sign;
pub mod standing;
pub mod statement;
pub mod verify;

use crate::clock::Clock;

pub use dsse::Envelope;
pub use sign::{SignError, Signer};
pub use statement::{PREDICATE_TYPE, Statement, statement_for};
pub use verify::Verdict;

/// The SSHSIG namespace of git-vouch attestations. Never `git`: an attestation signature must not
/// pass as a commit signature, nor the other way round, and allowed_signers can scope keys to it
/// with `namespaces="git-vouch@git-vouch.dev"`.
pub const NAMESPACE: &str = "git-vouch@git-vouch.dev";

/// Why sealing a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error(transparent)]
    Statement(#[from] statement::StatementError),
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// Stamps `signed_at` (from `clock`) into the statement's predicate, serializes it once and signs
/// those bytes. To show a person what they sign, do the steps yourself:
/// [`Statement::stamp_signed_at`], [`Statement::to_bytes`], review the bytes, then
/// [`sign::sign_payload`] on the same bytes.
pub fn seal(
    statement: &mut Statement,
    signer: &dyn Signer,
    clock: &dyn Clock,
) -> Result<Envelope, SealError> {
    statement.stamp_signed_at(clock.now())?;
    Ok(sign::sign_payload(&statement.to_bytes(), signer)?)
}
