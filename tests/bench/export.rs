//! Benchmark: `git vouch export otlp` of the 1 GiB corpus to a collector on loopback, beside
//! Pisama's `pisama-cc export-otel` of the same tool calls.
//!
//! ```sh
//! python3 -m pip install rotel==0.0.1a15      # the collector (what .ci/run installs)
//! cargo bench --bench export                   # 1024 MiB, 3 runs
//! cargo bench --bench export -- --runs 5 --skip-peer
//! ```
//!
//! The collector is rotel (a Rust OTLP collector from PyPI) with the blackhole exporter, logging
//! one line per request it takes, from which the spans it received are counted. git-vouch runs
//! with the corpus as `CLAUDE_CONFIG_DIR`, its index cache filled first (as a person's is), and
//! a fresh data folder each run so each run sends everything (traces and metrics); one more run
//! starts with no index cache, and one each over gRPC and HTTP/JSON. Wall time is measured
//! around the child, peak RSS with GNU `/usr/bin/time -f %M`; the collector's CPU time is read
//! from /proc (it shares the machine's two cores).
//!
//! Pisama (PyPI `pisama-claude-code[otel]` 0.6.5) exports what its PostToolUse hook stored, one
//! line per tool call: `pisama_records.py` writes those lines for every tool call of the corpus
//! (not timed), then `pisama-cc export-otel` is timed once, and the spans the collector got are
//! counted (its SDK's batch queue drops spans it cannot send in time, while it reports them
//! exported).
//!
//! Targets (issue "outputs for teams and auditors"): at most 5 s and 100 MiB for the corpus.
//! Without `--bench` (`cargo test --benches`) it is a smoke run: 2 MiB, one run, no peer.

mod corpus;
mod peers;
mod support;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const TIME: &str = "/usr/bin/time";
const TARGET_SECS: f64 = 5.0;
const TARGET_MIB: f64 = 100.0;
const ROTEL: &str = "rotel==0.0.1a15";

const PISAMA: peers::Peer = peers::Peer {
    name: "pisama",
    slug: "pisama-otel-0.6.5",
    pins: &["pisama-claude-code[otel]==0.6.5"],
    report: &[
        "pisama-claude-code",
        "opentelemetry-sdk",
        "opentelemetry-exporter-otlp-proto-http",
    ],
};

struct Args {
    size_mb: u64,
    runs: usize,
    smoke: bool,
    skip_peer: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        size_mb: 1024,
        runs: 3,
        smoke: true,
        skip_peer: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--bench" => args.smoke = false,
            "--size-mb" => args.size_mb = it.next().and_then(|v| v.parse().ok()).unwrap_or(1024),
            "--runs" => args.runs = it.next().and_then(|v| v.parse().ok()).unwrap_or(3).max(1),
            "--skip-peer" => args.skip_peer = true,
            other => eprintln!("note: ignoring argument '{other}'"),
        }
    }
    if args.smoke {
        (args.size_mb, args.runs, args.skip_peer) = (2, 1, true);
    }
    args
}

