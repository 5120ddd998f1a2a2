//! `git vouch report` on the demo repository, whose commits carry every attestation state: the
//! report's data against `git vouch log`, each statement's digest against the note it came
//! from, the HTML's embedded data against its digest and in a real headless Chromium, and the
//! PDF's text with poppler's `pdftotext`.

use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine;
use serde_json::Value;

use crate::support::cli::TestEnv;

struct Demo {
    env: TestEnv,
    _tmp: tempfile::TempDir,
    repo: PathBuf,
}

impl Demo {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let repo = git_vouch::demo::review_workspace(tmp.path()).unwrap();
        let demo = Self {
            env: TestEnv::new(),
            _tmp: tmp,
            repo,
        };
        // As a clone of a hosted repository would be: no temporary paths in the reports.
        let allowed = demo.git(&["config", "gpg.ssh.allowedSignersFile"]);
        std::fs::copy(allowed.trim(), demo.repo.join("allowed_signers")).unwrap();
        demo.git(&["config", "gpg.ssh.allowedSignersFile", "allowed_signers"]);
        demo.git(&[
            "remote",
            "set-url",
            "origin",
            "https://git.example.com/tasktrack.git",
        ]);
        demo
    }

    fn run(&self, args: &[&str]) -> Output {
        self.env
            .program(env!("CARGO_BIN_EXE_git-vouch"), &self.repo)
            .args(args)
            .output()
            .unwrap()
    }

    /// The report of the whole branch in `format`, written to a file; its bytes.
    fn report(&self, format: &str) -> (PathBuf, Vec<u8>) {
        let path = self.env.root().join(format!("report.{format}"));
        let out = self.run(&[
            "report",
            "--no-fetch",
            "--format",
            format,
            "-o",
            path.to_str().unwrap(),
            "HEAD",
        ]);
        assert!(out.status.success(), "{out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("8 commits, 6 controls, "), "{said}");
        assert!(said.contains(" exceptions; data sha256 "), "{said}");
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self
            .env
            .program("git", &self.repo)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }
}

fn sha256(bytes: &[u8]) -> String {
    git_vouch::fingerprint::sha256_hex(bytes)
}

/// Every attestation state is counted as `git vouch log` counts it, each control is tested
/// over its whole population, and every statement's digest is that of the payload in its note.
#[test]
fn the_report_counts_what_the_log_counts_and_its_digests_check() {
    let demo = Demo::new();
    let (_, bytes) = demo.report("json");
    let r: Value = serde_json::from_slice(&bytes).unwrap();
    let out = demo.run(&["log", "--no-fetch", "--json", "HEAD"]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (s, t) = (&r["summary"], &log["totals"]);
    for key in [
        "commits",
        "agent_commits",
        "reviewed",
        "unreviewed",
        "unsigned",
        "untrusted",
        "invalid",
        "sessions",
        "total_tokens",
        "cost_usd",
        "cost_incomplete",
    ] {
        assert_eq!(s[key], t[key], "{key}: one figure, one word");
    }
    assert_eq!(
        (
            s["reviewed"].clone(),
            s["invalid"].clone(),
            s["untrusted"].clone()
        ),
        (2.into(), 1.into(), 1.into())
    );
    let control = |id: &str| {
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            control("AI-1")["tested"].clone(),
            control("AI-1")["exceptions"].clone()
        ),
        (6.into(), 4.into())
    );
    assert_eq!(control("AI-1")["result"], "exceptions");
    assert_eq!(control("AI-5")["result"], "no_population");
    let kinds: Vec<&str> = r["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "not reviewed",
        "invalid attestation",
        "untrusted signer",
        "record not signed",
        "permissions bypassed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(
        r["summary"]["exceptions"],
        r["exceptions"].as_array().unwrap().len()
    );
    // The sessions' costs add up to the summary's.
    let costs: Vec<&str> = r["usage"]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["cost_usd"].as_str())
        .collect();
    let total: f64 = costs.iter().map(|c| c.parse::<f64>().unwrap()).sum();
    assert!((total - s["cost_usd"].as_str().unwrap().parse::<f64>().unwrap()).abs() < 1e-6);
    statements_check(&demo, &r);
}

