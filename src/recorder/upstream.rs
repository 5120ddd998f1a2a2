//! Where the recorder forwards to: the API's base URL (`https://api.anthropic.com`, or the
//! `ANTHROPIC_BASE_URL` it was started with), reached over TCP, with TLS for `https`.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;

use super::RecorderError;

/// Anthropic's API, when no other upstream is given.
pub const DEFAULT: &str = "https://api.anthropic.com";

/// A base URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub url: String,
    tls: bool,
    host: String,
    port: u16,
    /// The path requests are forwarded under (`""` or `/gateway`), without a trailing `/`.
    base_path: String,
}

impl Upstream {
    pub fn parse(url: &str) -> Result<Self, RecorderError> {
        let wrong = |why: &str| RecorderError::Upstream {
            url: url.to_owned(),
            why: why.to_owned(),
        };
        let (tls, rest) = if let Some(r) = url.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(wrong("it is not an http:// or https:// URL"));
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.is_empty() || authority.contains('@') {
            return Err(wrong("it names no host (or carries credentials)"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
                h.to_owned(),
                p.parse().map_err(|_| wrong("its port is not a number"))?,
            ),
            _ => (authority.to_owned(), if tls { 443 } else { 80 }),
        };
        Ok(Self {
            url: url.to_owned(),
            tls,
            host,
            port,
            base_path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// The `Host` header for it.
    pub fn host_header(&self) -> String {
        let default = if self.tls { 443 } else { 80 };
        if self.port == default {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The path to request for a client's `target` (`/v1/messages?beta=true`).
    pub fn target(&self, target: &str) -> String {
        format!("{}{target}", self.base_path)
    }

    /// Opens a connection.
    pub fn connect(&self, tls: &TlsConfig) -> io::Result<Conn> {
        let tcp = TcpStream::connect((self.host.trim_matches(['[', ']']), self.port))?;
        tcp.set_read_timeout(Some(Duration::from_mins(10)))?;
        self.secure(tcp, tls)
    }

    /// Opens a connection within `timeout`, whose reads and writes each wait at most that long.
    pub fn connect_within(&self, tls: &TlsConfig, timeout: Duration) -> io::Result<Conn> {
        use std::net::ToSocketAddrs;
        let host = self.host.trim_matches(['[', ']']);
        let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
        for addr in (host, self.port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(tcp) => {
                    tcp.set_read_timeout(Some(timeout))?;
                    tcp.set_write_timeout(Some(timeout))?;
                    return self.secure(tcp, tls);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The host and port, for a client of its own (gRPC).
    pub fn address(&self) -> (&str, u16) {
        (self.host.trim_matches(['[', ']']), self.port)
    }

    pub const fn is_tls(&self) -> bool {
        self.tls
    }

    fn secure(&self, tcp: TcpStream, tls: &TlsConfig) -> io::Result<Conn> {
        tcp.set_nodelay(true)?;
        if !self.tls {
            return Ok(Conn::Plain(tcp));
        }
        let name = ServerName::try_from(self.host.trim_matches(['[', ']']).to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let session = rustls::ClientConnection::new(tls.0.clone(), name)
            .map_err(|e| io::Error::other(e.to_string()))?;
        Ok(Conn::Tls(Box::new(rustls::StreamOwned::new(session, tcp))))
    }
}

/// The TLS settings: Mozilla's roots, plus the certificates of `SSL_CERT_FILE` when set (a
/// company gateway's own authority).
#[derive(Clone)]
pub struct TlsConfig(Arc<rustls::ClientConfig>);

impl TlsConfig {
    /// The settings, for a client that speaks TLS itself.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        self.0.clone()
    }

    pub fn new(extra_ca_file: Option<&std::path::Path>) -> Result<Self, RecorderError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = extra_ca_file {
            use rustls::pki_types::pem::PemObject;
            let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|e| RecorderError::CaFile {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                })?;
            for cert in certs {
                roots.add(cert).map_err(|e| RecorderError::CaFile {
                    path: path.to_path_buf(),
                    why: e.to_string(),
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| RecorderError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self(Arc::new(config)))
    }
}

/// A connection to the upstream.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Conn {
    /// Closes the connection both ways (cancelling a response still streaming).
    pub fn shutdown(&self) {
        let tcp = match self {
            Self::Plain(t) => t,
            Self::Tls(s) => &s.sock,
        };
        let _ = tcp.shutdown(std::net::Shutdown::Both);
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(t) => t.read(buf),
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(t) => t.write(buf),
            Self::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(t) => t.flush(),
            Self::Tls(s) => s.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_taken_apart() {
        let u = Upstream::parse("https://api.anthropic.com").unwrap();
        assert_eq!(
            (u.host_header(), u.target("/v1/messages")),
            ("api.anthropic.com".into(), "/v1/messages".into())
        );
        let g = Upstream::parse("http://127.0.0.1:8080/gw/").unwrap();
        assert_eq!(
            (g.host_header(), g.target("/v1/messages?beta=true")),
            ("127.0.0.1:8080".into(), "/gw/v1/messages?beta=true".into())
        );
        for bad in [
            "ftp://x",
            "https://",
            "http://user:pw@host",
            "http://h:port",
        ] {
            assert!(Upstream::parse(bad).is_err(), "{bad}");
        }
    }
}
