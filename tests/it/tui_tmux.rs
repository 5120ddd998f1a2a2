//! The real binary in a real terminal: tmux runs `git-vouch --demo`, keys are sent with
//! `send-keys`, and the screen is read with `capture-pane`, always waiting for content to appear
//! rather than sleeping a fixed time. Skips with a message when tmux is absent (fails under
//! CI=true).

#![allow(clippy::unwrap_used)]

use crate::support::cli::TestEnv;
use crate::support::tmux;

use tmux::Tmux;

/// `git-vouch --demo` in the hermetic test environment, which lives as long as the terminal.
fn demo() -> Option<(Tmux, TestEnv)> {
    if !tmux::available() {
        return None;
    }
    let sandbox = TestEnv::new();
    let bin = env!("CARGO_BIN_EXE_git-vouch");
    let t = Tmux::run(
        sandbox.root(),
        &sandbox.string_vars(),
        &format!("'{bin}' --demo"),
    );
    Some((t, sandbox))
}

#[test]
fn explorer_lists_searches_helps_and_quits() {
    let Some((t, _home)) = demo() else {
        return;
    };
    let screen = t.wait("the demo sessions", |s| {
        s.contains("tasktrack") && s.contains("sessions")
    });
    // The worker finds their commits in the embedded demo repository.
    t.wait("commits and attestation state", |s| s.contains("unsigned"));
    assert!(screen.contains("Add due dates"), "{screen}");
    t.keys(&["/"]);
    t.text("haiku");
    // The whole condition is in the wait: a capture can land in the middle of a redraw.
    t.wait("the filtered list", |s| {
        s.contains("/ haiku") && !s.contains("Add due dates") && s.contains("Refactor")
    });
    t.keys(&["Escape"]);
    t.wait("the full list again", |s| s.contains("Add due dates"));
    t.keys(&["?"]);
    t.wait("the help screen", |s| {
        s.contains("Keys") && s.contains("Sort by the next column")
    });
    t.keys(&["q"]);
    t.wait("help closed", |s| !s.contains("Sort by the next column"));
    // Leaving is deliberate: q asks, n stays, a second q confirms.
    t.keys(&["q"]);
    t.wait("the question", |s| s.contains("Quit git-vouch?"));
    t.keys(&["n"]);
    t.wait("the list again", |s| {
        !s.contains("Quit git-vouch?") && s.contains("8 sessions")
    });
    t.keys(&["q"]);
    t.wait("the question", |s| s.contains("Quit git-vouch?"));
    t.keys(&["q"]);
    let screen = t.wait("the explorer to exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}

#[test]
fn explorer_opens_a_session_its_diff_and_blame_then_the_branch_and_its_diff() {
    let Some((t, _home)) = demo() else {
        return;
    };
    t.wait("the demo sessions", |s| s.contains("8 sessions"));
    t.keys(&["Enter"]);
    t.wait("the overview", |s| {
        s.contains("ca1d35fd-6780-4e61-8e9c-cecfdf00f63f") && s.contains("Overview")
    });
    t.keys(&["Tab"]);
    t.wait("tokens and cost", |s| s.contains("Cache hit ratio 95.6%"));
    t.keys(&["Tab"]);
    t.wait("the tools", |s| s.contains("13 calls of Read"));
    t.keys(&["Tab"]);
    t.wait("the sub-agents", |s| {
        s.contains("Review the import feature")
    });
    t.keys(&["Tab"]);
    t.wait("the commits, read from the demo repository", |s| {
        s.contains("Import tasks from CSV agent commit") && s.contains("Files (6)")
    });
    t.keys(&["Enter"]);
    for _ in 0..4 {
        t.keys(&["j"]);
    }
    t.keys(&["Enter"]);
    t.wait("the importer's diff", |s| {
        s.contains("tasktrack/importer.py · A agent")
            && s.contains(" A+ import csv")
            && s.contains("class CsvImportError")
    });
    // B: the file's blame at the commit, each line with the session and prompt behind it.
    t.keys(&["B"]);
    t.wait("the importer's blame", |s| {
        s.contains("blame tasktrack/importer.py")
            && s.contains("A ca1d35fd #1")
            && s.contains("prompt 1: Add `tasktrack import")
    });
    t.keys(&["B"]);
    t.wait("the diff again", |s| s.contains(" A+ import csv"));
    t.keys(&["6"]);
    t.wait("the conversation", |s| {
        s.contains("Main thread") && s.contains("▶ Prompt")
    });
    t.keys(&["/"]);
    t.text("unittest");
    t.keys(&["Enter"]);
    t.wait("a search match", |s| s.contains("/ unittest  1/"));
    t.keys(&["Escape"]);
    t.wait("the search cleared", |s| !s.contains("/ unittest"));
    t.keys(&["Escape"]);
    t.wait("the sessions again", |s| s.contains("8 sessions"));
    // The Branch view: every attestation state; D: the branch's whole diff, agent lines marked.
    t.keys(&["b"]);
    t.wait("the Branch view's states", |s| {
        s.contains("2 reviewed · 1 unreviewed · 3 unsigned · 1 untrusted · 1 invalid")
    });
    t.keys(&["D"]);
    t.wait("the branch's diff", |s| {
        s.contains("22 agent hunks") && s.contains("hunk 1 of 22") && s.contains("A+ ")
    });
    t.keys(&["n"]);
    t.wait("the next agent hunk", |s| s.contains("hunk 2 of 22"));
    t.keys(&["q"]);
    t.wait("the Branch view again", |s| s.contains("D diff"));
    t.keys(&["q"]);
    t.wait("the sessions again", |s| s.contains("8 sessions"));
    t.keys(&["q"]);
    t.wait("the question", |s| s.contains("Quit git-vouch?"));
    t.keys(&["y"]);
    let screen = t.wait("the explorer to exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}
