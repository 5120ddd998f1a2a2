//! What a run must have left behind: the session files against the usage the mock served, and
//! each scenario's tool calls, diffs, commits, subagent file and rewind; and, without the CLI,
//! each fixture against its `expected.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::scenario::{AGAIN, CHILD, MAIN, MODEL, Scenario};
use super::session::{self, Session, Tokens};
use super::{GeminiRun, ScriptedUsage};

/// `sha256(text)` in hex: the CLI's `projectHash` of a project path.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn tokens(s: &ScriptedUsage) -> Tokens {
    Tokens {
        input: s.input,
        output: s.output,
        cached: s.cached,
        thoughts: s.thoughts,
        tool: s.tool,
        total: s.total,
    }
}

/// The run's session files by thread: the `main` session, and the subagent's (header
/// `kind: "subagent"`) under the scenario's subagent name.
pub fn by_thread(run: &GeminiRun) -> BTreeMap<String, Session> {
    let sc = Scenario::get(&run.name);
    let mut map = BTreeMap::new();
    for path in &run.sessions {
        let s = Session::load(path);
        let thread = match s.kind() {
            "main" => MAIN.to_owned(),
            "subagent" => sc.child().expect("a subagent thread").to_owned(),
            other => panic!("{}: kind {other:?}", path.display()),
        };
        let clash = map.insert(thread.clone(), s);
        assert!(
            clash.is_none(),
            "{}: two session files for thread {thread}",
            run.name
        );
    }
    map
}

fn message_tokens(m: &Value) -> Tokens {
    Tokens::of(&m["tokens"])
}

/// Per thread, exactly: the conversation's `gemini` messages (the last write of each id,
/// rewinds applied) carry the usage of the responses the mock served that thread, in order,
/// none twice; every write of an id carries the same tokens; a message with tool calls is
/// written twice (the duplicate-id trap: summing lines over-counts); rewound responses are in
/// the file but not in the conversation; side calls are nowhere.
pub fn usage_matches_the_mock(run: &GeminiRun) {
    let threads = by_thread(run);
    let served_threads: BTreeSet<&str> = run
        .responses
        .iter()
        .filter(|r| r.thread != "side")
        .map(|r| r.thread.as_str())
        .collect();
    let file_threads: BTreeSet<&str> = threads.keys().map(String::as_str).collect();
    assert_eq!(
        file_threads, served_threads,
        "{}: the threads with session files vs. the threads the mock served",
        run.name
    );
    let side: Vec<Tokens> = run
        .responses
        .iter()
        .filter(|r| r.thread == "side")
        .map(tokens)
        .collect();
    project_files(run, &threads);
    for (thread, s) in &threads {
        let ctx = format!("{} {thread} ({})", run.name, s.path.display());
        let served: Vec<&ScriptedUsage> = run
            .responses
            .iter()
            .filter(|r| r.thread == *thread)
            .collect();
        thread_usage(&ctx, s, &served, &side);
    }
}

/// One thread's session file against the responses the mock served it.
fn thread_usage(ctx: &str, s: &Session, served: &[&ScriptedUsage], side: &[Tokens]) {
    let want: Vec<Tokens> = served
        .iter()
        .filter(|r| !r.rewound)
        .map(|r| tokens(r))
        .collect();
    let gemini = s.gemini_messages();
    let got: Vec<Tokens> = gemini.iter().map(message_tokens).collect();
    assert_eq!(
        got, want,
        "{ctx}: the conversation's gemini tokens, in order"
    );
    for m in &gemini {
        assert_eq!(m["model"], MODEL, "{ctx}: {m}");
    }

    // Every write of an id: same tokens; a message with tool calls written exactly twice.
    let lines = s.message_lines();
    let ids: BTreeSet<&str> = lines
        .iter()
        .filter(|l| l["type"] == "gemini")
        .filter_map(|l| l["id"].as_str())
        .collect();
    let mut doubled = 0;
    for id in &ids {
        let writes = s.writes(id);
        let first = message_tokens(writes[0]);
        for w in &writes {
            assert_eq!(message_tokens(w), first, "{ctx}: the writes of {id}");
        }
        let last = writes[writes.len() - 1];
        let calls = last["toolCalls"].as_array().map_or(0, Vec::len);
        let want_writes = if calls > 0 { 2 } else { 1 };
        assert_eq!(writes.len(), want_writes, "{ctx}: writes of {id}");
        if calls > 0 {
            assert!(writes[0].get("toolCalls").is_none(), "{ctx}: {}", writes[0]);
            doubled += 1;
        }
    }
    let naive = lines
        .iter()
        .filter(|l| l["type"] == "gemini")
        .map(|l| message_tokens(l))
        .fold(Tokens::default(), Tokens::add);
    let truth = want.iter().copied().fold(Tokens::default(), Tokens::add);
    // The trap is there: every thread here has a message with tool calls, written twice.
    assert!(doubled > 0, "{ctx}: no message id written twice");
    assert!(
        naive.total > truth.total,
        "{ctx}: summing every line must over-count ({naive:?} vs {truth:?})"
    );

    // Every response served is in the file (rewound ones too), side calls are not.
    let in_file: Vec<Tokens> = lines
        .iter()
        .filter(|l| l["type"] == "gemini")
        .map(|l| message_tokens(l))
        .collect();
    for r in served {
        assert!(
            in_file.contains(&tokens(r)),
            "{ctx}: {} not in the file",
            r.response_id
        );
    }
    for t in side {
        assert!(
            !in_file.contains(t),
            "{ctx}: a side call's usage in the file"
        );
    }
}

