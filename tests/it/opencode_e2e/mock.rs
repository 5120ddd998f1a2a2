//! A scripted mock of the OpenAI Chat Completions API on 127.0.0.1, as opencode's
//! `@ai-sdk/openai-compatible` provider calls it: `POST /v1/chat/completions` with
//! `stream: true, stream_options.include_usage: true`, answered with server-sent events (no
//! `event:` lines): a role chunk, one chunk per tool call (`choices[0].delta.tool_calls`) or
//! the text (`delta.content`), a chunk with `finish_reason`, then `{"choices": [], "usage": …}`
//! and `data: [DONE]`.
//!
//! Each session is scripted apart, told by the request's `x-session-id` header: the first
//! session seen is `main`, the next ones are the scenario's other threads in order (the child
//! sessions `task` starts). A request without `tools` (the title request) is a side call: it is
//! answered with plain text and does not advance the script. Every request is logged
//! (`<scenario>.mock.jsonl`) with a digest of its body and the decision taken; the tools each
//! thread was offered go to `<scenario>.tools.<thread>.json`; every completion served is kept
//! as a [`ScriptedUsage`].

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
use super::scenario::{Item, MODEL, Scenario, Usage, side_usage};
use crate::e2e::http::{self, Request};

/// One logged request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogEntry {
    pub seq: usize,
    pub method: String,
    pub target: String,
    /// `completion` (scripted), `side` (no tools), `exhausted` (past the script), `other`.
    pub kind: String,
    pub status: u16,
    /// `main`, `child`…
    pub thread: Option<String>,
    /// The `x-session-id` header (opencode's session id).
    pub session_id: Option<String>,
    pub model: Option<String>,
    pub stream: Option<bool>,
    pub include_usage: Option<bool>,
    /// The first 16 hex digits of the body's SHA-256.
    pub body_sha256: String,
    pub body_bytes: usize,
    /// The names of the tools offered, and how many messages the request carried.
    pub tools: Vec<String>,
    pub messages: usize,
    /// `<thread>#<index in its script>` or `side#<n>`.
    pub decision: String,
    /// The `id` of the chunks sent (`chatcmpl-…`; opencode does not store it).
    pub completion_id: Option<String>,
    pub usage: Option<Value>,
    /// What was served (`bash`, `write`, `task`, `text`…).
    pub items: Vec<String>,
    pub note: String,
    /// The whole request body, only with `E2E_LOG_BODIES=1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Default)]
struct Progress {
    /// Session ids in the order first seen (index 0 is `main`).
    sessions: Vec<String>,
    /// Completions taken from each thread's script.
    next: BTreeMap<String, usize>,
    served: Vec<ScriptedUsage>,
    side: usize,
    log: Vec<LogEntry>,
    /// Requests being answered.
    busy: usize,
}

struct State {
    scenario: Scenario,
    /// The repository's absolute path (tool arguments name files in it).
    repo: String,
    progress: Mutex<Progress>,
    changed: Condvar,
    log_file: Mutex<File>,
    folder: PathBuf,
}

