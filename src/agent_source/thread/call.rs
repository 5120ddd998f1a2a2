//! A tool call and how it ended, whatever agent made it.

use serde_json::Value;

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Outcome {
    #[default]
    Pending,
    Ok,
    Failed(String),
}

/// One tool call of a thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Call {
    pub id: String,
    pub name: String,
    /// The command a shell call ran.
    pub command: Option<String>,
    /// The patch text of a patch call (Codex's `apply_patch`).
    pub patch: Option<String>,
    /// The files it names (a file tool's file, the files of a patch).
    pub files: Vec<String>,
    /// Arguments of other calls, as sent (for summaries and sub-agent prompts).
    pub arguments: Option<Value>,
    /// The thread of the sub-agent the call started, when the agent records it.
    pub child: Option<String>,
    pub started_ms: Option<i64>,
    pub finished_ms: Option<i64>,
    pub outcome: Outcome,
    /// Its result text, clipped.
    pub output: Option<String>,
}

/// Results longer than this are clipped where they are kept.
pub const OUTPUT_CHARS: usize = 4000;

impl Call {
    /// One line saying what the call did: its command, its files, or its main argument.
    pub fn summary(&self) -> String {
        if let Some(c) = &self.command {
            return first_line(c);
        }
        if !self.files.is_empty() {
            return first_line(&self.files.join(", "));
        }
        let args = self.arguments.as_ref();
        let pick = |k: &str| args.and_then(|a| a.get(k)).and_then(Value::as_str);
        [
            "task_name",
            "agent_name",
            "description",
            "message",
            "path",
            "file_path",
            "filePath",
            "pattern",
            "query",
            "url",
        ]
        .iter()
        .find_map(|k| pick(k))
        .or_else(|| args.and_then(Value::as_str))
        .map(first_line)
        .unwrap_or_default()
    }

    /// Records how the call ended; `why` is the error of a failed one (else its output).
    pub fn take_status(&mut self, ok: bool, ts: Option<i64>, why: Option<&str>) {
        self.finished_ms = self.finished_ms.or(ts);
        self.outcome = if ok {
            Outcome::Ok
        } else {
            Outcome::Failed(clip(why.or(self.output.as_deref()).unwrap_or("failed")))
        };
    }
}

/// The first line of `text`, clipped to 200 characters.
pub fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.trim().chars().take(200).collect()
}

/// `text` clipped to [`OUTPUT_CHARS`] characters.
pub fn clip(text: &str) -> String {
    match text.char_indices().nth(OUTPUT_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
