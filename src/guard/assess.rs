//! One tool call's risk: every rule that matches it is a finding, and the call's level is the
//! highest of them.

use serde::Serialize;
use serde_json::Value;

use super::invocation::{Args, Invocation, invocations};
use super::paths::{PathClass, Place};
use super::rules::{Category, Level, On, Refs, Rule, Rules};
use super::shell::Word;
use crate::redact::detect::Detector;
use crate::transcript::tool::ToolKind;

/// One rule that matched, with what it matched (a simple command or a path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub category: Category,
    pub level: Level,
    pub reason: String,
    pub subject: String,
}

/// A call's level and findings (no findings: `low`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub level: Level,
    pub findings: Vec<Finding>,
}

/// Assesses the call of `tool` with `input`, made at `place`; `secrets` finds secrets in the
/// input (the evidence's redaction rules), when given.
pub fn assess(
    rules: &Rules,
    tool: &str,
    input: &Value,
    place: &Place,
    secrets: Option<&Detector>,
) -> Assessment {
    let mut a = Assessment::default();
    for rule in rules.rules.iter().filter(|r| r.on == On::Tool) {
        if rule.tools.is_match(tool) {
            a.add(rule, tool);
        }
    }
    if let Some(detector) = secrets {
        // The subject names the kinds of secret, never the secret itself.
        let found = detector.secrets_in(&input.to_string()).join(", ");
        if !found.is_empty() {
            for rule in rules.rules.iter().filter(|r| r.on == On::Input) {
                a.add(rule, &found);
            }
        }
    }
    let path = ["file_path", "notebook_path", "path"]
        .iter()
        .find_map(|k| input.get(k)?.as_str());
    if let Some(path) = path {
        let word = Word {
            text: path.to_owned(),
            ..Word::default()
        };
        // The editing tools write the file named by `file_path` (or `notebook_path`).
        let on = if ToolKind::of(tool).writes_file() {
            Some(On::Write)
        } else {
            ToolKind::of(tool).reads_path().then_some(On::Read)
        };
        if let Some(on) = on {
            a.paths(rules, on, &[word], place, path);
        }
    }
    if ToolKind::of(tool) == ToolKind::Bash
        && let Some(command) = input.get("command").and_then(Value::as_str)
    {
        a.command(rules, command, place);
    }
    a
}

impl Assessment {
    fn add(&mut self, rule: &Rule, subject: &str) {
        if self
            .findings
            .iter()
            .any(|f| f.rule == rule.id && f.subject == subject)
        {
            return;
        }
        self.level = self.level.max(rule.level);
        self.findings.push(Finding {
            rule: rule.id.clone(),
            category: rule.category,
            level: rule.level,
            reason: rule.reason.clone(),
            subject: subject.to_owned(),
        });
    }

    /// `read`/`write` rules over files.
    fn paths(&mut self, rules: &Rules, on: On, words: &[Word], place: &Place, subject: &str) {
        let classes: Vec<PathClass> = words
            .iter()
            .flat_map(|w| rules.paths.of_word(w, place))
            .collect();
        for rule in rules.rules.iter().filter(|r| r.on == on) {
            if rule.targets.iter().any(|t| classes.contains(t)) {
                self.add(rule, subject);
            }
        }
    }

    fn command(&mut self, rules: &Rules, command: &str, place: &Place) {
        let invs = match invocations(command) {
            Ok(invs) => invs,
            Err(e) => {
                for rule in rules.rules.iter().filter(|r| r.on == On::Unparsed) {
                    self.add(rule, &format!("{command} ({e})"));
                }
                return;
            }
        };
        for inv in &invs {
            let operands = path_operands(inv);
            for rule in &rules.rules {
                let hit = match rule.on {
                    On::Command => command_matches(rule, rules, inv, &operands, place),
                    On::Pipe => {
                        rule.programs.contains(&inv.program)
                            && inv.fed_by.iter().any(|p| rule.from.contains(p))
                    }
                    _ => false,
                };
                if hit {
                    self.add(rule, &inv.text);
                }
            }
            self.paths(rules, On::Write, &written(inv), place, &inv.text);
            let mut read: Vec<Word> = operands.clone();
            read.extend(inv.reads.iter().cloned());
            self.paths(rules, On::Read, &read, place, &inv.text);
        }
    }
}

