//! The recorder in process, against a loopback mock of the Messages API that streams scripted
//! events (pings, a pause), answers errors, and logs what it received and sent: the client gets
//! the upstream's bytes unchanged and as they come, the store gets a redacted, reassembled copy.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use git_vouch::clock::FixedClock;
use git_vouch::pricing::PriceTable;
use git_vouch::recorder::exchange::Outcome;
use git_vouch::recorder::proxy::{Options, Recorder};
use git_vouch::recorder::store::Store;
use git_vouch::recorder::upstream::{TlsConfig, Upstream};
use git_vouch::recorder::{Credential, CredentialHeader};
use serde_json::{Value, json};

use crate::support::cli::TestEnv;

mod full_disk;

const SECRET_KEY: &str = "sk-ant-api03-realkeyrealkeyrealkeyrealkeyrealkey-XYZ";
/// A secret the redaction rules know (an AWS access key id).
const LEAKED: &str = "AKIAIOSFODNN7EXAMPLE";

/// What the mock answers.
#[derive(Clone)]
enum Script {
    /// A stream of events, each sent as one chunk; after the first it waits for the test to say
    /// go (when a gate is given).
    Stream(Vec<String>),
    /// A status and a JSON body.
    Json(u16, String),
    /// Bytes that are not HTTP, then the connection closes.
    Garbage,
    /// A message body, gzip-encoded.
    Gzip(String),
}

/// One request as the mock received it.
#[derive(Debug, Clone)]
struct Received {
    head: String,
    body: Vec<u8>,
}

struct Mock {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    /// Every byte the mock wrote, per request.
    sent: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Whether a write to the recorder failed (it hung up).
    write_failed: Arc<Mutex<bool>>,
}