/// `projects.json` maps the repository to its slug, `tmp/<slug>/.project_root` (and
/// `history/<slug>/.project_root`) hold its path, every session file is under
/// `tmp/<slug>/chats/`, and its `projectHash` is `sha256(repository path)`.
fn project_files(run: &GeminiRun, threads: &BTreeMap<String, Session>) {
    let dir = run.gemini_dir();
    let repo = run.repo.to_str().expect("utf-8");
    let projects: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("projects.json")).expect("projects.json"),
    )
    .expect("projects.json is JSON");
    let slug = projects["projects"][repo]
        .as_str()
        .expect("the repo's slug");
    assert_eq!(slug, run.name.replace('_', "-"), "{projects}");
    for sub in ["tmp", "history"] {
        let root = std::fs::read_to_string(dir.join(sub).join(slug).join(".project_root"))
            .expect(".project_root");
        assert_eq!(root.trim(), repo, "{sub}/{slug}/.project_root");
    }
    let chats = dir.join("tmp").join(slug).join("chats");
    for s in threads.values() {
        assert!(s.path.starts_with(&chats), "{}", s.path.display());
        assert_eq!(
            s.header()["projectHash"],
            sha256_hex(repo),
            "{}",
            s.path.display()
        );
        assert!(s.header()["startTime"].is_string());
    }
}

/// The name of each tool call.
fn names(calls: &[Value]) -> Vec<&str> {
    calls.iter().filter_map(|c| c["name"].as_str()).collect()
}

fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect(),
        _ => String::new(),
    }
}

/// A `resultDisplay` as text: a string as is, ANSI output (lines of `{text…}` tokens) joined.
fn display_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(lines) => {
            let lines: Vec<String> = lines
                .iter()
                .map(|line| {
                    let text: String = line
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t["text"].as_str())
                        .collect();
                    text.trim_end().to_owned()
                })
                .collect();
            lines.join("\n").trim().to_owned()
        }
        _ => String::new(),
    }
}

