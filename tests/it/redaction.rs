//! Redaction proves itself: generated secrets of every rule's shape, embedded in arbitrary text,
//! never survive (property test), and a realistic transcript with secrets in tool outputs, file
//! contents and prompts comes out with none left.

#![allow(
    clippy::unwrap_used,
    clippy::too_many_lines,
    clippy::items_after_statements
)]

use git_vouch::redact::rules::{EMAIL, RULES, RuleSpec};
use git_vouch::redact::{Counts, RedactOptions, Redactor};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use regex::Regex;

/// A generator of secrets per rule id (the rule's shape without its word-boundary anchors).
const SHAPES: &[(&str, &str)] = &[
    (
        "private-key",
        "-----BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY-----\n[A-Za-z0-9+/=\n]{20,80}\n-----END (RSA |EC |OPENSSH )?PRIVATE KEY-----",
    ),
    ("aws-access-key-id", "(AKIA|ASIA)[A-Z2-7]{16}"),
    (
        "aws-secret-access-key",
        "aws_secret_access_key = [A-Za-z0-9/+]{40}",
    ),
    ("gcp-api-key", "AIza[0-9A-Za-z_]{35}"),
    ("azure-storage-key", "AccountKey=[A-Za-z0-9+/]{86}=="),
    (
        "github-token",
        "gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{30,60}",
    ),
    ("gitlab-token", "glpat-[A-Za-z0-9_]{20,30}"),
    (
        "slack-token",
        "xox[bp]-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24}",
    ),
    (
        "slack-webhook",
        "https://hooks\\.slack\\.com/services/T[A-Z0-9]{10}/B[A-Z0-9]{10}/[A-Za-z0-9]{24}",
    ),
    ("stripe-key", "(sk|rk)_(live|test)_[A-Za-z0-9]{24,40}"),
    ("stripe-webhook-secret", "whsec_[A-Za-z0-9]{32}"),
    ("npm-token", "npm_[A-Za-z0-9]{36}"),
    ("pypi-token", "pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_]{60,80}"),
    ("anthropic-key", "sk-ant-api03-[A-Za-z0-9_]{90,100}"),
    ("openai-key", "sk-proj-[A-Za-z0-9_]{48,80}"),
    ("huggingface-token", "hf_[A-Za-z0-9]{34}"),
    ("sendgrid-key", "SG\\.[A-Za-z0-9_]{22}\\.[A-Za-z0-9_]{43}"),
    ("twilio-key", "SK[0-9a-f]{32}"),
    ("digitalocean-token", "dop_v1_[a-f0-9]{64}"),
    ("shopify-token", "shpat_[a-f0-9]{32}"),
    (
        "jwt",
        "eyJ[A-Za-z0-9_]{12,40}\\.eyJ[A-Za-z0-9_]{12,60}\\.[A-Za-z0-9_]{20,43}",
    ),
    (
        "connection-string-password",
        "(postgres|mysql|mongodb|redis)://[a-z]{3,8}:[A-Za-z0-9!$%^*_]{6,20}@[a-z]{3,10}:[0-9]{4}/[a-z]{2,6}",
    ),
    (
        "url-credentials",
        "https://[a-z]{3,8}:[A-Za-z0-9]{6,20}@[a-z]{3,10}\\.com/[a-z]{1,8}",
    ),
    (
        "generic-secret",
        "(API_KEY|client_secret|DB_PASSWORD|auth_token)=[A-Za-z0-9#$%]{16,40}",
    ),
    (
        "email",
        "[a-z]{2,10}\\.[a-z]{2,10}@[a-z]{3,10}\\.(com|org|dev)",
    ),
];

static RULES_COMPILED: std::sync::LazyLock<Vec<(&'static RuleSpec, Regex)>> =
    std::sync::LazyLock::new(|| {
        RULES
            .iter()
            .chain(std::iter::once(&EMAIL))
            .map(|s| (s, Regex::new(s.pattern).unwrap()))
            .collect()
    });
static REDACTOR: std::sync::LazyLock<Redactor> =
    std::sync::LazyLock::new(|| Redactor::new(RedactOptions { emails: true }));

fn compiled() -> &'static [(&'static RuleSpec, Regex)] {
    &RULES_COMPILED
}

/// Secrets a rule still finds in `text` (placeholders and low-entropy values excluded, as the
/// redactor itself excludes them).
fn survivors(rules: &[(&'static RuleSpec, Regex)], text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (spec, re) in rules {
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(spec.group) else {
                continue;
            };
            if m.as_str().starts_with("[REDACTED") {
                continue;
            }
            let mut probe = Counts::new();
            // Ask the redactor whether it considers this value a secret of this rule.
            if REDACTOR
                .redact(caps.get(0).unwrap().as_str(), &mut probe)
                .contains("[REDACTED")
            {
                out.push(format!("{}: {}", spec.id, m.as_str()));
            }
        }
    }
    out
}

fn secret() -> impl Strategy<Value = String> {
    let strategies: Vec<BoxedStrategy<String>> = SHAPES
        .iter()
        .map(|(_, shape)| proptest::string::string_regex(shape).unwrap().boxed())
        .collect();
    proptest::strategy::Union::new(strategies)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_rule_matching_string_survives(
        before in "[ a-z\n.,:;()]{0,30}",
        secrets in proptest::collection::vec(secret(), 1..4),
        after in "[ a-z\n.,:;()]{0,30}",
    ) {
        let text = format!("{before} {} {after}", secrets.join(" and "));
        let mut counts = Counts::new();
        let out = REDACTOR.redact(&text, &mut counts);
        prop_assert!(counts.values().sum::<u64>() >= 1, "nothing found in {text:?}");
        let left = survivors(compiled(), &out);
        prop_assert!(left.is_empty(), "survived: {left:?} in {out:?}");
    }
}

#[test]
fn a_transcript_with_secrets_everywhere_comes_out_clean() {
    let samples: Vec<String> = SHAPES
        .iter()
        .map(|(id, shape)| {
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            let value = proptest::string::string_regex(shape)
                .unwrap()
                .new_tree(&mut runner)
                .unwrap()
                .current();
            format!("{id}: {value}")
        })
        .collect();
    let records = [
        serde_json::json!({"type":"user","message":{"role":"user","content":format!("deploy with {}", samples[1])}}),
        serde_json::json!({"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"file_path":"/w/.env","content":samples.join("\n")}}]}}),
        serde_json::json!({"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":format!("$ env\n{}\n", samples.join("\n"))}]},"toolUseResult":{"stdout":samples.join("\n"),"stderr":""}}),
    ];
    let mut counts = Counts::new();
    for mut record in records {
        REDACTOR.redact_json(&mut record, &mut counts);
        let text = record.to_string();
        assert!(survivors(compiled(), &text).is_empty(), "{text}");
        for s in &samples {
            let secret = s.split_once(": ").unwrap().1;
            assert!(!text.contains(secret), "{secret} survived in {text}");
        }
    }
    for (id, _) in SHAPES {
        assert!(
            counts.get(id).is_some_and(|n| *n >= 2),
            "{id} counted {counts:?}"
        );
    }
}
