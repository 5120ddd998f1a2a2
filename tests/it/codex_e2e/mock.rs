//! A scripted mock of the OpenAI Responses API on 127.0.0.1, as Codex's custom provider
//! (`wire_api = "responses"`) calls it: `POST /v1/responses`, answered with server-sent events
//! `response.created`, one `response.output_item.done` per item, `response.completed` with the
//! usage. Each thread is scripted apart, told by the `agent_name` in the request's
//! `x-codex-turn-metadata` header (`/root` for the main thread, `/root/<task>` for a subagent).
//! A request without `tools` (a side call) is answered with plain text and does not advance the
//! script. Every request is logged (`<scenario>.mock.jsonl`) with a digest of its body and the
//! decision taken; every response served is kept as a [`ScriptedUsage`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ScriptedUsage;
use super::scenario::{Item, Scenario, Usage, slug, thread_name};
use crate::e2e::http::{self, Chunked, Request};

/// One logged request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogEntry {
    pub seq: usize,
    pub method: String,
    pub target: String,
    /// `responses` (scripted), `side` (no tools), `exhausted` (past the script),
    /// `websocket` (an upgrade attempt, refused), `other`.
    pub kind: String,
    pub status: u16,
    /// `main` or a subagent's task name.
    pub thread: Option<String>,
    /// `x-codex-turn-metadata.request_kind` (`turn`).
    pub request_kind: Option<String>,
    pub turn_id: Option<String>,
    pub model: Option<String>,
    /// The first 16 hex digits of the body's SHA-256.
    pub body_sha256: String,
    pub body_bytes: usize,
    /// How many tools and input items the request carried.
    pub tools: usize,
    pub input_items: usize,
    /// `<thread>#<index in its script>`.
    pub decision: String,
    pub response_id: Option<String>,
    pub usage: Option<Value>,
    /// The items served (`exec_command`, `apply_patch`, `spawn_agent`, `message`…).
    pub items: Vec<String>,
    pub note: String,
    /// The whole request body, only with `E2E_LOG_BODIES=1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Default)]
struct Progress {
    /// Requests taken from each thread's script.
    next: BTreeMap<String, usize>,
    /// Responses completely sent, per thread (what `after` waits for).
    done: BTreeMap<String, usize>,
    served: Vec<ScriptedUsage>,
    side: usize,
    log: Vec<LogEntry>,
    /// Requests being answered.
    busy: usize,
}

struct State {
    scenario: Scenario,
    progress: Mutex<Progress>,
    changed: Condvar,
    log_file: Mutex<File>,
    tools_path: PathBuf,
}

