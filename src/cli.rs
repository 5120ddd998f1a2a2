//! The command-line layer: argument parsing, loading data for commands, and printing. It is a
//! thin layer over the library; errors become reports here and only here (color-eyre).
//!
//! Exit codes: 0 success; 1 a negative answer (no such session, verification or policy failed);
//! 2 an error (bad arguments, unreadable configuration, I/O failure). A closed stdout (`| head`)
//! exits 0.

pub mod args;
pub mod commands;
pub mod context;
pub mod style;
pub mod table;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Outcome of a command that ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The answer was negative (exit 1).
    Negative,
    /// A command run on the person's behalf ended with this status (`record -- COMMAND`).
    Exit(u8),
}

/// Parses arguments, runs the command and maps the result to an exit code.
pub fn run() -> ExitCode {
    #[cfg(feature = "tui")]
    crate::tui::frame_log::mark_start();
    // Hooks run on every tool call: they skip the error reporter and the shared context, and
    // always exit 0 unless a git hook decides otherwise.
    if std::env::args_os().nth(1).is_some_and(|a| a == "hook") {
        return commands::hook::main();
    }
    if let Err(e) = color_eyre::config::HookBuilder::default()
        .display_env_section(false)
        .install()
    {
        eprintln!("git-vouch: cannot install the error reporter: {e}");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match commands::dispatch(&cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::from(1),
        Ok(Outcome::Exit(code)) => ExitCode::from(code),
        Err(report) if is_broken_pipe(&report) => ExitCode::SUCCESS,
        Err(report) => {
            let _ = writeln!(io::stderr(), "git-vouch: {report:#}");
            ExitCode::from(2)
        }
    }
}

/// A reader closing our stdout early (`git vouch sessions | head`) is not an error. The I/O error
/// may sit anywhere in the chain, also inside a JSON writer's error, which hides it from
/// `source()`.
fn is_broken_pipe(report: &color_eyre::Report) -> bool {
    report.chain().any(|e| {
        let kind = e
            .downcast_ref::<io::Error>()
            .map(io::Error::kind)
            .or_else(|| {
                e.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use std::io::{self, Write};

    /// A writer whose reader went away.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_broken_pipe_is_recognised_inside_a_json_error_and_under_context() {
        let json = serde_json::to_writer(Closed, &[1, 2, 3]).expect_err("the pipe is closed");
        let report = color_eyre::Report::from(json).wrap_err("cannot print");
        assert!(super::is_broken_pipe(&report));
        let io = Closed.write_all(b"x").expect_err("the pipe is closed");
        assert!(super::is_broken_pipe(
            &color_eyre::Report::from(io).wrap_err("cannot print")
        ));
        let other = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(!super::is_broken_pipe(&color_eyre::Report::from(other)));
    }
}