/// A running mock; stopped when dropped.
pub struct Mock {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    /// Binds 127.0.0.1 on a free port and serves `scenario` for a CLI working in `repo`,
    /// logging to `log_path` (the tools offered go next to it).
    pub fn start(scenario: &Scenario, repo: &Path, log_path: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(State {
            scenario: scenario.clone(),
            repo: repo.to_str().expect("a UTF-8 repository path").to_owned(),
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
            log_file: Mutex::new(File::create(log_path).expect("create the mock log")),
            folder: log_path.parent().expect("the log's folder").to_path_buf(),
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

    /// The provider's `options.baseURL`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Every completion served so far (scripted ones and side calls), in the order sent.
    /// Waits (up to 10 s) for requests still being answered.
    pub fn served(&self) -> Vec<ScriptedUsage> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut p = lock(&self.state);
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
        lock(&self.state).log.clone()
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

/// What a request is answered with.
struct Answer {
    items: Vec<Item>,
    usage: Usage,
    completion_id: String,
    /// Index in the thread's script (or among side calls), for tool call ids.
    index: usize,
    side: bool,
}

/// The thread of a session id: `main` for the first one seen, then the scenario's other
/// threads in order.
fn thread_of(state: &State, p: &mut Progress, session: &str) -> String {
    let i = match p.sessions.iter().position(|s| s == session) {
        Some(i) => i,
        None => {
            p.sessions.push(session.to_owned());
            p.sessions.len() - 1
        }
    };
    state
        .scenario
        .threads
        .get(i)
        .map_or_else(|| format!("unscripted-{i}"), |(t, _)| (*t).to_owned())
}

/// A side call (no tools), the thread's next step, or past the script; notes it in `entry`.
fn decide(state: &State, session: &str, tools: usize, entry: &mut LogEntry) -> (String, Answer) {
    let name = state.scenario.name;
    let mut p = lock(state);
    let thread = thread_of(state, &mut p, session);
    if tools == 0 {
        let index = p.side;
        p.side += 1;
        entry.kind = "side".into();
        entry.decision = format!("side#{index}");
        let answer = Answer {
            items: vec![Item::Text("Scripted scenario run")],
            usage: side_usage(name, index as u64),
            completion_id: format!("chatcmpl-{name}-side-{index}"),
            index,
            side: true,
        };
        return (thread, answer);
    }
    let index = *p.next.entry(thread.clone()).or_default();
    p.next.insert(thread.clone(), index + 1);
    entry.decision = format!("{thread}#{index}");
    let completion_id = format!("chatcmpl-{name}-{thread}-{index}");
    if let Some(step) = state.scenario.steps(&thread).and_then(|s| s.get(index)) {
        entry.kind = "completion".into();
        let answer = Answer {
            items: step.items.clone(),
            usage: step.usage,
            completion_id,
            index,
            side: false,
        };
        return (thread, answer);
    }
    entry.kind = "exhausted".into();
    entry.note = "the script has no more completions for this thread".into();
    let answer = Answer {
        items: vec![Item::Text("mock: the script has no more completions")],
        usage: Usage {
            input: 11,
            cached: 0,
            output: 7,
            reasoning: 0,
        },
        completion_id,
        index,
        side: false,
    };
    (thread, answer)
}

/// `404` for anything but `POST …/chat/completions`.
fn refuse(state: &State, stream: &mut TcpStream, mut entry: LogEntry) -> std::io::Result<()> {
    entry.kind = "other".into();
    entry.status = 404;
    entry.note = "unhandled endpoint".into();
    record(state, entry);
    let body =
        json!({"error": {"message": "mock: no such endpoint", "type": "invalid_request_error"}});
    http::respond(
        stream,
        404,
        "application/json",
        &[],
        body.to_string().as_bytes(),
    )
}

/// The usage chunk's `usage` (`total_tokens = prompt + completion`).
pub fn usage_json(u: Usage) -> Value {
    json!({"prompt_tokens": u.input, "completion_tokens": u.output,
        "total_tokens": u.input + u.output,
        "prompt_tokens_details": {"cached_tokens": u.cached},
        "completion_tokens_details": {"reasoning_tokens": u.reasoning}})
}

/// The whole event stream of an answer.
fn sse_body(state: &State, thread: &str, answer: &Answer) -> String {
    let base = json!({"id": answer.completion_id, "object": "chat.completion.chunk",
        "created": 1_796_000_000, "model": MODEL});
    let chunk = |fields: Value| {
        let mut c = base.clone();
        for (k, v) in fields.as_object().expect("chunk fields") {
            c[k] = v.clone();
        }
        format!("data: {c}\n\n")
    };
    let mut out = chunk(json!({"choices": [{"index": 0,
        "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]}));
    let mut calls = 0;
    for item in &answer.items {
        match item.arguments(&state.repo) {
            Some(args) => {
                let prefix = if answer.side { "side" } else { thread };
                let id = format!("call_{prefix}_{}_{calls}", answer.index);
                out.push_str(&chunk(
                    json!({"choices": [{"index": 0, "delta": {"tool_calls": [{
                    "index": calls, "id": id, "type": "function",
                    "function": {"name": item.label(), "arguments": args.to_string()}}]},
                    "finish_reason": null}]}),
                ));
                calls += 1;
            }
            None => {
                let Item::Text(text) = item else { continue };
                out.push_str(&chunk(json!({"choices": [{"index": 0,
                    "delta": {"content": text}, "finish_reason": null}]})));
            }
        }
    }
    let finish = if calls > 0 { "tool_calls" } else { "stop" };
    out.push_str(&chunk(
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}),
    ));
    out.push_str(&chunk(
        json!({"choices": [], "usage": usage_json(answer.usage)}),
    ));
    out.push_str("data: [DONE]\n\n");
    out
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
    if req.method != "POST" || !req.path().ends_with("/chat/completions") {
        return refuse(state, stream, entry);
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let session = req.header("x-session-id").unwrap_or("").to_owned();
    if session.is_empty() {
        entry.note = "no x-session-id header".into();
    }
    entry.session_id = Some(session.clone());
    entry.model = body["model"].as_str().map(str::to_owned);
    entry.stream = body["stream"].as_bool();
    entry.include_usage = body["stream_options"]["include_usage"].as_bool();
    let tools = body["tools"].as_array().cloned().unwrap_or_default();
    entry.tools = tools
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_owned))
        .collect();
    entry.messages = body["messages"].as_array().map_or(0, Vec::len);
    if std::env::var("E2E_LOG_BODIES").as_deref() == Ok("1") {
        entry.body = Some(body.clone());
    }
    if entry.stream != Some(true) || entry.include_usage != Some(true) {
        entry.note = "not a streamed request with include_usage".into();
    }

    let (thread, answer) = decide(state, &session, tools.len(), &mut entry);
    entry.thread = Some(thread.clone());
    let tools_path = state
        .folder
        .join(format!("{}.tools.{thread}.json", state.scenario.name));
    if !tools.is_empty() && !tools_path.exists() {
        let text = serde_json::to_string_pretty(&tools).unwrap_or_default();
        let _ = std::fs::write(&tools_path, text + "\n");
    }
    entry.items = answer.items.iter().map(|i| i.label().to_owned()).collect();
    entry.completion_id = Some(answer.completion_id.clone());
    entry.usage = Some(usage_json(answer.usage));
    record(state, entry);

    let body = sse_body(state, &thread, &answer);
    let sent = http::respond(
        stream,
        200,
        "text/event-stream; charset=utf-8",
        &[("Cache-Control", "no-cache".to_owned())],
        body.as_bytes(),
    );

    let mut p = lock(state);
    let u = answer.usage;
    p.served.push(ScriptedUsage {
        completion_id: answer.completion_id,
        thread,
        session_id: session,
        side: answer.side,
        input: u.input,
        cached: u.cached,
        output: u.output,
        reasoning: u.reasoning,
    });
    drop(p);
    state.changed.notify_all();
    sent
}
