use chrono::{DateTime, Utc};

use super::*;
use crate::evidence::guard::Outcome;
use crate::guard::decide::{GuardMode, Verdict};
use crate::guard::rules::{Category, Level};
use crate::insights::{Detector, Severity, finding};
use crate::session::detail::{SubagentKind, ToolCall};
use crate::usage::Tokens;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000 + s, 0).unwrap()
}

fn call(id: &str, name: &str, agent: Option<&str>, at: i64, status: ToolStatus) -> ToolCall {
    ToolCall {
        id: id.into(),
        name: name.into(),
        input_summary: format!("{name} input"),
        started: Some(t(at)),
        finished: Some(t(at + 1)),
        duration_ms: Some(1000),
        status,
        agent_id: agent.map(str::to_owned),
        command: Some("deploy --key AKIAIOSFODNN7EXAMPLE".into()),
        path: None,
    }
}

fn turn(message: &str, agent: Option<&str>, at: i64) -> TurnUsage {
    TurnUsage {
        at: Some(t(at)),
        message_id: Some(message.into()),
        agent_id: agent.map(str::to_owned),
        model: "claude-sonnet-4-5".into(),
        tokens: Tokens {
            input: 10,
            output: 20,
            cache_read: 300,
            cache_write_5m: 40,
            ..Tokens::default()
        },
        cost: None,
        not_in_transcript: None,
    }
}

/// A session with one sub-agent started by a Task call, a failing Bash call inside it that the
/// guard denied yet ran, and a finding.
fn world() -> (SessionSummary, SessionDetail, Vec<GuardedCall>, Insights) {
    let summary = SessionSummary {
        id: "s1".into(),
        start: Some(t(0)),
        end: Some(t(100)),
        ..SessionSummary::default()
    };
    let failed = ToolStatus::Failed {
        error: "boom AKIAIOSFODNN7EXAMPLE".into(),
    };
    let detail = SessionDetail {
        summary: summary.clone(),
        tool_calls: vec![
            call("c1", "Bash", None, 11, ToolStatus::Ok),
            call("c2", "Task", None, 20, ToolStatus::Ok),
            call("c3", "Bash", Some("a1"), 31, failed),
        ],
        subagents: vec![SubagentNode {
            agent_id: "a1".into(),
            agent_type: Some("reviewer".into()),
            description: Some("check the change".into()),
            tool_use_id: Some("c2".into()),
            kind: SubagentKind::Task,
            tokens: Tokens::default(),
            cost: None,
            models: Vec::new(),
            tool_calls: 1,
            path: None,
            started: Some(t(21)),
            children: Vec::new(),
        }],
        files: Vec::new(),
        commits: Vec::new(),
        turns: vec![
            turn("m1", None, 10),
            turn("m2", Some("a1"), 30),
            turn("m3", None, 50),
        ],
        warnings: Vec::new(),
        secrets: crate::redact::Counts::new(),
        notices: Vec::new(),
    };
    let guard = vec![GuardedCall {
        at: t(31),
        tool_use_id: Some("c3".into()),
        tool: "Bash".into(),
        agent_id: Some("a1".into()),
        summary: Some("deploy".into()),
        level: Level::Critical,
        categories: vec![Category::Destructive],
        rules: vec!["rm-rf".into()],
        mode: GuardMode::Enforce,
        verdict: Verdict::Deny,
        reason: None,
        outcome: Outcome::Failed,
        bypassed: true,
        answered_by: None,
    }];
    let insights = Insights {
        rules_version: 1,
        health: 80,
        grade: "B".into(),
        findings: vec![finding(
            Detector::Loop,
            "3 identical calls".into(),
            Severity::Medium,
            None,
        )],
        tool_errors: Vec::new(),
    };
    (summary, detail, guard, insights)
}

fn spans() -> Vec<Span> {
    let (summary, detail, guard, insights) = world();
    session_spans(&SessionInput {
        summary: &summary,
        detail: &detail,
        insights: Some(&insights),
        guard: &guard,
        content: None,
    })
}

fn named<'a>(spans: &'a [Span], name: &str) -> Vec<&'a Span> {
    spans.iter().filter(|s| s.name == name).collect()
}

