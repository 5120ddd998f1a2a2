//! The layering rules. Domain modules (everything but `cli`, `tui` and `main.rs`) never name the
//! terminal, argument-parsing or error-report crates, nor the UI layers above them. CI also builds
//! the library with `--no-default-features`, which proves the same at compile time. Between the
//! top-level modules, imports point down an explicit table of layers ([`LAYERS`], explained where
//! it is defined) and form no cycle; a failure names the file and line of the import.

use std::path::{Path, PathBuf};

const FORBIDDEN: [&str; 6] = [
    "ratatui",
    "crossterm",
    "clap",
    "color_eyre",
    "crate::cli",
    "crate::tui",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_ui_layer(rel: &Path) -> bool {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    matches!(
        first.as_deref(),
        Some("cli" | "cli.rs" | "tui" | "tui.rs" | "main.rs")
    )
}

#[test]
fn domain_modules_do_not_depend_on_the_ui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut checked = 0;
    let mut offences = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).expect("under src");
        if is_ui_layer(rel) {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in FORBIDDEN {
                if code.contains(word) {
                    offences.push(format!("{}:{}: uses {word}", rel.display(), n + 1));
                }
            }
        }
    }
    assert!(
        checked >= 10,
        "expected to check the domain modules, checked {checked}"
    );
    assert!(
        offences.is_empty(),
        "domain code depends on the UI:\n{}",
        offences.join("\n")
    );
}

#[test]
fn no_module_is_named_core_or_utils() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for bad in ["core.rs", "core", "utils.rs", "utils", "util.rs"] {
        assert!(
            !src.join(bad).exists(),
            "src/{bad}: name modules after what they hold"
        );
    }
}

