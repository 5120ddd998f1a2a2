//! Redaction: before anything is signed, stored or exported, strings pass these rules. Each
//! match is replaced by `[REDACTED:<rule>]` and counted per rule (the counts go into the
//! evidence, the secrets nowhere). Replacements never match a rule, and the rules are applied
//! until nothing matches, so no rule-matching string survives.

pub mod detect;
pub mod rules;

use std::borrow::Cow;
use std::collections::BTreeMap;

use regex::{Regex, RegexSet};

use rules::{EMAIL, RULES, RuleSpec};

/// Counts of redactions by rule id.
pub type Counts = BTreeMap<&'static str, u64>;

/// What to remove besides secrets.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactOptions {
    /// Also remove email addresses.
    pub emails: bool,
}

struct Rule {
    spec: &'static RuleSpec,
    regex: Regex,
}

/// A compiled set of rules.
pub struct Redactor {
    rules: Vec<Rule>,
    set: RegexSet,
}

/// Passes over one text before giving up (each pass can only shorten what matches).
const MAX_PASSES: usize = 4;

/// The redactor with the default rules (e-mail addresses kept), built once: what the explorer
/// and `show` use to count secrets and to hide them on request.
pub fn shared() -> &'static Redactor {
    static SHARED: std::sync::LazyLock<Redactor> =
        std::sync::LazyLock::new(|| Redactor::new(RedactOptions::default()));
    &SHARED
}

impl Redactor {
    /// Compiles the built-in rules (they are tested to compile).
    pub fn new(options: RedactOptions) -> Self {
        let specs: Vec<&'static RuleSpec> = RULES
            .iter()
            .chain(options.emails.then_some(&EMAIL))
            .collect();
        let rules: Vec<Rule> = specs
            .iter()
            .filter_map(|spec| {
                Regex::new(spec.pattern)
                    .ok()
                    .map(|regex| Rule { spec, regex })
            })
            .collect();
        let set = RegexSet::new(rules.iter().map(|r| r.spec.pattern))
            .unwrap_or_else(|_| RegexSet::empty());
        Self { rules, set }
    }

    /// The ids and descriptions of the active rules.
    pub fn rules(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.rules.iter().map(|r| (r.spec.id, r.spec.description))
    }

    /// Redacts `text`, adding what was found to `counts`.
    /// Whether some rule may match `text` (a quick test before decoding it).
    pub fn may_match(&self, text: &str) -> bool {
        self.set.is_match(text)
    }

    pub fn redact<'a>(&self, text: &'a str, counts: &mut Counts) -> Cow<'a, str> {
        if !self.set.is_match(text) {
            return Cow::Borrowed(text);
        }
        let mut current = text.to_owned();
        for _ in 0..MAX_PASSES {
            let hits: Vec<usize> = self.set.matches(&current).into_iter().collect();
            if hits.is_empty() {
                break;
            }
            let mut changed = false;
            for i in hits {
                changed |= self.rules[i].apply(&mut current, counts);
            }
            if !changed {
                break;
            }
        }
        Cow::Owned(current)
    }

    /// Redacts every string in a JSON value (keys are left alone), in place.
    pub fn redact_json(&self, value: &mut serde_json::Value, counts: &mut Counts) {
        match value {
            serde_json::Value::String(s) => {
                if let Cow::Owned(new) = self.redact(s, counts) {
                    *s = new;
                }
            }
            serde_json::Value::Array(items) => {
                for v in items.iter_mut() {
                    self.redact_json(v, counts);
                }
            }
            serde_json::Value::Object(map) => {
                for v in map.values_mut() {
                    self.redact_json(v, counts);
                }
            }
            _ => {}
        }
    }
}

impl Rule {
    /// Replaces this rule's secrets in `text`; true when anything changed.
    fn apply(&self, text: &mut String, counts: &mut Counts) -> bool {
        let Some((out, found)) = replace_secrets(self.spec, &self.regex, text) else {
            return false;
        };
        *text = out;
        *counts.entry(self.spec.id).or_default() += found;
        true
    }
}

/// `text` with the secrets `regex` (the pattern of `spec`) finds replaced by
/// `[REDACTED:<rule>]`, and how many there were; `None` when there were none.
fn replace_secrets(spec: &RuleSpec, regex: &Regex, text: &str) -> Option<(String, u64)> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut found = 0;
    let markers = markers(text);
    for caps in regex.captures_iter(text) {
        let Some(secret) = caps.get(spec.group) else {
            continue;
        };
        if !is_secret(spec, secret, &markers) {
            continue;
        }
        out.push_str(&text[last..secret.start()]);
        out.push_str("[REDACTED:");
        out.push_str(spec.id);
        out.push(']');
        last = secret.end();
        found += 1;
    }
    if found == 0 {
        return None;
    }
    out.push_str(&text[last..]);
    Some((out, found))
}

/// Whether what `spec` matched is a secret: random enough, and not inside a replacement.
fn is_secret(
    spec: &RuleSpec,
    secret: regex::Match<'_>,
    markers: &[std::ops::Range<usize>],
) -> bool {
    let in_marker = markers
        .iter()
        .any(|m| m.start < secret.end() && secret.start() < m.end);
    !in_marker && entropy_ok(secret.as_str(), spec.min_entropy_millibits)
}

/// Where `text` already holds replacements (`[REDACTED:<rule>]`): no rule may match inside one
/// (a URL rule would take `[REDACTED:github-token]` for a user name and a password).
fn markers(text: &str) -> Vec<std::ops::Range<usize>> {
    text.match_indices("[REDACTED:")
        .filter_map(|(start, _)| {
            let end = start + text[start..].find(']')? + 1;
            Some(start..end)
        })
        .collect()
}

/// Whether `value` is random enough: Shannon entropy per character, in millibits, at least `min`.
fn entropy_ok(value: &str, min: u32) -> bool {
    if min == 0 {
        return true;
    }
    let mut freq: BTreeMap<char, u32> = BTreeMap::new();
    let mut n = 0u32;
    for c in value.chars() {
        *freq.entry(c).or_default() += 1;
        n += 1;
    }
    let n = f64::from(n);
    let bits: f64 = freq
        .values()
        .map(|&k| f64::from(k) / n)
        .map(|p| -p * p.log2())
        .sum();
    bits * 1000.0 >= f64::from(min)
}

#[cfg(test)]
mod tests;