impl Mock {
    /// Serves `script` for every request; `gate` makes a stream wait after its first event.
    fn start(script: Script, gate: Option<Receiver<()>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let write_failed = Arc::new(Mutex::new(false));
        let (r, s, w) = (received.clone(), sent.clone(), write_failed.clone());
        let gate = Arc::new(Mutex::new(gate));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (script, r, s, w, gate) = (
                    script.clone(),
                    r.clone(),
                    s.clone(),
                    w.clone(),
                    gate.clone(),
                );
                std::thread::spawn(move || serve(stream, &script, &r, &s, &w, &gate));
            }
        });
        Self {
            addr,
            received,
            sent,
            write_failed,
        }
    }

    /// The bytes it wrote for request `i`, once it has finished writing them.
    fn sent_bytes(&self, i: usize) -> Vec<u8> {
        for _ in 0..500 {
            if let Some(b) = self.sent.lock().unwrap().get(i) {
                return b.clone();
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        panic!("the mock never finished answering request {i}")
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn serve(
    stream: TcpStream,
    script: &Script,
    received: &Mutex<Vec<Received>>,
    sent: &Mutex<Vec<Vec<u8>>>,
    write_failed: &Mutex<bool>,
    gate: &Mutex<Option<Receiver<()>>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    while let Some(req) = read_request(&mut reader) {
        received.lock().unwrap().push(req);
        let mut wrote = Vec::new();
        let mut send = |bytes: &[u8], wrote: &mut Vec<u8>| -> bool {
            wrote.extend_from_slice(bytes);
            let ok = out.write_all(bytes).and_then(|()| out.flush()).is_ok();
            if !ok {
                *write_failed.lock().unwrap() = true;
            }
            ok
        };
        match script {
            Script::Garbage => {
                send(b"SSH-2.0-OpenSSH_9.2\r\n\r\n", &mut wrote);
                sent.lock().unwrap().push(wrote);
                return;
            }
            Script::Gzip(body) => {
                let mut zip =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                zip.write_all(body.as_bytes()).unwrap();
                let zipped = zip.finish().unwrap();
                send(
                    &with_length(200, "content-encoding: gzip", &zipped),
                    &mut wrote,
                );
            }
            Script::Json(status, body) => {
                let extra = "request-id: req_json\r\nretry-after: 7";
                send(&with_length(*status, extra, body.as_bytes()), &mut wrote);
            }
            Script::Stream(events) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\nrequest-id: req_stream\r\ntransfer-encoding: chunked\r\n\r\n";
                send(head.as_bytes(), &mut wrote);
                for (i, e) in events.iter().enumerate() {
                    let chunk = format!("{:x}\r\n{e}\r\n", e.len());
                    if !send(chunk.as_bytes(), &mut wrote) {
                        sent.lock().unwrap().push(wrote);
                        return;
                    }
                    if i == 0
                        && let Some(g) = gate.lock().unwrap().as_ref()
                    {
                        let _ = g.recv_timeout(Duration::from_secs(10));
                    }
                    if i > 0 {
                        // A client gone shows on a later write.
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                send(b"0\r\n\r\n", &mut wrote);
            }
        }
        sent.lock().unwrap().push(wrote);
    }
}

/// Reads one request; `None` when the connection closed.
fn read_request(reader: &mut impl BufRead) -> Option<Received> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let len = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    Some(Received { head, body })
}

/// A JSON response with a length, and `extra` header lines.
fn with_length(status: u16, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\ncontent-type: application/json\r\n{extra}\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn event(kind: &str, data: &Value) -> String {
    format!("event: {kind}\ndata: {data}\n\n")
}

/// A response with thinking (and its signature), text quoting a secret, and a tool call whose
/// input arrives in pieces, with pings between.
fn stream_events(text: &str) -> Vec<String> {
    vec![
        event(
            "message_start",
            &json!({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":1}}}),
        ),
        event("ping", &json!({"type":"ping"})),
        event(
            "content_block_start",
            &json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"look."}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnbmF0dXJl"}}),
        ),
        event(
            "content_block_stop",
            &json!({"type":"content_block_stop","index":0}),
        ),
        event(
            "content_block_start",
            &json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":text}}),
        ),
        event(
            "content_block_stop",
            &json!({"type":"content_block_stop","index":1}),
        ),
        event("ping", &json!({"type":"ping"})),
        event(
            "content_block_start",
            &json!({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"Bash","input":{}}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"comm"}}),
        ),
        event(
            "content_block_delta",
            &json!({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"and\":\"ls\"}"}}),
        ),
        event(
            "content_block_stop",
            &json!({"type":"content_block_stop","index":2}),
        ),
        event(
            "message_delta",
            &json!({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}),
        ),
        event("message_stop", &json!({"type":"message_stop"})),
    ]
}

fn recorder(upstream: &str, store: &Path, credential: Option<Credential>) -> Recorder {
    capped(upstream, store, credential, None)
}

fn capped(
    upstream: &str,
    store: &Path,
    credential: Option<Credential>,
    max_cost: Option<git_vouch::money::Usd>,
) -> Recorder {
    Recorder::start(
        "127.0.0.1:0".parse().unwrap(),
        Options {
            upstream: Upstream::parse(upstream).unwrap(),
            tls: TlsConfig::new(None).unwrap(),
            credential,
            clock: Arc::new(FixedClock::parse("2026-12-04T10:00:00Z").unwrap()),
            prices: PriceTable::embedded().clone(),
            max_cost,
            store: Store::open(store).unwrap(),
        },
    )
    .unwrap()
}

/// A Messages request as Claude Code sends it.
fn request(addr: SocketAddr, key: &str, session: &str, messages: &Value) -> (TcpStream, Vec<u8>) {
    let body = json!({
        "model": "claude-sonnet-4-5-20250929",
        "max_tokens": 32000,
        "stream": true,
        "system": [{"type":"text","text":"You are Claude Code."}],
        "tools": [{"name":"Bash","input_schema":{"type":"object"}}],
        "messages": messages,
    })
    .to_string();
    let head = format!(
        "POST /v1/messages?beta=true HTTP/1.1\r\nHost: {addr}\r\nx-api-key: {key}\r\nanthropic-version: 2023-06-01\r\nanthropic-beta: claude-code-20250219\r\nX-Claude-Code-Session-Id: {session}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    (s, body.into_bytes())
}

/// Reads one HTTP response whole (chunked or with a length), raw.
fn read_response(s: &mut TcpStream) -> Vec<u8> {
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut raw = Vec::new();
    let mut chunked = false;
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        r.read_line(&mut line).unwrap();
        raw.extend_from_slice(line.as_bytes());
        let lower = line.to_ascii_lowercase();
        chunked |= lower.starts_with("transfer-encoding: chunked");
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        if line == "\r\n" {
            break;
        }
    }
    if !chunked {
        let mut body = vec![0; len];
        r.read_exact(&mut body).unwrap();
        raw.extend(body);
        return raw;
    }
    loop {
        let mut size = String::new();
        r.read_line(&mut size).unwrap();
        raw.extend_from_slice(size.as_bytes());
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        let mut data = vec![0; n + 2];
        r.read_exact(&mut data).unwrap();
        raw.extend(data);
        if n == 0 {
            return raw;
        }
    }
}

/// `n` messages as Claude Code sends them: the newest block carries the cache marker.
fn messages(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| {
                let mut block = json!({"type": "text", "text": format!("turn {i}")});
                if i + 1 == n {
                    block["cache_control"] = json!({"type": "ephemeral"});
                }
                json!({"role": if i % 2 == 0 {"user"} else {"assistant"}, "content": [block]})
            })
            .collect(),
    )
}

