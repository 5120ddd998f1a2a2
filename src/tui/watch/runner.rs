//! Running the watch screen: the socket's accept thread (each held call becomes a message, its
//! connection kept here until answered), the ledger's tail thread, the clock's ticks, and the
//! answers. Standalone (`git vouch watch`) it owns the terminal; inside the explorer it borrows
//! the explorer's terminal and channel, and gives back the explorer's own messages that arrived
//! meanwhile.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use ratatui::Terminal;
use ratatui::backend::Backend;

use super::app::{Pending, WatchApp, WatchEffect, WatchMsg};
use super::tail::Tail;
use crate::capture::state::StateDir;
use crate::clock::Clock;
use crate::git::config;
use crate::guard::decide::GuardMode;
use crate::guard::watch::{Incoming, WatchError, Watcher, own_uid, socket_path};
use crate::tui::keymap::Keymap;
use crate::tui::terminal::{Input, Screen};
use crate::tui::theme::Theme;

/// How often the ledgers are looked at.
const TAIL_EVERY: Duration = Duration::from_millis(250);

/// What the screen watches, and with what.
pub struct Setup<'a> {
    pub state: StateDir,
    pub app: WatchApp,
    pub clock: &'a dyn Clock,
}

impl<'a> Setup<'a> {
    /// The screen for the repository at `worktree`: its state folder, the guard's mode and who
    /// answers (git's `user.name`, else the login name), read from its configuration.
    pub fn for_repository(
        worktree: &Path,
        keymap: Keymap,
        theme: Theme,
        clock: &'a dyn Clock,
    ) -> Result<Self, String> {
        let state = StateDir::discover(worktree)
            .ok_or_else(|| format!("{} is not inside a git repository", worktree.display()))?;
        let values = config::values(&state.repo, &[GuardMode::KEY, "user.name"])
            .map_err(|e| e.to_string())?;
        let mode = match GuardMode::from_value(values[0].as_deref()) {
            Ok(mode) => mode.to_string(),
            Err(e) => format!("? ({e})"),
        };
        let by = values[1]
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| format!("uid {}", own_uid()));
        let name = state.repo.worktree.file_name().map_or_else(
            || state.repo.worktree.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut app = WatchApp::new(keymap, theme, name, mode.clone(), by);
        if matches!(mode.as_str(), "off" | "observe") {
            app.message = Some(format!(
                "vouch.guard is {mode}: calls are recorded, never held. git config vouch.guard ask (or enforce) to answer them here."
            ));
        }
        Ok(Self { state, app, clock })
    }
}

/// The held connections, by the number the app knows them by.
type Held = Arc<Mutex<HashMap<u64, Incoming>>>;

/// `git vouch watch`: runs the screen on the person's terminal until they quit.
pub fn run(setup: Setup<'_>) -> std::io::Result<()> {
    let (tx, rx) = channel::<WatchMsg>();
    let out = std::io::stdout();
    let mut screen = Screen::open(out, Box::new(std::io::stdout()), tx.clone())?;
    run_on(setup, &mut screen.terminal, &tx, &rx, |m| m, Ok).map(drop)
}

/// Runs the screen on `terminal`, whose input arrives on `rx` as `M` (the explorer's messages
/// when it opens the live view): `wrap` makes a watch message an `M`, `unwrap` takes it back
/// (an `M` that is not one is kept and returned, for the explorer to handle after).
pub fn run_on<M, B>(
    setup: Setup<'_>,
    terminal: &mut Terminal<B>,
    tx: &Sender<M>,
    rx: &Receiver<M>,
    wrap: fn(WatchMsg) -> M,
    unwrap: fn(M) -> Result<WatchMsg, M>,
) -> std::io::Result<Vec<M>>
where
    M: Send + 'static,
    B: Backend,
    std::io::Error: From<B::Error>,
{
    let Setup {
        state,
        mut app,
        clock,
    } = setup;
    let watcher = Watcher::bind(&socket_path(&state.root)).map_err(std::io::Error::other)?;
    let socket = watcher.path().to_path_buf();
    let stop = Arc::new(AtomicBool::new(false));
    let held: Held = Arc::default();
    spawn_accept(watcher, held.clone(), stop.clone(), tx.clone(), wrap);
    let started = SystemTime::from(clock.now());
    spawn_tail(state.events_dir(), started, stop.clone(), tx.clone(), wrap);
    app.now = clock.now();
    let mut kept = Vec::new();
    let result = (|| loop {
        terminal.draw(|frame| super::view::render(&app, frame))?;
        let Ok(msg) = rx.recv() else { return Ok(()) };
        let msg = match unwrap(msg) {
            Ok(WatchMsg::Tick(_)) => {
                notice_gone_hooks(&held, tx, wrap);
                WatchMsg::Tick(clock.now())
            }
            // The clock is read here, on the screen's thread: a held call waits from now.
            Ok(WatchMsg::Held(mut pending)) => {
                pending.since = clock.now();
                WatchMsg::Held(pending)
            }
            Ok(msg) => msg,
            Err(other) => {
                kept.push(other);
                continue;
            }
        };
        for effect in app.update(msg) {
            match effect {
                WatchEffect::Quit => return Ok(()),
                WatchEffect::Answer { id, reply } => {
                    let incoming = held
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&id);
                    let result = match incoming {
                        Some(incoming) => incoming.answer(&reply).map_err(|e| e.to_string()),
                        None => Err("the hook had stopped waiting".to_owned()),
                    };
                    let _ = tx.send(wrap(WatchMsg::Answered { id, result }));
                }
            }
        }
    })();
    stop_threads(&stop, &socket, &held);
    result.map(|()| kept)
}

