//! The review screen's state and its one mutator, [`ReviewApp::update`].

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui_textarea::TextArea;

use crate::attest::publish::{Attested, Prepared};
use crate::push::review::{Decision, Request, Target};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::theme::Theme;

/// One target with its evidence, serialized once, and those bytes laid out for reading.
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub target: Target,
    pub prepared: Prepared,
    pub lines: Vec<String>,
}

impl Reviewed {
    pub fn new(target: Target, prepared: Prepared) -> Self {
        let lines = prepared.pretty().lines().map(str::to_owned).collect();
        Self {
            target,
            prepared,
            lines,
        }
    }
}

/// Where the review is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Building the evidence; the number animates the spinner.
    Preparing(usize),
    Ready,
    Signing(usize),
    /// The evidence could not be built: only abort (or push unattested, where allowed) remain.
    Failed(String),
}

/// The pane keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Summary,
    Evidence,
    Note,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum ReviewMsg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Prepared(Result<Vec<Reviewed>, String>),
    Signed(Result<Vec<Attested>, String>),
}

/// What the runner does for the screen.
#[derive(Debug, Clone)]
pub enum ReviewEffect {
    /// Hand over every target's evidence, built before the screen opened (answers `Prepared`).
    Prepare,
    /// Sign exactly the prepared evidence with this note and attach it (answers `Signed`).
    Sign { note: Option<String> },
    /// Close the screen with the decision.
    Finish(Decision),
}

/// Everything the review screen shows.
pub struct ReviewApp {
    pub keymap: Keymap,
    pub theme: Theme,
    pub request: Request,
    pub phase: Phase,
    pub items: Vec<Reviewed>,
    pub focus: Focus,
    pub summary_scroll: usize,
    pub evidence_scroll: usize,
    pub note: TextArea<'static>,
    /// The last thing to tell the person (a failed signature, a refused choice).
    pub message: Option<String>,
    pub help: bool,
    /// The terminal's height, for page moves.
    pub height: u16,
}

impl ReviewApp {
    pub fn new(keymap: Keymap, theme: Theme, request: Request) -> Self {
        let mut note = TextArea::default();
        note.set_placeholder_text("A note for the attestation (optional): what you checked, why");
        Self {
            keymap,
            theme,
            request,
            phase: Phase::Preparing(0),
            items: Vec::new(),
            focus: Focus::Summary,
            summary_scroll: 0,
            evidence_scroll: 0,
            note,
            message: None,
            help: false,
            height: 24,
        }
    }

    /// The first effects: build the evidence.
    pub fn start(&mut self) -> Vec<ReviewEffect> {
        vec![ReviewEffect::Prepare]
    }