/// Each statement's digest is that of the payload in its note, and the verify command the
/// report prints checks the same commits.
fn statements_check(demo: &Demo, r: &Value) {
    let mut checked = 0;
    for c in r["commits"].as_array().unwrap() {
        for st in c["statements"].as_array().unwrap() {
            let note = demo.git(&["notes", "--ref=vouch", "show", c["sha"].as_str().unwrap()]);
            let line = note
                .lines()
                .nth(st["note_line"].as_u64().unwrap() as usize - 1)
                .unwrap();
            let envelope: Value = serde_json::from_str(line).unwrap();
            let payload = base64::engine::general_purpose::STANDARD
                .decode(envelope["payload"].as_str().unwrap())
                .unwrap();
            assert_eq!(st["sha256"], sha256(&payload), "{}", c["sha"]);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        r["verification"]["statements"].as_u64().unwrap() as usize
    );
    assert!(checked >= 4, "{checked}");
    // The command the report prints checks the same commits.
    let command = r["verification"]["command"].as_str().unwrap();
    let args: Vec<&str> = command
        .strip_prefix("git vouch ")
        .unwrap()
        .split(' ')
        .collect();
    let verify = demo.run(&args);
    let text = String::from_utf8_lossy(&verify.stdout);
    assert!(text.contains("alice@tasktrack.dev"), "{command}: {text}");
}

/// The HTML needs nothing from outside, embeds its data byte for byte (the `--format json`
/// output) and prints the data's sha256.
#[test]
fn the_html_embeds_its_data_and_needs_nothing_from_outside() {
    let demo = Demo::new();
    let (_, html) = demo.report("html");
    let (_, json) = demo.report("json");
    let html = String::from_utf8(html).unwrap();
    let open = "<script type=\"application/json\" id=\"report-data\">\n";
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    assert_eq!(
        &html.as_bytes()[start..end],
        json.as_slice(),
        "the embedded data is the JSON"
    );
    assert!(
        html.contains(&sha256(&json)),
        "the data's digest is printed"
    );
    let page = &html[..start];
    for outside in [
        "<link",
        " src=",
        "url(",
        "@import",
        "<img",
        "<iframe",
        "href=\"http",
    ] {
        assert!(!page.contains(outside), "{outside}");
    }
    assert_eq!(html.matches("<script").count(), 1, "no script but the data");
    assert!(page.contains("AI-1</b> Human review of AI-assisted changes"));
    assert!(
        page.contains(">allowed_signers (2 trusted keys)"),
        "the file checked against"
    );
    assert!(page.contains("https://git.example.com/tasktrack.git"));
}

/// A real headless Chromium (Debian's) opens the HTML and prints it: the printed pages carry
/// the report's words. Also a screenshot, to look at.
#[test]
fn chromium_renders_and_prints_the_html() {
    let Some(chromium) = tool("chromium") else {
        return;
    };
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let demo = Demo::new();
    let (path, _) = demo.report("html");
    let profile = demo.env.root().join("chromium-profile");
    let printed = demo.env.root().join("printed.pdf");
    let shot = demo.env.root().join("report.png");
    for flag in [
        format!("--print-to-pdf={}", printed.display()),
        format!("--screenshot={}", shot.display()),
    ] {
        let out = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
            ])
            .args([
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--window-size=1200,1600", &flag])
            .arg(format!("file://{}", path.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "chromium {flag}: {out:?}");
    }
    let text = pdf_text(&pdftotext, &printed);
    for words in [
        "AI-assisted changes in",
        "1. Scope",
        "Human review of AI-assisted changes",
        "3. Exceptions",
        "9. Verifying this report",
    ] {
        assert!(text.contains(words), "{words} in what Chromium printed");
    }
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(png[16..20].try_into().unwrap()),
        1200,
        "its width"
    );
    assert!(
        png.len() > 50_000,
        "a page with content, not a blank one: {} bytes",
        png.len()
    );
    if let Some(dir) = std::env::var_os("GIT_VOUCH_SCREENSHOTS") {
        std::fs::copy(&shot, Path::new(&dir).join("report-html.png")).unwrap();
    }
}

/// The PDF, laid out by Typst inside git-vouch, says what the data says: pdftotext finds the
/// controls, each commit, the data's full digest and the page numbers.
#[test]
fn the_pdf_says_what_the_data_says() {
    let Some(pdftotext) = tool("pdftotext") else {
        return;
    };
    let demo = Demo::new();
    let (path, pdf) = demo.report("pdf");
    let (_, json) = demo.report("json");
    assert_eq!(&pdf[..5], b"%PDF-");
    let r: Value = serde_json::from_slice(&json).unwrap();
    let text = pdf_text(&pdftotext, &path);
    assert!(text.contains(&sha256(&json)), "the data's digest");
    for c in r["controls"].as_array().unwrap() {
        let line = format!(
            "{} {}",
            c["id"].as_str().unwrap(),
            c["title"].as_str().unwrap()
        );
        assert!(text.contains(&line), "{line}");
    }
    for c in r["commits"].as_array().unwrap() {
        assert!(
            text.contains(&c["sha"].as_str().unwrap()[..10]),
            "{}",
            c["sha"]
        );
    }
    assert!(text.contains("page 1 of "), "numbered pages");
    assert!(text.contains("SOC 2 CC8.1") && text.contains("EU AI Act Art. 14"));
    let pages = text.matches('\u{c}').count();
    assert!(pages >= 3, "{pages} pages: tables break across pages");
    if let Some(dir) = std::env::var_os("GIT_VOUCH_SCREENSHOTS") {
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&path)
            .arg(Path::new(&dir).join("report-pdf"))
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// `--demo report` reports on the demo repository from anywhere.
#[test]
fn the_demo_has_a_report() {
    let env = TestEnv::new();
    let r: Value = env.json(&["--demo", "report", "--format", "json"]);
    assert_eq!(r["summary"]["commits"], 8);
    assert_eq!(r["summary"]["reviewed"], 2);
    assert_eq!(r["scope"]["trusted_keys"], 2, "the demo's allowed signers");
}

/// A period instead of a range; a period with no commit still makes a report; bad input says
/// what was wrong.
#[test]
fn periods_and_bad_input() {
    let demo = Demo::new();
    let out = demo.run(&[
        "report",
        "--no-fetch",
        "--format",
        "json",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-21",
    ]);
    assert!(out.status.success(), "{out:?}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["commits"], 8);
    assert_eq!(
        r["scope"]["range"],
        "HEAD, commits from 2026-11-21 to 2026-11-21"
    );
    let out = demo.run(&[
        "report",
        "--no-fetch",
        "--format",
        "json",
        "--until",
        "2026-11-20",
    ]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["commits"], 0);
    assert!(
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["result"] == "no_population")
    );
    let out = demo.run(&["report", "--no-fetch", "nosuch..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nosuch"),
        "{out:?}"
    );
    let out = demo.run(&["report", "--no-fetch", "--since", "last tuesday"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'last tuesday' is not a date"),
        "{out:?}"
    );
}

/// A Debian tool the test needs: its path, or `None` (with a message) outside CI.
fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is missing: .ci/run installs it"
        );
        eprintln!("skipped: {name} is not installed (apt-get install chromium poppler-utils)");
    }
    found
}

fn pdf_text(pdftotext: &Path, pdf: &Path) -> String {
    let out = std::process::Command::new(pdftotext)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}
