//! `git vouch export otlp` against a receiver in this process (nothing installed) and against
//! the real rotel collector (PyPI `rotel`, installed by `.ci/run`): what the collector gets,
//! that exporting again sends nothing twice, and how a collector that is down, slow, failing or
//! rejecting part of a batch is met.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use git_vouch::otlp::proto::{
    AnyValue, Data, ExportMetricsServiceRequest, ExportTraceServiceRequest, KeyValue, Number,
    PartialSuccess, Span, Value as V,
};
use prost::Message;
use serde_json::{Value, json};

use crate::support::cli::TestEnv;
use crate::support::otlp_receiver::{Answer, Receiver, free_port};

fn traces(requests: &[crate::support::otlp_receiver::Request]) -> Vec<Span> {
    requests
        .iter()
        .filter(|r| r.path == "/v1/traces")
        .flat_map(|r| {
            ExportTraceServiceRequest::decode(r.body.as_slice())
                .unwrap()
                .resource_spans
        })
        .flat_map(|rs| rs.scope_spans)
        .flat_map(|ss| ss.spans)
        .collect()
}

fn metrics(requests: &[crate::support::otlp_receiver::Request]) -> ExportMetricsServiceRequest {
    let mut all = ExportMetricsServiceRequest::default();
    for r in requests.iter().filter(|r| r.path == "/v1/metrics") {
        let one = ExportMetricsServiceRequest::decode(r.body.as_slice()).unwrap();
        all.resource_metrics.extend(one.resource_metrics);
    }
    all
}

fn attr<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a V> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|v: &AnyValue| v.value.as_ref())
}

fn int(attributes: &[KeyValue], key: &str) -> i64 {
    match attr(attributes, key) {
        Some(V::IntValue(n)) => *n,
        other => panic!("{key}: {other:?}"),
    }
}

fn text<'a>(attributes: &'a [KeyValue], key: &str) -> &'a str {
    match attr(attributes, key) {
        Some(V::StringValue(s)) => s,
        other => panic!("{key}: {other:?}"),
    }
}

