//! Bad transcripts: each problem gets a warning naming the file and line, and everything else
//! in the file still counts.

#![allow(clippy::unwrap_used)] // Test helpers fail loudly.

use crate::support::cli;

use cli::TestEnv;
use serde_json::Value;

fn assistant(id: &str, req: &str, input: u64, output: u64) -> String {
    format!(
        r#"{{"type":"assistant","sessionId":"s1","requestId":"{req}","timestamp":"2026-01-01T00:00:0{input}Z","message":{{"id":"{id}","model":"claude-sonnet-4-5","content":[{{"type":"text","text":"hi"}}],"usage":{{"input_tokens":{input},"output_tokens":{output},"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}}}}"#
    )
}

fn prompt(text: &str) -> String {
    format!(
        r#"{{"type":"user","sessionId":"s1","cwd":"/w/app","timestamp":"2026-01-01T00:00:00Z","message":{{"role":"user","content":"{text}"}}}}"#
    )
}

fn totals(doc: &Value) -> (u64, u64) {
    let t = &doc["totals"]["tokens"];
    (t["input"].as_u64().unwrap(), t["output"].as_u64().unwrap())
}

fn warnings(doc: &Value) -> Vec<String> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn truncated_last_line_is_reported_and_the_rest_counts() {
    let env = TestEnv::new();
    let a = assistant("m1", "r1", 1, 10);
    let torn = &assistant("m2", "r2", 2, 20)[..60];
    env.write("p/s1.jsonl", &format!("{}\n{a}\n{torn}", prompt("go")));
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(totals(&doc), (1, 10));
    let w = warnings(&doc);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("s1.jsonl:3:") && w[0].contains("truncated last line"),
        "{w:?}"
    );
}

#[test]
fn torn_line_completed_later_is_counted_once_by_the_cache() {
    let env = TestEnv::new();
    let full = assistant("m2", "r2", 2, 20);
    let path = env.write(
        "p/s1.jsonl",
        &format!("{}\n{}", assistant("m1", "r1", 1, 10), &full[..50]),
    );
    assert_eq!(totals(&env.json(&["sessions", "--json"])), (1, 10));
    // The writer finishes the line and appends another copy of m1 with a larger output.
    std::fs::write(
        &path,
        format!(
            "{}\n{full}\n{}\n",
            assistant("m1", "r1", 1, 10),
            assistant("m1", "r1", 1, 15)
        ),
    )
    .unwrap();
    assert_eq!(totals(&env.json(&["sessions", "--json"])), (3, 35));
    assert_eq!(
        totals(&env.json(&["sessions", "--json", "--no-cache"])),
        (3, 35)
    );
}

#[test]
fn invalid_utf8_and_binary_junk_are_skipped_with_line_numbers() {
    let env = TestEnv::new();
    let mut bytes = format!("{}\n", assistant("m1", "r1", 1, 10)).into_bytes();
    bytes.extend_from_slice(
        b"{\"type\":\"user\",\"message\":{\"content\":\"bad \xff\xfe utf8\"}}\n",
    );
    bytes.extend_from_slice(&[0, 1, 2, 0xff, 0x80, b'\n']);
    bytes.extend_from_slice(format!("{}\n", assistant("m2", "r2", 2, 20)).as_bytes());
    let path = env.projects().join("p/s1.jsonl");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(totals(&doc), (3, 30));
    let w = warnings(&doc);
    assert!(w.iter().any(|w| w.contains("s1.jsonl:2:")), "{w:?}");
    assert!(w.iter().any(|w| w.contains("s1.jsonl:3:")), "{w:?}");
}

#[test]
fn a_line_larger_than_the_buffer_cap_is_streamed_and_counted() {
    let env = TestEnv::new();
    // 12 MiB of tool input before the usage object: over the 8 MiB line cap.
    let big = "x".repeat(12 * 1024 * 1024);
    let line = format!(
        r#"{{"type":"assistant","requestId":"r9","message":{{"id":"m9","model":"claude-sonnet-4-5","content":[{{"type":"tool_use","id":"t1","name":"Write","input":{{"content":"{big}"}}}}],"usage":{{"input_tokens":7,"output_tokens":70}}}}}}"#
    );
    env.write(
        "p/s1.jsonl",
        &format!(
            "{}\n{line}\n{}\n",
            prompt("big"),
            assistant("m1", "r1", 1, 10)
        ),
    );
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(totals(&doc), (8, 80));
    assert_eq!(doc["sessions"][0]["tool_calls"], 1);
    assert!(warnings(&doc).is_empty(), "{:?}", warnings(&doc));
}

#[test]
fn empty_and_unreadable_files_are_reported() {
    let env = TestEnv::new();
    env.write("p/s1.jsonl", &format!("{}\n", assistant("m1", "r1", 1, 10)));
    env.write("p/empty.jsonl", "");
    std::os::unix::fs::symlink(
        "/nonexistent/target.jsonl",
        env.projects().join("p/gone.jsonl"),
    )
    .unwrap();
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(totals(&doc), (1, 10));
    let w = warnings(&doc);
    assert!(
        w.iter()
            .any(|w| w.contains("gone.jsonl") && w.contains("cannot read")),
        "{w:?}"
    );
    let out = env.run(&["sessions"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone.jsonl"));
}

#[test]
fn unknown_record_types_and_fields_are_not_errors() {
    let env = TestEnv::new();
    let odd = r#"{"type":"hologram","sessionId":"s1","futureField":{"deep":[1,2,{"x":null}]}}"#;
    let odd_types = r#"{"type":"assistant","requestId":"r3","isSidechain":"maybe","message":{"id":"m3","model":"claude-sonnet-4-5","content":"plain","usage":{"input_tokens":"3","output_tokens":null}}}"#;
    env.write(
        "p/s1.jsonl",
        &format!("{odd}\n{}\n{odd_types}\n", assistant("m1", "r1", 1, 10)),
    );
    let doc = env.json(&["sessions", "--json"]);
    assert_eq!(totals(&doc), (1, 10));
    assert!(warnings(&doc).is_empty(), "{:?}", warnings(&doc));
}

#[test]
fn unknown_models_show_unknown_cost_never_zero() {
    let env = TestEnv::new();
    let line = assistant("m1", "r1", 5, 10).replace("claude-sonnet-4-5", "claude-nova-9");
    env.write(
        "p/s1.jsonl",
        &format!("{line}\n{}\n", assistant("m2", "r2", 1, 1)),
    );
    let doc = env.json(&["sessions", "--json"]);
    let s = &doc["sessions"][0];
    assert_eq!(s["unpriced_models"], serde_json::json!(["claude-nova-9"]));
    let out = env.run(&["sessions"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+?"),
        "cost marked incomplete"
    );
}