pub fn shell_write_commit(run: &GeminiRun) {
    let threads = by_thread(run);
    assert_eq!(threads.len(), 1, "one session file");
    let s = &threads[MAIN];
    let name = s.path.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(
        name.starts_with("session-") && name.ends_with(&format!("-{}.jsonl", &s.session_id()[..8])),
        "{name}"
    );
    assert_eq!(s.kind(), "main");
    let conversation = s.conversation();
    // The `$set` of the initial history: the `<session_context>` user message.
    let first = &conversation[0];
    assert_eq!(first["type"], "user");
    assert!(text_of(first).starts_with("<session_context>"), "{first}");
    assert!(
        conversation
            .iter()
            .any(|m| m["type"] == "user" && text_of(m) == Scenario::get(&run.name).prompt),
        "the prompt is a user message"
    );

    let calls = s.tool_calls();
    assert_eq!(
        names(&calls),
        [
            "run_shell_command",
            "write_file",
            "replace",
            "run_shell_command"
        ]
    );
    for c in &calls {
        assert_eq!(c["status"], "success", "{c}");
    }
    assert_eq!(calls[0]["args"]["command"], "echo hi-from-shell");
    assert_eq!(calls[0]["resultDisplay"], "hi-from-shell");
    let hello = run.repo.join("hello.txt");
    let hello = hello.to_str().expect("utf-8");
    let add = &calls[1]["resultDisplay"];
    assert_eq!(add["filePath"], hello);
    assert_eq!(add["isNewFile"], true);
    assert_eq!(add["originalContent"], "");
    assert_eq!(add["newContent"], "hello\n");
    assert!(
        add["fileDiff"]
            .as_str()
            .is_some_and(|d| d.contains("+hello\n")),
        "{add}"
    );
    assert_eq!(add["diffStat"]["model_added_lines"], 1);
    let update = &calls[2]["resultDisplay"];
    assert_eq!(update["filePath"], hello);
    assert_eq!(update["isNewFile"], false);
    assert_eq!(update["originalContent"], "hello\n");
    assert_eq!(update["newContent"], "hello, updated\n");
    let diff = update["fileDiff"].as_str().expect("fileDiff");
    assert!(
        diff.contains("-hello\n") && diff.contains("+hello, updated\n"),
        "{diff}"
    );
    assert_eq!(
        session::file_changes(s),
        [(hello.to_owned(), "add"), (hello.to_owned(), "update")]
    );

    // The commit's own output, as the agent saw it.
    let short = run.git(&["rev-parse", "--short", "HEAD"]);
    let commit_line = format!("[main {}] Add hello", short.trim());
    let shown = calls[3]["resultDisplay"].as_str().expect("resultDisplay");
    assert!(shown.contains(&commit_line), "{shown}");

    let gemini = s.gemini_messages();
    let thoughts = &gemini[0]["thoughts"];
    assert_eq!(thoughts[0]["subject"], "Greeting first", "{thoughts}");
    assert_eq!(thoughts[0]["description"], "I will say hi from the shell.");
    assert_eq!(
        gemini.last().map(text_of).as_deref(),
        Some("Committed hello.txt."),
        "the streamed text parts, joined"
    );

    assert_eq!(run.git(&["log", "-1", "--format=%s"]).trim(), "Add hello");
    assert_eq!(run.git(&["show", "HEAD:hello.txt"]), "hello, updated\n");
    assert_eq!(run.git(&["status", "--porcelain"]), "");
}

pub fn subagent(run: &GeminiRun) {
    let threads = by_thread(run);
    assert_eq!(
        threads.keys().map(String::as_str).collect::<Vec<_>>(),
        [CHILD, MAIN],
        "a session file for the main session and one for the subagent"
    );
    let (parent, child) = (&threads[MAIN], &threads[CHILD]);
    let pid = parent.session_id();
    assert_eq!(child.kind(), "subagent");
    assert_eq!(
        child.header()["directories"],
        serde_json::json!([run.repo.to_str().expect("utf-8")])
    );
    let want = parent
        .path
        .parent()
        .expect("chats")
        .join(pid)
        .join(format!("{}.jsonl", child.session_id()));
    assert_eq!(
        child.path, want,
        "chats/<parent session id>/<child id>.jsonl"
    );

    let calls = parent.tool_calls();
    assert_eq!(names(&calls), ["run_shell_command", "invoke_agent"]);
    let invoke = &calls[1];
    assert_eq!(invoke["args"]["agent_name"], CHILD);
    assert_eq!(invoke["status"], "success");
    assert_eq!(invoke["agentId"], child.session_id(), "{invoke}");
    let result = invoke["result"].to_string();
    assert!(
        result.contains("Subagent 'generalist' finished."),
        "{result}"
    );
    let thoughts = &parent.gemini_messages()[1]["thoughts"];
    assert_eq!(thoughts[0]["subject"], "Delegating", "{thoughts}");

    let child_calls = child.tool_calls();
    assert_eq!(names(&child_calls), ["write_file", "complete_task"]);
    let path = run.repo.join("child.txt");
    let path = path.to_str().expect("utf-8");
    assert_eq!(session::file_changes(child), [(path.to_owned(), "add")]);
    assert!(session::file_changes(parent).is_empty());
    let prompt = child
        .conversation()
        .into_iter()
        .find(|m| m["type"] == "user")
        .map(|m| text_of(&m))
        .unwrap_or_default();
    assert!(prompt.starts_with("Create child.txt"), "{prompt}");
    let summary = child.metadata()["summary"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(summary.contains("child.txt created."), "{summary}");
    assert_eq!(
        std::fs::read_to_string(run.repo.join("child.txt")).expect("child.txt"),
        "from the child\n"
    );
}

pub fn rewind(run: &GeminiRun) {
    let threads = by_thread(run);
    assert_eq!(threads.len(), 1, "one session file");
    let s = &threads[MAIN];
    let sc = Scenario::get(&run.name);
    // The rewind names the first prompt's message; the CLI then empties `messages`.
    let prompt = s
        .message_lines()
        .into_iter()
        .find(|m| m["type"] == "user" && text_of(m) == sc.prompt)
        .expect("the first prompt");
    assert_eq!(s.rewinds(), [prompt["id"].as_str().expect("id")]);
    let at = s
        .lines
        .iter()
        .position(|l| l["$rewindTo"].is_string())
        .expect("$rewindTo");
    assert_eq!(
        s.lines[at + 1]["$set"]["messages"],
        serde_json::json!([]),
        "after the rewind: {}",
        s.lines[at + 1]
    );

    let conversation = s.conversation();
    let users: Vec<String> = conversation
        .iter()
        .filter(|m| m["type"] == "user" && m["content"][0]["text"].is_string())
        .map(text_of)
        .collect();
    assert_eq!(users, [format!("{}{AGAIN}", sc.prompt)]);
    let calls = s.tool_calls();
    assert_eq!(names(&calls), ["run_shell_command"]);
    // In the interactive CLI a shell call's `resultDisplay` is the terminal's rendering (lines
    // of styled `{text, bold, fg…}` tokens), not the plain string a `-p` run records.
    assert!(calls[0]["resultDisplay"].is_array(), "{}", calls[0]);
    assert_eq!(display_text(&calls[0]["resultDisplay"]), "second-try");
    // The rewound turn is still in the file.
    let all_text: Vec<String> = s.message_lines().into_iter().map(text_of).collect();
    assert!(all_text.iter().any(|t| t == super::scenario::FIRST_ANSWER));
    assert!(
        !s.gemini_messages()
            .iter()
            .any(|m| text_of(m) == super::scenario::FIRST_ANSWER)
    );
}

/// `responses` of an `expected.json` thread as tokens.
fn expected_tokens(list: &Value) -> Vec<Tokens> {
    list.as_array()
        .expect("a list of responses")
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
            assert_eq!(n("reasoning"), n("thoughts"), "{r}");
            Tokens {
                input: n("input"),
                output: n("output"),
                cached: n("cached"),
                thoughts: n("thoughts"),
                tool: n("tool"),
                total: n("total"),
            }
        })
        .collect()
}

