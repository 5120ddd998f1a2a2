//! The trust store: OpenSSH's allowed_signers file, the one git reads from
//! `gpg.ssh.allowedSignersFile`, and git's `gpg.ssh.revocationFile` (revoked public keys).
//!
//! A signature counts when its key is listed on a line whose `namespaces` (if given) match the
//! git-vouch namespace, within the line's `valid-after`/`valid-before` window at the signing
//! time, and the key is not revoked. sshsig has no trusted timestamp: the signing time comes
//! from the signed statement, which the signer controls. Removing a key from the file is the
//! honest way to distrust everything it signed.
//!
//! A line that does not parse is reported in [`AllowedSigners::problems`] and grants nothing;
//! the other lines still count. `cert-authority` lines are read but never match: verifying
//! certificate-signed attestations is not supported.

mod config;
mod parse;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ssh_key::public::KeyData;
use ssh_key::{HashAlg, PublicKey};

pub use config::TrustError;
pub use parse::{Options, glob, pattern_list_matches};

/// Why a trust file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AllowedSignersError {
    /// The reason is in the message, not in a source too: it would be said twice.
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path} is a binary KRL; git-vouch reads revocation files that list public keys, one per line"
    )]
    Krl { path: PathBuf },
    #[error("{path}:{line}: not a public key: {message}")]
    BadRevokedKey {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// A line of the file that grants nothing because it does not parse (or is unsupported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// One usable line.
#[derive(Debug, Clone)]
pub struct Entry {
    pub line: usize,
    /// The principals pattern-list as written (quotes removed).
    pub principals: String,
    pub options: Options,
    pub key: PublicKey,
}

/// Who signed, per the trust file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The principals of the matching line (a pattern-list, often one address).
    pub principals: String,
    /// The line of the trust file that matched.
    pub line: usize,
    /// The key's OpenSSH fingerprint, `SHA256:…`.
    pub fingerprint: String,
}

/// Why a key is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyReason {
    NotListed,
    NamespaceNotAllowed { namespace: String },
    NotYetValid { valid_after: DateTime<Utc> },
    Expired { valid_before: DateTime<Utc> },
    Revoked,
}

/// A refusal, with the key it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key {fingerprint}: {reason}")]
pub struct Denied {
    pub fingerprint: String,
    pub reason: DenyReason,
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotListed => f.write_str("key not in allowed signers"),
            Self::NamespaceNotAllowed { namespace } => {
                write!(f, "key not allowed to sign in namespace {namespace}")
            }
            Self::NotYetValid { valid_after } => write!(
                f,
                "key not yet valid when signed (valid after {})",
                valid_after.to_rfc3339()
            ),
            Self::Expired { valid_before } => write!(
                f,
                "key expired when signed (valid before {})",
                valid_before.to_rfc3339()
            ),
            Self::Revoked => f.write_str("key revoked"),
        }
    }
}

impl DenyReason {
    /// Which refusal to report when several lines list the key: the closest to a grant.
    fn rank(&self) -> u8 {
        match self {
            Self::NotListed => 0,
            Self::NamespaceNotAllowed { .. } => 1,
            Self::NotYetValid { .. } | Self::Expired { .. } => 2,
            Self::Revoked => 3,
        }
    }
}

/// A parsed allowed_signers file plus revoked keys.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
    pub revoked: Vec<KeyData>,
}