/// Accepts held calls until stopped; a refused connection is said on the screen.
fn spawn_accept<M: Send + 'static>(
    watcher: Watcher,
    held: Held,
    stop: Arc<AtomicBool>,
    tx: Sender<M>,
    wrap: fn(WatchMsg) -> M,
) {
    let next = AtomicU64::new(1);
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let msg = match watcher.accept() {
                _ if stop.load(Ordering::Relaxed) => break,
                Ok(incoming) => {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    let pending = Pending {
                        id,
                        held: incoming.held.clone(),
                        since: chrono::DateTime::UNIX_EPOCH,
                    };
                    held.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(id, incoming);
                    WatchMsg::Held(Box::new(pending))
                }
                Err(e @ WatchError::Peer { .. }) => WatchMsg::Notice(format!("refused: {e}")),
                Err(_) => continue,
            };
            if tx.send(wrap(msg)).is_err() {
                break;
            }
        }
    });
}

/// Follows the ledgers until stopped (`started`: the clock when the screen opened, against
/// which the first look judges which ledgers are recent).
fn spawn_tail<M: Send + 'static>(
    dir: PathBuf,
    started: SystemTime,
    stop: Arc<AtomicBool>,
    tx: Sender<M>,
    wrap: fn(WatchMsg) -> M,
) {
    std::thread::spawn(move || {
        let mut tail = Tail::new(&dir);
        while !stop.load(Ordering::Relaxed) {
            let found = tail.look(started);
            if let Some(problem) = found.problems.first() {
                let text = format!("unreadable ledger line: {problem}");
                let _ = tx.send(wrap(WatchMsg::Notice(text)));
            }
            if !found.events.is_empty() && tx.send(wrap(WatchMsg::Events(found.events))).is_err() {
                break;
            }
            std::thread::sleep(TAIL_EVERY);
        }
    });
}

/// Tells the app about every held call whose hook has stopped waiting.
fn notice_gone_hooks<M>(held: &Held, tx: &Sender<M>, wrap: fn(WatchMsg) -> M) {
    let mut held = held.lock().unwrap_or_else(PoisonError::into_inner);
    let gone: Vec<u64> = held
        .iter()
        .filter(|(_, incoming)| incoming.hook_gone())
        .map(|(id, _)| *id)
        .collect();
    for id in gone {
        held.remove(&id);
        let _ = tx.send(wrap(WatchMsg::HookGone(id)));
    }
}

/// Stops the threads: the accept thread is woken by one last connection of our own. Calls still
/// held are let go, so their hooks decide without a person at once.
fn stop_threads(stop: &AtomicBool, socket: &std::path::Path, held: &Held) {
    stop.store(true, Ordering::Relaxed);
    if let Ok(mut wake) = UnixStream::connect(socket) {
        let _ = wake.write_all(b"\n");
    }
    let _ = std::fs::remove_file(socket);
    held.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

impl From<Input> for WatchMsg {
    fn from(input: Input) -> Self {
        match input {
            Input::Key(k) => Self::Key(k),
            Input::Resize(w, h) => Self::Resize(w, h),
            Input::Mouse(_) | Input::Tick => Self::Tick(chrono::DateTime::UNIX_EPOCH),
        }
    }
}
