//! The `rewind` scenario: `/rewind` exists only in the interactive CLI, so it runs in a real
//! terminal (tmux, `crate::support::tmux`): `gemini -m <model> --yolo -i <prompt>` answers the
//! prompt (a shell command, then text); `/rewind` opens the list of the session's prompts, the
//! prompt is selected (Up until it is marked `●`), Enter, then "1. Rewind conversation"; the CLI
//! appends `{"$rewindTo": <the prompt's id>}` and puts the prompt back in the input box, where
//! [`AGAIN`] is appended and sent; once that turn is answered, `/quit`. Every step waits for
//! the screen (and the mock, and the session file) rather than sleeping.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::scenario::{AGAIN, FIRST_ANSWER, MAIN, MODEL, SECOND_ANSWER, Scenario};
use super::{Workdir, mock::Mock, session, timeout};
use crate::support::tmux::Tmux;

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Waits until `check` holds, up to `secs`; panics naming `what` (and showing the screen).
fn until(t: &Tmux, secs: u64, what: &str, check: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let screen = t.screen();
        if check(&screen) {
            return screen;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "waited {secs} s for {what}; screen:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The text of the session files under `home/.gemini/tmp`.
fn session_text(home: &Path) -> String {
    let files: Vec<PathBuf> = session::find(&home.join(".gemini/tmp"));
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect()
}

/// Drives the rewind scenario; returns the CLI's exit code and how long it ran.
pub fn rewind(
    wd: &Workdir,
    sc: &Scenario,
    gemini: &Path,
    env: &[(String, String)],
    mock: &Mock,
) -> (i32, Duration) {
    let secs = timeout().as_secs();
    let started = Instant::now();
    let command = format!(
        "{} -m {MODEL} --yolo -i {}",
        quote(&gemini.display().to_string()),
        quote(sc.prompt)
    );
    let t = Tmux::run(&wd.repo(), env, &command);
    let home = wd.home();
    until(&t, secs, "the first answer", |s| {
        s.contains(FIRST_ANSWER)
            && s.contains("Type your message")
            && mock.served_to(MAIN) == 2
            && session_text(&home).contains(FIRST_ANSWER)
    });

    t.text("/rewind");
    until(&t, 30, "/rewind typed", |s| s.contains("/rewind"));
    t.keys(&["Enter"]);
    until(&t, 30, "the rewind list", |s| {
        s.contains("Stay at current position")
    });
    let marked = |s: &str| s.lines().any(|l| l.contains('●') && l.contains(sc.prompt));
    for _ in 0..8 {
        if marked(&t.screen()) {
            break;
        }
        t.keys(&["Up"]);
        std::thread::sleep(Duration::from_millis(300));
    }
    until(&t, 10, "the prompt selected", marked);
    t.keys(&["Enter"]);
    until(&t, 30, "the confirmation", |s| {
        s.lines()
            .any(|l| l.contains('●') && l.contains("Rewind conversation"))
    });
    t.keys(&["Enter"]);
    until(&t, 30, "the rewind written", |s| {
        !s.contains("Rewind conversation") && session_text(&home).contains("$rewindTo")
    });

    // The rewind put the prompt back in the input box: extend it and send it again.
    until(&t, 30, "the prompt back in the input box", |s| {
        s.contains(sc.prompt) && !s.contains("Type your message")
    });
    t.text(AGAIN);
    until(&t, 30, "the extended prompt", |s| s.contains(AGAIN.trim()));
    t.keys(&["Enter"]);
    until(&t, secs, "the answer after the rewind", |s| {
        s.contains(SECOND_ANSWER)
            && s.contains("Type your message")
            && mock.served_to(MAIN) == 4
            && session_text(&home).contains(SECOND_ANSWER)
    });

    t.text("/quit");
    until(&t, 30, "/quit typed", |s| s.contains("/quit"));
    t.keys(&["Enter"]);
    let code = t.exit_code();
    (code, started.elapsed())
}
