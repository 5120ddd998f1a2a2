//! Benchmark: what `git vouch record` adds between an agent and the API, beside Pisama's proxy.
//!
//! ```sh
//! cargo bench --bench recorder                       # 40 requests per subject, 200 events each
//! cargo bench --bench recorder -- --requests 60 --events 400
//! ```
//!
//! A loopback mock of the Messages API (in this process) answers every request with a stream:
//! `message_start` at once, then `--events` text deltas 1 ms apart (each stamped with the
//! moment it was written), then the end. The same client (in this process too) sends the same
//! requests to each subject in turn, round after round:
//!
//! - direct: the mock itself;
//! - git-vouch: `git-vouch record --listen … --upstream <mock>` (the long-running form);
//! - Pisama: `pisama-cc proxy serve --upstream <mock> --no-forward` (PyPI
//!   `pisama-claude-code[proxy]==0.6.5`, in a virtualenv under `target/tmp`), when Python and
//!   pip are there.
//!
//! The requests are one thread's: each re-sends the conversation so far and adds a user and an
//! assistant message, growing to a 200k-token context (about 800 KB) by the last one.
//!
//! It prints, per subject: the median time to first byte and the p99 of each event's delay
//! (arrival less the moment the mock wrote it), with what the proxy adds to the direct figures;
//! the proxy's peak memory (`VmHWM`); and for git-vouch the store's growth against the new
//! content of each request (new messages and the response's text). Targets: +2 ms TTFB (median),
//! +1 ms per event (p99), 30 MiB, store growth under 1.2× the new content. Without `--bench` (as
//! `cargo test --benches` runs it) it does a quick smoke run: 4 requests, 20 events, no peer.

mod peers;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{load_average, percentile};

const TTFB_ADDED_MS: f64 = 2.0;
const EVENT_ADDED_MS: f64 = 1.0;
const PEAK_MIB: f64 = 30.0;
const GROWTH: f64 = 1.2;
/// The last request's context, in bytes of JSON (about 200k tokens at 4 bytes a token).
const CONTEXT_BYTES: usize = 800_000;

const PISAMA: peers::Peer = peers::Peer {
    name: "Pisama",
    slug: "pisama-claude-code-proxy-0.6.5",
    pins: &["pisama-claude-code[proxy]==0.6.5"],
    report: &["pisama-claude-code", "aiohttp"],
};

/// The moment everything is measured from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn micros() -> u64 {
    epoch().elapsed().as_micros() as u64
}

struct Args {
    requests: usize,
    events: usize,
    smoke: bool,
}

fn args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let smoke = !argv.iter().any(|a| a == "--bench");
    let value = |name: &str, default: usize| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Args {
        requests: value("--requests", if smoke { 4 } else { 40 }),
        events: value("--events", if smoke { 20 } else { 200 }),
        smoke,
    }
}

fn main() -> ExitCode {
    let args = args();
    epoch();
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let mock = mock(args.events);
    println!(
        "recorder benchmark: {} requests per subject, {} events each, context up to {} KB; load average {}",
        args.requests,
        args.events,
        CONTEXT_BYTES / 1000,
        load_average()
    );
    let mut subjects = vec![Subject::direct(mock)];
    match Subject::git_vouch(mock, tmp.path()) {
        Ok(s) => subjects.push(s),
        Err(why) => {
            println!("git-vouch record did not start: {why}");
            return ExitCode::FAILURE;
        }
    }
    if !args.smoke {
        match Subject::pisama(mock, tmp.path()) {
            Ok(s) => subjects.push(s),
            Err(why) => println!("Pisama: skipped, {why}"),
        }
    }
    let conversation = Conversation::new(args.requests);
    let mut failed = false;
    for n in 0..args.requests {
        for s in &mut subjects {
            if let Err(why) = s.run(&conversation, n) {
                println!("{}: request {n} failed: {why}", s.name);
                failed = true;
            }
        }
    }
    for s in &mut subjects {
        s.stop();
    }
    report(&subjects, &conversation, &args);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

// ---- The mock upstream ----

/// Starts the mock on a free port: every request gets a stream of `events` deltas.
fn mock(events: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the mock");
    let addr = listener.local_addr().expect("mock address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream, events));
        }
    });
    addr
}

