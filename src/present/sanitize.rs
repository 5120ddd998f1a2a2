//! Transcript text is untrusted: a prompt or a tool output may hold escape sequences that would
//! move the cursor, retitle the window or rewrite the screen. Everything from a transcript goes
//! through [`one_line`] or [`text_lines`] before it becomes a `Span`; [`hide_if`] hides its
//! secrets while the redacted view is on.

/// `text`, its secrets replaced by `[REDACTED:rule]` with the evidence's rules when `on` (the
/// redacted view, for screen sharing). Screens pass short strings (a call's input, a line of a
/// diff); the conversation is redacted where it is laid out, on the worker.
pub fn hide_if(on: bool, text: &str) -> String {
    if on {
        crate::redact::shared()
            .redact(text, &mut crate::redact::Counts::new())
            .into_owned()
    } else {
        text.to_owned()
    }
}

/// The text on one line: escape sequences and control characters removed, tabs and line breaks
/// turned into spaces, runs of spaces collapsed.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    clean(text, &mut out, |out, c| match c {
        '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | ' ' => push_space(out),
        c => out.push(c),
    });
    out.trim().to_owned()
}

/// The lines of a text, each cleaned the same way but keeping its indentation: tabs become
/// four spaces, trailing spaces and a final empty line are dropped.
pub fn text_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split('\n').map(code_line).collect();
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// One line of code or output: escape sequences and controls removed, tabs expanded,
/// indentation kept, trailing spaces dropped.
pub fn code_line(line: &str) -> String {
    let mut out = code_piece(line);
    out.truncate(out.trim_end().len());
    out
}

/// A piece of a line of code (a highlighted token): cleaned like [`code_line`], every space kept.
pub fn code_piece(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    clean(line, &mut out, |out, c| match c {
        '\t' => out.push_str("    "),
        '\n' | '\r' | '\u{b}' | '\u{c}' => {}
        c => out.push(c),
    });
    out
}

/// Drops escape sequences and unsafe characters; `keep` decides what the rest becomes (it also
/// sees the whitespace controls, which are otherwise unsafe).
fn clean(text: &str, out: &mut String, keep: impl Fn(&mut String, char)) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\u{9b}' => skip_csi(&mut chars),
            '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' => keep(out, c),
            c if is_unsafe(c) => {}
            c => keep(out, c),
        }
    }
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

/// Controls (C0, DEL, C1) and the bidirectional overrides that reorder what is shown.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Skips what follows an ESC: a CSI, a string command (OSC, DCS, SOS, PM, APC) up to its
/// terminator, or a single character.
fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-byte sequences and ESC at the end: nothing more to skip.
        _ => {}
    }
}

/// Parameters and intermediates (0x20–0x3F) up to a final byte (0x40–0x7E).
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !('\u{20}'..='\u{3f}').contains(&c) {
            return;
        }
    }
}

/// Up to BEL or ST (ESC `\`).
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{one_line, text_lines};

    #[test]
    fn text_lines_keep_indentation_and_drop_escapes() {
        assert_eq!(
            text_lines("def f():\n\treturn \u{1b}[31m1\u{1b}[0m\r\n"),
            vec!["def f():", "    return 1"]
        );
        assert_eq!(text_lines("\u{1b}]0;x\u{7}a\n\n  b"), vec!["a", "", "  b"]);
        assert_eq!(text_lines(""), vec![""]);
    }

    #[test]
    fn strips_csi_sequences() {
        assert_eq!(one_line("\u{1b}[31mred\u{1b}[0m text"), "red text");
        assert_eq!(one_line("a\u{1b}[2J\u{1b}[Hb"), "ab");
        assert_eq!(one_line("x\u{9b}1;2Hy"), "xy");
    }

    #[test]
    fn strips_osc_and_string_commands() {
        assert_eq!(one_line("\u{1b}]0;pwned\u{7}title"), "title");
        assert_eq!(
            one_line("\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "link"
        );
        assert_eq!(one_line("\u{1b}Pq#0;2;0;0;0\u{1b}\\after"), "after");
        assert_eq!(one_line("open\u{1b}]0;never closed"), "open");
    }

    #[test]
    fn strips_controls_and_keeps_text() {
        assert_eq!(one_line("ding\u{7}dong"), "dingdong");
        assert_eq!(one_line("over\rwrite"), "over write");
        assert_eq!(one_line("a\tb\n\nc"), "a b c");
        assert_eq!(one_line("back\u{8}space\u{7f}"), "backspace");
        assert_eq!(one_line("\u{202e}evil\u{2066}"), "evil");
        assert_eq!(one_line("  héllo — 世界  "), "héllo — 世界");
        assert_eq!(one_line("trailing escape\u{1b}"), "trailing escape");
        assert_eq!(one_line("\u{1b}7saved\u{1b}8"), "saved");
    }

    #[test]
    fn code_pieces_keep_their_spaces() {
        assert_eq!(super::code_piece("def \u{1b}[2J"), "def ");
        assert_eq!(super::code_line("    x = 1   "), "    x = 1");
    }
}
