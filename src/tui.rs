//! The terminal explorer: `git vouch` without a subcommand.
//!
//! Elm-style: [`App::update`] is the only place state changes and does no I/O; it returns
//! [`Effect`]s that the [`runner`] hands to worker threads, whose results come back as [`Msg`]s.
//! State lives in `app` (the `*State` types), drawing in `views`. Rendering reads the state
//! (the tables fill only ratatui's `TableState`) and never does I/O either, so every screen is
//! tested with ratatui's `TestBackend`. Both screens run on one [`terminal::Screen`].

pub mod action;
pub mod app;
pub mod frame_log;
pub mod highlight;
pub mod keymap;
pub mod msg;
pub mod range_diff;
pub mod review;
pub mod runner;
pub mod terminal;
pub mod text_fit;
pub mod theme;
pub mod timeline;
pub mod views;
pub mod watch;
pub mod widgets;
pub mod worker;

pub use action::Action;
pub use app::{App, LoadState, Screen, SessionData, Tab};
pub use keymap::Keymap;
pub use msg::{Effect, LoadResult, Msg};
pub use theme::Theme;
