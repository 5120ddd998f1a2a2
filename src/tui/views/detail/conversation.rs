//! The conversation tab: the thread as a timeline (prompts, answers, tool calls folded with
//! their results, thinking hidden unless asked), searchable. The lines are laid out on a worker
//! thread for each width and set of toggles ([`crate::tui::timeline`]); each draw shows a
//! window of the latest layout.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::present::sanitize::one_line;
use crate::tui::app::App;
use crate::tui::app::detail::conversation_areas;
use crate::tui::theme::Theme;
use crate::tui::widgets::{message, spinner};

/// Draws the window of the latest layout that `update` scrolled to, the current match marked.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let c = &view.conversation;
    let bar = c.search_bar();
    let [title, body, search] = conversation_areas(area, bar);
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
    // A layout of another thread is no use; one at another width or with other toggles is shown
    // until the new one arrives.
    if c.rendered.lines.is_empty() || c.rendered.key.3 != agent {
        let text = format!("{} Laying out the conversation…", spinner(app.tick));
        return message(&app.theme, frame, body, &[&text]);
    }
    let height = usize::from(body.height);
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

fn render_search(
    theme: &Theme,
    c: &crate::tui::app::detail::ConversationState,
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
