//! What governed the agent: its configuration as it stood when a session started,
//! recorded by the SessionStart hook (`config/<session>.json` in the state folder) and carried in
//! the evidence. The record holds digests and the facts that matter, never file contents (a copy
//! of each file digested, up to 256 KiB, is kept apart by [`keep_contents`] for chainloop's
//! material; `~/.claude.json` and `.mcp.json`, which can hold tokens, are not copied, nor are the
//! other agents' settings files, which hold their MCP servers' environment). Codex CLI, Gemini CLI
//! and opencode fill the same record from their own files (`codex.rs`, `gemini.rs`,
//! `opencode.rs`). Claude Code's:
//!
//! - instruction files in force (`CLAUDE.md` of the enterprise policy, the user, and every folder
//!   from the repository's top down to the session's folder, with `.claude/CLAUDE.md` and
//!   `CLAUDE.local.md`): path, size, sha256;
//! - settings files (managed, user, project, local): their sha256, the permission rules and
//!   default mode, the hooks (event and the sha256 of each command: commands can hold secrets),
//!   the enabled plugins and the model;
//! - MCP servers (the project's `.mcp.json`, the user's and this project's in `~/.claude.json`):
//!   name, scope and the sha256 of their command or URL;
//! - the repository's agents, commands and skills: name and sha256.
//!
//! Paths are `~/…` under the user's Claude folder and repository-relative in the repository, so
//! the evidence names no one's home folder. A file that cannot be read or parsed is recorded with
//! what is known of it and a warning; the hook never fails on it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::fingerprint::{hex, sha256_hex};

/// Where Claude Code reads managed (enterprise) instructions and settings on Linux.
pub const MANAGED_DIR: &str = "/etc/claude-code";

/// Files larger than this are digested but not parsed (settings are small).
const MAX_PARSED: u64 = 1024 * 1024;

/// Claude Code's configuration for one session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentConfig {
    pub captured_at: Option<DateTime<Utc>>,
    /// sha256 over every file's path and digest below: one value to compare sessions by.
    pub config_sha256: String,
    pub instructions: Vec<ConfigFile>,
    pub settings: Vec<SettingsFile>,
    pub mcp_servers: Vec<McpServer>,
    pub agents: Vec<NamedFile>,
    pub commands: Vec<NamedFile>,
    pub skills: Vec<NamedFile>,
    /// The permission mode the session started in, where the agent's transcript records none
    /// (Gemini CLI, opencode): from its command line, else its settings' default (see
    /// [`launch`]); `None` for the other agents, or when the command line was not found. Not
    /// part of `config_sha256`, which digests files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The files read, on disk (not recorded: [`keep_contents`] copies them).
    #[serde(skip)]
    pub sources: Vec<PathBuf>,
}

/// Files larger than this are not kept (their digest is).
const MAX_KEPT: u64 = 256 * 1024;

/// Keeps a copy of every file read into `dir`, named by its sha256, for the outputs that carry
/// contents (chainloop's `CHAINLOOP_AI_AGENT_CONFIG`, redacted when printed): a file already
/// kept is not written again.
pub fn keep_contents(config: &AgentConfig, dir: &Path) -> std::io::Result<()> {
    for path in &config.sources {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if bytes.len() as u64 > MAX_KEPT {
            continue;
        }
        let kept = dir.join(sha256_hex(&bytes));
        if !kept.exists() {
            crate::capture::atomic_write::write_atomic(&kept, &bytes, Some(0o600))?;
        }
    }
    Ok(())
}

/// A kept file's text, by its sha256 (`None` when it was not kept or is not text).
pub fn kept_text(dir: &Path, sha256: &str) -> Option<String> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    String::from_utf8(std::fs::read(dir.join(sha256)).ok()?).ok()
}

/// An instruction file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigFile {
    pub path: String,
    /// `managed`, `user`, `project` or `local`.
    pub scope: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A settings file and what in it governs the agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsFile {
    pub path: String,
    pub scope: String,
    pub sha256: String,
    pub default_mode: Option<String>,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
    pub ask: Vec<String>,
    pub hooks: Vec<HookCommand>,
    pub enabled_plugins: Vec<String>,
    pub model: Option<String>,
}

/// One hook command of a settings file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HookCommand {
    pub event: String,
    pub command_sha256: String,
}

/// An MCP server the agent could call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServer {
    pub name: String,
    /// `project` (.mcp.json), `user` or `local` (~/.claude.json).
    pub scope: String,
    /// sha256 of its `command` and `args`, or of its `url`.
    pub command_sha256: String,
}

