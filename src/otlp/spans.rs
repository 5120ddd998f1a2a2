//! One session as one trace: an `invoke_agent` span for the session (its conversation id is the
//! session id), a nested `invoke_agent` span per sub-agent, a `chat {model}` span per API
//! response and an `execute_tool {name}` span per tool call, each under the agent that made
//! it. Guard decisions are events on the call they decided (or on the session when the call is
//! unknown); the insights' findings and the session's health are `gen_ai.evaluation.result`
//! events on the session's span.
//!
//! A transcript stamps a response when it arrived, not when it was asked for: a `chat` span
//! starts when the same thread's previous step (a response or a tool result) ended, which is
//! when the request went out, and ends at the response.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::content::Content;
use super::ids;
use super::names as n;
use super::proto::{self, Event, KeyValue, Span, Status};
use crate::evidence::guard::GuardedCall;
use crate::insights::Insights;
use crate::session::SessionSummary;
use crate::session::detail::{SessionDetail, SubagentNode, ToolCall, ToolStatus, TurnUsage};

/// What one session's trace is made of.
pub struct SessionInput<'a> {
    pub summary: &'a SessionSummary,
    pub detail: &'a SessionDetail,
    pub insights: Option<&'a Insights>,
    /// Every call the guard checked, in order.
    pub guard: &'a [GuardedCall],
    /// Prompts, answers and tool inputs, redacted: only with `--content`.
    pub content: Option<&'a Content>,
}

/// The spans of one session, parents before children.
pub fn session_spans(input: &SessionInput<'_>) -> Vec<Span> {
    let s = input.summary;
    let trace = ids::trace_id(&s.id);
    let root = ids::span_id(&s.id, "session");
    let mut b = Builder {
        trace,
        input,
        spans: Vec::new(),
        agents: HashMap::new(),
        tool_ends: tool_ends(input.detail),
        agent_starts: (input.detail.subagents_flat().into_iter())
            .map(|(_, a)| (a.agent_id.as_str(), a.started))
            .collect(),
        callers: (input.detail.tool_calls.iter())
            .map(|c| (c.id.as_str(), c.agent_id.as_deref()))
            .collect(),
        last_steps: last_steps(input.detail),
    };
    b.agents.insert(None, root);
    b.session_span(root);
    for (_, node) in input.detail.subagents_flat() {
        b.subagent_span(node);
    }
    b.chat_spans();
    b.tool_spans();
    b.guard_events();
    b.spans
}

struct Builder<'a> {
    trace: [u8; 16],
    input: &'a SessionInput<'a>,
    spans: Vec<Span>,
    /// The span of each thread: `None` is the main thread.
    agents: HashMap<Option<String>, [u8; 8]>,
    /// When each thread's tool calls ended, in order.
    tool_ends: HashMap<Option<&'a str>, Vec<DateTime<Utc>>>,
    /// When each sub-agent began.
    agent_starts: HashMap<&'a str, Option<DateTime<Utc>>>,
    /// The thread of each tool call, by its id.
    callers: HashMap<&'a str, Option<&'a str>>,
    /// When each thread last did something: its last response or tool result.
    last_steps: HashMap<Option<&'a str>, DateTime<Utc>>,
}

fn last_steps(d: &SessionDetail) -> HashMap<Option<&str>, DateTime<Utc>> {
    let mut out: HashMap<Option<&str>, DateTime<Utc>> = HashMap::new();
    let turns = d
        .turns
        .iter()
        .filter_map(|t| Some((t.agent_id.as_deref(), t.at?)));
    let calls = (d.tool_calls.iter())
        .filter_map(|c| Some((c.agent_id.as_deref(), c.finished.or(c.started)?)));
    for (thread, at) in turns.chain(calls) {
        let last = out.entry(thread).or_insert(at);
        *last = (*last).max(at);
    }
    out
}

fn tool_ends(d: &SessionDetail) -> HashMap<Option<&str>, Vec<DateTime<Utc>>> {
    let mut out: HashMap<Option<&str>, Vec<DateTime<Utc>>> = HashMap::new();
    for c in &d.tool_calls {
        if let Some(f) = c.finished {
            out.entry(c.agent_id.as_deref()).or_default().push(f);
        }
    }
    for ends in out.values_mut() {
        ends.sort_unstable();
    }
    out
}

