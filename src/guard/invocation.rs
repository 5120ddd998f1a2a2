//! From a simple command to the programs it runs: wrappers (`sudo`, `timeout`, `env`, `nice`,
//! `xargs`, …) are taken off and remembered, shells given a script (`sh -c '…'`, `bash <<EOF`,
//! `eval`) have it parsed, and `find -exec`/`-execdir`/`-ok` yield the command they run.

use super::shell::{self, RedirectKind, ShellError, SimpleCommand, Word};

/// One program a command line runs, with the arguments it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "four independent facts, not a state"
)]
pub struct Invocation {
    /// The program's file name (`rm` for `/bin/rm`).
    pub program: String,
    pub args: Vec<Word>,
    /// Run through `sudo`, `doas`, `su -c` or `pkexec`.
    pub privileged: bool,
    /// Gets further arguments it is not shown (`xargs`, `find -exec … +`).
    pub more_args: bool,
    /// Reads the output of a pipe.
    pub pipe_in: bool,
    /// Its output goes into a pipe.
    pub pipe_out: bool,
    /// The files its redirections write (`>`, `>>`) and read (`<`).
    pub writes: Vec<Word>,
    pub reads: Vec<Word>,
    /// The programs whose output reaches this one: through a pipe, or through a substitution in
    /// its words (`sh -c "$(curl …)"`, `bash <(wget …)`), followed back through every stage.
    pub fed_by: Vec<String>,
    /// The simple command as written, for people to read.
    pub text: String,
}

/// Shells that run a script given with `-c`, on standard input or as a file.
pub const SHELLS: [&str; 8] = ["sh", "bash", "zsh", "dash", "ksh", "fish", "ash", "busybox"];

/// Every program a whole script runs.
pub fn invocations(script: &str) -> Result<Vec<Invocation>, ShellError> {
    invocations_at(script, 0)
}

fn invocations_at(script: &str, depth: usize) -> Result<Vec<Invocation>, ShellError> {
    let commands = shell::parse_at(script, depth)?;
    let mut each = Vec::with_capacity(commands.len());
    for command in &commands {
        let mut own = Vec::new();
        expand(command, depth, &mut own)?;
        each.push(own);
    }
    let programs: Vec<&str> = each
        .iter()
        .map(|own| own.first().map_or("", |i| i.program.as_str()))
        .collect();
    let fed_by: Vec<Vec<String>> = (0..commands.len())
        .map(|i| {
            feeders(&commands, i)
                .into_iter()
                .map(|j| programs[j].to_owned())
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for (mut own, fed) in each.into_iter().zip(fed_by) {
        if let Some(first) = own.first_mut() {
            first.fed_by = fed;
        }
        out.append(&mut own);
    }
    Ok(out)
}

/// Every command whose output reaches command `i`: the stage before it in its pipeline and the
/// commands of its substitutions, and theirs in turn.
fn feeders(commands: &[SimpleCommand], i: usize) -> Vec<usize> {
    let direct = |k: usize| {
        let c = &commands[k];
        let stage = c
            .pipe_in
            .then(|| {
                (0..k)
                    .rev()
                    .find(|&j| commands[j].parent == c.parent && commands[j].pipe_out)
            })
            .flatten();
        let children = (0..commands.len()).filter(move |&j| commands[j].parent == Some(k));
        stage.into_iter().chain(children)
    };
    let mut seen = vec![false; commands.len()];
    let mut stack: Vec<usize> = direct(i).collect();
    let mut out = Vec::new();
    while let Some(k) = stack.pop() {
        if std::mem::replace(&mut seen[k], true) {
            continue;
        }
        out.push(k);
        stack.extend(direct(k));
    }
    out.sort_unstable();
    out
}

/// The invocations of one simple command (itself, after wrappers, and what it runs).
fn expand(
    command: &SimpleCommand,
    depth: usize,
    out: &mut Vec<Invocation>,
) -> Result<(), ShellError> {
    let mut inv = Invocation {
        program: String::new(),
        args: command.words.clone(),
        privileged: false,
        more_args: false,
        pipe_in: command.pipe_in,
        pipe_out: command.pipe_out,
        writes: Vec::new(),
        reads: Vec::new(),
        fed_by: Vec::new(),
        text: text_of(command),
    };
    for r in &command.redirects {
        match r.kind {
            RedirectKind::Write | RedirectKind::Append => inv.writes.push(r.target.clone()),
            RedirectKind::Read => inv.reads.push(r.target.clone()),
            _ => {}
        }
    }
    unwrap(&mut inv);
    let Some(first) = inv.args.first() else {
        // Only assignments or redirections: the redirections still write.
        if !inv.writes.is_empty() {
            out.push(inv);
        }
        return Ok(());
    };
    program_name(&first.text).clone_into(&mut inv.program);
    inv.args.remove(0);
    let script = script_run_by(&inv, command);
    let find_exec = (inv.program == "find")
        .then(|| find_exec(&inv.args))
        .flatten();
    out.push(inv.clone());
    if let Some(script) = script {
        out.extend(invocations_at(&script, depth + 1)?);
    }
    if let Some(mut words) = find_exec {
        // What find finds is under its start folders.
        words.extend(
            inv.args
                .iter()
                .take_while(|w| !w.text.starts_with(['-', '(', '!']))
                .cloned(),
        );
        let nested = SimpleCommand {
            words,
            depth,
            ..SimpleCommand::default()
        };
        let before = out.len();
        expand(&nested, depth, out)?;
        for n in &mut out[before..] {
            n.more_args = true;
            n.privileged |= inv.privileged;
        }
    }
    Ok(())
}

fn text_of(command: &SimpleCommand) -> String {
    command
        .words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `/usr/bin/rm` → `rm`; `\rm` was unescaped by the parser already.
pub fn program_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Takes wrappers off the front of `inv.args`, remembering privilege and hidden arguments.
fn unwrap(inv: &mut Invocation) {
    loop {
        let Some(first) = inv.args.first() else {
            return;
        };
        let name = program_name(&first.text).to_owned();
        let skip = match name.as_str() {
            "sudo" | "doas" | "pkexec" => options_then_command(
                &inv.args,
                &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
            ),
            "timeout" => {
                options_then_command(&inv.args, &["-s", "-k", "--signal", "--kill-after"]) + 1
            }
            "nice" => options_then_command(&inv.args, &["-n", "--adjustment"]),
            "ionice" => options_then_command(&inv.args, &["-c", "-n", "-p", "-t"]),
            "stdbuf" => options_then_command(&inv.args, &["-i", "-o", "-e"]),
            "env" => env_command(&inv.args),
            "xargs" => options_then_command(
                &inv.args,
                &[
                    "-I",
                    "-i",
                    "-n",
                    "-P",
                    "-L",
                    "-l",
                    "-s",
                    "-d",
                    "-E",
                    "-e",
                    "-a",
                    "--max-args",
                    "--max-procs",
                    "--delimiter",
                    "--arg-file",
                ],
            ),
            "watch" => options_then_command(&inv.args, &["-n", "--interval", "-d"]),
            "flock" => options_then_command(&inv.args, &["-w", "-E", "--timeout"]) + 1,
            "nohup" | "time" | "command" | "builtin" | "exec" | "setsid" | "noglob" | "chronic"
            | "unbuffer" => options_then_command(&inv.args, &[]),
            _ => return,
        };
        if skip >= inv.args.len() {
            // A wrapper alone (`sudo -v`, `env`) runs nothing further: keep it as the program.
            return;
        }
        inv.privileged |= matches!(name.as_str(), "sudo" | "doas" | "pkexec");
        inv.more_args |= name == "xargs";
        inv.args.drain(..skip);
    }
}

/// The index of the wrapped command: after the wrapper's name and its options (`takes_value`
/// options consume the next word unless written `-n5` or `--opt=v`).
fn options_then_command(args: &[Word], takes_value: &[&str]) -> usize {
    let mut i = 1;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            return i;
        }
        i += if takes_value.contains(&t) { 2 } else { 1 };
    }
    i
}

/// `env [-i] [-u NAME] [NAME=value]… command`.
fn env_command(args: &[Word]) -> usize {
    let mut i = 1;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t == "-u" || t == "--unset" || t == "-C" || t == "--chdir" || t == "-S" {
            i += 2;
        } else if t.starts_with('-') || t.contains('=') {
            i += 1;
        } else {
            return i;
        }
    }
    i
}