fn serve(stream: TcpStream, events: usize) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    while let Some((len, close)) = read_request(&mut reader) {
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() || stream_response(&mut out, events).is_err() {
            return;
        }
        if close {
            return;
        }
    }
}

/// Reads a request head: its Content-Length and whether it asks to close the connection;
/// `None` when the connection closed.
fn read_request(r: &mut impl BufRead) -> Option<(usize, bool)> {
    let (mut len, mut close) = (0, false);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
        close |= lower.starts_with("connection:") && lower.contains("close");
        if line == "\r\n" {
            return Some((len, close));
        }
    }
}

fn chunk(out: &mut TcpStream, text: &str) -> std::io::Result<()> {
    write!(out, "{:x}\r\n{text}\r\n", text.len())?;
    out.flush()
}

fn sse(kind: &str, data: &Value) -> String {
    format!("event: {kind}\ndata: {data}\n\n")
}

fn stream_response(out: &mut TcpStream, events: usize) -> std::io::Result<()> {
    out.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nrequest-id: req_bench\r\ntransfer-encoding: chunked\r\n\r\n")?;
    let start = json!({"type":"message_start","message":{"id":"msg_b","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"usage":{"input_tokens":10,"cache_read_input_tokens":1000,"output_tokens":1}}});
    chunk(out, &sse("message_start", &start))?;
    let block =
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}});
    chunk(out, &sse("content_block_start", &block))?;
    for i in 0..events {
        std::thread::sleep(Duration::from_millis(1));
        let text = format!("<{}:{i}> some words of the answer ", micros());
        let delta = json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":text}});
        chunk(out, &sse("content_block_delta", &delta))?;
    }
    chunk(
        out,
        &sse(
            "content_block_stop",
            &json!({"type":"content_block_stop","index":0}),
        ),
    )?;
    let end = json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":events}});
    chunk(out, &sse("message_delta", &end))?;
    chunk(out, &sse("message_stop", &json!({"type":"message_stop"})))?;
    out.write_all(b"0\r\n\r\n")?;
    out.flush()
}

// ---- The conversation ----

/// One thread's requests: request `n` re-sends the `2n` messages before it and adds two.
struct Conversation {
    messages: Vec<Value>,
    /// Bytes of JSON of the two messages each request adds.
    new_bytes: usize,
}

impl Conversation {
    fn new(requests: usize) -> Self {
        let per_message = CONTEXT_BYTES / (2 * requests.max(1));
        let filler = "lorem ipsum dolor sit amet ".repeat(per_message / 27 + 1);
        let messages: Vec<Value> = (0..2 * requests)
            .map(|i| {
                let role = if i % 2 == 0 { "user" } else { "assistant" };
                json!({"role": role, "content": [{"type": "text", "text": format!("{i}: {}", &filler[..per_message])}]})
            })
            .collect();
        let new_bytes = messages[..2].iter().map(|m| m.to_string().len()).sum();
        Self {
            messages,
            new_bytes,
        }
    }

    fn body(&self, n: usize) -> String {
        let mut messages = self.messages[..2 * n + 2].to_vec();
        if let Some(last) = messages.last_mut() {
            last["content"][0]["cache_control"] = json!({"type": "ephemeral"});
        }
        json!({
            "model": "claude-sonnet-4-5-20250929",
            "max_tokens": 32000,
            "stream": true,
            "system": [{"type": "text", "text": "You are a benchmark."}],
            "messages": messages,
        })
        .to_string()
    }
}

// ---- The subjects ----

