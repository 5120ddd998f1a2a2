//! The guard's rules as data: the embedded `assets/guard.toml`, plus a repository's
//! `.vouch/guard.toml`, which adds rules, replaces one by id and adds to the path lists.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::paths::{PathClass, PathClasses, PathSpec};
use super::pattern::{Globs, LazyRegex};

const DEFAULT: &str = include_str!("../../assets/guard.toml");
/// The name the embedded rules go by in messages.
const EMBEDDED: &str = "assets/guard.toml";
/// The embedded rules' FNV-1a, computed by the compiler: it names their cached parse.
const DEFAULT_HASH: u64 = fnv1a(DEFAULT.as_bytes());

/// How risky a call is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    #[default]
    Low,
    Medium,
    High,
    Critical,
}

/// The kind of risk a finding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Destructive,
    HistoryRewrite,
    RemoteCode,
    SecretFile,
    SecretInInput,
    HooksDisabled,
    Privilege,
    Egress,
    PackageInstall,
    ExternalTool,
    Unparsed,
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum On {
    Command,
    Pipe,
    Write,
    Read,
    Tool,
    Input,
    Unparsed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refs {
    Protected,
}

/// One rule as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    on: On,
    category: Category,
    level: Level,
    reason: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    programs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    subcommands: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    flags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    args: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    targets: Vec<PathClass>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refs: Option<Refs>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    privileged: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    from: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tools: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    protected_refs: Vec<String>,
    #[serde(default)]
    max_repeated_failures: Option<u32>,
    #[serde(default)]
    paths: PathSpec,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub on: On,
    pub category: Category,
    pub level: Level,
    pub reason: String,
    pub programs: Vec<String>,
    pub subcommands: Vec<String>,
    pub flags: Vec<String>,
    pub args: Option<LazyRegex>,
    pub targets: Vec<PathClass>,
    pub refs: Option<Refs>,
    pub privileged: Option<bool>,
    pub from: Vec<String>,
    pub tools: Globs,
}

/// Every rule, with the path classes and protected refs they use.
#[derive(Debug, Clone)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub paths: PathClasses,
    pub protected_refs: Globs,
    /// The loop breaker: after this many failures in a row of the same call, the next identical
    /// call is denied under `ask` and `enforce` (0: never).
    pub max_repeated_failures: u32,
}

/// A rules file that cannot be used, naming the file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("{file}: {source}")]
    Toml {
        file: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("{file}: rule `{rule}`: {what}")]
    Rule {
        file: String,
        rule: String,
        what: String,
    },
    #[error("{file}: [paths]: {source}")]
    Glob {
        file: String,
        #[source]
        source: globset::Error,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The repository's own rules file, beside its policies.
pub const REPOSITORY_FILE: &str = ".vouch/guard.toml";

impl Rules {
    /// The embedded rules.
    pub fn embedded() -> Result<Self, RulesError> {
        Self::from_files(&[(DEFAULT, EMBEDDED)])
    }

    /// The embedded rules with `worktree/.vouch/guard.toml` over them, where it exists.
    pub fn for_repository(worktree: &Path) -> Result<Self, RulesError> {
        Self::for_repository_cached(worktree, None)
    }

    /// [`Self::for_repository`], with the embedded rules' parse kept in `cache` (a folder of the
    /// repository's state): parsing their TOML is the larger part of a guarded hook's work, and
    /// JSON reads several times faster. A cache that is missing or unreadable is rebuilt; the
    /// repository's own file is always read afresh.
    pub fn for_repository_cached(
        worktree: &Path,
        cache: Option<&Path>,
    ) -> Result<Self, RulesError> {
        let embedded = match cache {
            Some(dir) => cached_default(dir)?,
            None => parse(DEFAULT, EMBEDDED)?,
        };
        let path = worktree.join(REPOSITORY_FILE);
        let mut files = vec![(embedded, EMBEDDED)];
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((parse(&text, REPOSITORY_FILE)?, REPOSITORY_FILE)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(RulesError::Io { path, source }),
        }
        Self::from_specs(files)
    }

    /// Later files add rules, replace rules with the same id and extend the lists.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Self, RulesError> {
        let specs = files
            .iter()
            .map(|(text, file)| Ok((parse(text, file)?, *file)))
            .collect::<Result<Vec<_>, RulesError>>()?;
        Self::from_specs(specs)
    }

    fn from_specs(files: Vec<(FileSpec, &str)>) -> Result<Self, RulesError> {
        let mut specs: Vec<(RuleSpec, String)> = Vec::new();
        let mut paths = PathSpec::default();
        let mut refs = Vec::new();
        let mut max_repeated_failures = 0;
        let last = files.last().map_or("", |f| f.1);
        // The embedded rules' globs and expressions are parsed by a test; a repository's, here.
        let trusted = files.iter().all(|f| f.1 == EMBEDDED);
        for (spec, file) in files {
            extend_paths(&mut paths, spec.paths);
            refs.extend(spec.protected_refs);
            max_repeated_failures = spec.max_repeated_failures.unwrap_or(max_repeated_failures);
            for rule in spec.rule {
                specs.retain(|(r, _)| r.id != rule.id);
                specs.push((rule, file.to_owned()));
            }
        }
        let glob_err = |file: &str| {
            let file = file.to_owned();
            move |source| RulesError::Glob { file, source }
        };
        let rules = specs
            .into_iter()
            .map(|(s, file)| compile(s, &file))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            rules,
            paths: PathClasses::new(&paths, trusted).map_err(glob_err(last))?,
            protected_refs: if trusted {
                Globs::trusted(&refs)
            } else {
                Globs::new(&refs).map_err(glob_err(last))?
            },
            max_repeated_failures,
        })
    }

    pub fn is_protected(&self, branch: &str) -> bool {
        self.protected_refs.is_match(branch)
    }
}

