#![allow(clippy::unwrap_used)]
//! Every explorer screen rendered with ratatui's TestBackend and compared with a snapshot.

use std::path::PathBuf;

use crate::support::git;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use git_vouch::attest::standing::sessions_in_repository;
use git_vouch::clock::FixedClock;
use git_vouch::guard::rules::Level;
use git_vouch::index::Catalog;
use git_vouch::pricing::PriceTable;
use git_vouch::tui::app::Column;
use git_vouch::tui::worker::{Source, perform};
use git_vouch::tui::{Action, App, Effect, Keymap, LoadResult, Msg, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn app(catalog: Catalog, searched: &[&str], scope: Option<&str>) -> App {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        scope.map(PathBuf::from),
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Loaded(Box::new(LoadResult {
        catalog,
        searched: searched.iter().map(PathBuf::from).collect(),
    })));
    app
}

/// The demo sessions, with their commits found in the demo repository as the explorer's worker
/// finds them, checked against the demo's allowed signers (each attestation state on a commit).
fn demo() -> App {
    let mut app = app(git_vouch::demo::catalog(PriceTable::embedded()), &[], None);
    let tmp = tempfile::tempdir().unwrap();
    let signers = git_vouch::demo::allowed_signers(tmp.path());
    let commits =
        git_vouch::demo::with_repository(tmp.path(), |repo| sessions_in_repository(repo, &signers))
            .unwrap()
            .unwrap();
    app.update(Msg::CommitsLoaded(Box::new(commits)));
    app
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
}

/// Draws the app at a size, as the runner does after a resize: the conversation is laid out
/// for the new width (by the job run in place) before the frame is kept.
fn draw(app: &mut App, (w, h): (u16, u16)) -> String {
    let mut effects = app.update(Msg::Resize(w, h));
    while let Some(effect) = effects.pop() {
        let source = Source::Local {
            cache: None,
            data_dir: None,
            archives: Vec::new(),
        };
        if let Some(msg) = perform(effect, &source, PriceTable::embedded()) {
            effects.extend(app.update(msg));
        }
    }
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| app.render(f)).unwrap();
    terminal.backend().to_string()
}

