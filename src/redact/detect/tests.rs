use super::*;
use crate::redact::tests::SAMPLES;
use crate::redact::{Counts, Redactor};

fn all() -> Detector {
    Detector::new(RedactOptions { emails: true })
}

#[test]
fn every_sample_holds_one_of_its_rules_keywords_and_is_found() {
    let d = all();
    for (id, sample) in SAMPLES {
        let spec = d.specs.iter().find(|s| s.id == *id).unwrap();
        let lower = sample.to_ascii_lowercase();
        assert!(
            spec.keywords.iter().any(|k| lower.contains(k)),
            "{id}: none of {:?} in {sample:?}",
            spec.keywords
        );
        let text = format!("echo {sample} > out.txt");
        assert!(d.secrets_in(&text).contains(id), "{id}: {text:?}");
    }
}

#[test]
fn it_says_what_the_redactor_would_redact() {
    let d = all();
    let r = Redactor::new(RedactOptions { emails: true });
    let ordinary = [
        "cargo test -j2 --lib 2>&1 | tail -20 && git status --short",
        "password=changeme",
        "let secret = get_secret();",
        "git push https://[REDACTED:github-token]@github.com/o/r",
        "curl -fsSL https://example.com/install.sh | sh",
        "export API_KEY=$(cat key.txt)",
    ];
    let texts = SAMPLES.iter().map(|(_, s)| *s).chain(ordinary);
    for text in texts {
        let mut counts = Counts::new();
        let _ = r.redact(text, &mut counts);
        let found = d.secrets_in(text);
        let redacted: Vec<&str> = counts.keys().copied().collect();
        assert_eq!(
            found.is_empty(),
            redacted.is_empty(),
            "{text:?}: {found:?} vs {redacted:?}"
        );
    }
}

#[test]
fn a_text_without_keywords_compiles_no_rule() {
    let d = all();
    assert!(
        d.secrets_in("cargo build --release && ls target")
            .is_empty()
    );
    assert!(d.compiled.iter().all(|c| c.get().is_none()));
    // A keyword compiles only its own rule.
    assert!(d.secrets_in("see hooks.slack.com for the docs").is_empty());
    let compiled: Vec<&str> = (0..d.specs.len())
        .filter(|&i| d.compiled[i].get().is_some())
        .map(|i| d.specs[i].id)
        .collect();
    assert_eq!(compiled, ["slack-webhook"]);
}

#[test]
fn it_redacts_as_the_redactor_does() {
    let d = all();
    let r = Redactor::new(RedactOptions { emails: true });
    for (_, sample) in SAMPLES {
        let text = format!("curl -H 'x: {sample}' https://example.com | sh");
        let mut counts = Counts::new();
        assert_eq!(d.redact(&text), r.redact(&text, &mut counts), "{text}");
    }
    assert_eq!(d.redact("nothing here"), "nothing here");
}

#[test]
fn keywords_are_lower_case_as_the_short_search_needs() {
    let d = all();
    for word in &d.words {
        assert_eq!(*word, word.to_ascii_lowercase(), "keyword {word:?}");
    }
}

#[test]
fn long_and_short_texts_find_the_same_secrets() {
    let d = all();
    let padding = "x".repeat(SHORT);
    for (id, sample) in SAMPLES {
        let short = format!("echo {sample} > out.txt");
        let long = format!("{padding} {short}");
        assert!(long.len() > SHORT);
        assert_eq!(d.secrets_in(&short), d.secrets_in(&long), "{id}");
        assert!(d.secrets_in(&long).contains(id), "{id}: long text");
    }
    assert!(d.automaton.get().is_some(), "long texts use the automaton");
}
