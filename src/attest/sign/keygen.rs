//! `git vouch keygen`: git-vouch's own ed25519 signing key, for people without an SSH signing
//! key. The private key is created with mode 0600 in a folder of mode 0700 and never
//! overwritten; the public key goes beside it as `<path>.pub`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, LineEnding, PrivateKey, PublicKey};

use super::{SignError, fingerprint};
use crate::attest::NAMESPACE;

/// A key [`keygen`] created.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub private_path: PathBuf,
    pub public_path: PathBuf,
    pub public_key: PublicKey,
}

/// Where git-vouch keeps its own key: `<config home>/git-vouch/signing_key`, the config home
/// being `$XDG_CONFIG_HOME` or `~/.config`.
pub fn default_key_path(xdg_config_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match xdg_config_home.filter(|p| p.is_absolute()) {
        Some(x) => x.to_owned(),
        None => home?.join(".config"),
    };
    Some(base.join("git-vouch").join("signing_key"))
}

/// Creates a new ed25519 key at `path` (and `path.pub`), refusing to overwrite either.
pub fn keygen(path: &Path, comment: &str) -> Result<GeneratedKey, SignError> {
    let public_path = PathBuf::from(format!("{}.pub", path.display()));
    for p in [path, public_path.as_path()] {
        if p.exists() {
            return Err(SignError::Exists { path: p.to_owned() });
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut key = PrivateKey::random(&mut OsRng, Algorithm::Ed25519)
        .map_err(|e| SignError::Sign(e.to_string()))?;
    key.set_comment(comment);
    let pem = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| SignError::Sign(e.to_string()))?;
    write_new(path, pem.as_bytes(), 0o600)?;
    let public_key = key.public_key().clone();
    let mut line = public_key
        .to_openssh()
        .map_err(|e| SignError::Sign(e.to_string()))?;
    line.push('\n');
    write_new(&public_path, line.as_bytes(), 0o644)?;
    Ok(GeneratedKey {
        private_path: path.to_owned(),
        public_path,
        public_key,
    })
}

impl GeneratedKey {
    /// The allowed_signers line for `principal` (usually the person's email), scoped to the
    /// git-vouch namespace.
    pub fn allowed_signers_line(&self, principal: &str) -> String {
        let key = self.public_key.to_openssh().unwrap_or_default();
        let key = key.split(' ').take(2).collect::<Vec<_>>().join(" ");
        format!("{principal} namespaces=\"{NAMESPACE}\" {key}")
    }

    /// What to tell the person: the fingerprint, the allowed_signers line, and how to make git
    /// (and so git-vouch) use the key.
    pub fn instructions(&self, principal: &str) -> String {
        format!(
            "Created {private} ({fp}).\n\n\
             Add this line to your team's allowed signers file (git config gpg.ssh.allowedSignersFile):\n\n  \
             {line}\n\n\
             git-vouch signs with this key when git has no SSH signing key. To sign commits with it too:\n\n  \
             git config --global gpg.format ssh\n  \
             git config --global user.signingkey {private}\n",
            private = self.private_path.display(),
            fp = fingerprint(&self.public_key),
            line = self.allowed_signers_line(principal),
        )
    }
}

fn create_private_dir(dir: &Path) -> Result<(), SignError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| SignError::Write {
        path: dir.to_owned(),
        source,
    })
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> Result<(), SignError> {
    let err = |source| SignError::Write {
        path: path.to_owned(),
        source,
    };
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            SignError::Exists {
                path: path.to_owned(),
            }
        } else {
            err(e)
        }
    })?;
    file.write_all(bytes).map_err(err)?;
    file.sync_all().map_err(err)
}