fn text_of<'a>(span: &'a Span, key: &str) -> Option<&'a str> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            proto::Value::StringValue(s) => Some(s.as_str()),
            _ => None,
        })
}

#[test]
fn every_span_hangs_under_the_agent_that_made_it() {
    let spans = spans();
    let root = named(&spans, "invoke_agent Claude Code")[0];
    assert!(root.parent_span_id.is_empty());
    let agent = named(&spans, "invoke_agent reviewer")[0];
    assert_eq!(
        agent.parent_span_id, root.span_id,
        "started from the main thread's Task"
    );
    assert_eq!(text_of(agent, n::TOOL_CALL_ID), Some("c2"));
    let bash = named(&spans, "execute_tool Bash");
    let inside = bash
        .iter()
        .find(|s| text_of(s, n::TOOL_CALL_ID) == Some("c3"))
        .unwrap();
    assert_eq!(inside.parent_span_id, agent.span_id);
    let chats = named(&spans, "chat claude-sonnet-4-5");
    assert_eq!(chats.len(), 3);
    let sub_chat = chats
        .iter()
        .find(|s| text_of(s, n::RESPONSE_ID) == Some("m2"))
        .unwrap();
    assert_eq!(sub_chat.parent_span_id, agent.span_id);
    assert_eq!(
        sub_chat.start_time_unix_nano,
        nanos(Some(t(21))),
        "from the agent's start"
    );
    let first = chats
        .iter()
        .find(|s| text_of(s, n::RESPONSE_ID) == Some("m1"))
        .unwrap();
    assert_eq!(
        first.start_time_unix_nano,
        nanos(Some(t(0))),
        "from the session's start"
    );
    let third = chats
        .iter()
        .find(|s| text_of(s, n::RESPONSE_ID) == Some("m3"))
        .unwrap();
    assert_eq!(
        third.start_time_unix_nano,
        nanos(Some(t(21))),
        "after the Task's result"
    );
    assert_eq!(spans, self::spans(), "the same spans and ids every time");
}

#[test]
fn tokens_follow_the_anthropic_rule() {
    let spans = spans();
    let chat = named(&spans, "chat claude-sonnet-4-5")[0];
    let int = |key: &str| {
        chat.attributes
            .iter()
            .find(|kv| kv.key == key)
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                proto::Value::IntValue(n) => Some(*n),
                _ => None,
            })
    };
    assert_eq!(int(n::USAGE_INPUT), Some(10 + 300 + 40));
    assert_eq!(int(n::USAGE_CACHE_READ), Some(300));
    assert_eq!(int(n::USAGE_CACHE_CREATION), Some(40));
    assert_eq!(int(n::USAGE_OUTPUT), Some(20));
}

#[test]
fn guard_decisions_and_findings_are_events_and_no_text_leaves_unasked() {
    let spans = spans();
    let bash = named(&spans, "execute_tool Bash");
    let inside = bash
        .iter()
        .find(|s| text_of(s, n::TOOL_CALL_ID) == Some("c3"))
        .unwrap();
    let event = &inside.events[0];
    assert_eq!(event.name, n::GUARD_EVENT);
    let has = |key: &str, value: proto::Value| {
        event.attributes.iter().any(|kv| {
            kv.key == key && kv.value.as_ref().and_then(|v| v.value.clone()) == Some(value.clone())
        })
    };
    assert!(has(
        n::GUARD_VERDICT,
        proto::Value::StringValue("deny".into())
    ));
    assert!(has(n::GUARD_BYPASSED, proto::Value::BoolValue(true)));
    let status = inside.status.as_ref().unwrap();
    assert_eq!(
        (status.code, status.message.as_str()),
        (proto::STATUS_ERROR, "")
    );
    let root = named(&spans, "invoke_agent Claude Code")[0];
    let names: Vec<&str> = root.events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [n::EVALUATION_EVENT, n::EVALUATION_EVENT],
        "health, then the finding"
    );
    let all = format!("{spans:?}");
    assert!(
        !all.contains("AKIA") && !all.contains("deploy --key") && !all.contains("check the change")
    );
}
