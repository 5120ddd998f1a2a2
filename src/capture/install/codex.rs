//! Codex CLI's hooks: our entries in `$CODEX_HOME/hooks.json` (the shape of Claude Code's
//! settings, merged by [`super::settings`]) and the trust Codex requires before it runs them.
//!
//! Codex runs a hook from `hooks.json` only when `$CODEX_HOME/config.toml` trusts it:
//! `[hooks.state."<hooks.json real path>:<event>:<group>:<handler>"] trusted_hash = "sha256:…"`,
//! where the group and handler are positions in the file and the hash is the SHA-256 of the
//! handler as Codex normalises it (its event, matcher, command, timeout and `async`, keys sorted,
//! compact JSON). Without it the hooks are skipped silently. `init` appends those tables to
//! `config.toml` in one block between two marker comments, and refreshes the block when the
//! entries move; `uninstall` takes the block out, giving back the file's original bytes (from
//! the backup beside it when the block's removal alone would not).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::InstallError;
use super::entries::{CODEX_SESSION_END_SECS, Flavor, is_ours, parse};
use super::plan::{Action, Item, Step, read_optional};
use super::settings::{self, Scope, SettingsFile};
use crate::config::Env;
use crate::transcript::hook_event::HookEvent;

/// The first line of our block in `config.toml`.
const BEGIN: &str = "# >>> git-vouch: trust for its hooks in hooks.json (`git vouch uninstall --agent codex` removes this block)";
/// Its last line.
const END: &str = "# <<< git-vouch";

/// Codex's files: its `hooks.json` and the `config.toml` that trusts the hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodexFiles {
    pub hooks: SettingsFile,
    pub config: PathBuf,
    pub config_backup: PathBuf,
    pub config_created: PathBuf,
}

impl CodexFiles {
    /// In `$CODEX_HOME` (its first entry when it is a comma-separated list), else `~/.codex`.
    pub fn new(env: &dyn Env) -> Result<Self, InstallError> {
        let home = env
            .var("CODEX_HOME")
            .and_then(|l| {
                l.split(',')
                    .map(str::trim)
                    .find(|p| !p.is_empty())
                    .map(PathBuf::from)
            })
            .or_else(|| env.var("HOME").map(|h| PathBuf::from(h).join(".codex")))
            .ok_or(InstallError::NoCodexHome)?;
        let hooks = SettingsFile::beside(Scope::User, home.join("hooks.json"), Flavor::CODEX);
        let config = home.join("config.toml");
        Ok(Self {
            hooks,
            config_backup: home.join("config.toml.vouch-backup"),
            config_created: home.join("config.toml.vouch-created"),
            config,
        })
    }
}

/// Plans adding our hooks to `hooks.json` and trusting them in `config.toml`.
pub fn plan_install(files: &CodexFiles) -> Result<Vec<Item>, InstallError> {
    let hooks = settings::plan_install(&files.hooks)?;
    let after = hooks
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Write { after, .. } => Some(after.clone()),
            _ => None,
        })
        .map_or_else(|| read_optional(&files.hooks.path), |a| Ok(Some(a)))?;
    let doc = parse(&files.hooks.path, after.as_deref())?;
    let block = trust_block(&real_path(&files.hooks.path), &doc);
    let before = read_optional(&files.config)?;
    let text = toml_text(&files.config, before.as_deref())?;
    let kept = without_block(&text);
    check_no_clash(&files.config, &kept, &doc, &real_path(&files.hooks.path))?;
    let mut new = kept.clone();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(&block);
    let mut item = Item {
        path: files.config.clone(),
        action: Action::AlreadyInstalled,
        steps: Vec::new(),
    };
    if before.as_deref() == Some(new.as_bytes()) {
        return Ok(vec![hooks, item]);
    }
    if !files.config_backup.exists() && !files.config_created.exists() {
        item.steps.push(match &before {
            Some(bytes) => Step::Backup {
                path: files.config_backup.clone(),
                bytes: bytes.clone(),
            },
            None => Step::Backup {
                path: files.config_created.clone(),
                bytes: b"file\n".to_vec(),
            },
        });
    }
    item.action = if text.contains(BEGIN) {
        Action::Updated
    } else {
        Action::Installed
    };
    item.steps.push(Step::Write {
        path: files.config.clone(),
        before,
        after: new.into_bytes(),
        mode: None,
    });
    Ok(vec![hooks, item])
}

