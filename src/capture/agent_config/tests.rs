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
        claude_dir: Some(home.clone()),
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
        claude_dir: None,
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
        claude_dir: None,
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
