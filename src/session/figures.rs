//! The figures of one session that lists, the detail, reports and evidence all show: each is
//! counted once, by one rule, so a session has one set of figures wherever it appears.

use std::collections::BTreeMap;

use super::SessionSummary;
use super::detail::SessionDetail;
use crate::money::Usd;
use crate::usage::Tokens;

/// What a session used and did, in the terms every view shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub tokens: Tokens,
    /// Cost of the responses of priced models.
    pub cost: Usd,
    /// Models without a price, sorted.
    pub unpriced_models: Vec<String>,
    /// Every model that answered, sorted.
    pub models: Vec<String>,
    /// Distinct API responses.
    pub assistant_messages: u64,
    pub tool_calls: u64,
    /// Calls per tool name, sorted by name.
    pub tools: Vec<(String, u64)>,
    /// Task/Agent calls: sub-agents started.
    pub subagents: u64,
    pub user_prompts: u64,
    pub api_errors: u64,
    pub compactions: u64,
}

/// Task and Agent calls (Claude Code), spawn_agent calls (Codex CLI), invoke_agent calls
/// (Gemini CLI) and task calls (opencode) start a sub-agent.
pub fn starts_subagent(tool: &str) -> bool {
    matches!(
        tool,
        "Task" | "Agent" | "spawn_agent" | "invoke_agent" | "task"
    )
}

impl SessionSummary {
    /// The figures of the session's row (lists, `sessions`, `usage`).
    pub fn figures(&self) -> Figures {
        let mut models: Vec<String> = self.models.iter().map(|m| m.model.clone()).collect();
        models.sort();
        let mut unpriced = self.unpriced_models.clone();
        unpriced.sort();
        let mut tools = self.tools.clone();
        tools.sort();
        Figures {
            tokens: self.tokens,
            cost: self.cost,
            unpriced_models: unpriced,
            models,
            assistant_messages: self.assistant_messages,
            tool_calls: self.tool_calls,
            tools,
            subagents: self.subagents,
            user_prompts: self.user_prompts,
            api_errors: self.api_errors,
            compactions: self.compactions,
        }
    }
}

impl SessionDetail {
    /// The figures the full read of the session counts itself: usage from its responses, tool
    /// calls and sub-agents from its calls. Prompts, API errors and compactions are the
    /// summary's (the detail does not count them again).
    pub fn figures(&self) -> Figures {
        let mut f = Figures {
            user_prompts: self.summary.user_prompts,
            api_errors: self.summary.api_errors,
            compactions: self.summary.compactions,
            ..Figures::default()
        };
        for t in &self.turns {
            f.tokens.add(&t.tokens);
            f.assistant_messages += 1;
            match t.cost {
                Some(c) => f.cost += c,
                None => f.unpriced_models.push(t.model.clone()),
            }
            f.models.push(t.model.clone());
        }
        for list in [&mut f.models, &mut f.unpriced_models] {
            list.sort();
            list.dedup();
        }
        let mut tools: BTreeMap<&str, u64> = BTreeMap::new();
        for c in &self.tool_calls {
            *tools.entry(&c.name).or_default() += 1;
        }
        f.tool_calls = self.tool_calls.len() as u64;
        f.subagents = tools
            .iter()
            .filter(|(n, _)| starts_subagent(n))
            .map(|(_, c)| c)
            .sum();
        f.tools = tools.into_iter().map(|(n, c)| (n.to_owned(), c)).collect();
        f
    }
}
