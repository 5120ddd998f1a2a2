//! Benchmark: `git-vouch sessions --json` against ccusage on a large generated corpus of the four
//! agents git-vouch reads.
//!
//! ```sh
//! cargo bench --bench transcripts                                  # 1024 MiB, 5 runs each
//! cargo bench --bench transcripts -- --size-mb 1024 --runs 5 --seed 2
//! cargo bench --bench transcripts -- --mix claude=100              # Claude Code only
//! ```
//!
//! It generates (once, then reuses) a corpus from the recorded fixtures of each agent, mixed by
//! share of bytes (`--mix`, default `claude=55,codex=25,gemini=10,opencode=10`), into
//! `target/bench/corpus-<MiB>-<seed>-mix-<mix>/` (`claude/`, `codex/`, `gemini-home/`,
//! `xdg-data/opencode/opencode.db` and `truth.json`; see `corpus_agents.rs`); `--mix claude=100`
//! is the Claude Code corpus of `corpus.rs` alone, in `target/bench/corpus-<MiB>-<seed>/`. It
//! installs ccusage 20.0.24 (native) and 17.2.1 (TypeScript) with npm into
//! `target/bench/ccusage-<version>/` when missing, then runs side by side, rotating the order
//! every round:
//!
//! - git-vouch cold: `sessions --json` with a fresh, empty `GIT_VOUCH_CACHE_DIR` every run;
//! - git-vouch no-cache: `--no-cache sessions --json`;
//! - git-vouch warm: `sessions --json` with a cache filled before the rounds, nothing changed
//!   (run 10 times a round: one run is within the machine's noise);
//! - `ccusage session --json --offline` of both versions;
//! - with `--baseline BIN`, the same three git-vouch runs of another build (an earlier commit),
//!   to measure what a change costs: the insights' detectors may add at most 50% to the cold
//!   time and nothing beyond noise (10%) to the warm one.
//!
//! Every run gets `CLAUDE_CONFIG_DIR`, `CODEX_HOME`, `GEMINI_CLI_HOME` and `XDG_DATA_HOME` = the
//! corpus's folders, `GEMINI_DATA_DIR` = its Gemini `tmp` folder (ccusage reads Gemini CLI's chats
//! from there, not from `GEMINI_CLI_HOME`) and an empty `HOME`. Wall time is measured around the
//! child, peak RSS with GNU `/usr/bin/time -f %M`. The OS page cache is warm (a priming run reads
//! the corpus first). It prints medians (and min/max), ratios to ccusage, a PASS/FAIL line per
//! target, and ccusage's totals per agent beside the truth; the exit code is non-zero only when
//! git-vouch's totals or per-session tokens (or agents) differ from the generator's ground truth
//! (or git-vouch fails). A `--baseline` build must read the same agents.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it does a quick smoke run instead: a
//! 2 MiB mixed corpus, one run of each git-vouch mode, no ccusage.

mod corpus;
mod corpus_agents;
mod corpus_codex;
mod corpus_gemini;
mod corpus_opencode;
mod floor;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use corpus::{Tokens, Truth};
use corpus_agents::{AGENTS, Layout, Mix, MixTruth};

const DEFAULT_SIZE_MB: u64 = 1024;
const DEFAULT_RUNS: usize = 5;
const DEFAULT_SEED: u64 = 2;
const SMOKE_SIZE_MB: u64 = 2;

const CCUSAGE_NATIVE: &str = "20.0.24";
const CCUSAGE_TS: &str = "17.2.1";
const TIME: &str = "/usr/bin/time";

/// Targets from the issues.
const COLD_VS_CCUSAGE: f64 = 1.0 / 3.0;
const COLD_VS_BASELINE: f64 = 1.5;
const WARM_VS_BASELINE: f64 = 1.1;
const COLD_PEAK_MIB: f64 = 100.0;
const WARM_SECS: f64 = 0.1;
/// Warm runs per round.
const WARM_REPEATS: usize = 10;

