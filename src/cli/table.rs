//! Plain-text tables that fit the terminal: the flexible column (titles) is shortened,
//! low-priority columns are dropped, then headers are abbreviated; a figure (tokens, money) is
//! never dropped: when it cannot fit, the lines run past the width and a note under the table
//! says so.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column.
#[derive(Debug, Clone)]
pub struct Column {
    pub header: &'static str,
    /// The header when space is short.
    pub short: Option<&'static str>,
    pub align: Align,
    /// Higher stays longer when space is short; 0 is never dropped.
    pub drop_order: u8,
    /// The column that absorbs shortage (at most one).
    pub flex: bool,
}

impl Column {
    pub const fn left(header: &'static str, drop_order: u8) -> Self {
        Self {
            header,
            short: None,
            align: Align::Left,
            drop_order,
            flex: false,
        }
    }
    pub const fn right(header: &'static str, drop_order: u8) -> Self {
        Self {
            header,
            short: None,
            align: Align::Right,
            drop_order,
            flex: false,
        }
    }
    pub const fn flex(header: &'static str) -> Self {
        Self {
            header,
            short: None,
            align: Align::Left,
            drop_order: 0,
            flex: true,
        }
    }
    /// Tokens or money: right-aligned, never dropped, `short` as the header when space is short.
    pub const fn figure(header: &'static str, short: &'static str) -> Self {
        Self {
            header,
            short: Some(short),
            align: Align::Right,
            drop_order: 0,
            flex: false,
        }
    }
}

const FLEX_COMFORTABLE: usize = 32;
const FLEX_MIN: usize = 12;
/// The flexible column's width when nothing limits the line (output to a pipe or a file).
const FLEX_UNBOUNDED: usize = 60;

/// A width that never narrows a table: stdout is not a terminal and COLUMNS is unset.
pub const UNBOUNDED: usize = usize::MAX;

/// Drops the shown column that goes first; false when none may go.
fn drop_one(columns: &[Column], shown: &mut Vec<usize>) -> bool {
    let victim = shown
        .iter()
        .copied()
        .filter(|&c| columns[c].drop_order > 0)
        .min_by_key(|&c| columns[c].drop_order);
    match victim {
        Some(v) => {
            shown.retain(|&c| c != v);
            true
        }
        None => false,
    }
}

/// How the columns are laid out.
struct Layout {
    shown: Vec<usize>,
    widths: Vec<usize>,
    short_headers: bool,
}

impl Layout {
    fn total(&self) -> usize {
        self.shown.iter().map(|&c| self.widths[c]).sum::<usize>()
            + 2 * self.shown.len().saturating_sub(1)
    }

    fn header(&self, column: &Column) -> &'static str {
        match column.short {
            Some(short) if self.short_headers => short,
            _ => column.header,
        }
    }
}

