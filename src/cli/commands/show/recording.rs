//! The session's recording (`git vouch record`), when there is one: what was recorded beside
//! what the transcript holds, and the calls it lacks (counted in the session's figures above).

use crate::cli::context::Context;
use crate::present;
use crate::session::detail::SessionDetail;
use crate::session::recorded::Recording;

/// The text section.
pub fn section(ctx: &Context, d: &SessionDetail, r: &Recording) -> Vec<String> {
    let st = ctx.style;
    let mut out = vec![
        String::new(),
        st.header("Recorded by git vouch record"),
        format!(
            "  {:<11} {}",
            st.dim("recorded"),
            present::tally(&r.recorded)
        ),
        format!(
            "  {:<11} {}",
            st.dim("transcript"),
            present::tally(&r.transcript)
        ),
    ];
    let calls = d.summary.assistant_messages;
    if r.recorded.calls < calls {
        out.push(format!(
            "  {:<11} the recording holds {} of the session's {calls} calls (the others were made without the recorder)",
            st.dim("coverage"),
            r.recorded.calls
        ));
    }
    let Some(phrase) = present::not_in_transcript(r) else {
        out.push(format!(
            "  {:<11} every recorded call is in the transcript",
            st.dim("difference")
        ));
        return out;
    };
    out.push(format!(
        "  {:<11} {phrase} (counted in the figures above; Claude Code writes no usage for them)",
        st.dim("difference")
    ));
    for m in &r.not_in_transcript {
        out.push(format!(
            "    {} {:<11} {} {} tokens{}",
            m.at.format("%Y-%m-%d %H:%M:%S"),
            m.kind.word(),
            present::model(&m.model),
            present::tokens(m.tokens.total()),
            m.cost.map(|c| format!(", {c}")).unwrap_or_default()
        ));
    }
    if !r.unpriced_models.is_empty() {
        out.push(format!(
            "  {:<11} no price for {}",
            st.dim("unpriced"),
            r.unpriced_models.join(", ")
        ));
    }
    out
}
