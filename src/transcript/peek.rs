//! Reading one top-level field of a JSON line without parsing the rest: the detail reader uses
//! it to skip record types it does not need (attachments are half the bytes of some transcripts)
//! before paying for a full parse. Anything unexpected returns `None` and the caller parses.

/// The raw (still escaped) string value of the top-level `"type"` key of a JSON object.
pub fn top_level_type(bytes: &[u8]) -> Option<&[u8]> {
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(bytes, i);
        let (key, after) = string(bytes, i)?;
        i = skip_ws(bytes, after);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
        if key == b"type" {
            return string(bytes, i).map(|(value, _)| value);
        }
        i = skip_ws(bytes, value_end(bytes, i)?);
        match bytes.get(i) {
            Some(b',') => i += 1,
            _ => return None,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// A string starting at `i` (its quote): its content and the index after its closing quote.
fn string(bytes: &[u8], i: usize) -> Option<(&[u8], usize)> {
    if bytes.get(i) != Some(&b'"') {
        return None;
    }
    let mut j = i + 1;
    loop {
        j += memchr::memchr2(b'"', b'\\', bytes.get(j..)?)?;
        if bytes[j] == b'\\' {
            j += 2;
        } else {
            return Some((&bytes[i + 1..j], j + 1));
        }
    }
}

/// The index just after the JSON value starting at `i`.
fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => string(bytes, i).map(|(_, end)| end),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match bytes.get(j)? {
                    b'"' => {
                        j = string(bytes, j)?.1;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let len = bytes[i..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace());
            Some(i + len.unwrap_or(bytes.len() - i))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::top_level_type;

    #[test]
    fn finds_the_top_level_type_only() {
        let t =
            |s: &str| top_level_type(s.as_bytes()).map(|v| String::from_utf8_lossy(v).into_owned());
        assert_eq!(t(r#"{"type":"user"}"#).as_deref(), Some("user"));
        assert_eq!(
            t(r#"{"a":{"type":"nested","x":[1,"}",{"type":"deep"}]},"s":"q\"type\":\"no","n":-1.5e3,"b":true,"type" : "attachment"}"#).as_deref(),
            Some("attachment")
        );
        assert_eq!(t(r#"{"message":{"type":"message"}}"#), None);
        assert_eq!(t("not json"), None);
        assert_eq!(t(r#"{"a":"unterminated"#), None);
        assert_eq!(t(r#"{"type":5}"#), None);
    }
}
