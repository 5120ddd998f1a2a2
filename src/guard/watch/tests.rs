use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

fn held() -> Held {
    Held {
        protocol: PROTOCOL,
        session_id: "s1".into(),
        agent_id: None,
        tool: "Bash".into(),
        tool_use_id: Some("toolu_1".into()),
        cwd: Some("/srv/shop".into()),
        input: json!({"command": "rm -rf /srv/other"}),
        level: Level::Critical,
        categories: vec![Category::Destructive],
        rules: vec!["delete-outside".into()],
        reason: Some("deletes outside the repository".into()),
        fallback: Verdict::Ask,
        wait_secs: 5,
    }
}

#[test]
fn a_held_call_reaches_the_watcher_and_its_answer_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    let watcher = Watcher::bind(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the socket is its owner's only");
    assert!(is_attached(&path));
    let answering = std::thread::spawn(move || {
        let incoming = watcher.accept().unwrap();
        assert_eq!(incoming.held, held());
        assert!(!incoming.hook_gone());
        let reply = Reply {
            answer: Answer::Deny,
            reason: Some("not on my machine".into()),
            by: "alice".into(),
        };
        incoming.answer(&reply).unwrap();
        watcher
    });
    let reply = hold(&path, &held(), Duration::from_secs(5)).unwrap();
    assert_eq!(reply.answer, Answer::Deny);
    assert_eq!(reply.reason.as_deref(), Some("not on my machine"));
    assert_eq!(reply.by, "alice");
    drop(answering.join().unwrap());
    assert!(!path.exists(), "the socket goes with the watcher");
    assert!(matches!(
        hold(&path, &held(), Duration::from_secs(1)),
        Err(WatchError::NoWatcher)
    ));
}

#[test]
fn a_watcher_that_never_answers_is_given_up_on_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    let watcher = Watcher::bind(&path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let silent = std::thread::spawn(move || {
        let incoming = watcher.accept().unwrap();
        // The hook gives up; the watcher sees it gone and its answer fails.
        let gone: bool = rx.recv().unwrap();
        assert!(gone);
        // Its close may reach this end a moment later on a loaded machine: look a few times.
        let seen = (0..200).any(|_| {
            let gone = incoming.hook_gone();
            if !gone {
                std::thread::sleep(Duration::from_millis(10));
            }
            gone
        });
        assert!(seen, "the hook's end never closed");
        let reply = Reply {
            answer: Answer::Allow,
            reason: None,
            by: "late".into(),
        };
        assert!(incoming.answer(&reply).is_err());
    });
    let started = Instant::now();
    let err = hold(&path, &held(), Duration::from_millis(300)).unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, WatchError::NoAnswer(_)), "{err}");
    assert!(waited >= Duration::from_millis(290), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    tx.send(true).unwrap();
    silent.join().unwrap();
}

#[test]
fn a_watcher_that_closes_or_answers_garbage_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    let watcher = Watcher::bind(&path).unwrap();
    let closing = std::thread::spawn(move || {
        drop(watcher.accept().unwrap());
        watcher
    });
    let err = hold(&path, &held(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, WatchError::Closed), "{err}");
    let watcher = closing.join().unwrap();
    let garbling = std::thread::spawn(move || {
        let incoming = watcher.accept().unwrap();
        std::io::Write::write_all(&mut &incoming.stream, b"{\"answer\":\"maybe\"}\n").unwrap();
        watcher
    });
    let err = hold(&path, &held(), Duration::from_secs(5)).unwrap_err();
    assert!(matches!(err, WatchError::Garbled(_)), "{err}");
    drop(garbling.join().unwrap());
}

#[test]
fn one_watcher_per_repository_and_a_stale_socket_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = socket_path(dir.path());
    let first = Watcher::bind(&path).unwrap();
    let err = Watcher::bind(&path).err().unwrap();
    assert!(matches!(err, WatchError::AlreadyWatched(_)), "{err}");
    // A watcher that died without removing its socket leaves one nobody listens on.
    std::mem::forget(first);
    let stale = std::os::unix::net::UnixListener::bind(dir.path().join("other.sock")).unwrap();
    drop(stale);
    let _ = std::fs::remove_file(&path);
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(is_attached(&path));
    let second = Watcher::bind(&path).unwrap();
    assert_eq!(second.path(), path);
}

#[test]
fn a_long_state_path_moves_the_socket_to_a_private_folder() {
    let short = socket_path(Path::new("/srv/shop/.git/vouch"));
    assert_eq!(short, Path::new("/srv/shop/.git/vouch/watch.sock"));
    let deep = format!("/srv/{}/.git/vouch", "nested/".repeat(20));
    let moved = socket_path(Path::new(&deep));
    assert!(moved.starts_with(private_folder()), "{}", moved.display());
    assert!(moved.as_os_str().len() <= 100);
    assert_ne!(moved, socket_path(Path::new(&format!("{deep}x"))));
}

#[test]
fn the_wait_defaults_and_stays_inside_the_hook_timeout() {
    assert_eq!(wait_for(None), Duration::from_secs(DEFAULT_WAIT_SECS));
    assert_eq!(wait_for(Some("15")), Duration::from_secs(15));
    assert_eq!(wait_for(Some(" 0 ")), Duration::ZERO);
    assert_eq!(
        wait_for(Some("soon")),
        Duration::from_secs(DEFAULT_WAIT_SECS)
    );
    assert_eq!(wait_for(Some("100000")), Duration::from_secs(MAX_WAIT_SECS));
    const { assert!(MAX_WAIT_SECS + 30 <= HOOK_TIMEOUT_SECS) };
}
