//! HTTP/1.1 as the recorder relays it: a message head read whole and kept line for line (only the
//! lines the recorder must change are rewritten), and a body copied byte for byte as it arrives,
//! with its framing followed so the connection can carry the next message.

use std::io::{self, BufRead, Write};

/// The longest head accepted.
const MAX_HEAD: usize = 256 * 1024;

/// A request or status line and its header lines, as received (without line endings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub start: String,
    pub lines: Vec<String>,
}

/// How a body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Until the connection closes (a response without length or chunks).
    Close,
}

impl Head {
    /// Reads a head; `Ok(None)` when the connection closed before its first byte.
    pub fn read(from: &mut impl BufRead) -> io::Result<Option<Self>> {
        let mut raw = Vec::new();
        loop {
            let before = raw.len();
            let limit = (MAX_HEAD + 1 - raw.len()) as u64;
            let n = io::Read::take(&mut *from, limit).read_until(b'\n', &mut raw)?;
            if n == 0 {
                if raw.is_empty() {
                    return Ok(None);
                }
                return Err(bad("the connection closed inside a message head"));
            }
            if raw.len() > MAX_HEAD {
                return Err(bad("a message head longer than 256 KiB"));
            }
            let line = &raw[before..];
            if (line == b"\r\n" || line == b"\n") && before > 0 {
                break;
            }
        }
        let text = String::from_utf8_lossy(&raw);
        let mut lines = text.lines().map(str::to_owned);
        let start = lines.next().unwrap_or_default();
        if start.is_empty() {
            return Err(bad("an empty request or status line"));
        }
        Ok(Some(Self {
            start,
            lines: lines.filter(|l| !l.is_empty()).collect(),
        }))
    }

    /// The value of the first header `name` (ASCII case ignored), trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.lines.iter().find_map(|l| value_of(l, name))
    }

    /// Replaces every `name` header with one line (appended when there was none).
    pub fn set(&mut self, name: &str, value: &str) {
        self.remove(name);
        self.lines.push(format!("{name}: {value}"));
    }

    pub fn remove(&mut self, name: &str) {
        self.lines.retain(|l| value_of(l, name).is_none());
    }

    /// The request's method and target (`POST`, `/v1/messages?beta=true`).
    pub fn request_line(&self) -> Option<(&str, &str)> {
        let mut parts = self.start.split(' ');
        Some((parts.next()?, parts.next()?))
    }

    /// Whether the start line is an HTTP/1 status line (`HTTP/1.1 200 OK`).
    pub fn is_response(&self) -> bool {
        self.start.starts_with("HTTP/1.") && (100..600).contains(&self.status())
    }

    /// Whether the start line is an HTTP/1 request line (`POST /v1/messages HTTP/1.1`).
    pub fn is_request(&self) -> bool {
        let parts: Vec<&str> = self.start.split(' ').collect();
        matches!(parts.as_slice(), [m, t, v] if !m.is_empty() && t.starts_with('/') && v.starts_with("HTTP/1."))
    }

    /// A response's status code.
    pub fn status(&self) -> u16 {
        self.start
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// How the body after this head ends; `request` says whether this head is a request's, and
    /// `head_request` whether the request answered was a `HEAD`.
    pub fn framing(&self, request: bool, head_request: bool) -> io::Result<Framing> {
        if !request {
            let status = self.status();
            if head_request || status == 204 || status == 304 || (100..200).contains(&status) {
                return Ok(Framing::None);
            }
        }
        if self
            .get("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            return Ok(Framing::Chunked);
        }
        match self.get("content-length") {
            Some(v) => v
                .parse()
                .map(Framing::Length)
                .map_err(|_| bad("a Content-Length that is not a number")),
            None if request => Ok(Framing::None),
            None => Ok(Framing::Close),
        }
    }

    /// Whether the connection closes after this message.
    pub fn closes(&self) -> bool {
        self.get("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"))
            || self.start.starts_with("HTTP/1.0")
    }

    pub fn write(&self, to: &mut impl Write) -> io::Result<()> {
        let mut out = String::with_capacity(self.start.len() + 64 * self.lines.len());
        out.push_str(&self.start);
        out.push_str("\r\n");
        for l in &self.lines {
            out.push_str(l);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        to.write_all(out.as_bytes())
    }
}

fn value_of<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (n, v) = line.split_once(':')?;
    n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
}

pub fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

/// Copies a body from `from` to `to` byte for byte, flushing after every read so each piece
/// (a server-sent event) goes on as it arrives, and hands `copy` the body's content (chunk
/// framing removed). Returns the bytes relayed. An error writing to `to` is
/// [`RelayError::Sink`], one reading `from` is [`RelayError::Source`].
pub fn relay_body(
    framing: Framing,
    from: &mut impl BufRead,
    to: &mut impl Write,
    copy: &mut dyn FnMut(&[u8]),
) -> Result<u64, RelayError> {
    let mut relay = Relay {
        from,
        to,
        copy,
        relayed: 0,
    };
    match framing {
        Framing::None => {}
        Framing::Length(n) => relay.exact(n, "the body ended early")?,
        Framing::Close => while relay.piece(u64::MAX)? > 0 {},
        Framing::Chunked => loop {
            let size_line = relay.line()?;
            if size_line.is_empty() {
                return Err(RelayError::Source(bad("the chunked body ended early")));
            }
            let text = String::from_utf8_lossy(&size_line);
            let hex = text.trim().split(';').next().unwrap_or("");
            let size = u64::from_str_radix(hex, 16)
                .map_err(|_| RelayError::Source(bad("a chunk size that is not hexadecimal")))?;
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    let line = relay.line()?;
                    if line.is_empty() || line == b"\r\n" || line == b"\n" {
                        return Ok(relay.relayed);
                    }
                }
            }
            relay.exact(size, "a chunk ended early")?;
            relay.line()?;
        },
    }
    Ok(relay.relayed)
}

