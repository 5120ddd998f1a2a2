//! `git vouch review [range]`, and the review screen the pre-push hook opens when a person is at
//! a terminal (a build without the `tui` feature has no screen: pushes follow `vouch.review`).

use color_eyre::eyre::{Result, WrapErr, bail};

use crate::attest::git::Git;
use crate::cli::Outcome;
use crate::cli::args::ReviewArgs;
use crate::cli::commands::{print_lines, print_text};
use crate::cli::context::Context;
use crate::cli::fmt::plural;
use crate::review::{Decision, Mode, Request, Reviewer, Target};

/// The screen for the pre-push hook, when a person can use it.
pub fn hook_reviewer(hook: &str) -> Option<Box<dyn Reviewer>> {
    if hook != "pre-push" {
        return None;
    }
    screen::for_hook()
}

pub fn run(ctx: &Context, args: &ReviewArgs) -> Result<Outcome> {
    if !ctx.demo {
        let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
        return review(ctx, args, cwd);
    }
    // The demo: a throwaway clone of the demo repository with its sessions archived.
    let parent = std::env::temp_dir().join("git-vouch-demo");
    let cwd = crate::demo::review_workspace(&parent).wrap_err("cannot set up the demo review")?;
    let outcome = review(ctx, args, cwd.clone());
    crate::demo::remove_review_workspace(&cwd);
    outcome
}

fn review(ctx: &Context, args: &ReviewArgs, cwd: std::path::PathBuf) -> Result<Outcome> {
    let target = Target::resolve(&cwd, args.range.as_deref())?;
    if target.range.commits.is_empty() {
        print_text("Nothing to review: the range has no commits.")?;
        return Ok(Outcome::Success);
    }
    let enforce_policies = Mode::policies_enforced(&Git::new(&cwd));
    let request = Request {
        cwd,
        remote: None,
        targets: vec![target],
        allow_unattested: false,
        enforce_policies,
    };
    let Some(reviewer) = screen::for_command(ctx, args)? else {
        bail!(
            "`git vouch review` needs a terminal to show the review screen; \
             to sign without a review, use `git vouch attest`"
        );
    };
    match reviewer.review(&request) {
        Decision::Signed(done) => {
            let mut lines: Vec<String> = done
                .iter()
                .map(|a| {
                    format!(
                        "Signed {} and {} as reviewed by you; signed by {}.",
                        plural(a.commits.len() as u64, "commit", "commits"),
                        plural(a.sessions as u64, "session", "sessions"),
                        a.signer
                    )
                })
                .collect();
            lines.push(
                "The attestation travels with your next `git push` (or `git vouch notes push`)."
                    .to_owned(),
            );
            print_lines(&lines)?;
            Ok(Outcome::Success)
        }
        Decision::Abort | Decision::PushUnattested => {
            print_text("Left without signing; nothing was attached.")?;
            Ok(Outcome::Negative)
        }
        Decision::Unavailable(why) => bail!("the review screen could not open: {why}"),
    }
}

#[cfg(feature = "tui")]
mod screen {
    use std::sync::Arc;

    use color_eyre::eyre::Result;

    use crate::cli::args::ReviewArgs;
    use crate::cli::context::Context;
    use crate::clock::SystemClock;
    use crate::redact::RedactOptions;
    use crate::review::Reviewer;
    use crate::transcript::discover::ProcessEnv;
    use crate::tui::keymap::Keymap;
    use crate::tui::review::{TtyReviewer, terminal_available};
    use crate::tui::theme::Theme;

    /// For a hook: never fails; a broken key map or theme falls back to the defaults. Hooks read
    /// the wall clock, not `GIT_VOUCH_NOW`: what they record is compared with file times.
    pub fn for_hook() -> Option<Box<dyn Reviewer>> {
        if !terminal_available() {
            return None;
        }
        let config = crate::config::config_dir(&ProcessEnv);
        let keymap =
            Keymap::load(&config.join("keymap.toml")).unwrap_or_else(|_| Keymap::embedded());
        let prices = crate::config::price_table(&ProcessEnv)
            .unwrap_or_else(|_| crate::pricing::PriceTable::embedded().clone());
        Some(Box::new(TtyReviewer {
            keymap,
            theme: Theme::embedded(no_color()),
            prices: Arc::new(prices),
            redact: RedactOptions::default(),
            clock: Arc::new(SystemClock),
        }))
    }

    pub fn for_command(ctx: &Context, args: &ReviewArgs) -> Result<Option<Box<dyn Reviewer>>> {
        if !terminal_available() {
            return Ok(None);
        }
        let (keymap, theme) = super::super::explore::ui_config(ctx)?;
        Ok(Some(Box::new(TtyReviewer {
            keymap,
            theme,
            prices: Arc::new(ctx.prices.clone()),
            redact: RedactOptions {
                emails: args.redact_emails,
            },
            clock: ctx.clock.clone(),
        })))
    }

    fn no_color() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

#[cfg(not(feature = "tui"))]
mod screen {
    use color_eyre::eyre::Result;

    use crate::cli::args::ReviewArgs;
    use crate::cli::context::Context;
    use crate::review::Reviewer;

    pub fn for_hook() -> Option<Box<dyn Reviewer>> {
        None
    }

    pub fn for_command(_: &Context, _: &ReviewArgs) -> Result<Option<Box<dyn Reviewer>>> {
        Ok(None)
    }
}
