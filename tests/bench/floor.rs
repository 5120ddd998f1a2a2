//! The floor of reading a corpus: every transcript file read and each of its records validated
//! with serde_json (JSONL lines, whole JSON files, opencode's `message` and `part` rows), nothing
//! extracted, on as many threads as git-vouch's scan uses, in this process (no start-up, no
//! index, no output). A reader that decodes each record once with serde_json cannot be faster,
//! so the benchmark prints it beside the cold run and ccusage: how much of the time any such
//! reader needs before it learns a single fact.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::de::IgnoredAny;

use crate::corpus_agents::Layout;

/// One unit of work: a file, or opencode's database.
enum Job {
    Lines(PathBuf),
    Whole(PathBuf),
    Database(PathBuf),
}

/// Reads and validates everything under `corpus`; the wall time in seconds and the records
/// validated.
pub fn measure(corpus: &Layout) -> io::Result<(f64, u64)> {
    let mut jobs = Vec::new();
    for dir in [&corpus.claude, &corpus.codex_home, &corpus.gemini_cli_home] {
        files(dir, &mut jobs)?;
    }
    let db = corpus.xdg_data_home.join("opencode").join("opencode.db");
    if db.exists() {
        jobs.push((u64::MAX, Job::Database(db)));
    }
    // Largest first, as the scan orders its jobs; taken from the end.
    jobs.sort_by_key(|(len, _)| *len);
    let jobs = Mutex::new(jobs);
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let start = Instant::now();
    let records = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(|| worker(&jobs))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a floor worker"))
            .sum::<io::Result<u64>>()
    })?;
    Ok((start.elapsed().as_secs_f64(), records))
}

fn files(dir: &Path, out: &mut Vec<(u64, Job)>) -> io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            files(&path, out)?;
        } else if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            let len = entry.metadata()?.len();
            match ext {
                "jsonl" => out.push((len, Job::Lines(path))),
                "json" => out.push((len, Job::Whole(path))),
                _ => {}
            }
        }
    }
    Ok(())
}

fn worker(jobs: &Mutex<Vec<(u64, Job)>>) -> io::Result<u64> {
    let mut records = 0;
    loop {
        let job = jobs.lock().expect("jobs").pop();
        let Some((_, job)) = job else {
            return Ok(records);
        };
        records += match job {
            Job::Lines(path) => {
                let bytes = fs::read(path)?;
                let mut n = 0;
                let mut start = 0;
                let ends = memchr::memchr_iter(b'\n', &bytes).chain([bytes.len()]);
                for end in ends {
                    let line = &bytes[start..end];
                    start = end + 1;
                    if !line.is_empty() {
                        let _ = serde_json::from_slice::<IgnoredAny>(line);
                        n += 1;
                    }
                }
                n
            }
            Job::Whole(path) => {
                let _ = serde_json::from_slice::<IgnoredAny>(&fs::read(path)?);
                1
            }
            Job::Database(path) => rows(&path).map_err(io::Error::other)?,
        };
    }
}

/// opencode's message and part rows, each row's `data` validated.
fn rows(db: &Path) -> rusqlite::Result<u64> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut n = 0;
    for table in ["message", "part"] {
        let mut stmt = conn.prepare(&format!("SELECT data FROM {table}"))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            if let rusqlite::types::ValueRef::Text(text) = row.get_ref(0)? {
                let _ = serde_json::from_slice::<IgnoredAny>(text);
            }
            n += 1;
        }
    }
    Ok(n)
}
