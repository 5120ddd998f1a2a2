//! Claude Code's tools by what they do: the one place that knows the tool names which edit a
//! file, run a command, read a file or search files. Other tools (web, agents, MCP tools) are
//! `Other`.

/// What a Claude Code tool call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolKind {
    /// `Edit`: replaces a string in a file.
    Edit,
    /// `MultiEdit`: several replacements in one file.
    MultiEdit,
    /// `Write`: writes a whole file.
    Write,
    /// `NotebookEdit`: changes a cell of a notebook.
    NotebookEdit,
    /// `Read`: reads a file.
    Read,
    /// `Grep`, `Glob`, `LS`: search or list the files under the path they name.
    Search,
    /// `Bash`: runs a shell command.
    Bash,
    /// Any other tool.
    Other,
}

impl ToolKind {
    /// The kind of the tool named `name`.
    pub fn of(name: &str) -> Self {
        match name {
            "Edit" => Self::Edit,
            "MultiEdit" => Self::MultiEdit,
            "Write" => Self::Write,
            "NotebookEdit" => Self::NotebookEdit,
            "Read" => Self::Read,
            "Grep" | "Glob" | "LS" => Self::Search,
            "Bash" => Self::Bash,
            _ => Self::Other,
        }
    }

    /// Whether the tool writes the file its input names.
    pub fn writes_file(self) -> bool {
        matches!(
            self,
            Self::Edit | Self::MultiEdit | Self::Write | Self::NotebookEdit
        )
    }

    /// Whether the tool reads what its input's `file_path` or `path` names (`Read`, the searches).
    pub fn reads_path(self) -> bool {
        matches!(self, Self::Read | Self::Search)
    }

    /// Whether the tool's input names one file (the editing tools and `Read`).
    pub fn names_file(self) -> bool {
        self.writes_file() || self == Self::Read
    }
}

#[cfg(test)]
mod tests {
    use super::ToolKind;

    #[test]
    fn tools_by_what_they_do() {
        let writes: Vec<&str> = [
            "Edit",
            "MultiEdit",
            "Write",
            "NotebookEdit",
            "Read",
            "Bash",
            "Grep",
        ]
        .into_iter()
        .filter(|n| ToolKind::of(n).writes_file())
        .collect();
        assert_eq!(writes, ["Edit", "MultiEdit", "Write", "NotebookEdit"]);
        assert!(ToolKind::of("Read").names_file() && !ToolKind::of("Bash").names_file());
        assert_eq!(ToolKind::of("mcp__x__Edit"), ToolKind::Other);
        let reads: Vec<&str> = ["Read", "Grep", "Glob", "LS", "Edit", "Bash", "WebFetch"]
            .into_iter()
            .filter(|n| ToolKind::of(n).reads_path())
            .collect();
        assert_eq!(reads, ["Read", "Grep", "Glob", "LS"]);
    }
}
