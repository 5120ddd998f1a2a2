//! Claude Code's hook events, decoded once: the name git-vouch is called with (or a payload's
//! `hook_event_name`) becomes a [`HookEvent`]; a name it does not know is `Other`, so a newer
//! Claude Code never breaks recording.

use serde::Deserialize;

/// One Claude Code hook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HookEvent {
    SessionStart,
    UserPromptSubmit,
    PreToolUse,
    PostToolUse,
    PostToolUseFailure,
    SubagentStart,
    SubagentStop,
    PreCompact,
    PostCompact,
    Stop,
    SessionEnd,
    /// Any event git-vouch does not record.
    #[serde(other)]
    Other,
}

impl HookEvent {
    /// Every event git-vouch records.
    pub const RECORDED: [Self; 11] = [
        Self::SessionStart,
        Self::UserPromptSubmit,
        Self::PreToolUse,
        Self::PostToolUse,
        Self::PostToolUseFailure,
        Self::SubagentStart,
        Self::SubagentStop,
        Self::PreCompact,
        Self::PostCompact,
        Self::Stop,
        Self::SessionEnd,
    ];

    /// The event named `name` (Claude Code's spelling).
    pub fn parse(name: &str) -> Self {
        Self::RECORDED
            .into_iter()
            .find(|e| e.name() == name)
            .unwrap_or(Self::Other)
    }

    /// Claude Code's name of the event (`Other` for one git-vouch does not know).
    pub const fn name(self) -> &'static str {
        match self {
            Self::SessionStart => "SessionStart",
            Self::UserPromptSubmit => "UserPromptSubmit",
            Self::PreToolUse => "PreToolUse",
            Self::PostToolUse => "PostToolUse",
            Self::PostToolUseFailure => "PostToolUseFailure",
            Self::SubagentStart => "SubagentStart",
            Self::SubagentStop => "SubagentStop",
            Self::PreCompact => "PreCompact",
            Self::PostCompact => "PostCompact",
            Self::Stop => "Stop",
            Self::SessionEnd => "SessionEnd",
            Self::Other => "Other",
        }
    }

    /// The events around one tool call (the hot path).
    pub fn is_tool_event(self) -> bool {
        matches!(
            self,
            Self::PreToolUse | Self::PostToolUse | Self::PostToolUseFailure
        )
    }

    /// The events after which the transcript is copied: a turn, a sub-agent or the session
    /// ended, or the context is about to be compacted.
    pub fn settles_transcript(self) -> bool {
        matches!(
            self,
            Self::Stop | Self::SubagentStop | Self::PreCompact | Self::SessionEnd
        )
    }
}

#[cfg(test)]
mod tests {
    use super::HookEvent;

    #[test]
    fn names_read_back_and_unknown_events_are_other() {
        for e in HookEvent::RECORDED {
            assert_eq!(HookEvent::parse(e.name()), e);
            let json = format!("\"{}\"", e.name());
            assert_eq!(serde_json::from_str::<HookEvent>(&json).unwrap(), e);
        }
        assert_eq!(HookEvent::parse("Notification"), HookEvent::Other);
        assert_eq!(HookEvent::parse("Other"), HookEvent::Other);
        let later: HookEvent = serde_json::from_str("\"TeammateIdle\"").unwrap();
        assert_eq!(later, HookEvent::Other);
    }
}
