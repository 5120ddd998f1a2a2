//! The layering rule: domain modules (everything but `cli`, `tui` and `main.rs`) never name the
//! terminal, argument-parsing or error-report crates, nor the UI layers above them. CI also builds
//! the library with `--no-default-features`, which proves the same at compile time.

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