fn command_matches(
    rule: &Rule,
    rules: &Rules,
    inv: &Invocation,
    operands: &[Word],
    place: &Place,
) -> bool {
    if !rule.programs.is_empty() && !rule.programs.contains(&inv.program) {
        return false;
    }
    if rule.privileged.is_some_and(|p| p != inv.privileged) {
        return false;
    }
    let args = subcommand_args(inv);
    if !rule.subcommands.is_empty()
        && !args
            .first()
            .is_some_and(|s| rule.subcommands.contains(&s.text))
    {
        return false;
    }
    let parsed = Args::of(args);
    if !rule.flags.is_empty() && !rule.flags.iter().any(|f| has_flag(&parsed, f)) {
        return false;
    }
    if let Some(re) = &rule.args {
        let over = if rule.subcommands.is_empty() {
            inv.args.as_slice()
        } else {
            args
        };
        let joined = over
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if !re.is_match(&joined) {
            return false;
        }
    }
    if rule.refs == Some(Refs::Protected) && !touches_protected_ref(rules, &parsed) {
        return false;
    }
    if !rule.targets.is_empty() {
        let mut classes: Vec<PathClass> = operands
            .iter()
            .flat_map(|w| rules.paths.of_word(w, place))
            .collect();
        if inv.more_args {
            classes.push(PathClass::Unknown);
        }
        if !rule.targets.iter().any(|t| classes.contains(t)) {
            return false;
        }
    }
    true
}

fn has_flag(args: &Args<'_>, flag: &str) -> bool {
    match flag.strip_prefix("--") {
        Some(long) => args.long.contains(&long),
        None => flag.chars().nth(1).is_some_and(|c| args.short.contains(&c)),
    }
}

/// The arguments from the subcommand on: for git, after its global options (`-C dir`,
/// `-c key=value`, `--git-dir=…`).
fn subcommand_args(inv: &Invocation) -> &[Word] {
    let args = inv.args.as_slice();
    if inv.program != "git" {
        return args;
    }
    let mut i = 0;
    while let Some(w) = args.get(i) {
        match w.text.as_str() {
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace" => i += 2,
            t if t.starts_with('-') => i += 1,
            _ => break,
        }
    }
    &args[i.min(args.len())..]
}

/// Whether `git push` force-updates or deletes a protected branch: with `--force`-like options
/// or `--mirror` every named branch is forced, `+dst` forces one, `:dst` and `--delete` delete.
fn touches_protected_ref(rules: &Rules, args: &Args<'_>) -> bool {
    let forced = ["force", "force-with-lease", "force-if-includes", "delete"]
        .iter()
        .any(|l| args.long.contains(l))
        || args.short.iter().any(|c| matches!(c, 'f' | 'd'));
    if args.long.contains(&"mirror") {
        return true;
    }
    // The first operand after `push` is the subcommand itself, the next the remote.
    args.operands.iter().skip(2).any(|w| {
        let spec = w.text.as_str();
        let plus = spec.starts_with('+');
        let spec = spec.trim_start_matches('+');
        let (src, dst) = spec.split_once(':').unwrap_or((spec, spec));
        let branch = dst.trim_start_matches("refs/heads/");
        (forced || plus || src.is_empty()) && rules.is_protected(branch)
    })
}

/// The operands that name files, by program: `find`'s start folders, `chmod`'s files after the
/// mode, `dd`'s `if=`/`of=`; otherwise every operand. Not for programs whose operands are not
/// paths (`echo`, `git`, `printf`, …).
fn path_operands(inv: &Invocation) -> Vec<Word> {
    let args = &inv.args;
    let operands = |skip: usize| {
        Args::of(args)
            .operands
            .into_iter()
            .skip(skip)
            .cloned()
            .collect()
    };
    match inv.program.as_str() {
        "echo" | "printf" | "git" | "true" | "false" | "test" | "[" | "[[" | "export" | "unset"
        | "cd" | "pushd" | "mkdir" => Vec::new(),
        // The pattern, script, mode or owner comes first.
        "grep" | "egrep" | "rg" | "sed" | "awk" | "jq" | "chmod" | "chown" | "chgrp" => operands(1),
        "find" => {
            let starts: Vec<Word> = args
                .iter()
                .take_while(|w| !w.text.starts_with(['-', '(', '!']))
                .cloned()
                .collect();
            if starts.is_empty() {
                vec![Word {
                    text: ".".into(),
                    ..Word::default()
                }]
            } else {
                starts
            }
        }
        "dd" => args
            .iter()
            .filter_map(|w| {
                let value = w
                    .text
                    .strip_prefix("if=")
                    .or_else(|| w.text.strip_prefix("of="))?;
                Some(Word {
                    text: value.to_owned(),
                    ..w.clone()
                })
            })
            .collect(),
        _ => operands(0),
    }
}

/// The files a command writes: its redirections, and the destination of programs that write one.
fn written(inv: &Invocation) -> Vec<Word> {
    let mut out = inv.writes.clone();
    let args = Args::of(&inv.args);
    match inv.program.as_str() {
        "cp" | "mv" | "install" | "ln" | "rsync" => {
            out.extend(args.operands.last().map(|w| (*w).clone()));
        }
        "tee" | "touch" | "truncate" => out.extend(args.operands.iter().map(|w| (*w).clone())),
        "sed" if args.has('i', "in-place") => {
            out.extend(args.operands.iter().skip(1).map(|w| (*w).clone()));
        }
        "dd" => out.extend(inv.args.iter().filter_map(|w| {
            Some(Word {
                text: w.text.strip_prefix("of=")?.to_owned(),
                ..w.clone()
            })
        })),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
