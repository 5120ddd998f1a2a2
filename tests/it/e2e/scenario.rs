//! Scenario files (`fixtures/scenarios/*.json`): the repository to start from, the CLI sessions
//! to run, and the script the mock API follows. Every model response carries scripted token
//! usage, so the totals git-vouch must report are known exactly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "a scenario file's switches, each a plain yes or no in its JSON"
)]
pub struct Scenario {
    /// What the scenario exercises (documentation only).
    #[serde(default)]
    pub description: String,
    /// Model given to the CLI with `--model` and echoed in responses.
    pub model: String,
    /// Run `git vouch init` (and commit its settings file) before the sessions.
    #[serde(default)]
    pub vouch_init: bool,
    /// Create a bare repository `WORKDIR/remote.git` as `origin`, with `main` pushed to it.
    #[serde(default)]
    pub remote: bool,
    /// `git config` settings of the repository (e.g. `vouch.review`), set after `init`.
    #[serde(default)]
    pub git_config: BTreeMap<String, String>,
    /// Run `git vouch keygen` so pushes can be attested.
    #[serde(default)]
    pub vouch_keygen: bool,
    /// Files of the initial commit (default: a README).
    #[serde(default)]
    pub repo_files: BTreeMap<String, String>,
    /// Files written before the sessions, relative to the work folder (outside the repository:
    /// `outside/…`, `home/…` for the session's HOME).
    #[serde(default)]
    pub workdir_files: BTreeMap<String, String>,
    /// Where the work folder is made (default: the system's temporary folder).
    #[serde(default)]
    pub workdir_in: WorkdirIn,
    pub sessions: Vec<SessionSpec>,
    /// Main-thread script: one entry per user prompt.
    pub prompts: Vec<PromptScript>,
    /// Subagent threads, recognised by `match` in their first user message.
    #[serde(default)]
    pub subagents: Vec<PromptScript>,
    /// Answers to side requests (no tools, or a model containing `side_model`).
    #[serde(default)]
    pub side_responses: Vec<SideResponse>,
    #[serde(default = "default_side_model")]
    pub side_model: String,
    #[serde(default = "default_side_text")]
    pub side_default_text: String,
    #[serde(default = "Usage::side")]
    pub side_usage: Usage,
    /// Reply once a thread has no turns left (a scenario bug: the tests assert it never happens).
    #[serde(default = "default_exhausted")]
    pub exhausted_text: String,
    #[serde(default = "Usage::side")]
    pub exhausted_usage: Usage,
    /// Runaway guard: after this many scripted requests, always answer `exhausted_text`.
    #[serde(default = "default_max_requests")]
    pub max_requests: usize,
    /// Run each session through `git vouch record` (storing in the repository's git dir).
    #[serde(default)]
    pub recorder: bool,
    /// A `git vouch watch` stand-in attached to the repository during the sessions: its
    /// answers to the calls the guard holds, in order.
    #[serde(default)]
    pub watcher: Vec<WatcherAnswer>,
}

/// One answer of the scenario's watcher.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatcherAnswer {
    pub answer: git_vouch::guard::watch::Answer,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Where a scenario's work folder is made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkdirIn {
    /// The system's temporary folder (`tempfile`'s default).
    #[default]
    Temp,
    /// `target/tmp` (`CARGO_TARGET_TMPDIR`): not a temporary folder to the guard, so a folder
    /// beside the repository is outside it.
    Target,
}

/// One CLI run (`claude -p`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSpec {
    pub prompt: String,
    /// Extra arguments; `{{session_N}}` is the id of session N (1-based), `{{repo}}` the repo.
    #[serde(default)]
    pub args: Vec<String>,
    /// Start together with the neighbouring sessions that also say `parallel`.
    #[serde(default)]
    pub parallel: bool,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

/// The turns answering one prompt (or one subagent).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptScript {
    #[serde(rename = "match", default)]
    pub matches: String,
    pub turns: Vec<Turn>,
}

/// One model response.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    pub content: Vec<Block>,
    /// Always required: the expected totals are sums of these.
    pub usage: Usage,
    /// Inferred when absent: `tool_use` if the turn has a tool call, else `end_turn`.
    #[serde(default)]
    pub stop_reason: Option<String>,
    /// Wait before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// The first `times` requests for this turn fail with this error (the CLI retries).
    #[serde(default)]
    pub fail_first: Option<FailFirst>,
    /// Hold the answer until the main thread has asked for turn `turn` of the prompt whose
    /// `match` is `prompt` (a barrier between parallel sessions).
    #[serde(default)]
    pub after: Option<After>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct After {
    pub prompt: String,
    pub turn: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    Text {
        text: String,
    },
    Thinking {
        thinking: String,
    },
    ToolUse {
        name: String,
        input: Value,
        #[serde(default)]
        id: Option<String>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailFirst {
    pub status: u16,
    #[serde(rename = "type")]
    pub kind: String,
    pub times: u32,
    #[serde(default = "default_error_message")]
    pub message: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideResponse {
    #[serde(rename = "match")]
    pub matches: String,
    pub text: String,
}

/// Token usage of one response, in git-vouch's terms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    pub input: u64,
    pub output: u64,
    #[serde(default)]
    pub cache_write_5m: u64,
    #[serde(default)]
    pub cache_write_1h: u64,
    #[serde(default)]
    pub cache_read: u64,
}

impl Usage {
    fn side() -> Self {
        Self {
            input: 40,
            output: 12,
            ..Self::default()
        }
    }

    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_write_5m + self.cache_write_1h + self.cache_read
    }

    pub fn add(&mut self, other: &Self) {
        self.input += other.input;
        self.output += other.output;
        self.cache_write_5m += other.cache_write_5m;
        self.cache_write_1h += other.cache_write_1h;
        self.cache_read += other.cache_read;
    }

    /// The `usage` object of an API response.
    pub fn to_api(self) -> Value {
        serde_json::json!({
            "input_tokens": self.input,
            "cache_creation_input_tokens": self.cache_write_5m + self.cache_write_1h,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_write_5m,
                "ephemeral_1h_input_tokens": self.cache_write_1h,
            },
            "output_tokens": self.output,
            "service_tier": "standard",
        })
    }
}

fn default_side_model() -> String {
    "haiku".into()
}
fn default_side_text() -> String {
    "OK".into()
}
fn default_exhausted() -> String {
    "Done.".into()
}
fn default_max_requests() -> usize {
    150
}
fn default_error_message() -> String {
    "Overloaded".into()
}

impl Scenario {
    /// Loads `fixtures/scenarios/<name>.json`.
    pub fn load(name: &str) -> Self {
        let path = scenario_path(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

pub fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/scenarios")
        .join(format!("{name}.json"))
}

/// Replaces `{{name}}` with `vars[name]` (unknown names are left as they are).
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if vars.contains_key(after[..end].trim()) => {
                out.push_str(&vars[after[..end].trim()]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// [`substitute`] over every string of a JSON value.
pub fn substitute_json(value: &Value, vars: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => Value::String(substitute(s, vars)),
        Value::Array(a) => Value::Array(a.iter().map(|v| substitute_json(v, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), substitute_json(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}
