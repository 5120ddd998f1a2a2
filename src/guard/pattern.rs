//! Patterns the guard compiles only when a call needs them. The hook checks one call and exits,
//! so compiling every rule's regular expression and every glob up front would cost more than the
//! whole check (milliseconds, against a budget of a few): regular expressions are compiled on
//! first use, and the plain globs of the path classes (`*.pem`, `.aws/credentials`, `id_rsa_*`)
//! are matched directly, with only the others (`[…]`, `{a,b}`, `**`) compiled, on first use.

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex_automata::nfa::thompson::{self, BuildError, pikevm::PikeVM};
use regex_automata::util::syntax;

/// A regular expression compiled when first matched, for a short ASCII text (a command's
/// arguments): ASCII classes and case, and a bare PikeVM, without the literal prefilters and
/// automata that pay off only on long texts, which makes building it several times cheaper.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<PikeVM>>,
}

impl LazyRegex {
    /// Compiled now, so a mistake is reported where the pattern is written.
    pub fn checked(pattern: &str) -> Result<Self, Box<BuildError>> {
        let regex = build(pattern)?;
        Ok(Self {
            pattern: pattern.to_owned(),
            compiled: OnceLock::from(Some(regex)),
        })
    }

    /// Compiled on first use: for patterns a test has already compiled (the embedded rules).
    pub fn trusted(pattern: &str) -> Self {
        Self {
            pattern: pattern.to_owned(),
            compiled: OnceLock::new(),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| build(&self.pattern).ok())
            .as_ref()
            .is_some_and(|vm| vm.is_match(&mut vm.create_cache(), text))
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

fn build(pattern: &str) -> Result<PikeVM, Box<BuildError>> {
    PikeVM::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .thompson(thompson::Config::new().utf8(false))
        .build(pattern)
        .map_err(Box::new)
}

impl Clone for LazyRegex {
    fn clone(&self) -> Self {
        Self {
            pattern: self.pattern.clone(),
            compiled: self.compiled.clone(),
        }
    }
}

/// Globs over paths (`*` matches any characters, `/` included, as globset does by default).
#[derive(Debug, Clone, Default)]
pub struct Globs {
    /// Patterns of literals, `*` and `?`, matched directly.
    plain: Vec<String>,
    /// The others, compiled into one set when first needed.
    other: Vec<String>,
    compiled: OnceLock<Option<GlobSet>>,
}

impl Globs {
    /// Every pattern that is not plain is parsed now, so a mistake is reported where it is
    /// written (a plain one is always valid).
    pub fn new(patterns: &[String]) -> Result<Self, globset::Error> {
        for p in patterns.iter().filter(|p| !is_plain(p)) {
            Glob::new(p)?;
        }
        Ok(Self::trusted(patterns))
    }

    /// Patterns known to parse (the embedded rules', which a test parses): nothing is parsed
    /// until a text needs the set, since the hook process checks one call and exits.
    pub fn trusted(patterns: &[String]) -> Self {
        let (plain, other) = patterns.iter().cloned().partition(|p| is_plain(p));
        Self {
            plain,
            other,
            compiled: OnceLock::new(),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        if self
            .plain
            .iter()
            .any(|p| wildcard(p.as_bytes(), text.as_bytes()))
        {
            return true;
        }
        if self.other.is_empty() {
            return false;
        }
        self.compiled
            .get_or_init(|| {
                let mut b = GlobSetBuilder::new();
                for g in self.other.iter().filter_map(|p| Glob::new(p).ok()) {
                    b.add(g);
                }
                b.build().ok()
            })
            .as_ref()
            .is_some_and(|set| set.is_match(text))
    }
}

/// A glob of literal characters, `*` and `?` only.
fn is_plain(pattern: &str) -> bool {
    !pattern.contains("**") && !pattern.contains(['[', ']', '{', '}', '\\'])
}

/// `*` any run of bytes, `?` any one byte (as globset matches), everything else itself.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                t += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, t));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str]) -> Globs {
        Globs::new(&patterns.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn plain_globs_match_as_globset_does() {
        let cases = [
            "*.pem",
            "id_rsa_*",
            ".ssh/*",
            "gcloud/*credentials*.json",
            ".env.*",
            "a?c",
            "*",
            "*.key",
            ".aws/credentials",
            "*a*b*c",
        ];
        let texts = [
            "server.pem",
            "pem",
            "id_rsa_work",
            "id_rsa",
            ".ssh/id_ed25519",
            ".ssh/a/b",
            "gcloud/legacy_credentials.json",
            "gcloud/credentials.db",
            ".env.local",
            ".env",
            "abc",
            "aéc",
            "abbc",
            "",
            "x.key",
            "aXbYcZ",
            "acb",
            "ça.pem",
        ];
        for pattern in cases {
            let ours = globs(&[pattern]);
            let theirs = Glob::new(pattern).unwrap().compile_matcher();
            for text in texts {
                assert_eq!(
                    ours.is_match(text),
                    theirs.is_match(text),
                    "{pattern} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn other_globs_are_compiled_when_first_needed() {
        let g = globs(&["*.{pem,key}", "key[0-9]"]);
        assert!(g.compiled.get().is_none());
        assert!(g.is_match("a.key") && g.is_match("key7") && !g.is_match("key"));
        assert!(g.compiled.get().is_some());
        assert!(Globs::new(&["[unclosed".to_owned()]).is_err());
    }

    #[test]
    fn regular_expressions_are_compiled_when_first_needed() {
        let lazy = LazyRegex::trusted(r"(^|\s)-delete(\s|$)");
        assert!(lazy.compiled.get().is_none());
        assert!(lazy.is_match("find . -delete"));
        assert!(lazy.compiled.get().is_some());
        assert!(LazyRegex::checked("(unclosed").is_err());
    }
}
