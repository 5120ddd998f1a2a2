use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
        .unwrap()
        .to_utc()
}

/// A user folder and a repository with every kind of file, under `tmp`: (the user's Claude
/// folder, the repository, the session's folder).
fn fixture(tmp: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let home = tmp.join("home/.claude");
    let root = tmp.join("repo");
    let cwd = root.join("pkg/api");
    write(&home.join("CLAUDE.md"), "Be terse.\n");
    write(
        &home.join("settings.json"),
        r#"{"permissions":{"defaultMode":"acceptEdits","allow":["Bash(cargo test:*)"]},"enabledPlugins":{"review@market":true,"old@market":false}}"#,
    );
    write(
        &tmp.join("home/.claude.json"),
        &format!(
            r#"{{"mcpServers":{{"github":{{"command":"npx","args":["gh-mcp","--token","SECRET"]}}}},"projects":{{"{}":{{"mcpServers":{{"docs":{{"url":"https://docs.example/mcp"}}}}}}}}}}"#,
            root.display()
        ),
    );
    write(&root.join("CLAUDE.md"), "# Project\n");
    write(&cwd.join("CLAUDE.md"), "# API\n");
    write(&root.join("pkg/CLAUDE.local.md"), "mine\n");
    write(
        &root.join(".claude/settings.json"),
        r#"{"hooks":{"PreToolUse":[{"matcher":"*","hooks":[{"type":"command","command":"git-vouch hook claude PreToolUse --token SECRET"}]}]},"permissions":{"deny":["Read(.env)"]},"model":"opus"}"#,
    );
    write(&root.join(".claude/settings.local.json"), "{not json");
    write(
        &root.join(".mcp.json"),
        r#"{"mcpServers":{"jira":{"command":"jira-mcp"}}}"#,
    );
    write(
        &root.join(".claude/agents/reviewer.md"),
        "---\nname: reviewer\n---\n",
    );
    write(&root.join(".claude/commands/ops/deploy.md"), "Deploy.\n");
    write(&root.join(".claude/skills/pdf/SKILL.md"), "PDF skill\n");
    write(
        &root.join(".claude/skills/empty/notes.txt"),
        "not a skill\n",
    );
    (home, root, cwd)
}

/// What is recorded of each kind of file, and only digests of hook commands and MCP server
/// commands.
#[test]
fn collects_what_governed_the_agent() {
    let tmp = tempfile::tempdir().unwrap();
    let (home, root, cwd) = fixture(tmp.path());
    let managed = tmp.path().join("etc");
    let places = Places {
        user_dir: Some(home.clone()),
        user_label: "~/.claude",
        managed_dir: &managed,
        root: &root,
        cwd: &cwd,
    };
    let now = at();
    let c = collect(&places, now);
    let paths: Vec<(&str, &str)> = c
        .instructions
        .iter()
        .map(|f| (f.path.as_str(), f.scope.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("~/.claude/CLAUDE.md", "user"),
            ("CLAUDE.md", "project"),
            ("pkg/CLAUDE.local.md", "local"),
            ("pkg/api/CLAUDE.md", "project"),
        ]
    );
    assert_eq!(c.instructions[0].bytes, 10);
    assert_eq!(c.instructions[0].sha256, sha256_hex(b"Be terse.\n"));
    let user = &c.settings[0];
    assert_eq!(
        (user.path.as_str(), user.scope.as_str()),
        ("~/.claude/settings.json", "user")
    );
    assert_eq!(user.default_mode.as_deref(), Some("acceptEdits"));
    assert_eq!(user.allow, ["Bash(cargo test:*)"]);
    assert_eq!(user.enabled_plugins, ["review@market"]);
    let project = &c.settings[1];
    assert_eq!(project.deny, ["Read(.env)"]);
    assert_eq!(project.model.as_deref(), Some("opus"));
    assert_eq!(project.hooks.len(), 1);
    assert_eq!(project.hooks[0].event, "PreToolUse");
    assert_eq!(
        project.hooks[0].command_sha256,
        sha256_hex(b"git-vouch hook claude PreToolUse --token SECRET")
    );
    // A broken settings file is still named, with its digest, and said.
    assert_eq!(c.settings[2].path, ".claude/settings.local.json");
    assert!(
        c.warnings[0].starts_with(".claude/settings.local.json: not JSON"),
        "{:?}",
        c.warnings
    );
    let servers: Vec<(&str, &str)> = c
        .mcp_servers
        .iter()
        .map(|s| (s.name.as_str(), s.scope.as_str()))
        .collect();
    assert_eq!(
        servers,
        [("jira", "project"), ("github", "user"), ("docs", "local")]
    );
    assert_eq!(
        c.mcp_servers[2].command_sha256,
        sha256_hex(b"https://docs.example/mcp")
    );
    let names = |l: &[NamedFile]| l.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&c.agents), ["reviewer"]);
    assert_eq!(names(&c.commands), ["ops/deploy"]);
    assert_eq!(names(&c.skills), ["pdf"]);
    assert_eq!(c.skills[0].path, ".claude/skills/pdf/SKILL.md");
    // Nothing of a secret reaches the record: only digests.
    let text = serde_json::to_string(&c).unwrap();
    assert!(
        !text.contains("SECRET") && !text.contains(&*tmp.path().to_string_lossy()),
        "{text}"
    );
    // The whole configuration's digest follows any file's content.
    write(&cwd.join("CLAUDE.md"), "# API, changed\n");
    assert_ne!(collect(&places, now).config_sha256, c.config_sha256);
}

