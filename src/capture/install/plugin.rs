//! opencode's capture: git-vouch's plugin, one file of its own in opencode's global plugin
//! folder (`$XDG_CONFIG_HOME/opencode/plugin/git-vouch.js`, default `~/.config/opencode/…`),
//! which opencode loads into every session. The plugin hands each event to
//! `git-vouch hook opencode <event>` (see `assets/opencode-plugin.js`). `init` writes it (again
//! when it changed), `uninstall` deletes it; a file of that name that is not ours is left alone
//! and named.

use std::path::PathBuf;

use super::InstallError;
use super::plan::{Action, Item, Step, read_optional};
use crate::config::Env;

/// The plugin, as installed.
pub const PLUGIN: &str = include_str!("../../../assets/opencode-plugin.js");

/// The events the plugin hands over.
pub const EVENTS: [&str; 6] = [
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PostToolUse",
    "Stop",
    "SessionEnd",
];

/// What marks the file as ours.
const MARKER: &str = "// git-vouch-managed";

/// Where the plugin goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginFile {
    pub path: PathBuf,
}

impl PluginFile {
    pub fn new(env: &dyn Env) -> Result<Self, InstallError> {
        let config = env
            .var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| env.var("HOME").map(|h| PathBuf::from(h).join(".config")))
            .ok_or(InstallError::NoOpencodeConfig)?;
        Ok(Self {
            path: config.join("opencode").join("plugin").join("git-vouch.js"),
        })
    }

    /// Whether our plugin is there, in its current form (`None`: not there at all).
    pub fn current(&self) -> Option<bool> {
        let bytes = std::fs::read(&self.path).ok()?;
        Some(bytes == PLUGIN.as_bytes())
    }
}

/// Plans writing the plugin.
pub fn plan_install(file: &PluginFile) -> Result<Item, InstallError> {
    let before = read_optional(&file.path)?;
    let mut item = Item {
        path: file.path.clone(),
        action: Action::AlreadyInstalled,
        steps: Vec::new(),
    };
    match &before {
        Some(bytes) if bytes == PLUGIN.as_bytes() => return Ok(item),
        Some(bytes) if !ours(bytes) => return Err(not_ours(file)),
        Some(_) => item.action = Action::Updated,
        None => item.action = Action::Installed,
    }
    item.steps.push(Step::Write {
        path: file.path.clone(),
        before,
        after: PLUGIN.as_bytes().to_vec(),
        mode: None,
    });
    Ok(item)
}

/// Plans deleting the plugin.
pub fn plan_uninstall(file: &PluginFile) -> Result<Item, InstallError> {
    let before = read_optional(&file.path)?;
    let mut item = Item {
        path: file.path.clone(),
        action: Action::NotInstalled,
        steps: Vec::new(),
    };
    match before {
        Some(bytes) if ours(&bytes) => {
            item.steps.push(Step::Remove {
                path: file.path.clone(),
                before: bytes,
            });
            item.action = Action::Removed;
        }
        Some(_) => return Err(not_ours(file)),
        None => {}
    }
    Ok(item)
}

fn ours(bytes: &[u8]) -> bool {
    bytes.starts_with(MARKER.as_bytes())
}

fn not_ours(file: &PluginFile) -> InstallError {
    InstallError::UnexpectedShape {
        path: file.path.clone(),
        what: "a file that is not git-vouch's plugin has its name; move it away and run again"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::install::apply;

    /// Written, left alone when current, refreshed when changed, deleted by uninstall; a
    /// stranger's file of that name stops both, untouched.
    #[test]
    fn the_plugin_comes_and_goes_and_a_strangers_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let env =
            crate::config::VarsEnv::new([("XDG_CONFIG_HOME", dir.path().display().to_string())]);
        let file = PluginFile::new(&env).unwrap();
        assert_eq!(file.current(), None);
        apply(&[plan_install(&file).unwrap()]).unwrap();
        assert_eq!(file.current(), Some(true));
        assert!(plan_install(&file).unwrap().steps.is_empty());
        std::fs::write(&file.path, format!("{MARKER}: an older one\n")).unwrap();
        assert_eq!(plan_install(&file).unwrap().action, Action::Updated);
        apply(&[plan_uninstall(&file).unwrap()]).unwrap();
        assert!(!file.path.exists());
        std::fs::write(&file.path, "export const Mine = async () => ({});\n").unwrap();
        assert!(
            plan_install(&file)
                .unwrap_err()
                .to_string()
                .contains("not git-vouch's")
        );
        assert!(plan_uninstall(&file).is_err());
        assert!(file.path.exists());
    }
}
