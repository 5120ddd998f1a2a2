//! The diff between two commits' trees as people read it (what a pull request shows): each file
//! with its hunks and their context, removed and added lines, renames found. Lines past a cap
//! are counted, not kept (lock files and generated code would otherwise fill memory).

use git2::{DiffFindOptions, DiffOptions, Oid, Patch, Repository};

/// Lines of context around each change.
const CONTEXT: u32 = 3;
/// Diff lines kept per file, and in all.
const MAX_FILE_LINES: usize = 5000;
const MAX_LINES: usize = 100_000;

/// One file of the diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchFile {
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    /// added, modified, deleted, renamed, copied, typechange.
    pub status: &'static str,
    pub binary: bool,
    /// Every added and removed line, kept or not.
    pub added: u32,
    pub removed: u32,
    pub lines: Vec<PatchLine>,
    /// Lines left out past the cap.
    pub more_lines: usize,
}

/// One line of a file's diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchLine {
    pub kind: PatchKind,
    pub old: Option<u32>,
    pub new: Option<u32>,
    /// The text without its line ending (the header for [`PatchKind::Hunk`]).
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    Hunk,
    Context,
    Added,
    Removed,
}

impl PatchFile {
    /// The new line numbers of the added lines kept, as inclusive ranges.
    pub fn added_ranges(&self) -> Vec<(u32, u32)> {
        let added: Vec<u32> = self
            .lines
            .iter()
            .filter(|l| l.kind == PatchKind::Added)
            .filter_map(|l| l.new)
            .collect();
        super::diff::ranges(&added)
            .into_iter()
            .map(|[a, b]| (a, b))
            .collect()
    }
}

/// The diff from `base` (the empty tree when `None`) to `tip`.
pub fn range_patch(
    repo: &Repository,
    base: Option<Oid>,
    tip: Oid,
) -> Result<Vec<PatchFile>, git2::Error> {
    let new = repo.find_commit(tip)?.tree()?;
    let old = base
        .map(|b| repo.find_commit(b).and_then(|c| c.tree()))
        .transpose()?;
    let mut options = DiffOptions::new();
    options.context_lines(CONTEXT).ignore_submodules(true);
    let mut diff = repo.diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut options))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let mut out = Vec::new();
    let mut budget = MAX_LINES;
    for i in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(i) else {
            continue;
        };
        let path = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
        let (new_path, old_path) = (path(delta.new_file()), path(delta.old_file()));
        let status = super::diff::status_name(delta.status());
        let mut file = PatchFile {
            old_path: (status == "renamed").then_some(old_path.clone()).flatten(),
            path: new_path.or(old_path).unwrap_or_default(),
            status,
            binary: delta.flags().is_binary(),
            added: 0,
            removed: 0,
            lines: Vec::new(),
            more_lines: 0,
        };
        if let Some(patch) = Patch::from_diff(&diff, i)? {
            read(&patch, &mut file, budget.min(MAX_FILE_LINES))?;
        }
        budget -= file.lines.len();
        out.push(file);
    }
    Ok(out)
}

fn read(patch: &Patch<'_>, file: &mut PatchFile, cap: usize) -> Result<(), git2::Error> {
    let push = |file: &mut PatchFile, line: PatchLine| {
        if file.lines.len() < cap {
            file.lines.push(line);
        } else {
            file.more_lines += 1;
        }
    };
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        let text = String::from_utf8_lossy(hunk.header()).trim_end().to_owned();
        push(
            file,
            PatchLine {
                kind: PatchKind::Hunk,
                old: None,
                new: None,
                text,
            },
        );
        for l in 0..patch.num_lines_in_hunk(h)? {
            let line = patch.line_in_hunk(h, l)?;
            let kind = match line.origin() {
                '+' => PatchKind::Added,
                '-' => PatchKind::Removed,
                ' ' => PatchKind::Context,
                // "\ No newline at end of file" and similar markers.
                _ => continue,
            };
            file.added += u32::from(kind == PatchKind::Added);
            file.removed += u32::from(kind == PatchKind::Removed);
            let text = String::from_utf8_lossy(line.content())
                .trim_end_matches(['\n', '\r'])
                .to_owned();
            let (old, new) = (line.old_lineno(), line.new_lineno());
            push(
                file,
                PatchLine {
                    kind,
                    old,
                    new,
                    text,
                },
            );
        }
    }
    Ok(())
}
