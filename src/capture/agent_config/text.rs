//! Reading the other agents' settings files: size-capped text, JSON with comments (opencode's
//! `opencode.jsonc`), and the parts of a settings document every agent shapes the same way.

use std::path::Path;

use serde_json::Value;

use super::{AgentConfig, HookCommand, MAX_PARSED, Places, SettingsFile, file_digest};
use crate::fingerprint::sha256_hex;

/// A settings file's text, when it is small enough to parse.
pub fn read(path: &Path) -> Result<String, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_PARSED {
        return Err(format!("{len} bytes, larger than {MAX_PARSED}: not read"));
    }
    std::fs::read_to_string(path).map_err(|e| e.to_string())
}

/// The settings file at `path` (`None` when there is none) and its document read with `parse`:
/// one that cannot be read or parsed is recorded with a warning naming it, and no document.
pub fn settings_file(
    places: &Places<'_>,
    path: &Path,
    scope: &str,
    out: &mut AgentConfig,
    parse: impl FnOnce(&str) -> Result<Value, String>,
) -> Option<(SettingsFile, Option<Value>)> {
    let (_, sha256) = file_digest(path)?;
    let file = SettingsFile {
        path: places.show(path),
        scope: scope.to_owned(),
        sha256,
        ..SettingsFile::default()
    };
    let doc = match read(path).and_then(|t| parse(&t)) {
        Ok(v) => Some(v),
        Err(e) => {
            out.warnings.push(format!("{}: {e}", file.path));
            None
        }
    };
    Some((file, doc))
}

/// A JSON document that may hold `//` and `/* */` comments and trailing commas.
pub fn jsonc(text: &str) -> Result<Value, String> {
    serde_json::from_str(&strip_jsonc(text)).map_err(|e| format!("not JSON: {e}"))
}

/// `text` without its comments and trailing commas (strings are kept as they are).
fn strip_jsonc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push(c);
                while let Some(s) = chars.next() {
                    out.push(s);
                    match s {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for s in chars.by_ref() {
                    if s == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for s in chars.by_ref() {
                    if last == '*' && s == '/' {
                        break;
                    }
                    last = s;
                }
                out.push(' ');
            }
            ',' => {
                let next = chars.clone().find(|c| !c.is_whitespace());
                if !matches!(next, Some('}' | ']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The hooks of a settings document shaped as Claude Code's (`{event: [{matcher, hooks:
/// [{command}]}]}`, which Gemini CLI and Codex's `hooks.json` share): event and the sha256 of
/// each command.
pub fn hooks(v: &Value) -> Vec<HookCommand> {
    let mut out = Vec::new();
    for (event, groups) in v.as_object().into_iter().flatten() {
        for group in groups.as_array().into_iter().flatten() {
            for hook in group["hooks"].as_array().into_iter().flatten() {
                let command = hook["command"].as_str().unwrap_or_default();
                out.push(HookCommand {
                    event: event.clone(),
                    command_sha256: sha256_hex(command.as_bytes()),
                });
            }
        }
    }
    out
}

/// The strings of a list (or the one string).
pub fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        _ => v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_go_and_strings_stay() {
        let text = "{\n  // a comment\n  \"url\": \"http://x/*y*/\", /* block */\n  \"list\": [1, 2,],\n  \"s\": \"a // b, }\",\n}\n";
        let v = jsonc(text).unwrap();
        assert_eq!(v["url"], "http://x/*y*/");
        assert_eq!(v["list"], serde_json::json!([1, 2]));
        assert_eq!(v["s"], "a // b, }");
        assert!(jsonc("{\"a\": }").is_err());
    }
}
