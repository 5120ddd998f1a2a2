//! Colour for text output, off when NO_COLOR is set or stdout is not a terminal.

use std::io::IsTerminal;

/// Semantic colours for text output.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Decides from the flags, NO_COLOR (`no_color`) and whether stdout is a terminal.
    pub fn detect(always: bool, never: bool, no_color: bool) -> Self {
        Self {
            color: always || (!never && !no_color && std::io::stdout().is_terminal()),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn header(self, text: &str) -> String {
        self.paint("1", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    pub fn cost(self, text: &str) -> String {
        self.paint("33", text)
    }
    pub fn ok(self, text: &str) -> String {
        self.paint("32", text)
    }
    pub fn warn(self, text: &str) -> String {
        self.paint("35", text)
    }
    pub fn id(self, text: &str) -> String {
        self.paint("36", text)
    }
}