/// Plans taking our hooks out of `hooks.json` and our block out of `config.toml`.
pub fn plan_uninstall(files: &CodexFiles) -> Result<Vec<Item>, InstallError> {
    let hooks = settings::plan_uninstall(&files.hooks)?;
    let before = read_optional(&files.config)?;
    let backup = read_optional(&files.config_backup)?;
    let created = files.config_created.exists();
    let mut item = Item {
        path: files.config.clone(),
        action: Action::NotInstalled,
        steps: Vec::new(),
    };
    let cleanup = [
        (backup.is_some(), &files.config_backup),
        (created, &files.config_created),
    ]
    .into_iter()
    .filter(|(present, _)| *present)
    .map(|(_, path)| Step::Discard { path: path.clone() });
    let Some(before) = before else {
        item.steps.extend(cleanup);
        return Ok(vec![hooks, item]);
    };
    let text = toml_text(&files.config, Some(&before))?;
    if !text.contains(BEGIN) {
        item.steps.extend(cleanup);
        return Ok(vec![hooks, item]);
    }
    let kept = without_block(&text);
    // Our block was appended after a newline added to a file that lacked one: the backup says.
    let original = backup
        .filter(|b| *b == kept.as_bytes() || kept.strip_suffix('\n').map(str::as_bytes) == Some(b));
    if created && kept.trim().is_empty() {
        item.steps.push(Step::Remove {
            path: files.config.clone(),
            before,
        });
        item.action = Action::Deleted;
    } else {
        let restored = original.is_some();
        item.steps.push(Step::Write {
            path: files.config.clone(),
            before: Some(before),
            after: original.unwrap_or_else(|| kept.into_bytes()),
            mode: None,
        });
        item.action = if restored {
            Action::Restored
        } else {
            Action::Stripped
        };
    }
    item.steps.extend(cleanup);
    Ok(vec![hooks, item])
}

/// Whether every hook of ours in `hooks.json` is trusted by `config.toml` with its current hash
/// (`None` when none is installed).
pub fn trusted(files: &CodexFiles) -> Option<bool> {
    let hooks = std::fs::read(&files.hooks.path).ok()?;
    let doc = parse(&files.hooks.path, Some(&hooks)).ok()?;
    let wanted = trust_entries(&real_path(&files.hooks.path), &doc);
    if wanted.is_empty() {
        return None;
    }
    let config = std::fs::read_to_string(&files.config).unwrap_or_default();
    let table: toml::Table = toml::from_str(&config).unwrap_or_default();
    let state = table
        .get("hooks")
        .and_then(|h| h.get("state"))
        .and_then(toml::Value::as_table);
    Some(wanted.iter().all(|(key, hash)| {
        state
            .and_then(|s| s.get(key))
            .and_then(|e| e.get("trusted_hash"))
            .and_then(toml::Value::as_str)
            == Some(hash.as_str())
    }))
}

/// `config.toml`'s text, checked to be TOML (a missing file is empty).
fn toml_text(path: &Path, bytes: Option<&[u8]>) -> Result<String, InstallError> {
    let text = String::from_utf8(bytes.unwrap_or_default().to_vec()).map_err(|_| {
        InstallError::UnexpectedShape {
            path: path.to_path_buf(),
            what: "not UTF-8 text".to_owned(),
        }
    })?;
    toml::from_str::<toml::Table>(&text).map_err(|e| InstallError::UnexpectedShape {
        path: path.to_path_buf(),
        what: format!("not valid TOML ({})", e.message()),
    })?;
    Ok(text)
}

/// `text` without our block (and the one newline before it).
fn without_block(text: &str) -> String {
    let Some(start) = text.find(BEGIN) else {
        return text.to_owned();
    };
    let end = text[start..]
        .find(&format!("\n{END}"))
        .map_or(text.len(), |i| start + i + 1 + END.len());
    let end = if text[end..].starts_with('\n') {
        end + 1
    } else {
        end
    };
    let start = if text[..start].ends_with("\n\n") {
        start - 1
    } else {
        start
    };
    format!("{}{}", &text[..start], &text[end..])
}

/// A table of ours already set outside our block (the person trusted the hooks in Codex's
/// `/hooks`): appending it again would make the file invalid TOML.
fn check_no_clash(path: &Path, kept: &str, doc: &Value, hooks: &str) -> Result<(), InstallError> {
    let table: toml::Table = toml::from_str(kept).unwrap_or_default();
    let state = table
        .get("hooks")
        .and_then(|h| h.get("state"))
        .and_then(toml::Value::as_table);
    match trust_entries(hooks, doc)
        .into_iter()
        .find(|(key, _)| state.is_some_and(|s| s.contains_key(key)))
    {
        Some((key, _)) => Err(InstallError::UnexpectedShape {
            path: path.to_path_buf(),
            what: format!(
                "`[hooks.state.\"{key}\"]` is already set; remove that table and run init again"
            ),
        }),
        None => Ok(()),
    }
}

