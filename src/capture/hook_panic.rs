//! A bug in a hook must never block the agent or git: [`catch`] runs a hook's handler under
//! `catch_unwind`, and a panic becomes one line in `errors.log` (its message and where it
//! happened) instead of Rust's panic message and backtrace on stderr.
//!
//! Used by the Claude Code hook (silent: it prints nothing but its banner) and by the git hooks
//! (one short line on stderr, so the person knows why nothing was recorded).

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Mutex, PoisonError};

use super::state::StateDir;
use crate::clock::Clock;

/// The first panic of the guarded run, as the panic hook saw it.
static FIRST: Mutex<Option<Caught>> = Mutex::new(None);

/// A caught panic: its message and where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caught {
    pub message: String,
    /// `file:line:column`, or "an unknown place".
    pub location: String,
}

impl fmt::Display for Caught {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "internal error: {} (at {})", self.message, self.location)
    }
}

/// Who hears of a caught panic besides `errors.log`.
#[derive(Debug, Clone, Copy)]
pub enum Notice<'a> {
    /// Nobody (the Claude Code hook: its stderr would reach the agent's transcript).
    Silent,
    /// One line on stderr naming the git hook, e.g. `pre-push`.
    GitHook(&'a str),
}

/// Runs `body`; on a panic, logs it under `context` to the `errors.log` of the repository of the
/// working directory, tells `notice`, and returns `None`. The process's panic hook is replaced
/// for the run (nothing printed, the message and location kept) and restored afterwards.
pub fn catch<T>(
    context: &str,
    notice: Notice<'_>,
    clock: &dyn Clock,
    body: impl FnOnce() -> T,
) -> Option<T> {
    *FIRST.lock().unwrap_or_else(PoisonError::into_inner) = None;
    let previous = panic::take_hook();
    panic::set_hook(Box::new(remember));
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    panic::set_hook(previous);
    let payload = match result {
        Ok(value) => return Some(value),
        Err(payload) => payload,
    };
    let remembered = FIRST.lock().unwrap_or_else(PoisonError::into_inner).take();
    let caught = remembered.unwrap_or_else(|| Caught {
        message: message(payload.as_ref()),
        location: "an unknown place".to_owned(),
    });
    let state = std::env::current_dir()
        .ok()
        .and_then(|d| StateDir::discover(&d));
    if let Some(state) = &state {
        state.log_error(clock.now(), context, &caught.to_string());
    }
    if let Notice::GitHook(hook) = notice {
        match &state {
            Some(state) => eprintln!(
                "git-vouch: internal error in the {hook} hook, logged to {}; git goes on",
                state.errors_log().display()
            ),
            None => {
                eprintln!("git-vouch: internal error in the {hook} hook ({caught}); git goes on");
            }
        }
    }
    None
}

/// The panic hook of a guarded run: keeps the first panic's message and location, prints nothing.
fn remember(info: &PanicHookInfo<'_>) {
    let caught = Caught {
        message: message(info.payload()),
        location: info.location().map_or_else(
            || "an unknown place".to_owned(),
            |l| format!("{}:{}:{}", l.file(), l.line(), l.column()),
        ),
    };
    FIRST
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert(caught);
}

/// A panic payload's text (`panic!` gives a `&str` or a `String`).
fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// The one way for tests to reach a hook's panic path through the real binary and real git:
/// `GIT_VOUCH_TEST_PANIC=<hook>` (for example `pre-push`) makes that hook's handler panic.
///
/// It exists only in debug builds, which are what `cargo test` runs; in a release build this
/// function is empty, so a shipped binary has no deliberate panic and no variable that changes
/// what a hook does.
pub fn test_trigger(hook: &str) {
    #[cfg(debug_assertions)]
    #[allow(clippy::manual_assert)] // A deliberate panic, not a check of an invariant.
    if std::env::var_os("GIT_VOUCH_TEST_PANIC").is_some_and(|v| v == hook) {
        panic!("test panic in the {hook} hook (GIT_VOUCH_TEST_PANIC)");
    }
    #[cfg(not(debug_assertions))]
    let _ = hook;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_reads_as_an_internal_error_with_its_place() {
        let caught = Caught {
            message: "boom".to_owned(),
            location: "src/x.rs:3:5".to_owned(),
        };
        assert_eq!(caught.to_string(), "internal error: boom (at src/x.rs:3:5)");
        let text: Box<dyn Any + Send> = Box::new(String::from("formatted 7"));
        assert_eq!(message(text.as_ref()), "formatted 7");
        let other: Box<dyn Any + Send> = Box::new(7_u8);
        assert_eq!(message(other.as_ref()), "a panic without a message");
    }
}