struct Args {
    size_mb: u64,
    runs: usize,
    seed: u64,
    /// Not run by `cargo bench` (no `--bench` argument): a quick check only.
    smoke: bool,
    /// Another git-vouch build to run side by side.
    baseline: Option<PathBuf>,
    /// Each agent's share of the corpus.
    mix: Mix,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        size_mb: DEFAULT_SIZE_MB,
        runs: DEFAULT_RUNS,
        seed: DEFAULT_SEED,
        smoke: true,
        baseline: None,
        mix: Mix::parse(corpus_agents::DEFAULT_MIX)?,
    };
    let mut explicit_size = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a whole number"))
        };
        match arg.as_str() {
            "--bench" => args.smoke = false,
            "--size-mb" => {
                args.size_mb = value("--size-mb")?.max(1);
                explicit_size = true;
            }
            "--runs" => args.runs = value("--runs")?.max(1) as usize,
            "--seed" => args.seed = value("--seed")?,
            "--baseline" => {
                let path = it.next().ok_or("--baseline needs a git-vouch binary")?;
                args.baseline = Some(PathBuf::from(path));
            }
            "--mix" => {
                let text = it.next().ok_or("--mix needs agent=percent,…")?;
                args.mix = Mix::parse(&text)?;
            }
            other => eprintln!("note: ignoring argument '{other}'"),
        }
    }
    if args.smoke {
        if !explicit_size {
            args.size_mb = SMOKE_SIZE_MB;
        }
        args.runs = 1;
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("transcripts bench: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("transcripts bench: {e}");
            ExitCode::from(2)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Setup: paths, corpus, ccusage.

struct Paths {
    git_vouch: PathBuf,
    /// `target/bench`.
    work: PathBuf,
    /// `fixtures/`: each agent's recorded sessions, the generators' templates.
    fixtures: PathBuf,
}

fn paths() -> Paths {
    let git_vouch = PathBuf::from(env!("CARGO_BIN_EXE_git-vouch"));
    // target/<profile>/git-vouch -> target/bench
    let target = git_vouch
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    Paths {
        git_vouch,
        work: target.join("bench"),
        fixtures: Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
    }
}

/// A generated corpus: where each agent's data lies, and the truth.
struct Corpus {
    layout: Layout,
    truth: MixTruth,
    /// Every agent's sessions together.
    merged: Truth,
    /// Session id to agent.
    agent_of: HashMap<String, String>,
}

/// The corpus of this size, seed and mix (see [`corpus_agents::ensure`]); Claude Code alone is
/// [`corpus::ensure`]'s, the other agents' variables naming empty folders.
fn corpus(p: &Paths, args: &Args) -> io::Result<Corpus> {
    let (layout, truth) = if args.mix.is_claude_only() {
        let templates = p.fixtures.join("claude");
        let (dir, truth) = corpus::ensure(&p.work, &templates, args.size_mb, args.seed)?;
        let mut layout = Layout::new(&p.work.join("no-agents"));
        layout.root.clone_from(&dir);
        layout.claude = dir;
        layout.create_all()?;
        (layout, MixTruth::claude_only(truth, &args.mix))
    } else {
        corpus_agents::ensure(&p.work, &p.fixtures, args.size_mb, args.seed, &args.mix)?
    };
    Ok(Corpus {
        merged: truth.merged(),
        agent_of: truth.agent_of(),
        layout,
        truth,
    })
}

/// The command to run ccusage `version` with, installing it with npm when missing.
fn ccusage(p: &Paths, version: &str, packages: &[String]) -> Option<PathBuf> {
    let prefix = p.work.join(format!("ccusage-{version}"));
    let launcher = prefix.join("node_modules/.bin/ccusage");
    let native = prefix.join("node_modules/@ccusage/ccusage-linux-x64/bin/ccusage");
    if !launcher.exists() {
        println!("ccusage {version}: npm install {} ...", packages.join(" "));
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
            ])
            .arg(&prefix)
            .args(packages)
            .stdin(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() && launcher.exists() => {}
            Ok(s) => {
                println!("ccusage {version}: skipped (npm install failed: {s})");
                return None;
            }
            Err(e) => {
                println!("ccusage {version}: skipped (cannot run npm: {e})");
                return None;
            }
        }
    }
    // The 20.x launcher is a Node script that only spawns the native binary: run the binary
    // itself, as its launcher would, without Node's start-up in the figures.
    if native.exists() {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(&native, fs::Permissions::from_mode(0o755));
        return Some(native);
    }
    Some(launcher)
}