/// The script a shell (or `eval`, `su -c`) is given: `-c 'script'`, a here-document or
/// here-string on its standard input, or `eval`'s arguments.
fn script_run_by(inv: &Invocation, command: &SimpleCommand) -> Option<String> {
    let program = inv.program.as_str();
    if program == "eval" {
        return Some(words_text(&inv.args));
    }
    let shell = SHELLS.contains(&program) || program == "su";
    if !shell {
        return None;
    }
    let mut args = inv.args.iter();
    while let Some(w) = args.next() {
        let t = w.text.as_str();
        if t == "-c"
            || t == "--command"
            || (t.starts_with('-') && !t.starts_with("--") && t.contains('c') && program != "su")
        {
            return args.next().map(|w| w.text.clone());
        }
        if !t.starts_with('-') {
            break;
        }
    }
    command
        .redirects
        .iter()
        .filter(|r| matches!(r.kind, RedirectKind::HereDoc | RedirectKind::HereString))
        .find_map(|r| r.body.clone())
}

fn words_text(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command of `find … -exec cmd … ;` (or `+`, `-execdir`, `-ok`, `-okdir`), without `{}`
/// and the terminator.
fn find_exec(args: &[Word]) -> Option<Vec<Word>> {
    let start = args
        .iter()
        .position(|w| matches!(w.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir"))?;
    let words: Vec<Word> = args[start + 1..]
        .iter()
        .take_while(|w| w.text != ";" && w.text != "+")
        .filter(|w| w.text != "{}")
        .cloned()
        .collect();
    (!words.is_empty()).then_some(words)
}

/// Flags and operands of an argument list, for programs with getopt-style options: `-rf` is
/// `r` and `f`, `--force` is `force`, `--` ends options.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args<'a> {
    pub short: Vec<char>,
    pub long: Vec<&'a str>,
    pub operands: Vec<&'a Word>,
}

impl<'a> Args<'a> {
    pub fn of(words: &'a [Word]) -> Self {
        let mut out = Args::default();
        let mut options = true;
        for w in words {
            let t = w.text.as_str();
            if options && t == "--" {
                options = false;
            } else if options && let Some(long) = t.strip_prefix("--") {
                out.long.push(long.split('=').next().unwrap_or(long));
            } else if options && t.len() > 1 && t.starts_with('-') && !w.dynamic {
                out.short.extend(t[1..].chars());
            } else {
                out.operands.push(w);
            }
        }
        out
    }

    pub fn has(&self, short: char, long: &str) -> bool {
        self.short.contains(&short) || self.long.contains(&long)
    }
}

#[cfg(test)]
mod tests;
