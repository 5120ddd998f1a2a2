//! Benchmark: the explorer's speed, measured on the real binary in a real terminal (tmux).
//!
//! ```sh
//! cargo bench --bench explorer                                 # 1024 MiB + a 200 MB session, 5 runs
//! cargo bench --bench explorer -- --size-mb 64 --big-mb 50 --runs 3
//! ```
//!
//! Targets (issue 6), with a warm index over the transcripts benchmark's 1 GiB corpus: the first
//! frame within 150 ms of start; opening a 200 MB session shows its overview within 1 s; no frame
//! takes longer than 50 ms to draw.
//!
//! It reuses the transcripts benchmark's corpus (`target/bench/corpus-<MiB>-<seed>/`, generated
//! by `corpus.rs` when missing) and adds one large session apart from it
//! (`target/bench/explorer-big-<MB>-<seed>/`; the corpus caps sessions at 40 MB), both given to
//! git-vouch through `CLAUDE_CONFIG_DIR`. The index cache is warmed once, then each run starts
//! `git-vouch` in tmux with `GIT_VOUCH_FRAME_LOG` (see `src/tui/frame_log.rs`), waits for the
//! sessions, moves, sorts, searches for the large session by its id and presses Enter on it,
//! waiting on the log after every key. From the log it takes the first frame's time since the
//! process started, every frame's draw time, and the time from the Enter key to the first frame
//! drawn after `detail_loaded` (reported as not measured when the build has no detail screen).
//! It prints each run, medians, and a PASS/FAIL line per target; it fails (exit 1) only when the
//! explorer cannot be driven.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it does a quick smoke run instead: a
//! 2 MiB corpus, a 2 MB session, one run.

mod corpus;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const TARGET_FIRST_FRAME_MS: f64 = 150.0;
const TARGET_DETAIL_MS: f64 = 1000.0;
const TARGET_FRAME_MS: f64 = 50.0;
/// How long to wait for a detail screen before calling it absent.
const DETAIL_WAIT: Duration = Duration::from_secs(15);

struct Args {
    size_mb: u64,
    big_mb: u64,
    runs: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        size_mb: 1024,
        big_mb: 200,
        runs: 5,
        seed: 2,
    };
    let (mut bench, mut size_given, mut big_given) = (false, false, false);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match arg.as_str() {
            "--bench" => bench = true,
            "--size-mb" => (args.size_mb, size_given) = (value("--size-mb")?.max(1), true),
            "--big-mb" => (args.big_mb, big_given) = (value("--big-mb")?.max(1), true),
            "--runs" => args.runs = value("--runs")?.max(1) as usize,
            "--seed" => args.seed = value("--seed")?,
            other => eprintln!("note: ignoring argument '{other}'"),
        }
    }
    if !bench {
        args.size_mb = if size_given { args.size_mb } else { 2 };
        args.big_mb = if big_given { args.big_mb } else { 2 };
        args.runs = 1;
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("explorer bench: {e}");
            return ExitCode::from(2);
        }
    };
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("explorer bench: skipped (tmux is not installed)");
        return ExitCode::SUCCESS;
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("explorer bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> io::Result<()> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_git-vouch"));
    let work = bin
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("bench");
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude");
    let corpus = corpus_dir(&work, &templates, args.size_mb, args.seed)?;
    let (big_id, big_dir) = big_session(&work, &templates, args.big_mb, args.seed)?;
    let scratch = work.join(format!(
        "explorer-run-{}-{}-{}",
        args.size_mb, args.big_mb, args.seed
    ));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(scratch.join("home"))?;
    let env = Env {
        bin,
        config: format!("{},{}", corpus.display(), big_dir.display()),
        home: scratch.join("home"),
        cache: scratch.join("cache"),
    };
    warm(&env)?;
    let mut runs = Vec::new();
    for i in 0..args.runs {
        let log = scratch.join(format!("frames-{i}.log"));
        let r = drive(&env, &log, &big_id)?;
        println!(
            "run {}: first frame {:.1} ms, sessions shown {:.1} ms, {} frames, slowest {:.2} ms, detail {}",
            i + 1,
            r.first_frame,
            r.sessions_shown,
            r.frames,
            r.slowest,
            r.detail
                .map_or_else(|| "not measured".to_owned(), |d| format!("{d:.1} ms"))
        );
        runs.push(r);
    }
    report(args, &runs);
    Ok(())
}