/// Nothing configured: an empty record, no warnings.
#[test]
fn nothing_configured_is_an_empty_record() {
    let tmp = tempfile::tempdir().unwrap();
    let places = Places {
        user_dir: None,
        user_label: "~/.claude",
        managed_dir: &tmp.path().join("etc"),
        root: tmp.path(),
        cwd: tmp.path(),
    };
    let c = collect(&places, at());
    assert!(c.instructions.is_empty() && c.settings.is_empty() && c.mcp_servers.is_empty());
    assert!(c.warnings.is_empty());
    assert_eq!(c.config_sha256.len(), 64);
}

/// The files read are kept by digest for chainloop's material; a large one is not; only a
/// digest names a kept file.
#[test]
fn contents_are_kept_by_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    write(&root.join("CLAUDE.md"), "# Rules\n");
    write(&root.join(".claude/agents/big.md"), &"x".repeat(300 * 1024));
    let places = Places {
        user_dir: None,
        user_label: "~/.claude",
        managed_dir: &tmp.path().join("etc"),
        root: &root,
        cwd: &root,
    };
    let c = collect(&places, at());
    let kept = tmp.path().join("kept");
    keep_contents(&c, &kept).unwrap();
    let sha = &c.instructions[0].sha256;
    assert_eq!(kept_text(&kept, sha).as_deref(), Some("# Rules\n"));
    assert_eq!(
        kept_text(&kept, &c.agents[0].sha256),
        None,
        "too large to keep"
    );
    assert_eq!(kept_text(&kept, "../../etc/passwd"), None);
    assert_eq!(std::fs::read_dir(&kept).unwrap().count(), 1);
}

fn places<'a>(user_dir: &Path, label: &'static str, root: &'a Path, cwd: &'a Path) -> Places<'a> {
    Places {
        user_dir: Some(user_dir.to_path_buf()),
        user_label: label,
        managed_dir: Path::new("/nonexistent/managed"),
        root,
        cwd,
    }
}

fn setting<'c>(c: &'c AgentConfig, path: &str) -> &'c SettingsFile {
    c.settings
        .iter()
        .find(|s| s.path == path)
        .unwrap_or_else(|| panic!("{path} in {:#?}", c.settings))
}

fn paths(files: &[ConfigFile]) -> Vec<(&str, &str)> {
    files
        .iter()
        .map(|f| (f.path.as_str(), f.scope.as_str()))
        .collect()
}

#[test]
fn codex_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home/.codex");
    let root = tmp.path().join("repo");
    let cwd = root.join("svc");
    write(&home.join("AGENTS.md"), "user\n");
    write(
        &home.join("config.toml"),
        "model = \"gpt-5.5\"\napproval_policy = \"on-request\"\nsandbox_mode = \"workspace-write\"\nprofile = \"fast\"\n\n[profiles.fast]\nmodel = \"gpt-5.4-mini\"\n\n[mcp_servers.github]\ncommand = \"npx\"\nargs = [\"gh-mcp\"]\nenv = { TOKEN = \"SECRET\" }\n\n[mcp_servers.docs]\nurl = \"https://docs.example/mcp\"\n",
    );
    write(
        &home.join("hooks.json"),
        r#"{"hooks":{"PreToolUse":[{"hooks":[{"type":"command","command":"git-vouch hook codex PreToolUse"}]}]}}"#,
    );
    write(
        &home.join("rules/default.rules"),
        "prefix_rule(pattern=[\"ls\"])\n",
    );
    write(&home.join("prompts/review.md"), "Review.\n");
    write(&home.join("skills/pdf/SKILL.md"), "pdf\n");
    write(&root.join("AGENTS.md"), "top\n");
    write(&root.join("AGENTS.override.md"), "override\n");
    write(&cwd.join("AGENTS.md"), "svc\n");
    write(&root.join(".codex/config.toml"), "model = [broken");
    let c = codex::collect(&places(&home, "~/.codex", &root, &cwd), at());
    assert_eq!(
        paths(&c.instructions),
        [
            ("~/.codex/AGENTS.md", "user"),
            ("AGENTS.override.md", "project"),
            ("svc/AGENTS.md", "project")
        ]
    );
    let config = setting(&c, "~/.codex/config.toml");
    assert_eq!(
        config.model.as_deref(),
        Some("gpt-5.4-mini"),
        "the profile's"
    );
    assert_eq!(
        config.default_mode.as_deref(),
        Some("approval:on-request, sandbox:workspace-write")
    );
    assert_eq!(
        setting(&c, "~/.codex/hooks.json").hooks[0].event,
        "PreToolUse"
    );
    assert_eq!(setting(&c, "~/.codex/rules/default.rules").scope, "rules");
    let servers: Vec<&str> = c.mcp_servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(servers, ["docs", "github"]);
    assert_eq!(c.commands[0].name, "review");
    assert_eq!(c.skills[0].name, "pdf");
    assert!(
        c.warnings[0].starts_with(".codex/config.toml: not TOML"),
        "{:?}",
        c.warnings
    );
    assert!(!c.sources.contains(&home.join("config.toml")), "not copied");
    let json = serde_json::to_string(&c).unwrap();
    assert!(!json.contains("SECRET") && !json.contains(&*tmp.path().to_string_lossy()));
}

