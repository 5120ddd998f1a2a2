//! The selected tool call in full, for the tools tab's pop-up: its input, and its result or
//! error as the conversation recorded it. Built as lines for a width, the same in `update` (to
//! keep the scroll in range) and in the view.

use ratatui::layout::Rect;

use super::{SessionData, body_area};
use crate::present::sanitize::hide_if;
use crate::present::sanitize::text_lines;
use crate::present::{clock, millis};
use crate::session::detail::{EntryKind, ToolCall, ToolStatus};
use crate::tui::text_fit::{relative, wrap};
use crate::words::counted;

/// The pop-up's area for a terminal of `size`: the detail body, less a margin.
pub fn popup_area(size: (u16, u16)) -> Rect {
    let body = body_area(size);
    let (dx, dy) = (body.width.min(4) / 2 * 2, body.height.min(2) / 2);
    Rect::new(
        body.x + dx,
        body.y + dy,
        body.width.saturating_sub(2 * dx),
        body.height.saturating_sub(2 * dy),
    )
}

/// The lines inside the pop-up (borders excluded) for a terminal of `size`.
pub fn popup_height(size: (u16, u16)) -> usize {
    usize::from(popup_area(size).height.saturating_sub(2))
}

/// The call's lines wrapped to `width`: a heading, the input, then the result or error.
pub fn call_lines(data: &SessionData, call: &ToolCall, width: usize, redact: bool) -> Vec<String> {
    let cwd = data.summary.cwd.as_deref();
    let status = match &call.status {
        ToolStatus::Ok => "ok",
        ToolStatus::Failed { .. } => "failed",
        ToolStatus::Pending => "no result recorded",
    };
    let took = call
        .duration_ms
        .map_or_else(String::new, |ms| format!(" · took {}", millis(ms)));
    let by = call.agent_id.as_deref().unwrap_or("main");
    let mut out = vec![
        format!(
            "{} · {status} · {}{took} · by {by}",
            call.name,
            clock(call.started)
        ),
        String::new(),
        "Input".to_owned(),
    ];
    let input = call
        .command
        .clone()
        .or_else(|| call.path.clone())
        .unwrap_or_else(|| call.input_summary.clone());
    let push = |text: &str, out: &mut Vec<String>| {
        for line in text_lines(&hide_if(redact, &relative(text, cwd))) {
            out.extend(
                wrap(&line, width.saturating_sub(2))
                    .into_iter()
                    .map(|p| format!("  {p}")),
            );
        }
    };
    push(&input, &mut out);
    let recorded = data.conversations.get(&call.agent_id).and_then(|c| {
        c.entries.iter().find_map(|e| match &e.kind {
            EntryKind::Tool(t) if t.id == call.id => t.result.clone(),
            _ => None,
        })
    });
    let heading = if matches!(call.status, ToolStatus::Failed { .. }) {
        "Error"
    } else {
        "Result"
    };
    out.extend([String::new(), heading.to_owned()]);
    match (recorded, &call.status) {
        (Some(r), _) => {
            push(&r.text, &mut out);
            if r.more_lines > 0 {
                let more = counted(r.more_lines as u64, "more line", "more lines");
                out.push(format!("  … {more}"));
            }
        }
        (None, ToolStatus::Failed { error }) => push(error, &mut out),
        (None, _) => out.push("  (not in the conversation read)".to_owned()),
    }
    out
}
