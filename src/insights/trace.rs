//! What the detectors read: a session's tool calls, API requests, compactions and ending, taken
//! from the summary scans of its files (the session model builds it while it sums a session up,
//! so the insights cost one pass over the records it already holds).

use crate::money::Usd;
use crate::transcript::file_scan::{CallStatus, CompactionMark};
use crate::usage::Tokens;

/// One session, as the detectors see it.
#[derive(Debug, Clone, Default)]
pub struct Trace<'a> {
    /// The session's folder, to read paths relative to it.
    pub cwd: Option<&'a str>,
    /// Every tool call the session counts, by time (ties in file order).
    pub calls: Vec<Call<'a>>,
    /// Every API response the session counts, each thread's in the order written.
    pub requests: Vec<Request<'a>>,
    /// The main thread's compactions, in order.
    pub compactions: Vec<&'a CompactionMark>,
    /// How many compaction model calls the session's files hold (`agent-acompact-*`).
    pub compaction_calls: usize,
    /// The text of the main thread's last answer.
    pub last_answer: Option<&'a str>,
    /// A typed prompt the main thread left without an answer.
    pub open_prompt: Option<&'a str>,
    /// The prices the session is costed with, for estimates (the embedded table when `None`).
    pub prices: Option<&'a crate::pricing::PriceTable>,
}

/// One tool call.
#[derive(Debug, Clone, Default)]
pub struct Call<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The sub-agent that made it; `None` on the main thread.
    pub thread: Option<&'a str>,
    /// Equal for equal calls (the tool and its whole input).
    pub key: u64,
    pub ts_ms: i64,
    pub status: CallStatus,
    /// A failed call's error text (its start).
    pub error: Option<&'a str>,
    /// The file it worked on.
    pub path: Option<&'a str>,
    /// Where a search looked.
    pub search_path: Option<&'a str>,
    /// A Bash command.
    pub command: Option<&'a str>,
    /// An Edit's (old, new) string hashes; a Write's (0, content).
    pub edit: Option<(u64, u64)>,
    /// Its result's size when at least 32 KiB, else 0.
    pub output_bytes: u32,
}

impl Call<'_> {
    pub fn failed(&self) -> bool {
        self.status == CallStatus::Failed
    }

    pub fn ok(&self) -> bool {
        self.status == CallStatus::Ok
    }
}

/// One API response.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub thread: Option<&'a str>,
    pub ts_ms: i64,
    pub model: &'a str,
    pub tokens: Tokens,
    /// `None` when the model has no price.
    pub cost: Option<Usd>,
}

impl Request<'_> {
    /// The context the request sent: input, cache reads and cache writes.
    pub fn context(&self) -> u64 {
        let t = &self.tokens;
        t.input + t.cache_read + t.cache_write_5m + t.cache_write_1h
    }

    pub fn cache_write(&self) -> u64 {
        self.tokens.cache_write_5m + self.tokens.cache_write_1h
    }
}