struct Subject {
    name: String,
    addr: SocketAddr,
    child: Option<Child>,
    /// The exchange store's folder (git-vouch only).
    store: Option<PathBuf>,
    ttfb_ms: Vec<f64>,
    event_delay_ms: Vec<f64>,
    /// Store bytes after each request.
    store_bytes: Vec<u64>,
    peak_kib: u64,
}

impl Subject {
    fn new(name: &str, addr: SocketAddr, child: Option<Child>, store: Option<PathBuf>) -> Self {
        Self {
            name: name.to_owned(),
            addr,
            child,
            store,
            ttfb_ms: Vec::new(),
            event_delay_ms: Vec::new(),
            store_bytes: Vec::new(),
            peak_kib: 0,
        }
    }

    fn direct(mock: SocketAddr) -> Self {
        Self::new("direct", mock, None, None)
    }

    fn git_vouch(mock: SocketAddr, tmp: &Path) -> Result<Self, String> {
        let port = free_port();
        let store = tmp.join("exchanges");
        let child = Command::new(env!("CARGO_BIN_EXE_git-vouch"))
            .args(["record", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--upstream", &format!("http://{mock}"), "--store"])
            .arg(&store)
            .env("HOME", tmp)
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("ANTHROPIC_AUTH_TOKEN")
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_listening(addr)?;
        Ok(Self::new(
            "git-vouch record",
            addr,
            Some(child),
            Some(store),
        ))
    }

    fn pisama(mock: SocketAddr, tmp: &Path) -> Result<Self, String> {
        let (python, version) = peers::find_python()?;
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("recorder-peers");
        let venv = cache.join(format!("{}-py{version}", PISAMA.slug));
        let home = tmp.join("pisama-home");
        std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        peers::install(&PISAMA, &python, &venv, &cache, &home)?;
        let port = free_port();
        let child = Command::new(venv.join("bin/pisama-cc"))
            .args(["proxy", "serve", "--port", &port.to_string()])
            .args([
                "--upstream",
                &format!("http://{mock}"),
                "--no-forward",
                "--no-print-env",
            ])
            .env("HOME", &home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        wait_listening(addr)?;
        Ok(Self::new("Pisama proxy 0.6.5", addr, Some(child), None))
    }

    /// Sends request `n` and reads its stream, timing it.
    fn run(&mut self, conversation: &Conversation, n: usize) -> Result<(), String> {
        let body = conversation.body(n);
        let mut s = TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
        s.set_nodelay(true).map_err(|e| e.to_string())?;
        let head = format!(
            "POST /v1/messages?beta=true HTTP/1.1\r\nHost: {}\r\nx-api-key: bench\r\nanthropic-version: 2023-06-01\r\nx-claude-code-session-id: bench-session\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        s.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
        s.write_all(body.as_bytes()).map_err(|e| e.to_string())?;
        let sent = Instant::now();
        let mut r = BufReader::new(s);
        let mut first = true;
        let mut buf = Vec::new();
        let mut saw_stop = false;
        loop {
            let n = r.fill_buf().map_err(|e| e.to_string())?.len();
            if n == 0 {
                break;
            }
            let now = micros();
            if first {
                self.ttfb_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
                first = false;
            }
            buf.extend_from_slice(r.buffer());
            r.consume(n);
            // Each stamp `<micros:i>` that arrived in this read.
            while let Some(at) = find(&buf, b"<") {
                let Some(end) = find(&buf[at..], b">") else {
                    break;
                };
                let stamp = String::from_utf8_lossy(&buf[at + 1..at + end]).into_owned();
                if let Some(written) = stamp.split(':').next().and_then(|t| t.parse::<u64>().ok()) {
                    self.event_delay_ms
                        .push(now.saturating_sub(written) as f64 / 1000.0);
                }
                buf.drain(..=at + end);
            }
            saw_stop |= find(&buf, b"message_stop").is_some();
            let keep = buf.len().saturating_sub(64);
            buf.drain(..keep);
        }
        if !saw_stop {
            return Err("the stream ended before message_stop".into());
        }
        if let Some(store) = &self.store {
            // The exchange is stored once its response has ended: wait for the record.
            std::thread::sleep(Duration::from_millis(20));
            self.store_bytes.push(folder_bytes(store));
        }
        if let Some(c) = &self.child {
            self.peak_kib = self.peak_kib.max(peak_kib(c.id()));
        }
        Ok(())
    }

    fn stop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(18788, |a| a.port())
}

fn wait_listening(addr: SocketAddr) -> Result<(), String> {
    for _ in 0..300 {
        if TcpStream::connect(addr).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("nothing listens on {addr} after 15 s"))
}

fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    })
}

/// A process's peak resident memory (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

// ---- The report ----

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        f64::NAN
    } else {
        percentile(&s, 50.0)
    }
}