fn parse(text: &str, file: &str) -> Result<FileSpec, RulesError> {
    toml::from_str(text).map_err(|source| RulesError::Toml {
        file: file.to_owned(),
        source,
    })
}

/// The file in a cache folder that holds the embedded rules' parse as JSON: its name changes
/// with the rules' text and the program's version.
pub fn cache_name() -> String {
    format!(
        "guard-rules-{}-{DEFAULT_HASH:016x}.json",
        env!("CARGO_PKG_VERSION")
    )
}

/// The embedded rules as parsed, from the cache in `dir` when it holds them, else parsed from
/// TOML and written there (atomically; a cache that cannot be written is no error).
fn cached_default(dir: &Path) -> Result<FileSpec, RulesError> {
    let name = cache_name();
    let path = dir.join(&name);
    if let Some(spec) = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    {
        return Ok(spec);
    }
    let spec = parse(DEFAULT, EMBEDDED)?;
    if let Ok(json) = serde_json::to_vec(&spec) {
        let temp = dir.join(format!("{name}.{}.tmp", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&temp, json))
            .and_then(|()| std::fs::rename(&temp, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        } else {
            remove_other_caches(dir, &name);
        }
    }
    Ok(spec)
}

/// Removes the parses of other versions of the rules.
fn remove_other_caches(dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("guard-rules-") && name.ends_with(".json") && name != keep {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// FNV-1a of `bytes` (64-bit): usable by the compiler, for names that follow a content.
pub(crate) const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

fn extend_paths(into: &mut PathSpec, from: PathSpec) {
    into.private_key.extend(from.private_key);
    into.credentials.extend(from.credentials);
    into.env_file.extend(from.env_file);
    into.not_secret.extend(from.not_secret);
    into.system.extend(from.system);
    into.temporary.extend(from.temporary);
}

fn compile(spec: RuleSpec, file: &str) -> Result<Rule, RulesError> {
    let err = |what: String| RulesError::Rule {
        file: file.to_owned(),
        rule: spec.id.clone(),
        what,
    };
    // The embedded rules' expressions are compiled by a test; a repository's, here.
    let args = match spec.args.as_deref() {
        Some(p) if file == EMBEDDED => Some(LazyRegex::trusted(p)),
        Some(p) => Some(LazyRegex::checked(p).map_err(|e| err(format!("args: {e}")))?),
        None => None,
    };
    let tools = if file == EMBEDDED {
        Globs::trusted(&spec.tools)
    } else {
        Globs::new(&spec.tools).map_err(|e| err(format!("tools: {e}")))?
    };
    let needs = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(err(what.to_owned()))
        }
    };
    match spec.on {
        On::Pipe => needs(
            !spec.from.is_empty() && !spec.programs.is_empty(),
            "`on = \"pipe\"` needs `from` and `programs`",
        )?,
        On::Tool => needs(!spec.tools.is_empty(), "`on = \"tool\"` needs `tools`")?,
        On::Read | On::Write => needs(
            !spec.targets.is_empty(),
            "`on = \"read\"` and `\"write\"` need `targets`",
        )?,
        On::Command | On::Input | On::Unparsed => {}
    }
    if spec
        .flags
        .iter()
        .any(|f| !f.starts_with('-') || f == "-" || f == "--")
    {
        return Err(err("flags are written `-f` or `--force`".to_owned()));
    }
    Ok(Rule {
        id: spec.id,
        on: spec.on,
        category: spec.category,
        level: spec.level,
        reason: spec.reason,
        programs: spec.programs,
        subcommands: spec.subcommands,
        flags: spec.flags,
        args,
        targets: spec.targets,
        refs: spec.refs,
        privileged: spec.privileged,
        from: spec.from,
        tools,
    })
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Self::Destructive => "destructive",
            Self::HistoryRewrite => "history_rewrite",
            Self::RemoteCode => "remote_code",
            Self::SecretFile => "secret_file",
            Self::SecretInInput => "secret_in_input",
            Self::HooksDisabled => "hooks_disabled",
            Self::Privilege => "privilege",
            Self::Egress => "egress",
            Self::PackageInstall => "package_install",
            Self::ExternalTool => "external_tool",
            Self::Unparsed => "unparsed",
        }
    }
}

#[cfg(test)]
mod tests;