/// The transcripts benchmark's corpus, generated when missing.
fn corpus_dir(work: &Path, templates: &Path, size_mb: u64, seed: u64) -> io::Result<PathBuf> {
    let dir = work.join(format!("corpus-{size_mb}-{seed}"));
    let marker = dir.join("truth.json");
    let target_bytes = size_mb << 20;
    if let Ok(truth) = corpus::Truth::load(&marker)
        && truth.generator == corpus::GENERATOR_VERSION
        && truth.seed == seed
        && truth.target_bytes == target_bytes
    {
        println!("corpus: reusing {}", dir.display());
        return Ok(dir);
    }
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    println!(
        "corpus: generating {size_mb} MiB (seed {seed}) into {} ...",
        dir.display()
    );
    let options = corpus::Options { target_bytes, seed };
    corpus::generate(templates, &dir, &options)?.save(&marker)?;
    Ok(dir)
}

/// The large session, generated when missing: its id and the folder to add to the config dirs.
fn big_session(work: &Path, templates: &Path, mb: u64, seed: u64) -> io::Result<(String, PathBuf)> {
    let dir = work.join(format!(
        "explorer-big-{mb}-{seed}-v{}",
        corpus::GENERATOR_VERSION
    ));
    let marker = dir.join("session-id");
    if let Ok(id) = fs::read_to_string(&marker) {
        return Ok((id.trim().to_owned(), dir));
    }
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir)?;
    println!(
        "large session: generating {mb} MB into {} ...",
        dir.display()
    );
    let (id, main) = corpus::generate_one(templates, &dir, seed ^ 0x00b1_6000, mb * 1_000_000)?;
    println!(
        "large session: {id}, {:.0} MB",
        fs::metadata(&main)?.len() as f64 / 1e6
    );
    fs::write(&marker, &id)?;
    Ok((id, dir))
}

struct Env {
    bin: PathBuf,
    config: String,
    home: PathBuf,
    cache: PathBuf,
}

/// Fills the index cache: every run after this is a warm start.
fn warm(env: &Env) -> io::Result<()> {
    let start = Instant::now();
    let status = Command::new(&env.bin)
        .args(["sessions", "--json"])
        .env("CLAUDE_CONFIG_DIR", &env.config)
        .env("HOME", &env.home)
        .env("GIT_VOUCH_CACHE_DIR", &env.cache)
        .current_dir(&env.home)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "warming the index failed: {status}"
        )));
    }
    println!(
        "index: warmed in {:.2} s ({})",
        start.elapsed().as_secs_f64(),
        env.cache.display()
    );
    Ok(())
}

/// One run's figures.
struct RunFigures {
    first_frame: f64,
    sessions_shown: f64,
    frames: usize,
    slowest: f64,
    detail: Option<f64>,
}

/// Runs the explorer once in tmux and reads its frame log.
fn drive(env: &Env, log: &Path, big_id: &str) -> io::Result<RunFigures> {
    let _ = fs::remove_file(log);
    let t = Tmux::start(env, log)?;
    wait(log, "the sessions", Duration::from_mins(1), |l| {
        frame_after(l, "loaded").is_some()
    })?;
    // The first block of the id: no `-`, which tmux send-keys would read as an option.
    let prefix: String = big_id.chars().take(8).collect();
    // `a` first: the run's folder is inside this repository (target/), which scopes the list.
    for key in ["a", "j", "j", "j", "G", "g", "s", "s", "S", "/"] {
        t.key(log, key)?;
    }
    for c in prefix.chars() {
        t.key(log, &c.to_string())?;
    }
    t.key(log, "Enter")?;
    let opened = t.key_at(log, "Enter")?;
    let detail = wait(log, "the detail", DETAIL_WAIT, |l| {
        frame_after(l, "detail_loaded").is_some()
    })
    .ok()
    .and_then(|l| frame_after(&l, "detail_loaded"))
    .map(|f| f - opened);
    let lines = fs::read_to_string(log)?;
    let frames: Vec<(f64, f64)> = lines
        .lines()
        .filter_map(|l| Some((field(l, "t_ms")?, field(l, "draw_ms")?)))
        .collect();
    let first_frame = frames
        .first()
        .map(|f| f.0)
        .ok_or_else(|| io::Error::other("no frame in the log"))?;
    Ok(RunFigures {
        first_frame,
        sessions_shown: frame_after(&lines, "loaded").unwrap_or(f64::NAN),
        frames: frames.len(),
        slowest: frames.iter().map(|f| f.1).fold(0.0, f64::max),
        detail,
    })
}

