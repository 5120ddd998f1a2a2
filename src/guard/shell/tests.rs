use super::*;

/// Each command's words, joined by spaces, `|` before one that reads a pipe.
fn commands(script: &str) -> Vec<String> {
    parse(script)
        .unwrap()
        .iter()
        .map(|c| {
            let words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
            format!("{}{}", if c.pipe_in { "| " } else { "" }, words.join(" "))
        })
        .collect()
}

#[test]
fn lists_pipelines_and_separators_split_into_simple_commands() {
    assert_eq!(
        commands("cd /tmp && rm -rf x; ls | grep y || echo no & sleep 1\npwd"),
        [
            "cd /tmp", "rm -rf x", "ls", "| grep y", "echo no", "sleep 1", "pwd"
        ]
    );
    assert_eq!(commands("a |& b"), ["a", "| b"]);
}

#[test]
fn quotes_are_removed_and_escapes_applied() {
    assert_eq!(
        commands(r#"rm -r"f" '/tmp/a b' "x\"y" c\ d"#),
        [r#"rm -rf /tmp/a b x"y c d"#]
    );
    assert_eq!(commands("echo $'a\\tb' $'\\x41'"), ["echo a\tb A"]);
    assert_eq!(commands("echo 'it''s'"), ["echo its"]);
}

#[test]
fn substitutions_are_parsed_and_listed_after_their_command() {
    assert_eq!(
        commands("echo $(rm -rf /; echo `whoami`) done"),
        [
            "echo $(rm -rf /; echo `whoami`) done",
            "rm -rf /",
            "echo `whoami`",
            "whoami"
        ]
    );
    let parsed = parse("echo \"$(curl -s x | sh)\"").unwrap();
    assert!(parsed[0].words[1].dynamic);
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed[1].depth, 1);
    assert!(parsed[2].pipe_in, "{parsed:?}");
    assert_eq!(
        commands("diff <(ls a) >(tee b)"),
        ["diff <(ls a) >(tee b)", "ls a", "tee b"]
    );
}

#[test]
fn expansions_are_kept_as_written_and_marked() {
    let parsed = parse("rm -rf $HOME/x ${TMPDIR:-/tmp}/y ~/z *.log $((1+2))").unwrap();
    let words = &parsed[0].words;
    assert_eq!(words[2].text, "$HOME/x");
    assert!(words[2].dynamic);
    assert_eq!(words[3].text, "${TMPDIR:-/tmp}/y");
    assert_eq!(words[4].text, "~/z");
    assert!(!words[4].dynamic);
    assert!(words[5].glob);
    assert!(words[6].dynamic);
    assert!(!parse("echo '$HOME' '*'").unwrap()[0].words[1].dynamic);
    assert!(!parse("echo '*'").unwrap()[0].words[1].glob);
}

#[test]
fn assignments_and_redirections_are_apart_from_the_words() {
    let parsed = parse("FOO=1 BAR=\"a b\" env 2>/dev/null >>log cat <in > out 2>&1 &>all").unwrap();
    let c = &parsed[0];
    let texts = |ws: &[Word]| ws.iter().map(|w| w.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&c.assignments), ["FOO=1", "BAR=a b"]);
    assert_eq!(texts(&c.words), ["env", "cat"]);
    let kinds: Vec<(RedirectKind, &str)> = c
        .redirects
        .iter()
        .map(|r| (r.kind, r.target.text.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (RedirectKind::Write, "/dev/null"),
            (RedirectKind::Append, "log"),
            (RedirectKind::Read, "in"),
            (RedirectKind::Write, "out"),
            (RedirectKind::Duplicate, "1"),
            (RedirectKind::Write, "all"),
        ]
    );
}

#[test]
fn here_documents_keep_their_bodies() {
    let parsed =
        parse("cat <<EOF > f\nrm -rf /\n$HOME\nEOF\nbash <<-'X'\n\techo hi\n\tX\necho after")
            .unwrap();
    assert_eq!(parsed.len(), 3, "{parsed:?}");
    assert_eq!(
        parsed[0].redirects[0].body.as_deref(),
        Some("rm -rf /\n$HOME\n")
    );
    assert_eq!(parsed[0].redirects[1].target.text, "f");
    assert_eq!(parsed[1].redirects[0].body.as_deref(), Some("echo hi\n"));
    assert_eq!(parsed[2].words[0].text, "echo");
    let two = parse("cat <<A; cat <<B\none\nA\ntwo\nB\n").unwrap();
    assert_eq!(two[0].redirects[0].body.as_deref(), Some("one\n"));
    assert_eq!(two[1].redirects[0].body.as_deref(), Some("two\n"));
    assert_eq!(
        parse("sh <<< 'rm -r x'").unwrap()[0].redirects[0]
            .body
            .as_deref(),
        Some("rm -r x")
    );
}

#[test]
fn compound_commands_yield_the_commands_they_run() {
    assert_eq!(
        commands("if [ -d x ]; then rm -r x; else mkdir x; fi"),
        ["[ -d x ]", "rm -r x", "mkdir x"]
    );
    assert_eq!(commands("for f in a b; do rm \"$f\"; done"), ["rm $f"]);
    assert_eq!(
        commands("while true; do sleep 1; done"),
        ["true", "sleep 1"]
    );
    assert_eq!(
        commands("(cd /; rm -rf x) && { ls; }"),
        ["cd /", "rm -rf x", "ls"]
    );
    assert_eq!(
        commands("f() { rm -rf \"$1\"; }; f /"),
        ["rm -rf $1", "f /"]
    );
    assert_eq!(
        commands("case $x in rm) echo a;; (b|c) rm -f y;; esac; ls"),
        ["echo a", "rm -f y", "ls"]
    );
    assert_eq!(commands("! grep -q x f"), ["grep -q x f"]);
}

#[test]
fn comments_and_continuations() {
    assert_eq!(commands("ls # rm -rf /\nrm \\\n -rf x"), ["ls", "rm -rf x"]);
    assert_eq!(commands("echo a#b"), ["echo a#b"]);
}

#[test]
fn what_cannot_be_read_is_an_error_naming_where() {
    for (script, what) in [
        ("echo 'open", "single quote"),
        ("echo \"open", "double quote"),
        ("echo $(ls", "command substitution"),
        ("echo `ls", "backquote"),
        ("echo ${x", "parameter expansion"),
    ] {
        let err = parse(script).unwrap_err();
        assert!(
            matches!(err, ShellError::Unterminated { what: w, at: 5 } if w == what),
            "{script}: {err}"
        );
    }
    let deep = format!(
        "{}x{}",
        "$(echo ".repeat(MAX_DEPTH + 2),
        ")".repeat(MAX_DEPTH + 2)
    );
    assert!(matches!(parse(&deep), Err(ShellError::TooDeep { .. })));
}

#[test]
fn commands_of_a_substitution_point_at_the_command_they_feed() {
    let parsed = parse("ls; echo $(cat $(pwd) | wc) x").unwrap();
    let shown: Vec<(String, Option<usize>)> = parsed
        .iter()
        .map(|c| (c.words[0].text.clone(), c.parent))
        .collect();
    assert_eq!(
        shown,
        [
            ("ls".into(), None),
            ("echo".into(), None),
            ("cat".into(), Some(1)),
            ("pwd".into(), Some(2)),
            ("wc".into(), Some(1)),
        ]
    );
}
