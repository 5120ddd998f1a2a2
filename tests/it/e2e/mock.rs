//! A scripted mock of the Anthropic Messages API on 127.0.0.1: `POST /v1/messages` streamed
//! (SSE) or not, `count_tokens`, `HEAD /` and a few GETs; `CONNECT` (the CLI pointed at us as
//! its proxy) is logged as an external attempt and refused. Every request is logged with the
//! decision taken and the usage served, which is what the expected totals are computed from.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Value, json};

use super::http::{self, Request};
use super::pick::{Pick, pick};
use super::reply::{build, new_id};
use super::scenario::{Scenario, Turn, Usage};
use super::select::{self, Decision};
use super::sse;

/// One logged request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogEntry {
    pub seq: usize,
    pub method: String,
    pub target: String,
    /// `messages`, `side`, `error`, `count_tokens`, `connect`, `head`, `other`.
    pub kind: String,
    pub status: u16,
    pub session_id: Option<String>,
    /// The request's `x-api-key` (the mock's dummy key; the recorder's tests check that the run
    /// token never reaches the upstream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub stream: bool,
    pub decision: Option<Decision>,
    pub usage: Option<Usage>,
    /// Names of the tool calls in the response.
    pub tools: Vec<String>,
    /// The tool results the request's last message hands back (what the model is told).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<ToolResult>,
    pub message_id: Option<String>,
    pub request_id: Option<String>,
    pub note: String,
    /// The whole request body, only with `E2E_LOG_BODIES=1` (for writing scenarios).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// One `tool_result` block of a request, as the model would read it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ToolResult {
    pub tool_use_id: String,
    pub is_error: bool,
    /// Its text (the text blocks joined, when the content is a list).
    pub text: String,
}

/// The `tool_result` blocks of the last message of a request.
fn tool_results(body: &Value) -> Vec<ToolResult> {
    let last = body["messages"].as_array().and_then(|m| m.last());
    let blocks = last.map(select::blocks).unwrap_or_default();
    blocks
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .map(|b| ToolResult {
            tool_use_id: b["tool_use_id"].as_str().unwrap_or("").to_owned(),
            is_error: b["is_error"].as_bool().unwrap_or(false),
            text: match &b["content"] {
                Value::String(t) => t.clone(),
                content => select::text_of(&json!({ "content": content })),
            },
        })
        .collect()
}

/// What the connection threads share.
pub struct State {
    pub scenario: Scenario,
    vars: BTreeMap<String, String>,
    log: Mutex<(Vec<LogEntry>, File)>,
    /// Requests seen per `fail_first` position.
    pub fails: Mutex<HashMap<String, u32>>,
    /// (prompt, turn) of every main-thread request as it arrived, for `after` barriers.
    pub arrived: Mutex<Vec<(usize, usize)>>,
    /// Scripted requests answered, for `max_requests`.
    pub scripted: AtomicUsize,
}

