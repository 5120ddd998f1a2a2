use std::fs;

use serde_json::json;

use super::*;
use crate::capture::install::apply;
use crate::config::VarsEnv;

/// Codex's own hashes of two handlers (its `hooks/list` reported them for this file).
#[test]
fn hashes_are_codexs_own() {
    let pre = json!({"type": "command", "command": "/usr/bin/env python3 /opt/gv/hook.py pre", "timeout": 10});
    assert_eq!(
        trusted_hash("PreToolUse", "pre_tool_use", Some("Bash"), &pre),
        "sha256:cd66838446906739669b4a2e8b74dd26992715279d79ef21c6a307cfeb67e22b"
    );
    let stop = json!({"type": "command", "command": "/usr/bin/env python3 /opt/gv/hook.py stop"});
    assert_eq!(
        trusted_hash("Stop", "stop", None, &stop),
        "sha256:627d720d6772913c8f4cc0b309771f05d51ae035f5ddd6b35567eb1a457e12f1"
    );
}

fn files(home: &Path) -> CodexFiles {
    CodexFiles::new(&VarsEnv::new([("CODEX_HOME", home.display().to_string())])).unwrap()
}

/// init adds our hooks beside the person's and trusts exactly ours; a second init changes
/// nothing; uninstall gives back both files byte for byte (one without a final newline).
#[test]
fn init_trusts_our_hooks_and_uninstall_restores_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let config = "model = \"gpt-5.5\"\n\n[projects.\"/w\"]\ntrust_level = \"trusted\"";
    let hooks =
        "{\"hooks\":{\"Stop\":[{\"hooks\":[{\"type\":\"command\",\"command\":\"./mine.sh\"}]}]}}";
    fs::write(home.join("config.toml"), config).unwrap();
    fs::write(home.join("hooks.json"), hooks).unwrap();
    let f = files(home);
    apply(&plan_install(&f).unwrap()).unwrap();
    let doc: Value = serde_json::from_slice(&fs::read(home.join("hooks.json")).unwrap()).unwrap();
    assert_eq!(doc["hooks"]["Stop"][0]["hooks"][0]["command"], "./mine.sh");
    assert_eq!(Flavor::CODEX.events_with_ours(&doc), Flavor::CODEX.events);
    let written = fs::read_to_string(home.join("config.toml")).unwrap();
    assert!(written.starts_with(config), "{written}");
    let table: toml::Table = toml::from_str(&written).unwrap();
    let state = table["hooks"]["state"].as_table().unwrap();
    assert_eq!(state.len(), CODEX_EVENTS_COUNT);
    let real = home.canonicalize().unwrap().join("hooks.json");
    assert!(
        state.contains_key(&format!("{}:stop:1:0", real.display())),
        "{state:?}"
    );
    assert_eq!(trusted(&f), Some(true));

    let again = plan_install(&f).unwrap();
    assert!(again.iter().all(|i| i.steps.is_empty()), "{again:?}");

    apply(&plan_uninstall(&f).unwrap()).unwrap();
    assert_eq!(
        fs::read_to_string(home.join("config.toml")).unwrap(),
        config
    );
    assert_eq!(fs::read_to_string(home.join("hooks.json")).unwrap(), hooks);
    assert!(!home.join("config.toml.vouch-backup").exists());
    assert!(!home.join("hooks.json.vouch-backup").exists());
}

const CODEX_EVENTS_COUNT: usize = crate::capture::install::entries::CODEX_EVENTS.len();

/// Files init created are deleted by uninstall; a changed hash is no longer trusted.
#[test]
fn created_files_go_away_and_a_stale_trust_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let f = files(home);
    apply(&plan_install(&f).unwrap()).unwrap();
    assert_eq!(trusted(&f), Some(true));
    let text = fs::read_to_string(home.join("config.toml")).unwrap();
    let stale = text.replacen("trusted_hash = \"sha256:", "trusted_hash = \"sha256:0", 1);
    fs::write(home.join("config.toml"), stale).unwrap();
    assert_eq!(trusted(&f), Some(false));
    apply(&plan_uninstall(&f).unwrap()).unwrap();
    assert!(!home.join("config.toml").exists());
    assert!(!home.join("hooks.json").exists());
    assert_eq!(fs::read_dir(home).unwrap().count(), 0);
}

/// A config.toml that is not TOML, or that already trusts one of our hooks outside our block,
/// stops init before anything is written, naming the file.
#[test]
fn bad_or_clashing_config_stops_init() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    fs::write(home.join("config.toml"), "model = \n").unwrap();
    let err = plan_install(&files(home)).unwrap_err().to_string();
    assert!(
        err.contains("config.toml") && err.contains("not valid TOML"),
        "{err}"
    );
    let f = files(home);
    fs::write(home.join("config.toml"), "").unwrap();
    apply(&plan_install(&f).unwrap()).unwrap();
    let ours = fs::read_to_string(home.join("config.toml")).unwrap();
    let moved = without_block(&ours) + &ours.replace(BEGIN, "# moved").replace(END, "# end");
    fs::write(home.join("config.toml"), moved).unwrap();
    let err = plan_install(&f).unwrap_err().to_string();
    assert!(err.contains("is already set"), "{err}");
}
