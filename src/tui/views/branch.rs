//! The Branch view: the current branch's commits (newest first) with their sessions, models,
//! tokens, cost, agent lines and attestation state, the selected commit in full below, and the
//! branch's totals. The same facts as `git vouch log`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, Wrap};

use crate::attest::standing::AttestationState;
use crate::money::Usd;
use crate::present;
use crate::present::sanitize::one_line;
use crate::provenance::{Attestation, BranchLog, CommitEntry, SessionEntry};
use crate::tui::action::Action;
use crate::tui::app::{App, BranchLoad};
use crate::tui::theme::Theme;
use crate::tui::widgets::spinner;
use crate::words::counted;

/// The Branch view's areas in `area`: top bar, commits, the selected commit, and the footer
/// (two rows when its keys do not fit on one).
pub fn areas(app: &App, area: Rect) -> [Rect; 4] {
    let footer_height = footer_height(&footer_lines(app), area.width);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(8),
        Constraint::Length(footer_height),
    ])
    .areas(area)
}

fn footer_height(lines: &[Line<'_>], width: u16) -> u16 {
    if lines.iter().map(Line::width).sum::<usize>() <= usize::from(width) {
        1
    } else {
        2
    }
}

pub fn render(app: &mut App, frame: &mut Frame) {
    let footer_lines = footer_lines(app);
    let footer_height = footer_height(&footer_lines, frame.area().width);
    let [top, body, detail, footer] = areas(app, frame.area());
    render_top(app, frame, top);
    match app.branch.load.clone() {
        BranchLoad::Ready => {
            render_table(app, frame, body);
            render_detail(app, frame, detail);
        }
        BranchLoad::Failed(e) => message(app, frame, body, &e, app.theme.error),
        BranchLoad::Loading(n) => {
            let text = format!("{} reading the branch…", spinner(n));
            message(app, frame, body, &text, app.theme.muted);
        }
        BranchLoad::Idle => {}
    }
    let footer_text = if footer_height == 1 {
        vec![Line::from(
            footer_lines
                .into_iter()
                .flat_map(|l| l.spans)
                .collect::<Vec<_>>(),
        )]
    } else {
        footer_lines
    };
    frame.render_widget(Paragraph::new(footer_text), footer);
}

fn message(app: &App, frame: &mut Frame, area: Rect, text: &str, style: Style) {
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(app.theme.muted);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {}", one_line(text)), style))
            .block(block)
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn render_top(app: &App, frame: &mut Frame, area: Rect) {
    let mut left = vec![
        Span::styled(" git vouch", app.theme.title),
        Span::styled(" · ", app.theme.muted),
    ];
    left.extend(
        app.branch
            .log
            .as_ref()
            .map(|l| heading(l, &app.theme))
            .unwrap_or_default(),
    );
    let left = Line::from(left);
    let right = app.branch.log.as_ref().map(totals).unwrap_or_default();
    let width = u16::try_from(right.chars().count()).unwrap_or(u16::MAX);
    let [l, r] = Layout::horizontal([Constraint::Min(1), Constraint::Length(width)]).areas(area);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(Span::styled(right, app.theme.footer)), r);
}

/// `branch feature · base origin/main`: what the range is, by name.
fn heading(log: &BranchLog, theme: &Theme) -> Vec<Span<'static>> {
    let (what, name) = match &log.branch {
        Some(b) => ("branch ", one_line(b)),
        None if log.range == "HEAD" => ("branch ", "HEAD (detached)".to_owned()),
        None => ("range ", one_line(&log.range)),
    };
    let base = match (&log.base_ref, &log.base) {
        (Some(b), _) => one_line(b),
        (None, Some(sha)) => sha[..sha.len().min(8)].to_owned(),
        (None, None) if log.range.contains("..") => {
            return vec![Span::styled(what, theme.muted), Span::raw(name)];
        }
        (None, None) => "none, all of its history".to_owned(),
    };
    vec![
        Span::styled(what, theme.muted),
        Span::raw(name),
        Span::styled(" · base ", theme.muted),
        Span::raw(base),
    ]
}

fn state_style(theme: &Theme, a: &Attestation) -> Style {
    match a.state() {
        AttestationState::Reviewed => theme.ok,
        AttestationState::Unreviewed => theme.warn,
        AttestationState::Unsigned => theme.muted,
        AttestationState::Untrusted | AttestationState::Invalid => theme.error,
    }
}

fn cost(s: &SessionEntry) -> String {
    s.cost_usd
        .as_deref()
        .and_then(Usd::parse)
        .map_or_else(|| "$?".to_owned(), |c| c.to_string())
}

