//! Insights with the real CLI (`insights_loop`): a check run three times in a row, failing each
//! time; a constant flipped back and forth; a claim of success with no test run after the edit.

use serde_json::Value;

use super::super::checks::{row, sessions_list};
use super::super::expect::Run;

/// The Bash and Edit calls' ids, in order, from `show`.
fn call_ids(show: &Value, tool: &str) -> Vec<String> {
    show["tool_calls"]
        .as_array()
        .expect("tool_calls[]")
        .iter()
        .filter(|c| c["name"] == tool)
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect()
}

pub fn insights_loop(run: &Run) {
    let ctx = run.context();
    let id = run.id(1);
    let list = sessions_list(run, std::slice::from_ref(&id));
    let doc = run.vouch(&["insights", "--session", &id, "--json"]);
    let insights = &doc["sessions"][0];
    let found: Vec<(&str, &str)> = insights["findings"]
        .as_array()
        .expect("findings[]")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or(""),
                f["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("loop", "high"),
            ("unverified_completion", "high"),
            ("edit_churn", "medium"),
            ("tool_errors", "low"),
        ],
        "{ctx}: {insights}"
    );
    // 100 - 25 - 25 - 10 - 3.
    assert_eq!(
        (insights["health"].as_u64(), insights["grade"].as_str()),
        (Some(37), Some("F")),
        "{ctx}"
    );
    let show = run.show(&id);
    let (bash, edits) = (call_ids(&show, "Bash"), call_ids(&show, "Edit"));
    let calls = |i: usize| -> Vec<String> {
        insights["findings"][i]["calls"]
            .as_array()
            .expect("calls[]")
            .iter()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(calls(0), bash, "{ctx}: the loop is the three checks");
    assert_eq!(
        calls(1),
        edits[2..],
        "{ctx}: the claim follows the last edit"
    );
    assert_eq!(calls(2), edits, "{ctx}: every edit undid or redid another");
    // One fact, one word: the list shows the same health and findings.
    let listed = row(&list, &id);
    assert_eq!(listed["health"], 37, "{ctx}");
    assert_eq!(listed["grade"], "F", "{ctx}");
    assert_eq!(listed["findings"]["loop"], 1, "{ctx}");
}
