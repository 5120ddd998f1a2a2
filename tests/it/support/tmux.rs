//! A real terminal for end-to-end tests: tmux runs a shell command in a detached session on its
//! own server socket; keys go in with `send-keys`, the screen comes back with `capture-pane`,
//! and tests wait for content rather than sleeping. When the command ends the pane shows
//! `EXITED <code>`. Without tmux the test skips with a message (and fails under CI=true).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Tmux {
    socket: String,
}

/// Whether tmux can run here; `false` after printing why the test skips.
pub fn available() -> bool {
    if Command::new("tmux").arg("-V").output().is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "tmux is required under CI=true"
    );
    eprintln!("skipping: tmux is not installed");
    false
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Tmux {
    /// Runs `command` (a shell command line) in `dir` with exactly `env`, in a 120x40 terminal.
    pub fn run(dir: &Path, env: &[(String, String)], command: &str) -> Self {
        let socket = format!(
            "git-vouch-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let vars: Vec<String> = env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .collect();
        let line = format!(
            "cd {} && env -i TERM=xterm-256color {} sh -c {}; echo EXITED $?; sleep 60",
            quote(&dir.display().to_string()),
            vars.join(" "),
            quote(command)
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
            ])
            .arg(line)
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux could not start");
        Self { socket }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Sends tmux key names (`Tab`, `C-s`, `Escape`) or literal text with `literal`.
    pub fn keys(&self, keys: &[&str]) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys"])
            .args(keys)
            .status()
            .unwrap();
    }

    pub fn text(&self, text: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-l", text])
            .status()
            .unwrap();
    }

    /// Waits until `check` holds for the screen, up to `secs` seconds.
    pub fn wait_for(&self, secs: u64, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "waited for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        self.wait_for(20, what, check)
    }

    /// Waits for the command to end and returns its exit code.
    pub fn exit_code(&self) -> i32 {
        let screen = self.wait("the command to end", |s| s.contains("EXITED "));
        let tail = screen.split("EXITED ").nth(1).unwrap_or("");
        tail.split_whitespace().next().unwrap().parse().unwrap()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}
