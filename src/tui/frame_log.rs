//! Frame timings for the explorer's benchmark: with `GIT_VOUCH_FRAME_LOG=<file>` the runner
//! appends one line per event, `<event> t_ms=<since start> [draw_ms=<duration>]`:
//!
//! - `frame`: a frame was drawn; `t_ms` is when its drawing ended, `draw_ms` how long it took
//!   (the first one is the first frame the person sees);
//! - `key`: a key press arrived (before it is applied);
//! - the name of a message that finished a job, when applied (see [`crate::tui::Msg::event`]):
//!   `loaded`, `commits_loaded`, and `detail_loaded` once a session detail arrives.
//!
//! Times are measured with `Instant` from [`mark_start`], called first thing in the process.
//! They measure the program, not the domain: the domain's clock is `crate::clock`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable naming the log file.
pub const ENV: &str = "GIT_VOUCH_FRAME_LOG";

static START: OnceLock<Instant> = OnceLock::new();

/// Records the start of the process (the first call wins).
pub fn mark_start() {
    START.get_or_init(Instant::now);
}

/// An open frame log.
pub struct FrameLog {
    out: BufWriter<File>,
    start: Instant,
}

impl FrameLog {
    /// The log named by [`ENV`], if set and writable.
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os(ENV)?;
        Self::open(Path::new(&path)).ok()
    }

    fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::options().create(true).append(true).open(path)?;
        Ok(Self {
            out: BufWriter::new(file),
            start: *START.get_or_init(Instant::now),
        })
    }

    /// A frame that took `draw` and has just been drawn.
    pub fn frame(&mut self, draw: Duration) {
        let line = format!(
            "frame t_ms={:.3} draw_ms={:.3}\n",
            ms(self.start.elapsed()),
            ms(draw)
        );
        self.write(&line);
    }

    /// Something else that happened now.
    pub fn event(&mut self, name: &str) {
        let line = format!("{name} t_ms={:.3}\n", ms(self.start.elapsed()));
        self.write(&line);
    }

    /// Lines are flushed at once: the benchmark reads the file while the explorer runs.
    fn write(&mut self, line: &str) {
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_the_event_and_times() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("frames.log");
        let mut log = FrameLog::open(&path).unwrap();
        log.frame(Duration::from_micros(1500));
        log.event("key");
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("frame t_ms="), "{text}");
        assert!(lines[0].ends_with(" draw_ms=1.500"), "{text}");
        assert!(lines[1].starts_with("key t_ms="), "{text}");
    }
}
