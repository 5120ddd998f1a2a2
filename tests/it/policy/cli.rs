//! `git vouch policy check` and `git vouch policy list`: JSON, exit codes, one session, and a
//! repository policy that exhausts its memory limit in its worker process.

use serde_json::Value;

use super::world::{SESSION, World, text};

fn check(w: &World, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["policy", "check", "--json"];
    all.extend_from_slice(args);
    let out = w.run("git-vouch", &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), doc, text(&out))
}

#[test]
fn check_reports_json_and_exit_codes() {
    let w = World::new();
    w.agent_commit();
    w.policy(
        "config.toml",
        "builtins = [\"approved-models\", \"no-dangerous-commands\"]\n[args]\napproved_models = [\"claude-opus-*\"]\n",
    );
    let (code, doc, all) = check(&w, &["main..feature"]);
    assert_eq!(code, Some(1), "{all}");
    assert_eq!(doc["schema"], "git-vouch/policy-check@1");
    assert_eq!(doc["sessions"], serde_json::json!([SESSION]));
    assert_eq!(doc["violations"], 1);
    assert_eq!(doc["errors"], 0);
    let policies = doc["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 2);
    assert_eq!(policies[0]["status"], "violated");
    assert_eq!(
        policies[0]["violations"][0]["message"],
        "model claude-sonnet-4-5-20250929 is not approved (6 requests)"
    );
    assert_eq!(policies[1]["name"], "no-dangerous-commands");
    assert_eq!(policies[1]["status"], "pass");

    // Text: per policy, with the session's short id.
    let out = w.run("git-vouch", &["policy", "check", "main..feature"]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("violated  approved-models (builtin)"), "{t}");
    assert!(
        t.contains("c1aa46c2: model claude-sonnet-4-5-20250929 is not approved"),
        "{t}"
    );

    w.policy(
        "config.toml",
        "builtins = [\"approved-models\"]\n[args]\napproved_models = [\"claude-*\"]\n",
    );
    let (code, doc, _) = check(&w, &["main..feature"]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["violations"], 0);

    // A policy that cannot be evaluated: exit 2, the JSON still printed.
    w.policy(
        "broken.rego",
        "package broken\nviolations contains x if {\n",
    );
    let (code, doc, all) = check(&w, &["main..feature"]);
    assert_eq!(code, Some(2), "{all}");
    assert_eq!(doc["errors"], 1);
    assert!(
        all.contains("1 of 2 policies could not be evaluated"),
        "{all}"
    );
}

#[test]
fn check_one_session_before_it_is_committed() {
    let w = World::new();
    w.policy("sessions.rego", "package s\nimport rego.v1\nviolations contains sprintf(\"%d actions\", [count(s.actions)]) if some s in input.sessions\n");
    // Nothing committed on this branch: the session is read from the capture state.
    let (code, doc, all) = check(&w, &["--session", &SESSION[..8]]);
    assert_eq!(code, Some(1), "{all}");
    assert_eq!(doc["sessions"], serde_json::json!([SESSION]));
    assert_eq!(doc["range"]["commits"], 0);
    assert_eq!(doc["policies"][0]["violations"][0]["message"], "3 actions");
    let (code, _, all) = check(&w, &["--session", "ffffffff"]);
    assert_eq!(code, Some(2));
    assert!(all.contains("no session 'ffffffff'"), "{all}");
}

#[test]
fn a_memory_hungry_policy_is_stopped_and_the_others_run() {
    let w = World::new();
    w.agent_commit();
    w.policy(
        "config.toml",
        "builtins = [\"no-secrets\"]\nmemory_limit_mb = 64\ntime_limit_ms = 20000\n",
    );
    // numbers.range materialises 300 million numbers (gigabytes) in one builtin call.
    w.policy(
        "hungry.rego",
        "package hungry\nimport rego.v1\nviolations contains sprintf(\"%d\", [count(numbers.range(1, 300000000))]) if true\n",
    );
    w.policy(
        "fine.rego",
        "package fine\nimport rego.v1\nviolations := []\n",
    );
    let (code, doc, all) = check(&w, &["main..feature"]);
    assert_eq!(code, Some(2), "{all}");
    let by_name = |n: &str| {
        doc["policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_name("hungry")["error"],
        ".vouch/policies/hungry.rego: evaluation stopped at the memory limit of 64 MiB"
    );
    assert_eq!(by_name("fine")["status"], "pass");
    assert_eq!(by_name("no-secrets")["status"], "pass");
}

#[test]
fn list_shows_builtins_and_repository_policies() {
    let w = World::new();
    w.policy(
        "config.toml",
        "builtins = [\"token-budget\"]\n[policy.old]\nenabled = false\n",
    );
    w.policy("old.rego", "package old\nimport rego.v1\n");
    w.policy(
        "team.rego",
        "package team\nimport rego.v1\nviolations := []\n",
    );
    let out = w.ok("git-vouch", &["policy", "list", "--json"]);
    let doc: Value = serde_json::from_str(
        out.lines()
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .as_str(),
    )
    .unwrap();
    assert_eq!(doc["schema"], "git-vouch/policy-list@1");
    let rows = doc["policies"].as_array().unwrap();
    let row = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap();
    // Eleven built-ins and the repository's two.
    assert_eq!(rows.len(), 13);
    assert_eq!(row("no-bypass-permissions")["enabled"], false);
    assert_eq!(row("verified-work")["enabled"], false);
    assert_eq!(row("token-budget")["enabled"], true);
    assert_eq!(row("approved-models")["enabled"], false);
    assert_eq!(row("old")["enabled"], false);
    assert_eq!(row("team")["enabled"], true);
    assert_eq!(row("team")["source"], ".vouch/policies/team.rego");
    let t = w.ok("git-vouch", &["policy", "list"]);
    assert!(t.contains("enabled  token-budget"), "{t}");
    assert!(t.contains("off      approved-models"), "{t}");
}
