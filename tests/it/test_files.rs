//! No test file is forgotten (jj's check): every `.rs` file under `tests/it` is reached from
//! `main.rs` through `mod` declarations, so each one is compiled and its tests run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The `mod name;` declarations of a source file, with the file each one names: a `#[path]`
/// attribute's (relative to the declaring file's folder), else `<dir>/name.rs`.
fn declared_modules(file: &Path, dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(file).expect("a readable test file");
    let mut path_attr: Option<String> = None;
    let mut found = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[path = \"") {
            path_attr = rest.strip_suffix("\"]").map(str::to_owned);
            continue;
        }
        let decl = line
            .strip_prefix("pub ")
            .unwrap_or(line)
            .strip_prefix("mod ")
            .and_then(|rest| rest.strip_suffix(';'));
        if let Some(name) = decl {
            let folder = file.parent().expect("a folder");
            found.push(match path_attr.take() {
                Some(rel) => folder.join(rel),
                None => dir.join(format!("{name}.rs")),
            });
        } else if !line.starts_with("#[") {
            path_attr = None;
        }
    }
    found
}

/// Every file reachable from `main.rs`: a module `x.rs` keeps its submodules in `x/`.
fn reachable(root: &Path) -> BTreeSet<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![(root.join("main.rs"), root.to_path_buf())];
    while let Some((file, dir)) = todo.pop() {
        let Ok(file) = file.canonicalize() else {
            continue;
        };
        if !seen.insert(file.clone()) {
            continue;
        }
        for child in declared_modules(&file, &dir) {
            let child_dir = child.with_extension("");
            todo.push((child, child_dir));
        }
    }
    seen
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_test_file_is_reached_from_main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let reached = reachable(&root);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let forgotten: Vec<String> = files
        .iter()
        .filter(|f| !reached.contains(&f.canonicalize().expect("an existing file")))
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect();
    assert!(
        forgotten.is_empty(),
        "test files no `mod` reaches from tests/it/main.rs (add a `mod` for each): {forgotten:?}"
    );
}
