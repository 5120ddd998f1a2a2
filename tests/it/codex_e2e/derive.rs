//! Fixtures in the formats the current CLI no longer writes, derived deterministically from the
//! recorded 0.171 rollouts and the documented structure of older ones
//! (the research notes on Codex rollouts, `agents.md` §1.3):
//!
//! - `legacy-token-count/`: the `shell_patch_commit` rollout with no `token_usage_record` lines,
//!   no `ordinal` fields and no `history_mode` (usage only in `event_msg` `token_count`:
//!   `info.last_token_usage` + cumulative `info.total_token_usage`); its second `token_count` is
//!   repeated verbatim (older CLIs emitted duplicates) and its fourth has no `last_token_usage`
//!   (older style: totals only, a reader must take the delta).
//! - `legacy-fork/`: the `subagent` parent and child the same way, the child without
//!   `subagent_history_start_ordinal` and starting, after its own `session_meta`, with a copy of
//!   the parent's lines (its `session_meta`, turn items, and `token_count`s with the parent's
//!   cumulative totals and original timestamps) up to the parent's `spawn_agent` call (what the
//!   parent had written when it forked); then the fork's `turn_aborted` and developer messages,
//!   then the child's own `task_started` and `token_count`s, whose cumulative totals continue
//!   from the copied baseline. The child's usage is its own responses only.
//! - `compressed/`: the `shell_patch_commit` rollout as `rollout-*.jsonl.zst` (ruzstd, level
//!   Fastest), as the CLI leaves a rollout idle for a week.
//!
//! Each folder has its own `expected.json` (response ids `null` where the file has none).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::record::{self, json_text};
use super::scenario::{CHILD, MAIN};

/// The derived fixture folders (under `fixtures/codex`).
pub const FOLDERS: [&str; 3] = ["legacy-token-count", "legacy-fork", "compressed"];

/// A file to write: path relative to `fixtures/codex`, bytes.
type File = (PathBuf, Vec<u8>);

/// A recorded fixture: its folder and `expected.json`.
struct Source {
    folder: String,
    dir: PathBuf,
    expected: Value,
}

impl Source {
    fn load(scenario: &str) -> Option<Self> {
        let folder = record::folder(scenario);
        let dir = record::fixtures().join(&folder);
        let text = std::fs::read_to_string(dir.join("expected.json")).ok()?;
        Some(Self {
            folder,
            dir,
            expected: serde_json::from_str(&text).expect("expected.json"),
        })
    }

    fn thread(&self, name: &str) -> &Value {
        let t = &self.expected["threads"][name];
        assert!(t.is_object(), "{}: no thread {name}", self.folder);
        t
    }

    /// The rollout path of a thread, relative to the fixture folder.
    fn rel(&self, name: &str) -> &str {
        self.thread(name)["rollout"].as_str().expect("rollout")
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(self.rel(name))).expect("read a recorded rollout")
    }
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

/// The line without its top-level `ordinal`, every other byte as recorded.
fn strip_ordinal(line: &str) -> String {
    let v = parse(line);
    let Some(ordinal) = v.get("ordinal") else {
        return line.to_owned();
    };
    let out = line.replacen(&format!(",\"ordinal\":{ordinal},"), ",", 1);
    let mut want = v.clone();
    want.as_object_mut()
        .expect("a JSON object line")
        .shift_remove("ordinal");
    assert_eq!(parse(&out), want, "removing the ordinal of {line}");
    out
}

/// The line with `edit` applied to it, re-serialised (key order kept), ordinal removed.
fn edited(line: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v = parse(line);
    v.as_object_mut()
        .expect("a JSON object line")
        .shift_remove("ordinal");
    edit(&mut v);
    serde_json::to_string(&v).expect("json")
}

fn is_token_count(v: &Value) -> bool {
    v["type"] == "event_msg"
        && v["payload"]["type"] == "token_count"
        && !v["payload"]["info"].is_null()
}

/// A 0.171 line as a legacy rollout would have it: `None` for `token_usage_record`s; no
/// `ordinal`; `session_meta` without `history_mode` and `subagent_history_start_ordinal`.
fn legacy_line(line: &str) -> Option<String> {
    let v = parse(line);
    match v["type"].as_str() {
        Some("token_usage_record") => None,
        Some("session_meta") => Some(edited(line, |v| {
            let p = v["payload"].as_object_mut().expect("payload");
            p.shift_remove("history_mode");
            p.shift_remove("subagent_history_start_ordinal");
        })),
        _ => Some(strip_ordinal(line)),
    }
}

fn join(lines: &[String]) -> Vec<u8> {
    let mut text = lines.join("\n");
    text.push('\n');
    text.into_bytes()
}

