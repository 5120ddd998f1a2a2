//! The overview tab: identity, timing, models, totals, top tools, sub-agents, commits and
//! warnings, as labelled lines.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::guard::rules::Level;
use crate::present;
use crate::present::datetime;
use crate::present::sanitize::hide_if;
use crate::present::sanitize::one_line;
use crate::session::detail::SessionDetail;
use crate::tui::app::App;
use crate::tui::app::detail::Changes;
use crate::tui::text_fit::clip;
use crate::tui::text_fit::wrap;
use crate::tui::widgets::spinner;
use crate::words::counted;

/// Width of the label column.
const LABEL: usize = 11;
/// Tools, sub-agents and commits listed before "and N more".
const TOP: usize = 5;

/// Draws the lines from where `update` scrolled to (it keeps the scroll within them).
pub fn render(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let scroll = u16::try_from(view.overview_scroll).unwrap_or(u16::MAX);
    let lines = lines(app, d, area.width);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), area);
}

/// The tab's lines for an area `width` cells wide.
pub fn lines(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width).saturating_sub(LABEL + 2).max(8) as u16;
    let mut lines = identity(app, d, width);
    lines.push(Line::default());
    lines.extend(activity(app, d, width));
    lines
}

fn field(app: &App, label: &str, value: Vec<Span<'static>>) -> Line<'static> {
    let mut spans = vec![Span::styled(format!(" {label:<LABEL$} "), app.theme.header)];
    spans.extend(value);
    Line::from(spans)
}

fn plain(text: String) -> Vec<Span<'static>> {
    vec![Span::raw(text)]
}

fn identity(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let s = &d.summary;
    let opt = |v: Option<&str>| one_line(&hide_if(app.redacted, v.unwrap_or("—")));
    let when = match (s.start, s.end) {
        (Some(a), Some(b)) => format!(
            "{} → {} ({})",
            datetime(a),
            b.format("%H:%M:%S"),
            present::duration(b - a)
        ),
        (Some(a), None) => datetime(a),
        _ => "—".to_owned(),
    };
    let models: Vec<String> = s
        .models
        .iter()
        .map(|m| {
            let n = counted(m.messages, "response", "responses");
            format!("{} ({n})", present::model(&m.model))
        })
        .collect();
    let t = &s.tokens;
    let tokens = vec![
        Span::styled(present::tokens(t.total()), app.theme.tokens),
        Span::styled(
            format!(
                "  in {} · out {} · cache write {} · cache read {}",
                present::tokens(t.input),
                present::tokens(t.output),
                present::tokens(t.cache_write()),
                present::tokens(t.cache_read)
            ),
            app.theme.muted,
        ),
    ];
    let cost = present::cost_cell(s.cost, !s.unpriced_models.is_empty());
    let mut lines = vec![
        field(app, "Session", plain(one_line(&s.id))),
        field(app, "Title", plain(clip(&opt(s.title.as_deref()), width))),
        field(
            app,
            "Prompt",
            plain(clip(&opt(s.first_prompt.as_deref()), width)),
        ),
        field(
            app,
            "Project",
            plain(opt(s.cwd.as_deref().or(Some(&s.project)))),
        ),
        field(app, "Branch", plain(opt(s.git_branch.as_deref()))),
        field(
            app,
            "Agent",
            plain(s.agent_version.as_deref().map_or("—".into(), |v| {
                format!("{} {}", s.agent.name(), one_line(v))
            })),
        ),
        field(app, "Time", plain(when)),
        field(
            app,
            "Messages",
            plain(format!(
                "{}, {}, {}",
                counted(s.user_prompts, "prompt", "prompts"),
                counted(s.assistant_messages, "response", "responses"),
                counted(s.compactions, "compaction", "compactions")
            )),
        ),
        field(app, "Models", plain(one_line(&models.join(", ")))),
        field(app, "Tokens", tokens),
        field(app, "Cost", vec![Span::styled(cost, app.theme.cost)]),
    ];
    lines.extend(archived(app, s, width));
    lines.extend(recording(app, s, width));
    lines
}

/// Where the transcript is read from, when not from Claude Code's own folder.
fn archived(app: &App, s: &crate::session::SessionSummary, width: u16) -> Option<Line<'static>> {
    s.archived.then(|| {
        let text = clip(present::ARCHIVED, width);
        field(app, "Transcript", vec![Span::styled(text, app.theme.muted)])
    })
}

/// What `git vouch record` recorded beside what the transcript holds (nothing without it).
fn recording(app: &App, s: &crate::session::SessionSummary, width: u16) -> Vec<Line<'static>> {
    let Some(r) = s.recording.as_deref() else {
        return Vec::new();
    };
    let mut lines = vec![
        field(app, "Recorded", plain(present::tally(&r.recorded))),
        field(app, "Transcript", plain(present::tally(&r.transcript))),
    ];
    if let Some(phrase) = present::not_in_transcript(r) {
        let phrase = format!("{phrase} (counted above)");
        lines.push(field(
            app,
            "Difference",
            vec![Span::styled(clip(&phrase, width), app.theme.warn)],
        ));
    }
    lines
}

