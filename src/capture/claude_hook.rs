//! Claude Code hook handler (being written).

use crate::clock::Clock;

/// Handles one Claude Code hook event whose payload is on stdin.
pub fn run(_event: &str, _clock: &dyn Clock) {}
