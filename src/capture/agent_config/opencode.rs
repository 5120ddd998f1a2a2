//! opencode's configuration. Settings: the user's `opencode.json`, `opencode.jsonc` or
//! `config.json` in `$XDG_CONFIG_HOME/opencode` (else `~/.config/opencode`), and the
//! repository's `opencode.json` or `opencode.jsonc`: the model, the permission rules (`allow`,
//! `ask` and `deny`, each `tool` or `tool(pattern)`), the plugins and the MCP servers (`mcp`).
//! Instructions: the user's `AGENTS.md`, and in every folder from the repository's top down to
//! the session's folder its `AGENTS.md` or else `CLAUDE.md` (as opencode reads them), plus the
//! files the settings' `instructions` name. Agents (`agent/`, `agents/`) and commands
//! (`command/`, `commands/`) of the user's folder and the repository's `.opencode/`.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    AgentConfig, Places, SettingsFile, add_servers, digest_of, instruction, named, project_folders,
    text,
};

/// Reads opencode's configuration at `places` (`user_dir` is opencode's config folder).
pub fn collect(places: &Places<'_>, now: DateTime<Utc>) -> AgentConfig {
    let mut out = AgentConfig {
        captured_at: Some(now),
        ..AgentConfig::default()
    };
    let mut listed: Vec<String> = Vec::new();
    if let Some(d) = &places.user_dir {
        instruction(places, &mut out, &d.join("AGENTS.md"), "user");
        let user = ["opencode.json", "opencode.jsonc", "config.json"];
        if let Some(v) = first_settings(places, d, &user, "user", &mut out) {
            listed.extend(text::strings(&v["instructions"]));
        }
    }
    let project = ["opencode.json", "opencode.jsonc"];
    if let Some(v) = first_settings(places, places.root, &project, "project", &mut out) {
        listed.extend(text::strings(&v["instructions"]));
    }
    for folder in project_folders(places) {
        if !instruction(places, &mut out, &folder.join("AGENTS.md"), "project") {
            instruction(places, &mut out, &folder.join("CLAUDE.md"), "project");
        }
    }
    for name in listed.iter().filter(|n| !n.contains('*')) {
        let path = places.root.join(name);
        let seen = out.sources.contains(&path);
        if !seen {
            instruction(places, &mut out, &path, "project");
        }
    }
    let project_dir = places.root.join(".opencode");
    for dir in places.user_dir.iter().chain([&project_dir]) {
        for sub in ["agent", "agents"] {
            let found = named(places, &dir.join(sub), "md", &mut out.sources);
            out.agents.extend(found);
        }
        for sub in ["command", "commands"] {
            let found = named(places, &dir.join(sub), "md", &mut out.sources);
            out.commands.extend(found);
        }
    }
    out.config_sha256 = digest_of(&out);
    out
}

/// The first of `names` in `dir` that exists, read as settings (not copied: its MCP servers'
/// environment and headers can hold tokens); its document, when it parsed.
fn first_settings(
    places: &Places<'_>,
    dir: &Path,
    names: &[&str],
    scope: &str,
    out: &mut AgentConfig,
) -> Option<Value> {
    let path = names.iter().map(|n| dir.join(n)).find(|p| p.is_file())?;
    let (mut file, doc) = text::settings_file(places, &path, scope, out, text::jsonc)?;
    let Some(v) = doc else {
        out.settings.push(file);
        return None;
    };
    file.model = v["model"].as_str().map(str::to_owned);
    permissions(&v["permission"], &mut file);
    file.enabled_plugins = text::strings(&v["plugin"]);
    add_servers(&v["mcp"], scope, out);
    out.settings.push(file);
    Some(v)
}

/// `permission`: `{tool: action}` or `{tool: {pattern: action}}`, each action `allow`, `ask` or
/// `deny`; the rules as `tool` and `tool(pattern)`.
fn permissions(v: &Value, file: &mut SettingsFile) {
    let mut add = |rule: String, action: &str| match action {
        "allow" => file.allow.push(rule),
        "ask" => file.ask.push(rule),
        "deny" => file.deny.push(rule),
        _ => {}
    };
    for (tool, rule) in v.as_object().into_iter().flatten() {
        match rule {
            Value::String(action) => add(tool.clone(), action),
            Value::Object(patterns) => {
                for (pattern, action) in patterns {
                    if let Some(action) = action.as_str() {
                        add(format!("{tool}({pattern})"), action);
                    }
                }
            }
            _ => {}
        }
    }
}
