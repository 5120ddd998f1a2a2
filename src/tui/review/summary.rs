//! The left pane of the review: what is pushed, commit by commit, the sessions behind it, and
//! what redaction and the evidence builder noticed. Built from the prepared evidence only.

use ratatui::text::{Line, Span};

use super::Reviewed;
use crate::capture::agent_config::AgentConfig;
use crate::evidence::guard::GuardEvidence;
use crate::evidence::{CommitEvidence, Evidence, SessionEvidence, UsageEvidence};
use crate::guard::rules::Level;
use crate::insights::{Insights, Severity};
use crate::money::Usd;
use crate::present;
use crate::present::sanitize::one_line;
use crate::session::permission;
use crate::tui::theme::Theme;
use crate::words::{counted, plural};

/// Characters of a session's title shown (its first prompt can be long).
const TITLE: usize = 60;

/// Every line of the summary, for all targets.
pub fn lines(items: &[Reviewed], theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for item in items {
        let ev = &item.prepared.evidence;
        let t = &ev.totals;
        out.push(Line::from(vec![
            Span::styled(one_line(&item.target.label), theme.header),
            Span::styled(
                format!(
                    "  {}, {} with agents",
                    counted(t.commits, "commit", "commits"),
                    t.agent_commits
                ),
                theme.muted,
            ),
        ]));
        for c in &ev.commits {
            commit_lines(c, theme, &mut out);
        }
        out.push(Line::default());
        for s in &ev.sessions {
            session_lines(s, theme, &mut out);
        }
        totals_lines(ev, theme, &mut out);
        out.push(Line::default());
    }
    out
}

fn commit_lines(c: &CommitEvidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let sha: String = c.sha.chars().take(8).collect();
    out.push(Line::from(vec![
        Span::styled(format!(" {sha} "), theme.key),
        Span::raw(one_line(&c.subject)),
    ]));
    let ai: u32 = c.files.iter().map(|f| f.ai_lines_added).sum();
    let added: u32 = c.files.iter().map(|f| f.lines_added).sum();
    let removed: u32 = c.files.iter().map(|f| f.lines_removed).sum();
    let who = if c.sessions.is_empty() {
        "no session".to_owned()
    } else {
        let ids: Vec<String> = c
            .sessions
            .iter()
            .map(|s| s.chars().take(8).collect())
            .collect();
        ids.join(", ")
    };
    out.push(Line::from(vec![
        Span::styled(
            format!(
                "   {who} · {} · +{added} -{removed} · ",
                counted(c.files.len(), "file", "files")
            ),
            theme.muted,
        ),
        Span::styled(format!("{ai} by agent"), theme.ok),
    ]));
}

fn session_lines(s: &SessionEvidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let id: String = s.id.chars().take(8).collect();
    let mut title = s.title.as_deref().map(one_line).unwrap_or_default();
    if title.chars().count() > TITLE {
        title = title.chars().take(TITLE - 1).chain(['…']).collect();
    }
    out.push(Line::from(vec![
        Span::styled(format!(" session {id} "), theme.title),
        Span::raw(title),
    ]));
    let models: Vec<String> = s.models.iter().map(|m| present::model(&m.model)).collect();
    let calls: u64 = s.tools.iter().map(|t| t.calls).sum();
    let failed: u64 = s.tools.iter().map(|t| t.failed).sum();
    out.push(Line::from(vec![
        Span::styled(
            format!(
                "   {} {} · {} · ",
                s.agent.name,
                s.agent.version,
                models.join(", ")
            ),
            theme.muted,
        ),
        Span::styled(
            format!("{} tok", present::tokens(s.usage.total_tokens)),
            theme.tokens,
        ),
        Span::raw(" · "),
        Span::styled(cost(&s.usage), theme.cost),
        Span::styled(
            format!(
                " · {}{} · {}",
                plural(calls, "tool call", "tool calls"),
                if failed > 0 {
                    format!(" ({failed} failed)")
                } else {
                    String::new()
                },
                counted(s.subagents.len(), "sub-agent", "sub-agents")
            ),
            theme.muted,
        ),
    ]));
    permission_line(s, theme, out);
    if let Some(c) = &s.agent_config {
        config_line(c, theme, out);
    }
    commands_lines(s, theme, out);
    if let Some(g) = &s.guard {
        guard_lines(g, theme, out);
    }
    if let Some(i) = &s.insights {
        insights_lines(i, theme, out);
    }
}