/// A thread of a source `expected.json`, with response ids dropped (when the derived file has
/// none) and the rollout path moved to `rel`.
fn thread_json(src: &Value, rel: &str, keep_ids: bool) -> Value {
    let mut t = src.as_object().expect("thread").clone();
    t.insert("rollout".into(), json!(rel));
    if !keep_ids {
        let responses: Vec<Value> = src["responses"]
            .as_array()
            .expect("responses")
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r["response_id"] = Value::Null;
                r
            })
            .collect();
        t.insert("responses".into(), json!(responses));
    }
    Value::Object(t)
}

fn expected(src: &Source, description: &str, threads: &Map<String, Value>) -> Vec<u8> {
    json_text(&json!({
        "description": description,
        "derived_from": src.folder,
        "cli_version": src.expected["cli_version"],
        "scenario": src.expected["scenario"],
        "threads": threads,
    }))
    .into_bytes()
}

fn legacy_token_count(src: &Source) -> Vec<File> {
    let folder = Path::new(FOLDERS[0]);
    let rel = src.rel(MAIN);
    let mut out = Vec::new();
    let mut k = 0;
    for line in src.text(MAIN).lines() {
        let Some(l) = legacy_line(line) else { continue };
        if !is_token_count(&parse(&l)) {
            out.push(l);
            continue;
        }
        let l = if k == 3 {
            edited(&l, |v| {
                let info = v["payload"]["info"].as_object_mut().expect("info");
                info.shift_remove("last_token_usage");
            })
        } else {
            l
        };
        if k == 1 {
            out.push(l.clone());
        }
        out.push(l);
        k += 1;
    }
    assert!(k >= 4, "{}: only {k} token_count events", src.folder);
    let mut threads = Map::new();
    threads.insert(MAIN.into(), thread_json(src.thread(MAIN), rel, false));
    let description = "Derived from the recorded 0.171 rollout as older CLIs wrote it: no \
        token_usage_record lines, no ordinal fields, no history_mode; usage only in event_msg \
        token_count. The 2nd token_count is repeated verbatim right after itself (a duplicate: \
        same totals, count it once); the 4th has no info.last_token_usage (only the cumulative \
        total_token_usage: its usage is the delta from the previous total). `responses` lists \
        each response's usage in order (no response ids in this file).";
    vec![
        (folder.join(rel), join(&out)),
        (
            folder.join("expected.json"),
            expected(src, description, &threads),
        ),
    ]
}

/// Adds `base`'s numeric fields to `total`'s.
fn add_usage(total: &mut Value, base: &Value) {
    let t = total.as_object_mut().expect("total_token_usage");
    for (k, v) in t.iter_mut() {
        if let (Some(a), Some(b)) = (v.as_u64(), base[k].as_u64()) {
            *v = json!(a + b);
        }
    }
}

fn is_spawn(line: &str) -> bool {
    let v = parse(line);
    v["type"] == "response_item"
        && v["payload"]["type"] == "function_call"
        && v["payload"]["name"] == "spawn_agent"
}

/// The legacy child: its `session_meta`, the copy of the parent (what the parent had written
/// when it forked: up to its spawn_agent call), the fork's own lines (`turn_aborted`, developer
/// messages), then its turn with cumulative totals continuing from the copy's last total.
/// Returns the lines, how many were copied, and that baseline.
fn fork_child(parent: &[&str], child: &[&str]) -> (Vec<String>, usize, Value) {
    let spawn = parent
        .iter()
        .position(|l| is_spawn(l))
        .expect("the parent's spawn_agent");
    let copied: Vec<String> = parent[..=spawn]
        .iter()
        .filter_map(|l| legacy_line(l))
        .collect();
    let counts: Vec<Value> = copied
        .iter()
        .map(|l| parse(l))
        .filter(is_token_count)
        .collect();
    assert!(
        counts.len() >= 2,
        "the parent's token_counts before the spawn"
    );
    let baseline = counts[counts.len() - 1]["payload"]["info"]["total_token_usage"].clone();

    let start = parse(child[0])["payload"]["subagent_history_start_ordinal"]
        .as_u64()
        .expect("the recorded child's subagent_history_start_ordinal");
    let ordinal = |l: &str| parse(l)["ordinal"].as_u64().expect("ordinal");
    let child_spawn = child
        .iter()
        .position(|l| is_spawn(l))
        .expect("the copied spawn_agent");
    let mut out = vec![legacy_line(child[0]).expect("session_meta")];
    out.extend(copied.iter().cloned());
    for l in &child[child_spawn + 1..] {
        if ordinal(l) >= start {
            break;
        }
        out.push(strip_ordinal(l));
    }
    for l in child.iter().filter(|l| ordinal(l) >= start) {
        let Some(l) = legacy_line(l) else { continue };
        if is_token_count(&parse(&l)) {
            out.push(edited(&l, |v| {
                add_usage(&mut v["payload"]["info"]["total_token_usage"], &baseline);
            }));
        } else {
            out.push(l);
        }
    }
    (out, copied.len(), baseline)
}