fn activity(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let stats = d.tool_stats();
    let mut tools: Vec<String> = stats
        .iter()
        .take(TOP)
        .map(|t| match t.failed {
            0 => format!("{} {}", t.name, t.calls),
            f => format!("{} {} ({f} failed)", t.name, t.calls),
        })
        .collect();
    if stats.len() > TOP {
        tools.push(format!("{} more", stats.len() - TOP));
    }
    let tools = if tools.is_empty() {
        "none".to_owned()
    } else {
        tools.join(" · ")
    };
    let mut lines = vec![field(
        app,
        "Tools",
        plain(clip(
            &format!(
                "{}: {}",
                counted(d.tool_calls.len() as u64, "call", "calls"),
                one_line(&tools)
            ),
            width,
        )),
    )];
    lines.extend(subagents(app, d, width));
    lines.extend(guard(app, width));
    lines.extend(commits(app, d, width));
    lines.extend(warnings(app, d, width));
    lines
}

/// What the guard decided: its counts, then each high or critical call (none without a ledger).
fn guard(app: &App, width: u16) -> Vec<Line<'static>> {
    let Some(account) = app.open_data().and_then(|data| data.guard.clone()) else {
        return Vec::new();
    };
    let g = &account.evidence;
    let style = if g.bypassed > 0 {
        app.theme.error
    } else {
        Style::default()
    };
    let mut lines = vec![field(app, "Guard", vec![Span::styled(g.headline(), style)])];
    for c in g.calls.iter().take(TOP) {
        let level = if c.bypassed || c.level == Level::Critical {
            app.theme.error
        } else {
            app.theme.warn
        };
        let what = hide_if(app.redacted, c.summary.as_deref().unwrap_or(&c.tool));
        let rest = clip(
            &format!("{} · {}", c.fate(), one_line(&what)),
            width.saturating_sub(9),
        );
        lines.push(field(
            app,
            "",
            vec![
                Span::styled(format!("{:<9}", c.level.label()), level),
                Span::raw(rest),
            ],
        ));
    }
    if g.calls.len() > TOP {
        let more = format!("{} more in `git vouch audit`", g.calls.len() - TOP);
        lines.push(field(app, "", vec![Span::styled(more, app.theme.muted)]));
    }
    lines
}

fn subagents(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let flat = d.subagents_flat();
    if flat.is_empty() {
        return vec![field(app, "Sub-agents", plain("none".into()))];
    }
    flat.iter()
        .take(TOP)
        .enumerate()
        .map(|(i, (depth, n))| {
            let label = if i == 0 { "Sub-agents" } else { "" };
            let what = format!(
                "{}{} {}",
                "  ".repeat(*depth),
                n.agent_type.as_deref().unwrap_or(n.kind.as_str()),
                n.description.as_deref().unwrap_or("")
            );
            field(
                app,
                label,
                plain(clip(&one_line(&hide_if(app.redacted, &what)), width)),
            )
        })
        .collect()
}

fn commits(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let linked = match app.open_data().map(|data| &data.changes) {
        Some(Changes::Ready(c)) => Some(c.clone()),
        _ => None,
    };
    let rows: Vec<String> = match (&linked, app.open_data().map(|x| &x.changes)) {
        (Some(c), _) => c
            .iter()
            .map(|c| {
                let short: String = c.link.sha.chars().take(7).collect();
                format!(
                    "{short} {} ({})",
                    c.link.subject,
                    present::link_source(c.link.source)
                )
            })
            .collect(),
        (None, Some(Changes::Waiting)) => vec![format!("{} reading git…", spinner(app.tick))],
        // No repository to read here: what the transcript says the agent committed, said so.
        _ => d
            .commits
            .iter()
            .map(|c| {
                let subject = c.subject.as_deref().unwrap_or("");
                format!(
                    "{} {subject} (made by the agent, from its transcript)",
                    c.sha
                )
            })
            .collect(),
    };
    if rows.is_empty() {
        return vec![field(app, "Commits", plain("none".into()))];
    }
    rows.iter()
        .take(TOP)
        .enumerate()
        .map(|(i, r)| {
            let label = if i == 0 { "Commits" } else { "" };
            field(
                app,
                label,
                plain(clip(&one_line(&hide_if(app.redacted, r)), width)),
            )
        })
        .collect()
}

fn warnings(app: &App, d: &SessionDetail, width: u16) -> Vec<Line<'static>> {
    let mut all = d.warning_lines();
    // The secrets are counted after the detail is read: said as soon as they are.
    let secrets = match app.open_data().map(|x| x.secrets.as_ref()) {
        Some(Some(counts)) => crate::session::detail::secrets_notice(counts),
        _ => Some(format!("{} counting secrets…", spinner(app.tick))),
    };
    all.splice(d.notices.len()..d.notices.len(), secrets);
    if all.is_empty() {
        return vec![field(app, "Warnings", plain("none".into()))];
    }
    // Wrapped, not clipped: a warning's advice is at its end.
    all.iter()
        .flat_map(|w| wrap(&one_line(w), usize::from(width)))
        .enumerate()
        .map(|(i, text)| {
            let label = if i == 0 { "Warnings" } else { "" };
            let mut line = field(app, label, vec![Span::styled(text, app.theme.warn)]);
            line.style = Style::default();
            line
        })
        .collect()
}
