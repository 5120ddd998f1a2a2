//! Finding the repository's policies in `.vouch/policies/`: plain `.rego` files (input: our
//! evidence document) and chainloop `kind: Policy` YAML files whose `spec.policies[]` entries
//! for `CHAINLOOP_AI_CODING_SESSION` hold Rego `embedded`, or name a Rego file in `path`.

use std::path::Path;

use serde::Deserialize;

use super::PolicyError;
use super::eval::Module;

/// The folder of a repository's policies.
pub const FOLDER: &str = ".vouch/policies";
/// The material kind chainloop policies must target to run here.
pub const CHAINLOOP_KIND: &str = crate::evidence::chainloop::MATERIAL_ID;

/// A policy found in the repository.
#[derive(Debug, Clone)]
pub struct FilePolicy {
    pub name: String,
    /// The file, relative to the repository.
    pub source: String,
    pub kind: FileKind,
    /// The module to run, or why it cannot run (a located message).
    pub module: Result<Module, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Input: the evidence document.
    Rego,
    /// Input: one chainloop material per session.
    Chainloop,
}

impl FileKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rego => "rego",
            Self::Chainloop => "chainloop",
        }
    }
}

#[derive(Debug, Deserialize)]
struct PolicyFile {
    kind: Option<String>,
    metadata: Option<Metadata>,
    spec: Option<Spec>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Spec {
    #[serde(default)]
    policies: Vec<SpecPolicy>,
}

#[derive(Debug, Deserialize)]
struct SpecPolicy {
    kind: Option<String>,
    embedded: Option<String>,
    path: Option<String>,
}

/// Every policy file in `root/.vouch/policies`, sorted by file name.
pub fn discover(root: &Path) -> Result<Vec<FilePolicy>, PolicyError> {
    let folder = root.join(FOLDER);
    let entries = match std::fs::read_dir(&folder) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(PolicyError::Read(format!("{FOLDER}: {e}"))),
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let source = format!("{FOLDER}/{file}");
        let path = folder.join(&file);
        if let Some(stem) = file.strip_suffix(".rego") {
            out.push(FilePolicy {
                name: stem.to_owned(),
                module: read(&path, &source).map(|text| Module {
                    label: source.clone(),
                    text,
                    line_offset: 0,
                }),
                source,
                kind: FileKind::Rego,
            });
        } else if let Some(stem) = file
            .strip_suffix(".yaml")
            .or_else(|| file.strip_suffix(".yml"))
        {
            out.extend(chainloop(&folder, &path, &source, stem));
        }
    }
    Ok(out)
}

fn read(path: &Path, source: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{source}: {e}"))
}

/// The policies of one chainloop file (one entry per runnable `spec.policies[]` item; a file
/// that cannot be read or parsed is one entry holding the error).
fn chainloop(folder: &Path, path: &Path, source: &str, stem: &str) -> Vec<FilePolicy> {
    let broken = |message: String| {
        vec![FilePolicy {
            name: stem.to_owned(),
            source: source.to_owned(),
            kind: FileKind::Chainloop,
            module: Err(message),
        }]
    };
    let text = match read(path, source) {
        Ok(t) => t,
        Err(e) => return broken(e),
    };
    let parsed: PolicyFile = match yaml_serde::from_str(&text) {
        Ok(p) => p,
        Err(e) => return broken(format!("{source}: {e}")),
    };
    if parsed.kind.as_deref() != Some("Policy") {
        return broken(format!("{source}: not a chainloop policy (kind: Policy)"));
    }
    let name = parsed
        .metadata
        .and_then(|m| m.name)
        .unwrap_or_else(|| stem.to_owned());
    // Each entry with the index of its `embedded:` block among all entries of the file.
    let mut embedded_count = 0;
    let items: Vec<(usize, SpecPolicy)> = parsed
        .spec
        .map(|s| s.policies)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let index = embedded_count;
            embedded_count += usize::from(p.embedded.is_some());
            (index, p)
        })
        .filter(|(_, p)| p.kind.as_deref() == Some(CHAINLOOP_KIND))
        .collect();
    if items.is_empty() {
        return broken(format!(
            "{source}: no spec.policies entry for kind {CHAINLOOP_KIND}"
        ));
    }
    let offsets = embedded_lines(&text);
    let several = items.len() > 1;
    items
        .into_iter()
        .enumerate()
        .map(|(i, (embedded_index, item))| {
            let suffix = if several {
                format!("#{}", i + 1)
            } else {
                String::new()
            };
            let offset = offsets.get(embedded_index).copied().unwrap_or(0);
            FilePolicy {
                name: format!("{name}{suffix}"),
                source: source.to_owned(),
                kind: FileKind::Chainloop,
                module: spec_module(folder, &format!("{source}{suffix}"), offset, item),
            }
        })
        .collect()
}

/// The Rego of one `spec.policies[]` entry: embedded (starting `offset` lines into the file),
/// or read from the file its `path` names.
fn spec_module(
    folder: &Path,
    label: &str,
    offset: u32,
    item: SpecPolicy,
) -> Result<Module, String> {
    match (item.embedded, item.path) {
        (Some(text), _) => Ok(Module {
            label: label.to_owned(),
            text,
            line_offset: offset,
        }),
        (None, Some(rel)) => {
            let file = format!("{FOLDER}/{rel}");
            read(&folder.join(&rel), &file).map(|text| Module {
                label: file,
                text,
                line_offset: 0,
            })
        }
        (None, None) => Err(format!("{label}: a policy has neither embedded nor path")),
    }
}

/// For each `embedded: |` block scalar, the number of file lines before its first line, so a
/// line of the embedded text plus this is its line in the file.
fn embedded_lines(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with("embedded:")
        })
        .map(|(i, _)| i as u32 + 1)
        .collect()
}
