//! A shell command line as the guard sees it: every simple command it would run, with its words
//! after quote removal, its assignments and redirections, and whether it reads or feeds a pipe.
//! Commands inside `$(…)`, backquotes and `<(…)` are parsed too and listed after the command they
//! appear in (they run as well). Parameter expansions are kept as written (`$HOME/x`) and the word
//! marked dynamic, so the guard can resolve what it knows and distrust what it does not.
//!
//! This is a parser for deciding, not for running: it covers POSIX and bash syntax that decides
//! what runs (quoting, `\`, `;` `&&` `||` `|` `|&` `&`, newlines, `( )` and `{ }`, keywords of
//! compound commands, function definitions, redirections including here-documents, ANSI-C quotes,
//! substitutions nested to [`MAX_DEPTH`]). What it cannot read is an error, never a guess.

use std::fmt;

/// In a command found in a substitution, before its owner is in the list: "the command being read".
const OWNER: usize = usize::MAX;

/// Nesting of command substitutions (and `sh -c` scripts, counted by the caller) parsed at most.
pub const MAX_DEPTH: usize = 8;

/// One word after quote removal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word {
    pub text: String,
    /// Holds a parameter expansion or a substitution, whose value is not known before it runs.
    pub dynamic: bool,
    /// Holds an unquoted glob character (`*`, `?`, `[`).
    pub glob: bool,
}

/// How a redirection uses its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `<`: reads the file.
    Read,
    /// `>`, `>|`, `&>`, `<>`: writes (truncates) the file.
    Write,
    /// `>>`, `&>>`: appends to the file.
    Append,
    /// `<<`, `<<-`: a here-document (the body is in [`Redirect::body`]).
    HereDoc,
    /// `<<<`: a here-string.
    HereString,
    /// `>&N`, `<&N`: duplicates a descriptor.
    Duplicate,
}

/// One redirection of a simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub kind: RedirectKind,
    pub target: Word,
    /// A here-document's body, or a here-string's text.
    pub body: Option<String>,
}

/// One simple command, in the order the script lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    pub words: Vec<Word>,
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// Reads the previous command's output through a pipe.
    pub pipe_in: bool,
    /// Its output goes through a pipe to the next command.
    pub pipe_out: bool,
    /// How deep in substitutions it was found (0: the script itself).
    pub depth: usize,
    /// The command (index in the list) in whose words this one's substitution appears: its
    /// output becomes part of that command's words or files.
    pub parent: Option<usize>,
}

/// What made a script unreadable, with the byte offset where it starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellError {
    #[error("unterminated {what} starting at byte {at}")]
    Unterminated { what: &'static str, at: usize },
    #[error("substitutions nested deeper than {MAX_DEPTH} at byte {at}")]
    TooDeep { at: usize },
}

/// Every simple command of `script`.
pub fn parse(script: &str) -> Result<Vec<SimpleCommand>, ShellError> {
    parse_at(script, 0)
}

/// [`parse`] for a script found `depth` substitutions deep.
pub fn parse_at(script: &str, depth: usize) -> Result<Vec<SimpleCommand>, ShellError> {
    if depth > MAX_DEPTH {
        return Err(ShellError::TooDeep { at: 0 });
    }
    let mut p = Parser {
        src: script,
        pos: 0,
        depth,
        out: Vec::new(),
        nested: Vec::new(),
        cur: SimpleCommand::default(),
        state: Position::Start,
        case_head: false,
        heredocs: Vec::new(),
    };
    p.run()?;
    Ok(p.out)
}

/// Where the parser is in a simple command, for keywords and `case` patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Before the command name: keywords and assignments are recognised.
    Start,
    /// After the command name.
    Args,
    /// Words that are not a command (`for x in …`, `case … in`, function names): dropped.
    Skip,
    /// A `case` pattern, dropped up to its `)`.
    CasePattern,
}