fn main() -> ExitCode {
    match run(&parse_args()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("export bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// One measured run.
struct Measured {
    secs: f64,
    mib: Option<f64>,
    /// Spans the tool said it sent, and the collector received.
    sent: u64,
    received: u64,
    /// CPU seconds the collector spent meanwhile.
    collector_cpu: f64,
}

fn run(args: &Args) -> Result<bool, String> {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_git-vouch"));
    let work = bin
        .parent()
        .and_then(Path::parent)
        .ok_or("no target folder")?
        .join("bench");
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude");
    let (corpus, truth) =
        corpus::ensure(&work, &templates, args.size_mb, 2).map_err(|e| format!("corpus: {e}"))?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let collector = Collector::start(tmp.path())?;
    let time = Path::new(TIME).exists().then_some(Path::new(TIME));
    println!(
        "corpus: {} sessions, {:.0} MiB; load average: {}",
        truth.sessions.len(),
        truth.bytes as f64 / 1_048_576.0,
        support::load_average()
    );
    let env = Env {
        bin: &bin,
        corpus: &corpus,
        root: tmp.path(),
        time,
        collector: &collector,
    };
    env.warm()?;
    let mut ok = true;
    let mut rows = Vec::new();
    let runs: Vec<Measured> = (0..args.runs)
        .map(|i| env.export(&format!("run{i}"), "http/protobuf", true))
        .collect::<Result<_, _>>()?;
    ok &= report_target(&runs);
    rows.push(("git vouch export otlp (http/protobuf)".to_owned(), runs));
    for (name, protocol, warm) in [
        ("git vouch export otlp (grpc)", "grpc", true),
        ("git vouch export otlp (http/json)", "http/json", true),
        (
            "git vouch export otlp (no index cache)",
            "http/protobuf",
            false,
        ),
    ] {
        rows.push((name.to_owned(), vec![env.export(name, protocol, warm)?]));
    }
    if !args.skip_peer {
        match pisama(&env) {
            Ok(m) => rows.push(("pisama-cc export-otel".to_owned(), vec![m])),
            Err(e) => println!("SKIP pisama: {e}"),
        }
    }
    print_table(&rows);
    for (name, runs) in &rows {
        if name.starts_with("git vouch") && runs.iter().any(|m| m.sent != m.received) {
            println!("FAIL {name}: the collector did not receive every span sent");
            ok = false;
        }
    }
    Ok(ok)
}

fn report_target(runs: &[Measured]) -> bool {
    let secs = median(runs.iter().map(|m| m.secs).collect());
    let mib = runs.iter().filter_map(|m| m.mib).fold(0.0, f64::max);
    let pass = secs <= TARGET_SECS && (mib == 0.0 || mib <= TARGET_MIB);
    println!(
        "{} export of the corpus: {secs:.2} s median (target {TARGET_SECS} s), peak {mib:.1} MiB (target {TARGET_MIB} MiB)",
        if pass { "PASS" } else { "FAIL" }
    );
    pass
}

fn print_table(rows: &[(String, Vec<Measured>)]) {
    let ours = rows
        .first()
        .map(|(_, r)| median(r.iter().map(|m| m.secs).collect()));
    println!(
        "\n{:<42} {:>22} {:>10} {:>10} {:>10} {:>12} {:>9}",
        "",
        "wall s median [min,max]",
        "peak MiB",
        "spans sent",
        "received",
        "collector s",
        "vs ours"
    );
    for (name, runs) in rows {
        let secs: Vec<f64> = runs.iter().map(|m| m.secs).collect();
        let med = median(secs.clone());
        let (lo, hi) = (
            secs.iter().copied().fold(f64::MAX, f64::min),
            secs.iter().copied().fold(0.0, f64::max),
        );
        let mib = runs.iter().filter_map(|m| m.mib).fold(0.0, f64::max);
        let last = runs
            .last()
            .map_or((0, 0, 0.0), |m| (m.sent, m.received, m.collector_cpu));
        let ratio = ours.map_or(String::new(), |o| format!("{:.1}x", med / o));
        println!(
            "{name:<42} {:>22} {mib:>10.1} {:>10} {:>10} {:>12.2} {ratio:>9}",
            format!("{med:.2} [{lo:.2}, {hi:.2}]"),
            last.0,
            last.1,
            last.2
        );
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

struct Env<'a> {
    bin: &'a Path,
    corpus: &'a Path,
    root: &'a Path,
    time: Option<&'a Path>,
    collector: &'a Collector,
}

impl Env<'_> {
    fn command(&self, program: &Path, home: &Path, cache: &Path, data: &Path) -> Command {
        let mut cmd = match self.time {
            Some(time) => {
                let mut c = Command::new(time);
                c.args(["-f", "%M", "-o"])
                    .arg(self.root.join("rss"))
                    .arg(program);
                c
            }
            None => Command::new(program),
        };
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home)
            .env("CLAUDE_CONFIG_DIR", self.corpus)
            .env("GIT_VOUCH_CACHE_DIR", cache)
            .env("XDG_DATA_HOME", data)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }

    /// Fills the index cache, as any earlier command would have.
    fn warm(&self) -> Result<(), String> {
        let home = self.root.join("home");
        fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        let status = self
            .command(
                self.bin,
                &home,
                &self.root.join("cache"),
                &self.root.join("warm-data"),
            )
            .args(["sessions", "--json"])
            .stdout(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| "git vouch sessions failed".into())
    }

    fn export(&self, name: &str, protocol: &str, warm: bool) -> Result<Measured, String> {
        let data = self
            .root
            .join(format!("data-{}", name.replace([' ', '(', ')', '/'], "-")));
        let cache = if warm {
            self.root.join("cache")
        } else {
            data.join("cold-cache")
        };
        let port = if protocol == "grpc" {
            self.collector.grpc
        } else {
            self.collector.http
        };
        let out = self.root.join("export.json");
        let (spans_before, cpu_before) = (self.collector.spans(), self.collector.cpu());
        let mut cmd = self.command(self.bin, &self.root.join("home"), &cache, &data);
        cmd.args([
            "export",
            "otlp",
            "--json",
            "--protocol",
            protocol,
            "--endpoint",
        ])
        .arg(format!("http://127.0.0.1:{port}"))
        .stdout(File::create(&out).map_err(|e| e.to_string())?);
        let start = Instant::now();
        let status = cmd.status().map_err(|e| e.to_string())?;
        let secs = start.elapsed().as_secs_f64();
        if !status.success() {
            return Err(format!("{name}: git vouch export otlp failed"));
        }
        let doc: serde_json::Value = fs::read(&out)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("unreadable --json output")?;
        let sent = doc["spans"].as_u64().unwrap_or(0);
        let received = self.collector.wait_for(spans_before + sent) - spans_before;
        Ok(Measured {
            secs,
            mib: self.rss(),
            sent,
            received,
            collector_cpu: self.collector.cpu() - cpu_before,
        })
    }

    fn rss(&self) -> Option<f64> {
        fs::read_to_string(self.root.join("rss"))
            .ok()?
            .lines()
            .last()?
            .trim()
            .parse::<f64>()
            .ok()
            .map(|kib| kib / 1024.0)
    }
}

/// Pisama's store for the corpus, then its export timed.
fn pisama(env: &Env<'_>) -> Result<Measured, String> {
    let (python, version) = peers::find_python()?;
    println!("pisama: Python {version} at {}", python.display());
    let cache = env
        .bin
        .parent()
        .and_then(Path::parent)
        .ok_or("no target")?
        .join("bench");
    let venv = cache.join(format!("venv-{}", PISAMA.slug));
    let home = env.root.join("pisama-home");
    fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    peers::install(&PISAMA, &python, &venv, &cache, &home)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bench/pisama_records.py");
    let out = Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg(env.corpus)
        .arg(&home)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("pisama_records.py: {}", peers::tail(&out.stderr)));
    }
    let records = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    println!("pisama: {records} tool-call lines in its store (one per call, as its hook writes)");
    let (spans_before, cpu_before) = (env.collector.spans(), env.collector.cpu());
    let url = format!("http://127.0.0.1:{}/v1/traces", env.collector.http);
    let mut cmd = env.command(&venv.join("bin/pisama-cc"), &home, &home, &home);
    cmd.args(["export-otel", "--last", "1000000000", "-e", &url])
        .stdout(File::create(env.root.join("pisama.out")).map_err(|e| e.to_string())?)
        .stderr(Stdio::null());
    let start = Instant::now();
    let status = cmd.status().map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err("pisama-cc export-otel failed".into());
    }
    let said = fs::read_to_string(env.root.join("pisama.out")).unwrap_or_default();
    let sent = said
        .split("Exported ")
        .nth(1)
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let received = env.collector.wait_for(spans_before + sent) - spans_before;
    println!("pisama: it says it exported {sent} spans; the collector received {received}");
    Ok(Measured {
        secs,
        mib: env.rss(),
        sent,
        received,
        collector_cpu: env.collector.cpu() - cpu_before,
    })
}

