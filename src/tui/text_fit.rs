//! Fitting text into terminal cells: cut with an ellipsis (from the right, or from the left so
//! paths keep their file name), wrapped at word boundaries, and paths shown relative to the
//! session's working directory.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `text` cut to `width` cells, with an ellipsis when cut.
pub fn clip(text: &str, width: u16) -> String {
    let width = usize::from(width);
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` cut to `width` cells from the left, with an ellipsis (paths keep their file name).
pub fn clip_left(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// `text` with the session's working directory left out of the paths under it
/// (`/home/dev/app/src/x.rs` reads `src/x.rs`).
pub fn relative(text: &str, cwd: Option<&str>) -> String {
    match cwd
        .map(|c| c.trim_end_matches('/'))
        .filter(|c| !c.is_empty())
    {
        Some(root) => text.replace(&format!("{root}/"), ""),
        None => text.to_owned(),
    }
}

/// Greedy word wrapping to `width` cells; words longer than a line are broken, and every
/// line keeps the text's indentation.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let spaces = text.len() - text.trim_start_matches(' ').len();
    let indent = " ".repeat(spaces.min(width / 2));
    let room = width - indent.len();
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text[spaces..].split(' ') {
        let w = word.width();
        if used > 0 && used + 1 + w > room {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room && used > 0 {
                out.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    out.push(line);
    out.into_iter().map(|l| format!("{indent}{l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{clip_left, relative, wrap};

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        assert_eq!(wrap("one two three", 7), vec!["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("  indented text", 10), vec!["  indented", "  text"]);
    }

    #[test]
    fn clips_paths_from_the_left() {
        assert_eq!(clip_left("tasktrack/importer.py", 12), "…importer.py");
        assert_eq!(clip_left("a.py", 12), "a.py");
        let cwd = Some("/home/dev/app/");
        assert_eq!(relative("cat /home/dev/app/src/x.rs", cwd), "cat src/x.rs");
        assert_eq!(relative("cd /home/dev/app", cwd), "cd /home/dev/app");
        assert_eq!(relative("/x", Some("/")), "/x");
    }
}
