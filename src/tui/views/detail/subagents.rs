//! The sub-agents tab: the tree of agents (nested ones under their parent) with type,
//! description, tokens and cost; Enter opens the selected agent's conversation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, HighlightSpacing, Row, Table, TableState};

use crate::present;
use crate::present::sanitize::hide_if;
use crate::present::sanitize::one_line;
use crate::session::detail::{SessionDetail, SubagentNode};
use crate::tui::app::App;
use crate::tui::widgets::message;

pub fn render(app: &App, d: &SessionDetail, frame: &mut Frame, area: Rect) {
    let flat = d.subagents_flat();
    if flat.is_empty() {
        message(&app.theme, frame, area, &["No sub-agents in this session."]);
        return;
    }
    let theme = app.theme;
    let depths: Vec<usize> = flat.iter().map(|(d, _)| *d).collect();
    let rows: Vec<Row> = flat
        .iter()
        .enumerate()
        .map(|(i, (_, n))| {
            let branch = branch(&depths, i);
            Row::new(vec![
                Cell::from(format!("{branch}{}", kind(n))),
                Cell::from(one_line(&hide_if(
                    app.redacted,
                    n.description.as_deref().unwrap_or("—"),
                ))),
                Cell::from(Line::from(present::tokens(n.tokens.total())).right_aligned())
                    .style(theme.tokens),
                Cell::from(
                    Line::from(n.cost.map_or_else(|| "?".to_owned(), |c| c.to_string()))
                        .right_aligned(),
                )
                .style(theme.cost),
                Cell::from(Line::from(n.tool_calls.to_string()).right_aligned()),
                Cell::from(one_line(&n.agent_id).chars().take(10).collect::<String>())
                    .style(theme.muted),
            ])
        })
        .collect();
    let header =
        Row::new(["Agent", "Description", "Tokens", "Cost", "Tools", "Id"]).style(theme.header);
    let widths = [
        Constraint::Length(24),
        Constraint::Min(12),
        Constraint::Length(7),
        Constraint::Length(7),
        Constraint::Length(5),
        Constraint::Length(10),
    ];
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    // `update` keeps the selection within the sub-agents.
    let mut state = TableState::default().with_selected(Some(view.subagent));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selection)
        .highlight_symbol("› ")
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(table, area, &mut state);
}

/// Whether the node at `i` is the last child of its parent.
fn is_last(depths: &[usize], i: usize) -> bool {
    depths[i + 1..]
        .iter()
        .find(|d| **d <= depths[i])
        .is_none_or(|d| *d < depths[i])
}

/// The tree lines before the node at `i`: a bar for each ancestor with siblings still to come,
/// then its own branch.
fn branch(depths: &[usize], i: usize) -> String {
    let depth = depths[i];
    if depth == 0 {
        return String::new();
    }
    let mut out = String::new();
    for level in 1..depth {
        let ancestor = (0..i).rev().find(|&j| depths[j] == level);
        let open = ancestor.is_some_and(|j| !is_last(depths, j));
        out.push_str(if open { "│ " } else { "  " });
    }
    out.push_str(if is_last(depths, i) {
        "└─ "
    } else {
        "├─ "
    });
    out
}

/// The agent's type, or what started it.
fn kind(n: &SubagentNode) -> String {
    one_line(n.agent_type.as_deref().unwrap_or(n.kind.as_str()))
}