#[test]
fn gemini_cli_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home/.gemini");
    let root = tmp.path().join("repo");
    let cwd = root.join("web");
    write(
        &home.join("settings.json"),
        r#"{"model":{"name":"gemini-2.5-pro"},"general":{"defaultApprovalMode":"auto_edit"},
           "tools":{"allowed":["run_shell_command(git status)"],"exclude":["web_fetch"]},
           "context":{"fileName":["AGENT.md","GEMINI.md"]},
           "hooks":{"BeforeTool":[{"matcher":".*","hooks":[{"type":"command","command":"git-vouch hook gemini BeforeTool"}]}]},
           "mcpServers":{"search":{"httpUrl":"https://search.example/mcp","headers":{"Authorization":"SECRET"}}}}"#,
    );
    write(&home.join("GEMINI.md"), "user\n");
    write(&root.join("AGENT.md"), "top\n");
    write(&cwd.join("GEMINI.md"), "web\n");
    write(
        &root.join(".gemini/commands/deploy.toml"),
        "prompt = \"x\"\n",
    );
    write(&root.join(".gemini/settings.json"), "{\"model\": ");
    let c = gemini::collect(&places(&home, "~/.gemini", &root, &cwd), at());
    assert_eq!(
        paths(&c.instructions),
        [
            ("~/.gemini/GEMINI.md", "user"),
            ("AGENT.md", "project"),
            ("web/GEMINI.md", "project")
        ]
    );
    let user = setting(&c, "~/.gemini/settings.json");
    assert_eq!(user.model.as_deref(), Some("gemini-2.5-pro"));
    assert_eq!(user.default_mode.as_deref(), Some("auto_edit"));
    assert_eq!(user.allow, ["run_shell_command(git status)"]);
    assert_eq!(user.deny, ["web_fetch"]);
    assert_eq!(user.hooks[0].event, "BeforeTool");
    assert_eq!(c.mcp_servers[0].name, "search");
    assert_eq!(c.commands[0].name, "deploy");
    assert!(
        c.warnings[0].starts_with(".gemini/settings.json: not JSON"),
        "{:?}",
        c.warnings
    );
    assert!(!serde_json::to_string(&c).unwrap().contains("SECRET"));
}

#[test]
fn opencode_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home/.config/opencode");
    let root = tmp.path().join("repo");
    let cwd = root.join("cli");
    write(&home.join("AGENTS.md"), "user\n");
    write(
        &home.join("opencode.jsonc"),
        "{\n  // the user's\n  \"model\": \"anthropic/claude-sonnet-4-5\",\n  \"plugin\": [\"opencode-wakatime\"],\n  \"permission\": {\"edit\": \"ask\", \"bash\": {\"git push\": \"deny\", \"*\": \"allow\"},},\n}\n",
    );
    write(
        &root.join("opencode.json"),
        r#"{"instructions":["docs/rules.md","packages/*/AGENTS.md"],"mcp":{"db":{"type":"local","command":["db-mcp"],"environment":{"PASSWORD":"SECRET"}}}}"#,
    );
    write(&root.join("CLAUDE.md"), "top\n");
    write(&cwd.join("AGENTS.md"), "cli\n");
    write(&root.join("docs/rules.md"), "rules\n");
    write(&root.join(".opencode/agent/reviewer.md"), "review\n");
    write(&home.join("command/ship.md"), "ship\n");
    let c = opencode::collect(&places(&home, "~/.config/opencode", &root, &cwd), at());
    assert_eq!(
        paths(&c.instructions),
        [
            ("~/.config/opencode/AGENTS.md", "user"),
            ("CLAUDE.md", "project"),
            ("cli/AGENTS.md", "project"),
            ("docs/rules.md", "project")
        ]
    );
    let user = setting(&c, "~/.config/opencode/opencode.jsonc");
    assert_eq!(user.model.as_deref(), Some("anthropic/claude-sonnet-4-5"));
    assert_eq!(user.ask, ["edit"]);
    assert_eq!(user.deny, ["bash(git push)"]);
    assert_eq!(user.allow, ["bash(*)"]);
    assert_eq!(user.enabled_plugins, ["opencode-wakatime"]);
    assert_eq!(c.mcp_servers[0].name, "db");
    assert_eq!(c.agents[0].name, "reviewer");
    assert_eq!(c.commands[0].name, "ship");
    assert!(!serde_json::to_string(&c).unwrap().contains("SECRET"));
}
