//! Colours by meaning: views ask for `theme.cost`, never for yellow. The embedded
//! `assets/theme.toml` can be patched per role by the person's own file; with `NO_COLOR` only the
//! modifiers are kept.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const DEFAULT: &str = include_str!("../../assets/theme.toml");

/// A problem in a theme file, naming the role and the quoted value.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ThemeError {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
    /// Modifiers used instead of `modifiers` when NO_COLOR is set (a role that stands out by
    /// colour needs another way to).
    no_color: Option<Vec<String>>,
}

/// The style of every semantic role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Theme {
    /// The top bar.
    pub title: Style,
    /// Table headers.
    pub header: Style,
    /// The selected row.
    pub selection: Style,
    /// Secondary text: hints, missing values.
    pub muted: Style,
    pub cost: Style,
    pub tokens: Style,
    pub warn: Style,
    pub ok: Style,
    pub error: Style,
    /// Keys on the help screen and in hints.
    pub key: Style,
    /// The search box.
    pub search: Style,
    /// The totals line.
    pub footer: Style,
    /// The selected tab of a session.
    pub tab: Style,
    /// Diff lines added and removed, and hunk headers.
    pub added: Style,
    pub removed: Style,
    pub hunk: Style,
    /// The gutter mark of an added line the agent wrote, and of one a person wrote.
    pub ai_line: Style,
    pub human_line: Style,
    /// Bars and lines of charts.
    pub chart: Style,
    /// Conversation headings: the person's prompts, the model's answers, its thinking, tools.
    pub prompt: Style,
    pub answer: Style,
    pub thinking: Style,
    pub tool: Style,
    /// The current search match.
    pub search_match: Style,
    /// No colours (`NO_COLOR`): syntax highlighting is left out too.
    pub plain: bool,
}

impl Theme {
    /// A risk level's style: critical as an error, high as a warning, the rest plain.
    pub fn risk(&self, level: crate::guard::rules::Level) -> Style {
        use crate::guard::rules::Level;
        match level {
            Level::Critical => self.error,
            Level::High => self.warn,
            Level::Medium | Level::Low => Style::default(),
        }
    }

    /// A health grade's style: A in the "ok" colour, B plain, C a warning, D and F an error.
    pub fn grade(&self, grade: &str) -> Style {
        match grade {
            "A" => self.ok,
            "B" => Style::default(),
            "C" => self.warn,
            _ => self.error,
        }
    }

    /// A finding's severity: high as an error, medium as a warning, low plain, info muted.
    pub fn severity(&self, severity: crate::insights::Severity) -> Style {
        use crate::insights::Severity;
        match severity {
            Severity::High => self.error,
            Severity::Medium => self.warn,
            Severity::Low => Style::default(),
            Severity::Info => self.muted,
        }
    }

    /// The embedded theme, without colours when `no_color`.
    pub fn embedded(no_color: bool) -> Self {
        let mut theme = Self {
            plain: no_color,
            ..Self::default()
        };
        theme
            .patch(DEFAULT, "assets/theme.toml", no_color)
            .unwrap_or_else(|e| panic!("embedded theme: {e}"));
        theme
    }

    /// The embedded theme patched with `path` when that file can be read.
    pub fn load(path: &std::path::Path, no_color: bool) -> Result<Self, ThemeError> {
        let mut theme = Self::embedded(no_color);
        if let Ok(text) = std::fs::read_to_string(path) {
            theme.patch(&text, &path.display().to_string(), no_color)?;
        }
        Ok(theme)
    }

    /// Applies a theme file: each role it names is replaced.
    pub fn patch(&mut self, text: &str, file: &str, no_color: bool) -> Result<(), ThemeError> {
        let err = |message: String| ThemeError {
            file: file.to_owned(),
            message,
        };
        let raw: BTreeMap<String, RawStyle> =
            toml::from_str(text).map_err(|e| err(e.to_string()))?;
        for (role, spec) in raw {
            let style = to_style(&role, &spec, no_color).map_err(err)?;
            *self
                .role_mut(&role)
                .ok_or_else(|| err(format!("unknown role '{role}'")))? = style;
        }
        Ok(())
    }