/// The first exchange the store in `dir` holds.
fn first_exchange(dir: &Path) -> git_vouch::recorder::exchange::Exchange {
    Store::open(dir)
        .unwrap()
        .exchanges(None)
        .unwrap()
        .remove(0)
        .1
}

fn file_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        all.extend(std::fs::read(e.unwrap().path()).unwrap());
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_stream_is_relayed_byte_for_byte_as_it_arrives_and_reassembled() {
    let (go, gate) = channel();
    let text = format!("Your key {LEAKED} is in .env.");
    let mock = Mock::start(Script::Stream(stream_events(&text)), Some(gate));
    let dir = tempfile::tempdir().unwrap();
    let credential = Credential::new(CredentialHeader::ApiKey, SECRET_KEY.into()).unwrap();
    let token = credential.token.clone();
    let rec = recorder(&mock.url(), dir.path(), Some(credential));
    let mut prompt = messages(1);
    prompt[0]["content"] = json!(format!("deploy with {LEAKED}"));
    let (client, sent_body) = request(rec.addr(), &token, "s-1", &prompt);

    // The first event arrives while the upstream still holds the rest back.
    let mut first = Vec::new();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    while !contains(&first, "message_start") {
        let buf = reader.fill_buf().unwrap();
        assert!(!buf.is_empty(), "the stream ended before its first event");
        first.extend_from_slice(buf);
        let n = buf.len();
        reader.consume(n);
    }
    go.send(()).unwrap();
    let rest = read_rest(&mut reader);
    let mut got = first;
    got.extend(rest);
    let totals = rec.stop();
    drop(client.shutdown(std::net::Shutdown::Both));
    assert_eq!(
        got,
        mock.sent_bytes(0),
        "the client gets the upstream's bytes"
    );

    // The upstream got the request unchanged but for the credential.
    let received = mock.received.lock().unwrap()[0].clone();
    assert_eq!(received.body, sent_body, "the body goes on byte for byte");
    assert!(
        received.head.contains(&format!("x-api-key: {SECRET_KEY}")),
        "{}",
        received.head
    );
    assert!(!received.head.contains(&token));
    assert!(
        received
            .head
            .contains("anthropic-beta: claude-code-20250219")
    );
    assert!(
        received
            .head
            .starts_with("POST /v1/messages?beta=true HTTP/1.1")
    );

    check_recorded_stream(dir.path(), &totals, &token);
}