/// A body on its way: framing lines are passed on, content is passed on and copied.
struct Relay<'a, R, W> {
    from: &'a mut R,
    to: &'a mut W,
    copy: &'a mut dyn FnMut(&[u8]),
    relayed: u64,
}

impl<R: BufRead, W: Write> Relay<'_, R, W> {
    fn pass(to: &mut W, bytes: &[u8]) -> Result<(), RelayError> {
        to.write_all(bytes).map_err(RelayError::Sink)?;
        to.flush().map_err(RelayError::Sink)
    }

    /// Passes on and copies what is buffered, at most `max` bytes; 0 at the end of the input.
    fn piece(&mut self, max: u64) -> Result<u64, RelayError> {
        let buf = self.from.fill_buf().map_err(RelayError::Source)?;
        let n = buf.len().min(usize::try_from(max).unwrap_or(usize::MAX));
        Self::pass(self.to, &buf[..n])?;
        (self.copy)(&buf[..n]);
        self.from.consume(n);
        self.relayed += n as u64;
        Ok(n as u64)
    }

    /// Passes on and copies exactly `n` bytes.
    fn exact(&mut self, mut n: u64, early: &str) -> Result<(), RelayError> {
        while n > 0 {
            match self.piece(n)? {
                0 => return Err(RelayError::Source(bad(early))),
                got => n -= got,
            }
        }
        Ok(())
    }

    /// Passes on one framing line (not copied).
    fn line(&mut self) -> Result<Vec<u8>, RelayError> {
        let mut line = Vec::new();
        self.from
            .read_until(b'\n', &mut line)
            .map_err(RelayError::Source)?;
        Self::pass(self.to, &line)?;
        self.relayed += line.len() as u64;
        Ok(line)
    }
}

/// Which side of a relay failed.
#[derive(Debug)]
pub enum RelayError {
    Source(io::Error),
    Sink(io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_read_changed_and_written_back() {
        let raw = b"POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.1:9\r\nx-api-key: tok\r\nContent-Length: 2\r\n\r\n{}";
        let mut r = io::BufReader::new(&raw[..]);
        let mut head = Head::read(&mut r).unwrap().unwrap();
        assert_eq!(
            head.request_line(),
            Some(("POST", "/v1/messages?beta=true"))
        );
        assert_eq!(head.get("X-API-KEY"), Some("tok"));
        assert_eq!(head.framing(true, false).unwrap(), Framing::Length(2));
        head.set("host", "api.example.com");
        let mut out = Vec::new();
        head.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with("host: api.example.com\r\n\r\n"), "{text}");
        assert!(!text.contains("127.0.0.1"));
    }

    #[test]
    fn start_lines_are_told_apart() {
        let head = |start: &str| Head {
            start: start.to_owned(),
            lines: Vec::new(),
        };
        assert!(head("HTTP/1.1 429 Too Many Requests").is_response());
        assert!(head("POST /v1/messages?beta=true HTTP/1.1").is_request());
        for garbage in ["SSH-2.0-OpenSSH_9.2", "HTTP/1.1 OK", "HTTP/2 200"] {
            assert!(!head(garbage).is_response(), "{garbage}");
        }
        for garbage in ["GET", "hello world", "POST v1 HTTP/1.1", "GET / SPDY/3"] {
            assert!(!head(garbage).is_request(), "{garbage}");
        }
    }

    #[test]
    fn a_chunked_body_is_relayed_verbatim_and_its_content_copied() {
        let raw = b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\nNEXT";
        let mut r = io::BufReader::new(&raw[..]);
        let (mut out, mut copied) = (Vec::new(), Vec::new());
        let n = relay_body(Framing::Chunked, &mut r, &mut out, &mut |b| {
            copied.extend_from_slice(b);
        })
        .unwrap();
        assert_eq!(out, &raw[..raw.len() - 4]);
        assert_eq!(n, out.len() as u64);
        assert_eq!(copied, b"hello world");
    }

    #[test]
    fn a_truncated_body_is_an_error_of_the_source() {
        let mut r = io::BufReader::new(&b"abc"[..]);
        let result = relay_body(Framing::Length(10), &mut r, &mut Vec::new(), &mut |_| {});
        assert!(matches!(result, Err(RelayError::Source(_))));
        let mut r = io::BufReader::new(&b""[..]);
        assert!(Head::read(&mut r).unwrap().is_none());
    }
}