fn p99(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        f64::NAN
    } else {
        percentile(&s, 99.0)
    }
}

fn report(subjects: &[Subject], conversation: &Conversation, args: &Args) {
    let direct = &subjects[0];
    let (ttfb0, event0) = (median(&direct.ttfb_ms), p99(&direct.event_delay_ms));
    println!(
        "\n{:<22} {:>12} {:>10} {:>14} {:>10} {:>10}",
        "subject", "TTFB median", "added", "event p99 ms", "added", "peak MiB"
    );
    for s in subjects {
        let (t, e) = (median(&s.ttfb_ms), p99(&s.event_delay_ms));
        let peak = if s.child.is_some() {
            format!("{:.1}", s.peak_kib as f64 / 1024.0)
        } else {
            "-".to_owned()
        };
        println!(
            "{:<22} {t:>12.2} {:>10.2} {e:>14.2} {:>10.2} {peak:>10}",
            s.name,
            t - ttfb0,
            e - event0
        );
    }
    if args.smoke {
        return;
    }
    let Some(vouch) = subjects.iter().find(|s| s.store.is_some()) else {
        return;
    };
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    let added_ttfb = median(&vouch.ttfb_ms) - ttfb0;
    let added_event = p99(&vouch.event_delay_ms) - event0;
    let peak = vouch.peak_kib as f64 / 1024.0;
    println!(
        "\n{} TTFB added: {added_ttfb:.2} ms (median); target <= {TTFB_ADDED_MS} ms",
        verdict(added_ttfb <= TTFB_ADDED_MS)
    );
    println!(
        "{} event delay added: {added_event:.2} ms (p99); target <= {EVENT_ADDED_MS} ms",
        verdict(added_event <= EVENT_ADDED_MS)
    );
    println!(
        "{} peak memory: {peak:.1} MiB; target <= {PEAK_MIB} MiB",
        verdict(peak <= PEAK_MIB)
    );
    // The store against the new content of each request: two messages and the response's text.
    let new = (conversation.new_bytes + args.events * 48) as f64;
    let growth: Vec<f64> = vouch
        .store_bytes
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]) as f64 / new)
        .collect();
    let stored = vouch.store.as_deref().map_or(0, checkpointed_bytes) as f64;
    let all_new = new * vouch.store_bytes.len() as f64;
    println!(
        "{} store: {:.2}× the new content ({} KB for {} KB new, after the recorder's checkpoint; while running, store file and journal grew {:.2}× per request, median); re-sending the whole context each time would be {:.1}×; target < {GROWTH}×",
        verdict(stored / all_new < GROWTH),
        stored / all_new,
        stored as u64 / 1000,
        all_new as u64 / 1000,
        median(&growth),
        (CONTEXT_BYTES as f64 / 2.0) / conversation.new_bytes as f64
    );
}

/// The store's size once its journal is checkpointed into it (what a stopped recorder leaves).
fn checkpointed_bytes(dir: &Path) -> u64 {
    match git_vouch::recorder::store::Store::open(dir).and_then(|s| s.checkpoint()) {
        Ok(()) => folder_bytes(dir),
        Err(e) => {
            println!("store: {e}");
            0
        }
    }
}
