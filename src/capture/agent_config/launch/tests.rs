use super::{command_line, gemini_flag, mode, opencode_flag, parent_of, program_at, program_name};
use crate::capture::agent_config::SettingsFile;
use crate::transcript::agent::Agent;

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_owned).collect()
}

fn settings(scope: &str, default_mode: Option<&str>) -> SettingsFile {
    SettingsFile {
        path: format!("{scope}/settings.json"),
        scope: scope.to_owned(),
        sha256: "0".repeat(64),
        default_mode: default_mode.map(str::to_owned),
        allow: Vec::new(),
        deny: Vec::new(),
        ask: Vec::new(),
        hooks: Vec::new(),
        enabled_plugins: Vec::new(),
        model: None,
    }
}

#[test]
fn gemini_flags() {
    let cases = [
        ("-p hi --yolo", Some("yolo")),
        ("-y -m gemini-2.5-pro", Some("yolo")),
        ("--yolo=true", Some("yolo")),
        ("--yolo=false", None),
        ("--yolo --no-yolo", None),
        ("--approval-mode auto_edit", Some("auto_edit")),
        ("--approval-mode=plan -p x", Some("plan")),
        ("--approval-mode yolo", Some("yolo")),
        // Values are not flags: a prompt or a model that reads like one.
        ("-p --yolo", None),
        ("--prompt -y -m m", None),
        ("-m --yolo --output-format json", None),
        // Nothing after `--` is an option.
        ("-p x -- --yolo", None),
        ("", None),
    ];
    for (line, want) in cases {
        assert_eq!(gemini_flag(&args(line)).as_deref(), want, "{line:?}");
    }
}

#[test]
fn opencode_flags() {
    let cases = [
        ("run --auto hello", true),
        ("run --format json --auto hello", true),
        ("run --yolo hello", true),
        ("run --dangerously-skip-permissions hello", true),
        ("run hello --dangerously-skip-permissions", true),
        ("run --auto=true x", true),
        ("run --auto=false x", false),
        ("run --auto --no-auto x", false),
        ("run -m --auto hello", false),
        ("run -m --dangerously-skip-permissions hello", false),
        ("run --title --dangerously-skip-permissions x", false),
        ("run hello", false),
        ("run -- --dangerously-skip-permissions", false),
    ];
    for (line, bypass) in cases {
        let want = bypass.then_some("auto-approve");
        assert_eq!(opencode_flag(&args(line)).as_deref(), want, "{line:?}");
    }
}

/// Without a flag, Gemini CLI starts in its settings' default mode (the system's over the
/// project's over the user's), else `default`; not found, the mode is unknown.
#[test]
fn the_mode_a_session_started_in() {
    let line = args("-p hi");
    let user = settings("user", Some("plan"));
    let project = settings("project", Some("auto_edit"));
    let managed = settings("managed", None);
    let gemini = |s: &[SettingsFile]| mode(Agent::Gemini, Some(&line), s);
    assert_eq!(gemini(&[]).as_deref(), Some("default"));
    assert_eq!(gemini(std::slice::from_ref(&user)).as_deref(), Some("plan"));
    assert_eq!(
        gemini(&[managed.clone(), user.clone(), project.clone()]).as_deref(),
        Some("auto_edit")
    );
    let system = settings("managed", Some("default"));
    assert_eq!(
        gemini(&[system, user.clone(), project]).as_deref(),
        Some("default")
    );
    let yolo = args("--yolo");
    assert_eq!(
        mode(Agent::Gemini, Some(&yolo), &[user]).as_deref(),
        Some("yolo")
    );
    assert_eq!(mode(Agent::Gemini, None, &[]), None);
    assert_eq!(
        mode(Agent::OpenCode, Some(&line), &[]).as_deref(),
        Some("default")
    );
    assert_eq!(mode(Agent::ClaudeCode, Some(&yolo), &[]), None);
    assert_eq!(mode(Agent::Codex, Some(&yolo), &[]), None);
}

#[test]
fn the_agent_is_found_by_its_program_or_script() {
    let found = |agent, line: &str| program_at(program_name(agent)?, &args(line));
    assert_eq!(found(Agent::Gemini, "gemini --yolo"), Some(0));
    assert_eq!(
        found(Agent::Gemini, "/usr/bin/node /opt/bin/gemini -p x"),
        Some(1)
    );
    assert_eq!(
        found(
            Agent::Gemini,
            "node --max-old-space-size=8192 /x/bundle/gemini.js -y"
        ),
        Some(2)
    );
    assert_eq!(found(Agent::OpenCode, "/x/bin/opencode run hi"), Some(0));
    assert_eq!(
        found(Agent::OpenCode, "/x/opencode-linux-x64/bin/opencode run"),
        Some(0)
    );
    // A hook's own command line names the agent as an argument, not as its program.
    assert_eq!(
        found(Agent::Gemini, "git-vouch hook gemini SessionStart"),
        None
    );
    assert_eq!(found(Agent::Gemini, "sh -c git-vouch"), None);
    assert_eq!(found(Agent::Gemini, "geminix"), None);
    assert_eq!(found(Agent::Codex, "codex exec"), None);
}

#[test]
fn processes_are_read_from_proc() {
    let me = std::process::id();
    let mine = command_line(me).expect("this test's command line");
    assert_eq!(mine.len(), std::env::args().count());
    assert_eq!(parent_of(me), Some(std::os::unix::process::parent_id()));
    assert_eq!(command_line(u32::MAX), None);
    assert_eq!(parent_of(u32::MAX), None);
}
