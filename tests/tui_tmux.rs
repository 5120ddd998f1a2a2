//! The real binary in a real terminal: tmux runs `git-vouch --demo`, keys are sent with
//! `send-keys`, and the screen is read with `capture-pane`, always waiting for content to appear
//! rather than sleeping a fixed time. Skips with a message when tmux is absent (fails under
//! CI=true).

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One tmux server per test: the tests run in parallel in one process.
static NEXT_SERVER: AtomicUsize = AtomicUsize::new(0);

struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn start(args: &str) -> Option<Self> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "tmux is required under CI=true"
            );
            eprintln!("skipping: tmux is not installed");
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        let n = NEXT_SERVER.fetch_add(1, Ordering::Relaxed);
        let socket = format!("git-vouch-test-{}-{n}", std::process::id());
        let bin = env!("CARGO_BIN_EXE_git-vouch");
        let command = format!(
            "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME='{}' GIT_VOUCH_NOW=2026-11-21T12:00:00Z '{bin}' {args}; echo EXITED $?; sleep 30",
            home.path().display()
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
                &command,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux could not start");
        Some(Self {
            socket,
            _home: home,
        })
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .unwrap();
    }

    /// Waits until `check` holds for the screen, up to ten seconds.
    fn wait(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn explorer_lists_searches_helps_and_quits() {
    let Some(t) = Tmux::start("--demo") else {
        return;
    };
    let screen = t.wait("the demo sessions", |s| {
        s.contains("tasktrack") && s.contains("sessions")
    });
    // The worker finds their commits in the embedded demo repository.
    t.wait("commits and attestation state", |s| s.contains("unsigned"));
    assert!(screen.contains("Add due dates"), "{screen}");
    t.keys("/");
    t.keys("haiku");
    // The whole condition is in the wait: a capture can land in the middle of a redraw.
    t.wait("the filtered list", |s| {
        s.contains("/ haiku") && !s.contains("Add due dates") && s.contains("Refactor")
    });
    t.keys("Escape");
    t.wait("the full list again", |s| s.contains("Add due dates"));
    t.keys("?");
    t.wait("the help screen", |s| {
        s.contains("Keys") && s.contains("Sort by the next column")
    });
    t.keys("q");
    t.wait("help closed", |s| !s.contains("Sort by the next column"));
    t.keys("q");
    let screen = t.wait("the explorer to exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}

#[test]
fn explorer_opens_a_session_cycles_tabs_shows_a_diff_and_searches() {
    let Some(t) = Tmux::start("--demo") else {
        return;
    };
    t.wait("the demo sessions", |s| s.contains("8 sessions"));
    t.keys("Enter");
    t.wait("the overview", |s| {
        s.contains("ca1d35fd-6780-4e61-8e9c-cecfdf00f63f") && s.contains("Overview")
    });
    t.keys("Tab");
    t.wait("tokens and cost", |s| s.contains("Cache hit ratio 95.6%"));
    t.keys("Tab");
    t.wait("the tools", |s| s.contains("13 calls of Read"));
    t.keys("Tab");
    t.wait("the sub-agents", |s| {
        s.contains("Review the import feature")
    });
    t.keys("Tab");
    t.wait("the commits, read from the demo repository", |s| {
        s.contains("Import tasks from CSV agent commit") && s.contains("Files (6)")
    });
    t.keys("Enter");
    for _ in 0..4 {
        t.keys("j");
    }
    t.keys("Enter");
    t.wait("the importer's diff", |s| {
        s.contains("tasktrack/importer.py · A agent")
            && s.contains(" A+ import csv")
            && s.contains("class CsvImportError")
    });
    t.keys("6");
    t.wait("the conversation", |s| {
        s.contains("Main thread") && s.contains("▶ Prompt")
    });
    t.keys("/");
    t.keys("unittest");
    t.keys("Enter");
    t.wait("a search match", |s| s.contains("/ unittest  1/"));
    t.keys("Escape");
    t.wait("the search cleared", |s| !s.contains("/ unittest"));
    t.keys("Escape");
    t.wait("the sessions again", |s| s.contains("8 sessions"));
    t.keys("q");
    let screen = t.wait("the explorer to exit", |s| s.contains("EXITED"));
    assert!(screen.contains("EXITED 0"), "{screen}");
}
