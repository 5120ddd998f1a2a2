use super::*;

fn redact(text: &str) -> (String, Counts) {
    let mut counts = Counts::new();
    let out = Redactor::new(RedactOptions { emails: true })
        .redact(text, &mut counts)
        .into_owned();
    (out, counts)
}

#[test]
fn every_rule_compiles_and_there_are_at_least_twenty() {
    let r = Redactor::new(RedactOptions { emails: true });
    assert_eq!(r.rules().count(), RULES.len() + 1);
    assert!(RULES.len() >= 20);
}

/// One realistic sample per rule, embedded in surrounding text.
pub(super) const SAMPLES: &[(&str, &str)] = &[
    (
        "private-key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3x0b1c\n-----END RSA PRIVATE KEY-----",
    ),
    ("aws-access-key-id", "AKIAIOSFODNN7EXAMPLE"),
    (
        "aws-secret-access-key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    ("gcp-api-key", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
    (
        "azure-storage-key",
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;",
    ),
    ("github-token", "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"),
    ("gitlab-token", "glpat-xJ7fQ2mW9pL4vN8kR3tY"),
    (
        "slack-token",
        "xoxb-2638412938-2938471029384-Xk9LmNpQrStUvWxYz1234567",
    ),
    (
        "slack-webhook",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    ("stripe-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    (
        "stripe-webhook-secret",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
    ("npm-token", "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"),
    (
        "pypi-token",
        "pypi-AgEIcHlwaS5vcmcCJGE0ZjY3ZGU1LTk4NDQtNGE5Ni1iNzQ1LTZhMzI4Y2UzOTk5NQ",
    ),
    (
        "anthropic-key",
        "sk-ant-api03-Abc123Def456Ghi789Jkl012Mno345Pqr678Stu901Vwx234Yz_-AbCdEf",
    ),
    (
        "openai-key",
        "sk-proj-Ab3De6Gh9Jk2Mn5Pq8St1Vw4Yz7Bc0Ef3Hi6Kl9No2Qr5Tu8Wx1Za4Cd7Fg0Ij3Lm",
    ),
    ("huggingface-token", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz12345678"),
    (
        "sendgrid-key",
        "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",
    ),
    ("twilio-key", "SK0123456789abcdef0123456789abcdef"),
    (
        "digitalocean-token",
        "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ),
    ("shopify-token", "shpat_0123456789abcdef0123456789abcdef"),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        "connection-string-password",
        "postgres://app:s3cr3t-P4ss@db.internal:5432/app",
    ),
    (
        "url-credentials",
        "https://deploy:hunter2hunter2@example.com/repo.git",
    ),
    ("generic-secret", "DB_PASSWORD=Xk9#mP2$vL8qR4wZ"),
    ("email", "mail dev.person@example.com about it"),
];

#[test]
fn each_rule_finds_its_sample_and_leaves_nothing() {
    let r = Redactor::new(RedactOptions { emails: true });
    for (id, sample) in SAMPLES {
        let text = format!("before {sample} after");
        let mut counts = Counts::new();
        let out = r.redact(&text, &mut counts);
        assert!(
            counts.get(id).is_some_and(|n| *n >= 1),
            "{id} not found in {text:?}: {counts:?}"
        );
        assert!(out.contains(&format!("[REDACTED:{id}]")), "{id}: {out}");
        assert!(
            out.starts_with("before ") && out.ends_with(" after"),
            "{id}: {out}"
        );
        for rule in &r.rules {
            let left: Vec<&str> = rule
                .regex
                .captures_iter(&out)
                .filter_map(|c| c.get(rule.spec.group))
                .map(|m| m.as_str())
                .filter(|v| {
                    !v.starts_with("[REDACTED") && entropy_ok(v, rule.spec.min_entropy_millibits)
                })
                .collect();
            assert!(
                left.is_empty(),
                "{} still matches {left:?} after redacting {id}",
                rule.spec.id
            );
        }
    }
}

#[test]
fn low_entropy_values_and_ordinary_text_are_kept() {
    for text in [
        "password=changeme",
        "the token is in the header",
        "let secret = get_secret();",
        "git log --author=dev",
    ] {
        let (out, counts) = redact(text);
        assert_eq!(out, text, "{counts:?}");
    }
}

#[test]
fn emails_only_when_asked() {
    let mut counts = Counts::new();
    let r = Redactor::new(RedactOptions::default());
    assert_eq!(r.redact("a@example.com", &mut counts), "a@example.com");
    assert!(counts.is_empty());
}

#[test]
fn json_strings_are_redacted_and_keys_kept() {
    let r = Redactor::new(RedactOptions::default());
    let mut v = serde_json::json!({"ghp_keep_the_key_name": ["x 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", 3]});
    let mut counts = Counts::new();
    r.redact_json(&mut v, &mut counts);
    assert_eq!(v["ghp_keep_the_key_name"][0], "x [REDACTED:github-token]");
    assert_eq!(counts["github-token"], 1);
}

#[test]
fn a_replacement_is_never_taken_apart_by_another_rule() {
    // The token goes first; the URL rule must not read `[REDACTED:github-token]` as user:password.
    let url = "https://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@github.com/o/r";
    let (text, counts) = redact(&format!("git push {url} main"));
    assert_eq!(
        text,
        "git push https://[REDACTED:github-token]@github.com/o/r main"
    );
    assert_eq!(counts.values().sum::<u64>(), 1, "{counts:?}");
    let (text, _) = redact("https://deploy:hunter2hunter2@example.com");
    assert_eq!(
        text,
        "https://deploy:[REDACTED:url-credentials]@example.com"
    );
}

/// Every sample is found inside accented prose too, glued to a non-ASCII letter or set apart,
/// and no rule uses a Unicode word boundary (which drops the regex engine to its slow search on
/// any text with a non-ASCII character).
#[test]
fn secrets_in_non_ascii_text_are_found_with_ascii_boundaries() {
    let r = Redactor::new(RedactOptions { emails: true });
    for (id, sample) in SAMPLES {
        for text in [
            format!("Déjà vu — {sample} — fin"),
            format!("clé:{sample}é"),
        ] {
            let mut counts = Counts::new();
            let out = r.redact(&text, &mut counts);
            assert!(
                counts.get(id).is_some_and(|n| *n >= 1),
                "{id} in {text:?}: {out}"
            );
        }
    }
    for rule in &r.rules {
        let unicode_boundary = rule.spec.pattern.replace(r"(?-u:\b)", "").contains(r"\b");
        assert!(!unicode_boundary, "{}: a Unicode \\b", rule.spec.id);
    }
}