#[test]
fn sessions() {
    for size in SIZES {
        let mut app = demo();
        insta::assert_snapshot!(
            format!("sessions_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_sorted_by_cost() {
    for size in SIZES {
        let mut app = demo();
        while app.list.sort != git_vouch::tui::app::Column::Cost {
            keys(&mut app, "s");
        }
        keys(&mut app, "jj");
        insta::assert_snapshot!(
            format!("sorted_by_cost_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_filtered_by_search() {
    for size in SIZES {
        let mut app = demo();
        keys(&mut app, "/haiku");
        insta::assert_snapshot!(
            format!("search_typing_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
        app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        keys(&mut app, "/ nothing-like-this");
        insta::assert_snapshot!(
            format!("search_no_match_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn sessions_searched_by_file_path() {
    let mut app = demo();
    keys(&mut app, "/importer.py");
    insta::assert_snapshot!("search_file_path_120x40", draw(&mut app, (120, 40)));
}

#[test]
fn sessions_scoped_to_a_repository() {
    for size in SIZES {
        let catalog = git_vouch::demo::catalog(PriceTable::embedded());
        let mut app = app(catalog, &[], Some("/home/dev/tasktrack"));
        insta::assert_snapshot!(
            format!("scoped_{}x{}", size.0, size.1),
            draw(&mut app, size)
        );
    }
}

#[test]
fn empty_state() {
    for size in SIZES {
        let searched = [
            "/home/u/.config/claude/projects",
            "/home/u/.claude/projects",
        ];
        let mut app = app(Catalog::default(), &searched, None);
        insta::assert_snapshot!(format!("empty_{}x{}", size.0, size.1), draw(&mut app, size));
    }
}

#[test]
fn loading() {
    let clock = FixedClock::parse("2026-11-21T12:00:00Z").unwrap();
    let mut app = App::new(
        Keymap::embedded(),
        Theme::embedded(true),
        Box::new(clock),
        None,
    );
    app.update(Msg::Action(Action::Reload));
    app.update(Msg::Tick);
    insta::assert_snapshot!("loading_80x24", draw(&mut app, (80, 24)));
}

#[test]
fn help() {
    for size in SIZES {
        let mut app = demo();
        keys(&mut app, "?");
        insta::assert_snapshot!(format!("help_{}x{}", size.0, size.1), draw(&mut app, size));
    }
}

#[test]
fn narrow_terminal() {
    let mut app = demo();
    insta::assert_snapshot!("sessions_60x20", draw(&mut app, (60, 20)));
    keys(&mut app, "?");
    insta::assert_snapshot!("help_60x20", draw(&mut app, (60, 20)));
}

/// Runs the jobs the effects ask for, in this thread, feeding the answers back until none is left.
fn settle(app: &mut App, effects: Vec<Effect>, source: &Source) {
    let mut queue = effects;
    while let Some(effect) = queue.pop() {
        if let Some(msg) = perform(effect, source, PriceTable::embedded()) {
            queue.extend(app.update(msg));
        }
    }
}

fn press(app: &mut App, source: &Source, code: KeyCode) {
    let effects = app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    settle(app, effects, source);
}

fn type_keys(app: &mut App, source: &Source, text: &str) {
    for c in text.chars() {
        press(app, source, KeyCode::Char(c));
    }
}

/// The demo with the session whose title starts with `title` opened and read in full.
fn open_session(title: &str) -> (App, Source, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let source = Source::Demo {
        repo_parent: dir.path().to_path_buf(),
    };
    let mut app = demo();
    while !app.selected().unwrap().display_title().starts_with(title) {
        keys(&mut app, "j");
    }
    press(&mut app, &source, KeyCode::Enter);
    assert!(app.open_data().unwrap().detail.is_some(), "read in full");
    (app, source, dir)
}

const IMPORT: &str = "Add `tasktrack import";

#[test]
fn detail_tabs() {
    for size in SIZES {
        let (mut app, source, _dir) = open_session(IMPORT);
        for tab in [
            "overview",
            "tokens",
            "tools",
            "subagents",
            "files",
            "conversation",
            "guard",
            "insights",
        ] {
            insta::assert_snapshot!(
                format!("detail_{tab}_{}x{}", size.0, size.1),
                draw(&mut app, size)
            );
            press(&mut app, &source, KeyCode::Tab);
        }
    }
}

#[test]
fn detail_interactions() {
    for size in SIZES {
        let tag = format!("{}x{}", size.0, size.1);
        let (mut app, source, _dir) = open_session(IMPORT);
        // Sub-agents: Enter opens the agent's own conversation; back returns to the list.
        type_keys(&mut app, &source, "4");
        press(&mut app, &source, KeyCode::Enter);
        insta::assert_snapshot!(
            format!("detail_subagent_conversation_{tag}"),
            draw(&mut app, size)
        );
        press(&mut app, &source, KeyCode::Esc);
        assert_eq!(
            app.detail.as_ref().unwrap().tab,
            git_vouch::tui::Tab::Subagents
        );
        // Files: the importer's diff, focused and highlighted.
        type_keys(&mut app, &source, "5");
        press(&mut app, &source, KeyCode::Enter);
        type_keys(&mut app, &source, "jjjj");
        press(&mut app, &source, KeyCode::Enter);
        insta::assert_snapshot!(format!("detail_diff_{tag}"), draw(&mut app, size));
        // Tools: the calls of Bash, with the failed one.
        type_keys(&mut app, &source, "3j");
        press(&mut app, &source, KeyCode::Enter);
        insta::assert_snapshot!(format!("detail_tool_calls_{tag}"), draw(&mut app, size));
        // Conversation: results unfolded, thinking shown, searched.
        type_keys(&mut app, &source, "6et/unittest");
        press(&mut app, &source, KeyCode::Enter);
        // Matches are found by the draw (they depend on the width): draw, then move to the next.
        draw(&mut app, size);
        type_keys(&mut app, &source, "n");
        insta::assert_snapshot!(
            format!("detail_conversation_search_{tag}"),
            draw(&mut app, size)
        );
    }
}

#[test]
fn detail_narrow_terminal() {
    let (mut app, source, _dir) = open_session(IMPORT);
    for tab in [
        "overview",
        "tokens",
        "tools",
        "subagents",
        "files",
        "conversation",
    ] {
        insta::assert_snapshot!(format!("detail_{tab}_60x20"), draw(&mut app, (60, 20)));
        press(&mut app, &source, KeyCode::Tab);
    }
}

/// A session with no tools, sub-agents, commits or conversation, whose files cannot be read.
#[test]
fn detail_empty_states() {
    let summary = git_vouch::session::SessionSummary {
        id: "0e0e0e0e-empty".into(),
        project: "nowhere".into(),
        first_prompt: Some("an empty session".into()),
        ..git_vouch::session::SessionSummary::default()
    };
    let catalog = Catalog {
        sessions: vec![summary],
        ..Catalog::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let source = Source::Demo {
        repo_parent: dir.path().to_path_buf(),
    };
    for size in [(80, 24), (60, 20)] {
        let mut app = app(catalog.clone(), &[], None);
        press(&mut app, &source, KeyCode::Enter);
        for tab in [
            "overview",
            "tokens",
            "tools",
            "subagents",
            "files",
            "conversation",
        ] {
            insta::assert_snapshot!(
                format!("detail_empty_{tab}_{}x{}", size.0, size.1),
                draw(&mut app, size)
            );
            press(&mut app, &source, KeyCode::Tab);
        }
    }
}

/// Before the worker answers, the detail shows a progress indicator and keys still work.
#[test]
fn detail_loading() {
    let mut app = demo();
    let effects = app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadDetail { .. }]),
        "{effects:?}"
    );
    app.update(Msg::Tick);
    insta::assert_snapshot!("detail_loading_80x24", draw(&mut app, (80, 24)));
    keys(&mut app, "3");
    assert_eq!(app.detail.as_ref().unwrap().tab, git_vouch::tui::Tab::Tools);
    keys(&mut app, "q");
    assert_eq!(app.screen, git_vouch::tui::Screen::Sessions);
}

/// Escape sequences and control characters in a transcript never reach the terminal, on any
/// tab, with thinking and tool results shown.
#[test]
fn detail_never_draws_what_a_transcript_smuggles_in() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{8}\r";
    let lines = [
        serde_json::json!({"type":"user","uuid":"u1","timestamp":"2026-11-21T10:00:00Z",
            "cwd":"/tmp/x","sessionId":"s-evil",
            "message":{"content":format!("hello{evil} world")}}),
        serde_json::json!({"type":"assistant","uuid":"a1","timestamp":"2026-11-21T10:00:01Z",
            "requestId":"r1","message":{"id":"m1","model":"claude-sonnet-4-5-20250929",
            "usage":{"input_tokens":10,"output_tokens":5},
            "content":[{"type":"thinking","thinking":format!("think{evil}")},
                {"type":"text","text":format!("answer{evil}\n\tindented")},
                {"type":"tool_use","id":"t1","name":format!("Bash{evil}"),
                 "input":{"command":format!("ls{evil}")}}]}}),
        serde_json::json!({"type":"user","uuid":"u2","timestamp":"2026-11-21T10:00:02Z",
            "message":{"content":[{"type":"tool_result","tool_use_id":"t1","is_error":true,
            "content":format!("out{evil}put")}]}}),
    ];
    let path = dir.path().join("s-evil.jsonl");
    let text: String = lines.iter().map(|l| l.to_string() + "\n").collect();
    std::fs::write(&path, text).unwrap();
    let summary = git_vouch::session::SessionSummary {
        id: format!("s-evil{evil}"),
        project: "x".into(),
        first_prompt: Some(format!("hello{evil}")),
        files: vec![path],
        ..git_vouch::session::SessionSummary::default()
    };
    let catalog = Catalog {
        sessions: vec![summary],
        ..Catalog::default()
    };
    let source = Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    };
    let mut app = app(catalog, &[], None);
    press(&mut app, &source, KeyCode::Enter);
    let mut seen = String::new();
    for _ in 0..6 {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|f| app.render(f)).unwrap();
        for cell in terminal.backend().buffer().content() {
            let symbol = cell.symbol();
            assert!(
                !symbol.chars().any(char::is_control),
                "control character drawn: {symbol:?}"
            );
            seen.push_str(symbol);
        }
        press(&mut app, &source, KeyCode::Tab);
    }
    type_keys(&mut app, &source, "6te");
    let shown = draw(&mut app, (100, 30));
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "{shown:?}"
    );
    assert!(shown.contains("hello world"), "{shown}");
    assert!(shown.contains("    indented"), "{shown}");
    assert!(shown.contains("│ output"), "{shown}");
    assert!(shown.contains("think"), "{shown}");
    assert!(
        !shown.contains("pwned") && !seen.contains("pwned"),
        "{shown}"
    );
}

/// With colours the diff is syntax-highlighted and the agent's gutter mark has its role's
/// colour; with NO_COLOR neither colour is drawn (the `A`/`H` letters still tell them apart).
#[test]
fn diff_colours_follow_no_color() {
    use ratatui::style::Color;
    let (mut app, source, _dir) = open_session(IMPORT);
    type_keys(&mut app, &source, "5");
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, "jjjj");
    press(&mut app, &source, KeyCode::Enter);
    let colours = |app: &mut App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
        terminal.draw(|f| app.render(f)).unwrap();
        let cells = terminal.backend().buffer().content().to_vec();
        let rgb = cells
            .iter()
            .filter(|c| matches!(c.fg, Color::Rgb(..)))
            .count();
        let agent_marks = cells
            .iter()
            .filter(|c| c.symbol() == "A" && c.fg == Color::LightMagenta)
            .count();
        (rgb, agent_marks)
    };
    app.theme = Theme::embedded(false);
    let (rgb, marks) = colours(&mut app);
    assert!(rgb > 100, "highlighted code: {rgb} cells");
    assert!(marks > 10, "agent marks: {marks}");
    // Highlighted tokens keep their spaces (a token ending in a space is not trimmed).
    let screen = draw(&mut app, (120, 40));
    assert!(
        screen.contains("class CsvImportError(ValueError):"),
        "{screen}"
    );
    assert!(!screen.contains("classCsvImportError"), "{screen}");
    app.theme = Theme::embedded(true);
    assert_eq!(colours(&mut app), (0, 0));
}

/// Nested sub-agents are drawn as a tree under their parents.
#[test]
fn detail_subagent_tree() {
    use git_vouch::session::detail::{SessionDetail, SubagentKind, SubagentNode};
    let node = |id: &str, kind: &str, children: Vec<SubagentNode>| SubagentNode {
        agent_id: id.into(),
        agent_type: Some(kind.into()),
        description: Some(format!("{kind} work")),
        tool_use_id: None,
        kind: SubagentKind::Task,
        tokens: git_vouch::usage::Tokens {
            output: 1200,
            ..Default::default()
        },
        cost: None,
        models: Vec::new(),
        tool_calls: 2,
        path: None,
        started: None,
        children,
    };
    let tree = vec![
        node(
            "a1",
            "planner",
            vec![
                node("a2", "explorer", vec![node("a3", "grep", Vec::new())]),
                node("a4", "reviewer", Vec::new()),
            ],
        ),
        node("a5", "writer", Vec::new()),
    ];
    let mut app = demo();
    let summary = app.selected().unwrap().clone();
    let id = summary.id.clone();
    let mut data = git_vouch::tui::SessionData::new(summary.clone());
    data.detail = Some(std::sync::Arc::new(SessionDetail {
        summary,
        tool_calls: Vec::new(),
        subagents: tree,
        files: Vec::new(),
        commits: Vec::new(),
        turns: Vec::new(),
        warnings: Vec::new(),
        secrets: std::collections::BTreeMap::new(),
        notices: Vec::new(),
    }));
    app.loaded.insert(id, data);
    app.update(Msg::Action(Action::Open));
    app.update(Msg::Action(Action::TabSubagents));
    insta::assert_snapshot!("detail_subagent_tree_80x24", draw(&mut app, (80, 24)));
}

mod detail_more;
mod exchanges;
/// Each screen's help at 80x24: its own keys, scrolled with j/k, saying which lines are shown.
#[test]
fn help_per_screen_80x24() {
    let size = (80, 24);
    let mut app = demo();
    keys(&mut app, "?");
    let top = draw(&mut app, size);
    insta::assert_snapshot!("help_list_80x24", top);
    assert!(
        top.contains("Keys · Sessions list") && top.contains("lines 1–"),
        "{top}"
    );
    keys(&mut app, "G");
    let bottom = draw(&mut app, size);
    insta::assert_snapshot!("help_list_end_80x24", bottom);
    assert!(
        bottom.contains("Stay") && bottom.contains("lines 6–27 of 27"),
        "{bottom}"
    );
    keys(&mut app, "?");

    let (mut app, source, _dir) = open_session(IMPORT);
    for (i, tab) in [
        "overview",
        "tokens",
        "tools",
        "subagents",
        "files",
        "conversation",
    ]
    .iter()
    .enumerate()
    {
        type_keys(&mut app, &source, &(i + 1).to_string());
        keys(&mut app, "?");
        let screen = draw(&mut app, size);
        insta::assert_snapshot!(format!("help_detail_{tab}_80x24"), screen);
        keys(&mut app, "?");
    }
}

/// The sessions list's footer names the keys to open a session, the Branch view and help.
#[test]
fn sessions_footer_80x24() {
    let mut app = demo();
    let screen = draw(&mut app, (80, 24));
    let footer = screen.lines().nth(23).unwrap().to_owned();
    insta::assert_snapshot!("sessions_footer_80x24", footer);
    for hint in ["enter open", "b branch", "? help"] {
        assert!(footer.contains(hint), "{footer}");
    }
}

/// A clone elsewhere keeps its sessions: those its commits credit (`Vouch-Session` trailers),
/// those archived in its capture state (of any worktree), and those run in one of its worktrees.
#[test]
fn sessions_scoped_by_the_repositorys_commits_archive_and_worktrees() {
    let tmp = tempfile::tempdir().unwrap();
    let mut catalog = git_vouch::demo::catalog(PriceTable::embedded());
    let ids: Vec<String> = catalog.sessions.iter().map(|s| s.id.clone()).collect();
    let origin = tmp.path().join("origin");
    std::fs::create_dir_all(&origin).unwrap();
    git::git(&origin, &["init", "-q", "-b", "main"]);
    std::fs::write(origin.join("a.txt"), "a\n").unwrap();
    git::git(&origin, &["add", "a.txt"]);
    let message = format!("Add a\n\nVouch-Session: {}", ids[0]);
    git::git(&origin, &["commit", "-q", "-m", &message]);
    let clone = tmp.path().join("moved/clone");
    git::git(
        tmp.path(),
        &["clone", "-q", "origin", &clone.display().to_string()],
    );
    let linked = tmp.path().join("linked");
    git::git(
        &clone,
        &["worktree", "add", "-q", &linked.display().to_string()],
    );
    let main_state = clone.join(".git/vouch/sessions");
    std::fs::create_dir_all(&main_state).unwrap();
    std::fs::write(main_state.join(format!("{}.json", ids[1])), "{}").unwrap();
    let linked_state = clone
        .join(".git/worktrees/linked/vouch/transcripts")
        .join(&ids[2]);
    std::fs::create_dir_all(&linked_state).unwrap();
    catalog.sessions[3].cwd = Some(linked.join("src").display().to_string());
    // What the guard checked: a critical call in one session, a high one in a linked worktree's.
    let checked = |level: &str| {
        format!(
            "{{\"ts\":\"2026-11-20T10:00:00Z\",\"event\":\"PreToolUse\",\"tool\":\"Bash\",\"guard\":{{\"mode\":\"enforce\",\"level\":\"{level}\",\"verdict\":\"allow\",\"interactive\":true,\"micros\":9}}}}\n"
        )
    };
    let events = clone.join(".git/vouch/events");
    std::fs::create_dir_all(&events).unwrap();
    let text = [checked("low"), checked("critical"), checked("critical")].concat();
    std::fs::write(events.join(format!("{}.jsonl", ids[1])), text).unwrap();
    let linked_events = clone.join(".git/worktrees/linked/vouch/events");
    std::fs::create_dir_all(&linked_events).unwrap();
    let text = [checked("high"), "{\"event\":\"Stop\"}\n".to_owned()].concat();
    std::fs::write(linked_events.join(format!("{}.jsonl", ids[2])), text).unwrap();
    let scope = clone.display().to_string();
    let mut app = app(catalog, &[], Some(&scope));
    let source = uncached();
    settle(
        &mut app,
        vec![
            Effect::LoadCommits(Some(clone.clone())),
            Effect::LoadScope(clone.clone()),
        ],
        &source,
    );
    let mut shown: Vec<String> = app.shown().map(|s| s.id.clone()).collect();
    shown.sort();
    let mut expected = ids[..4].to_vec();
    expected.sort();
    assert_eq!(shown, expected);
    let screen = draw(&mut app, (120, 40));
    assert!(
        !screen.contains("No sessions in this repository"),
        "{screen}"
    );
    // The guard's findings: the riskiest call per session, and a Risk column to sort by.
    let risk = |id: &str| app.list.repo.risks.get(id).map(|r| (r.worst, r.at_worst));
    assert_eq!(risk(&ids[1]), Some((Level::Critical, 2)));
    assert_eq!(risk(&ids[2]), Some((Level::High, 1)));
    assert_eq!(risk(&ids[0]), None);
    assert!(
        screen.contains("Risk") && screen.contains("critical"),
        "{screen}"
    );
    assert_eq!(app.list.columns().last(), Some(&Column::Risk));
    keys(&mut app, "o");
    keys(&mut app, "G");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert_eq!(app.list.sort, Column::Risk);
    let order: Vec<&str> = app.shown().map(|s| s.id.as_str()).take(2).collect();
    assert_eq!(order, [ids[1].as_str(), ids[2].as_str()], "riskiest first");
}

/// `W` opens the live view of the repository the explorer is scoped to; without one it says why
/// in the footer until the next key.
#[test]
fn the_live_view_opens_for_the_scoped_repository_or_says_why_not() {
    let mut scoped = app(
        git_vouch::demo::catalog(PriceTable::embedded()),
        &[],
        Some("/srv/shop"),
    );
    let effects = scoped.update(Msg::Action(Action::Watch));
    assert_eq!(effects, [Effect::Watch(PathBuf::from("/srv/shop"))]);
    let mut demo = demo();
    assert!(demo.update(Msg::Action(Action::Watch)).is_empty());
    let screen = draw(&mut demo, (80, 24));
    assert!(
        screen.contains("the live view watches a repository"),
        "{screen}"
    );
    keys(&mut demo, "j");
    let screen = draw(&mut demo, (80, 24));
    assert!(!screen.contains("the live view watches"), "{screen}");
    // A view that cannot open (another watcher is attached) is said the same way.
    demo.update(Msg::Notice("the live view cannot open: another".into()));
    assert!(draw(&mut demo, (80, 24)).contains("the live view cannot open"));
}

/// The local sessions without the index cache, recordings or archives.
fn uncached() -> Source {
    Source::Local {
        cache: None,
        data_dir: None,
        archives: Vec::new(),
    }
}

/// The Files tab's `B`: the selected file at the selected commit, each line with who wrote it
/// (the importer session's lines marked `A` with the prompt number), the prompt behind the top
/// agent line below; `B` again shows the diff.
#[test]
fn files_tab_blame() {
    let (mut app, source, _dir) = open_session(IMPORT);
    type_keys(&mut app, &source, "5");
    press(&mut app, &source, KeyCode::Enter);
    type_keys(&mut app, &source, "jjjj");
    type_keys(&mut app, &source, "B");
    let data = app.open_data().unwrap();
    let blame = data.blames.values().next().expect("the blame was read");
    let blame = blame.clone().expect("the demo repository blames");
    assert!(blame.totals.agent > 20, "{:?}", blame.totals);
    let id = &data.summary.id.clone();
    assert!(
        blame
            .lines
            .iter()
            .any(|l| l.session.as_deref() == Some(id.as_str())),
        "the session's own lines are named"
    );
    let screen = draw(&mut app, (120, 40));
    assert!(screen.contains(" blame tasktrack/importer.py"), "{screen}");
    assert!(screen.contains(&format!("A {} #1", &id[..8])), "{screen}");
    assert!(screen.contains("prompt 1: "), "{screen}");
    insta::assert_snapshot!("detail_files_blame_120x40", screen);
    type_keys(&mut app, &source, "G");
    let scroll = app.detail.as_ref().unwrap().files.blame_scroll;
    assert_eq!(scroll, blame.lines.len() - 1, "the end, within the lines");
    type_keys(&mut app, &source, "B");
    assert!(draw(&mut app, (120, 40)).contains("@@"), "the diff again");
}
