//! Whether a text holds a secret, the way [`super::Redactor`] would redact it, for a process
//! that checks one text and exits (the guard's PreToolUse hook): compiling every rule costs
//! milliseconds, so one pass finds the rules' keywords in the text first and only the rules
//! whose keywords are there are compiled and run (gitleaks' keyword prefilter).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use regex::Regex;

use super::rules::{EMAIL, RULES, RuleSpec};
use super::{RedactOptions, is_secret, markers, replace_secrets};

/// The secret rules behind their keywords.
pub struct Detector {
    specs: Vec<&'static RuleSpec>,
    /// Every rule's keywords, ASCII case ignored.
    keywords: AhoCorasick,
    /// For each keyword, the rule it belongs to.
    owner: Vec<usize>,
    /// Each rule's pattern, compiled when first needed (`None`: it does not compile).
    compiled: Vec<OnceLock<Option<Regex>>>,
}

impl Detector {
    pub fn new(options: RedactOptions) -> Self {
        let specs: Vec<&'static RuleSpec> = RULES
            .iter()
            .chain(options.emails.then_some(&EMAIL))
            .collect();
        let mut words = Vec::new();
        let mut owner = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            words.extend(spec.keywords.iter().copied());
            owner.extend(std::iter::repeat_n(i, spec.keywords.len()));
        }
        // The automaton that is quickest to build: it searches one text, then the process ends.
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(&words)
            .unwrap_or_else(|_| AhoCorasick::new(Vec::<&str>::new()).expect("an empty automaton"));
        Self {
            compiled: specs.iter().map(|_| OnceLock::new()).collect(),
            specs,
            keywords,
            owner,
        }
    }

    /// The ids of the rules that find a secret in `text`, each once, in rule order.
    pub fn secrets_in(&self, text: &str) -> Vec<&'static str> {
        self.finding(text).map(|i| self.specs[i].id).collect()
    }

    /// `text` with every secret replaced by `[REDACTED:<rule>]`, as the redactor would, compiling
    /// only the rules whose keywords are in it.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for i in self.finding(text).collect::<Vec<_>>() {
            if let Some(Some(regex)) = self.compiled[i].get()
                && let Some((next, _)) = replace_secrets(self.specs[i], regex, &out)
            {
                out = next;
            }
        }
        out
    }

    /// The rules (by index) that find a secret in `text`.
    fn finding<'t>(&'t self, text: &'t str) -> impl Iterator<Item = usize> + 't {
        let mut candidate = vec![false; self.specs.len()];
        for m in self.keywords.find_overlapping_iter(text) {
            candidate[self.owner[m.pattern().as_usize()]] = true;
        }
        let markers = markers(text);
        (0..self.specs.len()).filter(move |&i| candidate[i] && self.finds(i, text, &markers))
    }

    fn finds(&self, i: usize, text: &str, markers: &[std::ops::Range<usize>]) -> bool {
        let spec = self.specs[i];
        let Some(regex) = self.compiled[i].get_or_init(|| Regex::new(spec.pattern).ok()) else {
            return false;
        };
        regex.captures_iter(text).any(|caps| {
            caps.get(spec.group)
                .is_some_and(|secret| is_secret(spec, secret, markers))
        })
    }
}

#[cfg(test)]
mod tests;