impl Builder<'_> {
    fn session_span(&mut self, id: [u8; 8]) {
        let s = self.input.summary;
        let d = self.input.detail;
        let mut attributes = vec![
            proto::text(n::OPERATION, "invoke_agent"),
            proto::text(n::PROVIDER, "anthropic"),
            proto::text(n::CONVERSATION_ID, s.id.clone()),
            proto::text(n::AGENT_NAME, s.agent.name()),
            proto::text(n::AGENT, s.agent.id()),
        ];
        attributes.extend(usage_attributes(&s.tokens, Some(s.cost)));
        if !s.permission_modes.is_empty() {
            attributes.push(proto::texts(
                n::PERMISSION_MODES,
                s.permission_modes.clone(),
            ));
        }
        if let Some(branch) = &s.git_branch {
            attributes.push(proto::text(n::BRANCH, branch.clone()));
        }
        if !d.commits.is_empty() {
            let shas = d.commits.iter().map(|c| c.sha.clone());
            attributes.push(proto::texts(n::COMMITS, shas));
        }
        let mut events = Vec::new();
        if let Some(insights) = self.input.insights {
            attributes.push(proto::int(n::HEALTH, u64::from(insights.health)));
            events = evaluation_events(insights, s.end.or(s.start));
        }
        let end = s.end.or(s.start);
        self.spans.push(Span {
            trace_id: self.trace.to_vec(),
            span_id: id.to_vec(),
            parent_span_id: Vec::new(),
            name: format!("invoke_agent {}", s.agent.name()),
            kind: proto::SPAN_KIND_INTERNAL,
            start_time_unix_nano: nanos(s.start),
            end_time_unix_nano: nanos(end),
            attributes,
            events,
            status: None,
        });
    }

    fn subagent_span(&mut self, node: &SubagentNode) {
        let s = self.input.summary;
        let id = ids::span_id(&s.id, &format!("agent:{}", node.agent_id));
        self.agents.insert(Some(node.agent_id.clone()), id);
        let parent = self.parent_of_agent(node);
        let name = node.agent_type.clone().unwrap_or_else(|| "subagent".into());
        let mut attributes = vec![
            proto::text(n::OPERATION, "invoke_agent"),
            proto::text(n::PROVIDER, "anthropic"),
            proto::text(n::CONVERSATION_ID, s.id.clone()),
            proto::text(n::AGENT_ID, node.agent_id.clone()),
            proto::text(n::AGENT_NAME, name.clone()),
            proto::text(n::SUBAGENT_KIND, node.kind.as_str()),
        ];
        if let (Some(content), Some(d)) = (self.input.content, &node.description) {
            attributes.push(proto::text(n::AGENT_DESCRIPTION, content.redact(d)));
        }
        if let Some(call) = &node.tool_use_id {
            attributes.push(proto::text(n::TOOL_CALL_ID, call.clone()));
        }
        attributes.extend(usage_attributes(&node.tokens, node.cost));
        let start = node.started.or(s.start);
        let end = self.last_step_of(Some(&node.agent_id)).or(start);
        self.spans.push(Span {
            trace_id: self.trace.to_vec(),
            span_id: id.to_vec(),
            parent_span_id: parent.to_vec(),
            name: format!("invoke_agent {name}"),
            kind: proto::SPAN_KIND_INTERNAL,
            start_time_unix_nano: nanos(start),
            end_time_unix_nano: nanos(end.max(start)),
            attributes,
            events: Vec::new(),
            status: None,
        });
    }

    /// The span of the agent that started `node`: the thread of the call that started it.
    fn parent_of_agent(&self, node: &SubagentNode) -> [u8; 8] {
        let caller = node
            .tool_use_id
            .as_deref()
            .and_then(|id| self.callers.get(id));
        caller
            .and_then(|agent| self.agents.get(&agent.map(str::to_owned)).copied())
            .unwrap_or_else(|| self.agents[&None])
    }

    fn chat_spans(&mut self) {
        let mut previous: HashMap<Option<&str>, DateTime<Utc>> = HashMap::new();
        let d = self.input.detail;
        for (i, turn) in d.turns.iter().enumerate() {
            let thread = turn.agent_id.as_deref();
            let begun = self.request_start(turn, previous.get(&thread).copied());
            if let Some(at) = turn.at {
                previous.insert(thread, at);
            }
            self.chat_span(i, turn, begun);
        }
    }

    /// When the request behind `turn` went out: the later of the thread's previous response
    /// and the last tool result it had before this response.
    fn request_start(
        &self,
        turn: &TurnUsage,
        previous: Option<DateTime<Utc>>,
    ) -> Option<DateTime<Utc>> {
        let at = turn.at?;
        let tool_end = self
            .tool_ends
            .get(&turn.agent_id.as_deref())
            .and_then(|ends| Some(ends[ends.partition_point(|f| *f <= at).checked_sub(1)?]));
        // A thread's first request went out when the thread began.
        let began = match &turn.agent_id {
            None => self.input.summary.start,
            Some(agent) => self.agent_starts.get(agent.as_str()).copied().flatten(),
        };
        let start = [previous, tool_end].into_iter().flatten().max().or(began);
        Some(start.unwrap_or(at).min(at))
    }

    fn chat_span(&mut self, index: usize, turn: &TurnUsage, begun: Option<DateTime<Utc>>) {
        let s = self.input.summary;
        let key = turn
            .message_id
            .as_ref()
            .map_or_else(|| format!("chat#{index}"), |m| format!("chat:{m}"));
        let mut attributes = vec![
            proto::text(n::OPERATION, "chat"),
            proto::text(n::PROVIDER, "anthropic"),
            proto::text(n::CONVERSATION_ID, s.id.clone()),
            proto::text(n::REQUEST_MODEL, turn.model.clone()),
            proto::text(n::RESPONSE_MODEL, turn.model.clone()),
        ];
        if let Some(m) = &turn.message_id {
            attributes.push(proto::text(n::RESPONSE_ID, m.clone()));
        }
        if let Some(agent) = &turn.agent_id {
            attributes.push(proto::text(n::AGENT_ID, agent.clone()));
        }
        attributes.extend(usage_attributes(&turn.tokens, turn.cost));
        if let Some(kind) = &turn.not_in_transcript {
            attributes.push(proto::text(n::NOT_IN_TRANSCRIPT, serde_name(kind)));
        }
        if let Some(content) = self.input.content {
            attributes.extend(content.chat_messages(turn, begun));
        }
        let parent = self.thread_span(turn.agent_id.as_ref());
        self.spans.push(Span {
            trace_id: self.trace.to_vec(),
            span_id: ids::span_id(&s.id, &key).to_vec(),
            parent_span_id: parent.to_vec(),
            name: format!("chat {}", turn.model),
            kind: proto::SPAN_KIND_CLIENT,
            start_time_unix_nano: nanos(begun.or(turn.at)),
            end_time_unix_nano: nanos(turn.at),
            attributes,
            events: Vec::new(),
            status: None,
        });
    }

    fn thread_span(&self, agent: Option<&String>) -> [u8; 8] {
        self.agents
            .get(&agent.cloned())
            .copied()
            .unwrap_or_else(|| self.agents[&None])
    }

    fn tool_spans(&mut self) {
        let d = self.input.detail;
        for call in &d.tool_calls {
            self.tool_span(call);
        }
    }

    fn tool_span(&mut self, call: &ToolCall) {
        let s = self.input.summary;
        let mut attributes = vec![
            proto::text(n::OPERATION, "execute_tool"),
            proto::text(n::TOOL_NAME, call.name.clone()),
            proto::text(n::TOOL_CALL_ID, call.id.clone()),
            proto::text(n::TOOL_TYPE, "function"),
            proto::text(n::CONVERSATION_ID, s.id.clone()),
        ];
        if let Some(agent) = &call.agent_id {
            attributes.push(proto::text(n::AGENT_ID, agent.clone()));
        }
        if let Some(content) = self.input.content {
            attributes.extend(content.tool_call(call));
        }
        let status = match &call.status {
            ToolStatus::Failed { error } => {
                attributes.push(proto::text(n::ERROR_TYPE, "tool_error"));
                let message = self.input.content.map(|c| c.redact(error));
                Some(Status {
                    message: message.unwrap_or_default(),
                    code: proto::STATUS_ERROR,
                })
            }
            ToolStatus::Ok | ToolStatus::Pending => None,
        };
        let start = call.started.or(call.finished);
        let end = call
            .finished
            .or_else(|| Some(start? + chrono::Duration::milliseconds(call.duration_ms?)))
            .or(start);
        let parent = self.thread_span(call.agent_id.as_ref());
        self.spans.push(Span {
            trace_id: self.trace.to_vec(),
            span_id: tool_span_id(&s.id, &call.id).to_vec(),
            parent_span_id: parent.to_vec(),
            name: format!("execute_tool {}", call.name),
            kind: proto::SPAN_KIND_INTERNAL,
            start_time_unix_nano: nanos(start),
            end_time_unix_nano: nanos(end.max(start)),
            attributes,
            events: Vec::new(),
            status,
        });
    }

    /// One event per call the guard did not simply let through: asked, denied, bypassed,
    /// answered at `git vouch watch`, or high or critical.
    fn guard_events(&mut self) {
        let s = self.input.summary;
        let by_id: HashMap<Vec<u8>, usize> = (self.spans.iter().enumerate())
            .map(|(i, sp)| (sp.span_id.clone(), i))
            .collect();
        for call in self.input.guard.iter().filter(|c| worth_an_event(c)) {
            let event = guard_event(call);
            let target = call
                .tool_use_id
                .as_deref()
                .and_then(|id| by_id.get(tool_span_id(&s.id, id).as_slice()).copied())
                .unwrap_or(0);
            if let Some(span) = self.spans.get_mut(target) {
                span.events.push(event);
            }
        }
    }

    /// When the thread last did something: its last response or tool result.
    fn last_step_of(&self, agent: Option<&str>) -> Option<DateTime<Utc>> {
        self.last_steps.get(&agent).copied()
    }
}