fn export(env: &TestEnv, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--demo", "export", "otlp", "--endpoint", url];
    args.extend(extra);
    env.run(&args)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Each session is one trace whose root carries the session's figures exactly as `sessions`
/// shows them; every span's parent is in its trace; metrics add up to the sessions' totals;
/// a second export sends nothing, and `--again` sends the very same ids.
#[test]
fn sessions_reach_the_collector_as_traces_and_metrics_once() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let out = export(&env, &receiver.url(), &[]);
    assert!(out.status.success(), "{out:?}");
    let sessions = env.json(&["--demo", "sessions", "--json"])["sessions"].clone();
    let sessions = sessions.as_array().unwrap();
    let requests = receiver.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.content_type == "application/x-protobuf")
    );
    let spans = traces(&requests);
    let roots: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent_span_id.is_empty())
        .collect();
    assert_eq!(roots.len(), sessions.len());
    for s in sessions {
        check_trace(s, &roots, &spans);
    }
    let chat = spans.iter().find(|s| s.name.starts_with("chat ")).unwrap();
    assert_eq!(text(&chat.attributes, "gen_ai.operation.name"), "chat");
    assert_eq!(text(&chat.attributes, "gen_ai.provider.name"), "anthropic");
    assert!(
        spans
            .iter()
            .any(|s| s.name == "invoke_agent general-purpose")
    );
    assert!(
        !format!("{spans:?}").contains("gen_ai.input.messages"),
        "no content unasked"
    );

    // Metrics: tokens, sessions and cost add up to the sessions' totals.
    let (ints, cost) = metric_sums(&requests);
    let total = |k: &str| {
        sessions
            .iter()
            .map(|s| s["tokens"][k].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(
        ints[r#"vouch.token.usage StringValue("output")"#],
        total("output")
    );
    assert_eq!(
        ints[r#"vouch.token.usage StringValue("cache_read")"#],
        total("cache_read")
    );
    assert_eq!(ints["vouch.session.count "], sessions.len() as i64);
    let expected: f64 = sessions
        .iter()
        .map(|s| s["cost_usd"].as_str().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!((cost - expected).abs() < 1e-5, "{cost} {expected}");

    again_sends_nothing_twice(&env, &receiver, &requests, &spans, sessions.len());
}

/// A second export sends nothing; `--again` resends the same spans (same ids), and no metrics.
fn again_sends_nothing_twice(
    env: &TestEnv,
    receiver: &Receiver,
    requests: &[crate::support::otlp_receiver::Request],
    spans: &[Span],
    sessions: usize,
) {
    // Again: the collector holds it all, nothing is sent.
    let again = export(env, &receiver.url(), &["--json"]);
    assert!(again.status.success(), "{again:?}");
    let doc: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (doc["traces_sent"].clone(), doc["unchanged"].clone()),
        (json!(0), json!(sessions))
    );
    assert_eq!(doc["data_points"], 0);
    assert_eq!(
        receiver.requests().len(),
        requests.len(),
        "nothing was sent"
    );

    // `--again` resends the same spans (same ids), and no metrics.
    export(env, &receiver.url(), &["--again"]);
    let resent = traces(&receiver.requests()[requests.len()..]);
    let ids = |spans: &[Span]| {
        spans
            .iter()
            .map(|s| (s.trace_id.clone(), s.span_id.clone()))
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(ids(&resent), ids(spans));
    assert!(
        receiver.requests()[requests.len()..]
            .iter()
            .all(|r| r.path == "/v1/traces")
    );
}

/// One session's trace: the root's figures as `sessions` shows them, a span per tool call,
/// unique ids, every parent in the trace.
fn check_trace(s: &Value, roots: &[&Span], spans: &[Span]) {
    let root = roots
        .iter()
        .find(|r| text(&r.attributes, "gen_ai.conversation.id") == s["id"])
        .unwrap();
    assert_eq!(root.name, "invoke_agent Claude Code");
    let t = &s["tokens"];
    let input = ["input", "cache_read", "cache_write_5m", "cache_write_1h"]
        .iter()
        .map(|k| t[k].as_i64().unwrap())
        .sum::<i64>();
    assert_eq!(int(&root.attributes, "gen_ai.usage.input_tokens"), input);
    assert_eq!(
        int(&root.attributes, "gen_ai.usage.output_tokens"),
        t["output"].as_i64().unwrap()
    );
    let Some(V::DoubleValue(cost)) = attr(&root.attributes, "vouch.cost.usd") else {
        panic!("no cost")
    };
    assert_eq!(format!("{cost:.6}"), s["cost_usd"].as_str().unwrap());
    let of_trace: Vec<&Span> = spans
        .iter()
        .filter(|x| x.trace_id == root.trace_id)
        .collect();
    let tools = of_trace
        .iter()
        .filter(|x| x.name.starts_with("execute_tool "))
        .count();
    assert_eq!(
        tools as u64,
        s["tool_calls"].as_u64().unwrap(),
        "{}",
        s["id"]
    );
    let ids: BTreeSet<&Vec<u8>> = of_trace.iter().map(|x| &x.span_id).collect();
    assert_eq!(ids.len(), of_trace.len(), "span ids are unique");
    for x in &of_trace {
        assert!(
            x.parent_span_id.is_empty() || ids.contains(&x.parent_span_id),
            "{}",
            x.name
        );
        assert!(x.end_time_unix_nano >= x.start_time_unix_nano, "{}", x.name);
    }
}

/// The integer sums' totals by metric and token kind, and the cost's total.
fn metric_sums(
    requests: &[crate::support::otlp_receiver::Request],
) -> (BTreeMap<String, i64>, f64) {
    let m = metrics(requests);
    let mut ints: BTreeMap<String, i64> = BTreeMap::new();
    let mut cost = 0.0;
    let all = m
        .resource_metrics
        .iter()
        .flat_map(|r| &r.scope_metrics)
        .flat_map(|s| &s.metrics);
    for metric in all {
        let Some(Data::Sum(sum)) = &metric.data else {
            continue;
        };
        for p in &sum.data_points {
            let kind = attr(&p.attributes, "gen_ai.token.type").map(|v| format!("{v:?}"));
            let key = format!("{} {}", metric.name, kind.unwrap_or_default());
            match p.value {
                Some(Number::AsInt(n)) => *ints.entry(key).or_default() += n,
                Some(Number::AsDouble(d)) => cost += d,
                None => {}
            }
        }
    }
    (ints, cost)
}

/// OTLP/JSON: the same spans, ids in hex.
#[test]
fn http_json_sends_the_same_trace() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let out = export(&env, &receiver.url(), &["--protocol", "http/json"]);
    assert!(out.status.success(), "{out:?}");
    let requests = receiver.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.content_type == "application/json")
    );
    let doc: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let span = &doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(span["traceId"].as_str().unwrap().len(), 32, "{span}");
    assert_eq!(span["spanId"].as_str().unwrap().len(), 16);
    assert!(span["startTimeUnixNano"].is_string());
    let other = TestEnv::new();
    let proto = Receiver::start();
    export(&other, &proto.url(), &[]);
    let first = &traces(&proto.requests())[0];
    let hex = git_vouch::fingerprint::hex(&first.trace_id);
    let json_ids: Vec<&str> = doc["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["scopeSpans"][0]["spans"].as_array().unwrap())
        .map(|s| s["traceId"].as_str().unwrap())
        .collect();
    assert!(json_ids.contains(&hex.as_str()));
}

/// Down, then failing with 500, then busy twice, then slow: each said clearly, bounded, and
/// nothing lost: the sessions left are sent by the next export once the collector is back.
#[test]
fn a_collector_that_is_down_failing_busy_or_slow_loses_nothing() {
    let env = TestEnv::new().var("OTEL_EXPORTER_OTLP_TIMEOUT", "1000");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let down = export(&env, &url, &[]);
    assert_eq!(down.status.code(), Some(2), "{down:?}");
    let said = stderr(&down);
    assert!(
        said.contains("did not take the traces after 3 attempt(s)"),
        "{said}"
    );
    assert!(
        said.contains("8 sessions left for the next export"),
        "{said}"
    );

    let receiver = Receiver::start_on(port);
    receiver.then([Answer::Status(500, b"disk full".to_vec())]);
    let failed = env.run(&[
        "--demo",
        "export",
        "otlp",
        "--endpoint",
        &url,
        "--session",
        "ca1d35fd",
    ]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(
        stderr(&failed).contains("after 1 attempt(s): HTTP 500: disk full"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(receiver.requests().len(), 1, "a 500 is not tried again");

    receiver.then([Answer::Busy, Answer::Busy]);
    let recovered = env.run(&[
        "--demo",
        "export",
        "otlp",
        "--endpoint",
        &url,
        "--session",
        "ca1d35fd",
    ]);
    assert!(recovered.status.success(), "{recovered:?}");
    let text = stdout(&recovered);
    assert!(
        text.contains("7 sessions left by an earlier export sent again"),
        "{text}"
    );
    assert!(text.contains("8 traces"), "{text}");
    let spans = traces(&receiver.requests());
    let roots = spans.iter().filter(|s| s.parent_span_id.is_empty()).count();
    // The session asked for and the 7 left by the first export, refused with a 500; then the
    // same 8 in each of 3 tries.
    assert_eq!(roots, 8 + 8 * 3);

    let slow = TestEnv::new().var("OTEL_EXPORTER_OTLP_TIMEOUT", "200");
    receiver.then(std::iter::repeat_n(
        Answer::Slow(Duration::from_millis(600)),
        3,
    ));
    let late = export(&slow, &url, &[]);
    assert_eq!(late.status.code(), Some(2));
    assert!(
        stderr(&late).contains("no answer within the timeout"),
        "{}",
        stderr(&late)
    );
}

/// A collector that takes a batch but rejects some of it: said, and not sent again.
#[test]
fn a_partial_success_is_reported_and_not_retried() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let partial = git_vouch::otlp::proto::ExportTraceServiceResponse {
        partial_success: Some(PartialSuccess {
            rejected: 5,
            error_message: "spans too old".into(),
        }),
    };
    receiver.then([Answer::Status(200, partial.encode_to_vec())]);
    let out = export(&env, &receiver.url(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout(&out).contains("the collector rejected 5 of them: spans too old"),
        "{}",
        stdout(&out)
    );
    let again = export(&env, &receiver.url(), &[]);
    assert!(stdout(&again).contains("0 traces"), "{}", stdout(&again));
}

/// `--content` adds the conversation, redacted; without it no text leaves.
#[test]
fn content_is_sent_only_when_asked() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let out = export(
        &env,
        &receiver.url(),
        &["--content", "--session", "ca1d35fd"],
    );
    assert!(out.status.success(), "{out:?}");
    let spans = traces(&receiver.requests());
    let chat = spans
        .iter()
        .find(|s| attr(&s.attributes, "gen_ai.input.messages").is_some())
        .expect("a chat span with its prompt");
    let messages: Value =
        serde_json::from_str(text(&chat.attributes, "gen_ai.input.messages")).unwrap();
    assert_eq!(messages[0]["role"], "user");
    assert!(
        messages[0]["parts"][0]["content"]
            .as_str()
            .unwrap()
            .contains("tasktrack import")
    );
    let sub_agent = spans.iter().find(|s| {
        s.name.starts_with("chat ")
            && attr(&s.attributes, "gen_ai.agent.id").is_some()
            && attr(&s.attributes, "gen_ai.input.messages").is_some()
    });
    assert!(
        sub_agent.is_some(),
        "a sub-agent's request carries the prompt it was given"
    );
    let tool = spans
        .iter()
        .find(|s| s.name == "execute_tool Bash")
        .unwrap();
    let arguments: Value =
        serde_json::from_str(text(&tool.attributes, "gen_ai.tool.call.arguments")).unwrap();
    assert!(arguments["command"].is_string(), "{arguments}");
}

/// Settings that cannot work are refused before anything is read.
#[test]
fn bad_settings_are_named() {
    let env = TestEnv::new();
    let out = env.run(&["--demo", "export", "otlp", "--protocol", "udp"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(r#"protocol: "udp" is not http/protobuf, http/json or grpc"#),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["--demo", "export", "otlp", "--endpoint", "collector:4318"]);
    assert!(
        stderr(&out).contains("is not an http:// or https:// URL"),
        "{}",
        stderr(&out)
    );
    let env = TestEnv::new().var("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd");
    let out = env.run(&["--demo", "export", "otlp"]);
    assert!(
        stderr(&out).contains(r#"OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" is not gzip or none"#),
        "{}",
        stderr(&out)
    );
}

/// The standard variables: endpoint, headers, gzip.
#[test]
fn the_standard_variables_are_honoured() {
    let receiver = Receiver::start();
    let env = TestEnv::new()
        .var("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.url())
        .var("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
        .var("OTEL_EXPORTER_OTLP_HEADERS", "x-team=vouch%20ci");
    let out = env.run(&["--demo", "export", "otlp", "--session", "db859b07"]);
    assert!(out.status.success(), "{out:?}");
    let first = &receiver.requests()[0];
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(first.body.as_slice()),
        &mut plain,
    )
    .unwrap();
    let request = ExportTraceServiceRequest::decode(plain.as_slice()).unwrap();
    assert!(!request.resource_spans.is_empty());
}

/// A repository whose `vouch.otlp.endpoint` is `url`, with a recorded session's transcript;
/// the repository and the session's id.
fn live_world(env: &TestEnv, url: &str) -> (std::path::PathBuf, &'static str, Value) {
    let repo = env.root().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let status = env.program("git", &repo).args(args).status().unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "vouch.otlp.endpoint", url]);
    let sid = "2f5d2333-acff-4f59-9241-6066ad20972b";
    let fixture = crate::support::cli::fixture("claude/v2.1.197-write_edit_bash_read/projects");
    crate::support::shared::copy_tree(&fixture, &env.projects());
    let transcript = env
        .projects()
        .join("-home-dev-write-edit-bash-read-repo")
        .join(format!("{sid}.jsonl"));
    let payload = json!({
        "session_id": sid, "cwd": repo, "hook_event_name": "SessionEnd", "reason": "other",
        "transcript_path": transcript,
    });
    (repo, sid, payload)
}

/// A session's end in a repository with `vouch.otlp.endpoint` exports it in the background:
/// the hook returns at once and the collector gets the trace.
#[test]
fn a_session_end_exports_it_live() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let (repo, sid, payload) = live_world(&env, &receiver.url());
    let started = std::time::Instant::now();
    let out = hook(&env, &repo, "SessionEnd", &payload);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the hook did not wait"
    );
    assert_eq!(out.status.code(), Some(0));
    let requests = receiver.wait_for(2, 30);
    let spans = traces(&requests);
    let root = spans
        .iter()
        .find(|s| s.parent_span_id.is_empty())
        .expect("the session's trace");
    assert_eq!(text(&root.attributes, "gen_ai.conversation.id"), sid);
    assert!(requests.iter().any(|r| r.path == "/v1/metrics"));
}

/// When the collector is down at the session's end, the live export writes why to the
/// repository's `errors.log` and keeps the session pending; the next export sends it.
#[test]
fn a_failed_live_export_is_logged_and_sent_next_time() {
    let env = TestEnv::new();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let (repo, sid, payload) = live_world(&env, &url);
    let out = hook(&env, &repo, "SessionEnd", &payload);
    assert_eq!(out.status.code(), Some(0));
    let log = repo.join(".git/vouch/errors.log");
    let start = std::time::Instant::now();
    let logged = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("export otlp (live)") || start.elapsed() > Duration::from_secs(30) {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        logged.contains("1 session left for the next export"),
        "{logged}"
    );
    assert!(
        logged.contains("did not take the traces after 3 attempt(s)"),
        "{logged}"
    );
    let receiver = Receiver::start_on(port);
    let again = env
        .program(env!("CARGO_BIN_EXE_git-vouch"), &repo)
        .args(["export", "otlp", "--until", "2000-01-01"])
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
    let said = String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("1 session left by an earlier export sent again"),
        "{said}"
    );
    let spans = traces(&receiver.requests());
    assert!(spans.iter().any(|s| {
        attr(&s.attributes, "gen_ai.conversation.id")
            .is_some_and(|v| *v == V::StringValue(sid.into()))
    }));
}

fn hook(env: &TestEnv, dir: &Path, event: &str, payload: &Value) -> std::process::Output {
    use std::io::Write;
    let mut child = env
        .program(env!("CARGO_BIN_EXE_git-vouch"), dir)
        .args(["hook", "claude", event])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(payload.to_string().as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A session too big for one request goes out in several; when one of them fails the session
/// is left pending whole (none of it written down as taken), and the next export sends it all.
#[test]
fn a_huge_session_is_split_and_a_failed_part_leaves_it_pending() {
    use git_vouch::otlp::ledger::Ledger;
    use git_vouch::otlp::{Asked, Options, SessionData, Target, export};
    let prices = git_vouch::pricing::PriceTable::embedded();
    let catalog = git_vouch::demo::catalog(prices);
    let s = catalog
        .sessions
        .iter()
        .max_by_key(|s| s.tool_calls)
        .unwrap();
    let open = |p: &Path| git_vouch::session::detail::open_text(git_vouch::demo::read_file(p));
    let data = || SessionData {
        detail: git_vouch::agent_source::detail(s, &open, prices),
        insights: None,
        guard: Vec::new(),
        conversations: Vec::new(),
    };
    let receiver = Receiver::start();
    receiver.then([
        Answer::Status(200, Vec::new()),
        Answer::Status(400, b"too big".to_vec()),
    ]);
    let asked = Asked {
        endpoint: Some(receiver.url()),
        ..Asked::default()
    };
    let target = Target::resolve(&asked).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("otlp.sqlite")).unwrap();
    let options = Options {
        content: false,
        again: false,
        now: chrono::DateTime::UNIX_EPOCH,
        batch_bytes: 4096,
    };
    let failed = export(
        &target,
        &mut ledger,
        std::iter::once(data()),
        options,
        &|_| {},
    )
    .unwrap();
    assert_eq!((failed.traces_sent, failed.requests), (0, 2), "{failed:?}");
    assert_eq!(failed.left, vec![s.id.clone()]);
    assert!(failed.left_why.unwrap().contains("HTTP 400: too big"));
    assert_eq!(ledger.pending(&target.traces).unwrap(), vec![s.id.clone()]);
    assert_eq!(ledger.trace_digest(&target.traces, &s.id).unwrap(), None);

    let before = receiver.requests().len();
    let sent = export(
        &target,
        &mut ledger,
        std::iter::once(data()),
        options,
        &|_| {},
    )
    .unwrap();
    let requests = &receiver.requests()[before..];
    let spans = traces(requests);
    assert!(
        requests.len() > 3,
        "split over several requests: {}",
        requests.len()
    );
    assert_eq!((sent.traces_sent, sent.spans), (1, spans.len() as u64));
    let tools = spans
        .iter()
        .filter(|x| x.name.starts_with("execute_tool "))
        .count();
    assert_eq!(tools as u64, s.tool_calls);
    assert!(ledger.pending(&target.traces).unwrap().is_empty());
    assert!(
        ledger
            .trace_digest(&target.traces, &s.id)
            .unwrap()
            .is_some()
    );
}

/// The real collector: rotel (PyPI `rotel`, a Rust OTLP collector) on loopback ports, taking
/// the export over HTTP with protobuf and JSON and over gRPC, each logged as it decoded it:
/// the span names, the token attributes, and the same ids each time.
#[test]
fn rotel_takes_the_export_over_every_protocol() {
    let Some(rotel) = rotel_agent() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "rotel is missing: .ci/run installs it (pip install rotel==0.0.1a15)"
        );
        eprintln!("skipped: rotel is not installed (python3 -m pip install rotel==0.0.1a15)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (grpc, http) = (free_port(), free_port());
    let log = dir.path().join("collector.out");
    let child = std::process::Command::new(rotel)
        .args(["start", "--exporter", "blackhole", "--debug-log", "traces"])
        .args([
            "--debug-log",
            "metrics",
            "--debug-log-verbosity",
            "detailed",
        ])
        .args(["--otlp-grpc-endpoint", &format!("127.0.0.1:{grpc}")])
        .args(["--otlp-http-endpoint", &format!("127.0.0.1:{http}")])
        .arg("--pid-file")
        .arg(dir.path().join("rotel.pid"))
        .arg("--log-file")
        .arg(dir.path().join("rotel.log"))
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let _stop = Stop(child);
    for port in [grpc, http] {
        wait_for_port(port);
    }
    let env = TestEnv::new();
    let mut seen = Vec::new();
    for (protocol, port) in [("http/protobuf", http), ("http/json", http), ("grpc", grpc)] {
        let before = std::fs::read_to_string(&log).unwrap_or_default().len();
        let url = format!("http://127.0.0.1:{port}");
        let out = export(&env, &url, &["--protocol", protocol, "--again"]);
        assert!(out.status.success(), "{protocol}: {out:?}");
        let text = wait_for_log(&log, before, 8);
        assert!(
            text.contains("Name           : invoke_agent Claude Code"),
            "{protocol}"
        );
        assert!(
            text.contains("Name           : execute_tool Bash"),
            "{protocol}"
        );
        assert!(
            text.contains("gen_ai.usage.cache_read.input_tokens: Int("),
            "{protocol}"
        );
        assert!(
            text.contains("gen_ai.provider.name: Str(anthropic)"),
            "{protocol}"
        );
        seen.push(ids_in(&text));
    }
    assert!(seen[0].len() > 100, "{}", seen[0].len());
    assert_eq!(seen[0], seen[1], "the same ids over HTTP JSON");
    assert_eq!(seen[0], seen[2], "the same ids over gRPC");
    let all = std::fs::read_to_string(&log).unwrap();
    assert!(all.contains("Name: vouch.cost.usage"), "metrics reached it");
    assert!(all.contains("Name: gen_ai.client.token.usage"));
    assert!(all.contains("DataType: Histogram"));
}

/// `rotel-agent` from the Python package, when installed.
fn rotel_agent() -> Option<std::path::PathBuf> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import rotel, os; print(os.path.dirname(rotel.__file__))",
        ])
        .output()
        .ok()?;
    let dir = String::from_utf8(out.stdout).ok()?;
    let agent = Path::new(dir.trim()).join("rotel-agent");
    (out.status.success() && agent.is_file()).then_some(agent)
}

struct Stop(std::process::Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16) {
    let start = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "rotel did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What the collector logged after `from`, once it logged `roots` root spans (at most 20 s).
fn wait_for_log(log: &Path, from: usize, roots: usize) -> String {
    let start = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let new = text.get(from..).unwrap_or_default().to_owned();
        let found = new
            .matches("Name           : invoke_agent Claude Code")
            .count();
        if found >= roots || start.elapsed() > Duration::from_secs(20) {
            return new;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every (trace id, span id) the collector printed.
fn ids_in(text: &str) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let mut trace = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(t) = line.strip_prefix("Trace ID       : ") {
            t.clone_into(&mut trace);
        } else if let Some(id) = line.strip_prefix("ID             : ") {
            out.insert((trace.clone(), id.to_owned()));
        }
    }
    out
}

/// Two exports never run at once (both would find a session not yet taken and send its
/// metrics twice): the second waits for the first's lock, then finds it all taken.
#[test]
fn exports_take_turns() {
    let env = TestEnv::new();
    let receiver = Receiver::start();
    let data = env.root().join("xdg-data/git-vouch");
    std::fs::create_dir_all(&data).unwrap();
    let held = std::fs::File::create(data.join("otlp.lock")).unwrap();
    held.lock().unwrap();
    let mut waiting = env
        .command(&["--demo", "export", "otlp", "--endpoint", &receiver.url()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(waiting.try_wait().unwrap().is_none(), "it waits");
    assert!(
        receiver.requests().is_empty(),
        "and sends nothing meanwhile"
    );
    held.unlock().unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(
        stderr(&out).contains("waiting for another export to finish"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("8 traces"), "{}", stdout(&out));
}
