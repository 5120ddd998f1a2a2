//! `git config vouch.policy enforce|warn|off` at a real `git push` to a bare remote.

use super::world::{SESSION, World, text};

const UNAPPROVED: &str =
    "builtins = [\"approved-models\"]\n[args]\napproved_models = [\"claude-opus-*\"]\n";
const APPROVED: &str =
    "builtins = [\"approved-models\"]\n[args]\napproved_models = [\"claude-sonnet-4-5*\"]\n";

#[test]
fn enforce_refuses_a_violating_push_and_signs_the_passing_results() {
    let w = World::new();
    w.policy("config.toml", UNAPPROVED);
    w.ok("git", &["config", "vouch.policy", "enforce"]);
    w.agent_commit();
    let out = w.run("git", &["push", "origin", "feature"]);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("model claude-sonnet-4-5-20250929 is not approved"),
        "{all}"
    );
    assert!(all.contains("push refused by policy"), "{all}");
    assert!(!w.remote_has("feature"));
    assert!(
        !all.contains("attested"),
        "nothing is signed for a refused push: {all}"
    );

    w.policy("config.toml", APPROVED);
    let all = w.ok("git", &["push", "origin", "feature"]);
    assert!(all.contains("1 policy: 1 passed"), "{all}");
    assert!(w.remote_has("feature"));
    let evidence = w.signed_evidence("feature");
    let policies = &evidence["policies"]["policies"];
    assert_eq!(policies[0]["name"], "approved-models");
    assert_eq!(policies[0]["status"], "pass");
    assert_eq!(evidence["sessions"][0]["id"], SESSION);
}

#[test]
fn a_broken_policy_fails_closed_under_enforce() {
    let w = World::new();
    w.policy(
        "typo.rego",
        "package typo\nimport rego.v1\nviolations contains 1 iff true\n",
    );
    w.ok("git", &["config", "vouch.policy", "enforce"]);
    w.agent_commit();
    let out = w.run("git", &["push", "origin", "feature"]);
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains(".vouch/policies/typo.rego:3:"), "{all}");
    assert!(!w.remote_has("feature"));
    // Warn shows the same error and lets the push through.
    w.ok("git", &["config", "vouch.policy", "warn"]);
    let all = w.ok("git", &["push", "origin", "feature"]);
    assert!(all.contains(".vouch/policies/typo.rego:3:"), "{all}");
    assert!(w.remote_has("feature"));
}

#[test]
fn warn_is_the_default_shows_violations_and_records_them() {
    let w = World::new();
    w.policy("config.toml", UNAPPROVED);
    w.agent_commit();
    let all = w.ok("git", &["push", "origin", "feature"]);
    assert!(
        all.contains("model claude-sonnet-4-5-20250929 is not approved"),
        "{all}"
    );
    assert!(all.contains("attested 1 commit of"), "{all}");
    assert!(w.remote_has("feature"));
    let evidence = w.signed_evidence("feature");
    let result = &evidence["policies"]["policies"][0];
    assert_eq!(result["status"], "violated");
    assert_eq!(result["violations"][0]["session"], SESSION);
    assert_eq!(evidence["policies"]["violations"], 1);
    // The signed document, policies and actions included, follows the published schema.
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../assets/evidence.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&evidence)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        !evidence["sessions"][0]["actions"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn off_checks_nothing() {
    let w = World::new();
    w.policy("config.toml", UNAPPROVED);
    w.ok("git", &["config", "vouch.policy", "off"]);
    w.agent_commit();
    let all = w.ok("git", &["push", "origin", "feature"]);
    assert!(!all.contains("policies"), "{all}");
    assert!(w.remote_has("feature"));
    assert!(w.signed_evidence("feature").get("policies").is_none());
}