/// The stored copy of the stream test's exchange: reassembled, redacted, with no credential.
fn check_recorded_stream(dir: &Path, totals: &git_vouch::recorder::Totals, token: &str) {
    let store = Store::open(dir).unwrap();
    let all = store.exchanges(None).unwrap();
    assert_eq!(all.len(), 1);
    let ex = &all[0].1;
    assert_eq!(
        (
            ex.status,
            ex.request_id.as_deref(),
            ex.session_id.as_deref()
        ),
        (200, Some("req_stream"), Some("s-1"))
    );
    assert_eq!(ex.outcome, Outcome::Completed);
    assert!(ex.ttfb_ms.is_some());
    let r = ex.response.as_ref().unwrap();
    assert!(r.complete);
    assert_eq!(r.pings, 2);
    assert_eq!(r.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(
        r.content[0],
        json!({"type":"thinking","thinking":"Let me look.","signature":"c2lnbmF0dXJl"})
    );
    assert_eq!(
        r.content[1]["text"],
        "Your key [REDACTED:aws-access-key-id] is in .env."
    );
    assert_eq!(r.content[2]["input"], json!({"command":"ls"}));
    assert_eq!(r.usage.as_ref().unwrap()["output_tokens"], 42);
    assert_eq!(totals.exchanges, 1);
    assert_eq!(totals.tokens.output, 42);
    assert_eq!(totals.tokens.cache_read, 2000);
    assert!(totals.cost > git_vouch::money::Usd::ZERO);

    // Nothing secret on disk: not the key, not the token, not the leaked secret.
    let disk = file_bytes(dir);
    for s in [SECRET_KEY, token, LEAKED] {
        assert!(!contains(&disk, s), "{s} is on disk");
    }
    let stored = store.messages(all[0].0).unwrap();
    assert_eq!(
        stored[0]["content"],
        "deploy with [REDACTED:aws-access-key-id]"
    );
}

fn read_rest(reader: &mut BufReader<TcpStream>) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let buf = reader.fill_buf().unwrap();
        if buf.is_empty() {
            return out;
        }
        out.extend_from_slice(buf);
        let n = buf.len();
        reader.consume(n);
        if out.ends_with(b"0\r\n\r\n") {
            return out;
        }
    }
}

#[test]
fn errors_are_forwarded_verbatim_and_recorded() {
    let body = json!({"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your rate limit."}}).to_string();
    let mock = Mock::start(Script::Json(429, body), None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let (mut client, _) = request(rec.addr(), "sk-users-own", "s-429", &messages(1));
    let got = read_response(&mut client);
    rec.stop();
    assert_eq!(got, mock.sent_bytes(0));
    // Without a run token the client's own credential goes on untouched.
    assert!(
        mock.received.lock().unwrap()[0]
            .head
            .contains("x-api-key: sk-users-own")
    );
    let ex = first_exchange(dir.path());
    assert_eq!(ex.status, 429);
    let error = ex.response.unwrap().error.unwrap();
    assert_eq!(error["type"], "rate_limit_error");
    assert!(!contains(&file_bytes(dir.path()), "sk-users-own"));

    // A mid-stream error event.
    let overloaded = event(
        "error",
        &json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}),
    );
    let mut events = stream_events("partial")[..2].to_vec();
    events.push(overloaded);
    let mock = Mock::start(Script::Stream(events), None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let (mut client, _) = request(rec.addr(), "k", "s-err", &messages(1));
    let got = read_response(&mut client);
    rec.stop();
    assert_eq!(got, mock.sent_bytes(0));
    let r = first_exchange(dir.path()).response.unwrap();
    assert_eq!(r.error.unwrap()["type"], "overloaded_error");
    assert!(!r.complete);
}

