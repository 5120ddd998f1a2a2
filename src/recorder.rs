//! The recorder: every model exchange between an agent and the API, recorded through a local
//! proxy (`git vouch record`). The agent is pointed at a loopback port (`ANTHROPIC_BASE_URL`);
//! each request goes on to the upstream with only its `Host`, its base path and, for the one-run
//! token the agent was given instead of the key, its credential changed; each response comes
//! back byte for byte as it arrives ([`proxy`]). A copy is reassembled ([`sse`]) and, once the
//! response has ended, stored redacted and content-addressed ([`exchange`], [`store`]).
//!
//! Recording only: the store is read by the layers above.

pub mod accounting;
pub mod browse;
pub mod exchange;
pub mod http;
pub mod proxy;
pub mod sse;
pub mod store;
pub mod upstream;
pub mod writer;

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::money::Usd;
use crate::usage::Tokens;

/// Why the recorder cannot start or store.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    #[error("upstream {url}: {why}")]
    Upstream { url: String, why: String },
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("certificate file {}: {why}", path.display())]
    CaFile { path: PathBuf, why: String },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("exchange store {}: {source}", path.display())]
    Store {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("exchange store folder {}: {source}", path.display())]
    StoreIo {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RecorderError {
    /// The store or folder it is about, when it is about one.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Store { path, .. } | Self::StoreIo { path, .. } | Self::CaFile { path, .. } => {
                Some(path)
            }
            _ => None,
        }
    }
}

/// Which header carries a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialHeader {
    /// `x-api-key: KEY` (`ANTHROPIC_API_KEY`).
    ApiKey,
    /// `authorization: Bearer TOKEN` (`ANTHROPIC_AUTH_TOKEN`).
    Bearer,
}

/// A real credential kept in the recorder, and the one-run token the agent holds instead.
#[derive(Clone)]
pub struct Credential {
    pub header: CredentialHeader,
    pub token: String,
    secret: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("header", &self.header)
            .field("token", &"…")
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Keeps `secret` and makes a fresh random token for the agent.
    pub fn new(header: CredentialHeader, secret: String) -> std::io::Result<Self> {
        Ok(Self {
            header,
            token: format!("vouch-run-{}", random_hex(24)?),
            secret,
        })
    }

    /// Puts the real credential where the request carries this run's token; any other
    /// credential (a claude.ai login's) goes on untouched.
    pub fn swap(&self, head: &mut http::Head) {
        match self.header {
            CredentialHeader::ApiKey => {
                if head.get("x-api-key") == Some(self.token.as_str()) {
                    head.set("x-api-key", &self.secret);
                }
            }
            CredentialHeader::Bearer => {
                let bearer = format!("Bearer {}", self.token);
                if head.get("authorization") == Some(bearer.as_str()) {
                    head.set("authorization", &format!("Bearer {}", self.secret));
                }
            }
        }
    }
}

/// Random bytes as hex, from the system's generator.
fn random_hex(bytes: usize) -> std::io::Result<String> {
    use std::fmt::Write;
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    }))
}

/// What a recorder recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub exchanges: u64,
    /// Exchanges that did not end in a 2xx response relayed whole.
    pub failed: u64,
    /// Requests answered with an error instead, the cost cap being passed.
    pub refused: u64,
    pub tokens: Tokens,
    pub cost: Usd,
    /// Exchanges relayed but not stored, and why.
    pub store_errors: Vec<String>,
}
