//! Which key signs, decided as git decides for `git commit -S` with `gpg.format=ssh`:
//!
//! 1. `user.signingkey`, only when `gpg.format` is `ssh` (otherwise it names a GPG key):
//!    - `key::ssh-ed25519 AAAA…` (or a bare `ssh-… AAAA…`): that key, in ssh-agent;
//!    - a public key file: the agent if it holds the key, else the private key beside it
//!      (same path without `.pub`);
//!    - a private key file: read in-process; through the agent when it is passphrase-protected
//!      and the agent holds it; through `ssh-keygen -Y sign` for hardware `sk-` keys, a
//!      passphrase prompt, or formats this crate cannot read.
//! 2. With `gpg.format=ssh` and no signingkey: `gpg.ssh.defaultKeyCommand` (e.g. `ssh-add -L`),
//!    its first line as a literal key.
//! 3. git-vouch's own key (`git vouch keygen`).
//!
//! Relative paths are taken from the repository folder; `~/` is expanded by git.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ssh_key::PublicKey;

use super::{AgentSigner, FileSigner, ProgramSigner, SignError, Signer, default_key_path};
use super::{check_permissions, fingerprint, needs_program};
use crate::git::Git;

/// Where keys may be found besides git config.
#[derive(Debug, Clone, Default)]
pub struct KeySources {
    /// The ssh-agent socket (`SSH_AUTH_SOCK`).
    pub agent_socket: Option<PathBuf>,
    /// git-vouch's own key (see [`default_key_path`]).
    pub own_key: Option<PathBuf>,
}

impl KeySources {
    /// From `SSH_AUTH_SOCK`, `XDG_CONFIG_HOME` and `HOME`.
    pub fn from_env() -> Self {
        let var = |k| {
            std::env::var_os(k)
                .map(PathBuf::from)
                .filter(|p| !p.as_os_str().is_empty())
        };
        Self {
            agent_socket: var("SSH_AUTH_SOCK"),
            own_key: default_key_path(var("XDG_CONFIG_HOME").as_deref(), var("HOME").as_deref()),
        }
    }
}

/// The signer of one run (a push, `git vouch attest`, a review), made at the edge from git's
/// settings and the environment and handed to the code that signs. The key is looked up at most
/// once, when something is first signed: a push with nothing to sign never touches a key.
pub struct SignerSlot {
    git: Git,
    sources: KeySources,
    resolved: OnceLock<Result<Box<dyn Signer>, SignError>>,
}

impl SignerSlot {
    pub fn new(git: Git, sources: KeySources) -> Self {
        Self {
            git,
            sources,
            resolved: OnceLock::new(),
        }
    }

    /// The signer for the repository `git` runs in, with keys found from the environment.
    pub fn from_env(git: Git) -> Self {
        Self::new(git, KeySources::from_env())
    }

    /// The signer, resolved on first use (see [`resolve_signer`]).
    pub fn get(&self) -> Result<&dyn Signer, &SignError> {
        self.resolved
            .get_or_init(|| resolve_signer(&self.git, &self.sources))
            .as_ref()
            .map(AsRef::as_ref)
    }
}

/// The signer for the repository `git` runs in.
pub fn resolve_signer(git: &Git, sources: &KeySources) -> Result<Box<dyn Signer>, SignError> {
    let ssh_format = git
        .config_get("gpg.format")?
        .is_some_and(|f| f.eq_ignore_ascii_case("ssh"));
    if ssh_format {
        if let Some(value) = git
            .config_get("user.signingkey")?
            .filter(|v| !v.trim().is_empty())
        {
            if let Some(key) = literal_key(&value) {
                return agent_signer(sources, key?);
            }
            let path = git
                .config_path("user.signingkey")?
                .unwrap_or_else(|| value.clone().into());
            let path = if path.is_relative() {
                git.dir().join(path)
            } else {
                path
            };
            return from_key_file(git, sources, &path, &value);
        }
        if let Some(command) = git.config_get("gpg.ssh.defaultKeyCommand")? {
            let first = run_default_key_command(git, &command)?;
            let key = literal_key(&first).unwrap_or_else(|| Err(bad(&command, "printed no key")));
            return agent_signer(sources, key?);
        }
    }
    match &sources.own_key {
        Some(path) if path.exists() => Ok(Box::new(FileSigner::open(path)?)),
        _ => Err(SignError::NoKey),
    }
}

