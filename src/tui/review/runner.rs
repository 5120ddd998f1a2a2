//! Running the review screen on the person's terminal. In a pre-push hook stdin is git's ref
//! list, so the screen opens `/dev/tty` for drawing, and crossterm reads keys from it too (it
//! falls back to `/dev/tty` whenever stdin is not a terminal).

use std::fs::{File, OpenOptions};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::app::{ReviewApp, ReviewEffect, ReviewMsg, Reviewed};
use crate::attest::publish::Review;
use crate::attest::sign::SignerSlot;
use crate::clock::Clock;
use crate::config::Env;
use crate::git::Git;
use crate::push::review::{Decision, Request, Reviewer};
use crate::redact::{RedactOptions, Redactor};
use crate::tui::keymap::Keymap;
use crate::tui::terminal::{Input, Screen};
use crate::tui::theme::Theme;

/// Environment variables that mean nobody is at the terminal to review: an agent runs git
/// (Claude Code sets `CLAUDECODE`), CI, or the person turned the screen off.
const NO_SCREEN_VARS: [&str; 2] = ["CLAUDECODE", "CI"];

/// Whether a person can review here: stderr is a terminal (git passes its own through to hooks;
/// an agent, a GUI client or CI give a pipe), `/dev/tty` opens, and no variable says otherwise.
pub fn terminal_available(env: &dyn Env) -> bool {
    if NO_SCREEN_VARS
        .iter()
        .any(|v| env.var(v).is_some_and(|x| x != "0"))
        || env
            .var("GIT_VOUCH_REVIEW_SCREEN")
            .is_some_and(|v| v == "0" || v == "off")
    {
        return false;
    }
    std::io::stderr().is_terminal() && open_tty().is_ok()
}

fn open_tty() -> std::io::Result<File> {
    OpenOptions::new().read(true).write(true).open("/dev/tty")
}

/// The review screen as the pre-push hook and `git vouch review` use it.
pub struct TtyReviewer {
    pub keymap: Keymap,
    pub theme: Theme,
    pub redact: RedactOptions,
    /// Resolved at the edge, once, when the person first signs.
    pub signer: Arc<SignerSlot>,
    pub clock: Arc<dyn Clock>,
}

impl Reviewer for TtyReviewer {
    fn review(&self, request: &Request) -> Decision {
        let app = ReviewApp::new(self.keymap.clone(), self.theme, request.clone());
        match self.run(app) {
            Ok(decision) => decision,
            Err(e) => Decision::Unavailable(e.to_string()),
        }
    }
}

impl TtyReviewer {
    fn run(&self, mut app: ReviewApp) -> std::io::Result<Decision> {
        let tty = open_tty()?;
        let (tx, rx) = channel();
        let restore_to = Box::new(tty.try_clone()?);
        let mut screen = Screen::open(tty, restore_to, tx.clone())?;
        app.height = screen.terminal.size()?.height;
        self.event_loop(&mut app, &mut screen.terminal, &tx, &rx)
    }

    fn event_loop(
        &self,
        app: &mut ReviewApp,
        terminal: &mut Terminal<CrosstermBackend<File>>,
        tx: &Sender<ReviewMsg>,
        rx: &Receiver<ReviewMsg>,
    ) -> std::io::Result<Decision> {
        let mut effects = app.start();
        loop {
            for effect in effects.drain(..) {
                match effect {
                    ReviewEffect::Finish(decision) => return Ok(decision),
                    ReviewEffect::Prepare => {
                        let _ = tx.send(prepared(&app.request));
                    }
                    ReviewEffect::Sign { note } => self.sign(&app.request, app, note, tx.clone()),
                }
            }
            terminal.draw(|frame| super::view::render(app, frame))?;
            let Ok(msg) = rx.recv() else {
                return Ok(Decision::Abort);
            };
            effects = app.update(msg);
        }
    }

    /// Signs exactly the prepared evidence on a worker thread.
    fn sign(
        &self,
        request: &Request,
        app: &ReviewApp,
        note: Option<String>,
        tx: Sender<ReviewMsg>,
    ) {
        let items: Vec<Reviewed> = app.items.clone();
        let (cwd, clock, signer) = (request.cwd.clone(), self.clock.clone(), self.signer.clone());
        let redactor = Redactor::new(self.redact);
        std::thread::spawn(move || {
            let git = Git::new(&cwd);
            let review = Review {
                reviewed: true,
                note,
            };
            let result = signer
                .get()
                .map_err(ToString::to_string)
                .and_then(|signer| {
                    items
                        .iter()
                        .map(|i| {
                            crate::attest::publish::sign_and_attach(
                                &git,
                                &i.prepared,
                                &review,
                                &redactor,
                                signer,
                                clock.as_ref(),
                            )
                            .map_err(|e| e.to_string())
                        })
                        .collect()
                });
            let _ = tx.send(ReviewMsg::Signed(result));
        });
    }
}

/// Every target's evidence for the screen, built once before it opened.
fn prepared(request: &Request) -> ReviewMsg {
    ReviewMsg::Prepared(request.evidence.clone().map(|prepared| {
        request
            .targets
            .iter()
            .cloned()
            .zip(prepared)
            .map(|(t, p)| Reviewed::new(t, p))
            .collect()
    }))
}

impl From<Input> for ReviewMsg {
    fn from(input: Input) -> Self {
        match input {
            Input::Key(k) => Self::Key(k),
            Input::Mouse(m) => Self::Mouse(m),
            Input::Resize(w, h) => Self::Resize(w, h),
            Input::Tick => Self::Tick,
        }
    }
}