/// A running mock; stopped when dropped.
pub struct Mock {
    pub port: u16,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mock {
    /// Binds 127.0.0.1 on a free port and serves `scenario`; `{{name}}` in turns is `vars[name]`.
    pub fn start(scenario: Scenario, vars: BTreeMap<String, String>, log_path: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let file = File::create(log_path).expect("create the mock log");
        let state = Arc::new(State {
            scenario,
            vars,
            log: Mutex::new((Vec::new(), file)),
            fails: Mutex::new(HashMap::new()),
            arrived: Mutex::new(Vec::new()),
            scripted: AtomicUsize::new(0),
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

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<LogEntry> {
        self.state.log.lock().expect("log lock").0.clone()
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

fn record(state: &State, mut entry: LogEntry) {
    let mut guard = state.log.lock().expect("log lock");
    entry.seq = guard.0.len() + 1;
    let _ = writeln!(
        guard.1,
        "{}",
        serde_json::to_string(&entry).unwrap_or_default()
    );
    guard.0.push(entry);
}

fn serve(state: &State, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_mins(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut stream = stream;
    while let Ok(Some(req)) = http::read_request(&mut reader) {
        let close = req.wants_close() || req.method == "CONNECT";
        if handle(state, &mut stream, &req).is_err() || close {
            break;
        }
    }
}

fn handle(state: &State, stream: &mut TcpStream, req: &Request) -> std::io::Result<()> {
    let mut entry = LogEntry {
        method: req.method.clone(),
        target: req.target.clone(),
        api_key: req.header("x-api-key").map(str::to_owned),
        status: 200,
        ..LogEntry::default()
    };
    let json_type = "application/json";
    match (req.method.as_str(), req.path()) {
        ("CONNECT", _) => {
            entry.kind = "connect".into();
            entry.status = 403;
            entry.note = "external connection attempt refused".into();
            record(state, entry);
            http::respond(stream, 403, "text/plain", &[], b"")
        }
        ("HEAD", _) => {
            entry.kind = "head".into();
            record(state, entry);
            http::respond(stream, 200, json_type, &[], b"")
        }
        ("POST", "/v1/messages") => messages(state, stream, req, entry),
        ("POST", "/v1/messages/count_tokens") => {
            entry.kind = "count_tokens".into();
            record(state, entry);
            let n = (req.body.len() / 4).max(1);
            let body = json!({ "input_tokens": n }).to_string();
            http::respond(stream, 200, json_type, &[], body.as_bytes())
        }
        ("GET", "/v1/models") => {
            entry.kind = "other".into();
            record(state, entry);
            let m = &state.scenario.model;
            let body = json!({"data": [{"type": "model", "id": m, "display_name": m,
                "created_at": "2025-09-29T00:00:00Z"}], "has_more": false,
                "first_id": m, "last_id": m});
            http::respond(stream, 200, json_type, &[], body.to_string().as_bytes())
        }
        (method, _) => {
            entry.kind = "other".into();
            entry.status = if method == "GET" { 200 } else { 404 };
            entry.note = "unhandled endpoint".into();
            let status = entry.status;
            record(state, entry);
            let body = if status == 200 {
                json!({})
            } else {
                error_body("not_found_error", "mock: no such endpoint")
            };
            http::respond(stream, status, json_type, &[], body.to_string().as_bytes())
        }
    }
}

fn error_body(kind: &str, message: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": message}})
}

/// The session id in `metadata.user_id` (a JSON string in 2.1.x, `…_session_<id>` before).
fn session_of(body: &Value) -> Option<String> {
    let user = body["metadata"]["user_id"].as_str()?;
    if let Ok(v) = serde_json::from_str::<Value>(user)
        && let Some(s) = v["session_id"].as_str()
    {
        return Some(s.to_owned());
    }
    user.rsplit_once("session_").map(|(_, s)| s.to_owned())
}

fn messages(
    state: &State,
    stream: &mut TcpStream,
    req: &Request,
    mut entry: LogEntry,
) -> std::io::Result<()> {
    let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
        entry.kind = "other".into();
        entry.status = 400;
        entry.note = "body is not JSON".into();
        record(state, entry);
        let err = error_body("invalid_request_error", "mock: body is not JSON");
        return http::respond(
            stream,
            400,
            "application/json",
            &[],
            err.to_string().as_bytes(),
        );
    };
    let sc = &state.scenario;
    entry.session_id = session_of(&body);
    entry.model = body["model"].as_str().map(str::to_owned);
    entry.stream = body["stream"].as_bool().unwrap_or(false);
    entry.results = tool_results(&body);
    if std::env::var("E2E_LOG_BODIES").as_deref() == Ok("1") {
        entry.body = Some(body.clone());
    }
    let picked = pick(state, &body, &mut entry);
    let turn: &Turn = match &picked {
        Pick::Fail(ff) => {
            record(state, entry);
            let err = error_body(&ff.kind, &ff.message).to_string();
            let rid = vec![("request-id", new_id("req_"))];
            return http::respond(stream, ff.status, "application/json", &rid, err.as_bytes());
        }
        Pick::Scripted(turn) => turn,
        Pick::Made(turn) => turn,
    };
    let msg = build(sc, &state.vars, &body, turn);
    let request_id = new_id("req_");
    entry.usage = Some(turn.usage);
    entry.tools = msg["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "tool_use")
        .filter_map(|b| b["name"].as_str().map(str::to_owned))
        .collect();
    entry.message_id = msg["id"].as_str().map(str::to_owned);
    entry.request_id = Some(request_id.clone());
    let streamed = entry.stream;
    record(state, entry);
    if turn.delay_ms > 0 {
        std::thread::sleep(Duration::from_millis(turn.delay_ms));
    }
    let headers = vec![
        ("request-id", request_id),
        (
            "anthropic-organization-id",
            "00000000-0000-4000-8000-000000000000".to_owned(),
        ),
    ];
    if streamed {
        sse::stream_message(stream, &headers, &msg)
    } else {
        let text = msg.to_string();
        http::respond(stream, 200, "application/json", &headers, text.as_bytes())
    }
}