    /// The note as written (trimmed; none when blank).
    pub fn note_text(&self) -> Option<String> {
        let text = self.note.lines().join("\n");
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    pub fn update(&mut self, msg: ReviewMsg) -> Vec<ReviewEffect> {
        match msg {
            ReviewMsg::Key(key) => self.key(key),
            ReviewMsg::Mouse(m) => {
                self.mouse(m);
                Vec::new()
            }
            ReviewMsg::Resize(_, h) => {
                self.height = h;
                Vec::new()
            }
            ReviewMsg::Tick => {
                match &mut self.phase {
                    Phase::Preparing(n) | Phase::Signing(n) => *n += 1,
                    _ => {}
                }
                Vec::new()
            }
            ReviewMsg::Prepared(Ok(items)) => {
                self.items = items;
                self.phase = Phase::Ready;
                Vec::new()
            }
            ReviewMsg::Prepared(Err(e)) => {
                self.phase = Phase::Failed(e);
                Vec::new()
            }
            ReviewMsg::Signed(Ok(done)) => vec![ReviewEffect::Finish(Decision::Signed(done))],
            ReviewMsg::Signed(Err(e)) => {
                self.phase = Phase::Ready;
                self.message = Some(format!("Not signed: {e}"));
                Vec::new()
            }
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<ReviewEffect> {
        let action = self.keymap.action_for(&key);
        if self.help {
            if matches!(action, Some(Action::Help | Action::Back)) {
                self.help = false;
            }
            return Vec::new();
        }
        if self.focus == Focus::Note {
            match action {
                Some(a @ (Action::Sign | Action::PushUnattested | Action::Quit)) => {
                    return self.act(a);
                }
                Some(a @ (Action::NextTab | Action::PrevTab)) => return self.act(a),
                _ if key.code == KeyCode::Esc => self.focus = Focus::Summary,
                _ => {
                    self.note.input(key);
                }
            }
            return Vec::new();
        }
        action.map(|a| self.act(a)).unwrap_or_default()
    }

    fn act(&mut self, action: Action) -> Vec<ReviewEffect> {
        self.message = None;
        let page = usize::from(self.height.saturating_sub(8).max(1));
        match action {
            Action::Back | Action::Quit => return vec![ReviewEffect::Finish(Decision::Abort)],
            Action::Help => self.help = true,
            Action::NextTab => self.focus = cycle(self.focus, 1),
            Action::PrevTab => self.focus = cycle(self.focus, 2),
            Action::Sign => return self.sign(),
            Action::PushUnattested => return self.unattested(),
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::PageDown => self.scroll(page as isize),
            Action::PageUp => self.scroll(-(page as isize)),
            Action::Top => self.scroll(isize::MIN / 2),
            Action::Bottom => self.scroll(isize::MAX / 2),
            _ => {}
        }
        Vec::new()
    }

    /// Whether policy violations forbid signing (`vouch.policy enforce`).
    pub fn blocked_by_policies(&self) -> bool {
        self.request.enforce_policies
            && self.items.iter().any(|i| {
                i.prepared
                    .evidence
                    .policies
                    .as_ref()
                    .is_some_and(crate::policy::PolicyReport::has_violations)
            })
    }

    fn sign(&mut self) -> Vec<ReviewEffect> {
        match self.phase {
            Phase::Ready if self.blocked_by_policies() => {
                self.message = Some(
                    "vouch.policy is enforce: fix the policy violations, or abort.".to_owned(),
                );
                Vec::new()
            }
            Phase::Ready => {
                self.phase = Phase::Signing(0);
                vec![ReviewEffect::Sign {
                    note: self.note_text(),
                }]
            }
            Phase::Failed(_) => {
                self.message = Some("There is no evidence to sign.".to_owned());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn unattested(&mut self) -> Vec<ReviewEffect> {
        if self.request.allow_unattested && self.request.pushing() {
            return vec![ReviewEffect::Finish(Decision::PushUnattested)];
        }
        self.message = Some(if self.request.pushing() {
            "vouch.review is required here: sign, or abort the push.".to_owned()
        } else {
            "Not pushing: sign, or leave without signing.".to_owned()
        });
        Vec::new()
    }

    fn scroll(&mut self, by: isize) {
        let (pos, len) = match self.focus {
            Focus::Summary => (
                &mut self.summary_scroll,
                super::summary::lines(&self.items, &self.theme).len(),
            ),
            Focus::Evidence => (
                &mut self.evidence_scroll,
                self.items.iter().map(|i| i.lines.len() + 2).sum::<usize>(),
            ),
            Focus::Note => return,
        };
        *pos = pos.saturating_add_signed(by).min(len.saturating_sub(1));
    }

    fn mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollDown => self.scroll(3),
            MouseEventKind::ScrollUp => self.scroll(-3),
            _ => {}
        }
    }
}

fn cycle(focus: Focus, by: usize) -> Focus {
    const ORDER: [Focus; 3] = [Focus::Summary, Focus::Evidence, Focus::Note];
    let i = ORDER.iter().position(|f| *f == focus).unwrap_or(0);
    ORDER[(i + by) % ORDER.len()]
}
