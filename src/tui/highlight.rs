//! Syntax highlighting of diffs with syntect, on a worker thread: the view only paints the
//! spans. Text is cleaned before it is highlighted, and very large diffs are highlighted only
//! up to a cap (the rest is shown plain).

use std::path::Path;
use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};

use crate::correlate::{DiffLine, LineKind};
use crate::present::sanitize::code_line;

/// Diff lines highlighted per file.
pub const MAX_LINES: usize = 3000;
/// Characters of one line handed to the highlighter (minified files have huge lines).
const MAX_LINE_CHARS: usize = 500;

/// A text piece and its colour.
pub type Piece = (Option<(u8, u8, u8)>, String);

/// The highlighted lines of one file of one commit: one entry per diff line (empty for hunk
/// headers and lines past the cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    pub session: String,
    pub sha: String,
    pub path: String,
    pub lines: Vec<Vec<Piece>>,
}

fn assets() -> &'static (SyntaxSet, Theme) {
    static ASSETS: OnceLock<(SyntaxSet, Theme)> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let theme = themes
            .themes
            .get("base16-eighties.dark")
            .or_else(|| themes.themes.values().next())
            .cloned()
            .unwrap_or_default();
        (SyntaxSet::load_defaults_newlines(), theme)
    })
}

fn syntax_for<'a>(set: &'a SyntaxSet, path: &str, lines: &[DiffLine]) -> &'a SyntaxReference {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let name = Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    set.find_syntax_by_extension(ext)
        .or_else(|| set.find_syntax_by_extension(name))
        .or_else(|| {
            let first = lines.iter().find(|l| l.kind != LineKind::Hunk)?;
            set.find_syntax_by_first_line(&first.text)
        })
        .unwrap_or_else(|| set.find_syntax_plain_text())
}

/// Highlights the lines of a file's diff: new-side lines (context and added) in one pass and
/// removed lines in another, so each side keeps its own parsing state.
pub fn highlight(path: &str, lines: &[DiffLine]) -> Vec<Vec<Piece>> {
    let (set, theme) = assets();
    let syntax = syntax_for(set, path, lines);
    let mut new_side = HighlightLines::new(syntax, theme);
    let mut old_side = HighlightLines::new(syntax, theme);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if i >= MAX_LINES || line.kind == LineKind::Hunk {
                return Vec::new();
            }
            let text: String = code_line(&line.text).chars().take(MAX_LINE_CHARS).collect();
            let side = if line.kind == LineKind::Removed {
                &mut old_side
            } else {
                &mut new_side
            };
            pieces(side, set, &text)
        })
        .collect()
}

fn pieces(h: &mut HighlightLines<'_>, set: &SyntaxSet, text: &str) -> Vec<Piece> {
    let with_newline = format!("{text}\n");
    match h.highlight_line(&with_newline, set) {
        Ok(ranges) => ranges
            .into_iter()
            .filter_map(|(style, piece)| {
                let piece = piece.trim_end_matches('\n');
                let c = style.foreground;
                (!piece.is_empty()).then(|| (Some((c.r, c.g, c.b)), piece.to_owned()))
            })
            .collect(),
        Err(_) => vec![(None, text.to_owned())],
    }
}

#[cfg(test)]
mod tests {
    use super::highlight;
    use crate::correlate::{Author, DiffLine, LineKind};

    fn line(kind: LineKind, text: &str) -> DiffLine {
        DiffLine {
            kind,
            old: None,
            new: None,
            text: text.into(),
        }
    }

    #[test]
    fn colours_code_and_cleans_it_first() {
        let lines = [
            line(LineKind::Hunk, "@@ -1 +1 @@"),
            line(LineKind::Removed, "def old():"),
            line(
                LineKind::Added(Author::Agent),
                "def new(): \u{1b}[2J return 1",
            ),
        ];
        let out = highlight("x.py", &lines);
        assert!(out[0].is_empty());
        let text: String = out[2].iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(text, "def new():  return 1");
        let colours: std::collections::HashSet<_> = out[2].iter().map(|(c, _)| *c).collect();
        assert!(colours.len() > 1, "keywords and names differ: {out:?}");
    }
}
