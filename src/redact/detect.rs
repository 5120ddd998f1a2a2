//! Whether a text holds a secret, the way [`super::Redactor`] would redact it, for a process
//! that checks one text and exits (the guard's PreToolUse hook): compiling every rule costs
//! milliseconds, so one pass finds the rules' keywords in the text first and only the rules
//! whose keywords are there are compiled and run (gitleaks' keyword prefilter). A short text
//! (a tool input, mostly) is searched for each keyword in turn, which costs less than building
//! an automaton; a long one, with an Aho-Corasick automaton built on first use.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};
use regex::Regex;

use super::rules::{EMAIL, RULES, RuleSpec};
use super::{RedactOptions, is_secret, markers, replace_secrets};

/// Texts up to this many bytes are searched keyword by keyword.
const SHORT: usize = 16 * 1024;

/// The secret rules behind their keywords.
pub struct Detector {
    specs: Vec<&'static RuleSpec>,
    /// Every rule's keywords (lower case: ASCII case is ignored).
    words: Vec<&'static str>,
    /// The keywords as one automaton, for long texts.
    automaton: OnceLock<AhoCorasick>,
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
        Self {
            compiled: specs.iter().map(|_| OnceLock::new()).collect(),
            specs,
            words,
            automaton: OnceLock::new(),
            owner,
        }
    }

    /// Which rules have a keyword in `text`.
    fn candidates(&self, text: &str) -> Vec<bool> {
        let mut candidate = vec![false; self.specs.len()];
        if text.len() <= SHORT {
            let lower = text.to_ascii_lowercase();
            for (word, &rule) in self.words.iter().zip(&self.owner) {
                if !candidate[rule]
                    && memchr::memmem::find(lower.as_bytes(), word.as_bytes()).is_some()
                {
                    candidate[rule] = true;
                }
            }
            return candidate;
        }
        let automaton = self.automaton.get_or_init(|| {
            // The automaton that is quickest to build: it searches one text, then the process
            // ends.
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .build(&self.words)
                .unwrap_or_else(|_| {
                    AhoCorasick::new(Vec::<&str>::new()).expect("an empty automaton")
                })
        });
        for m in automaton.find_overlapping_iter(text) {
            candidate[self.owner[m.pattern().as_usize()]] = true;
        }
        candidate
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
        let candidate = self.candidates(text);
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
