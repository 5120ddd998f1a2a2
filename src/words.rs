//! Counted nouns for sentences, in every command, hook and screen: `1 commit`, `2 commits`;
//! lists of alternatives (`a, b or c`); and text clipped to one line.

/// `1 session`, `2 sessions`: a count with the word that agrees with it.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    let word = if n == 1 { one } else { many };
    format!("{} {word}", crate::money::grouped(u128::from(n)))
}

/// [`plural`] for any unsigned count (`usize`, `u32`, `u64`).
pub fn counted(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    plural(n.try_into().unwrap_or(u64::MAX), one, many)
}

/// The first `max` characters of `text` on one line (whitespace runs become one space), `…`
/// when cut.
pub fn clip(text: &str, max: usize) -> String {
    let mut out: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((i, _)) = out.char_indices().nth(max) {
        out.truncate(i);
        out.push('…');
    }
    out
}

/// `a`, `a or b`, `a, b or c`.
pub fn either(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_read_as_a_sentence() {
        assert_eq!(either(&[]), "");
        assert_eq!(either(&["a"]), "a");
        assert_eq!(either(&["a", "b"]), "a or b");
        assert_eq!(either(&["a", "b", "c"]), "a, b or c");
    }

    #[test]
    fn the_word_agrees_with_the_count() {
        assert_eq!(plural(1, "commit", "commits"), "1 commit");
        assert_eq!(plural(0, "commit", "commits"), "0 commits");
        assert_eq!(counted(2, "session", "sessions"), "2 sessions");
        assert_eq!(plural(12_345, "token", "tokens"), "12,345 tokens");
    }
}
