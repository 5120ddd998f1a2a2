//! `git vouch blame` over the commit the real CLI made, after a person moved part of the agent's
//! file and added a line of their own (committed through the installed hooks).

use serde_json::Value;

use super::super::expect::Run;

/// The file after the agent's Write and Edit (what `write_edit_bash_read` commits):
/// `def greet(name):`, the two edited lines, two blank lines, and the `__main__` block.
pub fn blame_after_a_person_edits(run: &Run, id: &str) {
    let ctx = run.context();
    let path = run.wd.repo.join("greet.py");
    let agent = std::fs::read_to_string(&path).unwrap();
    let l: Vec<&str> = agent.lines().collect();
    assert_eq!(l.len(), 7, "{ctx}: {agent}");
    // The person puts the `__main__` block first and a docstring above it.
    let person = format!(
        "\"\"\"Greetings, written by hand.\"\"\"\n{}\n{}\n\n\n{}\n{}\n{}\n",
        l[5], l[6], l[0], l[1], l[2]
    );
    std::fs::write(&path, &person).unwrap();
    run.wd
        .git(&["commit", "-q", "-am", "Main block first, with a docstring"]);

    let blame = run.vouch(&["blame", "greet.py", "--json"]);
    assert_eq!(blame["schema"], "git-vouch/blame@1", "{ctx}");
    let (write, edit) = (call_id(run, id, "Write"), call_id(run, id, "Edit"));
    let agent_commit = run.commit("Add greet module");
    let person_commit = run.commit("Main block first, with a docstring");
    let line = |n: usize| &blame["lines"][n - 1];
    let who = |n: usize| {
        let l = line(n);
        (
            l["author"].as_str().unwrap_or("").to_owned(),
            l["basis"].as_str().unwrap_or("").to_owned(),
            l["session"].as_str().map(str::to_owned),
            l["tool_use_id"].as_str().map(str::to_owned),
            l["prompt"].as_u64(),
        )
    };
    let agent_line = |tool: &str| {
        (
            "agent".to_owned(),
            "recorded".to_owned(),
            Some(id.to_owned()),
            Some(tool.to_owned()),
            Some(1),
        )
    };
    // The docstring is the person's, from their commit's record.
    assert_eq!(
        who(1),
        ("human".into(), "recorded".into(), None, None, None),
        "{ctx}: {}",
        line(1)
    );
    assert_eq!(line(1)["commit"], Value::from(person_commit.as_str()));
    // The moved block keeps its first commit, its session, the Write that wrote it and the
    // prompt behind it.
    for n in [2, 3] {
        assert_eq!(who(n), agent_line(&write), "{ctx}: line {n}: {}", line(n));
        assert_eq!(
            line(n)["commit"],
            Value::from(agent_commit.as_str()),
            "{ctx}"
        );
    }
    assert_eq!(line(2)["orig_line"], 6, "{ctx}: the block was lines 6-7");
    // The function: its first line from the Write, the next two from the Edit.
    assert_eq!(who(6), agent_line(&write), "{ctx}: {}", line(6));
    for n in [7, 8] {
        assert_eq!(who(n), agent_line(&edit), "{ctx}: line {n}: {}", line(n));
    }
    let prompt = &blame["sessions"][0]["prompts"][0];
    assert_eq!(blame["sessions"][0]["id"], Value::from(id), "{ctx}");
    assert_eq!(prompt["text"], "Add a greet module and commit it", "{ctx}");
    // The blank lines between the blocks are new in the person's commit.
    for n in [4, 5] {
        assert_eq!(who(n).0, "human", "{ctx}: line {n}: {}", line(n));
    }
    let totals = &blame["totals"];
    assert_eq!(
        (totals["agent"].as_u64(), totals["human"].as_u64()),
        (Some(5), Some(3)),
        "{ctx}"
    );

    why_line_7(run, l[1]);
    diff_marks_each_added_line(run, id, &agent_commit);
}

/// `git vouch diff`: the person's commit alone shows the block it moved as the agent's (blamed
/// back past the range), and the two commits together show every line as blame does.
fn diff_marks_each_added_line(run: &Run, id: &str, agent_commit: &str) {
    let ctx = run.context();
    let authors = |range: &str| -> Vec<(String, Option<String>)> {
        let doc = run.vouch(&["diff", range, "--json"]);
        assert_eq!(doc["schema"], "git-vouch/diff@1", "{ctx}");
        let file = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "greet.py")
            .unwrap_or_else(|| panic!("{ctx}: greet.py not in {doc}"));
        file["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["kind"] == "added")
            .map(|l| {
                (
                    l["by"]["author"].as_str().unwrap_or("").to_owned(),
                    l["by"]["session"].as_str().map(str::to_owned),
                )
            })
            .collect()
    };
    let (agent, human) = (
        ("agent".to_owned(), Some(id.to_owned())),
        ("human".to_owned(), None),
    );
    assert_eq!(
        authors("HEAD~1..HEAD"),
        [
            human.clone(),
            agent.clone(),
            agent.clone(),
            human.clone(),
            human.clone()
        ],
        "{ctx}"
    );
    let both = format!("{agent_commit}~1..HEAD");
    let mut want = vec![
        human.clone(),
        agent.clone(),
        agent.clone(),
        human.clone(),
        human,
    ];
    want.extend([agent.clone(), agent.clone(), agent]);
    assert_eq!(authors(&both), want, "{ctx}");
    let text = run.vouch_output(&["diff", &both]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("greet.py  added +8 −0 · 5 agent · 3 human · 0 unknown"),
        "{ctx}: {text}"
    );
}

/// `--why 7`: the Edit behind the line, with its patch, its prompt and the conversation around it.
fn why_line_7(run: &Run, edited: &str) {
    let ctx = run.context();
    // --why: the line's prompt, its tool call with the patch, and the conversation around it.
    let why = run.vouch(&["blame", "greet.py", "--why", "7", "--json"]);
    assert_eq!(why["tool_call"]["name"], "Edit", "{ctx}: {why}");
    assert_eq!(why["prompt"]["text"], "Add a greet module and commit it");
    let patch: Vec<&str> = why["tool_call"]["patch"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        patch.contains(&format!("+{edited}").as_str()),
        "{ctx}: {patch:?}"
    );
    let this: Vec<&Value> = why["conversation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["this_call"] == true)
        .collect();
    assert_eq!(this.len(), 1, "{ctx}: {why}");
    assert!(
        this[0]["text"].as_str().unwrap().starts_with("Edit "),
        "{ctx}"
    );
    let text = run.vouch_output(&["blame", "greet.py", "--why", "7"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Add a greet module and commit it"),
        "{ctx}: {text}"
    );
    assert!(
        text.contains("agent lines recorded by the hooks"),
        "{ctx}: {text}"
    );
}

/// The id of the session's call of `tool`, as `show` lists it.
fn call_id(run: &Run, id: &str, tool: &str) -> String {
    let show = run.show(id);
    show["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["tool"] == tool)
        .and_then(|f| f["tool_use_id"].as_str())
        .unwrap_or_else(|| panic!("{}: no {tool} call in show", run.context()))
        .to_owned()
}
