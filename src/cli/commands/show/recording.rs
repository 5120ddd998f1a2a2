//! The session's recording (`git vouch record`), when there is one: what the API answered and
//! billed, beside the transcript's figures, and the calls the transcript does not hold.

use serde_json::{Value, json};

use crate::capture::state::StateDir;
use crate::cli::context::Context;
use crate::recorder::accounting::{self, Recorded};
use crate::recorder::store::locations;
use crate::report::json::TokensJson;
use crate::session::detail::SessionDetail;
use crate::words::plural;

/// The recording of the session, from the stores it may be in; a store that cannot be read is
/// named on stderr and the session shown without it.
pub fn find(ctx: &Context, detail: &SessionDetail) -> Option<Recorded> {
    if ctx.demo {
        return None;
    }
    let repo = detail
        .summary
        .cwd
        .as_deref()
        .and_then(|cwd| StateDir::discover(std::path::Path::new(cwd)));
    let dirs = locations(repo.as_ref(), &ctx.config.data_dir);
    match accounting::of_session(&dirs, detail, &ctx.prices) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("{} {e}", ctx.style.warn("warning:"));
            None
        }
    }
}

/// The `recording` object of `show --json`.
pub fn json(r: &Recorded) -> Value {
    let missing: Vec<Value> = r
        .not_in_transcript
        .iter()
        .map(|m| {
            json!({
                "at": m.at.to_rfc3339(),
                "model": m.model,
                "request_id": m.request_id,
                "tokens": TokensJson::from(&m.tokens),
                "cost_usd": m.cost.map(crate::money::Usd::decimal6),
            })
        })
        .collect();
    json!({
        "calls": r.calls,
        "tokens": TokensJson::from(&r.tokens),
        "cost_usd": r.cost.decimal6(),
        "unpriced_models": r.unpriced,
        "not_in_transcript": missing,
        "stores": r.stores,
    })
}

/// The text section: the recorded figures, the transcript's, and what makes the difference.
pub fn section(ctx: &Context, d: &SessionDetail, r: &Recorded) -> Vec<String> {
    let st = ctx.style;
    let s = &d.summary;
    let mut out = vec![
        String::new(),
        st.header(&format!(
            "Recorded by git vouch record ({})",
            plural(r.calls, "call", "calls")
        )),
        format!(
            "  {:<10} {} tokens, ${}",
            st.dim("recorded"),
            crate::present::tokens(r.tokens.total()),
            r.cost.decimal6()
        ),
        format!(
            "  {:<10} {} tokens, ${}",
            st.dim("transcript"),
            crate::present::tokens(s.tokens.total()),
            s.cost.decimal6()
        ),
    ];
    if r.not_in_transcript.is_empty() {
        out.push(format!(
            "  {:<10} every recorded call is in the transcript",
            st.dim("difference")
        ));
    } else {
        let tokens: u64 = r.not_in_transcript.iter().map(|m| m.tokens.total()).sum();
        let cost = r
            .not_in_transcript
            .iter()
            .filter_map(|m| m.cost)
            .fold(crate::money::Usd::ZERO, |a, c| a + c);
        out.push(format!(
            "  {:<10} {} not in the transcript, {} tokens, ${} (Claude Code writes no usage for compaction and some side calls)",
            st.dim("difference"),
            plural(r.not_in_transcript.len() as u64, "call", "calls"),
            crate::present::tokens(tokens),
            cost.decimal6()
        ));
        for m in &r.not_in_transcript {
            out.push(format!(
                "    {} {} {} tokens{}",
                m.at.format("%Y-%m-%d %H:%M:%S"),
                crate::present::model(&m.model),
                crate::present::tokens(m.tokens.total()),
                m.cost
                    .map(|c| format!(", ${}", c.decimal6()))
                    .unwrap_or_default()
            ));
        }
    }
    out
}