/// A running mock; stopped when dropped.
pub struct Mock {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    /// Binds 127.0.0.1 on a free port and serves `scenario`, logging to `log_path` (and the
    /// tools of the first request to `<log_path without .mock.jsonl>.tools.json`).
    pub fn start(scenario: &Scenario, log_path: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let tools_path = log_path.with_file_name(format!("{}.tools.json", scenario.name));
        let state = Arc::new(State {
            scenario: scenario.clone(),
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
            log_file: Mutex::new(File::create(log_path).expect("create the mock log")),
            tools_path,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (st, stop2) = (Arc::clone(&state), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = Arc::clone(&st);
                std::thread::spawn(move || serve(&st, conn));
            }
        });
        Self {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The provider's `base_url`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Every response served so far, in the order they were sent. Waits (up to 10 s) for the
    /// requests being answered: the CLI may exit as soon as it has read the last event, before
    /// the connection's thread has noted the response as served.
    pub fn served(&self) -> Vec<ScriptedUsage> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut p = self.progress();
        while p.busy > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            p = self
                .state
                .changed
                .wait_timeout(p, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        p.served.clone()
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<LogEntry> {
        self.progress().log.clone()
    }

    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.state
            .progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(state: &State) -> std::sync::MutexGuard<'_, Progress> {
    state
        .progress
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn record(state: &State, mut entry: LogEntry) {
    let mut p = lock(state);
    entry.seq = p.log.len() + 1;
    if let Ok(mut f) = state.log_file.lock() {
        let _ = writeln!(f, "{}", serde_json::to_string(&entry).unwrap_or_default());
    }
    p.log.push(entry);
}

fn serve(state: &State, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_mins(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    while let Ok(Some(req)) = http::read_request(&mut reader) {
        lock(state).busy += 1;
        let result = handle(state, &mut stream, &req);
        lock(state).busy -= 1;
        state.changed.notify_all();
        if result.is_err() || req.wants_close() {
            break;
        }
    }
}

/// The thread a request belongs to, by `agent_name` of `x-codex-turn-metadata`.
fn thread_of(meta: &Value) -> String {
    thread_name(meta["agent_name"].as_str())
}

/// What a request is answered with.
struct Answer {
    items: Vec<Item>,
    usage: Usage,
    response_id: String,
    /// Index in the thread's script (or among side calls), for item ids.
    index: usize,
    after: Option<(&'static str, usize)>,
}

/// A side call (no tools), the thread's next step, or past the script; notes it in `entry`.
fn decide(state: &State, thread: &str, tools: usize, entry: &mut LogEntry) -> Answer {
    let name = state.scenario.name;
    let mut p = lock(state);
    if tools == 0 {
        let index = p.side;
        p.side += 1;
        entry.kind = "side".into();
        entry.decision = format!("side#{index}");
        let n = index as u64;
        return Answer {
            items: vec![Item::Message("ok")],
            usage: Usage {
                input: 97 + n,
                cached: 0,
                output: 5 + n,
                reasoning: 0,
            },
            response_id: format!("resp_{name}_side_{index}"),
            index,
            after: None,
        };
    }
    let index = *p.next.entry(thread.to_owned()).or_default();
    p.next.insert(thread.to_owned(), index + 1);
    entry.decision = format!("{thread}#{index}");
    let response_id = format!("resp_{name}_{}_{index}", slug(thread));
    if let Some(step) = state.scenario.steps(thread).and_then(|s| s.get(index)) {
        entry.kind = "responses".into();
        return Answer {
            items: step.items.clone(),
            usage: step.usage,
            response_id,
            index,
            after: step.after,
        };
    }
    entry.kind = "exhausted".into();
    entry.note = "the script has no more responses for this thread".into();
    Answer {
        items: vec![Item::Message("mock: the script has no more responses")],
        usage: Usage {
            input: 11,
            cached: 0,
            output: 7,
            reasoning: 0,
        },
        response_id,
        index,
        after: None,
    }
}

/// Waits (up to a minute) until `thread` has been served `count` responses.
fn wait_for(state: &State, thread: &str, count: usize) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_mins(1);
    let mut p = lock(state);
    while p.done.get(thread).copied().unwrap_or(0) < count {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "gave up waiting for {thread} to be served {count} responses"
            ));
        }
        p = state
            .changed
            .wait_timeout(p, left)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0;
    }
    Ok(())
}

/// Refuses what the mock does not serve (a WebSocket upgrade, another endpoint).
fn refuse(
    state: &State,
    stream: &mut TcpStream,
    req: &Request,
    mut entry: LogEntry,
) -> std::io::Result<()> {
    let upgrade = req
        .header("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    entry.kind = if upgrade { "websocket" } else { "other" }.into();
    entry.status = if upgrade { 426 } else { 404 };
    entry.note = "unhandled endpoint".into();
    let status = entry.status;
    record(state, entry);
    let body =
        json!({"error": {"message": "mock: no such endpoint", "type": "invalid_request_error"}});
    http::respond(
        stream,
        status,
        "application/json",
        &[],
        body.to_string().as_bytes(),
    )
}

/// Streams the answer up to `response.completed`; the caller ends the stream.
fn send<'a>(
    stream: &'a mut TcpStream,
    answer: &Answer,
    id_base: &str,
) -> std::io::Result<Chunked<'a>> {
    let rid = &answer.response_id;
    let mut out = Chunked::start(stream, &[("x-request-id", format!("req_{rid}"))])?;
    out.event(
        "response.created",
        &json!({"type": "response.created", "response": {"id": rid}}),
    )?;
    for (i, item) in answer.items.iter().enumerate() {
        let item = item.to_json(&format!("{id_base}_{i}"));
        out.event(
            "response.output_item.done",
            &json!({"type": "response.output_item.done", "output_index": i, "item": item}),
        )?;
    }
    out.event(
        "response.completed",
        &json!({"type": "response.completed",
            "response": {"id": rid, "usage": usage_json(answer.usage)}}),
    )?;
    Ok(out)
}

fn handle(state: &State, stream: &mut TcpStream, req: &Request) -> std::io::Result<()> {
    let hex = Sha256::digest(&req.body)
        .iter()
        .take(8)
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
    let mut entry = LogEntry {
        method: req.method.clone(),
        target: req.target.clone(),
        status: 200,
        body_sha256: hex,
        body_bytes: req.body.len(),
        ..LogEntry::default()
    };
    if req.method != "POST"
        || !req.path().ends_with("/responses")
        || req.header("upgrade").is_some()
    {
        return refuse(state, stream, req, entry);
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let meta: Value = req
        .header("x-codex-turn-metadata")
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Value::Null);
    let thread = thread_of(&meta);
    entry.thread = Some(thread.clone());
    entry.request_kind = meta["request_kind"].as_str().map(str::to_owned);
    entry.turn_id = meta["turn_id"].as_str().map(str::to_owned);
    entry.model = body["model"].as_str().map(str::to_owned);
    let tools = body["tools"].as_array().map_or(0, Vec::len);
    entry.tools = tools;
    entry.input_items = body["input"].as_array().map_or(0, Vec::len);
    if std::env::var("E2E_LOG_BODIES").as_deref() == Ok("1") {
        entry.body = Some(body.clone());
    }
    if tools > 0 && !state.tools_path.exists() {
        let text = serde_json::to_string_pretty(&body["tools"]).unwrap_or_default();
        let _ = std::fs::write(&state.tools_path, text + "\n");
    }

    let answer = decide(state, &thread, tools, &mut entry);
    if let Some((other, count)) = answer.after
        && let Err(why) = wait_for(state, other, count)
    {
        entry.note = why;
    }
    let id_base = if entry.kind == "side" {
        format!("side_{}", answer.index)
    } else {
        format!("{}_{}", slug(&thread), answer.index)
    };
    entry.items = answer.items.iter().map(|i| i.label().to_owned()).collect();
    entry.response_id = Some(answer.response_id.clone());
    entry.usage = Some(usage_json(answer.usage));
    record(state, entry);

    // Served once `response.completed` is out: the CLI may hang up before the stream's end.
    let finished = send(stream, &answer, &id_base)?.finish();

    let mut p = lock(state);
    *p.done.entry(thread.clone()).or_default() += 1;
    let u = answer.usage;
    p.served.push(ScriptedUsage {
        response_id: answer.response_id,
        thread,
        input: u.input,
        cached: u.cached,
        output: u.output,
        reasoning: u.reasoning,
    });
    drop(p);
    state.changed.notify_all();
    finished
}

/// `response.usage` as the Responses API reports it (`total = input + output`).
fn usage_json(u: Usage) -> Value {
    json!({"input_tokens": u.input, "input_tokens_details": {"cached_tokens": u.cached},
        "output_tokens": u.output, "output_tokens_details": {"reasoning_tokens": u.reasoning},
        "total_tokens": u.input + u.output})
}
