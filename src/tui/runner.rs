//! The explorer's event loop: draw, wait for the next message, update, hand the effects to the
//! worker. The terminal (set up, input, restored however the loop ends, panics included) is a
//! [`Screen`].

use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use color_eyre::eyre::{Result, WrapErr};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::Action;
use super::app::App;
use super::frame_log::FrameLog;
use super::msg::{Effect, Msg};
use super::terminal::{Input, Screen};
use super::watch::{Setup, WatchMsg, run_on};
pub use super::worker::Source;
use super::worker::Worker;
use crate::pricing::PriceTable;

/// Runs the explorer until the person quits.
pub fn run(mut app: App, source: Source, prices: PriceTable) -> Result<()> {
    let (tx, rx) = channel();
    let worker = Worker::new(tx.clone(), source, prices);
    let mut screen = Screen::open(stdout(), Box::new(stdout()), tx.clone())
        .wrap_err("cannot set up the terminal")?;
    event_loop(&mut app, &mut screen.terminal, (&tx, &rx), &worker)
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    (tx, rx): (&Sender<Msg>, &Receiver<Msg>),
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
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Watch(repo) => watch(app, terminal, &repo, tx, rx)?,
                effect => worker.run(effect),
            }
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

/// Runs the live view on the explorer's terminal until the person leaves it; the explorer's own
/// messages that arrived meanwhile are sent again, in order, and the screen is drawn afresh.
fn watch(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    repo: &std::path::Path,
    tx: &Sender<Msg>,
    rx: &Receiver<Msg>,
) -> Result<()> {
    let setup = Setup::for_repository(repo, app.keymap.clone(), app.theme, app.clock());
    let result = setup.and_then(|setup| {
        let wrap = |m| Msg::Watch(Box::new(m));
        let unwrap = |m| match m {
            Msg::Watch(m) => Ok(*m),
            Msg::Key(k) => Ok(WatchMsg::Key(k)),
            Msg::Resize(w, h) => Ok(WatchMsg::Resize(w, h)),
            Msg::Tick => Ok(WatchMsg::Tick(chrono::DateTime::UNIX_EPOCH)),
            other => Err(other),
        };
        run_on(setup, terminal, tx, rx, wrap, unwrap).map_err(|e| e.to_string())
    });
    match result {
        Ok(kept) => {
            for msg in kept {
                let _ = tx.send(msg);
            }
        }
        Err(e) => {
            let _ = tx.send(Msg::Notice(format!("the live view cannot open: {e}")));
        }
    }
    terminal.clear().wrap_err("cannot draw")
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
