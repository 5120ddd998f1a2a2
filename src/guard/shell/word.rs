//! Reading one word: quotes removed, escapes applied, expansions kept as written and marked,
//! and the commands of its substitutions parsed into the parser's `nested` list.

use super::{Parser, ShellError, Word, parse_at};

/// Characters that end an unquoted word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, ';' | '&' | '|' | '<' | '>' | '(' | ')')
}

impl Parser<'_> {
    pub(super) fn read_word(&mut self) -> Result<Word, ShellError> {
        let mut word = Word::default();
        while let Some(c) = self.peek() {
            match c {
                '<' | '>' if self.peek_at(1) == Some('(') && word.text.is_empty() => {
                    // Process substitution: its commands run; the word is a /dev/fd path.
                    let start = self.pos;
                    self.pos += 1;
                    let inner = self.balanced(start, '(', ')', "process substitution")?;
                    self.substitute(&inner, start)?;
                    word.text.push_str(&self.src[start..self.pos]);
                    word.dynamic = true;
                }
                c if ends_word(c) => break,
                '\\' => {
                    self.bump();
                    match self.bump() {
                        Some('\n') | None => {}
                        Some(e) => word.text.push(e),
                    }
                }
                '\'' => {
                    let start = self.pos;
                    self.bump();
                    let end = self.src[self.pos..]
                        .find('\'')
                        .ok_or(ShellError::Unterminated {
                            what: "single quote",
                            at: start,
                        })?;
                    word.text.push_str(&self.src[self.pos..self.pos + end]);
                    self.pos += end + 1;
                }
                '"' => self.double_quoted(&mut word)?,
                '$' => self.dollar(&mut word, false)?,
                '`' => self.backquoted(&mut word)?,
                '*' | '?' | '[' => {
                    word.glob = true;
                    word.text.push(c);
                    self.bump();
                }
                _ => {
                    word.text.push(c);
                    self.bump();
                }
            }
        }
        Ok(word)
    }

    fn double_quoted(&mut self, word: &mut Word) -> Result<(), ShellError> {
        let start = self.pos;
        self.bump();
        loop {
            match self.peek() {
                None => {
                    return Err(ShellError::Unterminated {
                        what: "double quote",
                        at: start,
                    });
                }
                Some('"') => {
                    self.bump();
                    return Ok(());
                }
                Some('\\') => {
                    self.bump();
                    match self.bump() {
                        Some(e @ ('$' | '`' | '"' | '\\')) => word.text.push(e),
                        Some('\n') => {}
                        Some(e) => {
                            word.text.push('\\');
                            word.text.push(e);
                        }
                        None => {
                            return Err(ShellError::Unterminated {
                                what: "double quote",
                                at: start,
                            });
                        }
                    }
                }
                Some('$') => self.dollar(word, true)?,
                Some('`') => self.backquoted(word)?,
                Some(c) => {
                    word.text.push(c);
                    self.bump();
                }
            }
        }
    }

    /// `$'…'`, `$(…)`, `$((…))`, `${…}`, `$name`, `$1`, `$?`: the text kept as written.
    fn dollar(&mut self, word: &mut Word, quoted: bool) -> Result<(), ShellError> {
        let start = self.pos;
        match self.peek_at(1) {
            Some('\'') if !quoted => {
                self.pos += 2;
                self.ansi_c(word, start)?;
                return Ok(());
            }
            Some('(') if self.src[self.pos..].starts_with("$((") => {
                self.pos += 1;
                self.balanced(start, '(', ')', "arithmetic expansion")?;
            }
            Some('(') => {
                self.pos += 1;
                let inner = self.balanced(start, '(', ')', "command substitution")?;
                self.substitute(&inner, start)?;
            }
            Some('{') => {
                self.pos += 1;
                self.balanced(start, '{', '}', "parameter expansion")?;
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                self.bump();
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.bump();
                }
            }
            Some(c) if c.is_ascii_digit() || "@*#?$!-".contains(c) => self.pos += 1 + c.len_utf8(),
            _ => {
                // A lone `$` is itself.
                self.bump();
                word.text.push('$');
                return Ok(());
            }
        }
        word.text.push_str(&self.src[start..self.pos]);
        word.dynamic = true;
        Ok(())
    }

    /// `$'…'` after its opening quote: backslash escapes as bash reads them.
    fn ansi_c(&mut self, word: &mut Word, start: usize) -> Result<(), ShellError> {
        loop {
            match self.bump() {
                None => {
                    return Err(ShellError::Unterminated {
                        what: "$'…' quote",
                        at: start,
                    });
                }
                Some('\'') => return Ok(()),
                Some('\\') => {
                    let e = self.bump().ok_or(ShellError::Unterminated {
                        what: "$'…' quote",
                        at: start,
                    })?;
                    match e {
                        'n' => word.text.push('\n'),
                        't' => word.text.push('\t'),
                        'r' => word.text.push('\r'),
                        'x' => {
                            let hex: String = self.src[self.pos..]
                                .chars()
                                .take(2)
                                .take_while(char::is_ascii_hexdigit)
                                .collect();
                            self.pos += hex.len();
                            if let Some(c) = u8::from_str_radix(&hex, 16).ok().map(char::from) {
                                word.text.push(c);
                            }
                        }
                        other => word.text.push(other),
                    }
                }
                Some(c) => word.text.push(c),
            }
        }
    }

    fn backquoted(&mut self, word: &mut Word) -> Result<(), ShellError> {
        let start = self.pos;
        self.bump();
        let mut inner = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(ShellError::Unterminated {
                        what: "backquote",
                        at: start,
                    });
                }
                Some('`') => break,
                Some('\\') => match self.bump() {
                    Some(e @ ('`' | '\\' | '$')) => inner.push(e),
                    Some(e) => {
                        inner.push('\\');
                        inner.push(e);
                    }
                    None => {
                        return Err(ShellError::Unterminated {
                            what: "backquote",
                            at: start,
                        });
                    }
                },
                Some(c) => inner.push(c),
            }
        }
        self.substitute(&inner, start)?;
        word.text.push_str(&self.src[start..self.pos]);
        word.dynamic = true;
        Ok(())
    }

    /// From an opening `open` at the current position to its matching `close`, skipping quoted
    /// text; returns what is between them.
    pub(super) fn balanced(
        &mut self,
        start: usize,
        open: char,
        close: char,
        what: &'static str,
    ) -> Result<String, ShellError> {
        let err = ShellError::Unterminated { what, at: start };
        debug_assert_eq!(self.peek(), Some(open));
        self.bump();
        let from = self.pos;
        let mut depth = 1;
        while let Some(c) = self.bump() {
            match c {
                '\\' => {
                    self.bump();
                }
                '\'' => {
                    let end = self.src[self.pos..].find('\'').ok_or(err.clone())?;
                    self.pos += end + 1;
                }
                '"' => {
                    let mut escaped = false;
                    loop {
                        match self.bump() {
                            None => return Err(err),
                            Some('\\') if !escaped => escaped = true,
                            Some('"') if !escaped => break,
                            Some(_) => escaped = false,
                        }
                    }
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(self.src[from..self.pos - close.len_utf8()].to_owned());
                    }
                }
                _ => {}
            }
        }
        Err(err)
    }

    /// Parses a substitution's script and keeps its commands for after the current command.
    fn substitute(&mut self, inner: &str, at: usize) -> Result<(), ShellError> {
        let commands = parse_at(inner, self.depth + 1).map_err(|e| match e {
            ShellError::Unterminated { what, at: inner_at } => ShellError::Unterminated {
                what,
                at: at + inner_at,
            },
            ShellError::TooDeep { .. } => ShellError::TooDeep { at },
        })?;
        let start = self.nested.len();
        self.nested.extend(commands.into_iter().map(|mut c| {
            c.parent = Some(c.parent.map_or(super::OWNER, |p| start + p));
            c
        }));
        Ok(())
    }
}