/// The OpenSSH fingerprint of a key, `SHA256:…`.
pub fn fingerprint(key: &KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

impl AllowedSigners {
    /// Parses the file's text; bad lines land in `problems`.
    pub fn parse(text: &str) -> Self {
        let mut out = Self::default();
        for (i, raw) in text.lines().enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match parse::line(trimmed) {
                Ok(l) if l.options.cert_authority => out.problems.push(Problem {
                    line: i + 1,
                    message: "cert-authority lines are not supported; the line is ignored".into(),
                }),
                Ok(l) => out.entries.push(Entry {
                    line: i + 1,
                    principals: l.principals,
                    options: l.options,
                    key: l.key,
                }),
                Err(message) => out.problems.push(Problem {
                    line: i + 1,
                    message,
                }),
            }
        }
        out
    }

    /// Reads an allowed_signers file.
    pub fn load(path: &Path) -> Result<Self, AllowedSignersError> {
        let text = std::fs::read_to_string(path).map_err(|error| AllowedSignersError::Read {
            path: path.to_owned(),
            error,
        })?;
        Ok(Self::parse(&text))
    }

    /// Adds the keys of a revocation file (public keys, one per line; `#` comments). Any line
    /// that is not a public key is an error: an unreadable revocation list must not pass.
    pub fn load_revocations(&mut self, path: &Path) -> Result<(), AllowedSignersError> {
        let read_err = |error| AllowedSignersError::Read {
            path: path.to_owned(),
            error,
        };
        let bytes = std::fs::read(path).map_err(read_err)?;
        if bytes.starts_with(b"SSHKRL") {
            return Err(AllowedSignersError::Krl {
                path: path.to_owned(),
            });
        }
        let text = String::from_utf8(bytes)
            .map_err(|e| read_err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key =
                PublicKey::from_openssh(line).map_err(|e| AllowedSignersError::BadRevokedKey {
                    path: path.to_owned(),
                    line: i + 1,
                    message: e.to_string(),
                })?;
            self.revoked.push(key.key_data().clone());
        }
        Ok(())
    }

    /// Whether `key` is revoked.
    pub fn is_revoked(&self, key: &KeyData) -> bool {
        self.revoked.iter().any(|r| r == key)
    }

    /// The check that needs no time: the key is listed for `namespace` and not revoked.
    pub fn check_listed(&self, key: &KeyData, namespace: &str) -> Result<(), Denied> {
        self.lookup(key, namespace, None).map(|_| ())
    }

    /// Who `key` belongs to, if it may sign in `namespace` at time `at`.
    pub fn find(
        &self,
        key: &KeyData,
        namespace: &str,
        at: DateTime<Utc>,
    ) -> Result<Principal, Denied> {
        self.lookup(key, namespace, Some(at))
    }

    /// [`AllowedSigners::find`] for a given identity (like `ssh-keygen -Y verify -I`): only
    /// lines whose principals pattern-list matches `identity` count.
    pub fn find_for(
        &self,
        identity: &str,
        key: &KeyData,
        namespace: &str,
        at: DateTime<Utc>,
    ) -> Result<Principal, Denied> {
        let narrowed = Self {
            entries: (self.entries.iter())
                .filter(|e| pattern_list_matches(&e.principals, identity))
                .cloned()
                .collect(),
            problems: Vec::new(),
            revoked: self.revoked.clone(),
        };
        narrowed.lookup(key, namespace, Some(at))
    }

    fn lookup(
        &self,
        key: &KeyData,
        namespace: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<Principal, Denied> {
        let fingerprint = fingerprint(key);
        let deny = |reason| Denied {
            fingerprint: fingerprint.clone(),
            reason,
        };
        if self.is_revoked(key) {
            return Err(deny(DenyReason::Revoked));
        }
        let mut best = DenyReason::NotListed;
        for entry in self.entries.iter().filter(|e| e.key.key_data() == key) {
            let refusal = entry_refusal(entry, namespace, at);
            match refusal {
                None => {
                    return Ok(Principal {
                        principals: entry.principals.clone(),
                        line: entry.line,
                        fingerprint,
                    });
                }
                Some(r) if r.rank() > best.rank() => best = r,
                Some(_) => {}
            }
        }
        Err(deny(best))
    }
}

/// Why one line does not grant `namespace` at `at` (`None`: it does; no time: window ignored).
fn entry_refusal(entry: &Entry, namespace: &str, at: Option<DateTime<Utc>>) -> Option<DenyReason> {
    if let Some(list) = &entry.options.namespaces
        && !pattern_list_matches(list, namespace)
    {
        return Some(DenyReason::NamespaceNotAllowed {
            namespace: namespace.to_owned(),
        });
    }
    let at = at?;
    if let Some(valid_after) = entry.options.valid_after
        && at < valid_after
    {
        return Some(DenyReason::NotYetValid { valid_after });
    }
    if let Some(valid_before) = entry.options.valid_before
        && at > valid_before
    {
        return Some(DenyReason::Expired { valid_before });
    }
    None
}