fn tool_span_id(session: &str, call: &str) -> [u8; 8] {
    ids::span_id(session, &format!("tool:{call}"))
}

fn worth_an_event(call: &GuardedCall) -> bool {
    use crate::guard::decide::Verdict;
    use crate::guard::rules::Level;
    call.verdict != Verdict::Allow
        || call.bypassed
        || call.answered_by.is_some()
        || call.level >= Level::High
}

fn guard_event(call: &GuardedCall) -> Event {
    let mut attributes = vec![
        proto::text(n::GUARD_LEVEL, call.level.label()),
        proto::text(n::GUARD_VERDICT, serde_name(&call.verdict)),
        proto::text(n::GUARD_MODE, serde_name(&call.mode)),
        proto::texts(n::GUARD_RULES, call.rules.clone()),
        proto::text(n::GUARD_OUTCOME, call.outcome.label()),
        proto::boolean(n::GUARD_BYPASSED, call.bypassed),
        proto::text(n::TOOL_NAME, call.tool.clone()),
    ];
    if let Some(id) = &call.tool_use_id {
        attributes.push(proto::text(n::TOOL_CALL_ID, id.clone()));
    }
    if let Some(who) = &call.answered_by {
        attributes.push(proto::text(n::GUARD_ANSWERED_BY, who.clone()));
    }
    Event {
        time_unix_nano: nanos(Some(call.at)),
        name: n::GUARD_EVENT.into(),
        attributes,
    }
}

