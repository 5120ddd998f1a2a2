//! The review screen's state and its one mutator, [`ReviewApp::update`].

use crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use ratatui_textarea::TextArea;

use crate::attest::hunk_review::{HunkMark, MarkedHunk};
use crate::attest::publish::{Attested, Prepared};
use crate::provenance::blame::CallStory;
use crate::push::review::{Decision, Request, Target};
use crate::tui::action::Action;
use crate::tui::keymap::Keymap;
use crate::tui::range_diff::{ChangesState, TargetChanges};
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

/// The pane keys go to: one of the body's tabs, or the note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The diff of what is pushed, hunk by hunk.
    Changes,
    /// The commits, sessions, commands, guard, insights and policies.
    Summary,
    /// The exact evidence document that gets signed.
    Evidence,
    Note,
}

impl Focus {
    /// The body's tabs, in order.
    pub const TABS: [Self; 3] = [Self::Changes, Self::Summary, Self::Evidence];

    pub fn title(self) -> &'static str {
        match self {
            Self::Changes => "Changes",
            Self::Summary => "Sessions & commands",
            Self::Evidence => "Evidence to sign",
            Self::Note => "Note",
        }
    }
}

/// What led to the selected hunk (`enter`): loading, or the story of its first agent line.
#[derive(Debug, Clone)]
pub struct StoryView {
    /// `src/a.rs @@ -1,2 +1,4 @@ · session 1a2b3c4d`.
    pub title: String,
    pub story: Option<CallStory>,
    pub scroll: usize,
}

/// What happened.
#[derive(Debug, Clone)]
pub enum ReviewMsg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    Tick,
    Prepared(Result<Vec<Reviewed>, String>),
    /// Each range's diff with its authors, built on a worker.
    Changes(Box<Result<Vec<TargetChanges>, String>>),
    Story(Box<CallStory>),
    Signed(Result<Vec<Attested>, String>),
}