/// The permission modes a session ran in (its transcript's), or else the mode it started in (its
/// command line's, see `agent_config.launch_mode`); red when one bypasses permission checks.
pub(super) fn permission_line(s: &SessionEvidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let (label, modes) = match s.launch_mode() {
        Some(mode) if s.permission_modes.is_empty() => {
            ("   started in permission mode: ", vec![mode])
        }
        _ => (
            "   permission modes: ",
            s.permission_modes.iter().map(String::as_str).collect(),
        ),
    };
    if modes.is_empty() {
        return;
    }
    let bypassed = modes.iter().any(|m| permission::bypasses(m));
    out.push(Line::from(vec![
        Span::styled(label, theme.muted),
        Span::styled(
            modes.join(", "),
            if bypassed { theme.error } else { theme.muted },
        ),
    ]));
}

/// What governed the agent, in one line: its instruction files, settings, MCP servers, agents
/// and skills, and the configuration's digest (the evidence has each file's).
fn config_line(c: &AgentConfig, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let hooks: usize = c.settings.iter().map(|s| s.hooks.len()).sum();
    let mut parts = vec![
        counted(
            c.instructions.len(),
            "instruction file",
            "instruction files",
        ),
        format!(
            "{} ({})",
            counted(c.settings.len(), "settings file", "settings files"),
            counted(hooks, "hook", "hooks")
        ),
    ];
    if !c.mcp_servers.is_empty() {
        let names: Vec<&str> = c.mcp_servers.iter().map(|m| m.name.as_str()).collect();
        parts.push(format!("MCP {}", names.join(", ")));
    }
    for (list, one, many) in [
        (&c.agents, "agent", "agents"),
        (&c.commands, "command", "commands"),
        (&c.skills, "skill", "skills"),
    ] {
        if !list.is_empty() {
            parts.push(counted(list.len(), one, many));
        }
    }
    let short: String = c.config_sha256.chars().take(12).collect();
    out.push(Line::from(vec![
        Span::styled("   configuration: ", theme.muted),
        Span::raw(one_line(&parts.join(" · "))),
        Span::styled(format!(" · sha256 {short}…"), theme.muted),
    ]));
}

/// The commands the session ran (its evidence's `command` actions), each with its outcome.
fn commands_lines(s: &SessionEvidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let commands: Vec<_> = s.actions.iter().filter(|a| a.kind == "command").collect();
    if commands.is_empty() {
        return;
    }
    out.push(Line::styled(
        format!("   {}:", counted(commands.len(), "command", "commands")),
        theme.muted,
    ));
    for a in commands {
        let style = match a.status.as_str() {
            "failed" => theme.error,
            "pending" => theme.warn,
            _ => theme.ok,
        };
        let who = a
            .agent_id
            .as_deref()
            .map(|id| format!(" (sub-agent {})", id.chars().take(8).collect::<String>()))
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("     {:<7} ", a.status), style),
            Span::raw(format!(
                "$ {}",
                one_line(a.command.as_deref().unwrap_or(&a.tool))
            )),
            Span::styled(who, theme.muted),
        ]));
    }
}

