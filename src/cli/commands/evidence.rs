//! `git vouch evidence [range] [--format vouch|chainloop]`.

use color_eyre::eyre::{Result, WrapErr};

use super::print_json;
use crate::capture::agent_config::kept_text;
use crate::capture::state::StateDir;
use crate::cli::Outcome;
use crate::cli::args::{EvidenceArgs, EvidenceFormat};
use crate::cli::context::Context;
use crate::evidence::{build_evidence, chainloop, chainloop_config};
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
        EvidenceFormat::Chainloop => {
            let mut all = chainloop::materials(&evidence);
            let files = StateDir::discover(&cwd).map(|s| s.config_files_dir());
            let kept = |sha: &str| kept_text(files.as_deref()?, sha);
            let config = chainloop_config::materials(&evidence, &kept, &redactor);
            for m in &config.missing {
                eprintln!(
                    "{} the agent's configuration: no kept copy of {m} (left out)",
                    ctx.style.warn("warning:")
                );
            }
            all.extend(config.materials);
            print_json(&all)?;
        }
    }
    Ok(Outcome::Success)
}
