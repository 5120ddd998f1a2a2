//! Gemini CLI's configuration. Settings: `/etc/gemini-cli/settings.json` (system), the user's
//! `~/.gemini/settings.json` (`$GEMINI_CLI_HOME/.gemini` when that is set) and the repository's
//! `.gemini/settings.json`: the model, the default approval mode, the allowed and excluded tools,
//! the hooks and the MCP servers. Instructions: `GEMINI.md` (or the names `context.fileName`
//! gives) in the user's folder and in every folder from the repository's top down to the
//! session's folder. Commands (`commands/*.toml`), agents (`agents/*.md`) and skills of the
//! user's folder and the repository's `.gemini/`.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    AgentConfig, Places, add_servers, digest_of, instruction, named, project_folders, skills, text,
};

/// Where Gemini CLI reads system settings on Linux.
const SYSTEM_DIR: &str = "/etc/gemini-cli";

/// Reads Gemini CLI's configuration at `places` (`user_dir` is the user's `.gemini` folder).
pub fn collect(places: &Places<'_>, now: DateTime<Utc>) -> AgentConfig {
    let mut out = AgentConfig {
        captured_at: Some(now),
        ..AgentConfig::default()
    };
    let project = places.root.join(".gemini");
    let mut names: Vec<String> = Vec::new();
    let mut files = vec![(Path::new(SYSTEM_DIR).join("settings.json"), "managed")];
    files.extend(
        places
            .user_dir
            .iter()
            .map(|d| (d.join("settings.json"), "user")),
    );
    files.push((project.join("settings.json"), "project"));
    for (path, scope) in files {
        if let Some(v) = settings(places, &path, scope, &mut out) {
            let named = text::strings(&v["context"]["fileName"]);
            if !named.is_empty() {
                names = named;
            }
        }
    }
    if names.is_empty() {
        names.push("GEMINI.md".to_owned());
    }
    for name in &names {
        if let Some(d) = &places.user_dir {
            instruction(places, &mut out, &d.join(name), "user");
        }
    }
    for folder in project_folders(places) {
        for name in &names {
            instruction(places, &mut out, &folder.join(name), "project");
        }
    }
    for dir in places.user_dir.iter().chain([&project]) {
        let commands = named(places, &dir.join("commands"), "toml", &mut out.sources);
        out.commands.extend(commands);
        let agents = named(places, &dir.join("agents"), "md", &mut out.sources);
        out.agents.extend(agents);
        let skills = skills(places, &dir.join("skills"), &mut out.sources);
        out.skills.extend(skills);
    }
    out.config_sha256 = digest_of(&out);
    out
}

/// A `settings.json` (not copied: its MCP servers' `env` and headers can hold tokens); its
/// document, when it parsed.
fn settings(places: &Places<'_>, path: &Path, scope: &str, out: &mut AgentConfig) -> Option<Value> {
    let (mut file, doc) = text::settings_file(places, path, scope, out, text::jsonc)?;
    let Some(v) = doc else {
        out.settings.push(file);
        return None;
    };
    // Settings since 0.3 nest by category; older files were flat.
    file.model = v["model"]["name"]
        .as_str()
        .or_else(|| v["model"].as_str())
        .map(str::to_owned);
    file.default_mode = v["general"]["defaultApprovalMode"]
        .as_str()
        .or_else(|| v["defaultApprovalMode"].as_str())
        .map(str::to_owned);
    let tools = |k: &str| {
        let mut list = text::strings(&v["tools"][k]);
        list.extend(text::strings(&v[k]));
        list
    };
    file.allow = tools("allowed");
    file.allow.extend(tools("core"));
    file.deny = tools("exclude");
    file.hooks = text::hooks(&v["hooks"]);
    add_servers(&v["mcpServers"], scope, out);
    out.settings.push(file);
    Some(v)
}
