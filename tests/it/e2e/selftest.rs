//! The mock API on its own (no CLI needed): streamed and plain answers with the scripted usage,
//! a chunked request body, `fail_first`, side requests, `count_tokens`, `HEAD` and a refused
//! `CONNECT`, all logged.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};

use super::mock::Mock;
use super::scenario::Scenario;

/// Sends one request (with `Connection: close`) and returns the raw response.
fn exchange(port: u16, head: &str, body: &[u8], chunked: bool) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the mock");
    let mut req = format!("{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if chunked {
        req.push_str("Transfer-Encoding: chunked\r\n\r\n");
        let half = body.len() / 2;
        for part in [&body[..half], &body[half..]] {
            let _ = write!(
                req,
                "{:x}\r\n{}\r\n",
                part.len(),
                String::from_utf8_lossy(part)
            );
        }
        req.push_str("0\r\n\r\n");
    } else {
        let _ = write!(req, "Content-Length: {}\r\n\r\n", body.len());
        req.push_str(&String::from_utf8_lossy(body));
    }
    s.write_all(req.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read the answer");
    out
}

fn request(prompt: &str, stream: bool, assistant_turns: usize) -> Vec<u8> {
    let mut messages = vec![json!({"role": "user", "content": prompt})];
    for i in 0..assistant_turns {
        messages.push(json!({"role": "assistant", "content": [{"type": "text", "text": "…"}]}));
        let result =
            json!({"type": "tool_result", "tool_use_id": format!("t{i}"), "content": "ok"});
        messages.push(json!({"role": "user", "content": [result]}));
    }
    let user = json!({"session_id": "self-test"}).to_string();
    json!({"model": "claude-sonnet-4-5-20250929", "stream": stream, "tools": [{"name": "Bash"}],
        "metadata": {"user_id": user}, "messages": messages})
    .to_string()
    .into_bytes()
}

pub fn mock_protocol() {
    let sc = Scenario::load("parallel_thinking_retry_failure");
    let dir = tempfile::tempdir().expect("temp dir");
    let vars = BTreeMap::from([("cwd".to_owned(), "/repo".to_owned())]);
    let mock = Mock::start(sc.clone(), vars, &dir.path().join("mock.jsonl"));
    let post = "POST /v1/messages?beta=true HTTP/1.1";
    let prompt = &sc.sessions[0].prompt;

    // Turn 0 fails once (529), then answers as a stream: thinking, text, two Reads.
    let failed = exchange(mock.port, post, &request(prompt, true, 0), false);
    assert!(failed.starts_with("HTTP/1.1 529"), "{failed}");
    let streamed = exchange(mock.port, post, &request(prompt, true, 0), true);
    assert!(
        streamed.contains("Transfer-Encoding: chunked"),
        "{streamed}"
    );
    for event in [
        "message_start",
        "thinking_delta",
        "signature_delta",
        "input_json_delta",
    ] {
        assert!(streamed.contains(event), "no {event} in {streamed}");
    }
    assert!(
        streamed.contains("\"file_path\\\":\\\"/repo/README.md"),
        "{streamed}"
    );
    assert!(
        streamed
            .trim_end()
            .ends_with("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n\r\n0")
    );

    // Turn 1 as plain JSON, with the scripted usage.
    let plain = exchange(mock.port, post, &request(prompt, false, 1), false);
    let body: Value =
        serde_json::from_str(plain.split("\r\n\r\n").nth(1).expect("body")).expect("JSON message");
    let want = sc.prompts[0].turns[1].usage;
    assert_eq!(body["usage"], want.to_api());
    assert_eq!(body["stop_reason"], "tool_use");
    assert_eq!(body["content"][0]["name"], "Bash");

    // A side request (no tools), count_tokens, HEAD, CONNECT, an unknown endpoint.
    let side =
        json!({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "title?"}]});
    let side = exchange(mock.port, post, side.to_string().as_bytes(), false);
    assert!(
        side.starts_with("HTTP/1.1 200") && side.contains("\"OK\""),
        "{side}"
    );
    let count = "POST /v1/messages/count_tokens HTTP/1.1";
    assert!(exchange(mock.port, count, b"{\"messages\":[]}", false).contains("input_tokens"));
    assert!(exchange(mock.port, "HEAD / HTTP/1.1", b"", false).starts_with("HTTP/1.1 200"));
    let connect = exchange(mock.port, "CONNECT example.com:443 HTTP/1.1", b"", false);
    assert!(connect.starts_with("HTTP/1.1 403"), "{connect}");
    assert!(
        exchange(mock.port, "POST /v1/nothing HTTP/1.1", b"{}", false).starts_with("HTTP/1.1 404")
    );

    let log = mock.log();
    let kinds: Vec<(&str, u16)> = log.iter().map(|e| (e.kind.as_str(), e.status)).collect();
    assert_eq!(
        kinds,
        [
            ("error", 529),
            ("messages", 200),
            ("messages", 200),
            ("side", 200),
            ("count_tokens", 200),
            ("head", 200),
            ("connect", 403),
            ("other", 404),
        ]
    );
    assert_eq!(log[1].tools, ["Read", "Read"]);
    assert_eq!(log[2].usage, Some(want));
    assert_eq!(log[1].session_id.as_deref(), Some("self-test"));
    let lines = std::fs::read_to_string(dir.path().join("mock.jsonl")).expect("log file");
    assert_eq!(lines.lines().count(), log.len());
}
