//! The conversation tab: the thread as a timeline (prompts, answers, tool calls folded with
//! their results, thinking hidden unless asked), searchable. The lines are laid out on a worker
//! thread for each width and set of toggles ([`crate::tui::timeline`]); each draw shows a
//! window of the latest layout.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::sanitize::one_line;
use crate::tui::theme::Theme;
use crate::tui::widgets::{message, spinner};

pub fn render(app: &mut App, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let c = &view.conversation;
    let bar = c.searching || !c.query.is_empty();
    let [title, body, search] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::from(bar)),
    ])
    .areas(area);
    let agent = c.agent.clone();
    let theme = app.theme;
    let conversation = app
        .open_data()
        .and_then(|d| d.conversations.get(&agent).cloned());
    frame.render_widget(Paragraph::new(title_line(app, agent.as_deref())), title);
    let Some(conversation) = conversation else {
        let text = format!("{} Reading the conversation…", spinner(app.tick));
        return message(&app.theme, frame, body, &[&text]);
    };
    if conversation.entries.is_empty() {
        return message(
            &app.theme,
            frame,
            body,
            &["Nothing was said in this thread."],
        );
    }
    let Some(view) = app.detail.as_mut() else {
        return;
    };
    let c = &mut view.conversation;
    // A layout of another thread is no use; one at another width or with other toggles is shown
    // until the new one arrives.
    if c.rendered.lines.is_empty() || c.rendered.key.3 != agent {
        let text = format!("{} Laying out the conversation…", spinner(app.tick));
        return message(&app.theme, frame, body, &[&text]);
    }
    let height = usize::from(body.height);
    find_matches(c, height);
    view.page = height;
    let current = c.matches.get(c.current).copied();
    let shown: Vec<Line> = c
        .rendered
        .lines
        .iter()
        .enumerate()
        .skip(c.scroll)
        .take(height)
        .map(|(i, l)| {
            if Some(i) == current {
                l.clone().patch_style(theme.search_match)
            } else {
                l.clone()
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
    if bar {
        render_search(&theme, &view.conversation, frame, search);
    }
}

/// The lines matching the query; scrolls to the current one when asked to.
fn find_matches(c: &mut crate::tui::app::detail::ConversationView, height: usize) {
    let query = c.query.to_lowercase();
    c.matches = if query.is_empty() {
        Vec::new()
    } else {
        let hits = c.rendered.plain.iter().enumerate();
        hits.filter(|(_, l)| l.contains(&query))
            .map(|(i, _)| i)
            .collect()
    };
    if !c.matches.is_empty() {
        c.current %= c.matches.len();
        if c.jump {
            c.scroll = c.matches[c.current].saturating_sub(height / 3);
        }
    }
    c.jump = false;
    c.scroll = c.scroll.min(c.rendered.lines.len().saturating_sub(height));
}

fn render_search(
    theme: &Theme,
    c: &crate::tui::app::detail::ConversationView,
    frame: &mut Frame,
    area: Rect,
) {
    {
        let count = match (c.query.is_empty(), c.matches.len()) {
            (true, _) => String::new(),
            (false, 0) => "  no match".to_owned(),
            (false, n) => format!("  {}/{n}", c.current + 1),
        };
        let line = Line::from(vec![
            Span::styled(" / ", theme.key),
            Span::styled(one_line(&c.query), theme.search),
            Span::styled(if c.searching { "▏" } else { "" }, theme.search),
            Span::styled(count, theme.muted),
        ]);
        frame.render_widget(Paragraph::new(line), area);
    }
}

fn title_line(app: &App, agent: Option<&str>) -> Line<'static> {
    let theme = app.theme;
    let Some(agent) = agent else {
        return Line::from(Span::styled(" Main thread", theme.header));
    };
    let node = app
        .open_data()
        .and_then(|d| d.detail.clone())
        .and_then(|d| {
            d.subagents_flat()
                .into_iter()
                .find(|(_, n)| n.agent_id == agent)
                .map(|(_, n)| n.clone())
        });
    let what = node.map_or_else(String::new, |n| {
        format!(
            " {} {}",
            n.agent_type.as_deref().unwrap_or(n.kind.as_str()),
            n.description.as_deref().unwrap_or("")
        )
    });
    Line::from(vec![
        Span::styled(" Sub-agent ", theme.header),
        Span::raw(one_line(&what)),
        Span::styled(
            format!(
                "  {} back to the list",
                app.keymap.hint(crate::tui::action::Action::Back)
            ),
            theme.muted,
        ),
    ])
}
