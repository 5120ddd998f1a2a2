//! Running the review screen on the person's terminal. In a pre-push hook stdin is git's ref
//! list, so the screen opens `/dev/tty` for drawing, and crossterm reads keys from it too (it
//! falls back to `/dev/tty` whenever stdin is not a terminal).

use std::fs::{File, OpenOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::app::{ReviewApp, ReviewEffect, ReviewMsg, Reviewed};
use crate::attest::hunk_review::MarkedHunk;
use crate::attest::publish::Review;
use crate::attest::sign::SignerSlot;
use crate::clock::Clock;
use crate::config::Env;
use crate::evidence::range::Range;
use crate::git::Git;
use crate::pricing::PriceTable;
use crate::provenance::blame::{LocalReader, call_story};
use crate::provenance::diff::range_diff_of;
use crate::push::review::{Decision, Request, Reviewer};
use crate::redact::{RedactOptions, Redactor};
use crate::tui::keymap::Keymap;
use crate::tui::range_diff::TargetChanges;
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
    /// For reading the sessions behind the changes: prices, and the sessions cache file.
    pub prices: PriceTable,
    pub index: Option<PathBuf>,
}

/// The sessions, once the changes' worker has read them (stories read from them too).
type SharedReader = Arc<Mutex<Option<Arc<LocalReader>>>>;

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
        let reader: SharedReader = Arc::default();
        loop {
            for effect in effects.drain(..) {
                match effect {
                    ReviewEffect::Finish(decision) => return Ok(decision),
                    ReviewEffect::Prepare => {
                        let _ = tx.send(prepared(&app.request));
                    }
                    ReviewEffect::LoadChanges => {
                        self.load_changes(&app.request, reader.clone(), tx.clone());
                    }
                    ReviewEffect::Story {
                        session,
                        call,
                        prompt,
                    } => story(&reader, session, call, prompt, tx.clone()),
                    ReviewEffect::Sign { note, hunks } => {
                        self.sign(&app.request, app, note, hunks, tx.clone());
                    }
                }
            }
            terminal.draw(|frame| super::view::render(app, frame))?;
            let Ok(msg) = rx.recv() else {
                return Ok(Decision::Abort);
            };
            effects = app.update(msg);
        }
    }

    /// Reads each range's diff with who wrote its lines, on a worker thread.
    fn load_changes(&self, request: &Request, shared: SharedReader, tx: Sender<ReviewMsg>) {
        let (cwd, prices, index) = (request.cwd.clone(), self.prices.clone(), self.index.clone());
        let ranges: Vec<Range> = request.targets.iter().map(|t| t.range.clone()).collect();
        std::thread::spawn(move || {
            let result = LocalReader::load(&cwd, index, prices).and_then(|reader| {
                let reader = Arc::new(reader);
                if let Ok(mut slot) = shared.lock() {
                    *slot = Some(reader.clone());
                }
                ranges
                    .iter()
                    .map(|r| {
                        range_diff_of(&cwd, r, reader.as_ref())
                            .map(TargetChanges::new)
                            .map_err(|e| e.to_string())
                    })
                    .collect()
            });
            let _ = tx.send(ReviewMsg::Changes(Box::new(result)));
        });
    }

    /// Signs exactly the prepared evidence on a worker thread.
    fn sign(
        &self,
        request: &Request,
        app: &ReviewApp,
        note: Option<String>,
        hunks: Vec<Option<Vec<MarkedHunk>>>,
        tx: Sender<ReviewMsg>,
    ) {
        let items: Vec<Reviewed> = app.items.clone();
        let (cwd, clock, signer) = (request.cwd.clone(), self.clock.clone(), self.signer.clone());
        let redactor = Redactor::new(self.redact);
        std::thread::spawn(move || {
            let git = Git::new(&cwd);
            let result = signer
                .get()
                .map_err(ToString::to_string)
                .and_then(|signer| {
                    items
                        .iter()
                        .enumerate()
                        .map(|(n, i)| {
                            let review = Review {
                                reviewed: true,
                                note: note.clone(),
                                hunks: hunks.get(n).cloned().flatten(),
                            };
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

/// Reads the story of one call on a worker thread, from the sessions the changes were read with.
fn story(
    shared: &SharedReader,
    session: String,
    call: String,
    prompt: Option<usize>,
    tx: Sender<ReviewMsg>,
) {
    let reader = shared.lock().ok().and_then(|r| r.clone());
    std::thread::spawn(move || {
        let story = reader
            .map(|r| call_story(&session, &call, prompt, r.as_ref()))
            .unwrap_or_default();
        let _ = tx.send(ReviewMsg::Story(Box::new(story)));
    });
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