/// A gzip-encoded answer reaches the client as sent, and the copy is decoded.
#[test]
fn a_compressed_answer_is_relayed_as_is_and_read_decoded() {
    let body = json!({"id":"msg_z","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"zipped"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2}}).to_string();
    let mock = Mock::start(Script::Gzip(body), None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let (mut client, _) = request(rec.addr(), "k", "s-gzip", &messages(1));
    let got = read_response(&mut client);
    rec.stop();
    assert_eq!(got, mock.sent_bytes(0));
    let r = first_exchange(dir.path()).response.unwrap();
    assert_eq!(r.content[0]["text"], "zipped");
    assert_eq!(r.usage.unwrap()["output_tokens"], 2);
}

#[test]
fn an_upstream_that_is_down_gets_an_api_shaped_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&format!("http://127.0.0.1:{port}"), dir.path(), None);
    let (mut client, _) = request(rec.addr(), "k", "s-down", &messages(1));
    let got = String::from_utf8(read_response(&mut client)).unwrap();
    let totals = rec.stop();
    assert!(got.starts_with("HTTP/1.1 502"), "{got}");
    let body: Value = serde_json::from_str(got.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["type"], "error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("cannot reach http://127.0.0.1:{port}"))
    );
    assert_eq!(totals.failed, 1);
    let ex = first_exchange(dir.path());
    assert!(matches!(ex.outcome, Outcome::UpstreamFailed(ref why) if why.contains("cannot reach")));
}

/// `--max-cost`: once the recorded cost reaches the cap, a request for a model's answer gets an
/// API-shaped error instead of reaching the upstream; free calls still go through.
#[test]
fn the_cost_cap_refuses_requests_once_reached() {
    let mock = Mock::start(Script::Stream(stream_events("ok")), None);
    let dir = tempfile::tempdir().unwrap();
    let cap = git_vouch::money::Usd::parse("0.0001").unwrap();
    let rec = capped(&mock.url(), dir.path(), None, Some(cap));
    let (mut first, _) = request(rec.addr(), "k", "s-cap", &messages(1));
    assert!(contains(&read_response(&mut first), "message_stop"));
    // The cap is checked against the cost recorded so far: the first answer's, once its
    // connection has counted it (a moment after its last byte).
    for _ in 0..500 {
        if rec.totals().exchanges == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (mut second, _) = request(rec.addr(), "k", "s-cap", &messages(3));
    let got = String::from_utf8(read_response(&mut second)).unwrap();
    assert!(got.starts_with("HTTP/1.1 400"), "{got}");
    let body: Value = serde_json::from_str(got.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    assert_eq!(body["type"], "error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cost cap of $0.000100 is reached"),
        "{body}"
    );
    let totals = rec.stop();
    assert_eq!((totals.exchanges, totals.refused, totals.failed), (2, 1, 0));
    assert_eq!(
        mock.received.lock().unwrap().len(),
        1,
        "the refused request never left"
    );
    let all = Store::open(dir.path()).unwrap().exchanges(None).unwrap();
    assert!(matches!(all[1].1.outcome, Outcome::Refused(_)));
}

#[test]
fn an_upstream_answering_garbage_gets_the_agent_a_clear_error() {
    let mock = Mock::start(Script::Garbage, None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let (mut client, _) = request(rec.addr(), "k", "s-garbage", &messages(1));
    let got = String::from_utf8(read_response(&mut client)).unwrap();
    rec.stop();
    assert!(got.starts_with("HTTP/1.1 502"), "{got}");
    assert!(got.contains("answered garbage"), "{got}");
    let ex = first_exchange(dir.path());
    assert!(matches!(ex.outcome, Outcome::UpstreamFailed(ref why) if why.contains("garbage")));

    // A client speaking something else gets a 400, and nothing is recorded.
    let rec = recorder(&mock.url(), dir.path(), None);
    let mut s = TcpStream::connect(rec.addr()).unwrap();
    s.write_all(b"hello there\r\n\r\n").unwrap();
    let got = String::from_utf8(read_response(&mut s)).unwrap();
    rec.stop();
    assert!(
        got.starts_with("HTTP/1.1 400") && got.contains("not an HTTP/1 request"),
        "{got}"
    );
    assert_eq!(
        Store::open(dir.path())
            .unwrap()
            .exchanges(None)
            .unwrap()
            .len(),
        1
    );
}

/// `git vouch record` in its long-running form on a free loopback port, once it listens.
fn long_running(env: &TestEnv, mock: &Mock, store: &Path) -> (std::process::Child, SocketAddr) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = env
        .command(&[
            "record",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--upstream",
            &mock.url(),
        ])
        .arg("--store")
        .arg(store)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect(addr).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, addr)
}

/// A recorder killed mid-stream (`kill -9`): the exchanges stored before it are all there, the
/// store opens, and the next recorder records into it.
#[test]
fn a_recorder_killed_mid_stream_loses_nothing_stored() {
    let (go, gate) = channel::<()>();
    let mock = Mock::start(Script::Stream(stream_events("first")), Some(gate));
    let env = TestEnv::new();
    let store = env.root().join("store");
    let (mut child, addr) = long_running(&env, &mock, &store);
    // One whole exchange (the gate lets its stream go at once).
    go.send(()).unwrap();
    let (mut first, _) = request(addr, "k", "s-kill", &messages(1));
    read_response(&mut first);
    let stored = |n: usize| {
        (0..300).any(|_| {
            let ok = Store::open(&store).is_ok_and(|s| s.exchanges(None).unwrap().len() == n);
            if !ok {
                std::thread::sleep(Duration::from_millis(10));
            }
            ok
        })
    };
    assert!(stored(1), "the first exchange was not stored");
    // A second one, killed while its stream waits on the gate.
    let (second, _) = request(addr, "k", "s-kill", &messages(3));
    let mut r = BufReader::new(second);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    let all = Store::open(&store).unwrap().exchanges(None).unwrap();
    assert_eq!(all.len(), 1, "only the finished exchange");
    assert_eq!(all[0].1.outcome, Outcome::Completed);
    // The next recorder works on the same store.
    let mock2 = Mock::start(Script::Stream(stream_events("again")), None);
    let rec = recorder(&mock2.url(), &store, None);
    let (mut c, _) = request(rec.addr(), "k", "s-kill", &messages(1));
    read_response(&mut c);
    rec.stop();
    assert_eq!(
        Store::open(&store).unwrap().exchanges(None).unwrap().len(),
        2
    );
}

/// The long-running form stops on SIGTERM (and SIGINT, SIGHUP) as asked: what is queued is
/// stored, the journal is folded into the store, and the summary line is printed.
#[test]
fn the_long_running_recorder_stops_cleanly_on_a_signal() {
    let mock = Mock::start(Script::Stream(stream_events("bye")), None);
    let env = TestEnv::new();
    let store = env.root().join("store");
    let (child, addr) = long_running(&env, &mock, &store);
    let (mut c, _) = request(addr, "k", "s-term", &messages(2));
    read_response(&mut c);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("git-vouch record: 1 exchange (0 failed, 0 refused)"),
        "{stderr}"
    );
    let wal = store.join("exchanges.sqlite3-wal");
    assert_eq!(
        std::fs::metadata(&wal).map_or(0, |m| m.len()),
        0,
        "the journal was folded in"
    );
    assert_eq!(
        Store::open(&store).unwrap().exchanges(None).unwrap().len(),
        1
    );
}

