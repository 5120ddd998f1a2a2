//! `git vouch init`, `uninstall` and `status` (being written).

use color_eyre::eyre::{Result, eyre};

use crate::cli::Outcome;
use crate::cli::args::{InstallArgs, StatusArgs};
use crate::cli::context::Context;

pub fn init(_ctx: &Context, _args: &InstallArgs) -> Result<Outcome> {
    Err(eyre!("init is not available yet"))
}

pub fn uninstall(_ctx: &Context, _args: &InstallArgs) -> Result<Outcome> {
    Err(eyre!("uninstall is not available yet"))
}

pub fn status(_ctx: &Context, _args: &StatusArgs) -> Result<Outcome> {
    Err(eyre!("status is not available yet"))
}