/// The session's health and each finding, as evaluation results.
fn evaluation_events(insights: &Insights, at: Option<DateTime<Utc>>) -> Vec<Event> {
    let health = Event {
        time_unix_nano: nanos(at),
        name: n::EVALUATION_EVENT.into(),
        attributes: vec![
            proto::text(n::EVALUATION_NAME, n::HEALTH),
            proto::double(n::EVALUATION_SCORE, f64::from(insights.health)),
            proto::text(n::EVALUATION_LABEL, insights.grade.clone()),
        ],
    };
    let findings = insights.findings.iter().map(|f| Event {
        time_unix_nano: nanos(f.at.or(at)),
        name: n::EVALUATION_EVENT.into(),
        attributes: vec![
            proto::text(n::EVALUATION_NAME, format!("vouch.{}", f.id.label())),
            proto::text(n::EVALUATION_LABEL, f.severity.label()),
            proto::text(n::EVALUATION_EXPLANATION, f.title.clone()),
            proto::text(n::FINDING_SEVERITY, f.severity.label()),
            proto::texts(n::FINDING_CALLS, f.calls.clone()),
        ],
    });
    std::iter::once(health).chain(findings).collect()
}

/// Token attributes by the convention (Anthropic's input is the sum of uncached input, cache
/// reads and cache writes; the parts as their own attributes) and the cost, when known.
pub fn usage_attributes(
    t: &crate::usage::Tokens,
    cost: Option<crate::money::Usd>,
) -> Vec<KeyValue> {
    let writes = t.cache_write_5m + t.cache_write_1h;
    let mut out = vec![
        proto::int(n::USAGE_INPUT, t.input + t.cache_read + writes),
        proto::int(n::USAGE_OUTPUT, t.output),
        proto::int(n::USAGE_CACHE_READ, t.cache_read),
        proto::int(n::USAGE_CACHE_CREATION, writes),
    ];
    if let Some(cost) = cost {
        out.push(proto::double(n::COST_USD, usd(cost)));
    }
    out
}

/// Dollars as a number, from the exact micro-dollars every JSON document shows.
pub fn usd(cost: crate::money::Usd) -> f64 {
    cost.micros() as f64 / 1_000_000.0
}

/// Nanoseconds since the epoch; 0 (unknown, as OTLP reads it) without a time.
pub fn nanos(at: Option<DateTime<Utc>>) -> u64 {
    at.and_then(|t| t.timestamp_nanos_opt())
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

/// The name serde gives a unit variant (`deny`, `enforce`…).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests;