fn legacy_fork(src: &Source) -> Vec<File> {
    let folder = Path::new(FOLDERS[1]);
    let (parent_rel, child_rel) = (src.rel(MAIN), src.rel(CHILD));
    let (parent_text, child_text) = (src.text(MAIN), src.text(CHILD));
    let parent: Vec<&str> = parent_text.lines().collect();
    let child: Vec<&str> = child_text.lines().collect();
    let parent_out: Vec<String> = parent.iter().filter_map(|l| legacy_line(l)).collect();
    let (out, copied, baseline) = fork_child(&parent, &child);

    let mut threads = Map::new();
    threads.insert(
        MAIN.into(),
        thread_json(src.thread(MAIN), parent_rel, false),
    );
    let mut c = thread_json(src.thread(CHILD), child_rel, false);
    c["subagent_history_start_ordinal"] = Value::Null;
    c["copied_prefix_lines"] = json!(copied);
    c["copied_baseline"] = baseline;
    threads.insert(CHILD.into(), c);
    let description = "Derived from the recorded 0.171 subagent run as older CLIs (legacy \
        history) wrote forks: both rollouts without token_usage_record lines, ordinal fields or \
        history_mode. The child has no subagent_history_start_ordinal; after its own \
        session_meta (line 1) come `copied_prefix_lines` lines copied from the parent with their \
        original timestamps: the parent's session_meta, its turn items and its token_count \
        events (the parent's cumulative totals), up to the parent's spawn_agent call; then \
        the fork's turn_aborted and developer messages; then the child's own task_started and \
        its token_counts, whose total_token_usage continues from `copied_baseline` (the last \
        copied total). The child's usage is only its own responses (`responses`); the copied \
        token_counts belong to the parent.";
    vec![
        (folder.join(parent_rel), join(&parent_out)),
        (folder.join(child_rel), join(&out)),
        (
            folder.join("expected.json"),
            expected(src, description, &threads),
        ),
    ]
}

fn compressed(src: &Source) -> Vec<File> {
    let folder = Path::new(FOLDERS[2]);
    let rel = format!("{}.zst", src.rel(MAIN));
    let plain = src.text(MAIN).into_bytes();
    let packed = ruzstd::encoding::compress_to_vec(
        plain.as_slice(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    let mut back = Vec::new();
    std::io::Read::read_to_end(
        &mut ruzstd::decoding::StreamingDecoder::new(packed.as_slice()).expect("zstd frame"),
        &mut back,
    )
    .expect("decompress");
    assert!(
        back == plain,
        "the compressed rollout decompresses to the recorded one"
    );
    let mut threads = Map::new();
    threads.insert(MAIN.into(), thread_json(src.thread(MAIN), &rel, true));
    let description = "The recorded 0.171 shell_patch_commit rollout, zstd-compressed \
        (rollout-*.jsonl.zst, as the CLI rewrites rollouts idle for 7 days); same content and \
        usage as the recorded fixture.";
    vec![
        (folder.join(&rel), packed),
        (
            folder.join("expected.json"),
            expected(src, description, &threads),
        ),
    ]
}

/// Every derived file, from the recorded fixtures; `None` when they are not recorded.
pub fn derive() -> Option<Vec<File>> {
    let shell = Source::load("shell_patch_commit")?;
    let sub = Source::load("subagent")?;
    let mut files = legacy_token_count(&shell);
    files.extend(legacy_fork(&sub));
    files.extend(compressed(&shell));
    Some(files)
}

/// Rewrites the derived folders.
pub fn write_all() {
    let files = derive().expect("the recorded fixtures (GIT_VOUCH_RECORD=codex records them)");
    let root = record::fixtures();
    for folder in FOLDERS {
        let dir = root.join(folder);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("remove a derived fixture");
        }
    }
    for (rel, bytes) in &files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write a derived fixture");
    }
    eprintln!("derived {} files into {}", files.len(), FOLDERS.join(", "));
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The derived folders hold exactly what [`derive`] makes, byte for byte.
pub fn check_on_disk() {
    let Some(files) = derive() else {
        eprintln!("skipping: fixtures/codex is not recorded (GIT_VOUCH_RECORD=codex)");
        return;
    };
    let root = record::fixtures();
    let mut on_disk = Vec::new();
    for folder in FOLDERS {
        files_under(&root.join(folder), &mut on_disk);
    }
    let mut on_disk: Vec<PathBuf> = on_disk
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("under fixtures/codex")
                .to_path_buf()
        })
        .collect();
    on_disk.sort();
    let mut made: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    made.sort();
    assert_eq!(
        on_disk, made,
        "derived fixture files (GIT_VOUCH_RECORD=codex-derived rewrites them)"
    );
    for (rel, bytes) in &files {
        let disk = std::fs::read(root.join(rel)).expect("read a derived fixture");
        assert!(
            disk == *bytes,
            "{} differs from its derivation (GIT_VOUCH_RECORD=codex-derived rewrites it)",
            rel.display()
        );
    }
}
