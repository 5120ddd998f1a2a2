//! A file's diff in the files tab, highlighted, with the lines the agent wrote marked in the
//! gutter: `A` the agent's; with a commit record (the hooks saw the commit) `H` a person's;
//! without one, `?` for lines that match nothing the session wrote and `·` for lines too plain
//! to match, both of unknown author (see [`crate::correlate`]). Long lines scroll sideways or
//! wrap; the state (scroll, wrap, maximised) is set by `update` and only read here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_width::UnicodeWidthChar;

use crate::correlate::{Author, ChangedFile, DiffLine, LineKind};
use crate::present::sanitize::hide_if;
use crate::present::sanitize::{code_line, code_piece, one_line};
use crate::tui::app::App;
use crate::tui::highlight::{Highlighted, Piece};
use crate::tui::text_fit::clip_left;
use crate::tui::theme::Theme;
use crate::tui::widgets::pane_block;
use crate::words::counted;

pub fn render(
    app: &App,
    file: &ChangedFile,
    highlighted: Option<&Highlighted>,
    focused: bool,
    frame: &mut Frame,
    area: Rect,
) {
    let theme = app.theme;
    let path = clip_left(
        &one_line(&hide_if(app.redacted, &file.path)),
        usize::from(area.width / 2),
    );
    let title = if file.recorded {
        format!(
            " {path} · A agent {} · H person {} ",
            file.agent_lines, file.human_lines
        )
    } else {
        format!(
            " {path} · A agent {} · ? unknown {} ",
            file.agent_lines, file.unknown_lines
        )
    };
    let block = pane_block(&theme, title, focused).title_bottom(Span::styled(
        format!(" {} ", crate::correlate::how_marked(file.recorded)),
        theme.muted,
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if file.binary {
        frame.render_widget(
            Paragraph::new(Span::styled(" binary file", theme.muted)),
            inner,
        );
        return;
    }
    let Some(view) = app.detail.as_ref() else {
        return;
    };
    let f = &view.files;
    let height = usize::from(inner.height);
    let total = file.lines.len() + usize::from(file.more_lines > 0);
    // Read only: `update` keeps the scroll in range; a resize may leave it past the end.
    let scroll = f.diff_scroll.min(total.saturating_sub(height.max(1)));
    let shift = if f.wrap { 0 } else { f.diff_hscroll };
    let how = How {
        theme: &theme,
        redacted: app.redacted,
        shift,
    };
    let mut lines: Vec<Line> = file
        .lines
        .iter()
        .enumerate()
        .skip(scroll)
        .take(height)
        .map(|(i, l)| {
            let pieces = highlighted.and_then(|h| h.lines.get(i));
            diff_line(&how, l, pieces.map(Vec::as_slice))
        })
        .collect();
    if file.more_lines > 0 && lines.len() < height {
        lines.push(Line::from(Span::styled(
            format!(
                " … {} not shown",
                counted(file.more_lines as u64, "more line", "more lines")
            ),
            theme.muted,
        )));
    }
    let mut paragraph = Paragraph::new(lines);
    if f.wrap {
        paragraph = paragraph.wrap(Wrap { trim: false });
    }
    frame.render_widget(paragraph, inner);
}

/// How diff lines are drawn: colours, secrets hidden, columns of code scrolled past.
struct How<'a> {
    theme: &'a Theme,
    redacted: bool,
    shift: usize,
}

fn diff_line<'a>(how: &How<'_>, l: &DiffLine, pieces: Option<&[Piece]>) -> Line<'a> {
    let theme = how.theme;
    let num = |n: Option<u32>| n.map_or_else(|| "    ".to_owned(), |n| format!("{n:>4}"));
    if l.kind == LineKind::Hunk {
        return Line::from(Span::styled(one_line(&l.text), theme.hunk));
    }
    let (sign, sign_style, who, who_style) = match l.kind {
        LineKind::Added(Author::Agent) => ("+", theme.added, "A", theme.ai_line),
        LineKind::Added(Author::Human) => ("+", theme.added, "H", theme.human_line),
        LineKind::Added(Author::Unknown) => ("+", theme.added, "?", theme.muted),
        LineKind::Added(Author::Plain) => ("+", theme.added, "·", theme.muted),
        LineKind::Removed => ("-", theme.removed, " ", Style::default()),
        _ => (" ", Style::default(), " ", Style::default()),
    };
    let mut spans = vec![
        Span::styled(format!("{} {} ", num(l.old), num(l.new)), theme.muted),
        Span::styled(who, who_style),
        Span::styled(sign, sign_style),
        Span::raw(" "),
    ];
    // Highlighting is dropped while secrets are hidden: the pieces hold the text as written.
    let code: Vec<Span<'a>> = match pieces.filter(|p| !p.is_empty() && !theme.plain) {
        Some(pieces) if !how.redacted => pieces
            .iter()
            .map(|(c, t)| {
                let style = c.map_or(Style::default(), |(r, g, b)| {
                    Style::default().fg(Color::Rgb(r, g, b))
                });
                Span::styled(code_piece(t), style)
            })
            .collect(),
        _ => vec![Span::styled(
            code_line(&hide_if(how.redacted, &l.text)),
            sign_style,
        )],
    };
    spans.extend(skip_columns(code, how.shift));
    Line::from(spans)
}

/// `spans` without their first `n` display columns.
fn skip_columns(spans: Vec<Span<'_>>, mut n: usize) -> Vec<Span<'_>> {
    let mut out = Vec::new();
    for span in spans {
        if n == 0 {
            out.push(span);
            continue;
        }
        let mut kept = String::new();
        for ch in span.content.chars() {
            if n > 0 {
                n = n.saturating_sub(ch.width().unwrap_or(0));
            } else {
                kept.push(ch);
            }
        }
        if !kept.is_empty() {
            out.push(Span::styled(kept, span.style));
        }
    }
    out
}
