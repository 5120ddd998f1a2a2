//! The fallback signer: `ssh-keygen -Y sign -n git-vouch@git-vouch.dev -f <key>` (or git's
//! `gpg.ssh.program`), as git signs commits. It covers FIDO `sk-` keys (touch), passphrase
//! prompts on the terminal, and keys held by the agent when `<key>` is a public key file.
//!
//! The message goes in on stdin, never through a file another process could rewrite, and the
//! signature comes back on stdout. ssh-keygen's messages ("Confirm user presence…") are passed
//! through to stderr as they arrive, except its "Signing data on standard input" notice.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use ssh_key::{PublicKey, SshSig};

use super::{SignError, Signer, fingerprint};
use crate::attest::NAMESPACE;
use crate::git::Git;

/// Signs by running ssh-keygen (or a compatible program) on a key file.
#[derive(Debug, Clone)]
pub struct ProgramSigner {
    program: OsString,
    key_file: PathBuf,
    public: PublicKey,
    agent_socket: Option<PathBuf>,
    env: Git,
}

impl ProgramSigner {
    /// `program -Y sign … -f key_file`, run with `env`'s directory and environment;
    /// `SSH_AUTH_SOCK` is set to `agent_socket` (or removed).
    pub fn new(
        program: impl Into<OsString>,
        key_file: &Path,
        public: PublicKey,
        agent_socket: Option<PathBuf>,
        env: &Git,
    ) -> Self {
        Self {
            program: program.into(),
            key_file: key_file.to_owned(),
            public,
            agent_socket,
            env: env.clone(),
        }
    }

    /// The public key of a key file: from `<file>.pub`, from the file itself when it is a
    /// public key, or from an OpenSSH private key's public part (readable without passphrase).
    pub fn public_key_of(key_file: &Path) -> Result<PublicKey, SignError> {
        let mut pub_path = key_file.as_os_str().to_owned();
        pub_path.push(".pub");
        for candidate in [Path::new(&pub_path), key_file] {
            if let Ok(k) = PublicKey::read_openssh_file(candidate) {
                return Ok(k);
            }
        }
        ssh_key::PrivateKey::read_openssh_file(key_file)
            .map(|k| k.public_key().clone())
            .map_err(|e| SignError::ReadKey {
                path: key_file.to_owned(),
                message: format!(
                    "cannot tell its public key (put {} beside it): {e}",
                    Path::new(&pub_path).display()
                ),
            })
    }

    fn program_name(&self) -> String {
        self.program.to_string_lossy().into_owned()
    }

    fn fail(&self, message: String) -> SignError {
        SignError::Program {
            program: self.program_name(),
            message,
        }
    }
}

impl Signer for ProgramSigner {
    fn sign(&self, message: &[u8]) -> Result<SshSig, SignError> {
        let mut cmd = self.env.command_for(&self.program);
        cmd.args(["-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(&self.key_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match &self.agent_socket {
            Some(s) => cmd.env("SSH_AUTH_SOCK", s),
            None => cmd.env_remove("SSH_AUTH_SOCK"),
        };
        let mut child = cmd.spawn().map_err(|e| self.fail(e.to_string()))?;
        let relay = child.stderr.take().map(|err| {
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if !line.starts_with("Signing data on standard input") {
                        eprintln!("{line}");
                        seen.push(line);
                    }
                }
                seen.join("; ")
            })
        });
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(message);
        }
        let out = child
            .wait_with_output()
            .map_err(|e| self.fail(e.to_string()))?;
        let stderr = relay.and_then(|h| h.join().ok()).unwrap_or_default();
        if !out.status.success() {
            return Err(self.fail(format!("{} {stderr}", out.status).trim().to_owned()));
        }
        let sig = SshSig::from_pem(&out.stdout)
            .map_err(|e| self.fail(format!("unreadable signature: {e}")))?;
        if sig.public_key() != self.public.key_data() || sig.namespace() != NAMESPACE {
            return Err(self.fail(format!(
                "signed with {} in namespace {:?}, expected {} in {NAMESPACE:?}",
                fingerprint(&PublicKey::from(sig.public_key().clone())),
                sig.namespace(),
                fingerprint(&self.public)
            )));
        }
        Ok(sig)
    }
    fn public_key(&self) -> &PublicKey {
        &self.public
    }
    fn describe(&self) -> String {
        format!(
            "{} -Y sign with {}",
            self.program_name(),
            self.key_file.display()
        )
    }
}