/// With a command, SIGTERM to the recorder is passed on to the command; the recorder ends with
/// it, with its status, and says what it recorded.
#[test]
fn a_signal_to_the_recorder_reaches_its_command() {
    let env = TestEnv::new();
    let store = env.root().join("store");
    let ready = env.root().join("ready");
    let script = format!(
        "trap 'kill $!; exit 7' TERM; touch '{}'; sleep 30 >/dev/null 2>&1 & wait",
        ready.display()
    );
    let child = env
        .command(&["record", "--upstream", "http://127.0.0.1:9", "--store"])
        .arg(&store)
        .args(["--", "sh", "-c", &script])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    while !ready.exists() {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("git-vouch record: 0 exchanges"));
}

#[test]
fn a_thread_stores_only_its_new_messages() {
    let mock = Mock::start(Script::Stream(stream_events("ok")), None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    for n in [3, 5] {
        let (mut client, _) = request(rec.addr(), "k", "s-thread", &messages(n));
        read_response(&mut client);
    }
    rec.stop();
    let store = Store::open(dir.path()).unwrap();
    let all = store.exchanges(Some("s-thread")).unwrap();
    assert_eq!(all.len(), 2);
    let (second_id, second) = &all[1];
    assert_eq!(
        (
            second.messages.after,
            second.messages.kept,
            second.messages.new.len()
        ),
        (Some(all[0].0), 3, 2)
    );
    assert_eq!(
        store.messages(*second_id).unwrap(),
        messages(5).as_array().unwrap().clone()
    );
    // System prompt and tools are stored once for both requests.
    assert_eq!(all[0].1.system, second.system);
}

#[test]
fn a_client_that_leaves_cancels_the_upstream_and_what_came_is_kept() {
    let (go, gate) = channel::<()>();
    let mock = Mock::start(Script::Stream(stream_events("never read")), Some(gate));
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let (client, _) = request(rec.addr(), "k", "s-gone", &messages(1));
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut seen = Vec::new();
    while !contains(&seen, "message_start") {
        let buf = reader.fill_buf().unwrap();
        seen.extend_from_slice(buf);
        let n = buf.len();
        reader.consume(n);
    }
    client.shutdown(std::net::Shutdown::Both).unwrap();
    drop(reader);
    go.send(()).unwrap();
    let wait_for = |what: &dyn Fn() -> bool| {
        for _ in 0..400 {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    };
    assert!(
        wait_for(&|| *mock.write_failed.lock().unwrap()),
        "the upstream was not cancelled"
    );
    rec.stop();
    let ex = first_exchange(dir.path());
    assert_eq!(ex.outcome, Outcome::ClientGone);
    let r = ex.response.unwrap();
    assert_eq!(r.id.as_deref(), Some("msg_1"));
    assert!(!r.complete);
}

#[test]
fn eight_concurrent_streams_are_recorded_apart() {
    let mock = Mock::start(Script::Stream(stream_events("same text")), None);
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(&mock.url(), dir.path(), None);
    let addr = rec.addr();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                let (mut c, _) = request(addr, "k", &format!("s-{i}"), &messages(i + 1));
                read_response(&mut c)
            })
        })
        .collect();
    for h in handles {
        assert!(contains(&h.join().unwrap(), "message_stop"));
    }
    let totals = rec.stop();
    assert_eq!(totals.exchanges, 8);
    let store = Store::open(dir.path()).unwrap();
    for i in 0..8 {
        let mine = store.exchanges(Some(&format!("s-{i}"))).unwrap();
        assert_eq!(mine.len(), 1, "s-{i}");
        assert_eq!(store.messages(mine[0].0).unwrap().len(), i + 1, "s-{i}");
        assert!(mine[0].1.response.as_ref().unwrap().complete);
    }
}