/// A named file of the repository (an agent, a command, a skill).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedFile {
    pub name: String,
    pub path: String,
    pub sha256: String,
}

/// Where to look: the agent's user folder (Claude Code's `$CLAUDE_CONFIG_DIR`, else `~/.claude`;
/// see each agent's module for the others), the repository's top and the session's folder.
pub struct Places<'a> {
    pub user_dir: Option<PathBuf>,
    /// How the user folder is named in the record (`~/.claude`, `~/.codex`, …).
    pub user_label: &'static str,
    pub managed_dir: &'a Path,
    pub root: &'a Path,
    pub cwd: &'a Path,
}

impl Places<'_> {
    /// How a path is shown: `~/…` in the user's folder, relative in the repository.
    fn show(&self, path: &Path) -> String {
        if let Some(rest) = self
            .user_dir
            .as_deref()
            .and_then(|d| path.strip_prefix(d).ok())
        {
            return format!("{}/{}", self.user_label, rest.display());
        }
        match path.strip_prefix(self.root) {
            Ok(rest) => rest.display().to_string(),
            Err(_) => path.display().to_string(),
        }
    }
}

/// Reads the configuration at `places`.
pub fn collect(places: &Places<'_>, now: DateTime<Utc>) -> AgentConfig {
    let mut out = AgentConfig {
        captured_at: Some(now),
        ..AgentConfig::default()
    };
    instructions(places, &mut out);
    settings(places, &mut out);
    mcp_servers(places, &mut out);
    let claude = places.root.join(".claude");
    out.agents = named(places, &claude.join("agents"), "md", &mut out.sources);
    out.commands = named(places, &claude.join("commands"), "md", &mut out.sources);
    out.skills = skills(places, &claude.join("skills"), &mut out.sources);
    out.config_sha256 = digest_of(&out);
    out
}

fn instructions(places: &Places<'_>, out: &mut AgentConfig) {
    instruction(
        places,
        out,
        &places.managed_dir.join("CLAUDE.md"),
        "managed",
    );
    if let Some(d) = &places.user_dir {
        instruction(places, out, &d.join("CLAUDE.md"), "user");
    }
    for f in project_folders(places) {
        instruction(places, out, &f.join("CLAUDE.md"), "project");
        instruction(places, out, &f.join(".claude/CLAUDE.md"), "project");
        instruction(places, out, &f.join("CLAUDE.local.md"), "local");
    }
}

/// The folders from the repository's top down to the session's folder.
fn project_folders<'p>(places: &'p Places<'_>) -> Vec<&'p Path> {
    let mut folders: Vec<&Path> = places
        .cwd
        .ancestors()
        .take_while(|p| p.starts_with(places.root))
        .collect();
    folders.reverse();
    folders
}

/// Records the instruction file at `path` when there is one; whether there was.
fn instruction(places: &Places<'_>, out: &mut AgentConfig, path: &Path, scope: &str) -> bool {
    let Some((bytes, sha256)) = file_digest(path) else {
        return false;
    };
    out.sources.push(path.to_path_buf());
    out.instructions.push(ConfigFile {
        path: places.show(path),
        scope: scope.to_owned(),
        bytes,
        sha256,
    });
    true
}

fn settings(places: &Places<'_>, out: &mut AgentConfig) {
    let mut files = vec![(places.managed_dir.join("managed-settings.json"), "managed")];
    if let Some(d) = &places.user_dir {
        files.push((d.join("settings.json"), "user"));
    }
    files.push((places.root.join(".claude/settings.json"), "project"));
    files.push((places.root.join(".claude/settings.local.json"), "local"));
    for (path, scope) in files {
        let Some((_, sha256)) = file_digest(&path) else {
            continue;
        };
        out.sources.push(path.clone());
        let mut file = SettingsFile {
            path: places.show(&path),
            scope: scope.to_owned(),
            sha256,
            ..SettingsFile::default()
        };
        match read_json(&path) {
            Ok(v) => fill_settings(&mut file, &v),
            Err(e) => out.warnings.push(format!("{}: {e}", file.path)),
        }
        out.settings.push(file);
    }
}

fn fill_settings(file: &mut SettingsFile, v: &Value) {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let p = &v["permissions"];
    file.default_mode = p["defaultMode"].as_str().map(str::to_owned);
    file.allow = strings(&p["allow"]);
    file.deny = strings(&p["deny"]);
    file.ask = strings(&p["ask"]);
    file.model = v["model"].as_str().map(str::to_owned);
    if let Some(plugins) = v["enabledPlugins"].as_object() {
        file.enabled_plugins = plugins
            .iter()
            .filter(|(_, on)| on.as_bool() != Some(false))
            .map(|(name, _)| name.clone())
            .collect();
    }
    file.hooks = text::hooks(&v["hooks"]);
}

