//! The line grammar of OpenSSH's allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS), as
//! sshsig.c reads it: `principals [options] keytype base64 [comment]`.
//!
//! - principals: one token, where `"` quotes whitespace (the quotes are dropped);
//! - options: comma-separated, keywords case-insensitive, values in double quotes with `\"`:
//!   `cert-authority`, `namespaces="pattern-list"`, `valid-after="time"`, `valid-before="time"`;
//! - times: `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, UTC with a `Z` suffix, else the
//!   system's local time zone (as ssh-keygen reads them).

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::PublicKey;

/// One parsed line.
#[derive(Debug, Clone)]
pub struct Line {
    pub principals: String,
    pub options: Options,
    pub key: PublicKey,
}

/// The options of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub cert_authority: bool,
    pub namespaces: Option<String>,
    pub valid_after: Option<DateTime<Utc>>,
    pub valid_before: Option<DateTime<Utc>>,
}

/// Parses one non-blank, non-comment line.
pub fn line(text: &str) -> Result<Line, String> {
    let (principals, rest) = principals_token(text.trim_start())?;
    if principals.is_empty() {
        return Err("empty principals".to_owned());
    }
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Err("no public key".to_owned());
    }
    match PublicKey::from_openssh(rest.trim_end()) {
        Ok(key) => {
            return Ok(Line {
                principals,
                options: Options::default(),
                key,
            });
        }
        Err(e)
            if ["ssh-", "ecdsa-", "sk-"]
                .iter()
                .any(|p| rest.starts_with(p)) =>
        {
            return Err(format!("cannot read the public key: {e}"));
        }
        Err(_) => {}
    }
    let (opts, rest) = options_token(rest)?;
    let options = options(&opts)?;
    let key = PublicKey::from_openssh(rest.trim())
        .map_err(|e| format!("cannot read the public key: {e}"))?;
    Ok(Line {
        principals,
        options,
        key,
    })
}

/// The principals token: up to unquoted whitespace, quotes removed.
fn principals_token(text: &str) -> Result<(String, &str), String> {
    let mut out = String::new();
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok((out, &text[i..])),
            c => out.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote in principals".to_owned());
    }
    Ok((out, ""))
}

/// The options token: up to whitespace outside quotes (`\"` escapes a quote inside them).
fn options_token(text: &str) -> Result<(String, &str), String> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return Ok((text[..i].to_owned(), &text[i..])),
            _ => {}
        }
    }
    Err(if quoted {
        "unterminated quote in options".to_owned()
    } else {
        "no public key after the options".to_owned()
    })
}

fn options(text: &str) -> Result<Options, String> {
    let mut out = Options::default();
    let mut rest = text;
    while !rest.is_empty() {
        let name_end = rest.find(['=', ',']).unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        if name == "cert-authority" {
            out.cert_authority = true;
        } else {
            let Some(after_eq) = rest.strip_prefix('=') else {
                return Err(format!("unsupported option {name:?}"));
            };
            let (value, after) = quoted_value(after_eq)?;
            rest = after;
            let slot_is_set = match name.as_str() {
                "namespaces" => out.namespaces.replace(value).is_some(),
                "valid-after" => out.valid_after.replace(time(&value)?).is_some(),
                "valid-before" => out.valid_before.replace(time(&value)?).is_some(),
                _ => return Err(format!("unsupported option {name:?}")),
            };
            if slot_is_set {
                return Err(format!("option {name:?} given twice"));
            }
        }
        rest = match rest.strip_prefix(',') {
            Some(r) if !r.is_empty() => r,
            Some(_) => return Err("trailing comma in options".to_owned()),
            None if rest.is_empty() => rest,
            None => return Err(format!("unexpected {rest:?} in options")),
        };
    }
    Ok(out)
}