fn version_of(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "?".to_owned())
}

// ---------------------------------------------------------------------------------------------
// Running and measuring.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cold,
    NoCache,
    Warm,
    Ccusage,
}

struct Tool {
    label: String,
    slug: String,
    kind: Kind,
    program: PathBuf,
    args: Vec<String>,
    secs: Vec<f64>,
    mib: Vec<f64>,
    failures: usize,
}

impl Tool {
    fn new(label: &str, slug: &str, kind: Kind, program: &Path, args: &[&str]) -> Self {
        Self {
            label: label.to_owned(),
            slug: slug.to_owned(),
            kind,
            program: program.to_path_buf(),
            args: args.iter().map(|&a| a.to_owned()).collect(),
            secs: Vec::new(),
            mib: Vec::new(),
            failures: 0,
        }
    }

    fn is_git_vouch(&self) -> bool {
        self.kind != Kind::Ccusage
    }
}

/// Where one run reads and writes.
struct RunEnv<'a> {
    corpus: &'a Layout,
    home: &'a Path,
    cache: &'a Path,
    out: &'a Path,
    time: Option<&'a Path>,
}

/// Runs a command once: wall seconds, peak RSS in MiB (when GNU time is there), success.
fn measure(tool: &Tool, env: &RunEnv<'_>) -> io::Result<(f64, Option<f64>, bool)> {
    let rss = env.out.with_extension("rss");
    let _ = fs::remove_file(&rss);
    let mut cmd = match env.time {
        Some(time) => {
            let mut c = Command::new(time);
            c.args(["-f", "%M", "-o"]).arg(&rss).arg(&tool.program);
            c
        }
        None => Command::new(&tool.program),
    };
    let c = env.corpus;
    cmd.args(&tool.args)
        .env("CLAUDE_CONFIG_DIR", &c.claude)
        .env("CODEX_HOME", &c.codex_home)
        .env("GEMINI_CLI_HOME", &c.gemini_cli_home)
        .env("GEMINI_DATA_DIR", c.gemini_tmp())
        .env("XDG_DATA_HOME", &c.xdg_data_home)
        .env_remove("OPENCODE_DB")
        .env_remove("OPENCODE_DATA_DIR")
        .env("HOME", env.home)
        .env("GIT_VOUCH_CACHE_DIR", env.cache)
        .env("NO_COLOR", "1")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("GIT_VOUCH_PRICING")
        .env_remove("GIT_VOUCH_NOW")
        .stdin(Stdio::null())
        .stdout(File::create(env.out)?)
        .stderr(File::create(env.out.with_extension("stderr"))?);
    let start = Instant::now();
    let status = cmd.status()?;
    let secs = start.elapsed().as_secs_f64();
    let mib = fs::read_to_string(&rss)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    Ok((secs, mib, status.success()))
}

/// Checks a git-vouch output file against the truth (every session's tokens and agent); returns
/// the problems found.
fn check_output(out: &Path, corpus: &Corpus) -> Vec<String> {
    let doc: serde_json::Value = match fs::read(out)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(doc) => doc,
        Err(e) => return vec![format!("{}: unreadable output: {e}", out.display())],
    };
    let mut problems = corpus::check_git_vouch(&doc, &corpus.merged);
    for row in doc["sessions"].as_array().into_iter().flatten() {
        let id = row["id"].as_str().unwrap_or("");
        let got = row["agent"].as_str().unwrap_or("");
        if let Some(agent) = corpus.agent_of.get(id)
            && got != corpus_agents::git_vouch_agent(agent)
        {
            problems.push(format!("session {id}: agent {got}, expected {agent}"));
        }
    }
    problems
}

