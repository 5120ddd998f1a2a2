//! The recording proxy: a loopback listener, a thread per client connection, each request
//! forwarded to the upstream with only its `Host`, its target's base path and (for the one-run
//! token) its credential changed, and each response relayed byte for byte as it arrives while a
//! copy is reassembled and, once the response has ended, stored.

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::exchange::Outcome;
use super::http::{Framing, Head, RelayError, relay_body};
use super::sse::{Assembler, EventParser, Response, from_json};
use super::store::Store;
use super::upstream::{Conn, TlsConfig, Upstream};
use super::writer::{Done, Writer};
use super::{Credential, RecorderError, Totals};
use crate::clock::Clock;
use crate::money::Usd;
use crate::pricing::PriceTable;

/// The most of a non-streamed response body the copy keeps (larger ones are relayed whole but
/// not reassembled).
const MAX_COPY: usize = 32 << 20;

/// How long stopping waits for exchanges under way.
pub const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What every connection thread shares.
pub struct Shared {
    pub upstream: Upstream,
    pub tls: TlsConfig,
    pub credential: Option<Credential>,
    pub clock: Arc<dyn Clock>,
    pub prices: PriceTable,
    /// Requests for a model's answer are refused once the recorded cost reaches this.
    pub max_cost: Option<Usd>,
    writer: Writer,
    totals: Mutex<Totals>,
    stopping: AtomicBool,
    /// Exchanges between their request's head and their record.
    in_flight: AtomicUsize,
}

/// A running recorder.
pub struct Recorder {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<std::thread::JoinHandle<()>>,
}

/// What a recorder is started with.
pub struct Options {
    pub upstream: Upstream,
    pub tls: TlsConfig,
    pub credential: Option<Credential>,
    pub clock: Arc<dyn Clock>,
    pub prices: PriceTable,
    pub max_cost: Option<Usd>,
    pub store: Store,
}

