//! The explorer's event loop: draw, wait for the next message, update, hand the effects to the
//! worker. The terminal (set up, input, restored however the loop ends, panics included) is a
//! [`Screen`].

use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

use color_eyre::eyre::{Result, WrapErr};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::Action;
use super::app::App;
use super::frame_log::FrameLog;
use super::msg::{Effect, Msg};
use super::terminal::{Input, Screen};
pub use super::worker::Source;
use super::worker::Worker;
use crate::pricing::PriceTable;

/// Runs the explorer until the person quits.
pub fn run(mut app: App, source: Source, prices: PriceTable) -> Result<()> {
    let (tx, rx) = channel();
    let worker = Worker::new(tx.clone(), source, prices);
    let mut screen =
        Screen::open(stdout(), Box::new(stdout()), tx).wrap_err("cannot set up the terminal")?;
    event_loop(&mut app, &mut screen.terminal, &rx, &worker)
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &Receiver<Msg>,
    worker: &Worker,
) -> Result<()> {
    let mut log = FrameLog::from_env();
    // Pages and layouts follow the terminal's size, from the start.
    let size = terminal
        .size()
        .wrap_err("cannot read the terminal's size")?;
    let mut effects = app.update(Msg::Resize(size.width, size.height));
    effects.extend(app.update(Msg::Action(Action::Reload)));
    loop {
        for effect in effects.drain(..) {
            if matches!(effect, Effect::Quit) {
                return Ok(());
            }
            worker.run(effect);
        }
        let drawing = Instant::now();
        terminal
            .draw(|frame| app.render(frame))
            .wrap_err("cannot draw")?;
        if let Some(log) = &mut log {
            log.frame(drawing.elapsed());
        }
        let Ok(msg) = rx.recv() else { return Ok(()) };
        if let (Some(log), Some(event)) = (&mut log, msg.event()) {
            log.event(event);
        }
        effects = app.update(msg);
    }
}

impl From<Input> for Msg {
    fn from(input: Input) -> Self {
        match input {
            Input::Key(k) => Self::Key(k),
            Input::Mouse(m) => Self::Mouse(m),
            Input::Resize(w, h) => Self::Resize(w, h),
            Input::Tick => Self::Tick,
        }
    }
}

/// The worktree of the repository containing the current folder: the explorer's default scope.
pub fn current_repository() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    crate::git::paths::RepoPaths::discover(&cwd).map(|p| p.worktree)
}