    fn role_mut(&mut self, role: &str) -> Option<&mut Style> {
        Some(match role {
            "title" => &mut self.title,
            "header" => &mut self.header,
            "selection" => &mut self.selection,
            "muted" => &mut self.muted,
            "cost" => &mut self.cost,
            "tokens" => &mut self.tokens,
            "warn" => &mut self.warn,
            "ok" => &mut self.ok,
            "error" => &mut self.error,
            "key" => &mut self.key,
            "search" => &mut self.search,
            "footer" => &mut self.footer,
            "tab" => &mut self.tab,
            "added" => &mut self.added,
            "removed" => &mut self.removed,
            "hunk" => &mut self.hunk,
            "ai_line" => &mut self.ai_line,
            "human_line" => &mut self.human_line,
            "chart" => &mut self.chart,
            "prompt" => &mut self.prompt,
            "answer" => &mut self.answer,
            "thinking" => &mut self.thinking,
            "tool" => &mut self.tool,
            "match" => &mut self.search_match,
            _ => return None,
        })
    }
}

fn to_style(role: &str, spec: &RawStyle, no_color: bool) -> Result<Style, String> {
    let mut style = Style::default();
    let color = |field: &str, value: &str| {
        Color::from_str(value).map_err(|_| format!("{role}.{field}: unknown colour '{value}'"))
    };
    if let Some(fg) = &spec.fg {
        let c = color("fg", fg)?;
        if !no_color {
            style = style.fg(c);
        }
    }
    if let Some(bg) = &spec.bg {
        let c = color("bg", bg)?;
        if !no_color {
            style = style.bg(c);
        }
    }
    let modifiers = match (&spec.no_color, no_color) {
        (Some(plain), true) => plain,
        _ => &spec.modifiers,
    };
    for m in modifiers {
        style = style.add_modifier(match m.as_str() {
            "bold" => Modifier::BOLD,
            "dim" => Modifier::DIM,
            "italic" => Modifier::ITALIC,
            "underlined" => Modifier::UNDERLINED,
            "reversed" => Modifier::REVERSED,
            _ => return Err(format!("{role}.modifiers: unknown modifier '{m}'")),
        });
    }
    Ok(style)
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Color, Modifier};

    use super::Theme;

    #[test]
    fn no_color_keeps_only_modifiers() {
        let coloured = Theme::embedded(false);
        assert_eq!(coloured.cost.fg, Some(Color::Yellow));
        let plain = Theme::embedded(true);
        assert_eq!(plain.cost.fg, None);
        assert_eq!(plain.title.fg, None);
        assert!(plain.title.add_modifier.contains(Modifier::BOLD));
        assert!(plain.selection.add_modifier.contains(Modifier::REVERSED));
        assert!(plain.plain && !coloured.plain);
        // Agent and human lines differ by more than colour (the gutter letter), but both roles
        // must still stand out without it.
        assert!(plain.ai_line.add_modifier.contains(Modifier::BOLD));
        assert!(plain.search_match.add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn user_file_patches_roles() {
        let mut t = Theme::embedded(false);
        t.patch("cost = { fg = \"#ff8800\" }", "user.toml", false)
            .unwrap();
        assert_eq!(t.cost.fg, Some(Color::Rgb(0xff, 0x88, 0x00)));
        let e = t
            .patch("cost = { fg = \"beige-ish\" }", "user.toml", false)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "user.toml: cost.fg: unknown colour 'beige-ish'"
        );
        let e = t
            .patch("sky = { fg = \"red\" }", "u.toml", false)
            .unwrap_err();
        assert_eq!(e.to_string(), "u.toml: unknown role 'sky'");
    }
}
