//! Codex CLI's configuration. In `$CODEX_HOME` (else `~/.codex`): `AGENTS.override.md` or else
//! `AGENTS.md`, `config.toml` (the model, approval policy and sandbox mode, those of the active
//! `profile` first, and the MCP servers), `hooks.json`, `rules/*.rules`, `prompts/*.md` (its
//! slash commands) and `skills/`. In the repository, one `AGENTS.override.md` or else `AGENTS.md`
//! per folder from the top down to the session's folder (as Codex reads them),
//! `.codex/config.toml` and `.codex/skills/`.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    AgentConfig, Places, SettingsFile, add_servers, digest_of, instruction, named, project_folders,
    skills, text,
};

/// Reads Codex's configuration at `places` (`user_dir` is the Codex home).
pub fn collect(places: &Places<'_>, now: DateTime<Utc>) -> AgentConfig {
    let mut out = AgentConfig {
        captured_at: Some(now),
        ..AgentConfig::default()
    };
    if let Some(home) = &places.user_dir {
        agents_md(places, home, "user", &mut out);
        config(places, &home.join("config.toml"), "user", &mut out);
        hooks(places, &home.join("hooks.json"), &mut out);
        for rule in named(places, &home.join("rules"), "rules", &mut out.sources) {
            out.settings.push(SettingsFile {
                path: rule.path,
                scope: "rules".to_owned(),
                sha256: rule.sha256,
                ..SettingsFile::default()
            });
        }
        out.commands = named(places, &home.join("prompts"), "md", &mut out.sources);
        out.skills = skills(places, &home.join("skills"), &mut out.sources);
    }
    for folder in project_folders(places) {
        agents_md(places, folder, "project", &mut out);
    }
    let project = places.root.join(".codex");
    config(places, &project.join("config.toml"), "project", &mut out);
    let more = skills(places, &project.join("skills"), &mut out.sources);
    out.skills.extend(more);
    out.config_sha256 = digest_of(&out);
    out
}

/// A folder's instructions: its `AGENTS.override.md`, else its `AGENTS.md`.
fn agents_md(places: &Places<'_>, folder: &Path, scope: &str, out: &mut AgentConfig) {
    if !instruction(places, out, &folder.join("AGENTS.override.md"), scope) {
        instruction(places, out, &folder.join("AGENTS.md"), scope);
    }
}

/// A `config.toml`: what in it governs the agent, and its MCP servers. It is not copied: an MCP
/// server's `env` and headers can hold tokens.
fn config(places: &Places<'_>, path: &Path, scope: &str, out: &mut AgentConfig) {
    let toml = |t: &str| {
        toml::from_str::<toml::Table>(t)
            .map_err(|e| format!("not TOML: {}", e.message()))
            .and_then(|t| serde_json::to_value(t).map_err(|e| e.to_string()))
    };
    let Some((mut file, doc)) = text::settings_file(places, path, scope, out, toml) else {
        return;
    };
    if let Some(v) = doc {
        let profile = v["profile"].as_str().map(|p| &v["profiles"][p]);
        let get = |k: &str| {
            profile
                .and_then(|p| p[k].as_str())
                .or_else(|| v[k].as_str())
                .map(str::to_owned)
        };
        file.model = get("model");
        let modes: Vec<String> = [("approval", "approval_policy"), ("sandbox", "sandbox_mode")]
            .iter()
            .filter_map(|(word, key)| get(key).map(|m| format!("{word}:{m}")))
            .collect();
        file.default_mode = Some(modes.join(", ")).filter(|m| !m.is_empty());
        add_servers(&v["mcp_servers"], scope, out);
    }
    out.settings.push(file);
}

/// `hooks.json`: the hooks Codex runs (git-vouch's among them).
fn hooks(places: &Places<'_>, path: &Path, out: &mut AgentConfig) {
    let json = |t: &str| serde_json::from_str::<Value>(t).map_err(|e| e.to_string());
    let Some((mut file, doc)) = text::settings_file(places, path, "user", out, json) else {
        return;
    };
    if let Some(v) = doc {
        file.hooks = text::hooks(&v["hooks"]);
    }
    out.sources.push(path.to_path_buf());
    out.settings.push(file);
}
