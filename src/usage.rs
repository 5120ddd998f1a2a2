//! Token usage of one API response, and sums of them.
//!
//! Claude Code records the Anthropic `usage` object on every assistant line. We keep the five
//! billable token kinds apart (cache writes split by lifetime, because a 1-hour write costs 60%
//! more than a 5-minute one) plus the request options that change the price.

use serde::{Deserialize, Serialize};

/// The billable token counts of one or more API responses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// Uncached input tokens.
    pub input: u64,
    /// Output tokens (including thinking).
    pub output: u64,
    /// Prompt-cache writes with the 5-minute lifetime.
    pub cache_write_5m: u64,
    /// Prompt-cache writes with the 1-hour lifetime.
    pub cache_write_1h: u64,
    /// Prompt-cache reads.
    pub cache_read: u64,
}

impl Tokens {
    /// All cache writes, whatever their lifetime.
    pub const fn cache_write(&self) -> u64 {
        self.cache_write_5m + self.cache_write_1h
    }

    /// Input side of the request: what the long-context rule compares with its threshold.
    pub const fn prompt(&self) -> u64 {
        self.input + self.cache_write() + self.cache_read
    }

    /// Every token, the sum used to pick among streamed copies of one response.
    pub const fn total(&self) -> u64 {
        self.prompt() + self.output
    }

    /// Adds another count into this one.
    pub const fn add(&mut self, other: &Self) {
        self.input += other.input;
        self.output += other.output;
        self.cache_write_5m += other.cache_write_5m;
        self.cache_write_1h += other.cache_write_1h;
        self.cache_read += other.cache_read;
    }

    /// The share of prompt tokens served from the cache, in per mille (0..=1000).
    pub const fn cache_hit_permille(&self) -> u64 {
        match (self.cache_read * 1000).checked_div(self.prompt()) {
            Some(v) => v,
            None => 0,
        }
    }
}

impl std::ops::AddAssign for Tokens {
    fn add_assign(&mut self, rhs: Self) {
        self.add(&rhs);
    }
}

/// Request options recorded next to the usage that change what a response costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// `usage.speed == "fast"`: fast mode, billed at a multiple of the standard price.
    pub fast: bool,
    /// `usage.service_tier == "batch"`: half price.
    pub batch: bool,
    /// `usage.inference_geo` names a region (US-only inference is billed 1.1x on newer models).
    pub us_only: bool,
    /// Server-side web searches (`usage.server_tool_use.web_search_requests`).
    pub web_search_requests: u64,
}

/// One deduplicated API response: what it cost to produce.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub tokens: Tokens,
    pub billing: Billing,
}

impl Usage {
    /// Whether this copy of an API response replaces the copy kept so far. Claude Code writes
    /// one line per content block of a response (and resumes, forks and side questions copy
    /// lines), each with a `usage`: the copy with the most tokens wins; of copies with as many,
    /// a fast-mode one (billed at a multiple) wins; otherwise the copy kept first stays.
    ///
    /// The one rule for copies within a file, across files and in a session's detail.
    pub const fn replaces(&self, kept: &Self) -> bool {
        let (new, old) = (self.tokens.total(), kept.tokens.total());
        new > old || (new == old && self.billing.fast && !kept.billing.fast)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_ratio() {
        let mut t = Tokens {
            input: 10,
            output: 5,
            cache_write_5m: 20,
            cache_write_1h: 30,
            cache_read: 40,
        };
        assert_eq!(t.cache_write(), 50);
        assert_eq!(t.prompt(), 100);
        assert_eq!(t.total(), 105);
        assert_eq!(t.cache_hit_permille(), 400);
        t += Tokens {
            input: 1,
            ..Tokens::default()
        };
        assert_eq!(t.input, 11);
        assert_eq!(Tokens::default().cache_hit_permille(), 0);
    }
}
