//! Finding the trust files as git does for `git log --show-signature`: an explicit file (the
//! CLI's `--allowed-signers`) or `gpg.ssh.allowedSignersFile`, plus `gpg.ssh.revocationFile`.
//! `~/` is expanded by git; relative paths are taken from the repository folder.

use std::path::{Path, PathBuf};

use super::{AllowedSigners, AllowedSignersError};
use crate::git::{Git, GitError};

/// Why no trust store could be set up.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("reading git config: {0}")]
    Git(#[from] GitError),
    #[error(
        "no allowed signers file: pass one, or set `git config gpg.ssh.allowedSignersFile <file>`"
    )]
    NotConfigured,
    #[error(transparent)]
    File(#[from] AllowedSignersError),
}

impl AllowedSigners {
    /// The allowed signers of `file`, else of `gpg.ssh.allowedSignersFile`, with the keys of
    /// `gpg.ssh.revocationFile` revoked. Returns the file read too, for messages.
    pub fn from_git_config(git: &Git, file: Option<&Path>) -> Result<(Self, PathBuf), TrustError> {
        let path = match file {
            Some(f) => f.to_owned(),
            None => git
                .config_path("gpg.ssh.allowedSignersFile")?
                .ok_or(TrustError::NotConfigured)?,
        };
        let path = in_repo(git, path);
        let mut signers = Self::load(&path)?;
        if let Some(revoked) = git.config_path("gpg.ssh.revocationFile")? {
            signers.load_revocations(&in_repo(git, revoked))?;
        }
        Ok((signers, path))
    }
}

fn in_repo(git: &Git, path: PathBuf) -> PathBuf {
    if path.is_relative() {
        git.dir().join(path)
    } else {
        path
    }
}