/// rotel on two free loopback ports, logging each request it takes.
struct Collector {
    child: Child,
    log: PathBuf,
    grpc: u16,
    http: u16,
}

impl Collector {
    fn start(dir: &Path) -> Result<Self, String> {
        let agent = rotel_agent().ok_or(format!(
            "rotel is not installed: python3 -m pip install {ROTEL}"
        ))?;
        let free = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .map_err(|e| e.to_string())
        };
        let (grpc, http) = (free()?, free()?);
        let log = dir.join("collector.out");
        let child = Command::new(agent)
            .args(["start", "--exporter", "blackhole", "--debug-log", "traces"])
            .args(["--otlp-grpc-endpoint", &format!("127.0.0.1:{grpc}")])
            .args(["--otlp-http-endpoint", &format!("127.0.0.1:{http}")])
            .arg("--pid-file")
            .arg(dir.join("rotel.pid"))
            .arg("--log-file")
            .arg(dir.join("rotel.log"))
            .stdout(File::create(&log).map_err(|e| e.to_string())?)
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", http)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                return Err("rotel did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        println!("collector: rotel on 127.0.0.1:{http} (HTTP) and :{grpc} (gRPC)");
        Ok(Self {
            child,
            log,
            grpc,
            http,
        })
    }

    /// Spans received so far (the `spans=` of each logged request, not its `resource_spans=`).
    fn spans(&self) -> u64 {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let plain: String = strip_ansi(&text);
        plain
            .split(" spans=")
            .skip(1)
            .filter_map(|t| {
                t.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<u64>()
                    .ok()
            })
            .sum()
    }

    /// Waits (at most 10 s) for the collector to log `n` spans; the count it reached.
    fn wait_for(&self, n: u64) -> u64 {
        let start = Instant::now();
        loop {
            let got = self.spans();
            if got >= n || start.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The collector's CPU seconds so far (user + system, from /proc).
    fn cpu(&self) -> f64 {
        let stat =
            fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let after_name = stat.rsplit(')').next().unwrap_or_default();
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks: f64 = [11, 12]
            .iter()
            .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
            .sum();
        ticks / 100.0
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn rotel_agent() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import rotel, os; print(os.path.dirname(rotel.__file__))",
        ])
        .output()
        .ok()?;
    let agent = Path::new(String::from_utf8(out.stdout).ok()?.trim()).join("rotel-agent");
    (out.status.success() && agent.is_file()).then_some(agent)
}
