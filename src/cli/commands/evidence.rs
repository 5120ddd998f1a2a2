//! `git vouch evidence [range] [--format vouch|chainloop]`.

use color_eyre::eyre::{Result, WrapErr};

use super::print_json;
use crate::cli::Outcome;
use crate::cli::args::{EvidenceArgs, EvidenceFormat};
use crate::cli::context::Context;
use crate::evidence::{build_evidence, chainloop};
use crate::redact::{RedactOptions, Redactor};

pub fn run(ctx: &Context, args: &EvidenceArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let redactor = Redactor::new(RedactOptions {
        emails: args.redact_emails,
    });
    let evidence = build_evidence(
        &cwd,
        args.range.as_deref(),
        &ctx.prices,
        &redactor,
        ctx.clock.as_ref(),
    )?;
    match args.format {
        EvidenceFormat::Vouch => print_json(&evidence)?,
        EvidenceFormat::Chainloop => print_json(&chainloop::materials(&evidence))?,
    }
    Ok(Outcome::Success)
}