fn row<'a>(c: &CommitEntry, theme: &Theme) -> Row<'a> {
    let mut models: Vec<String> = c
        .sessions
        .iter()
        .flat_map(|s| s.models.iter().map(|m| present::model(m)))
        .collect();
    models.dedup();
    let tokens: u64 = c.sessions.iter().map(|s| s.total_tokens).sum();
    let costs: Vec<Usd> = c
        .sessions
        .iter()
        .filter_map(|s| s.cost_usd.as_deref().and_then(Usd::parse))
        .collect();
    let cost_text = if c.sessions.is_empty() {
        String::new()
    } else {
        costs.into_iter().sum::<Usd>().to_string()
    };
    Row::new(vec![
        Cell::from(Span::styled(
            c.sha[..8.min(c.sha.len())].to_owned(),
            theme.key,
        )),
        Cell::from(one_line(&c.subject)),
        Cell::from(c.sessions.len().to_string()),
        Cell::from(models.join(",")),
        Cell::from(Span::styled(
            if tokens > 0 {
                present::tokens(tokens)
            } else {
                String::new()
            },
            theme.tokens,
        )),
        Cell::from(Span::styled(cost_text, theme.cost)),
        Cell::from(format!("+{}/{}", c.lines_added, c.ai_lines_added)),
        Cell::from(Span::styled(
            c.attestation.state().label().to_owned(),
            state_style(theme, &c.attestation),
        )),
    ])
}

fn render_table(app: &mut App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let rows: Vec<Row> = app
        .branch
        .commits()
        .iter()
        .map(|c| row(c, &theme))
        .collect();
    let header = Row::new([
        "Commit",
        "Subject",
        "Sess",
        "Models",
        "Tokens",
        "Cost",
        "+Lines/AI",
        "Attest",
    ])
    .style(theme.header);
    let widths = [
        Constraint::Length(8),
        Constraint::Min(12),
        Constraint::Length(4),
        Constraint::Length(12),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(9),
        Constraint::Length(10),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selection)
        .highlight_symbol("› ")
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(table, area, &mut app.branch.table);
}

fn render_detail(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.muted);
    let Some(c) = app.branch.selected() else {
        frame.render_widget(Paragraph::new("").block(block), area);
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {} ", &c.sha[..12.min(c.sha.len())]), theme.key),
        Span::styled(one_line(&c.standing()), state_style(theme, &c.attestation)),
        Span::styled(
            format!(" · {} · {}", one_line(&c.author), c.source),
            theme.muted,
        ),
    ])];
    if let Attestation::Reviewed {
        note: Some(note), ..
    } = &c.attestation
    {
        lines.push(Line::from(vec![
            Span::styled(" note ", theme.header),
            Span::raw(one_line(note)),
        ]));
    }
    for s in &c.sessions {
        let models: Vec<String> = s.models.iter().map(|m| present::model(m)).collect();
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", &s.id[..8.min(s.id.len())]), theme.title),
            Span::styled(
                format!("{} {} · {} · ", s.agent, s.agent_version, models.join(", ")),
                theme.muted,
            ),
            Span::styled(
                format!("{} tok ", present::tokens(s.total_tokens)),
                theme.tokens,
            ),
            Span::styled(cost(s), theme.cost),
            Span::raw(format!(" {}", one_line(s.title.as_deref().unwrap_or("")))),
        ]));
    }
    if let Some(summary) = &c.policy_summary {
        lines.push(Line::styled(format!(" {}", one_line(summary)), theme.muted));
    }
    for p in &c.policies {
        lines.push(Line::styled(format!(" ✗ {}", one_line(p)), theme.error));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// `3 commits · 2 sessions · 189.1K tok · $0.28 `, for the top bar.
fn totals(log: &BranchLog) -> String {
    let t = &log.totals;
    let cost = Usd::parse(&t.cost_usd).unwrap_or(Usd::ZERO);
    format!(
        "  {} · {} · {} tok · {}{} ",
        counted(t.commits, "commit", "commits"),
        counted(t.sessions, "session", "sessions"),
        present::tokens(t.total_tokens),
        cost,
        if t.cost_incomplete { "+?" } else { "" },
    )
}

/// The footer: the count of commits in each state (as the rows name them), then the keys; two
/// lines when one is too narrow, so neither is cut off.
fn footer_lines(app: &App) -> Vec<Line<'static>> {
    if let Some(notice) = &app.notice {
        return vec![Line::styled(
            format!(" {}", one_line(notice)),
            app.theme.warn,
        )];
    }
    let k = |a: Action| app.keymap.hint(a).to_owned();
    let states = Line::styled(
        app.branch
            .log
            .as_ref()
            .map(|l| format!(" {} ", l.totals.states()))
            .unwrap_or_default(),
        app.theme.footer,
    );
    let mut keys = Vec::new();
    for (key, what) in [
        (k(Action::Open), "sessions"),
        (k(Action::BranchDiff), "diff"),
        (k(Action::Reload), "reload"),
        (k(Action::Help), "help"),
        (k(Action::Back), "back"),
    ] {
        keys.push(Span::styled(format!(" {key}"), app.theme.key));
        keys.push(Span::styled(format!(" {what} "), app.theme.muted));
    }
    vec![states, Line::from(keys)]
}
