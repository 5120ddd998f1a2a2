//! Session-level warnings of `show`, text and JSON: a model without a price names the model and
//! the price override file; secrets in the transcript are counted by kind.

use super::cli::TestEnv;

const ID: &str = "5ec2e75e-0000-4000-8000-000000000001";
const GITHUB: &str = "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";
const AKIA: &str = "AKIAIOSFODNN7EXAMPL2";

/// A session whose prompt holds two secrets and whose only model has no price.
pub fn write_session(env: &TestEnv) {
    let prompt = format!("deploy with token {GITHUB} and key {AKIA}");
    let lines = [
        serde_json::json!({"type":"user","uuid":"u1","sessionId":ID,"cwd":"/tmp/w",
            "timestamp":"2026-11-21T07:00:00Z","message":{"role":"user","content":prompt}}),
        serde_json::json!({"type":"assistant","uuid":"a1","parentUuid":"u1","sessionId":ID,
            "cwd":"/tmp/w","timestamp":"2026-11-21T07:00:05Z","requestId":"r1",
            "message":{"id":"m1","role":"assistant","model":"claude-imaginary-9",
            "content":[{"type":"text","text":"done"}],
            "usage":{"input_tokens":10,"output_tokens":5}}}),
    ];
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    env.write(&format!("-tmp-w/{ID}.jsonl"), &text);
}

#[test]
fn unpriced_models_and_secrets_are_warned_in_text_and_json() {
    let env = TestEnv::new();
    write_session(&env);
    let pricing = env.dir.path().join("config/git-vouch/pricing.toml");
    let unpriced = format!(
        "+? no price for claude-imaginary-9, so its tokens are not in the cost; add prices to {}.",
        pricing.display()
    );
    let secrets =
        "2 secrets in this session (1 aws-access-key-id, 1 github-token); redacted in evidence";
    let doc = env.json(&["show", ID, "--json"]);
    let warnings: Vec<&str> = doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(warnings, [unpriced.as_str(), secrets]);
    let out = env.run(&["show", ID]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Warnings (2)"), "{text}");
    assert!(
        text.contains("no price for claude-imaginary-9, so its tokens"),
        "{text}"
    );
    assert!(text.contains(secrets), "{text}");
    // `$GIT_VOUCH_PRICING` is the file read when set.
    let custom = env.dir.path().join("prices.toml");
    std::fs::write(&custom, "").unwrap();
    let out = env
        .command(&["show", ID, "--json"])
        .env("GIT_VOUCH_PRICING", &custom)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = doc["warnings"][0].as_str().unwrap();
    assert!(
        first.ends_with(&format!("add prices to {}.", custom.display())),
        "{first}"
    );
}

#[test]
fn show_redact_hides_the_secrets_in_text_and_json() {
    let env = TestEnv::new();
    write_session(&env);
    let plain = String::from_utf8(env.run(&["show", ID]).stdout).unwrap();
    assert!(plain.contains(GITHUB), "{plain}");
    let text = String::from_utf8(env.run(&["show", ID, "--redact"]).stdout).unwrap();
    assert!(!text.contains(GITHUB) && !text.contains(AKIA), "{text}");
    assert!(text.contains("[REDACTED:github-token]"), "{text}");
    let doc = env.json(&["show", ID, "--json", "--redact"]);
    let json = doc.to_string();
    assert!(!json.contains(GITHUB) && !json.contains(AKIA), "{json}");
    assert!(json.contains("[REDACTED:github-token]"), "{json}");
}
