//! The timeline of hand-made threads: folding, thinking, side chains, copies and clipping.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Conversation, EntryKind, ThreadRef, load_conversation};
use crate::session::detail::open_text;

fn jsonl(lines: &[Value]) -> String {
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

fn user(uuid: &str, content: &Value, sidechain: bool) -> Value {
    json!({"type":"user","uuid":uuid,"isSidechain":sidechain,
        "timestamp":"2026-01-01T00:00:01Z","message":{"content":content}})
}

fn assistant(uuid: &str, content: &Value) -> Value {
    json!({"type":"assistant","uuid":uuid,"timestamp":"2026-01-01T00:00:02Z",
        "message":{"id":format!("m-{uuid}"),"content":content}})
}

fn read(files: &[(&str, String)], thread: ThreadRef<'_>, skip: &[u64]) -> Conversation {
    let map: HashMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.clone()))
        .collect();
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| PathBuf::from(p)).collect();
    let open = move |p: &Path| open_text(map.get(p).cloned());
    load_conversation(&paths, thread, skip, &open)
}

fn kinds(c: &Conversation) -> Vec<String> {
    c.entries
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Prompt(t) => format!("prompt:{t}"),
            EntryKind::Answer(t) => format!("answer:{t}"),
            EntryKind::Thinking(t) => format!("thinking:{t}"),
            EntryKind::Summary(t) => format!("summary:{t}"),
            EntryKind::Tool(t) => format!(
                "tool:{}:{}:{}",
                t.name,
                t.input,
                t.result
                    .as_ref()
                    .map_or("-".to_owned(), |r| format!("{}/{}", r.text, r.is_error))
            ),
        })
        .collect()
}

fn main_file() -> String {
    jsonl(&[
        user("u1", &json!("list the files"), false),
        assistant(
            "a1",
            &json!([{"type":"thinking","thinking":"ls will do"},
                {"type":"text","text":"Looking."},
                {"type":"tool_use","id":"t1","name":"Bash","input":{"command":"ls"}}]),
        ),
        user(
            "u2",
            &json!([{"type":"tool_result","tool_use_id":"t1","content":"a.txt\nb.txt"}]),
            false,
        ),
        user("s1", &json!("side chain prompt"), true),
        json!({"type":"user","uuid":"m1","isMeta":true,"message":{"content":"caveat"}}),
        assistant(
            "a2",
            &json!([{"type":"tool_use","id":"t2","name":"Read","input":{"file_path":"x"}}]),
        ),
        user(
            "u3",
            &json!([{"type":"tool_result","tool_use_id":"t2","is_error":true,"content":"no such file"}]),
            false,
        ),
        assistant("a3", &json!([{"type":"text","text":"Two files."}])),
    ])
}

#[test]
fn main_thread_folds_results_into_their_calls() {
    let c = read(&[("p/s.jsonl", main_file())], ThreadRef::Main, &[]);
    assert_eq!(
        kinds(&c),
        vec![
            "prompt:list the files",
            "thinking:ls will do",
            "answer:Looking.",
            "tool:Bash:ls:a.txt\nb.txt/false",
            "tool:Read:x:no such file/true",
            "answer:Two files.",
        ]
    );
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn replayed_and_copied_lines_appear_once() {
    let resumed = main_file();
    let files = [("p/s.jsonl", main_file()), ("p/s2.jsonl", resumed)];
    let c = read(&files, ThreadRef::Main, &[]);
    assert_eq!(c.entries.len(), 6, "{:?}", kinds(&c));
    let skip = [crate::transcript::hash::hash64(b"u1")];
    let c = read(&files[..1], ThreadRef::Main, &skip);
    assert!(!kinds(&c).contains(&"prompt:list the files".to_owned()));
}

#[test]
fn agent_threads_come_from_their_file_or_the_side_chain() {
    let agent = jsonl(&[
        user("g1", &json!("do the sub task"), true),
        assistant("g2", &json!([{"type":"text","text":"done"}])),
    ]);
    let files = [
        ("p/s.jsonl", main_file()),
        ("p/s/subagents/agent-abc.jsonl", agent),
    ];
    let c = read(&files, ThreadRef::Agent("abc"), &[]);
    assert_eq!(kinds(&c), vec!["prompt:do the sub task", "answer:done"]);
    let inline = read(&files[..1], ThreadRef::Agent("sidechain-s1"), &[]);
    assert_eq!(kinds(&inline), vec!["prompt:side chain prompt"]);
    let missing = read(&files[..1], ThreadRef::Agent("nope"), &[]);
    assert!(missing.entries.is_empty());
}

#[test]
fn long_results_are_clipped_and_unreadable_files_warned() {
    let long: String = (0..100)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let file = jsonl(&[
        assistant(
            "a1",
            &json!([{"type":"tool_use","id":"t","name":"Bash","input":{"command":"seq"}}]),
        ),
        user(
            "u1",
            &json!([{"type":"tool_result","tool_use_id":"t","content":long}]),
            false,
        ),
    ]);
    let c = read(&[("p/s.jsonl", file)], ThreadRef::Main, &[]);
    let EntryKind::Tool(t) = &c.entries[0].kind else {
        panic!("not a tool entry")
    };
    let r = t
        .result
        .as_ref()
        .map(|r| (r.text.lines().count(), r.more_lines));
    assert_eq!(r, Some((40, 60)));
    let huge = "x".repeat(25_000);
    let file = jsonl(&[user("u1", &json!(huge), false)]);
    let c = read(&[("p/s.jsonl", file)], ThreadRef::Main, &[]);
    let EntryKind::Prompt(t) = &c.entries[0].kind else {
        panic!("not a prompt")
    };
    assert!(
        t.ends_with("\n… 5000 more characters"),
        "{}",
        &t[t.len() - 40..]
    );
    let paths = [PathBuf::from("p/gone.jsonl")];
    let open = |_: &Path| open_text(None);
    let c = load_conversation(&paths, ThreadRef::Main, &[], &open);
    assert_eq!(c.warnings.len(), 1);
    assert!(
        c.warnings[0].message.contains("cannot read"),
        "{:?}",
        c.warnings
    );
}