/// What the runner does for the screen.
#[derive(Debug, Clone)]
pub enum ReviewEffect {
    /// Hand over every target's evidence, built before the screen opened (answers `Prepared`).
    Prepare,
    /// Read each range's diff and who wrote its lines (answers `Changes`).
    LoadChanges,
    /// Read the story of one tool call of a session (answers `Story`).
    Story {
        session: String,
        call: String,
        prompt: Option<usize>,
    },
    /// Sign exactly the prepared evidence with this note and, per range, the marked agent hunks
    /// (`None`: the changes were not read), and attach it (answers `Signed`).
    Sign {
        note: Option<String>,
        hunks: Vec<Option<Vec<MarkedHunk>>>,
    },
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
    /// The body's tab on screen (the last one focused while the note has the keys).
    pub shown: Focus,
    pub changes: ChangesState,
    /// The comment being written for a flag.
    pub comment: Option<TextArea<'static>>,
    pub story: Option<StoryView>,
    pub summary_scroll: usize,
    pub evidence_scroll: usize,
    pub note: TextArea<'static>,
    /// The last thing to tell the person (a failed signature, a refused choice).
    pub message: Option<String>,
    pub help: bool,
    /// The terminal's height, for page moves.
    pub height: u16,
    /// Ticks since the screen opened (spinners).
    pub tick: usize,
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
            focus: Focus::Changes,
            shown: Focus::Changes,
            changes: ChangesState::default(),
            comment: None,
            story: None,
            summary_scroll: 0,
            evidence_scroll: 0,
            note,
            message: None,
            help: false,
            height: 24,
            tick: 0,
        }
    }

    /// The first effects: build the evidence.
    pub fn start(&mut self) -> Vec<ReviewEffect> {
        vec![ReviewEffect::Prepare, ReviewEffect::LoadChanges]
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
                self.tick = self.tick.wrapping_add(1);
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
            ReviewMsg::Changes(result) => {
                self.changes = match *result {
                    Ok(targets) => ChangesState::ready(targets),
                    Err(e) => ChangesState::failed(e),
                };
                Vec::new()
            }
            ReviewMsg::Story(story) => {
                if let Some(v) = &mut self.story {
                    v.story = Some(*story);
                }
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
        if self.comment.is_some() {
            self.comment_key(key);
            return Vec::new();
        }
        if self.story.is_some() {
            return self.story_key(action);
        }
        if self.focus == Focus::Note {
            match action {
                Some(a @ (Action::Sign | Action::PushUnattested | Action::Quit)) => {
                    return self.act(a);
                }
                Some(a @ (Action::NextTab | Action::PrevTab)) => return self.act(a),
                _ if key.code == KeyCode::Esc => self.focus = self.shown,
                _ => {
                    self.note.input(key);
                }
            }
            return Vec::new();
        }
        action.map(|a| self.act(a)).unwrap_or_default()
    }

    /// Writing a flag's comment: enter keeps it (not when blank), esc drops the flag.
    fn comment_key(&mut self, key: KeyEvent) {
        match key.code {
            KeyCode::Esc => self.comment = None,
            KeyCode::Enter => {
                let text = self
                    .comment
                    .as_ref()
                    .map(|c| c.lines().join(" ").trim().to_owned())
                    .unwrap_or_default();
                if text.is_empty() {
                    self.message = Some("A flag needs a comment: say what is wrong.".to_owned());
                } else {
                    self.comment = None;
                    self.message = None;
                    self.changes.mark(HunkMark::Flagged, Some(text));
                }
            }
            _ => {
                if let Some(c) = &mut self.comment {
                    c.input(key);
                }
            }
        }
    }

    fn story_key(&mut self, action: Option<Action>) -> Vec<ReviewEffect> {
        let Some(v) = &mut self.story else {
            return Vec::new();
        };
        match action {
            Some(Action::Back | Action::Open) => self.story = None,
            Some(Action::Down) => v.scroll = v.scroll.saturating_add(1),
            Some(Action::Up) => v.scroll = v.scroll.saturating_sub(1),
            Some(Action::PageDown) => v.scroll = v.scroll.saturating_add(10),
            Some(Action::PageUp) => v.scroll = v.scroll.saturating_sub(10),
            Some(Action::Quit) => return self.act(Action::Quit),
            _ => {}
        }
        Vec::new()
    }

    fn act(&mut self, action: Action) -> Vec<ReviewEffect> {
        self.message = None;
        let page = usize::from(self.height.saturating_sub(8).max(1));
        match action {
            Action::Back | Action::Quit => return vec![ReviewEffect::Finish(Decision::Abort)],
            Action::Help => self.help = true,
            Action::TabOverview => self.set_focus(Focus::Changes),
            Action::TabTokens => self.set_focus(Focus::Summary),
            Action::TabTools => self.set_focus(Focus::Evidence),
            Action::NextTab => self.set_focus(cycle(self.focus, 1)),
            Action::PrevTab => self.set_focus(cycle(self.focus, 3)),
            Action::Sign => return self.sign(),
            Action::PushUnattested => return self.unattested(),
            Action::Down => self.scroll(1),
            Action::Up => self.scroll(-1),
            Action::PageDown => self.scroll(page as isize),
            Action::PageUp => self.scroll(-(page as isize)),
            Action::Top => self.scroll(isize::MIN / 2),
            Action::Bottom => self.scroll(isize::MAX / 2),
            a if self.focus == Focus::Changes => return self.hunk_action(a),
            _ => {}
        }
        Vec::new()
    }

    fn set_focus(&mut self, focus: Focus) {
        self.focus = focus;
        if focus != Focus::Note {
            self.shown = focus;
        }
    }

    /// The Changes tab's own keys: step between agent hunks, mark one, open its story.
    fn hunk_action(&mut self, action: Action) -> Vec<ReviewEffect> {
        match action {
            Action::NextMatch => self.changes.step(1),
            Action::PrevMatch => self.changes.step(-1),
            Action::NextPane => self.changes.step_file(1),
            Action::PrevPane => self.changes.step_file(-1),
            Action::MarkRead => self.changes.mark(HunkMark::Read, None),
            Action::MarkSkipped => self.changes.mark(HunkMark::Skipped, None),
            Action::MarkFlagged if self.changes.current().is_some() => {
                let mut c = TextArea::default();
                c.set_placeholder_text(
                    "What is wrong with this hunk? (enter: flag it, esc: cancel)",
                );
                self.comment = Some(c);
            }
            Action::Open => return self.open_story(),
            _ => {}
        }
        Vec::new()
    }

    /// The story of the selected hunk's first agent line.
    fn open_story(&mut self) -> Vec<ReviewEffect> {
        let Some((c, h, _, _)) = self.changes.current() else {
            return Vec::new();
        };
        let session = h.first.session.clone().unwrap_or_default();
        let short: String = session.chars().take(8).collect();
        let title = format!(
            " {} {} · session {short} ",
            c.diff.files[h.file].path, h.header
        );
        let call = h.first.tool_use_id.clone();
        let prompt = h.first.prompt;
        match call {
            Some(call) if !session.is_empty() => {
                self.story = Some(StoryView {
                    title,
                    story: None,
                    scroll: 0,
                });
                vec![ReviewEffect::Story {
                    session,
                    call,
                    prompt,
                }]
            }
            _ => {
                self.message = Some(
                    "No tool call is known for this hunk: its session's transcript was not found."
                        .to_owned(),
                );
                Vec::new()
            }
        }
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

    /// Why the hunk review forbids signing yet (`vouch.review.hunks all`), if it does.
    pub fn blocked_by_hunks(&self) -> Option<String> {
        if !self.request.require_hunks {
            return None;
        }
        if !self.changes.loaded || self.changes.error.is_some() {
            return Some(
                "vouch.review.hunks is all: the changes must be read before signing".to_owned(),
            );
        }
        let c = self.changes.coverage();
        (!c.complete()).then(|| {
            format!(
                "vouch.review.hunks is all: {} of {} agent hunks not marked yet",
                c.unmarked, c.agent_hunks
            )
        })
    }

    /// Per range, the marked agent hunks to sign (`None` where the changes were not read or
    /// hold no agent hunk).
    fn marked_hunks(&self) -> Vec<Option<Vec<MarkedHunk>>> {
        (0..self.items.len())
            .map(|i| {
                let c = self.changes.targets.get(i)?;
                (!c.hunks.is_empty()).then(|| c.marked())
            })
            .collect()
    }

    fn sign(&mut self) -> Vec<ReviewEffect> {
        match self.phase {
            Phase::Ready if self.blocked_by_policies() => {
                self.message = Some(
                    "vouch.policy is enforce: fix the policy violations, or abort.".to_owned(),
                );
                Vec::new()
            }
            Phase::Ready if self.blocked_by_hunks().is_some() => {
                self.message = self
                    .blocked_by_hunks()
                    .map(|why| format!("{why}: mark them, or abort."));
                Vec::new()
            }
            Phase::Ready => {
                self.phase = Phase::Signing(0);
                vec![ReviewEffect::Sign {
                    note: self.note_text(),
                    hunks: self.marked_hunks(),
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
        if let Some(v) = &mut self.story {
            v.scroll = v.scroll.saturating_add_signed(by);
            return;
        }
        let (pos, len) = match self.focus {
            Focus::Changes => {
                let page = usize::from(self.height.saturating_sub(8));
                self.changes.scroll_by(by, page);
                return;
            }
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
    const ORDER: [Focus; 4] = [Focus::Changes, Focus::Summary, Focus::Evidence, Focus::Note];
    let i = ORDER.iter().position(|f| *f == focus).unwrap_or(0);
    ORDER[(i + by) % ORDER.len()]
}