struct Bench<'a> {
    corpus: &'a Corpus,
    time: Option<PathBuf>,
    tmp: PathBuf,
    problems: Vec<String>,
}

impl Bench<'_> {
    /// Each git-vouch run's own cache folder (a baseline's index differs from ours).
    fn cache_dir(&self, tool: &Tool) -> PathBuf {
        self.tmp.join(format!("cache-{}", tool.slug))
    }

    fn run_once(&mut self, tool: &mut Tool) -> io::Result<()> {
        let cache = self.cache_dir(tool);
        if tool.kind == Kind::Cold && cache.exists() {
            fs::remove_dir_all(&cache)?;
        }
        fs::create_dir_all(&cache)?;
        let home = self.tmp.join("home");
        fs::create_dir_all(&home)?;
        let out = self.tmp.join(format!("{}.json", tool.slug));
        let env = RunEnv {
            corpus: &self.corpus.layout,
            home: &home,
            cache: &cache,
            out: &out,
            time: self.time.as_deref(),
        };
        let (secs, mib, ok) = measure(tool, &env)?;
        if !ok {
            tool.failures += 1;
            let err = fs::read_to_string(out.with_extension("stderr")).unwrap_or_default();
            let msg = format!("{} failed: {}", tool.label, err.trim());
            println!("  {msg}");
            if tool.is_git_vouch() {
                self.problems.push(msg);
            }
            return Ok(());
        }
        tool.secs.push(secs);
        tool.mib.extend(mib);
        if tool.is_git_vouch() {
            let found = check_output(&out, self.corpus);
            self.problems
                .extend(found.into_iter().map(|p| format!("{}: {p}", tool.label)));
        }
        Ok(())
    }

    /// Fills each warm cache (and the OS page cache) with one untimed run.
    fn prime(&mut self, tools: &[Tool]) -> io::Result<()> {
        for tool in tools.iter().filter(|t| t.kind == Kind::Warm) {
            let mut warm = Tool::new(
                "git-vouch priming run",
                &tool.slug,
                Kind::Warm,
                &tool.program,
                &["sessions", "--json"],
            );
            let cache = self.cache_dir(&warm);
            if cache.exists() {
                fs::remove_dir_all(&cache)?;
            }
            self.run_once(&mut warm)?;
            if let Some(s) = warm.secs.first() {
                println!(
                    "priming run of {} (fills its warm cache and the page cache): {s:.2} s",
                    tool.label
                );
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics and report.

struct Stats {
    median: f64,
    min: f64,
    max: f64,
}

fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    };
    Some(Stats {
        median,
        min: v[0],
        max: v[n - 1],
    })
}

fn cell(s: Option<&Stats>, decimals: usize) -> String {
    s.map_or_else(
        || "n/a".to_owned(),
        |s| {
            format!(
                "{:.d$} [{:.d$}, {:.d$}]",
                s.median,
                s.min,
                s.max,
                d = decimals
            )
        },
    )
}

fn median_secs(tools: &[Tool], slug: &str) -> Option<f64> {
    tools
        .iter()
        .find(|t| t.slug == slug)
        .and_then(|t| stats(&t.secs))
        .map(|s| s.median)
}

fn print_table(tools: &[Tool], runs: usize) {
    let peers: Vec<(&str, Option<f64>)> = tools
        .iter()
        .filter(|t| t.kind == Kind::Ccusage)
        .map(|t| (t.label.as_str(), stats(&t.secs).map(|s| s.median)))
        .collect();
    let mut header = format!(
        "{:<24} {:>26} {:>26}",
        "", "wall s median [min, max]", "peak MiB median [min, max]"
    );
    for (label, _) in &peers {
        let _ = write!(header, " {:>18}", format!("/ {label}"));
    }
    println!(
        "\n{runs} run(s) each ({WARM_REPEATS} a round for warm ones), side by side, order rotated every round"
    );
    println!("{header}");
    for t in tools {
        let s = stats(&t.secs);
        let m = stats(&t.mib);
        let mut line = format!(
            "{:<24} {:>26} {:>26}",
            t.label,
            cell(s.as_ref(), 3),
            cell(m.as_ref(), 1)
        );
        for (_, peer) in &peers {
            let ratio = match (s.as_ref(), peer) {
                (Some(s), Some(p)) if *p > 0.0 => format!("{:.3}x", s.median / p),
                _ => "n/a".to_owned(),
            };
            let _ = write!(line, " {ratio:>18}");
        }
        if t.failures > 0 {
            let _ = write!(line, "  ({} failed)", t.failures);
        }
        println!("{line}");
    }
}

/// The floor (see `floor.rs`) beside ccusage and the cold run.
fn print_floor(tools: &[Tool], secs: &[f64]) {
    let Some(f) = stats(secs) else {
        return;
    };
    let mut line = format!(
        "\nfloor: every record read and validated with serde_json, nothing extracted, in process: {:.3} s median [{:.3}, {:.3}]",
        f.median, f.min, f.max
    );
    if let Some(n) = median_secs(tools, "ccusage-native") {
        let _ = write!(line, " = {:.3} x ccusage {CCUSAGE_NATIVE}", f.median / n);
    }
    if let Some(c) = median_secs(tools, "cold") {
        let _ = write!(line, "; cold is {:.2} x the floor", c / f.median);
    }
    println!("{line}");
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn print_targets(tools: &[Tool]) {
    println!();
    let cold = median_secs(tools, "cold");
    let native = median_secs(tools, "ccusage-native");
    match (cold, native) {
        (Some(c), Some(n)) => println!(
            "{} cold wall: {c:.3} s = {:.3} x ccusage {CCUSAGE_NATIVE} ({n:.3} s); target <= {COLD_VS_CCUSAGE:.3} x",
            verdict(c <= n * COLD_VS_CCUSAGE),
            c / n
        ),
        _ => println!("SKIP cold wall vs ccusage {CCUSAGE_NATIVE}: not measured"),
    }
    let cold_peak = tools
        .iter()
        .find(|t| t.slug == "cold")
        .and_then(|t| stats(&t.mib));
    match cold_peak {
        Some(m) => println!(
            "{} cold peak RSS: {:.1} MiB (max of runs; median {:.1}); target <= {COLD_PEAK_MIB} MiB",
            verdict(m.max <= COLD_PEAK_MIB),
            m.max,
            m.median
        ),
        None => println!("SKIP cold peak RSS: not measured (no {TIME})"),
    }
    match median_secs(tools, "warm") {
        Some(w) => println!(
            "{} warm wall: {w:.3} s (median); target <= {WARM_SECS} s",
            verdict(w <= WARM_SECS)
        ),
        None => println!("SKIP warm wall: not measured"),
    }
    for (ours, base, limit) in [
        ("cold", "baseline-cold", COLD_VS_BASELINE),
        ("warm", "baseline-warm", WARM_VS_BASELINE),
    ] {
        if let (Some(o), Some(b)) = (median_secs(tools, ours), median_secs(tools, base)) {
            println!(
                "{} {ours} wall against the baseline: {o:.3} s vs {b:.3} s = {:.3} x; target <= {limit:.2} x",
                verdict(o <= b * limit),
                o / b
            );
        }
    }
}

/// The baseline's cold, no-cache and warm runs.
fn baseline_tools(base: &Path) -> Vec<Tool> {
    println!(
        "baseline: {} (reports {})",
        base.display(),
        version_of(base)
    );
    vec![
        Tool::new(
            "baseline cold",
            "baseline-cold",
            Kind::Cold,
            base,
            &["sessions", "--json"],
        ),
        Tool::new(
            "baseline no-cache",
            "baseline-no-cache",
            Kind::NoCache,
            base,
            &["--no-cache", "sessions", "--json"],
        ),
        Tool::new(
            "baseline warm",
            "baseline-warm",
            Kind::Warm,
            base,
            &["sessions", "--json"],
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// ccusage's totals against the truth.

fn ccusage_tokens(v: &serde_json::Value) -> Tokens {
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    Tokens {
        input: n("inputTokens"),
        output: n("outputTokens"),
        cache_creation: n("cacheCreationTokens"),
        cache_read: n("cacheReadTokens"),
        messages: 0,
    }
}

fn diff_line(got: &Tokens, want: &Tokens) -> String {
    [
        format!("input {}", delta(got.input, want.input)),
        format!("output {}", delta(got.output, want.output)),
        format!(
            "cache_creation {}",
            delta(got.cache_creation, want.cache_creation)
        ),
        format!("cache_read {}", delta(got.cache_read, want.cache_read)),
    ]
    .join(", ")
}

fn without_messages(t: &Tokens) -> Tokens {
    Tokens { messages: 0, ..*t }
}

fn compare_ccusage(tool: &Tool, out: &Path, corpus: &Corpus) {
    let doc: serde_json::Value = match fs::read(out)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        Some(doc) if !tool.secs.is_empty() => doc,
        _ => {
            println!("{}: no output to compare", tool.label);
            return;
        }
    };
    let want = without_messages(&corpus.merged.total);
    let got = ccusage_tokens(&doc["totals"]);
    let verdict = if got == want {
        "equal to"
    } else {
        "DIFFER from"
    };
    println!(
        "{} totals {verdict} the truth: {}",
        tool.label,
        diff_line(&got, &want)
    );
    // 20.x: one row per session (`period`) of every agent it detects (`agent`); 17.x: Claude
    // Code's only, one row per transcript folder.
    let (rows, per_session) = match (doc["session"].as_array(), doc["sessions"].as_array()) {
        (Some(rows), _) => (rows.as_slice(), true),
        (None, Some(rows)) => (rows.as_slice(), false),
        (None, None) => (&[][..], false),
    };
    compare_agents(rows, corpus);
    if per_session {
        compare_claude_sessions(rows, corpus);
    } else {
        println!(
            "  {} rows (grouped by transcript folder, not by session id: compared by totals only)",
            rows.len()
        );
    }
}

/// `got` against `want`: the difference and its share of `want`.
fn delta(got: u64, want: u64) -> String {
    let d = i128::from(got) - i128::from(want);
    let pct = if want == 0 {
        0.0
    } else {
        d as f64 * 100.0 / want as f64
    };
    format!("{got} ({d:+}, {pct:+.3}%)")
}

/// ccusage's totals per agent beside the truth's (its `outputTokens` leave out Gemini's thoughts
/// and opencode's reasoning, which its `totalTokens` count).
fn compare_agents(rows: &[serde_json::Value], corpus: &Corpus) {
    let mut by_agent: BTreeMap<&str, (usize, Tokens, u64)> = BTreeMap::new();
    for row in rows {
        let agent = row["agent"].as_str().unwrap_or("claude");
        let entry = by_agent.entry(agent).or_default();
        entry.0 += 1;
        entry.1.add(&ccusage_tokens(row));
        entry.2 += row["totalTokens"].as_u64().unwrap_or(0);
    }
    let others: Vec<&str> = by_agent
        .keys()
        .copied()
        .filter(|a| !AGENTS.contains(a))
        .collect();
    for agent in AGENTS.iter().copied().chain(others) {
        let truth = corpus.truth.agents.get(agent);
        let sessions = truth.map_or(0, |t| t.sessions.len());
        let want = truth.map_or_else(Tokens::default, |t| without_messages(&t.total));
        match by_agent.get(agent) {
            None if sessions == 0 => {}
            None => println!("  {agent:<9} NOT FOUND (the truth has {sessions} sessions)"),
            Some((n, got, total)) => println!(
                "  {agent:<9} {n} rows for {sessions} sessions; total {}; {} the truth: {}",
                delta(*total, want.size()),
                if *got == want {
                    "equal to"
                } else {
                    "DIFFER from"
                },
                diff_line(got, &want)
            ),
        }
    }
}

/// ccusage 20's Claude Code rows, one per session id, against the truth's sessions.
fn compare_claude_sessions(rows: &[serde_json::Value], corpus: &Corpus) {
    let Some(truth) = corpus.truth.agents.get("claude") else {
        return;
    };
    let rows: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| r["agent"].as_str().is_none_or(|a| a == "claude"))
        .collect();
    let mut same = 0;
    let mut differ = Vec::new();
    let mut unknown = 0;
    for row in &rows {
        let id = row["period"].as_str().unwrap_or("");
        match truth.sessions.get(id) {
            Some(t) if ccusage_tokens(row) == without_messages(t) => same += 1,
            Some(t) => differ.push((id.to_owned(), ccusage_tokens(row), *t)),
            None => unknown += 1,
        }
    }
    println!(
        "  claude sessions: {} rows; {same} equal to the truth, {} differ, {unknown} not a generated session id",
        rows.len(),
        differ.len()
    );
    for (id, got, want) in differ.iter().take(3) {
        println!("  e.g. {id}: {}", diff_line(got, &without_messages(want)));
    }
}

// ---------------------------------------------------------------------------------------------

fn tools(p: &Paths, smoke: bool) -> Vec<Tool> {
    let gv = &p.git_vouch;
    let mut tools = vec![
        Tool::new(
            "git-vouch cold",
            "cold",
            Kind::Cold,
            gv,
            &["sessions", "--json"],
        ),
        Tool::new(
            "git-vouch no-cache",
            "no-cache",
            Kind::NoCache,
            gv,
            &["--no-cache", "sessions", "--json"],
        ),
        Tool::new(
            "git-vouch warm",
            "warm",
            Kind::Warm,
            gv,
            &["sessions", "--json"],
        ),
    ];
    if smoke {
        return tools;
    }
    let cc_args = ["session", "--json", "--offline"];
    let native_pkgs = [
        format!("ccusage@{CCUSAGE_NATIVE}"),
        format!("@ccusage/ccusage-linux-x64@{CCUSAGE_NATIVE}"),
    ];
    if let Some(cmd) = ccusage(p, CCUSAGE_NATIVE, &native_pkgs) {
        let label = format!("ccusage {CCUSAGE_NATIVE}");
        println!("{label}: {} (reports {})", cmd.display(), version_of(&cmd));
        tools.push(Tool::new(
            &label,
            "ccusage-native",
            Kind::Ccusage,
            &cmd,
            &cc_args,
        ));
    }
    if let Some(cmd) = ccusage(p, CCUSAGE_TS, &[format!("ccusage@{CCUSAGE_TS}")]) {
        let label = format!("ccusage {CCUSAGE_TS}");
        println!("{label}: {} (reports {})", cmd.display(), version_of(&cmd));
        tools.push(Tool::new(
            &label,
            "ccusage-ts",
            Kind::Ccusage,
            &cmd,
            &cc_args,
        ));
    }
    tools
}

fn print_setup(corpus: &Corpus, tools: &[Tool], tmp: &Path) {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let all = &corpus.merged;
    println!(
        "corpus ({}): {} sessions, {} files, {:.1} MiB; {cores} cores",
        corpus.truth.mix,
        all.sessions.len(),
        all.files,
        all.bytes as f64 / f64::from(1 << 20)
    );
    for (agent, t) in &corpus.truth.agents {
        println!(
            "  {agent:<9} {:>6} sessions {:>7} files {:>8.1} MiB",
            t.sessions.len(),
            t.files,
            t.bytes as f64 / f64::from(1 << 20)
        );
    }
    let c = &corpus.layout;
    println!(
        "every run: CLAUDE_CONFIG_DIR={} CODEX_HOME={} GEMINI_CLI_HOME={} GEMINI_DATA_DIR={} \
         XDG_DATA_HOME={} HOME={}",
        c.claude.display(),
        c.codex_home.display(),
        c.gemini_cli_home.display(),
        c.gemini_tmp().display(),
        c.xdg_data_home.display(),
        tmp.join("home").display()
    );
    for t in tools {
        let cache = match t.kind {
            Kind::Cold => "GIT_VOUCH_CACHE_DIR=<fresh empty dir> ",
            Kind::NoCache => "GIT_VOUCH_CACHE_DIR=<empty dir> ",
            Kind::Warm => "GIT_VOUCH_CACHE_DIR=<cache of the priming run> ",
            Kind::Ccusage => "",
        };
        println!(
            "  {:<20} {cache}{} {}",
            t.label,
            t.program.display(),
            t.args.join(" ")
        );
    }
}

/// The runs, round after round, each tool once a round (warm ones several times) in an order
/// rotated every round, and the floor first; the floor's times.
fn rounds(bench: &mut Bench<'_>, tools: &mut [Tool], args: &Args) -> io::Result<Vec<f64>> {
    let n = tools.len();
    let mut floor_secs = Vec::new();
    for round in 0..args.runs {
        let (secs, records) = floor::measure(&bench.corpus.layout)?;
        floor_secs.push(secs);
        println!(
            "  round {}: {:<20} {secs:>8.3} s ({records} records validated)",
            round + 1,
            "floor"
        );
        for i in 0..n {
            let tool = &mut tools[(i + round) % n];
            // A warm run takes a tenth of a second, within this machine's noise: several per
            // round, so its median is read from enough of them.
            let repeats = if tool.kind == Kind::Warm && !args.smoke {
                WARM_REPEATS
            } else {
                1
            };
            for _ in 0..repeats {
                bench.run_once(tool)?;
            }
            let last = &tool.secs[tool.secs.len().saturating_sub(repeats)..];
            println!(
                "  round {}: {:<20} {:>8.3} s{}",
                round + 1,
                tool.label,
                stats(last).map_or(f64::NAN, |s| s.median),
                if repeats > 1 {
                    " (median of the round's runs)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(floor_secs)
}

fn run(args: &Args) -> io::Result<ExitCode> {
    let p = paths();
    if args.smoke {
        println!("smoke run (no --bench): `cargo bench --bench transcripts` runs the benchmark");
    }
    let corpus = corpus(&p, args)?;
    let time = Path::new(TIME).exists().then(|| PathBuf::from(TIME));
    if time.is_none() {
        println!(
            "note: {TIME} (GNU time) not found; peak memory is not measured (apt-get install time)"
        );
    }
    let mut tools = tools(&p, args.smoke);
    if let Some(base) = &args.baseline {
        tools.extend(baseline_tools(base));
    }
    let tmp = p.work.join(format!(
        "run-{}-{}-{}",
        args.size_mb,
        args.seed,
        args.mix.slug()
    ));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir_all(&tmp)?;
    print_setup(&corpus, &tools, &tmp);
    let mut bench = Bench {
        corpus: &corpus,
        time,
        tmp: tmp.clone(),
        problems: Vec::new(),
    };
    bench.prime(&tools)?;
    let floor_secs = rounds(&mut bench, &mut tools, args)?;
    print_table(&tools, args.runs);
    print_floor(&tools, &floor_secs);
    if !args.smoke {
        print_targets(&tools);
    }
    println!();
    for t in tools.iter().filter(|t| t.kind == Kind::Ccusage) {
        compare_ccusage(t, &tmp.join(format!("{}.json", t.slug)), &corpus);
    }
    if bench.problems.is_empty() {
        println!(
            "PASS correctness: every git-vouch run's totals and per-session tokens and agents equal the ground truth ({} sessions)",
            corpus.merged.sessions.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("FAIL correctness: {} problem(s)", bench.problems.len());
        for problem in bench.problems.iter().take(20) {
            println!("  {problem}");
        }
        Ok(ExitCode::FAILURE)
    }
}