/// The end of the first frame drawn after the first `event` line.
fn frame_after(log: &str, event: &str) -> Option<f64> {
    let mut seen = false;
    for line in log.lines() {
        if line.split(' ').next() == Some(event) {
            seen = true;
        } else if seen && line.starts_with("frame ") {
            return field(line, "t_ms");
        }
    }
    None
}

fn field(line: &str, name: &str) -> Option<f64> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(env: &Env, log: &Path) -> io::Result<Self> {
        // A new server per run: reusing a socket name races with the last one's shutdown.
        static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("git-vouch-bench-{}-{run}", std::process::id());
        let command = format!(
            "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME='{}' CLAUDE_CONFIG_DIR='{}' \
             GIT_VOUCH_CACHE_DIR='{}' GIT_VOUCH_FRAME_LOG='{}' '{}'",
            env.home.display(),
            env.config,
            env.cache.display(),
            log.display(),
            env.bin.display()
        );
        let ok = Command::new("tmux")
            .args(["-L", &socket, "new-session", "-d", "-x", "120", "-y", "40"])
            .arg("-c")
            .arg(&env.home)
            .arg(&command)
            .status()?
            .success();
        if !ok {
            return Err(io::Error::other("tmux could not start"));
        }
        Ok(Self { socket })
    }

    /// Sends a key and waits until the explorer has drawn a frame after it.
    fn key(&self, log: &Path, key: &str) -> io::Result<()> {
        self.key_at(log, key).map(|_| ())
    }

    /// Sends a key, waits for a frame after it, and returns when the key arrived (log time).
    fn key_at(&self, log: &Path, key: &str) -> io::Result<f64> {
        let before = fs::read_to_string(log)?
            .lines()
            .filter(|l| l.starts_with("key "))
            .count();
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", key])
            .status()?;
        let text = wait(log, key, Duration::from_secs(10), |l| {
            nth_key_then_frame(l, before).is_some()
        })?;
        nth_key_then_frame(&text, before).ok_or_else(|| io::Error::other("key vanished"))
    }
}

/// Waits until `check` holds for the log, polling every millisecond.
fn wait(
    log: &Path,
    what: &str,
    limit: Duration,
    check: impl Fn(&str) -> bool,
) -> io::Result<String> {
    let start = Instant::now();
    loop {
        let text = fs::read_to_string(log).unwrap_or_default();
        if check(&text) {
            return Ok(text);
        }
        if start.elapsed() > limit {
            return Err(io::Error::other(format!("waited for {what}; log:\n{text}")));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The log time of the `n`-th `key` line (0-based), once a frame follows it.
fn nth_key_then_frame(log: &str, n: usize) -> Option<f64> {
    let mut lines = log.lines().filter(|l| l.starts_with("key ")).skip(n);
    let key = lines.next()?;
    let at = field(key, "t_ms")?;
    let after = log.split(key).nth(1)?;
    after.lines().any(|l| l.starts_with("frame ")).then_some(at)
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report(args: &Args, runs: &[RunFigures]) {
    let first = median(runs.iter().map(|r| r.first_frame).collect());
    let shown = median(runs.iter().map(|r| r.sessions_shown).collect());
    let slowest = median(runs.iter().map(|r| r.slowest).collect());
    let worst = runs.iter().map(|r| r.slowest).fold(0.0, f64::max);
    println!();
    println!(
        "explorer, {} MiB corpus + a {} MB session, {} runs (medians):",
        args.size_mb,
        args.big_mb,
        runs.len()
    );
    println!("  first frame           {first:8.1} ms");
    println!("  sessions shown        {shown:8.1} ms");
    println!("  slowest frame         {slowest:8.2} ms (worst run {worst:.2} ms)");
    let details: Vec<f64> = runs.iter().filter_map(|r| r.detail).collect();
    let detail = (details.len() == runs.len()).then(|| median(details));
    match detail {
        Some(d) => println!("  open large session    {d:8.1} ms"),
        None => println!("  open large session    not measured (no detail screen)"),
    }
    let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
    println!(
        "{}: first frame {first:.1} ms <= {TARGET_FIRST_FRAME_MS} ms",
        verdict(first <= TARGET_FIRST_FRAME_MS)
    );
    println!(
        "{}: slowest frame {worst:.2} ms <= {TARGET_FRAME_MS} ms",
        verdict(worst <= TARGET_FRAME_MS)
    );
    match detail {
        Some(d) => println!(
            "{}: {} MB session overview {d:.1} ms <= {TARGET_DETAIL_MS} ms",
            verdict(d <= TARGET_DETAIL_MS),
            args.big_mb
        ),
        None => println!("NOT MEASURED: opening a session (no detail screen in this build)"),
    }
}