fn mcp_servers(places: &Places<'_>, out: &mut AgentConfig) {
    let project = places.root.join(".mcp.json");
    if file_digest(&project).is_some() {
        match read_json(&project) {
            Ok(v) => add_servers(&v["mcpServers"], "project", out),
            Err(e) => out.warnings.push(format!(".mcp.json: {e}")),
        }
    }
    // `~/.claude.json` sits beside `~/.claude` (in `$CLAUDE_CONFIG_DIR` when that is set).
    let Some(d) = &places.user_dir else { return };
    let user = if d.file_name().is_some_and(|n| n == ".claude") {
        d.with_file_name(".claude.json")
    } else {
        d.join(".claude.json")
    };
    if file_digest(&user).is_none() {
        return;
    }
    match read_json(&user) {
        Ok(v) => {
            add_servers(&v["mcpServers"], "user", out);
            let here = places.root.to_string_lossy();
            add_servers(&v["projects"][here.as_ref()]["mcpServers"], "local", out);
        }
        Err(e) => out.warnings.push(format!("~/.claude.json: {e}")),
    }
}

fn add_servers(servers: &Value, scope: &str, out: &mut AgentConfig) {
    for (name, s) in servers.as_object().into_iter().flatten() {
        let what = match s["url"].as_str().or_else(|| s["httpUrl"].as_str()) {
            Some(url) => url.to_owned(),
            None => serde_json::to_string(&[&s["command"], &s["args"]]).unwrap_or_default(),
        };
        out.mcp_servers.push(McpServer {
            name: name.clone(),
            scope: scope.to_owned(),
            command_sha256: sha256_hex(what.as_bytes()),
        });
    }
}

/// The `*.ext` files under `dir` (any depth), named by their path without the extension.
fn named(places: &Places<'_>, dir: &Path, ext: &str, sources: &mut Vec<PathBuf>) -> Vec<NamedFile> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == ext) {
                let Some((_, sha256)) = file_digest(&path) else {
                    continue;
                };
                let rel = path.strip_prefix(dir).unwrap_or(&path).with_extension("");
                sources.push(path.clone());
                out.push(NamedFile {
                    name: rel.display().to_string(),
                    path: places.show(&path),
                    sha256,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Every skill: a folder with a `SKILL.md`, named by the folder.
fn skills(places: &Places<'_>, dir: &Path, sources: &mut Vec<PathBuf>) -> Vec<NamedFile> {
    let mut out: Vec<NamedFile> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let skill = e.path().join("SKILL.md");
            let (_, sha256) = file_digest(&skill)?;
            sources.push(skill.clone());
            Some(NamedFile {
                name: e.file_name().to_string_lossy().into_owned(),
                path: places.show(&skill),
                sha256,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn read_json(path: &Path) -> Result<Value, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_PARSED {
        return Err(format!("{len} bytes, larger than {MAX_PARSED}: not read"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not JSON: {e}"))
}

/// A regular file's size and sha256 (`None` when there is none).
fn file_digest(path: &Path) -> Option<(u64, String)> {
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some((bytes.len() as u64, sha256_hex(&bytes)))
}

fn digest_of(c: &AgentConfig) -> String {
    let mut h = Sha256::new();
    let mut add = |kind: &str, path: &str, digest: &str| {
        h.update(format!("{kind}\0{path}\0{digest}\n").as_bytes());
    };
    for f in &c.instructions {
        add("instruction", &f.path, &f.sha256);
    }
    for f in &c.settings {
        add("settings", &f.path, &f.sha256);
    }
    for s in &c.mcp_servers {
        add(&format!("mcp {}", s.scope), &s.name, &s.command_sha256);
    }
    for (kind, list) in [
        ("agent", &c.agents),
        ("command", &c.commands),
        ("skill", &c.skills),
    ] {
        for f in list {
            add(kind, &f.path, &f.sha256);
        }
    }
    hex(&h.finalize())
}

mod codex;
mod gemini;
pub mod launch;
mod opencode;
mod text;

pub use codex::collect as collect_codex;
pub use gemini::collect as collect_gemini;
pub use opencode::collect as collect_opencode;

#[cfg(test)]
mod tests;
