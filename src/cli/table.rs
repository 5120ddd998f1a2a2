//! Plain-text tables that fit the terminal: low-priority columns are dropped first, then the
//! flexible column (titles) is shortened.

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
            align: Align::Left,
            drop_order,
            flex: false,
        }
    }
    pub const fn right(header: &'static str, drop_order: u8) -> Self {
        Self {
            header,
            align: Align::Right,
            drop_order,
            flex: false,
        }
    }
    pub const fn flex(header: &'static str) -> Self {
        Self {
            header,
            align: Align::Left,
            drop_order: 0,
            flex: true,
        }
    }
}

const FLEX_COMFORTABLE: usize = 32;
const FLEX_MIN: usize = 12;

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

/// Renders `rows` (and an optional footer row) within `width` columns of text.
pub fn render(
    columns: &[Column],
    rows: &[Vec<String>],
    footer: Option<&[String]>,
    width: usize,
) -> Vec<String> {
    let all: Vec<&Vec<String>> = rows.iter().collect();
    let natural: Vec<usize> = (0..columns.len())
        .map(|c| {
            let cells = all
                .iter()
                .map(|r| r[c].width())
                .chain(footer.map(|f| f[c].width()));
            cells.chain([columns[c].header.width()]).max().unwrap_or(0)
        })
        .collect();
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let total = |shown: &[usize], widths: &[usize]| -> usize {
        shown.iter().map(|&c| widths[c]).sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    let flex = columns.iter().position(|c| c.flex);
    let mut widths = natural.clone();
    // Shorten the flexible column to a comfortable width first, then drop low-priority columns,
    // and only then shorten it further.
    for floor in [FLEX_COMFORTABLE, FLEX_MIN] {
        loop {
            let need = total(&shown, &widths);
            if need <= width {
                break;
            }
            if let Some(f) = flex
                && widths[f] > floor
            {
                widths[f] = widths[f].saturating_sub(need - width).max(floor);
                continue;
            }
            if floor == FLEX_MIN || !drop_one(columns, &mut shown) {
                break;
            }
        }
    }
    let line = |cells: &dyn Fn(usize) -> String| -> String {
        let parts: Vec<String> = shown
            .iter()
            .map(|&c| pad(&cells(c), widths[c], columns[c].align))
            .collect();
        parts.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(&|c| columns[c].header.to_owned())];
    for r in rows {
        out.push(line(&|c| r[c].clone()));
    }
    if let Some(f) = footer {
        out.push(line(&|c| "─".repeat(widths[c])));
        out.push(line(&|c| f[c].clone()));
    }
    out
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
}
