//! Signing attestations with a person's SSH key: SSHSIG signatures (sha512) over the DSSE PAE
//! bytes in the git-vouch namespace, so `ssh-keygen -Y verify -n git-vouch@git-vouch.dev`
//! accepts them. Three ways to reach the key: a key file read in-process ([`FileSigner`]),
//! ssh-agent ([`AgentSigner`]), and `ssh-keygen -Y sign` ([`ProgramSigner`]) for hardware `sk-`
//! keys, passphrase prompts and key formats this crate cannot read. [`resolve_signer`] picks one
//! the way git does for `gpg.format=ssh`, falling back to git-vouch's own key ([`keygen`]).

mod agent;
mod keygen;
mod program;
mod resolve;

use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, HashAlg, PrivateKey, PublicKey, SshSig};

pub use agent::AgentSigner;
pub use keygen::{GeneratedKey, default_key_path, keygen};
pub use program::ProgramSigner;
pub use resolve::{KeySources, SignerSlot, resolve_signer};

use super::NAMESPACE;
use super::dsse::{self, Envelope, PAYLOAD_TYPE};
use crate::git::GitError;

/// The hash inside every SSHSIG git-vouch makes (ssh-keygen's default).
pub const HASH: HashAlg = HashAlg::Sha512;

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot read the key {path}: {message}")]
    ReadKey { path: PathBuf, message: String },
    #[error(
        "the key {path} is passphrase-protected: add it to ssh-agent (`ssh-add {path}`) and set \
         `git config user.signingkey {path}.pub`, so git-vouch signs through the agent"
    )]
    Encrypted { path: PathBuf },
    #[error(
        "the key {path} is readable by others (mode {mode:o}); OpenSSH refuses such keys: chmod 600 it"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("{algorithm} keys cannot be used in-process ({path}); sign with ssh-keygen instead")]
    Unsupported { path: PathBuf, algorithm: String },
    #[error("ssh-agent at {socket}: {message}")]
    Agent { socket: PathBuf, message: String },
    #[error("no ssh-agent to sign with key {fingerprint} (SSH_AUTH_SOCK is not set)")]
    NoAgent { fingerprint: String },
    #[error("ssh-agent at {socket} does not hold key {fingerprint}: `ssh-add` its private key")]
    NotInAgent {
        socket: PathBuf,
        fingerprint: String,
    },
    #[error("`{program} -Y sign` failed: {message}")]
    Program { program: String, message: String },
    #[error("reading git config: {0}")]
    Config(#[from] GitError),
    #[error("user.signingkey {value:?}: {message}")]
    BadSigningKey { value: String, message: String },
    #[error(
        "no signing key: set `git config gpg.format ssh` and `git config user.signingkey <key>`, \
         or create one with `git vouch keygen`"
    )]
    NoKey,
    #[error("signing failed: {0}")]
    Sign(String),
    #[error("the fresh signature does not verify: {0}")]
    SelfCheck(String),
    #[error("{path} already exists; git-vouch never overwrites a key")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Something that makes SSHSIG signatures in the git-vouch namespace. Shared with the review
/// screen's worker thread, so it is `Send + Sync`.
pub trait Signer: Send + Sync {
    /// Signs `message` (the DSSE PAE bytes).
    fn sign(&self, message: &[u8]) -> Result<SshSig, SignError>;
    /// The public key signatures verify with.
    fn public_key(&self) -> &PublicKey;
    /// Where the key lives, for messages (`key file ~/.ssh/id_ed25519`, `ssh-agent`, …).
    fn describe(&self) -> String;
}

/// Signs `payload` as an in-toto DSSE envelope, then checks the fresh signature (key, namespace,
/// signature over the same in-memory PAE bytes) before handing it out.
pub fn sign_payload(payload: &[u8], signer: &dyn Signer) -> Result<Envelope, SignError> {
    let pae = dsse::pae(PAYLOAD_TYPE, payload);
    let sig = signer.sign(&pae)?;
    signer
        .public_key()
        .verify(NAMESPACE, &pae, &sig)
        .map_err(|e| SignError::SelfCheck(e.to_string()))?;
    let mut envelope = Envelope::new(PAYLOAD_TYPE, payload);
    envelope
        .push_ssh_signature(&sig)
        .map_err(|e| SignError::Sign(e.to_string()))?;
    Ok(envelope)
}

/// Whether ssh-key 0.6 cannot sign with keys of this algorithm in-process.
pub fn needs_program(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 | Algorithm::Dsa
    )
}

/// An unencrypted OpenSSH private key file, read in-process.
#[derive(Debug)]
pub struct FileSigner {
    path: PathBuf,
    key: PrivateKey,
}

impl FileSigner {
    /// Opens a private key file. Refuses keys others can read (as OpenSSH does), encrypted keys
    /// (use ssh-agent) and hardware keys (use [`ProgramSigner`]).
    pub fn open(path: &Path) -> Result<Self, SignError> {
        check_permissions(path)?;
        let key = PrivateKey::read_openssh_file(path).map_err(|e| SignError::ReadKey {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        if needs_program(&key.algorithm()) {
            return Err(SignError::Unsupported {
                path: path.to_owned(),
                algorithm: key.algorithm().to_string(),
            });
        }
        if key.is_encrypted() {
            return Err(SignError::Encrypted {
                path: path.to_owned(),
            });
        }
        Ok(Self {
            path: path.to_owned(),
            key,
        })
    }
}

impl Signer for FileSigner {
    fn sign(&self, message: &[u8]) -> Result<SshSig, SignError> {
        self.key
            .sign(NAMESPACE, HASH, message)
            .map_err(|e| SignError::Sign(e.to_string()))
    }
    fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }
    fn describe(&self) -> String {
        format!("key file {}", self.path.display())
    }
}

/// Refuses private key files that the group or others may read.
#[cfg(unix)]
pub fn check_permissions(path: &Path) -> Result<(), SignError> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = std::fs::metadata(path).map_err(|e| SignError::ReadKey {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SignError::Permissions {
            path: path.to_owned(),
            mode,
        });
    }
    Ok(())
}

/// Refuses private key files that the group or others may read.
#[cfg(not(unix))]
pub fn check_permissions(_path: &Path) -> Result<(), SignError> {
    Ok(())
}

/// The OpenSSH fingerprint of a public key, `SHA256:…`.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}
