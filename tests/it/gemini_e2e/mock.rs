//! A scripted mock of the Gemini API on 127.0.0.1, as the Gemini CLI calls it with
//! `GOOGLE_GEMINI_BASE_URL`: `POST /v1beta/models/<model>:streamGenerateContent?alt=sse`,
//! answered with server-sent events `data: <GenerateContentResponse>`, one chunk per part; each
//! chunk has `usageMetadata` (the real API sends it on every chunk), interim figures on all but
//! the last, which has the response's full usage and `finishReason: STOP` (the CLI keeps the
//! last chunk's usage). A request whose tools include `complete_task` comes from the subagent
//! (only a subagent gets that tool); the others from the main session. A request without tools,
//! a `:generateContent` or a `:countTokens` call is a side call: answered, logged, and not part
//! of any script. Every request is logged (`<scenario>.mock.jsonl`) with a digest of its body
//! and the decision taken; every response served is kept as a [`ScriptedUsage`].

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
use super::scenario::{Item, MAIN, MODEL, Scenario, Usage, slug};
use crate::e2e::http::{self, Request};

/// One logged request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogEntry {
    pub seq: usize,
    pub method: String,
    pub target: String,
    /// `stream` (scripted), `side` (no tools, `generateContent`, `countTokens`), `exhausted`
    /// (past the script), `other` (not served: 404).
    pub kind: String,
    pub status: u16,
    /// `main` or the subagent's name.
    pub thread: Option<String>,
    /// The model in the path (`gemini-2.5-pro`).
    pub model: Option<String>,
    /// `streamGenerateContent`, `generateContent`, `countTokens`…
    pub rpc: Option<String>,
    /// The first 16 hex digits of the body's SHA-256.
    pub body_sha256: String,
    pub body_bytes: usize,
    /// How many function declarations and `contents` entries the request carried.
    pub tools: usize,
    pub contents: usize,
    /// `<thread>#<index in its script>` or `side#<n>`.
    pub decision: String,
    pub response_id: Option<String>,
    pub usage: Option<Value>,
    /// The parts served (`run_shell_command`, `text`, `thought`…).
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
    /// `<work folder>/<scenario>`: `.tools.<thread>.json` is appended.
    tools_base: PathBuf,
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
    /// tools of each thread's first request to `<scenario>.tools.<thread>.json` beside it).
    pub fn start(scenario: &Scenario, log_path: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(State {
            scenario: scenario.clone(),
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
            log_file: Mutex::new(File::create(log_path).expect("create the mock log")),
            tools_base: log_path.with_file_name(scenario.name),
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

    /// `GOOGLE_GEMINI_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every response served so far, in the order they were sent. Waits (up to 10 s) for the
    /// requests being answered.
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

    /// How many responses `thread` has been served.
    pub fn served_to(&self, thread: &str) -> usize {
        lock(&self.state)
            .served
            .iter()
            .filter(|s| s.thread == thread)
            .count()
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

/// The names of the function declarations a request offers.
fn tool_names(body: &Value) -> Vec<String> {
    body["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["functionDeclarations"].as_array().into_iter().flatten())
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect()
}

/// What a request is answered with.
struct Answer {
    items: Vec<Item>,
    usage: Usage,
    response_id: String,
    rewound: bool,
}

fn side_answer(state: &State, p: &mut Progress, entry: &mut LogEntry) -> Answer {
    let index = p.side;
    p.side += 1;
    entry.kind = "side".into();
    entry.decision = format!("side#{index}");
    let n = index as u64;
    Answer {
        items: vec![Item::Text("{}")],
        usage: Usage {
            input: 97 + n,
            cached: 0,
            output: 5 + n,
            thoughts: 0,
            tool: 0,
        },
        response_id: format!("resp_{}_side_{index}", state.scenario.name),
        rewound: false,
    }
}

/// A side call, the thread's next step, or past the script; notes it in `entry`.
fn decide(state: &State, rpc: &str, tools: &[String], entry: &mut LogEntry) -> Answer {
    let name = state.scenario.name;
    let mut p = lock(state);
    if rpc != "streamGenerateContent" || tools.is_empty() {
        return side_answer(state, &mut p, entry);
    }
    let thread = if tools.iter().any(|t| t == "complete_task") {
        state.scenario.child().unwrap_or("subagent")
    } else {
        MAIN
    };
    entry.thread = Some(thread.to_owned());
    let index = *p.next.entry(thread.to_owned()).or_default();
    p.next.insert(thread.to_owned(), index + 1);
    entry.decision = format!("{thread}#{index}");
    let response_id = format!("resp_{name}_{}_{index}", slug(thread));
    if let Some(step) = state.scenario.steps(thread).and_then(|s| s.get(index)) {
        entry.kind = "stream".into();
        return Answer {
            items: step.items.clone(),
            usage: step.usage,
            response_id,
            rewound: step.rewound,
        };
    }
    entry.kind = "exhausted".into();
    entry.note = "the script has no more responses for this thread".into();
    Answer {
        items: vec![Item::Text("mock: the script has no more responses")],
        usage: Usage {
            input: 11,
            cached: 0,
            output: 7,
            thoughts: 0,
            tool: 0,
        },
        response_id,
        rewound: false,
    }
}

/// `usageMetadata` as the Gemini API reports it.
pub fn usage_json(u: Usage) -> Value {
    json!({"promptTokenCount": u.input, "candidatesTokenCount": u.output,
        "totalTokenCount": u.total(), "cachedContentTokenCount": u.cached,
        "thoughtsTokenCount": u.thoughts, "toolUsePromptTokenCount": u.tool})
}

/// The chunks of a streamed answer: one per part, interim usage on all but the last.
fn chunks(answer: &Answer) -> Vec<Value> {
    let n = answer.items.len();
    answer
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let last = i + 1 == n;
            let mut candidate = json!({"content": {"role": "model", "parts": [item.to_json()]},
                "index": 0});
            let usage = if last {
                candidate["finishReason"] = json!("STOP");
                usage_json(answer.usage)
            } else {
                // What the API reports mid-stream: the prompt, a few candidates so far.
                let so_far = i as u64 + 1;
                json!({"promptTokenCount": answer.usage.input, "candidatesTokenCount": so_far,
                    "totalTokenCount": answer.usage.input + so_far})
            };
            json!({"candidates": [candidate], "usageMetadata": usage,
                "modelVersion": MODEL, "responseId": answer.response_id})
        })
        .collect()
}

/// Refuses what the mock does not serve.
fn refuse(state: &State, stream: &mut TcpStream, mut entry: LogEntry) -> std::io::Result<()> {
    entry.kind = "other".into();
    entry.status = 404;
    entry.note = "unhandled endpoint".into();
    record(state, entry);
    let body = json!({"error": {"code": 404, "message": "mock: no such endpoint",
        "status": "NOT_FOUND"}});
    http::respond(
        stream,
        404,
        "application/json",
        &[],
        body.to_string().as_bytes(),
    )
}

/// Writes the answer in the shape `rpc` calls for: SSE chunks, one JSON response, a count.
fn answer_with(stream: &mut TcpStream, rpc: &str, answer: &Answer) -> std::io::Result<()> {
    match rpc {
        "countTokens" => {
            let body = json!({"totalTokens": answer.usage.input});
            http::respond(
                stream,
                200,
                "application/json",
                &[],
                body.to_string().as_bytes(),
            )
        }
        "generateContent" => {
            let body = chunks(answer).pop().unwrap_or(Value::Null);
            http::respond(
                stream,
                200,
                "application/json",
                &[],
                body.to_string().as_bytes(),
            )
        }
        _ => {
            let mut sse = String::new();
            for chunk in chunks(answer) {
                let _ = write!(sse, "data: {chunk}\r\n\r\n");
            }
            http::respond(stream, 200, "text/event-stream", &[], sse.as_bytes())
        }
    }
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
    // `/v1beta/models/<model>:<rpc>`
    let Some((model, rpc)) = req
        .path()
        .strip_prefix("/v1beta/models/")
        .and_then(|rest| rest.split_once(':'))
    else {
        return refuse(state, stream, entry);
    };
    entry.model = Some(model.to_owned());
    entry.rpc = Some(rpc.to_owned());
    if req.method != "POST"
        || !matches!(
            rpc,
            "streamGenerateContent" | "generateContent" | "countTokens"
        )
    {
        return refuse(state, stream, entry);
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let tools = tool_names(&body);
    entry.tools = tools.len();
    entry.contents = body["contents"].as_array().map_or(0, Vec::len);
    if std::env::var("E2E_LOG_BODIES").as_deref() == Ok("1") {
        entry.body = Some(body.clone());
    }

    let answer = decide(state, rpc, &tools, &mut entry);
    if let Some(thread) = &entry.thread {
        let path = PathBuf::from(format!(
            "{}.tools.{}.json",
            state.tools_base.display(),
            slug(thread)
        ));
        if !path.exists() {
            let text = serde_json::to_string_pretty(&body["tools"]).unwrap_or_default();
            let _ = std::fs::write(&path, text + "\n");
        }
    }
    entry.items = answer.items.iter().map(|i| i.label().to_owned()).collect();
    entry.response_id = Some(answer.response_id.clone());
    entry.usage = Some(usage_json(answer.usage));
    let thread = entry.thread.clone().unwrap_or_else(|| "side".to_owned());
    record(state, entry);

    let result = answer_with(stream, rpc, &answer);

    let mut p = lock(state);
    let u = answer.usage;
    p.served.push(ScriptedUsage {
        response_id: answer.response_id,
        thread,
        input: u.input,
        cached: u.cached,
        output: u.output,
        thoughts: u.thoughts,
        tool: u.tool,
        total: u.total(),
        rewound: answer.rewound,
    });
    drop(p);
    state.changed.notify_all();
    result
}
