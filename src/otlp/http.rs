//! OTLP over HTTP/1.1: one POST per batch (`application/x-protobuf` or `application/json`,
//! gzip on request) on a kept-alive connection, with TLS for `https` (Mozilla's roots plus
//! `OTEL_EXPORTER_OTLP_CERTIFICATE`).

use std::fmt::Write as _;
use std::io::{self, BufReader, Read, Write};
use std::time::Duration;

use super::channel::{Reply, Trouble};
use super::target::{Protocol, Target};
use crate::recorder::http::{Framing, Head, relay_body};
use crate::recorder::upstream::{Conn, TlsConfig, Upstream};

/// The most of a response body kept (an error's text).
const MAX_REPLY: usize = 64 * 1024;

pub struct HttpChannel {
    tls: TlsConfig,
    timeout: Duration,
    headers: Vec<(String, String)>,
    json: bool,
    gzip: bool,
    /// The open connection and the URL it reaches.
    open: Option<(String, BufReader<Conn>)>,
}

impl HttpChannel {
    pub fn new(target: &Target, tls: TlsConfig) -> Self {
        Self {
            tls,
            timeout: target.timeout,
            headers: target.headers.clone(),
            json: target.protocol == Protocol::HttpJson,
            gzip: target.gzip,
            open: None,
        }
    }

    /// POSTs `body` to `url` and reads the answer.
    pub fn post(&mut self, url: &str, body: &[u8]) -> Result<Reply, Trouble> {
        let upstream = Upstream::parse(url).map_err(|e| Trouble::Fatal(e.to_string()))?;
        let body = if self.gzip {
            super::channel::gzip(body).map_err(|e| Trouble::Fatal(e.to_string()))?
        } else {
            body.to_vec()
        };
        let (reused, mut conn) = match self.open.take() {
            Some((open_url, conn)) if open_url == url => (true, conn),
            _ => (false, self.connect(&upstream)?),
        };
        let request = self.request(&upstream, body.len());
        let sent = write_all(&mut conn, &request, &body);
        let answer = sent.and_then(|()| read_reply(&mut conn));
        match answer {
            Ok((reply, keep)) => {
                if keep {
                    self.open = Some((url.to_owned(), conn));
                }
                Ok(reply)
            }
            // A kept-alive connection the server closed meanwhile: once more on a new one.
            Err(_) if reused => self.post_fresh(&upstream, url, &request, &body),
            Err(e) => Err(Trouble::from_io(&e)),
        }
    }

    fn post_fresh(
        &mut self,
        upstream: &Upstream,
        url: &str,
        request: &[u8],
        body: &[u8],
    ) -> Result<Reply, Trouble> {
        let mut conn = self.connect(upstream)?;
        write_all(&mut conn, request, body).map_err(|e| Trouble::from_io(&e))?;
        let (reply, keep) = read_reply(&mut conn).map_err(|e| Trouble::from_io(&e))?;
        if keep {
            self.open = Some((url.to_owned(), conn));
        }
        Ok(reply)
    }

    fn connect(&self, upstream: &Upstream) -> Result<BufReader<Conn>, Trouble> {
        upstream
            .connect_within(&self.tls, self.timeout)
            .map(BufReader::new)
            .map_err(|e| Trouble::from_io(&e))
    }

    fn request(&self, upstream: &Upstream, length: usize) -> Vec<u8> {
        let kind = if self.json {
            "application/json"
        } else {
            "application/x-protobuf"
        };
        let path = upstream.target("");
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\nUser-Agent: git-vouch/{}\r\n",
            if path.is_empty() { "/" } else { &path },
            upstream.host_header(),
            env!("CARGO_PKG_VERSION"),
        );
        if self.gzip {
            head.push_str("Content-Encoding: gzip\r\n");
        }
        for (k, v) in &self.headers {
            let _ = write!(head, "{k}: {v}\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn write_all(conn: &mut BufReader<Conn>, head: &[u8], body: &[u8]) -> io::Result<()> {
    let c = conn.get_mut();
    c.write_all(head)?;
    c.write_all(body)?;
    c.flush()
}

/// The status, `Retry-After` and body of the response, and whether the connection stays open.
fn read_reply(conn: &mut BufReader<Conn>) -> io::Result<(Reply, bool)> {
    let head = Head::read(conn)?.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "the collector closed the connection",
        )
    })?;
    let framing = head.framing(false, false)?;
    let mut body = Vec::new();
    relay_body(framing, conn, &mut io::sink(), &mut |piece: &[u8]| {
        let room = MAX_REPLY.saturating_sub(body.len());
        body.extend_from_slice(&piece[..piece.len().min(room)]);
    })
    .map_err(|e| match e {
        crate::recorder::http::RelayError::Source(e)
        | crate::recorder::http::RelayError::Sink(e) => e,
    })?;
    let gzipped = head
        .get("content-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("gzip"));
    if gzipped {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(body.as_slice())
            .take(MAX_REPLY as u64)
            .read_to_end(&mut plain)?;
        body = plain;
    }
    let keep = !head.closes() && framing != Framing::Close;
    let reply = Reply {
        status: head.status(),
        retry_after: head
            .get("retry-after")
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs),
        body,
        grpc: None,
    };
    Ok((reply, keep))
}
