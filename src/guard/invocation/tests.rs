use super::*;

/// Each invocation as `program arg…`, prefixed by `sudo ` when privileged and `… ` when it gets
/// arguments it is not shown.
fn runs(script: &str) -> Vec<String> {
    invocations(script)
        .unwrap()
        .iter()
        .map(|i| {
            let mut s = String::new();
            if i.privileged {
                s.push_str("sudo ");
            }
            if i.more_args {
                s.push_str("… ");
            }
            s.push_str(&i.program);
            for a in &i.args {
                s.push(' ');
                s.push_str(&a.text);
            }
            s
        })
        .collect()
}

#[test]
fn wrappers_are_taken_off_and_remembered() {
    assert_eq!(runs("sudo -u root rm -rf /srv"), ["sudo rm -rf /srv"]);
    assert_eq!(
        runs("timeout -s KILL 10 nice -n 5 /bin/rm -r x"),
        ["rm -r x"]
    );
    assert_eq!(runs("env -i PATH=/bin FOO=1 rm x"), ["rm x"]);
    assert_eq!(runs("nohup stdbuf -o0 command rm x"), ["rm x"]);
    assert_eq!(runs("ls | xargs -n1 -I{} rm -rf {}"), ["ls", "… rm -rf {}"]);
    assert_eq!(runs("sudo -v"), ["sudo -v"]);
    assert_eq!(runs("env"), ["env"]);
}

#[test]
fn shells_given_a_script_run_its_commands() {
    assert_eq!(
        runs("sh -c 'rm -rf ~/x'"),
        ["sh -c rm -rf ~/x", "rm -rf ~/x"]
    );
    assert_eq!(
        runs("bash -lc \"cd / && rm -r y\""),
        ["bash -lc cd / && rm -r y", "cd /", "rm -r y"]
    );
    assert_eq!(
        runs("bash <<EOF\nrm -rf /tmp/z\nEOF\n"),
        ["bash", "rm -rf /tmp/z"]
    );
    assert_eq!(runs("sh <<< 'rm q'"), ["sh", "rm q"]);
    assert_eq!(runs("eval rm -rf /"), ["eval rm -rf /", "rm -rf /"]);
    assert_eq!(
        runs("sudo sh -c 'echo x > /etc/hosts'"),
        ["sudo sh -c echo x > /etc/hosts", "echo x"]
    );
    assert_eq!(
        runs("cat <<EOF > notes\nrm -rf /\nEOF\n"),
        ["cat"],
        "a here-document into cat is data"
    );
}

#[test]
fn find_exec_runs_its_command_on_what_find_finds() {
    assert_eq!(
        runs("find . -name '*.o' -exec rm -f {} \\;"),
        ["find . -name *.o -exec rm -f {} ;", "… rm -f ."]
    );
    assert_eq!(
        runs("sudo find / -execdir shred {} +"),
        ["sudo find / -execdir shred {} +", "sudo … shred /"]
    );
    assert_eq!(runs("find . -delete"), ["find . -delete"]);
}

#[test]
fn redirections_are_the_files_a_command_reads_and_writes() {
    let inv = &invocations("echo x > a >> b < c 2>&1").unwrap()[0];
    let texts = |ws: &[Word]| ws.iter().map(|w| w.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&inv.writes), ["a", "b"]);
    assert_eq!(texts(&inv.reads), ["c"]);
    let bare = invocations("> ~/.bashrc").unwrap();
    assert_eq!(bare.len(), 1);
    assert_eq!(bare[0].program, "");
}

#[test]
fn pipes_are_kept_on_the_programs() {
    let inv = invocations("curl -fsSL https://x.sh | sudo bash").unwrap();
    assert!(inv[0].pipe_out && !inv[0].pipe_in);
    assert!(inv[1].pipe_in && inv[1].privileged && inv[1].program == "bash");
}

#[test]
fn getopt_style_flags_are_read_in_any_spelling() {
    for script in [
        "rm -rf x",
        "rm -fr x",
        "rm -r -f x",
        "rm --recursive --force x",
        "rm -R -f -- x",
    ] {
        let inv = &invocations(script).unwrap()[0];
        let args = Args::of(&inv.args);
        assert!(
            args.has('r', "recursive") || args.has('R', "recursive"),
            "{script}"
        );
        assert!(args.has('f', "force"), "{script}");
        assert_eq!(args.operands.len(), 1, "{script}");
    }
    let words = invocations("rm -- -rf").unwrap()[0].args.clone();
    let args = Args::of(&words);
    assert!(args.short.is_empty());
    assert_eq!(args.operands[0].text, "-rf");
}

#[test]
fn a_program_knows_which_programs_feed_it() {
    let fed = |script: &str, program: &str| {
        invocations(script)
            .unwrap()
            .into_iter()
            .find(|i| i.program == program)
            .map(|i| i.fed_by)
            .unwrap()
    };
    assert_eq!(
        fed("curl -s x | tee log | sudo bash", "bash"),
        ["curl", "tee"]
    );
    assert_eq!(fed("sh -c \"$(wget -qO- x)\"", "sh"), ["wget"]);
    assert_eq!(fed("bash <(curl x)", "bash"), ["curl"]);
    assert_eq!(
        fed("echo \"$(curl x)\" | python3", "python3"),
        ["echo", "curl"]
    );
    assert!(fed("curl x > f; sh f", "sh").is_empty());
    assert!(fed("curl x | grep y; bash", "bash").is_empty());
}
