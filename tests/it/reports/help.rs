//! Golden `--help` of the binary and of every command it lists, found by walking each help's
//! `Commands:` section, so a new command gets its snapshot without a list to keep.

use super::cli::TestEnv;

/// The names in a help text's `Commands:` section, `help` left out.
fn listed_commands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

fn help_of(env: &TestEnv, path: &[String]) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = env.run(&args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_of_every_command_is_golden() {
    let env = TestEnv::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        let help = help_of(&env, &path);
        for name in listed_commands(&help) {
            let mut sub = path.clone();
            sub.push(name);
            pending.push(sub);
        }
        let name = if path.is_empty() {
            "help_git_vouch".to_owned()
        } else {
            format!("help_{}", path.join("_"))
        };
        insta::assert_snapshot!(name.clone(), help);
        seen.push(name);
    }
    // The walk reached the nested commands too.
    for name in ["help_sessions", "help_policy_check", "help_notes_push"] {
        assert!(seen.iter().any(|s| s == name), "{name} in {seen:?}");
    }
}