/// `git vouch record -- COMMAND`: the command gets the recorder's URL and a one-run token, never
/// the key; its exit status is ours; one summary line at the end.
#[test]
fn record_runs_the_command_with_a_token_and_exits_with_its_status() {
    let mock = Mock::start(Script::Stream(stream_events("ok")), None);
    let env = TestEnv::new().var("ANTHROPIC_API_KEY", SECRET_KEY);
    let out_file = env.root().join("seen.txt");
    let store = env.root().join("store");
    let script = format!(
        "printf '%s %s' \"$ANTHROPIC_API_KEY\" \"$ANTHROPIC_BASE_URL\" > '{}'; exit 3",
        out_file.display()
    );
    let out = env.run(&[
        "record",
        "--upstream",
        &mock.url(),
        "--store",
        store.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let seen = std::fs::read_to_string(&out_file).unwrap();
    let (key, url) = seen.split_once(' ').unwrap();
    assert!(key.starts_with("vouch-run-") && key != SECRET_KEY, "{seen}");
    assert!(url.starts_with("http://127.0.0.1:"), "{seen}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "git-vouch record: 0 exchanges (0 failed, 0 refused), 0 tokens, $0.000000; stored in "
        ),
        "{stderr}"
    );
    let bad = env.run(&["record", "--max-cost", "five", "--", "true"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--max-cost \"five\": not an amount of US dollars")
    );
    let refused = env.run(&["record", "--listen", "0.0.0.0:0", "--", "true"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("loopback addresses only"));
}