/// A `"…"` value with `\"` escapes, and what follows it.
fn quoted_value(text: &str) -> Result<(String, &str), String> {
    let Some(body) = text.strip_prefix('"') else {
        return Err("option value is not in double quotes".to_owned());
    };
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, other)) => {
                    out.push('\\');
                    out.push(other);
                }
                None => break,
            },
            '"' => return Ok((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    Err("unterminated quoted option value".to_owned())
}

/// An allowed_signers time: `YYYYMMDD[HHMM[SS]][Z]`.
pub fn time(text: &str) -> Result<DateTime<Utc>, String> {
    let bad = || format!("bad time {text:?} (want YYYYMMDD[HHMM[SS]][Z])");
    let (digits, utc) = match text.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (text, false),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 8 | 12 | 14) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(
        num(0..4).ok_or_else(bad)? as i32,
        num(4..6).ok_or_else(bad)?,
        num(6..8).ok_or_else(bad)?,
    )
    .ok_or_else(bad)?;
    let naive: NaiveDateTime = date
        .and_hms_opt(
            num(8..10).unwrap_or(0),
            num(10..12).unwrap_or(0),
            num(12..14).unwrap_or(0),
        )
        .ok_or_else(bad)?;
    if utc {
        Ok(naive.and_utc())
    } else {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(bad)
    }
}

/// OpenSSH `match_pattern`: `*` any run, `?` one character.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// OpenSSH `match_pattern_list`: comma-separated patterns; a matching `!pattern` denies
/// outright, otherwise any matching positive pattern allows. Case-sensitive.
pub fn pattern_list_matches(list: &str, name: &str) -> bool {
    let mut positive = false;
    for pattern in list.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob(negated, name) {
                return false;
            }
        } else if glob(pattern, name) {
            positive = true;
        }
    }
    positive
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAS65YPRNI9c55+kqvp1sCr7O7esDD+vFVkr1TVPPKgF";

    #[test]
    fn reads_principals_options_and_key() {
        let l = line(&format!("alice@example.com {KEY} a comment")).unwrap();
        assert_eq!(l.principals, "alice@example.com");
        assert_eq!(l.options, Options::default());

        let l = line(&format!(
            "\"bob smith@x,*@example.com\" NAMESPACES=\"git-vouch@git-vouch.dev,file\",valid-after=\"20260101Z\",valid-before=\"202701021530Z\" {KEY}"
        ))
        .unwrap();
        assert_eq!(l.principals, "bob smith@x,*@example.com");
        assert_eq!(
            l.options.namespaces.as_deref(),
            Some("git-vouch@git-vouch.dev,file")
        );
        assert_eq!(
            l.options.valid_after.unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert_eq!(
            l.options.valid_before.unwrap().to_rfc3339(),
            "2027-01-02T15:30:00+00:00"
        );

        let l = line(&format!("ca@x cert-authority {KEY}")).unwrap();
        assert!(l.options.cert_authority);
    }

    #[test]
    fn rejects_bad_lines() {
        for bad in [
            "alice@example.com".to_owned(),
            format!("\"alice {KEY}"),
            format!("a@x bogus=\"1\" {KEY}"),
            format!("a@x namespaces=git {KEY}"),
            format!("a@x valid-before=\"2026\" {KEY}"),
            format!("a@x namespaces=\"a\",namespaces=\"b\" {KEY}"),
            "a@x ssh-ed25519 !!!!".to_owned(),
        ] {
            assert!(line(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_in_every_width() {
        assert_eq!(
            time("20260304Z").unwrap().to_rfc3339(),
            "2026-03-04T00:00:00+00:00"
        );
        assert_eq!(
            time("20260304101112Z").unwrap().to_rfc3339(),
            "2026-03-04T10:11:12+00:00"
        );
        assert!(time("20260304").is_ok(), "local time");
        for bad in ["2026030", "20261304Z", "2026030410Z", "x0260304"] {
            assert!(time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pattern_lists_like_openssh() {
        assert!(glob("*@example.com", "a@example.com"));
        assert!(glob("a?c", "abc") && !glob("a?c", "ac"));
        assert!(glob("*", "") && glob("a*b*c", "axxbyyc") && !glob("a*b", "ac"));
        assert!(pattern_list_matches("x@y,*@example.com", "a@example.com"));
        assert!(!pattern_list_matches(
            "*@example.com,!mallory@example.com",
            "mallory@example.com"
        ));
        assert!(
            !pattern_list_matches("!a@x", "b@x"),
            "only negations never allow"
        );
        assert!(!pattern_list_matches("A@x", "a@x"), "case-sensitive");
    }
}
