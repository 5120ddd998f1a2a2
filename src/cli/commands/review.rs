//! `git vouch review [range]`, and the review screen the pre-push hook opens when a person is at
//! a terminal (a build without the `tui` feature has no screen: pushes follow `vouch.review`).

use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr, bail};

use crate::attest::sign::SignerSlot;
use crate::cli::Outcome;
use crate::cli::args::ReviewArgs;
use crate::cli::commands::{print_lines, print_text};
use crate::cli::context::Context;
use crate::config::PolicyMode;
use crate::git::Git;
use crate::present::plural;
use crate::push::policy_gate::policy_setting;
use crate::push::review::{Decision, Request, Reviewer, Target, prepare_for_review};
use crate::redact::{RedactOptions, Redactor};

/// The screen for the pre-push hook, when a person can use it; it signs with `signer`.
pub fn hook_reviewer(hook: &str, signer: &Arc<SignerSlot>) -> Option<Box<dyn Reviewer>> {
    if hook != "pre-push" {
        return None;
    }
    screen::for_hook(signer.clone())
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
    let policy = policy_setting(&Git::new(&cwd));
    if let Some(warning) = policy.warning() {
        eprintln!("git-vouch: {warning}");
    }
    let enforce_policies = policy.mode == PolicyMode::Enforce;
    let require_hunks = crate::push::review::hunks_required(&Git::new(&cwd));
    let signer = Arc::new(SignerSlot::from_env(Git::new(&cwd)));
    let Some(reviewer) = screen::for_command(ctx, args, signer)? else {
        bail!(
            "`git vouch review` needs a terminal to show the review screen; \
             to sign without a review, use `git vouch attest`"
        );
    };
    // The evidence is built once, here: the screen shows and signs exactly these bytes.
    let redactor = Redactor::new(RedactOptions {
        emails: args.redact_emails,
    });
    let evidence = prepare_for_review(&cwd, &target, &ctx.prices, &redactor, ctx.clock.as_ref())
        .map(|p| vec![p])
        .map_err(|e| format!("{}: {e}", target.label));
    let request = Request {
        cwd,
        remote: None,
        targets: vec![target],
        allow_unattested: false,
        enforce_policies,
        require_hunks,
        evidence,
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

    use crate::attest::sign::SignerSlot;
    use crate::cli::args::ReviewArgs;
    use crate::cli::context::Context;
    use crate::clock::SystemClock;
    use crate::config::{Config, ProcessEnv};
    use crate::push::review::Reviewer;
    use crate::redact::RedactOptions;
    use crate::tui::keymap::Keymap;
    use crate::tui::review::{TtyReviewer, terminal_available};
    use crate::tui::theme::Theme;

    /// For a hook: never fails; a broken key map or theme falls back to the defaults. Hooks read
    /// the wall clock, not `GIT_VOUCH_NOW`: what they record is compared with file times.
    pub fn for_hook(signer: Arc<SignerSlot>) -> Option<Box<dyn Reviewer>> {
        if !terminal_available(&ProcessEnv) {
            return None;
        }
        let config = Config::load(&ProcessEnv);
        let (keymap, theme) = hook_look(&config);
        // Prices that cannot be read fall back to the embedded table: the hook never fails.
        let prices = config
            .price_table()
            .unwrap_or_else(|_| crate::pricing::PriceTable::embedded().clone());
        Some(Box::new(TtyReviewer {
            keymap,
            theme,
            redact: RedactOptions::default(),
            signer,
            clock: Arc::new(SystemClock),
            prices,
            index: Some(config.index_file()),
        }))
    }

    pub fn for_command(
        ctx: &Context,
        args: &ReviewArgs,
        signer: Arc<SignerSlot>,
    ) -> Result<Option<Box<dyn Reviewer>>> {
        if !terminal_available(&ProcessEnv) {
            return Ok(None);
        }
        let (keymap, theme) = super::super::explore::ui_config(ctx)?;
        Ok(Some(Box::new(TtyReviewer {
            keymap,
            theme,
            redact: RedactOptions {
                emails: args.redact_emails,
            },
            signer,
            clock: ctx.clock.clone(),
            prices: ctx.prices.clone(),
            index: ctx.use_cache.then(|| ctx.config.index_file()),
        })))
    }

    /// The person's key map and theme, each falling back to the default when its file is
    /// broken.
    fn hook_look(config: &Config) -> (Keymap, Theme) {
        let keymap = Keymap::load(&config.keymap_file()).unwrap_or_else(|_| Keymap::embedded());
        let theme = Theme::load(&config.theme_file(), config.no_color)
            .unwrap_or_else(|_| Theme::embedded(config.no_color));
        (keymap, theme)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::config::VarsEnv;

        #[test]
        fn the_hook_screen_uses_the_persons_theme() {
            let home = tempfile::tempdir().unwrap();
            let dir = home.path().join("git-vouch");
            std::fs::create_dir_all(&dir).unwrap();
            let config_home = home.path().display().to_string();
            let config = Config::load(&VarsEnv::new([("XDG_CONFIG_HOME", config_home.as_str())]));
            let (_, theme) = hook_look(&config);
            assert_eq!(theme, Theme::embedded(false), "no theme file: the default");

            std::fs::write(dir.join("theme.toml"), "cost = { fg = \"red\" }\n").unwrap();
            let (_, theme) = hook_look(&config);
            assert_eq!(theme.cost.fg, Some(ratatui::style::Color::Red));
            assert_eq!(theme.tokens, Theme::embedded(false).tokens);

            std::fs::write(
                dir.join("theme.toml"),
                "cost = { fg = \"no such colour\" }\n",
            )
            .unwrap();
            let (_, theme) = hook_look(&config);
            assert_eq!(theme, Theme::embedded(false), "a broken file: the default");
        }
    }
}

#[cfg(not(feature = "tui"))]
mod screen {
    use std::sync::Arc;

    use color_eyre::eyre::Result;

    use crate::attest::sign::SignerSlot;
    use crate::cli::args::ReviewArgs;
    use crate::cli::context::Context;
    use crate::push::review::Reviewer;

    pub fn for_hook(_: Arc<SignerSlot>) -> Option<Box<dyn Reviewer>> {
        None
    }

    pub fn for_command(
        _: &Context,
        _: &ReviewArgs,
        _: Arc<SignerSlot>,
    ) -> Result<Option<Box<dyn Reviewer>>> {
        Ok(None)
    }
}
