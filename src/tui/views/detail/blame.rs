//! The Files tab's blame (`B`): the selected file at the selected commit, each line with who
//! wrote it, as `git vouch blame` shows it: `A` an agent session's line (its id and the number of
//! the prompt behind the edit), `H` a person's (from a capture record), `?` unknown; and below,
//! the prompt behind the agent line at the top of the view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::present::blame::{basis_note, headline, mark, who};
use crate::present::sanitize::{code_line, hide_if, one_line};
use crate::provenance::blame::{Blame, LineAuthor};
use crate::tui::app::App;
use crate::tui::text_fit::clip_left;
use crate::tui::widgets::{pane_block, spinner};

/// Columns of the author label.
const WHO: usize = 14;

pub fn render(app: &App, path: &str, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let blame = app
        .blame_key()
        .and_then(|k| app.open_data()?.blames.get(&k).cloned());
    let title = format!(
        " blame {} ",
        clip_left(&one_line(path), usize::from(area.width / 2))
    );
    let mut block = pane_block(t, title, true);
    let Some(Ok(blame)) = blame else {
        let text = match blame {
            Some(Err(e)) => Line::styled(format!(" {}", one_line(&e)), t.error),
            _ => Line::styled(
                format!(" {} blaming the file at the commit…", spinner(app.tick)),
                t.muted,
            ),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    block = block
        .title(Span::styled(format!(" {} ", headline(&blame)), t.muted))
        .title_bottom(Span::styled(format!(" {} ", basis_note(&blame)), t.muted));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [lines_area, prompt_area] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(3)]).areas(inner);
    let height = usize::from(lines_area.height);
    let scroll = app
        .detail
        .as_ref()
        .map_or(0, |v| v.files.blame_scroll)
        .min(blame.lines.len().saturating_sub(height.max(1)));
    let lines: Vec<Line> = blame
        .lines
        .iter()
        .skip(scroll)
        .take(height)
        .map(|l| {
            let style = match l.author {
                LineAuthor::Agent => t.ai_line,
                LineAuthor::Human => t.human_line,
                LineAuthor::Unknown => t.muted,
            };
            let name: String = who(&blame, l).chars().take(WHO).collect();
            Line::from(vec![
                Span::styled(format!("{:>5} ", l.line), t.muted),
                Span::styled(mark(l.author), style),
                Span::styled(format!(" {name:<WHO$} "), style),
                Span::raw(code_line(&hide_if(app.redacted, &l.text))),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), lines_area);
    frame.render_widget(
        Paragraph::new(prompt_of(app, &blame, scroll)).wrap(Wrap { trim: true }),
        prompt_area,
    );
}

/// The prompt behind the first agent line in view, when known.
fn prompt_of(app: &App, blame: &Blame, scroll: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let line = blame
        .lines
        .iter()
        .skip(scroll)
        .find(|l| l.author == LineAuthor::Agent);
    let Some(l) = line else {
        return Vec::new();
    };
    let prompt = l.session.as_deref().zip(l.prompt).and_then(|(s, n)| {
        let p = blame.session(s)?.prompts.iter().find(|p| p.number == n)?;
        Some((n, p.text.clone()))
    });
    match prompt {
        Some((n, text)) => vec![Line::from(vec![
            Span::styled(format!(" line {} · prompt {n}: ", l.line), t.header),
            Span::styled(one_line(&hide_if(app.redacted, &text)), t.prompt),
        ])],
        None => vec![Line::styled(
            format!(" line {}: the prompt behind it is not known", l.line),
            t.muted,
        )],
    }
}
