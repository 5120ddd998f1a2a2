//! The event loop: set up the terminal, draw, wait for the next message, update, hand the
//! effects to the worker, and restore the terminal however the loop ends (panics included).

use std::io::{Stdout, stdout};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::action::Action;
use super::app::App;
use super::frame_log::FrameLog;
use super::msg::{Effect, Msg};
pub use super::worker::Source;
use super::worker::Worker;
use crate::pricing::PriceTable;

/// How often the input thread wakes without input, to animate the progress indicator.
const TICK: Duration = Duration::from_millis(120);

/// Runs the explorer until the person quits.
pub fn run(mut app: App, source: Source, prices: PriceTable) -> Result<()> {
    let (tx, rx) = channel();
    let worker = Worker::new(tx.clone(), source, prices);
    let mut terminal = setup().wrap_err("cannot set up the terminal")?;
    let _restore = RestoreOnDrop;
    let stop = Arc::new(AtomicBool::new(false));
    let input = spawn_input(tx, stop.clone());
    let result = event_loop(&mut app, &mut terminal, &rx, &worker);
    stop.store(true, Ordering::Relaxed);
    // The input thread wakes within one tick; it must stop reading before the shell gets the tty.
    let _ = input.join();
    result
}

fn event_loop(
    app: &mut App,
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    rx: &Receiver<Msg>,
    worker: &Worker,
) -> Result<()> {
    let mut log = FrameLog::from_env();
    let mut effects = app.update(Msg::Action(Action::Reload));
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

type Term = Terminal<CrosstermBackend<Stdout>>;

fn setup() -> Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    execute!(stdout(), EnterAlternateScreen, EnableMouseCapture)?;
    Ok(Terminal::new(CrosstermBackend::new(stdout()))?)
}

/// Puts the terminal back as it was: leaves the alternate screen, raw mode and mouse capture.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen);
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), crossterm::cursor::Show);
}

/// Restores the terminal when the loop returns or unwinds.
struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        restore();
    }
}

/// A panic message printed in the alternate screen would vanish: restore first, then report.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Reads terminal events on their own thread; key releases and repeats are dropped.
fn spawn_input(tx: Sender<Msg>, stop: Arc<AtomicBool>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let msg = match event::poll(TICK) {
                Ok(true) => match event::read() {
                    Ok(e) => to_msg(&e),
                    Err(_) => return,
                },
                Ok(false) => Some(Msg::Tick),
                Err(_) => return,
            };
            if let Some(msg) = msg
                && tx.send(msg).is_err()
            {
                return;
            }
        }
    })
}

fn to_msg(event: &Event) -> Option<Msg> {
    match event {
        Event::Key(k) if k.is_press() => Some(Msg::Key(*k)),
        Event::Mouse(m) => Some(Msg::Mouse(*m)),
        Event::Resize(w, h) => Some(Msg::Resize(*w, *h)),
        _ => None,
    }
}

/// The worktree of the repository containing the current folder: the explorer's default scope.
pub fn current_repository() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    crate::git::paths::RepoPaths::discover(&cwd).map(|p| p.worktree)
}
