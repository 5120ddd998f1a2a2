//! Just enough of a rollout reader for the harness's own checks (independent of git-vouch's
//! parser, which is what the tests are meant to hold to account): the lines as JSON, the
//! thread's identity, `token_usage_record`s, `token_count`s and `FileChange`s.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::scenario::{Usage, thread_name};

/// One rollout file, parsed.
pub struct Rollout {
    pub path: PathBuf,
    /// Each line (in order).
    pub lines: Vec<Value>,
}

/// The text of a rollout, `.jsonl` or zstd-compressed `.jsonl.zst`.
pub fn read_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "zst") {
        let mut decoder = ruzstd::decoding::StreamingDecoder::new(bytes.as_slice())
            .unwrap_or_else(|e| panic!("{}: not zstd: {e}", path.display()));
        let mut text = String::new();
        decoder
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text
    } else {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

/// The `rollout-*.jsonl` and `rollout-*.jsonl.zst` files under `dir` (recursively), sorted.
pub fn find(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if is_rollout(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// `rollout-*.jsonl` or `rollout-*.jsonl.zst`.
fn is_rollout(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("rollout-"));
    let jsonl = |p: &Path| p.extension().is_some_and(|e| e == "jsonl");
    let plain = jsonl(path);
    let packed = path.extension().is_some_and(|e| e == "zst")
        && path.file_stem().is_some_and(|s| jsonl(Path::new(s)));
    named && (plain || packed)
}

/// A usage object of a rollout (`input_tokens`, `cached_input_tokens`, `output_tokens`,
/// `reasoning_output_tokens`).
pub fn usage_of(v: &Value) -> Usage {
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("no {k} in {v}"));
    Usage {
        input: n("input_tokens"),
        cached: n("cached_input_tokens"),
        output: n("output_tokens"),
        reasoning: n("reasoning_output_tokens"),
    }
}

impl Rollout {
    pub fn load(path: &Path) -> Self {
        let lines = read_text(path)
            .lines()
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
            })
            .collect();
        Self {
            path: path.to_path_buf(),
            lines,
        }
    }

    /// The first line's `session_meta` payload (the thread's own).
    pub fn meta(&self) -> &Value {
        let first = &self.lines[0];
        assert_eq!(first["type"], "session_meta", "{}", self.path.display());
        &first["payload"]
    }

    pub fn thread_id(&self) -> &str {
        self.meta()["id"].as_str().expect("session_meta.id")
    }

    /// `main`, or the subagent's task name (`child_task`, from its `agent_path`).
    pub fn thread(&self) -> String {
        thread_name(self.meta()["agent_path"].as_str())
    }

    /// `session_meta.subagent_history_start_ordinal`: lines with a lower `ordinal` are copied
    /// from the parent.
    pub fn start_ordinal(&self) -> Option<u64> {
        self.meta()["subagent_history_start_ordinal"].as_u64()
    }

    /// The lines the thread wrote itself (from `subagent_history_start_ordinal` on; all of a
    /// thread that was not forked). Line 0, the thread's own `session_meta`, is included.
    pub fn own(&self) -> Vec<&Value> {
        let start = self.start_ordinal().unwrap_or(0);
        self.lines
            .iter()
            .enumerate()
            .filter(|(i, l)| *i == 0 || l["ordinal"].as_u64().is_none_or(|o| o >= start))
            .map(|(_, l)| l)
            .collect()
    }

    /// `(response_id, usage)` of each `token_usage_record`, in order.
    pub fn usage_records(&self) -> Vec<(String, Usage)> {
        self.lines
            .iter()
            .filter(|l| l["type"] == "token_usage_record")
            .map(|l| {
                let p = &l["payload"];
                let id = p["response_id"].as_str().expect("response_id").to_owned();
                (id, usage_of(&p["usage"]))
            })
            .collect()
    }

    /// `(last_token_usage, total_token_usage)` of each `event_msg` `token_count` with `info`.
    pub fn token_counts(&self) -> Vec<(Option<Usage>, Usage)> {
        self.events("token_count")
            .into_iter()
            .filter(|p| !p["info"].is_null())
            .map(|p| {
                let last = &p["info"]["last_token_usage"];
                let last = (!last.is_null()).then(|| usage_of(last));
                (last, usage_of(&p["info"]["total_token_usage"]))
            })
            .collect()
    }

    /// The payloads of the `event_msg` lines of `kind`.
    pub fn events(&self, kind: &str) -> Vec<&Value> {
        self.lines
            .iter()
            .filter(|l| l["type"] == "event_msg" && l["payload"]["type"] == kind)
            .map(|l| &l["payload"])
            .collect()
    }

    /// The `item` of each `item_completed` event whose item type is `kind` (`FileChange`,
    /// `CommandExecution`, `AgentMessage`…).
    pub fn completed(&self, kind: &str) -> Vec<&Value> {
        self.events("item_completed")
            .into_iter()
            .map(|p| &p["item"])
            .filter(|i| i["type"] == kind)
            .collect()
    }

    /// `turn_context.model` of each turn context line.
    pub fn models(&self) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| l["type"] == "turn_context")
            .filter_map(|l| l["payload"]["model"].as_str().map(str::to_owned))
            .collect()
    }
}