/// Our block: one `[hooks.state."…"]` table per handler of ours.
fn trust_block(hooks: &str, doc: &Value) -> String {
    let mut out = format!("\n{BEGIN}\n");
    for (key, hash) in trust_entries(hooks, doc) {
        let key = serde_json::Value::String(key);
        let _ = write!(out, "[hooks.state.{key}]\ntrusted_hash = \"{hash}\"\n");
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// (key, hash) of each handler of ours in `doc`, as Codex keys and hashes them.
pub fn trust_entries(hooks: &str, doc: &Value) -> Vec<(String, String)> {
    let marker = Flavor::CODEX.marker();
    let mut out = Vec::new();
    let Some(events) = doc.get("hooks").and_then(Value::as_object) else {
        return out;
    };
    for (event, groups) in events {
        let Some(snake) = snake_case(event) else {
            continue;
        };
        for (g, group) in groups.as_array().into_iter().flatten().enumerate() {
            let matcher = group.get("matcher").and_then(Value::as_str);
            let handlers = group.get("hooks").and_then(Value::as_array);
            for (h, handler) in handlers.into_iter().flatten().enumerate() {
                if is_ours(handler, &marker) {
                    let key = format!("{hooks}:{snake}:{g}:{h}");
                    out.push((key, trusted_hash(event, snake, matcher, handler)));
                }
            }
        }
    }
    out
}

/// Codex's hash of one handler: its normalised identity, keys sorted, compact JSON.
pub fn trusted_hash(event: &str, snake: &str, matcher: Option<&str>, handler: &Value) -> String {
    let kind = HookEvent::parse(event);
    let given = handler.get("timeout").and_then(Value::as_u64);
    let timeout = if kind == HookEvent::SessionEnd {
        given.unwrap_or(1).clamp(1, CODEX_SESSION_END_SECS)
    } else {
        given.unwrap_or(600).max(1)
    };
    // Keys in sorted order (serde_json keeps insertion order here).
    let mut h = Map::new();
    h.insert(
        "async".into(),
        json!(
            handler
                .get("async")
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ),
    );
    h.insert(
        "command".into(),
        handler.get("command").cloned().unwrap_or(Value::Null),
    );
    if let Some(m) = handler.get("statusMessage") {
        h.insert("statusMessage".into(), m.clone());
    }
    h.insert("timeout".into(), json!(timeout));
    h.insert("type".into(), json!("command"));
    let mut ident = Map::new();
    ident.insert("event_name".into(), json!(snake));
    ident.insert("hooks".into(), json!([Value::Object(h)]));
    let no_matcher = matches!(kind, HookEvent::UserPromptSubmit | HookEvent::Stop);
    if let Some(m) = matcher.filter(|_| !no_matcher) {
        ident.insert("matcher".into(), json!(m));
    }
    let bytes = serde_json::to_vec(&Value::Object(ident)).unwrap_or_default();
    format!(
        "sha256:{}",
        crate::fingerprint::hex(&Sha256::digest(&bytes))
    )
}

/// Codex's name of an event in trust keys.
fn snake_case(event: &str) -> Option<&'static str> {
    Some(match HookEvent::parse(event) {
        HookEvent::PreToolUse => "pre_tool_use",
        HookEvent::PostToolUse => "post_tool_use",
        HookEvent::PreCompact => "pre_compact",
        HookEvent::PostCompact => "post_compact",
        HookEvent::SessionStart => "session_start",
        HookEvent::SessionEnd => "session_end",
        HookEvent::UserPromptSubmit => "user_prompt_submit",
        HookEvent::SubagentStart => "subagent_start",
        HookEvent::SubagentStop => "subagent_stop",
        HookEvent::Stop => "stop",
        _ if event == "PermissionRequest" => "permission_request",
        _ => return None,
    })
}

/// The path Codex names `hooks.json` by in trust keys: its real path (the file need not exist
/// yet: its folder is resolved).
fn real_path(path: &Path) -> String {
    let real = path.canonicalize().unwrap_or_else(|_| {
        let dir = path
            .parent()
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()));
        dir.map_or_else(
            || path.to_path_buf(),
            |d| d.join(path.file_name().unwrap_or_default()),
        )
    });
    real.display().to_string()
}

#[cfg(test)]
mod tests;