/// The session's health (`git vouch insights`), then every finding that costs health.
fn insights_lines(i: &Insights, theme: &Theme, out: &mut Vec<Line<'static>>) {
    out.push(Line::from(vec![
        Span::styled("   health: ", theme.muted),
        Span::styled(format!("{} ({})", i.health, i.grade), theme.grade(&i.grade)),
        Span::styled(
            format!(" · {}", counted(i.findings.len(), "finding", "findings")),
            theme.muted,
        ),
    ]));
    for f in i.findings.iter().filter(|f| f.severity != Severity::Info) {
        out.push(Line::from(vec![
            Span::styled(
                format!("     {} ", f.severity.label()),
                theme.severity(f.severity),
            ),
            Span::styled(format!("{} · ", f.id.label()), theme.muted),
            Span::raw(one_line(&f.title)),
        ]));
    }
}

/// What the guard decided in a session: the counts, then every high or critical call.
fn guard_lines(g: &GuardEvidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let style = if g.bypassed > 0 {
        theme.error
    } else {
        theme.muted
    };
    out.push(Line::from(vec![
        Span::styled("   guard: ", theme.muted),
        Span::styled(g.headline(), style),
    ]));
    for c in &g.calls {
        let style = if c.bypassed || c.level == Level::Critical {
            theme.error
        } else {
            theme.warn
        };
        let what = c
            .summary
            .as_deref()
            .map_or_else(|| c.tool.clone(), one_line);
        out.push(Line::from(vec![
            Span::styled(format!("     {} ", c.level.label()), style),
            Span::styled(format!("{} · ", c.fate()), theme.muted),
            Span::raw(what),
        ]));
    }
}

fn totals_lines(ev: &Evidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let t = &ev.totals;
    out.push(Line::from(vec![
        Span::styled(" Total ", theme.header),
        Span::styled(
            format!(" {} tok ", present::tokens(t.usage.total_tokens)),
            theme.tokens,
        ),
        Span::styled(cost(&t.usage), theme.cost),
        Span::styled(
            format!(
                " · {} lines added: {} by agents, {} by people",
                t.lines_added, t.ai_lines_added, t.human_lines_added
            ),
            theme.muted,
        ),
    ]));
    policy_lines(ev, theme, out);
    let redacted: Vec<String> = ev
        .redactions
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect();
    out.push(if redacted.is_empty() {
        Line::styled(" Redactions: none", theme.muted)
    } else {
        Line::from(vec![
            Span::styled(" Redacted: ", theme.warn),
            Span::raw(redacted.join(", ")),
        ])
    });
    for w in &ev.warnings {
        out.push(Line::styled(format!(" ! {}", one_line(w)), theme.warn));
    }
}

/// The policy results recorded in the evidence: a summary, then each violation and error.
fn policy_lines(ev: &Evidence, theme: &Theme, out: &mut Vec<Line<'static>>) {
    let Some(report) = &ev.policies else {
        out.push(Line::styled(" Policies: none configured", theme.muted));
        return;
    };
    let style = if report.has_violations() {
        theme.error
    } else if report.errors > 0 {
        theme.warn
    } else {
        theme.ok
    };
    out.push(Line::styled(format!(" {}", report.summary()), style));
    for p in &report.policies {
        for v in &p.violations {
            let who: String = v
                .session
                .as_deref()
                .map_or_else(|| "push".to_owned(), |s| s.chars().take(8).collect());
            out.push(Line::from(vec![
                Span::styled(format!("   ✗ {} ", one_line(&p.name)), theme.error),
                Span::styled(format!("{who}: "), theme.muted),
                Span::raw(one_line(&v.message)),
            ]));
        }
        if let Some(e) = &p.error {
            out.push(Line::styled(
                format!("   ! {}: {}", one_line(&p.name), one_line(e)),
                theme.warn,
            ));
        }
    }
}

/// `$1.23`, or `?` when the price of a model is unknown.
fn cost(usage: &UsageEvidence) -> String {
    usage
        .cost_usd
        .as_deref()
        .and_then(Usd::parse)
        .map_or_else(|| "$?".to_owned(), |c| c.to_string())
}
