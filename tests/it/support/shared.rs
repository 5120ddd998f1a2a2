//! Access to `../shared` (reference data that stays outside the project). Tests that need it
//! skip with a message when it is absent, and fail instead under CI=true.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// `../shared/<rel>` if present. Returns `None` (after printing why) when the folder is missing
/// outside CI; panics when it is missing under CI=true.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{} is missing; under CI=true the shared reference data must be present",
        path.display()
    );
    eprintln!(
        "skipping: {} is absent (shared reference data)",
        path.display()
    );
    None
}

/// Every `.jsonl` file under `dir`, sorted.
pub fn jsonl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Copies `src` (a file or folder) to `dest`.
pub fn copy_tree(src: &Path, dest: &Path) {
    if src.is_dir() {
        std::fs::create_dir_all(dest).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let p = entry.unwrap().path();
            copy_tree(&p, &dest.join(p.file_name().unwrap()));
        }
    } else {
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(src, dest).unwrap();
    }
}

/// Copies the transcripts of the project's recorded fixture session `v2.1.197-subagent` (its
/// session file and sub-agent folder) into `dest`, as capture archives them.
pub fn copy_subagent_fixture(dest: &Path) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/claude/v2.1.197-subagent/projects");
    let project = std::fs::read_dir(&fixture)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    copy_tree(&project, dest);
}