impl Recorder {
    /// Listens on `addr` (a loopback address) and serves on a background thread.
    pub fn start(addr: SocketAddr, options: Options) -> Result<Self, RecorderError> {
        let listener =
            TcpListener::bind(addr).map_err(|source| RecorderError::Listen { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| RecorderError::Listen { addr, source })?;
        let shared = Arc::new(Shared {
            upstream: options.upstream,
            tls: options.tls,
            credential: options.credential,
            clock: options.clock,
            prices: options.prices,
            max_cost: options.max_cost,
            writer: Writer::start(options.store),
            totals: Mutex::new(Totals::default()),
            stopping: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
        });
        let for_thread = Arc::clone(&shared);
        let accept = std::thread::spawn(move || accept_loop(&listener, &for_thread));
        Ok(Self {
            shared,
            addr,
            accept: Some(accept),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL an agent is pointed at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What was recorded so far.
    pub fn totals(&self) -> Totals {
        let mut t = self
            .shared
            .totals
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default();
        if let Ok(errors) = self.shared.writer.errors.lock() {
            t.store_errors.clone_from(&errors);
        }
        t
    }

    /// Stops accepting connections and waits (at most [`STOP_WAIT`]) for the exchanges under
    /// way to be recorded.
    pub fn stop(mut self) -> Totals {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
        let until = Instant::now() + STOP_WAIT;
        while self.shared.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        self.shared.writer.finish();
        self.totals()
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(shared);
        std::thread::spawn(move || serve(stream, &shared));
    }
}

/// Serves one client connection, request after request.
fn serve(client: TcpStream, shared: &Shared) {
    let _ = client.set_nodelay(true);
    let Ok(read_half) = client.try_clone() else {
        return;
    };
    let mut from_client = BufReader::new(read_half);
    let mut to_client = client;
    let mut upstream: Option<BufReader<Conn>> = None;
    loop {
        let head = match Head::read(&mut from_client) {
            Ok(Some(h)) => h,
            Ok(None) => return,
            Err(e) => {
                let _ = reply_error(&mut to_client, 400, "invalid_request_error", &e.to_string());
                return;
            }
        };
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let next = exchange(
            head,
            &mut from_client,
            &mut to_client,
            &mut upstream,
            shared,
        );
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        if matches!(next, Next::Close) {
            return;
        }
    }
}

enum Next {
    Continue,
    Close,
}

/// Forwards one request and relays its response; records the exchange.
fn exchange(
    mut head: Head,
    from_client: &mut BufReader<TcpStream>,
    to_client: &mut TcpStream,
    upstream: &mut Option<BufReader<Conn>>,
    shared: &Shared,
) -> Next {
    let started_at = Instant::now();
    let started = shared.clock.now();
    let request = head
        .request_line()
        .filter(|_| head.is_request())
        .map(|(m, t)| (m.to_owned(), t.to_owned()));
    let Some((method, target)) = request else {
        let why = format!(
            "git-vouch record: not an HTTP/1 request: {:?}",
            words(&head.start)
        );
        let _ = reply_error(to_client, 400, "invalid_request_error", &why);
        return Next::Close;
    };
    let mut body = Vec::new();
    let framing = match head.framing(true, false) {
        Ok(f) => f,
        Err(e) => {
            let _ = reply_error(to_client, 400, "invalid_request_error", &e.to_string());
            return Next::Close;
        }
    };
    if relay_body(framing, from_client, &mut std::io::sink(), &mut |b| {
        body.extend_from_slice(b);
    })
    .is_err()
    {
        return Next::Close;
    }
    let client_closes = head.closes();
    let path = target.split('?').next().unwrap_or("").to_owned();
    let body: Arc<[u8]> = body.into();
    let original = head.clone();
    // The request as the upstream gets it.
    head.start = format!(
        "{method} {} {}",
        shared.upstream.target(&target),
        version(&head.start)
    );
    head.set("Host", &shared.upstream.host_header());
    if let Some(c) = &shared.credential {
        c.swap(&mut head);
    }
    if matches!(framing, Framing::Chunked) {
        head.remove("transfer-encoding");
        head.set("Content-Length", &body.len().to_string());
    }
    let outcome = match shared.refusal(&method, &path) {
        Some(why) => {
            let _ = reply_error(to_client, 400, "invalid_request_error", &why);
            Forwarded::refused(why)
        }
        None => forward(
            &head, &body, &method, to_client, upstream, shared, started_at,
        ),
    };
    shared.count(&outcome);
    let closes = outcome.closes;
    let whole = matches!(outcome.state, Outcome::Completed);
    shared.writer.exchange(
        started,
        (&method, &path, original),
        Arc::clone(&body),
        Done {
            status: outcome.status,
            request_id: outcome.request_id,
            ttfb_ms: outcome.ttfb_ms,
            duration_ms: started_at.elapsed().as_millis() as u64,
            response: outcome.response,
            bytes: outcome.bytes,
            state: outcome.state,
        },
    );
    if whole && !client_closes && !closes {
        Next::Continue
    } else {
        Next::Close
    }
}

/// What forwarding one request gave.
struct Forwarded {
    status: u16,
    request_id: Option<String>,
    ttfb_ms: Option<u64>,
    response: Option<Response>,
    bytes: u64,
    state: Outcome,
    /// The connection to the client must close after it.
    closes: bool,
}

fn forward(
    head: &Head,
    body: &[u8],
    method: &str,
    to_client: &mut TcpStream,
    upstream: &mut Option<BufReader<Conn>>,
    shared: &Shared,
    started_at: Instant,
) -> Forwarded {
    let response_head = match send(head, body, method, upstream, shared) {
        Ok(h) => h,
        Err(why) => {
            *upstream = None;
            let _ = reply_error(
                to_client,
                502,
                "api_error",
                &format!("git-vouch record: {why}"),
            );
            return Forwarded::failed(why);
        }
    };
    let mut out = Forwarded {
        status: response_head.status(),
        request_id: response_head.get("request-id").map(str::to_owned),
        ttfb_ms: Some(started_at.elapsed().as_millis() as u64),
        response: None,
        bytes: 0,
        state: Outcome::Completed,
        closes: true,
    };
    let framing = response_head
        .framing(false, method.eq_ignore_ascii_case("HEAD"))
        .unwrap_or(Framing::Close);
    if response_head
        .write(to_client)
        .and_then(|()| to_client.flush())
        .is_err()
    {
        if let Some(c) = upstream.take() {
            c.get_ref().shutdown();
        }
        out.state = Outcome::ClientGone;
        return out;
    }
    let mut copy = Copy::new(&response_head);
    let Some(conn) = upstream.as_mut() else {
        unreachable!("sent on it")
    };
    match relay_body(framing, conn, to_client, &mut |b| copy.push(b)) {
        Ok(n) => out.bytes = n,
        Err(RelayError::Sink(_)) => {
            if let Some(c) = upstream.take() {
                c.get_ref().shutdown();
            }
            (out.state, out.bytes) = (Outcome::ClientGone, copy.seen);
        }
        Err(RelayError::Source(e)) => {
            *upstream = None;
            let why = format!("{} failed mid-response: {e}", shared.upstream.url);
            (out.state, out.bytes) = (Outcome::UpstreamFailed(why), copy.seen);
        }
    }
    let closes = response_head.closes() || framing == Framing::Close;
    if closes {
        *upstream = None;
    }
    out.closes = closes || !matches!(out.state, Outcome::Completed);
    out.response = copy.finish();
    out
}

impl Forwarded {
    fn refused(why: String) -> Self {
        Self {
            status: 400,
            state: Outcome::Refused(why),
            ..Self::failed(String::new())
        }
    }

    fn failed(why: String) -> Self {
        Self {
            status: 502,
            request_id: None,
            ttfb_ms: None,
            response: None,
            bytes: 0,
            state: Outcome::UpstreamFailed(why),
            closes: true,
        }
    }
}

/// Sends the request upstream and reads its response's head, on the kept connection or a new
/// one (a kept connection the upstream closed meanwhile gets one fresh retry).
fn send(
    head: &Head,
    body: &[u8],
    method: &str,
    upstream: &mut Option<BufReader<Conn>>,
    shared: &Shared,
) -> Result<Head, String> {
    let url = &shared.upstream.url;
    let mut fresh = upstream.is_none();
    loop {
        if upstream.is_none() {
            let conn = shared
                .upstream
                .connect(&shared.tls)
                .map_err(|e| format!("cannot reach {url}: {e}"))?;
            *upstream = Some(BufReader::with_capacity(16 * 1024, conn));
            fresh = true;
        }
        let Some(conn) = upstream.as_mut() else {
            unreachable!("connected above")
        };
        let got = head
            .write(conn.get_mut())
            .and_then(|()| conn.get_mut().write_all(body))
            .and_then(|()| conn.get_mut().flush())
            .and_then(|()| Head::read(conn));
        match got {
            Ok(Some(h)) if !h.is_response() => {
                return Err(format!("{url} answered garbage: {:?}", words(&h.start)));
            }
            Ok(Some(h)) => {
                // A garbled framing is the upstream's garbage too.
                h.framing(false, method.eq_ignore_ascii_case("HEAD"))
                    .map_err(|e| format!("{url} answered garbage: {e}"))?;
                return Ok(h);
            }
            Ok(None) | Err(_) if !fresh => *upstream = None,
            Ok(None) => return Err(format!("{url} closed the connection without answering")),
            Err(e) => return Err(format!("{url} answered garbage: {e}")),
        }
    }
}

/// The response's copy: decoded (gzip, deflate) and read as events or as one JSON body.
struct Copy {
    decoder: Decoder,
    stream: Option<(EventParser, Assembler)>,
    body: Vec<u8>,
    seen: u64,
}

enum Decoder {
    Identity,
    Gzip(flate2::write::GzDecoder<Vec<u8>>),
    Deflate(flate2::write::ZlibDecoder<Vec<u8>>),
    /// An encoding the copy cannot read: relayed, not reassembled.
    Unreadable,
}

impl Copy {
    fn new(head: &Head) -> Self {
        let decoder = match head
            .get("content-encoding")
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("identity") => Decoder::Identity,
            Some("gzip" | "x-gzip") => Decoder::Gzip(flate2::write::GzDecoder::new(Vec::new())),
            Some("deflate") => Decoder::Deflate(flate2::write::ZlibDecoder::new(Vec::new())),
            Some(_) => Decoder::Unreadable,
        };
        let streamed = head
            .get("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/event-stream"));
        Self {
            decoder,
            stream: streamed.then(|| (EventParser::new(), Assembler::new())),
            body: Vec::new(),
            seen: 0,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.seen += bytes.len() as u64;
        let decoded: Vec<u8> = match &mut self.decoder {
            Decoder::Identity => bytes.to_vec(),
            // Whatever does not decode shows as a shorter copy; the client's bytes are unaffected.
            Decoder::Gzip(d) => {
                let _ = d.write_all(bytes).and_then(|()| d.flush());
                std::mem::take(d.get_mut())
            }
            Decoder::Deflate(d) => {
                let _ = d.write_all(bytes).and_then(|()| d.flush());
                std::mem::take(d.get_mut())
            }
            Decoder::Unreadable => return,
        };
        match &mut self.stream {
            Some((parser, assembler)) => {
                let mut events = Vec::new();
                parser.feed(&decoded, &mut events);
                for e in &events {
                    assembler.push(e);
                }
            }
            None if self.body.len() + decoded.len() <= MAX_COPY => self.body.extend(decoded),
            None => {}
        }
    }

    fn finish(self) -> Option<Response> {
        if matches!(self.decoder, Decoder::Unreadable) {
            return None;
        }
        match self.stream {
            Some((mut parser, mut assembler)) => {
                let mut events = Vec::new();
                parser.finish(&mut events);
                for e in &events {
                    assembler.push(e);
                }
                Some(assembler.finish())
            }
            None => from_json(&self.body),
        }
    }
}

/// The start of a line, for a message about it.
fn words(line: &str) -> String {
    crate::words::clip(line, 60)
}

fn version(start: &str) -> &str {
    start
        .rsplit(' ')
        .next()
        .filter(|v| v.starts_with("HTTP/"))
        .unwrap_or("HTTP/1.1")
}

/// Answers the client with an error shaped like the API's, which the agent shows.
pub fn reply_error(
    to: &mut impl Write,
    status: u16,
    kind: &str,
    message: &str,
) -> std::io::Result<()> {
    let body = serde_json::json!({"type": "error", "error": {"type": kind, "message": message}})
        .to_string();
    let reason = match status {
        400 => "Bad Request",
        502 => "Bad Gateway",
        _ => "Error",
    };
    write!(
        to,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    to.flush()
}

impl Shared {
    /// Why a request is not forwarded: a model's answer asked for once the cost cap is reached.
    fn refusal(&self, method: &str, path: &str) -> Option<String> {
        let cap = self.max_cost?;
        if method != "POST" || path != "/v1/messages" {
            return None;
        }
        // Fails safe: totals that cannot be read count as the cap reached.
        let spent = self.totals.lock().map_or(cap, |t| t.cost);
        (spent >= cap).then(|| {
            format!(
                "git-vouch record: the cost cap of ${} is reached (${} recorded); no more requests are forwarded in this run",
                cap.decimal6(),
                spent.decimal6()
            )
        })
    }

    /// Adds an exchange to the totals.
    fn count(&self, outcome: &Forwarded) {
        let usage = outcome
            .response
            .as_ref()
            .and_then(|r| r.usage.as_ref())
            .map(|u| crate::agent_source::api_usage(&serde_json::Value::Object(u.clone())));
        let model = outcome.response.as_ref().and_then(|r| r.model.as_deref());
        let cost = match (&usage, model) {
            (Some(u), Some(m)) => self.prices.cost(m, u, Some(self.clock.now())),
            _ => None,
        };
        if let Ok(mut t) = self.totals.lock() {
            t.exchanges += 1;
            if let Some(u) = &usage {
                t.tokens += u.tokens;
            }
            if let Some(c) = cost {
                t.cost += c;
            }
            match outcome.state {
                Outcome::Refused(_) => t.refused += 1,
                Outcome::Completed if outcome.status < 400 => {}
                _ => t.failed += 1,
            }
        }
    }
}
