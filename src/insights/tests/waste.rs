//! Edit churn, re-reads, large outputs and build-folder reads, at their thresholds.

use serde_json::{Value, json};

use super::{answer, bash, insights, session, step};
use crate::insights::{Finding, Insights, Severity};

fn only<'i>(i: &'i Insights, id: &str) -> Vec<&'i Finding> {
    i.findings.iter().filter(|f| f.id.label() == id).collect()
}

fn edit(n: usize, path: &str, old: &str, new: &str) -> [Value; 2] {
    let input = json!({"file_path":path,"old_string":old,"new_string":new});
    step(n, "Edit", &input, Ok("The file has been updated."))
}

fn write(n: usize, path: &str, content: &str) -> [Value; 2] {
    step(
        n,
        "Write",
        &json!({"file_path":path,"content":content}),
        Ok("ok"),
    )
}

fn read(n: usize, path: &str) -> [Value; 2] {
    step(
        n,
        "Read",
        &json!({ "file_path": path }),
        Ok("1\tfn main() {}"),
    )
}

fn run(steps: Vec<[Value; 2]>) -> Insights {
    insights(session(steps, vec![answer(99, "Summary.")]))
}

#[test]
fn an_edit_undone_by_a_later_edit_is_churn() {
    let a = "/srv/app/src/a.rs";
    let once = run(vec![edit(1, a, "x", "y"), edit(2, a, "y", "x")]);
    let f = only(&once, "edit_churn");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Low);
    assert_eq!(f[0].calls, ["toolu_001", "toolu_002"]);
    // Going forward is not churn; neither is undoing on another file.
    assert!(
        only(
            &run(vec![edit(1, a, "x", "y"), edit(2, a, "y", "z")]),
            "edit_churn"
        )
        .is_empty()
    );
    let other = "/srv/app/src/b.rs";
    assert!(
        only(
            &run(vec![edit(1, a, "x", "y"), edit(2, other, "y", "x")]),
            "edit_churn"
        )
        .is_empty()
    );
    // Back and forth twice is medium.
    let flip = run(vec![
        edit(1, a, "x", "y"),
        edit(2, a, "y", "x"),
        edit(3, a, "x", "y"),
    ]);
    assert_eq!(only(&flip, "edit_churn")[0].severity, Severity::Medium);
    // A Write putting back an earlier content after another one.
    let writes = |contents: &[&str]| {
        run(contents
            .iter()
            .enumerate()
            .map(|(i, c)| write(i + 1, a, c))
            .collect())
    };
    assert_eq!(only(&writes(&["one", "two", "one"]), "edit_churn").len(), 1);
    assert!(only(&writes(&["one", "one"]), "edit_churn").is_empty());
}

#[test]
fn a_file_edited_ten_times_in_a_row_is_churn() {
    let a = "/srv/app/src/a.rs";
    let edits = |n: usize| {
        run((1..=n)
            .map(|i| edit(i, a, &format!("v{i}"), &format!("v{}", i + 1)))
            .collect())
    };
    assert!(only(&edits(9), "edit_churn").is_empty());
    let ten = edits(10);
    let f = only(&ten, "edit_churn");
    assert_eq!(f[0].title, "/srv/app/src/a.rs edited 10 times in a row");
    assert_eq!(f[0].calls.len(), 10);
}

#[test]
fn reading_an_unchanged_file_again_is_waste_from_three_reads() {
    let a = "/srv/app/src/a.rs";
    let rereads = |n: usize| run((1..=n + 1).map(|i| read(i, a)).collect());
    assert!(only(&rereads(2), "reread").is_empty());
    let three = rereads(3);
    let f = only(&three, "reread");
    assert_eq!(
        f[0].title,
        "3 reads of 1 file(s) already read and unchanged: /srv/app/src/a.rs ×3"
    );
    assert_eq!(f[0].calls, ["toolu_002", "toolu_003", "toolu_004"]);
    // An edit of the file, or a command naming it, makes the next read needed.
    let mut steps = vec![
        read(1, a),
        read(2, a),
        edit(3, a, "x", "y"),
        read(4, a),
        read(5, a),
    ];
    assert!(only(&run(steps.clone()), "reread").is_empty());
    steps[2] = bash(3, "sed -i s/x/y/ src/a.rs", Ok(""));
    assert!(only(&run(steps), "reread").is_empty());
}

#[test]
fn large_outputs_and_build_folder_reads() {
    let big = |n: usize, bytes: usize| {
        step(
            n,
            "Bash",
            &json!({"command":"cat log"}),
            Ok(&*"x".repeat(bytes)),
        )
    };
    assert!(only(&run(vec![big(1, 49_999)]), "large_output").is_empty());
    let large = run(vec![big(1, 60_000), big(2, 50_000)]);
    let f = only(&large, "large_output");
    assert_eq!(
        f[0].title,
        "2 tool output(s) of 50 KB or more; the largest 60 KB from Bash: cat log"
    );
    let in_target = |n: usize| read(n, &format!("/srv/app/target/debug/build/out{n}.txt"));
    assert!(only(&run(vec![in_target(1), in_target(2)]), "build_folder_read").is_empty());
    let three = run(vec![in_target(1), in_target(2), in_target(3)]);
    assert_eq!(only(&three, "build_folder_read")[0].calls.len(), 3);
    let grep = step(
        4,
        "Grep",
        &json!({"pattern":"x","path":"/srv/app/node_modules"}),
        Ok(""),
    );
    let mixed = run(vec![in_target(1), in_target(2), grep]);
    assert_eq!(only(&mixed, "build_folder_read").len(), 1);
}
