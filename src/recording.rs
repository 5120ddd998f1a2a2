//! Turning a recorded Claude Code run into project fixtures: the run's transcripts are copied
//! with every machine-specific path rewritten to a neutral one, and fixture trees are packed into
//! the single-file archive the demo data is embedded from.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::report::filter::encode_project_dir;

/// Copies `<run>/home/.claude/projects` to `<dest>/projects`, replacing the run folder's
/// absolute path with `neutral` in file contents and project folder names.
pub fn import_run(run: &Path, dest: &Path, neutral: &str) -> io::Result<Vec<PathBuf>> {
    let run = run.canonicalize()?;
    let from = run.to_string_lossy().into_owned();
    let from_enc = encode_project_dir(&run);
    let to_enc = encode_project_dir(Path::new(neutral));
    let src = run.join("home/.claude/projects");
    let mut written = Vec::new();
    for file in walk(&src)? {
        let rel = file
            .strip_prefix(&src)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace(&from_enc, &to_enc);
        let text = fs::read_to_string(&file)?
            .replace(&from, neutral)
            .replace(&from_enc, &to_enc);
        let out = dest.join("projects").join(rel);
        if let Some(dir) = out.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&out, text)?;
        written.push(out);
    }
    Ok(written)
}

/// Packs every `.jsonl` and `.meta.json` under each `<root>/projects` into the demo archive text.
pub fn pack(roots: &[PathBuf]) -> io::Result<String> {
    let mut out =
        String::from("# git-vouch demo transcripts: `#file <path>` then the file's lines\n");
    for root in roots {
        let projects = root.join("projects");
        for file in walk(&projects)? {
            let rel = file
                .strip_prefix(&projects)
                .unwrap_or(&file)
                .to_string_lossy()
                .into_owned();
            out.push_str("#file ");
            out.push_str(&rel);
            out.push('\n');
            for line in fs::read_to_string(&file)?.lines() {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

/// Every file under `dir`, sorted.
fn walk(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