/// The widest cell of each column, header included.
fn natural(
    columns: &[Column],
    rows: &[Vec<String>],
    footer: Option<&[String]>,
    short: bool,
) -> Vec<usize> {
    (0..columns.len())
        .map(|c| {
            let header = match columns[c].short {
                Some(s) if short => s,
                _ => columns[c].header,
            };
            rows.iter()
                .map(|r| r[c].width())
                .chain(footer.map(|f| f[c].width()))
                .chain([header.width()])
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Shrinks the layout toward `width`: the flexible column to a comfortable width, dropped
/// low-priority columns, short headers, then the flexible column to its minimum.
fn fit(
    columns: &[Column],
    rows: &[Vec<String>],
    footer: Option<&[String]>,
    width: usize,
) -> Layout {
    let mut layout = Layout {
        shown: (0..columns.len()).collect(),
        widths: natural(columns, rows, footer, false),
        short_headers: false,
    };
    let flex = columns.iter().position(|c| c.flex);
    if let Some(f) = flex
        && width == UNBOUNDED
    {
        layout.widths[f] = layout.widths[f].min(FLEX_UNBOUNDED);
    }
    let shrink_flex = |layout: &mut Layout, floor: usize| {
        let need = layout.total();
        if let Some(f) = flex
            && need > width
            && layout.widths[f] > floor
        {
            layout.widths[f] = layout.widths[f].saturating_sub(need - width).max(floor);
        }
    };
    shrink_flex(&mut layout, FLEX_COMFORTABLE);
    while layout.total() > width && drop_one(columns, &mut layout.shown) {
        shrink_flex(&mut layout, FLEX_COMFORTABLE);
    }
    if layout.total() > width && columns.iter().any(|c| c.short.is_some()) {
        let short = natural(columns, rows, footer, true);
        for (c, w) in short.into_iter().enumerate() {
            if !columns[c].flex {
                layout.widths[c] = w;
            }
        }
        layout.short_headers = true;
    }
    shrink_flex(&mut layout, FLEX_MIN);
    layout
}

/// Renders `rows` (and an optional footer row) within `width` columns of text. When the figures
/// do not fit, the lines are wider than `width` and one more line says so.
pub fn render(
    columns: &[Column],
    rows: &[Vec<String>],
    footer: Option<&[String]>,
    width: usize,
) -> Vec<String> {
    let layout = fit(columns, rows, footer, width);
    let line = |cells: &dyn Fn(usize) -> String| -> String {
        let parts: Vec<String> = layout
            .shown
            .iter()
            .map(|&c| pad(&cells(c), layout.widths[c], columns[c].align))
            .collect();
        parts.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(&|c| layout.header(&columns[c]).to_owned())];
    for r in rows {
        out.push(line(&|c| r[c].clone()));
    }
    if let Some(f) = footer {
        out.push(line(&|c| "─".repeat(layout.widths[c])));
        out.push(line(&|c| f[c].clone()));
    }
    out.extend(compact_note(columns, &layout, width));
    out
}

/// The note under a table that was squeezed: which headers are short and whether lines run past
/// the width; wrapped to the width.
fn compact_note(columns: &[Column], layout: &Layout, width: usize) -> Vec<String> {
    let wide = layout.total() > width;
    let short: Vec<String> = layout
        .shown
        .iter()
        .filter_map(|&c| {
            let col = &columns[c];
            col.short
                .filter(|s| layout.short_headers && *s != col.header)
                .map(|s| format!("{s}={}", col.header))
        })
        .collect();
    let mut note = Vec::new();
    if !short.is_empty() {
        note.push(format!("Short headers: {}.", short.join(", ")));
    }
    if wide {
        note.push(format!(
            "Lines run past {width} columns so that no figure is hidden."
        ));
    }
    if note.is_empty() {
        return Vec::new();
    }
    note.push("Widen the terminal or set COLUMNS for the full table.".to_owned());
    wrap(&note.join(" "), width.max(40))
}

/// Splits `text` at spaces into lines of at most `width` columns (a longer word stays whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().map_or(0, |l| l.width());
        if last > 0 && last + 1 + word.width() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Cuts `text` to `width` display columns, marking the cut with `…`.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

fn pad(text: &str, width: usize, align: Align) -> String {
    let text = truncate(text, width);
    let fill = " ".repeat(width.saturating_sub(text.width()));
    match align {
        Align::Left => format!("{text}{fill}"),
        Align::Right => format!("{fill}{text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_and_shrinks_to_fit() {
        let cols = [
            Column::left("A", 0),
            Column::flex("TITLE"),
            Column::right("N", 1),
        ];
        let rows = vec![vec![
            "x".into(),
            "a very long title that goes on".into(),
            "12".into(),
        ]];
        let wide = render(&cols, &rows, None, 80);
        assert_eq!(wide[1], "x  a very long title that goes on  12");
        let narrow = render(&cols, &rows, None, 20);
        assert!(narrow.iter().all(|l| l.width() <= 20), "{narrow:?}");
        // Low-priority columns go before the title is cut below a comfortable width.
        assert_eq!(narrow[1], "x  a very long titl…");
        let tiny = render(&cols, &rows, None, 10);
        assert_eq!(tiny[0], "A  TITLE");
    }

    #[test]
    fn figures_are_never_dropped_headers_shorten_and_a_note_says_so() {
        let cols = [
            Column::left("DATE", 0),
            Column::left("MODELS", 1),
            Column::figure("CACHE READ", "CR"),
            Column::figure("COST", "COST"),
        ];
        let rows = vec![vec![
            "2026-03-01".into(),
            "sonnet-4-5".into(),
            "1,234,567".into(),
            "$1,234.56".into(),
        ]];
        let full = render(&cols, &rows, None, 80);
        assert_eq!(full[0], "DATE        MODELS      CACHE READ       COST");
        assert_eq!(full.len(), 2, "no note when everything fits: {full:?}");
        // Low-priority columns go first, then headers get short; the figures stay.
        let dropped = render(&cols, &rows, None, 44);
        assert_eq!(
            dropped,
            [
                "DATE        CACHE READ       COST",
                "2026-03-01   1,234,567  $1,234.56"
            ]
        );
        let short = render(&cols, &rows, None, 32);
        assert_eq!(short[0], "DATE               CR       COST");
        assert_eq!(short[1], "2026-03-01  1,234,567  $1,234.56");
        assert_eq!(
            short[2..],
            [
                "Short headers: CR=CACHE READ. Widen the",
                "terminal or set COLUMNS for the full",
                "table."
            ]
        );
        // Narrower than the figures: the line runs wider and the note says so.
        let tiny = render(&cols, &rows, None, 20);
        assert_eq!(tiny[1], "2026-03-01  1,234,567  $1,234.56");
        assert!(
            tiny[2..].join(" ").contains("Lines run past 20 columns"),
            "{tiny:?}"
        );
    }
}