/// A here-document waiting for its body: the command (index in `out`) and redirection.
struct PendingHeredoc {
    command: usize,
    redirect: usize,
    delimiter: String,
    strip_tabs: bool,
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
    out: Vec<SimpleCommand>,
    /// Commands found in the current command's substitutions, listed after it.
    nested: Vec<SimpleCommand>,
    cur: SimpleCommand,
    state: Position,
    /// Skipping the words of `case WORD` up to its `in`.
    case_head: bool,
    heredocs: Vec<PendingHeredoc>,
}

const KEYWORDS: [&str; 12] = [
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}",
];

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src[self.pos..].chars().nth(n)
    }

    fn starts_with(&self, s: &str) -> bool {
        self.src[self.pos..].starts_with(s)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn run(&mut self) -> Result<(), ShellError> {
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else {
                self.finish(false);
                return Ok(());
            };
            match c {
                '#' if self.at_word_start() => self.skip_comment(),
                '\n' => {
                    self.bump();
                    self.finish(false);
                    self.read_heredoc_bodies();
                }
                ';' => {
                    self.bump();
                    let double = self.peek() == Some(';');
                    if double {
                        self.bump();
                        self.bump_if('&');
                    }
                    self.finish(false);
                    if double {
                        self.state = Position::CasePattern;
                    }
                }
                '&' if self.starts_with("&>") => self.redirect()?,
                '&' => {
                    self.bump();
                    self.bump_if('&');
                    self.finish(false);
                }
                '|' if self.state == Position::CasePattern => {
                    self.bump();
                }
                '|' => {
                    self.bump();
                    let or = self.peek() == Some('|');
                    if or || self.peek() == Some('&') {
                        self.bump();
                    }
                    self.finish(!or);
                }
                '(' if self.starts_with("()") => self.function_definition(),
                '(' | ')' => {
                    self.bump();
                    if c == ')' && self.state == Position::CasePattern {
                        self.state = Position::Start;
                    }
                    self.finish(false);
                }
                '<' | '>' if self.peek_at(1) == Some('(') => self.word()?,
                '<' | '>' => self.redirect()?,
                d if d.is_ascii_digit() && self.fd_redirect_ahead() => self.redirect()?,
                _ => self.word()?,
            }
        }
    }

    fn bump_if(&mut self, c: char) -> bool {
        let yes = self.peek() == Some(c);
        if yes {
            self.bump();
        }
        yes
    }

    fn skip_blanks(&mut self) {
        loop {
            if self.starts_with("\\\n") {
                self.pos += 2;
            } else if matches!(self.peek(), Some(' ' | '\t' | '\r')) {
                self.bump();
            } else {
                return;
            }
        }
    }

    fn at_word_start(&self) -> bool {
        self.pos == 0
            || self.src[..self.pos].ends_with(|c: char| c.is_whitespace() || ";&|()".contains(c))
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                return;
            }
            self.bump();
        }
    }

    /// `2>`, `1>>`, `0<`: digits directly followed by a redirection operator.
    fn fd_redirect_ahead(&self) -> bool {
        let rest = &self.src[self.pos..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        rest[digits..].starts_with(['<', '>'])
    }

    /// Ends the current simple command (if it has anything), `pipe` saying whether its output
    /// goes through a pipe to the next.
    fn finish(&mut self, pipe: bool) {
        let mut cur = std::mem::take(&mut self.cur);
        let empty = cur.words.is_empty() && cur.assignments.is_empty() && cur.redirects.is_empty();
        if !empty {
            cur.pipe_out = pipe;
            cur.depth = self.depth;
            let index = self.out.len();
            for doc in self.heredocs.iter_mut().filter(|d| d.command == usize::MAX) {
                doc.command = index;
            }
            self.out.push(cur);
        }
        // Nested commands point into `nested` (or, with `OWNER`, at the command they were found
        // in); now they point into `out`.
        let (owner, start) = (
            self.out.len().checked_sub(1).filter(|_| !empty),
            self.out.len(),
        );
        for c in &mut self.nested {
            c.parent = match c.parent {
                Some(OWNER) => owner,
                Some(k) => Some(start + k),
                None => None,
            };
        }
        self.out.append(&mut self.nested);
        self.cur.pipe_in = pipe;
        if self.state != Position::CasePattern {
            self.state = Position::Start;
        }
    }

    /// `name() { … }`: the name was read as a command word; it is not one.
    fn function_definition(&mut self) {
        self.pos += 2;
        self.cur.words.pop();
        self.finish(false);
    }

    fn word(&mut self) -> Result<(), ShellError> {
        let word = self.read_word()?;
        let text = word.text.as_str();
        match self.state {
            Position::Skip if self.case_head && text == "in" => {
                self.case_head = false;
                self.state = Position::CasePattern;
            }
            Position::CasePattern if text == "esac" => self.state = Position::Start,
            Position::Skip | Position::CasePattern => {}
            Position::Start if is_assignment(text) => self.cur.assignments.push(word),
            Position::Start if matches!(text, "for" | "select" | "function" | "case") => {
                self.case_head = text == "case";
                self.state = Position::Skip;
            }
            Position::Start if text == "esac" || (KEYWORDS.contains(&text) && !word.dynamic) => {}
            Position::Start | Position::Args => {
                self.cur.words.push(word);
                self.state = Position::Args;
            }
        }
        Ok(())
    }

    fn redirect(&mut self) -> Result<(), ShellError> {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
        let ops: [(&str, RedirectKind); 12] = [
            ("&>>", RedirectKind::Append),
            ("&>", RedirectKind::Write),
            ("<<<", RedirectKind::HereString),
            ("<<-", RedirectKind::HereDoc),
            ("<<", RedirectKind::HereDoc),
            ("<>", RedirectKind::Write),
            ("<&", RedirectKind::Duplicate),
            (">&", RedirectKind::Duplicate),
            (">>", RedirectKind::Append),
            (">|", RedirectKind::Write),
            ("<", RedirectKind::Read),
            (">", RedirectKind::Write),
        ];
        let (op, mut kind) = ops
            .into_iter()
            .find(|(op, _)| self.starts_with(op))
            .unwrap_or((">", RedirectKind::Write));
        self.pos += op.len();
        self.skip_blanks();
        let target = self.read_word()?;
        if kind == RedirectKind::Duplicate
            && !target.text.chars().all(|c| c.is_ascii_digit() || c == '-')
        {
            // `>& file` is `&> file`.
            kind = RedirectKind::Write;
        }
        let body = (kind == RedirectKind::HereString).then(|| target.text.clone());
        if kind == RedirectKind::HereDoc {
            self.heredocs.push(PendingHeredoc {
                command: usize::MAX,
                redirect: self.cur.redirects.len(),
                delimiter: target.text.clone(),
                strip_tabs: op == "<<-",
            });
        }
        self.cur.redirects.push(Redirect { kind, target, body });
        Ok(())
    }

    /// After a newline: the bodies of the here-documents the line opened, in order.
    fn read_heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.heredocs);
        for doc in pending {
            let mut body = String::new();
            while self.pos < self.src.len() {
                let rest = &self.src[self.pos..];
                let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
                let line = &rest[..line_end];
                self.pos += line_end;
                let text = line.trim_end_matches('\n');
                let text = if doc.strip_tabs {
                    text.trim_start_matches('\t')
                } else {
                    text
                };
                if text == doc.delimiter {
                    break;
                }
                body.push_str(text);
                body.push('\n');
            }
            let command = self.out.get_mut(doc.command);
            if let Some(r) = command.and_then(|c| c.redirects.get_mut(doc.redirect)) {
                r.body = Some(body);
            }
        }
    }
}

fn is_assignment(text: &str) -> bool {
    let Some(eq) = text.find('=') else {
        return false;
    };
    let name = text[..eq].trim_end_matches('+');
    !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

mod word;

#[cfg(test)]
mod tests;
