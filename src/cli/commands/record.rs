//! `git vouch record [--upstream URL] [--listen ADDR] [--store DIR] [-- COMMAND ARGS...]`: the
//! recorder (see [`crate::recorder`]). With a command, it runs it pointed at the recorder, with a
//! one-run token in place of the API key, prints one summary line when it ends and exits with its
//! status; without one, it records until interrupted.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::Command;

use color_eyre::eyre::{Result, WrapErr, bail};

mod interrupt;

use crate::capture::state::StateDir;
use crate::cli::Outcome;
use crate::cli::args::RecordArgs;
use crate::cli::context::Context;
use crate::money::Usd;
use crate::present;
use crate::recorder::proxy::{Options, Recorder};
use crate::recorder::store::{Store, locations};
use crate::recorder::upstream::{self, TlsConfig, Upstream};
use crate::recorder::{Credential, CredentialHeader, Totals};

pub fn run(ctx: &Context, args: &RecordArgs) -> Result<Outcome> {
    let listen = args
        .listen
        .unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    if !listen.ip().is_loopback() {
        bail!("--listen {listen}: the recorder listens on loopback addresses only");
    }
    let url = args
        .upstream
        .clone()
        .or_else(|| {
            std::env::var("ANTHROPIC_BASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .unwrap_or_else(|| upstream::DEFAULT.to_owned());
    let upstream = Upstream::parse(&url)?;
    let ca = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let tls = TlsConfig::new(ca.as_deref())?;
    let cwd = std::env::current_dir().wrap_err("cannot read the current folder")?;
    let repo = StateDir::discover(&cwd);
    let dir = match &args.store {
        Some(dir) => dir.clone(),
        None => locations(repo.as_ref(), &ctx.config.data_dir).remove(0),
    };
    let store = Store::open(&dir)?;
    let store_path = store.path().to_path_buf();
    let credential = credential()?;
    let max_cost = max_cost(args, repo.as_ref())?;
    // Before any thread starts, so that all of them inherit the mask.
    interrupt::block().wrap_err("cannot block the stopping signals")?;
    let recorder = Recorder::start(
        listen,
        Options {
            upstream,
            tls,
            credential: credential.clone(),
            clock: ctx.clock.clone(),
            prices: ctx.prices.clone(),
            max_cost,
            store,
        },
    )?;
    let base = recorder.base_url();
    let Some((program, rest)) = args.command.split_first() else {
        eprintln!(
            "git-vouch record: listening on {base}, forwarding to {url}, storing in {}",
            store_path.display()
        );
        eprintln!("point an agent at it: ANTHROPIC_BASE_URL={base} claude");
        interrupt::wait().wrap_err("cannot wait for a stopping signal")?;
        let totals = recorder.stop();
        eprintln!("{}", summary(&totals, &store_path));
        return Ok(Outcome::Success);
    };
    let mut child = Command::new(program);
    child.args(rest).env("ANTHROPIC_BASE_URL", &base);
    if let Some(c) = &credential {
        let var = match c.header {
            CredentialHeader::ApiKey => "ANTHROPIC_API_KEY",
            CredentialHeader::Bearer => "ANTHROPIC_AUTH_TOKEN",
        };
        child.env(var, &c.token);
    }
    let mut running = child
        .spawn()
        .wrap_err_with(|| format!("cannot run {}", program.to_string_lossy()))?;
    interrupt::forward_to(running.id());
    let status = running
        .wait()
        .wrap_err_with(|| format!("waiting for {}", program.to_string_lossy()))?;
    let totals = recorder.stop();
    eprintln!("{}", summary(&totals, &store_path));
    Ok(Outcome::Exit(exit_code(status)))
}

/// `--max-cost`, else `git config vouch.record.maxCost` of the repository here.
fn max_cost(args: &RecordArgs, repo: Option<&StateDir>) -> Result<Option<Usd>> {
    let (text, origin) = match &args.max_cost {
        Some(t) => (t.clone(), "--max-cost"),
        None => {
            let configured = repo
                .map(|state| crate::git::config::value(&state.repo, "vouch.record.maxCost"))
                .transpose()
                .wrap_err("cannot read git config vouch.record.maxCost")?
                .flatten();
            match configured {
                Some(t) => (t, "git config vouch.record.maxCost"),
                None => return Ok(None),
            }
        }
    };
    let text = text.trim().trim_start_matches('$').to_owned();
    match Usd::parse(&text) {
        Some(cap) => Ok(Some(cap)),
        None => bail!("{origin} {text:?}: not an amount of US dollars (such as 5 or 2.50)"),
    }
}

/// The key the recorder keeps from the command: `ANTHROPIC_API_KEY`, else
/// `ANTHROPIC_AUTH_TOKEN`; none with a claude.ai login (passed through untouched).
fn credential() -> Result<Option<Credential>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (header, secret) = match (var("ANTHROPIC_API_KEY"), var("ANTHROPIC_AUTH_TOKEN")) {
        (Some(key), _) => (CredentialHeader::ApiKey, key),
        (None, Some(token)) => (CredentialHeader::Bearer, token),
        (None, None) => return Ok(None),
    };
    Ok(Some(
        Credential::new(header, secret).wrap_err("cannot make the one-run token")?,
    ))
}

/// The one line printed when the command ends.
pub fn summary(t: &Totals, store: &std::path::Path) -> String {
    use std::fmt::Write;
    let mut line = format!(
        "git-vouch record: {} ({} failed, {} refused), {} tokens, ${}",
        crate::words::plural(t.exchanges, "exchange", "exchanges"),
        t.failed,
        t.refused,
        present::tokens(t.tokens.total()),
        t.cost.decimal6()
    );
    if !t.store_errors.is_empty() {
        let _ = write!(
            line,
            "; {} not stored: {}",
            t.store_errors.len(),
            t.store_errors[0]
        );
    }
    let _ = write!(line, "; stored in {}", store.display());
    line
}

/// The command's exit status as ours: its code, or 128 + the signal that ended it.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return u8::try_from(128 + sig).unwrap_or(1);
        }
    }
    1
}
