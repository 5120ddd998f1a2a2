//! The recorder with the real CLI (`record_session`): the CLI runs under `git vouch record`, its
//! Bash sees only the one-run token, and every exchange the mock answered is in the store, call
//! for call, with the mock's usage, and nothing secret on disk.

use git_vouch::recorder::exchange::Outcome;
use git_vouch::recorder::store::Store;
use serde_json::Value;

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
    let store = Store::open(&run.state().join("exchanges")).expect("the exchange store");
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
    for f in std::fs::read_dir(run.state().join("exchanges")).expect("store folder") {
        disk.extend(std::fs::read(f.expect("entry").path()).unwrap_or_default());
    }
    for secret in [KEY, token, "AKIAIOSFODNN7EXAMPLE"] {
        let found = disk.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "{ctx}: {secret} is in the store");
    }
}

/// `/compact` through the recorder: Claude Code's compaction requests are answered and billed,
/// but its transcript holds no usage for them, so the transcript's figure falls short of what
/// the mock answered; the store has every call, its sum equal to the mock's, call for call.
pub fn record_compact(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    let store = Store::open(&run.state().join("exchanges")).expect("the exchange store");
    let recorded = store.exchanges(Some(&id)).expect("exchanges");
    let total = |u: &super::super::scenario::Usage| {
        u.input + u.output + u.cache_write_5m + u.cache_write_1h + u.cache_read
    };
    let recorded_total = recorded_as_served(run, &recorded);
    // The prompt's two answers, then at least one compaction request.
    let answered = run.served().count();
    assert!(
        answered >= 3,
        "{ctx}: no compaction request reached the mock"
    );
    assert_eq!(recorded.len(), answered, "{ctx}");
    // The transcript counts the prompt's answers only; the recording has the compaction calls
    // too, and the session's figures count them.
    let show = run.show(&id);
    let session = &show["session"];
    assert_eq!(session["compactions"], 1, "{ctx}");
    let prompt: u64 = run
        .served()
        .take(2)
        .filter_map(|e| e.usage)
        .map(|u| total(&u))
        .sum();
    let missing: u64 = run
        .served()
        .skip(2)
        .filter_map(|e| e.usage)
        .map(|u| total(&u))
        .sum();
    assert_eq!(
        recorded_total,
        prompt + missing,
        "{ctx}: the recorded figure"
    );
    let rec = &session["recording"];
    let tokens = |v: &Value| v["tokens"]["total"].as_u64().unwrap_or(0);
    assert_eq!(
        tokens(&rec["transcript"]),
        prompt,
        "{ctx}: the transcript's figure"
    );
    assert_eq!(tokens(&rec["recorded"]), recorded_total, "{ctx}: {rec}");
    assert_eq!(
        tokens(session),
        recorded_total,
        "{ctx}: the session's figure"
    );
    assert_eq!(session["assistant_messages"], answered, "{ctx}");
    let lacking = rec["not_in_transcript"]
        .as_array()
        .expect("not_in_transcript");
    assert_eq!(lacking.len(), answered - 2, "{ctx}: {rec}");
    for m in lacking {
        assert_eq!(m["kind"], "compaction", "{ctx}: {m}");
    }
    same_figures_everywhere(run, &id, session, recorded_total);
    let text = run.vouch_output(&["show", &id]);
    let text = String::from_utf8_lossy(&text.stdout);
    let phrase = format!(
        "{} not in the transcript: ",
        if answered - 2 == 1 {
            "1 call".to_owned()
        } else {
            format!("{} calls", answered - 2)
        }
    );
    assert!(text.contains(&phrase), "{ctx}: {text}");
}

/// One figure everywhere: the list, the usage report and the show document agree.
fn same_figures_everywhere(run: &Run, id: &str, session: &Value, recorded_total: u64) {
    let ctx = run.context();
    let rec = &session["recording"];
    let listed = run.vouch(&["sessions", "--json"]);
    let row = listed["sessions"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["id"] == id))
        .expect("the session in the list");
    assert_eq!(row["tokens"], session["tokens"], "{ctx}");
    assert_eq!(row["cost_usd"], session["cost_usd"], "{ctx}");
    assert_eq!(row["recording"], *rec, "{ctx}");
    let usage = run.vouch(&["usage", "session", "--json"]);
    assert_eq!(
        usage["totals"]["tokens"]["total"], recorded_total,
        "{ctx}: {usage}"
    );
    assert_eq!(usage["totals"]["cost_usd"], session["cost_usd"], "{ctx}");
}

/// Each call the mock answered is recorded with the mock's usage; returns their total.
fn recorded_as_served(
    run: &Run,
    recorded: &[(i64, git_vouch::recorder::exchange::Exchange)],
) -> u64 {
    let ctx = run.context();
    let mut recorded_total = 0;
    for e in run.served() {
        let (_, ex) = recorded
            .iter()
            .find(|(_, x)| x.request_id == e.request_id)
            .unwrap_or_else(|| panic!("{ctx}: {:?} not recorded", e.request_id));
        let usage = ex
            .response
            .as_ref()
            .and_then(|r| r.usage.clone())
            .unwrap_or_default();
        let field = |k: &str| {
            usage
                .get(k)
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        let mock = e.usage.unwrap_or_default();
        let got = [
            field("input_tokens"),
            field("output_tokens"),
            field("cache_creation_input_tokens"),
            field("cache_read_input_tokens"),
        ];
        let want = [
            mock.input,
            mock.output,
            mock.cache_write_5m + mock.cache_write_1h,
            mock.cache_read,
        ];
        assert_eq!(got, want, "{ctx}: {:?}", e.request_id);
        recorded_total += got.iter().sum::<u64>();
    }
    recorded_total
}