fn bad(value: &str, message: &str) -> SignError {
    SignError::BadSigningKey {
        value: value.to_owned(),
        message: message.to_owned(),
    }
}

/// `key::<key>` or a bare `ssh-…`/`ecdsa-…`/`sk-…` key, as git recognises literal keys.
fn literal_key(value: &str) -> Option<Result<PublicKey, SignError>> {
    let v = value.trim();
    let text = v.strip_prefix("key::").or_else(|| {
        ["ssh-", "ecdsa-", "sk-"]
            .iter()
            .any(|p| v.starts_with(p))
            .then_some(v)
    })?;
    Some(PublicKey::from_openssh(text.trim()).map_err(|e| bad(value, &e.to_string())))
}

fn agent_signer(sources: &KeySources, key: PublicKey) -> Result<Box<dyn Signer>, SignError> {
    let Some(socket) = &sources.agent_socket else {
        return Err(SignError::NoAgent {
            fingerprint: fingerprint(&key),
        });
    };
    Ok(Box::new(AgentSigner::new(socket, key)?))
}

fn from_key_file(
    git: &Git,
    sources: &KeySources,
    path: &Path,
    value: &str,
) -> Result<Box<dyn Signer>, SignError> {
    let head =
        read_head(path).map_err(|e| bad(value, &format!("cannot read {}: {e}", path.display())))?;
    if !head.starts_with("-----BEGIN") {
        let public = PublicKey::read_openssh_file(path).map_err(|e| {
            bad(
                value,
                &format!(
                    "{} is neither an OpenSSH public nor private key: {e}",
                    path.display()
                ),
            )
        })?;
        if let Some(socket) = &sources.agent_socket
            && AgentSigner::holds(socket, &public)
        {
            return Ok(Box::new(AgentSigner::new(socket, public)?));
        }
        let private = path.with_extension("");
        if path.extension().is_some_and(|e| e == "pub") && private.exists() {
            return from_private_file(git, sources, &private);
        }
        return match &sources.agent_socket {
            Some(socket) => Err(SignError::NotInAgent {
                socket: socket.clone(),
                fingerprint: fingerprint(&public),
            }),
            None => Err(SignError::NoAgent {
                fingerprint: fingerprint(&public),
            }),
        };
    }
    from_private_file(git, sources, path)
}

fn from_private_file(
    git: &Git,
    sources: &KeySources,
    path: &Path,
) -> Result<Box<dyn Signer>, SignError> {
    check_permissions(path)?;
    let program = || -> Result<Box<dyn Signer>, SignError> {
        let prog = git
            .config_get("gpg.ssh.program")?
            .unwrap_or_else(|| "ssh-keygen".to_owned());
        let public = ProgramSigner::public_key_of(path)?;
        Ok(Box::new(ProgramSigner::new(
            prog,
            path,
            public,
            sources.agent_socket.clone(),
            git,
        )))
    };
    let Ok(key) = ssh_key::PrivateKey::read_openssh_file(path) else {
        return program();
    };
    if needs_program(&key.algorithm()) {
        return program();
    }
    if key.is_encrypted() {
        if let Some(socket) = &sources.agent_socket
            && AgentSigner::holds(socket, key.public_key())
        {
            return Ok(Box::new(AgentSigner::new(
                socket,
                key.public_key().clone(),
            )?));
        }
        return program();
    }
    drop(key);
    Ok(Box::new(FileSigner::open(path)?))
}

/// The first bytes of a key file, enough to tell PEM armor from a public key line.
fn read_head(path: &Path) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut buf = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let n = file.read(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn run_default_key_command(git: &Git, command: &str) -> Result<String, SignError> {
    let out = git
        .command_for("sh")
        .args(["-c", command])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| bad(command, &e.to_string()))?;
    if !out.status.success() {
        return Err(bad(
            command,
            &format!("gpg.ssh.defaultKeyCommand failed ({})", out.status),
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or_default().to_owned())
}
