//! Signing through ssh-agent: the private key never leaves the agent (which may ask for
//! confirmation per signature, `ssh-add -c`). RSA keys are signed with rsa-sha2-512.

use std::path::{Path, PathBuf};

use ssh_agent_client_rs::{Client, Identity};
use ssh_key::{PublicKey, SshSig};

use super::{HASH, SignError, Signer, fingerprint};
use crate::attest::NAMESPACE;

/// A key held by the ssh-agent listening on a socket.
#[derive(Debug, Clone)]
pub struct AgentSigner {
    socket: PathBuf,
    key: PublicKey,
}

impl AgentSigner {
    /// The agent at `socket`, which must hold `key`.
    pub fn new(socket: &Path, key: PublicKey) -> Result<Self, SignError> {
        let listed = list_identities(socket)?;
        if !listed.iter().any(|k| k.key_data() == key.key_data()) {
            return Err(SignError::NotInAgent {
                socket: socket.to_owned(),
                fingerprint: fingerprint(&key),
            });
        }
        Ok(Self {
            socket: socket.to_owned(),
            key,
        })
    }

    /// Whether the agent at `socket` holds `key` (false when it cannot be reached).
    pub fn holds(socket: &Path, key: &PublicKey) -> bool {
        list_identities(socket).is_ok_and(|l| l.iter().any(|k| k.key_data() == key.key_data()))
    }
}

/// The public keys an agent holds (certificates left out).
pub fn list_identities(socket: &Path) -> Result<Vec<PublicKey>, SignError> {
    let all = connect(socket)?
        .list_all_identities()
        .map_err(|e| agent_error(socket, &e))?;
    Ok(all
        .into_iter()
        .filter_map(|i| match i {
            Identity::PublicKey(k) => Some(k.into_owned()),
            Identity::Certificate(_) => None,
        })
        .collect())
}

fn connect(socket: &Path) -> Result<Client, SignError> {
    Client::connect(socket).map_err(|e| agent_error(socket, &e))
}

fn agent_error(socket: &Path, e: &ssh_agent_client_rs::Error) -> SignError {
    let mut message = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        message = format!("{message}: {source}");
    }
    SignError::Agent {
        socket: socket.to_owned(),
        message,
    }
}

impl Signer for AgentSigner {
    fn sign(&self, message: &[u8]) -> Result<SshSig, SignError> {
        let data = SshSig::signed_data(NAMESPACE, HASH, message)
            .map_err(|e| SignError::Sign(e.to_string()))?;
        let signature = connect(&self.socket)?
            .sign(&self.key, &data)
            .map_err(|e| agent_error(&self.socket, &e))?;
        SshSig::new(self.key.key_data().clone(), NAMESPACE, HASH, signature)
            .map_err(|e| SignError::Sign(e.to_string()))
    }
    fn public_key(&self) -> &PublicKey {
        &self.key
    }
    fn describe(&self) -> String {
        format!(
            "ssh-agent ({}, key {})",
            self.socket.display(),
            fingerprint(&self.key)
        )
    }
}
