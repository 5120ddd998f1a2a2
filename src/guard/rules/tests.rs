use super::*;

#[test]
fn the_embedded_rules_load_and_every_rule_has_a_reason() {
    let rules = Rules::embedded().unwrap();
    assert!(rules.rules.len() > 30);
    for r in &rules.rules {
        assert!(!r.reason.trim().is_empty(), "{}", r.id);
    }
    let ids: std::collections::BTreeSet<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), rules.rules.len(), "rule ids are unique");
    assert!(
        rules.is_protected("main")
            && rules.is_protected("release/2.0")
            && !rules.is_protected("feature")
    );
}

#[test]
fn a_repository_file_replaces_rules_by_id_adds_rules_and_extends_lists() {
    let repo = r#"
protected_refs = ["staging"]
[paths]
env_file = ["secrets.yaml"]
[[rule]]
id = "install-package"
on = "command"
programs = ["npm"]
subcommands = ["install"]
category = "package_install"
level = "high"
reason = "ask before installing"
[[rule]]
id = "no-terraform-destroy"
on = "command"
programs = ["terraform"]
subcommands = ["destroy"]
category = "destructive"
level = "critical"
reason = "destroys infrastructure"
"#;
    let rules =
        Rules::from_files(&[(DEFAULT, "assets/guard.toml"), (repo, REPOSITORY_FILE)]).unwrap();
    let install: Vec<&Rule> = rules
        .rules
        .iter()
        .filter(|r| r.id == "install-package")
        .collect();
    assert_eq!(install.len(), 1);
    assert_eq!(install[0].level, Level::High);
    assert!(rules.rules.iter().any(|r| r.id == "no-terraform-destroy"));
    assert!(rules.is_protected("staging") && rules.is_protected("main"));
}

#[test]
fn a_broken_rules_file_names_the_file_and_the_rule() {
    let cases = [
        (
            "[[rule]]\nid = \"x\"\non = \"command\"\ncategory = \"destructive\"\nlevel = \"severe\"\nreason = \"r\"\n",
            "unknown variant `severe`",
        ),
        (
            "[[rule]]\nid = \"x\"\non = \"command\"\ncategory = \"destructive\"\nlevel = \"high\"\nreason = \"r\"\nargs = \"(\"\n",
            "rule `x`: args:",
        ),
        (
            "[[rule]]\nid = \"p\"\non = \"pipe\"\ncategory = \"remote_code\"\nlevel = \"high\"\nreason = \"r\"\n",
            "rule `p`: `on = \"pipe\"` needs `from` and `programs`",
        ),
        (
            "[[rule]]\nid = \"f\"\non = \"command\"\ncategory = \"destructive\"\nlevel = \"high\"\nreason = \"r\"\nflags = [\"force\"]\n",
            "rule `f`: flags are written",
        ),
        (
            "[[rule]]\nid = \"u\"\non = \"command\"\ncategory = \"destructive\"\nlevel = \"high\"\nreason = \"r\"\ncolour = 1\n",
            "unknown field `colour`",
        ),
    ];
    for (text, expected) in cases {
        let err = Rules::from_files(&[(DEFAULT, "assets/guard.toml"), (text, REPOSITORY_FILE)])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(".vouch/guard.toml"), "{err}");
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn a_repository_without_a_rules_file_gets_the_embedded_rules() {
    let dir = tempfile::tempdir().unwrap();
    let rules = Rules::for_repository(dir.path()).unwrap();
    assert_eq!(rules.rules.len(), Rules::embedded().unwrap().rules.len());
    std::fs::create_dir(dir.path().join(".vouch")).unwrap();
    std::fs::write(dir.path().join(REPOSITORY_FILE), "protected_refs = [").unwrap();
    let err = Rules::for_repository(dir.path()).unwrap_err().to_string();
    assert!(err.starts_with(".vouch/guard.toml:"), "{err}");
}

#[test]
fn every_embedded_expression_compiles_since_they_are_compiled_only_when_needed() {
    let rules = Rules::embedded().unwrap();
    let args: Vec<&str> = rules
        .rules
        .iter()
        .filter_map(|r| r.args.as_ref().map(LazyRegex::as_str))
        .collect();
    assert!(args.len() > 10, "{args:?}");
    for pattern in args {
        LazyRegex::checked(pattern).unwrap();
    }
}

#[test]
fn the_embedded_rules_parse_is_cached_as_json_and_rebuilt_when_unusable() {
    let repo = tempfile::tempdir().unwrap();
    let cache = repo.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    let stale = cache.join("guard-rules-0.0.1-0000000000000000.json");
    std::fs::write(&stale, "{}").unwrap();
    let summary = |r: &Rules| -> Vec<(String, String)> {
        r.rules
            .iter()
            .map(|r| (r.id.clone(), r.reason.clone()))
            .collect()
    };
    let plain = summary(&Rules::for_repository(repo.path()).unwrap());
    // A miss parses the TOML, writes the cache and drops other versions' caches.
    let first = Rules::for_repository_cached(repo.path(), Some(&cache)).unwrap();
    assert_eq!(summary(&first), plain);
    let file = cache.join(cache_name());
    assert!(file.is_file());
    assert!(!stale.exists());
    // A hit is read from the cache: an edit there shows.
    let json = std::fs::read_to_string(&file).unwrap();
    let first_reason = &plain[0].1;
    let edited = json.replacen(
        &serde_json::to_string(first_reason).unwrap(),
        "\"edited\"",
        1,
    );
    assert_ne!(edited, json);
    std::fs::write(&file, edited).unwrap();
    let hit = Rules::for_repository_cached(repo.path(), Some(&cache)).unwrap();
    assert_eq!(hit.rules[0].reason, "edited");
    // An unreadable cache is rebuilt from the TOML.
    std::fs::write(&file, "not json").unwrap();
    let rebuilt = Rules::for_repository_cached(repo.path(), Some(&cache)).unwrap();
    assert_eq!(summary(&rebuilt), plain);
    assert!(serde_json::from_slice::<serde_json::Value>(&std::fs::read(&file).unwrap()).is_ok());
    // The repository's own file is read afresh every time.
    std::fs::create_dir(repo.path().join(".vouch")).unwrap();
    std::fs::write(
        repo.path().join(REPOSITORY_FILE),
        "max_repeated_failures = 9\n",
    )
    .unwrap();
    let own = Rules::for_repository_cached(repo.path(), Some(&cache)).unwrap();
    assert_eq!(own.max_repeated_failures, 9);
}

#[test]
fn every_embedded_glob_parses_since_they_are_parsed_only_when_needed() {
    let spec = parse(DEFAULT, EMBEDDED).unwrap();
    let p = &spec.paths;
    let lists = [
        &p.private_key,
        &p.credentials,
        &p.env_file,
        &p.not_secret,
        &spec.protected_refs,
    ];
    let tools = spec.rule.iter().map(|r| &r.tools);
    let mut globs = 0;
    for list in lists.into_iter().chain(tools) {
        Globs::new(list).unwrap();
        globs += list.len();
    }
    assert!(globs > 40, "{globs}");
    // A mistake in a repository's file is still reported where it is written.
    let err = Rules::from_files(&[
        (DEFAULT, EMBEDDED),
        ("[paths]\nenv_file = [\"[unclosed\"]\n", REPOSITORY_FILE),
    ])
    .unwrap_err()
    .to_string();
    assert!(err.starts_with(".vouch/guard.toml: [paths]"), "{err}");
}
