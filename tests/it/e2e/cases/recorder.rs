//! The recorder with the real CLI (`record_session`): the CLI runs under `git vouch record`, its
//! Bash sees only the one-run token, and every exchange the mock answered is in the store, call
//! for call, with the mock's usage, and nothing secret on disk.

use git_vouch::recorder::exchange::Outcome;
use git_vouch::recorder::store::Store;

use super::super::expect::Run;

/// The dummy key the harness gives the CLI (the recorder's "real" credential here).
const KEY: &str = "sk-ant-test-dummy";

pub fn record_session(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    let seen = std::fs::read_to_string(run.wd.root.join("seen.txt")).expect("seen.txt");
    let mut lines = seen.lines();
    let (token, base) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    assert!(
        token.starts_with("vouch-run-") && token != KEY,
        "{ctx}: the agent saw {token}"
    );
    assert!(base.starts_with("http://127.0.0.1:"), "{ctx}: {base}");

    // Everything but the CLI's proxy probes (CONNECT to the mock as HTTP proxy) went through
    // the recorder, with the real credential.
    let through: Vec<_> = run.log.iter().filter(|e| e.kind != "connect").collect();
    for e in &through {
        assert_eq!(e.api_key.as_deref().unwrap_or(KEY), KEY, "{ctx}: {e:?}");
    }
    let store = Store::open(&run.wd.root.join("exchanges")).expect("the exchange store");
    let recorded = store.exchanges(None).expect("exchanges");
    assert_eq!(
        recorded.len(),
        through.len(),
        "{ctx}: one exchange per request the mock had"
    );
    // Call for call: each answered request's usage, as the mock sent it.
    for e in through.iter().filter(|e| e.request_id.is_some()) {
        let (_, ex) = recorded
            .iter()
            .find(|(_, x)| x.request_id == e.request_id)
            .unwrap_or_else(|| panic!("{ctx}: {:?} not recorded", e.request_id));
        assert_eq!(ex.outcome, Outcome::Completed, "{ctx}");
        assert_eq!(ex.session_id.as_deref(), Some(id.as_str()), "{ctx}");
        let usage = ex
            .response
            .as_ref()
            .and_then(|r| r.usage.clone())
            .unwrap_or_default();
        let mock = e.usage.unwrap_or_default();
        let field = |k: &str| {
            usage
                .get(k)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        assert_eq!(
            (
                field("input_tokens"),
                field("output_tokens"),
                field("cache_read_input_tokens")
            ),
            (mock.input, mock.output, mock.cache_read),
            "{ctx}: {:?}",
            e.request_id
        );
    }
    // The second request re-sent the first one's messages (the cache marker moved on): stored
    // once, rebuilt whole.
    let (last_id, last) = recorded.last().expect("an exchange");
    assert!(last.messages.kept > 0, "{ctx}: {:?}", last.messages);
    let whole = store.messages(*last_id).expect("messages");
    assert_eq!(
        whole.len(),
        last.messages.kept + last.messages.new.len(),
        "{ctx}"
    );
    let stderr = &run.sessions[0].stderr;
    let summary = format!(
        "git-vouch record: {} exchanges (0 failed, 0 refused)",
        recorded.len()
    );
    assert!(stderr.contains(&summary), "{ctx}: {stderr}");
    let mut disk = Vec::new();
    for f in std::fs::read_dir(run.wd.root.join("exchanges")).expect("store folder") {
        disk.extend(std::fs::read(f.expect("entry").path()).unwrap_or_default());
    }
    for secret in [KEY, token, "AKIAIOSFODNN7EXAMPLE"] {
        let found = disk.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{ctx}: {secret} is in the store");
    }
}