/// One fixture folder against its `expected.json`.
pub fn check_fixture(dir: &Path, expected: &Value) {
    let threads = expected["threads"].as_object().expect("threads");
    assert!(!threads.is_empty(), "{}", dir.display());
    for (name, t) in threads {
        let ctx = format!("{} {name}", dir.display());
        let rel = t["rollout"].as_str().expect("rollout");
        let s = Session::load(&dir.join(rel));
        assert_eq!(t["thread_id"], s.session_id(), "{ctx}");
        let gemini = s.gemini_messages();
        let got: Vec<Tokens> = gemini.iter().map(message_tokens).collect();
        assert_eq!(got, expected_tokens(&t["responses"]), "{ctx}: responses");
        for m in &gemini {
            assert_eq!(m["model"], t["model"], "{ctx}");
        }
        let calls: Vec<String> = s
            .tool_calls()
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        let want: Vec<String> = t["tool_calls"]
            .as_array()
            .expect("tool_calls")
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        assert_eq!(calls, want, "{ctx}: tool_calls");
        let changes: Vec<Value> = session::file_changes(&s)
            .into_iter()
            .map(|(path, kind)| serde_json::json!({"path": path, "kind": kind}))
            .collect();
        assert_eq!(
            Value::Array(changes),
            t["file_changes"],
            "{ctx}: file_changes"
        );
        let in_file: Vec<Tokens> = s
            .message_lines()
            .into_iter()
            .filter(|l| l["type"] == "gemini")
            .map(message_tokens)
            .collect();
        for r in expected_tokens(&t["rewound_responses"]) {
            assert!(
                in_file.contains(&r),
                "{ctx}: a rewound response is in the file"
            );
            assert!(
                !got.contains(&r),
                "{ctx}: a rewound response is not counted"
            );
        }
        let sum = got.iter().copied().fold(Tokens::default(), Tokens::add);
        let total = &t["total"];
        assert_eq!(total["input"], sum.input, "{ctx}");
        assert_eq!(total["output"], sum.output, "{ctx}");
        assert_eq!(total["total"], sum.total, "{ctx}");
    }
}

/// Every folder of `fixtures/gemini` against its `expected.json`.
pub fn fixtures_match_expected() {
    let root = super::record::fixtures();
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("skipping: fixtures/gemini is not recorded (GIT_VOUCH_RECORD=gemini)");
        return;
    };
    let mut read = 0;
    for entry in entries {
        let dir = entry.expect("fixture folder").path();
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir.join("expected.json")).expect("expected.json"),
        )
        .expect("expected.json is JSON");
        check_fixture(&dir, &expected);
        read += 1;
    }
    assert_eq!(read, 5, "three recorded and two derived fixtures");
}
