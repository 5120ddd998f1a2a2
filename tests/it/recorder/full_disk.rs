//! A recorder whose store's disk fills up (a real one: a small tmpfs mounted for the recorder
//! alone, in a user and mount namespace made with `unshare`): the agent still gets every answer
//! byte for byte, the summary names what could not be stored and why, nothing stored before is
//! lost, and the next recorder records into the same store.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use git_vouch::recorder::exchange::Outcome;
use git_vouch::recorder::store::Store;
use serde_json::json;

use super::{Mock, Script, messages, read_response, recorder, request, stream_events};
use crate::support::cli::TestEnv;

/// Whether `unshare` can make a user and mount namespace here (to mount a disk of our own).
fn namespaces_work() -> bool {
    Command::new("unshare")
        .args(["-Urm", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The long-running recorder with its store on a tmpfs of `size`, mounted at `store` for it
/// alone; when it ends, the store is copied to `copy` (the tmpfs goes with the namespace).
fn on_small_disk(env: &TestEnv, mock: &Mock, store: &Path, copy: &Path) -> (Child, SocketAddr) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = r#"mount -t tmpfs -o size=160k tmpfs "$STORE" || exit 97
"$@"; rc=$?
cp -a "$STORE"/. "$COPY"/
exit $rc"#;
    let child = env
        .program("unshare", env.root())
        .args(["-Urm", "sh", "-c", script, "sh"])
        .arg(env!("CARGO_BIN_EXE_git-vouch"))
        .args(["record", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--upstream", &mock.url(), "--store"])
        .arg(store)
        .env("STORE", store)
        .env("COPY", copy)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while TcpStream::connect(addr).is_err() {
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, addr)
}

/// The recorder in its namespace, stopped (with the shell around it) if the test fails first.
struct Running(Option<Child>);

impl Running {
    /// Stops the recorder as a person would (SIGTERM) and waits for the shell to copy the store.
    fn stop(mut self) -> std::process::Output {
        let child = self.0.take().unwrap();
        let stop = Command::new("pkill")
            .args(["-TERM", "-P", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(stop.success());
        child.wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = Command::new("pkill")
                .args(["-KILL", "-P", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_full_disk_costs_the_agent_nothing_and_loses_nothing_stored() {
    if !namespaces_work() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "unshare cannot make a user and mount namespace for the full-disk test"
        );
        eprintln!("skipping: unshare cannot make a user and mount namespace here");
        return;
    }
    let mock = Mock::start(Script::Stream(stream_events("answer")), None);
    let env = TestEnv::new();
    let (store, copy) = (env.root().join("store"), env.root().join("copy"));
    std::fs::create_dir_all(&store).unwrap();
    std::fs::create_dir_all(&copy).unwrap();
    let (child, addr) = on_small_disk(&env, &mock, &store, &copy);
    let running = Running(Some(child));
    let (mut first, _) = request(addr, "k", "s-full", &messages(1));
    read_response(&mut first);
    // A request larger than the disk's free space (stored after the first: one writer, in
    // order): relayed whole, not stored.
    let big = json!([{"role":"user","content":[{"type":"text","text":"x".repeat(400_000)}]}]);
    let (mut second, _) = request(addr, "k", "s-full", &big);
    assert_eq!(
        read_response(&mut second),
        mock.sent_bytes(1),
        "the agent's answer"
    );
    let (mut third, _) = request(addr, "k", "s-full", &messages(3));
    assert_eq!(read_response(&mut third), mock.sent_bytes(2));
    let out = running.stop();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("git-vouch record: 3 exchanges (0 failed, 0 refused)")
            && stderr.contains("not stored: exchange store ")
            && stderr.contains("database or disk is full"),
        "{stderr}"
    );
    // What was stored before the disk filled is all there, and the next recorder records.
    let kept = Store::open(&copy).unwrap().exchanges(None).unwrap();
    assert_eq!(kept[0].1.outcome, Outcome::Completed);
    assert_eq!(kept[0].1.session_id.as_deref(), Some("s-full"));
    assert!(
        kept.iter().all(|(_, e)| e.request_bytes < 400_000),
        "the big request is not in the store"
    );
    let next = recorder(&mock.url(), &copy, None);
    let (mut fourth, _) = request(next.addr(), "k", "s-full", &messages(1));
    read_response(&mut fourth);
    next.stop();
    let after = Store::open(&copy).unwrap().exchanges(None).unwrap();
    assert_eq!(after.len(), kept.len() + 1);
}