#[test]
fn lib_declares_ui_layers_behind_features() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("lib.rs");
    let lines: Vec<&str> = lib.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "pub mod cli;" || line.trim() == "pub mod tui;" {
            assert!(
                i > 0 && lines[i - 1].contains("#[cfg(feature ="),
                "{line} must be behind a feature"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Layers: imports between top-level modules point down.
//
// The table below lists the top-level modules of `src/` from the bottom layer to the top. A
// module may name (`crate::x`, outside test code) modules of its own layer and of the layers
// below, never one above; within a layer, and over the whole crate, imports must not form a
// cycle. Test code (`#[cfg(test)]` items, and the files of `#[cfg(test)] mod x;`) is exempt.
//
// - values: money, clock, usage, redact, words hold plain values and helpers.
// - pricing: the price table (uses money and usage).
// - config and transcript share a layer: the configuration and the process environment both are
//   read by the transcript readers, and the configuration loads prices.
// - fingerprint: line hashes for attribution (sessions, diffs and correlation compare lines).
// - insights: what went wrong in a session, from what the transcript scans keep (the session
//   model runs the detectors while it sums a session up).
// - session: the session model; agent_source (each agent's transcripts behind one interface:
//   discovery, scans, a session read in full) on it; index (the sessions cache) and report
//   (session reports) on those.
// - git: git access (CLI, repository folders, diffs, notes).
// - guard: assessing the commands an agent is about to run (below capture, whose hooks ask it).
// - capture and recorder: recording only (agent and git hooks, state; the API exchanges through
//   a local proxy); pre-push is handed to `push`.
// - correlate (commits of sessions), evidence, policy, attest (signing, notes, standing).
// - provenance (a branch's history of attestations), then push (the pre-push pipeline).
// - presentation and tools: present (formatting both faces share), demo (builds a demo repository
//   and index, so it sits above them), recording (fixture import for `debug import-run`).
// - the faces: tui, then cli (which launches the tui; the tui never imports the cli).

const LAYERS: &[&[&str]] = &[
    &["money", "clock", "usage", "redact", "words"],
    &["pricing"],
    &["config", "transcript"],
    &["fingerprint"],
    &["insights"],
    &["session"],
    &["agent_source"],
    &["index", "report"],
    &["git"],
    &["guard"],
    &["capture", "recorder"],
    &["correlate"],
    &["evidence"],
    &["otlp"],
    &["policy"],
    &["attest"],
    &["provenance"],
    &["push"],
    &["compliance"],
    &["present", "demo", "recording"],
    &["tui"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Where the lexer is: in code, a string, a raw string (with its `#`s) or a block comment (with
/// its nesting depth).
#[derive(Clone, Copy, PartialEq)]
enum Lexed {
    Code,
    Str,
    Raw(usize),
    Block(usize),
}

/// Each source line with string, char and comment contents blanked (so braces and `crate::` in
/// them do not count).
fn code_lines(text: &str) -> Vec<String> {
    let mut state = Lexed::Code;
    let mut out = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut code = String::new();
        let mut i = 0;
        while i < chars.len() {
            if state == Lexed::Code && chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            i = lex_one(&chars, i, &mut state, &mut code) + 1;
        }
        out.push(code);
    }
    out
}

/// Reads the char at `i` (and what belongs to it), keeping it in `code` when it is code; returns
/// the index of the last char read.
fn lex_one(chars: &[char], mut i: usize, state: &mut Lexed, code: &mut String) -> usize {
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    match *state {
        Lexed::Code => {
            let raw_start = c == 'r'
                && matches!(next, Some('"' | '#'))
                && !chars[..i]
                    .last()
                    .is_some_and(|p| p.is_alphanumeric() || *p == '_');
            let hashes = chars[i + 1..].iter().take_while(|h| **h == '#').count();
            if c == '/' && next == Some('*') {
                *state = Lexed::Block(1);
                i += 1;
            } else if c == '"' {
                *state = Lexed::Str;
            } else if raw_start && chars.get(i + 1 + hashes) == Some(&'"') {
                *state = Lexed::Raw(hashes);
                i += 1 + hashes;
            } else if c == '\'' && next == Some('\\') {
                // An escaped char literal ('\n', '\'').
                let close = chars[i + 3..].iter().position(|c| *c == '\'');
                i += 3 + close.unwrap_or(0);
            } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
                // A plain char literal ('{'); otherwise a lifetime.
                i += 2;
            } else {
                code.push(c);
            }
        }
        Lexed::Str => {
            if c == '\\' {
                i += 1;
            } else if c == '"' {
                *state = Lexed::Code;
            }
        }
        Lexed::Raw(n) => {
            if c == '"' && chars[i + 1..].iter().take_while(|h| **h == '#').count() >= n {
                *state = Lexed::Code;
                i += n;
            }
        }
        Lexed::Block(depth) => {
            if c == '*' && next == Some('/') {
                *state = if depth == 1 {
                    Lexed::Code
                } else {
                    Lexed::Block(depth - 1)
                };
                i += 1;
            } else if c == '/' && next == Some('*') {
                *state = Lexed::Block(depth + 1);
                i += 1;
            }
        }
    }
    i
}

/// The top-level modules one file names outside test code, with the line, and the names of the
/// modules it declares as test-only (`#[cfg(test)] mod x;`).
fn imports(text: &str) -> (Vec<(usize, String)>, Vec<String>) {
    let mut found = Vec::new();
    let mut test_mods = Vec::new();
    let mut depth: i64 = 0;
    let mut pending = false;
    // While skipping a test item: the depth it started at, and whether its body opened.
    let mut skipping: Option<(i64, bool)> = None;
    for (n, code) in code_lines(text).iter().enumerate() {
        let trimmed = code.trim();
        let opens = code.matches('{').count() as i64;
        let closes = code.matches('}').count() as i64;
        if skipping.is_none() && trimmed.starts_with("#[cfg(test)]") {
            pending = true;
            let rest = trimmed.trim_start_matches("#[cfg(test)]").trim();
            if rest.is_empty() {
                continue;
            }
        }
        if pending && !trimmed.is_empty() && !trimmed.starts_with("#[") {
            pending = false;
            let item = trimmed.trim_start_matches("#[cfg(test)]").trim();
            if let Some(name) = item
                .strip_prefix("pub ")
                .unwrap_or(item)
                .strip_prefix("mod ")
                .and_then(|m| m.strip_suffix(';'))
            {
                test_mods.push(name.trim().to_owned());
                continue;
            }
            skipping = Some((depth, false));
        }
        if let Some((start, opened)) = skipping {
            depth += opens - closes;
            let opened = opened || opens > 0;
            if (opened && depth <= start) || (!opened && trimmed.ends_with(';')) {
                skipping = None;
            } else {
                skipping = Some((start, opened));
            }
            continue;
        }
        depth += opens - closes;
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let whole_word = !rest[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            if whole_word && !name.is_empty() {
                found.push((n + 1, name));
            }
            rest = after;
        }
    }
    (found, test_mods)
}

/// Every non-test import edge between top-level modules: (from, to, "file:line").
fn module_edges() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    // Test-only module files, and the folders of their children.
    let mut test_paths: Vec<PathBuf> = Vec::new();
    let mut parsed = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let (found, test_mods) = imports(&text);
        let stem = file.file_stem().expect("a name").to_string_lossy();
        let parent = file.parent().expect("in a folder");
        let children = if matches!(&*stem, "lib" | "main" | "mod") {
            parent.to_path_buf()
        } else {
            parent.join(&*stem)
        };
        for m in test_mods {
            test_paths.push(children.join(format!("{m}.rs")));
            test_paths.push(children.join(&m));
        }
        parsed.push((file.clone(), found));
    }
    let mut edges = Vec::new();
    for (file, found) in parsed {
        let rel = file.strip_prefix(&src).expect("under src");
        let top = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_owned()
            })
            .expect("a first component");
        if matches!(top.as_str(), "lib" | "main") || test_paths.iter().any(|t| file.starts_with(t))
        {
            continue;
        }
        for (line, to) in found {
            if to != top {
                edges.push((top.clone(), to, format!("src/{}:{line}", rel.display())));
            }
        }
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&src).expect("src is readable") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name").to_string_lossy();
        let module = name.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "build") || (path.is_file() && !name.ends_with(".rs"))
        {
            continue;
        }
        if layer_of(module).is_none() {
            missing.push(format!("src/{name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "add these modules to LAYERS in tests/architecture.rs: {missing:?}"
    );
}

#[test]
fn imports_point_down_the_layers() {
    let edges = module_edges();
    assert!(
        edges.len() > 50,
        "expected to read the imports, found {}",
        edges.len()
    );
    let mut offences = Vec::new();
    for (from, to, place) in &edges {
        let (Some(a), Some(b)) = (layer_of(from), layer_of(to)) else {
            offences.push(format!("{place}: {from} names {to}, which has no layer"));
            continue;
        };
        if b > a {
            offences.push(format!("{place}: {from} imports {to}, a layer above it"));
        }
    }
    assert!(
        offences.is_empty(),
        "imports that point up the layers:\n{}",
        offences.join("\n")
    );
}

/// Doc comments name the layers above in words, never as `crate::` paths: a link up a layer is a
/// dependency in the documentation (the shared module-graph check counts it as an edge).
#[test]
fn doc_comments_link_no_layer_above() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut offences = Vec::new();
    let mut links = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let top = rel.components().next().expect("a first component");
        let top = top
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let Some(from) = layer_of(&top) else { continue };
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if !(trimmed.starts_with("///") || trimmed.starts_with("//!")) {
                continue;
            }
            for (at, _) in trimmed.match_indices("crate::") {
                let name: String = trimmed[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                links += 1;
                if layer_of(&name).is_some_and(|to| to > from) {
                    offences.push(format!(
                        "src/{}:{}: {top} links {name}",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(links > 10, "expected to read doc links, found {links}");
    assert!(
        offences.is_empty(),
        "doc comments that link a layer above:\n{}",
        offences.join("\n")
    );
}

/// Depth-first search from `node`; a back edge closes a cycle, returned as its path.
fn visit(
    node: &str,
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut std::collections::BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|p| p == node) {
        let mut cycle = path[at..].to_vec();
        cycle.push(node.to_owned());
        return Some(cycle);
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_owned());
    for next in graph.get(node).into_iter().flatten() {
        if let Some(cycle) = visit(next, graph, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node.to_owned());
    None
}

#[test]
fn top_level_modules_form_no_cycle() {
    use std::collections::{BTreeMap, BTreeSet};
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut places: BTreeMap<(String, String), String> = BTreeMap::new();
    for (from, to, place) in module_edges() {
        places.entry((from.clone(), to.clone())).or_insert(place);
        graph.entry(from).or_default().insert(to);
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            let steps: Vec<String> = cycle
                .windows(2)
                .map(|w| {
                    let place = &places[&(w[0].clone(), w[1].clone())];
                    format!("{} -> {} ({place})", w[0], w[1])
                })
                .collect();
            panic!(
                "modules import each other in a cycle:\n{}",
                steps.join("\n")
            );
        }
    }
}

/// The screens and the command line are siblings: what both show comes from `present`, and
/// the TUI never reaches into the CLI (the CLI may launch the TUI).
#[test]
fn the_tui_does_not_depend_on_the_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("tui.rs")];
    rust_files(&src.join("tui"), &mut files);
    let mut offences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::cli") {
                offences.push(format!("{}:{}", file.display(), n + 1));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the TUI imports the CLI:\n{}",
        offences.join("\n")
    );
}

/// Claude Code's reader (discovery, scan, record decoding, wire types, peeks) and the loaders of
/// a session in full are reached through `agent_source`, so that another agent's reader plugs in
/// there: outside the transcript engine, the agent sources and the session detail, no code (test
/// code included) names them. Integration tests may, to build fixtures.
#[test]
fn agent_readers_are_reached_through_agent_source() {
    const READERS: [&str; 5] = ["discover", "scan", "record", "wire", "peek"];
    const LOADERS: [&str; 4] = [
        "load_detail",
        "load_detail_and_conversation",
        "load_conversation",
        "load_secrets",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let allowed = ["transcript", "agent_source", "session/detail"];
    let mut checked = 0;
    let mut offences = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let inside = allowed
            .iter()
            .any(|a| rel.starts_with(a) || rel.with_extension("") == Path::new(a));
        if inside {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(file).expect("readable");
        // Inside `transcript::{ … }`, the modules it names.
        let mut in_group = false;
        for (n, code) in code_lines(&text).iter().enumerate() {
            let words: Vec<&str> = code
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            let mut named: Vec<String> = Vec::new();
            for reader in READERS {
                if code.contains(&format!("transcript::{reader}")) {
                    named.push(format!("transcript::{reader}"));
                }
            }
            if let Some(at) = code.find("transcript::{") {
                let group = &code[at..];
                in_group = !group.contains('}');
                named.extend(group_names(group, &READERS));
            } else if in_group {
                named.extend(group_names(code, &READERS));
                in_group = !code.contains('}');
            }
            named.extend(
                LOADERS
                    .iter()
                    .filter(|l| words.contains(l))
                    .map(|l| format!("session::detail::{l}")),
            );
            for name in named {
                offences.push(format!("src/{}:{}: names {name}", rel.display(), n + 1));
            }
        }
    }
    assert!(
        checked > 50,
        "expected to check most of src, checked {checked}"
    );
    assert!(
        offences.is_empty(),
        "code outside the agent sources reaches into an agent's reader:\n{}",
        offences.join("\n")
    );
}

/// The reader modules a piece of a `use …::{ … }` group names.
fn group_names(group: &str, readers: &[&str]) -> Vec<String> {
    group
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter_map(|item| {
            let item = item.trim_start_matches("transcript::");
            let first = item.split("::").next().unwrap_or("");
            readers
                .contains(&first)
                .then(|| format!("transcript::{first}"))
        })
        .collect()
}
