//! Codex's tool calls, in the shapes its releases wrote: `function_call` (JSON arguments:
//! `exec_command {cmd}`, `shell {command: [argv]}`, `shell_command {command}`, `spawn_agent`,
//! MCP tools), `custom_tool_call` (free-form input: `apply_patch`'s patch text),
//! `local_shell_call` (`action.command`), and their `*_output` lines.

use serde_json::Value;

use crate::agent_source::thread::call::{Call, Outcome, clip};

/// The call a `response_item` payload makes, if it is one.
pub fn call_of(kind: &str, p: &super::rollout::Payload<'_>, ts: Option<i64>) -> Option<Call> {
    let id = p.call_id.as_deref().or(p.id.as_deref())?.to_owned();
    let mut call = Call {
        id,
        name: p.name.as_deref().unwrap_or_default().to_owned(),
        started_ms: ts,
        ..Call::default()
    };
    match kind {
        "function_call" => {
            let args: Value = p
                .arguments
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok())
                .unwrap_or(Value::Null);
            call.command = shell_command(&call.name, &args);
            if call.name == "apply_patch" {
                call.patch = args.get("input").and_then(Value::as_str).map(str::to_owned);
            }
            call.files = call
                .patch
                .as_deref()
                .map(super::patch::paths)
                .unwrap_or_default();
            if call.command.is_none() && call.patch.is_none() {
                call.arguments = Some(args);
            }
        }
        "custom_tool_call" => {
            if call.name == "apply_patch" {
                call.patch = p.input.as_deref().map(str::to_owned);
                call.files = call
                    .patch
                    .as_deref()
                    .map(super::patch::paths)
                    .unwrap_or_default();
            } else {
                call.arguments = p.input.as_deref().map(|i| Value::String(i.to_owned()));
            }
        }
        "local_shell_call" => {
            "local_shell".clone_into(&mut call.name);
            call.command = super::rollout::value(p.action)
                .get("command")
                .and_then(argv_command);
        }
        _ => return None,
    }
    Some(call)
}

/// Records the result of an `*_output` line; `full` keeps its text.
pub fn take_output(call: &mut Call, output: Option<&Value>, ts: Option<i64>, full: bool) {
    call.finished_ms = call.finished_ms.or(ts);
    let text = output.map(output_text).unwrap_or_default();
    let failed = exit_code(output, &text).is_some_and(|c| c != 0)
        || output
            .and_then(|o| o.get("success"))
            .and_then(Value::as_bool)
            == Some(false);
    if full {
        call.output = Some(clip(&text));
    }
    if call.outcome == Outcome::Pending {
        call.outcome = if failed {
            Outcome::Failed(clip(&text))
        } else {
            Outcome::Ok
        };
    }
}

/// The command a shell tool runs, from its JSON arguments.
fn shell_command(name: &str, args: &Value) -> Option<String> {
    match name {
        "exec_command" => args.get("cmd").and_then(Value::as_str).map(str::to_owned),
        "shell_command" => args
            .get("command")
            .and_then(Value::as_str)
            .map(str::to_owned),
        "shell" | "container.exec" => args.get("command").and_then(argv_command),
        _ => None,
    }
}

/// An argv as one command: the script of `bash -lc SCRIPT`, else the words joined.
fn argv_command(argv: &Value) -> Option<String> {
    let words: Vec<&str> = argv.as_array()?.iter().filter_map(Value::as_str).collect();
    match words.as_slice() {
        [shell, flag, script] if shell.ends_with("sh") && flag.starts_with('-') => {
            Some((*script).to_owned())
        }
        [] => None,
        _ => Some(words.join(" ")),
    }
}

/// The text of a tool output: a string, `{output}` or `{content}` (text or parts), or JSON text
/// holding one of those (older releases).
fn output_text(v: &Value) -> String {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(inner @ Value::Object(_)) => output_text(&inner),
            _ => s.clone(),
        },
        Value::Object(o) => o
            .get("output")
            .or_else(|| o.get("content"))
            .map(output_text)
            .unwrap_or_default(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The exit code an output reports: `metadata.exit_code` of older releases, or the
/// "Process exited with code N" line of `exec_command`'s.
fn exit_code(output: Option<&Value>, text: &str) -> Option<i64> {
    let meta = |v: &Value| v.pointer("/metadata/exit_code").and_then(Value::as_i64);
    if let Some(code) = output.and_then(|o| match o {
        Value::String(s) => serde_json::from_str::<Value>(s)
            .ok()
            .as_ref()
            .and_then(meta),
        other => meta(other),
    }) {
        return Some(code);
    }
    let rest = text.split("exited with code ").nth(1)?;
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shell_commands_of_every_shape() {
        assert_eq!(
            shell_command("exec_command", &json!({"cmd": "echo hi"})).as_deref(),
            Some("echo hi")
        );
        assert_eq!(
            shell_command("shell", &json!({"command": ["bash", "-lc", "ls -la"]})).as_deref(),
            Some("ls -la")
        );
        assert_eq!(
            shell_command("shell", &json!({"command": ["git", "status"]})).as_deref(),
            Some("git status")
        );
        assert_eq!(
            shell_command("shell_command", &json!({"command": "pwd"})).as_deref(),
            Some("pwd")
        );
        assert_eq!(shell_command("spawn_agent", &json!({"cmd": "x"})), None);
    }

    #[test]
    fn outputs_tell_failures_by_their_exit_code() {
        let mut c = Call::default();
        take_output(
            &mut c,
            Some(&json!(
                "{\"output\":\"boom\",\"metadata\":{\"exit_code\":2}}"
            )),
            Some(5),
            true,
        );
        assert_eq!(c.outcome, Outcome::Failed("boom".into()));
        assert_eq!(c.finished_ms, Some(5));
        let mut ok = Call::default();
        take_output(
            &mut ok,
            Some(&json!("Process exited with code 0\nOutput:\nhi")),
            None,
            true,
        );
        assert_eq!(ok.outcome, Outcome::Ok);
        let mut bad = Call::default();
        take_output(
            &mut bad,
            Some(&json!("Process exited with code 1\nOutput:\nno")),
            None,
            false,
        );
        assert_eq!(bad.output, None);
        assert!(matches!(bad.outcome, Outcome::Failed(_)));
    }
}
