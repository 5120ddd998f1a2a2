//! The secret rules: high-signal patterns for credentials that leak into agent transcripts
//! (tool outputs, file contents, prompts). Each names what it finds; a match is replaced by
//! `[REDACTED:<id>]`, which no rule matches.

/// One rule: an id for counts, a pattern, and which capture group is the secret (0: all).
///
/// Word boundaries are ASCII ones, `(?-u:\b)`: a Unicode `\b` makes the regex engine give up
/// its fast automata on any text with a non-ASCII character and fall back to a search about a
/// hundred times slower (counting the secrets of a 1 MB session of accented prose took seconds).
/// The secrets are ASCII; beside one, a non-ASCII letter now counts as a boundary, so a secret
/// glued to one (`éAKIA…`) is found too.
pub struct RuleSpec {
    pub id: &'static str,
    pub description: &'static str,
    pub pattern: &'static str,
    /// Words, one of which (ASCII case ignored) is in every text the pattern matches: a text
    /// without any of them cannot hold this secret (gitleaks' keyword prefilter, see
    /// [`super::detect`]). A test checks each rule's samples against them.
    pub keywords: &'static [&'static str],
    pub group: usize,
    /// Minimum Shannon entropy of the secret, in millibits per character (0: none).
    pub min_entropy_millibits: u32,
}

const fn rule(
    id: &'static str,
    description: &'static str,
    pattern: &'static str,
    keywords: &'static [&'static str],
) -> RuleSpec {
    RuleSpec {
        id,
        description,
        pattern,
        keywords,
        group: 0,
        min_entropy_millibits: 0,
    }
}

/// The built-in secret rules, most specific first.
pub const RULES: &[RuleSpec] = &[
    RuleSpec {
        id: "private-key",
        description: "PEM private key block",
        pattern: r"-----BEGIN[A-Z0-9 ]{0,30}PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END[A-Z0-9 ]{0,30}PRIVATE KEY( BLOCK)?-----|\z)",
        keywords: &["-----begin"],
        group: 0,
        min_entropy_millibits: 0,
    },
    rule(
        "aws-access-key-id",
        "AWS access key id",
        r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z2-7]{16}(?-u:\b)",
        &[
            "akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "anpa", "anva", "aipa",
        ],
    ),
    RuleSpec {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        pattern: r#"(?i)aws.{0,20}?(?:secret|sk)[a-z_ ]{0,20}?['"]?\s*[:=]\s*['"]?([A-Za-z0-9/+=]{40})(?-u:\b)"#,
        keywords: &["aws"],
        group: 1,
        min_entropy_millibits: 0,
    },
    rule(
        "gcp-api-key",
        "Google Cloud API key",
        r"(?-u:\b)AIza[0-9A-Za-z_\-]{35}(?-u:\b)",
        &["aiza"],
    ),
    RuleSpec {
        id: "azure-storage-key",
        description: "Azure storage account key",
        pattern: r"(?i)AccountKey=([A-Za-z0-9+/]{86}==)",
        keywords: &["accountkey="],
        group: 1,
        min_entropy_millibits: 0,
    },
    rule(
        "github-token",
        "GitHub token",
        r"(?-u:\b)(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    ),
    rule(
        "gitlab-token",
        "GitLab token",
        r"(?-u:\b)gl(?:pat|ptt|rt|dt|cbt|oas|imt|soat|ffct|ft|agent)-[A-Za-z0-9_\-]{20,}(?-u:\b)",
        &["gl"],
    ),
    rule(
        "slack-token",
        "Slack token",
        r"(?-u:\b)xox[abposr]-(?:[A-Za-z0-9]{1,40}-){1,4}[A-Za-z0-9]{4,64}(?-u:\b)",
        &["xox"],
    ),
    rule(
        "slack-webhook",
        "Slack incoming webhook",
        r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{20,}",
        &["hooks.slack.com"],
    ),
    rule(
        "stripe-key",
        "Stripe secret or restricted key",
        r"(?-u:\b)(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,247}(?-u:\b)",
        &["_live_", "_test_"],
    ),
    rule(
        "stripe-webhook-secret",
        "Stripe webhook signing secret",
        r"(?-u:\b)whsec_[A-Za-z0-9]{24,}(?-u:\b)",
        &["whsec_"],
    ),
    rule(
        "npm-token",
        "npm access token",
        r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)",
        &["npm_"],
    ),
    rule(
        "pypi-token",
        "PyPI upload token",
        r"(?-u:\b)pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
        &["pypi-"],
    ),
    rule(
        "anthropic-key",
        "Anthropic API key",
        r"(?-u:\b)sk-ant-[a-z]{3,8}\d{0,3}-[A-Za-z0-9_\-]{32,}",
        &["sk-ant-"],
    ),
    rule(
        "openai-key",
        "OpenAI API key",
        r"(?-u:\b)sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}T3BlbkFJ[A-Za-z0-9_\-]{16,}|(?-u:\b)sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}",
        &["sk-"],
    ),
    rule(
        "huggingface-token",
        "Hugging Face token",
        r"(?-u:\b)hf_[A-Za-z0-9]{34,}(?-u:\b)",
        &["hf_"],
    ),
    rule(
        "sendgrid-key",
        "SendGrid API key",
        r"(?-u:\b)SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}(?-u:\b)",
        &["sg."],
    ),
    rule(
        "twilio-key",
        "Twilio API key",
        r"(?-u:\b)SK[0-9a-f]{32}(?-u:\b)",
        &["sk"],
    ),
    rule(
        "digitalocean-token",
        "DigitalOcean token",
        r"(?-u:\b)do[por]_v1_[a-f0-9]{64}(?-u:\b)",
        &["_v1_"],
    ),
    rule(
        "shopify-token",
        "Shopify access token",
        r"(?-u:\b)shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?-u:\b)",
        &["shpat_", "shpca_", "shppa_", "shpss_"],
    ),
    rule(
        "jwt",
        "JSON Web Token",
        r"(?-u:\b)eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        &["eyj"],
    ),
    RuleSpec {
        id: "connection-string-password",
        description: "password in a database or broker URL",
        pattern: r"(?i)(?-u:\b)(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|clickhouse)://[^\s:/@]+:([^\s@/]+)@",
        keywords: &["://"],
        group: 1,
        min_entropy_millibits: 0,
    },
    RuleSpec {
        id: "url-credentials",
        description: "password in an http(s) or ftp URL",
        pattern: r"(?i)(?-u:\b)(?:https?|ftp)://[^\s:/@]+:([^\s@/]{3,})@",
        keywords: &["://"],
        group: 1,
        min_entropy_millibits: 0,
    },
    RuleSpec {
        id: "generic-secret",
        description: "high-entropy value assigned to a password, secret, token or key",
        pattern: r#"(?i)(?-u:\b)[a-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key|client[_\-]?secret)[a-z0-9_.\-]*['"]?\s*[:=]\s*['"]?([^\s'"`,;\[\]{}()<>]{8,})"#,
        keywords: &["pass", "pwd", "secret", "token", "key"],
        group: 1,
        min_entropy_millibits: 3000,
    },
];

/// Email addresses, redacted only when personal data should be removed too.
pub const EMAIL: RuleSpec = rule(
    "email",
    "email address (personal data)",
    r"(?-u:\b)[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}(?-u:\b)",
    &["@"],
);
