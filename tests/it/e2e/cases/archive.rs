//! Sessions outlive Claude Code's cleanup: once the live transcripts are deleted, the session is
//! read from the repository's transcript archive (what capture copied), with the same figures,
//! and says so.

use serde_json::Value;

use super::super::checks::row;
use super::super::expect::Run;

/// Every `.jsonl` under `dir`, removed as Claude Code's 30-day cleanup removes them.
fn remove_transcripts(dir: &std::path::Path) -> usize {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            removed += remove_transcripts(&path);
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            std::fs::remove_file(&path).unwrap();
            removed += 1;
        }
    }
    removed
}

pub fn read_from_the_archive_after_cleanup(run: &Run, id: &str) {
    let ctx = run.context();
    let figures = |doc: &Value| {
        let r = row(doc, id);
        [
            "tokens",
            "cost_usd",
            "user_prompts",
            "assistant_messages",
            "tool_calls",
            "models",
            "title",
        ]
        .map(|k| (k, r[k].clone()))
    };
    let before = run.vouch(&["sessions", "--json"]);
    assert!(row(&before, id).get("archived").is_none(), "{ctx}");
    let removed = remove_transcripts(&run.wd.config.join("projects"));
    assert!(removed > 0, "{ctx}: no live transcript to remove");
    let after = run.vouch(&["sessions", "--json"]);
    assert_eq!(figures(&after), figures(&before), "{ctx}");
    assert_eq!(row(&after, id)["archived"], true, "{ctx}");
    assert_eq!(
        after["sessions"].as_array().unwrap().len(),
        before["sessions"].as_array().unwrap().len(),
        "{ctx}: each session once"
    );
    let show = run.vouch_output(&["show", id]);
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains("read from this repository's transcript archive"),
        "{ctx}: {show}"
    );
    let usage = run.vouch(&["usage", "session", "--json"]);
    assert_eq!(
        usage["totals"]["tokens"],
        row(&before, id)["tokens"],
        "{ctx}"
    );
}
