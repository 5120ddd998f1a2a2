#![allow(clippy::unwrap_used)]
//! Attestations end to end with the real tools: keys made by `ssh-keygen`, signatures checked by
//! `ssh-keygen -Y verify`, a private `ssh-agent`, notes in real repositories pushed to a local
//! bare remote, and every kind of tampering reported for its own commit while the rest verify.
//!
//! Every git and ssh run here gets a temporary HOME, no global or system git config, fixed
//! identities and an SSH_AUTH_SOCK of its own: the user's keys and agent are never touched.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use git_vouch::attest::allowed_signers::{AllowedSigners, TrustError};
use git_vouch::attest::dsse::{self, Envelope, PAYLOAD_TYPE};
use git_vouch::attest::notes::{self, FetchOutcome, PushOutcome};
use git_vouch::attest::sign::{
    self, FileSigner, KeySources, ProgramSigner, SignError, Signer, keygen, resolve_signer,
};
use git_vouch::attest::verify::{
    CommitStatus, Verdict, verify_all_notes, verify_commits, verify_envelope, verify_range,
};
use git_vouch::attest::{NAMESPACE, seal, statement_for};
use git_vouch::clock::FixedClock;
use git_vouch::git::Git;
use serde_json::json;

use crate::support::cli::TestEnv;

const SIGNED_AT: &str = "2026-03-01T12:00:00Z";
const TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// ssh-keygen and ssh-agent are needed; without them the test says so and passes, except in CI.
fn have_openssh() -> bool {
    let found = ["ssh-keygen", "ssh-agent", "ssh-add"].iter().all(|p| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    assert!(
        found || std::env::var_os("CI").is_none(),
        "OpenSSH (ssh-keygen, ssh-agent) is required in CI"
    );
    if !found {
        eprintln!("skipped: OpenSSH's ssh-keygen/ssh-agent are not installed");
    }
    found
}

/// A scratch world: HOME, an agent socket path, repositories.
struct World {
    env: TestEnv,
}

impl World {
    fn new() -> Self {
        let env = TestEnv::new();
        let sock = env.root().join("agent.sock");
        Self {
            env: env.var("SSH_AUTH_SOCK", sock),
        }
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.env.root().join(rel)
    }
    fn home(&self) -> PathBuf {
        self.env.home()
    }
    fn sock(&self) -> PathBuf {
        self.path("agent.sock")
    }

    /// A command with the hermetic environment.
    fn cmd(&self, program: &str, dir: &Path) -> Command {
        let mut c = self.env.program(program, dir);
        c.stdin(Stdio::null());
        c
    }

    /// The library's git handle with the same environment.
    fn git(&self, dir: &Path) -> Git {
        let git = Git::new(dir).clear_env();
        self.env
            .vars()
            .into_iter()
            .fold(git, |g, (k, v)| g.env(k, v))
    }

    fn run(&self, program: &str, dir: &Path, args: &[&str]) -> Output {
        let out = self.cmd(program, dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn stdout(&self, dir: &Path, args: &[&str]) -> String {
        String::from_utf8(self.run("git", dir, args).stdout)
            .unwrap()
            .trim()
            .to_owned()
    }

    /// A repository with `n` commits on main; their ids, oldest first.
    fn repo(&self, name: &str, n: usize) -> (PathBuf, Vec<String>) {
        let dir = self.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        self.run("git", &dir, &["init", "-q", "-b", "main"]);
        let commits = (0..n)
            .map(|i| self.commit(&dir, &format!("c{i}")))
            .collect();
        (dir, commits)
    }

    fn commit(&self, dir: &Path, name: &str) -> String {
        std::fs::write(dir.join(format!("{name}.txt")), name).unwrap();
        self.run("git", dir, &["add", "-A"]);
        self.run("git", dir, &["commit", "-q", "-m", name]);
        self.stdout(dir, &["rev-parse", "HEAD"])
    }

    /// An unencrypted ed25519 key made by ssh-keygen.
    fn ssh_keygen(&self, name: &str, passphrase: &str) -> PathBuf {
        let path = self.path(name);
        self.run(
            "ssh-keygen",
            self.env.root(),
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                passphrase,
                "-C",
                name,
                "-f",
                path.to_str().unwrap(),
            ],
        );
        path
    }

    fn public_line(key: &Path) -> String {
        let text = std::fs::read_to_string(format!("{}.pub", key.display())).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `ssh-keygen -Y verify` of an envelope's first signature, as a stranger would run it.
    fn ssh_keygen_verify(
        &self,
        envelope: &Envelope,
        signers: &Path,
        who: &str,
        ns: &str,
    ) -> Output {
        let blob = STANDARD.decode(&envelope.signatures[0].sig).unwrap();
        let sig = self.path("sig.pem");
        std::fs::write(&sig, dsse::blob_to_pem(&blob)).unwrap();
        let pae = self.path("pae.bin");
        std::fs::write(&pae, envelope.pae().unwrap()).unwrap();
        let args = [
            "-Y",
            "verify",
            "-f",
            signers.to_str().unwrap(),
            "-I",
            who,
            "-n",
            ns,
            "-s",
        ];
        self.cmd("ssh-keygen", self.env.root())
            .args(args)
            .arg(&sig)
            .stdin(std::fs::File::open(&pae).unwrap())
            .output()
            .unwrap()
    }
}

/// A private ssh-agent in the foreground, killed (by its own handle) when dropped.
struct Agent(Child);

impl Agent {
    fn start(world: &World) -> Self {
        let child = world
            .cmd("ssh-agent", world.env.root())
            .args(["-D", "-a"])
            .arg(world.sock())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if world.sock().exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(world.sock().exists(), "ssh-agent did not start");
        Self(child)
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn clock() -> FixedClock {
    FixedClock::parse(SIGNED_AT).unwrap()
}

fn attest(signer: &dyn Signer, commits: &[&str]) -> Envelope {
    let commits: Vec<String> = commits.iter().map(|c| (*c).to_owned()).collect();
    let mut statement = statement_for(&commits, TREE, json!({"schema_version": "0.1"}));
    seal(&mut statement, signer, &clock()).unwrap()
}

fn allowed(world: &World, text: &str) -> (PathBuf, AllowedSigners) {
    let path = world.path("allowed_signers");
    std::fs::write(&path, text).unwrap();
    (path.clone(), AllowedSigners::load(&path).unwrap())
}

fn assert_verified(verdict: &Verdict, who: &str) {
    match verdict {
        Verdict::Verified {
            principal,
            key_fingerprint,
            signed_at,
            ..
        } => {
            assert_eq!(principal, who);
            assert!(key_fingerprint.starts_with("SHA256:"));
            assert_eq!(signed_at.to_rfc3339(), "2026-03-01T12:00:00+00:00");
        }
        other => panic!("expected verified by {who}, got {other:?}"),
    }
}

const C1: &str = "1111111111111111111111111111111111111111";

#[test]
fn key_file_signature_passes_ssh_keygen_verify_and_ours() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let key = w.ssh_keygen("id_ed25519", "");
    let signer = FileSigner::open(&key).unwrap();
    let envelope = attest(&signer, &[C1]);

    assert_eq!(envelope.payload_type, PAYLOAD_TYPE);
    assert_eq!(
        envelope.signatures[0].keyid,
        sign::fingerprint(signer.public_key())
    );
    let line = format!(
        "dev@example.com namespaces=\"{NAMESPACE}\" {}\n",
        World::public_line(&key)
    );
    let (file, signers) = allowed(&w, &line);

    let ok = w.ssh_keygen_verify(&envelope, &file, "dev@example.com", NAMESPACE);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("Good \"git-vouch@git-vouch.dev\" signature")
    );
    let wrong_ns = w.ssh_keygen_verify(&envelope, &file, "dev@example.com", "git");
    assert!(
        !wrong_ns.status.success(),
        "ssh-keygen must refuse it as a git signature"
    );

    assert_verified(&verify_envelope(&envelope, C1, &signers), "dev@example.com");
    // The envelope survives a trip through a JSON line, in standard or URL-safe base64.
    let mut back = Envelope::from_json(&envelope.to_line()).unwrap();
    let blob = STANDARD.decode(&back.signatures[0].sig).unwrap();
    back.signatures[0].sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(blob);
    assert_verified(&verify_envelope(&back, C1, &signers), "dev@example.com");
}

#[test]
fn agent_signs_with_the_key_git_is_configured_with() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let (repo, _) = w.repo("repo", 1);
    let _agent = Agent::start(&w);
    let ed = w.ssh_keygen("id_ed25519", "");
    let rsa = w.path("id_rsa");
    w.run(
        "ssh-keygen",
        &w.home(),
        &[
            "-q",
            "-t",
            "rsa",
            "-b",
            "3072",
            "-N",
            "",
            "-f",
            rsa.to_str().unwrap(),
        ],
    );
    let mut lines = String::new();
    for (key, who) in [(&ed, "ed@example.com"), (&rsa, "rsa@example.com")] {
        w.run("ssh-add", &w.home(), &["-q", key.to_str().unwrap()]);
        // Only the agent holds the private key from now on.
        std::fs::remove_file(key).unwrap();
        writeln!(lines, "{who} {}", World::public_line(key)).unwrap();
    }
    let (file, signers) = allowed(&w, &lines);
    let git = w.git(&repo);
    let sources = KeySources {
        agent_socket: Some(w.sock()),
        own_key: None,
    };
    w.run("git", &repo, &["config", "gpg.format", "ssh"]);
    for (key, who) in [(&ed, "ed@example.com"), (&rsa, "rsa@example.com")] {
        let pub_path = format!("{}.pub", key.display());
        w.run("git", &repo, &["config", "user.signingkey", &pub_path]);
        let signer = resolve_signer(&git, &sources).unwrap();
        assert!(
            signer.describe().starts_with("ssh-agent"),
            "{}",
            signer.describe()
        );
        let envelope = attest(signer.as_ref(), &[C1]);
        let out = w.ssh_keygen_verify(&envelope, &file, who, NAMESPACE);
        assert!(
            out.status.success(),
            "{who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_verified(&verify_envelope(&envelope, C1, &signers), who);
    }
    // The literal form git accepts: key::<public key>.
    let literal = format!("key::{}", World::public_line(&ed));
    w.run("git", &repo, &["config", "user.signingkey", &literal]);
    let signer = resolve_signer(&git, &sources).unwrap();
    assert_verified(
        &verify_envelope(&attest(signer.as_ref(), &[C1]), C1, &signers),
        "ed@example.com",
    );
    // No signingkey: gpg.ssh.defaultKeyCommand names the key (its first line), as in git.
    w.run("git", &repo, &["config", "--unset", "user.signingkey"]);
    w.run(
        "git",
        &repo,
        &["config", "gpg.ssh.defaultKeyCommand", "ssh-add -L"],
    );
    let signer = resolve_signer(&git, &sources).unwrap();
    assert_verified(
        &verify_envelope(&attest(signer.as_ref(), &[C1]), C1, &signers),
        "ed@example.com",
    );
    // Without an agent that key cannot sign, and the error says why.
    let no_agent = KeySources {
        agent_socket: None,
        own_key: None,
    };
    assert!(matches!(
        resolve_signer(&git, &no_agent),
        Err(SignError::NoAgent { .. })
    ));
}

#[test]
fn ssh_keygen_fallback_makes_the_same_signature() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let key = w.ssh_keygen("id_ed25519", "");
    let git = w.git(w.env.root());
    let public = ProgramSigner::public_key_of(&key).unwrap();
    let program = ProgramSigner::new("ssh-keygen", &key, public, None, &git);
    let file = FileSigner::open(&key).unwrap();
    let by_program = attest(&program, &[C1]);
    let by_file = attest(&file, &[C1]);
    // Ed25519 is deterministic: the same PAE gives byte-identical SSHSIG blobs.
    assert_eq!(by_program, by_file);
    let (path, signers) = allowed(
        &w,
        &format!("dev@example.com {}\n", World::public_line(&key)),
    );
    assert_verified(
        &verify_envelope(&by_program, C1, &signers),
        "dev@example.com",
    );
    assert!(
        w.ssh_keygen_verify(&by_program, &path, "dev@example.com", NAMESPACE)
            .status
            .success()
    );
}

#[test]
fn signing_key_resolution_follows_git_config() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let (repo, _) = w.repo("repo", 1);
    let git = w.git(&repo);
    let own = w.home().join(".config/git-vouch/signing_key");
    let sources = KeySources {
        agent_socket: None,
        own_key: Some(own.clone()),
    };
    assert!(matches!(
        resolve_signer(&git, &sources),
        Err(SignError::NoKey)
    ));

    keygen(&own, "dev@example.com").unwrap();
    let describe = |s: &KeySources| resolve_signer(&git, s).unwrap().describe();
    assert!(describe(&sources).contains("signing_key"));

    // A GPG signing key is not ours to use.
    let key = w.ssh_keygen("id_ed25519", "");
    w.run(
        "git",
        &repo,
        &["config", "user.signingkey", key.to_str().unwrap()],
    );
    assert!(describe(&sources).contains("signing_key"));

    w.run("git", &repo, &["config", "gpg.format", "ssh"]);
    assert_eq!(describe(&sources), format!("key file {}", key.display()));
    // A public key path whose private half lies beside it.
    w.run(
        "git",
        &repo,
        &[
            "config",
            "user.signingkey",
            &format!("{}.pub", key.display()),
        ],
    );
    assert_eq!(describe(&sources), format!("key file {}", key.display()));
    // Relative to the repository, like git.
    std::fs::copy(&key, repo.join("k")).unwrap();
    w.run("git", &repo, &["config", "user.signingkey", "k"]);
    assert_eq!(
        describe(&sources),
        format!("key file {}", repo.join("k").display())
    );

    // A passphrase-protected key: in-process reading refuses with a hint; resolution falls back
    // to ssh-keygen, which asks for the passphrase on the terminal.
    let locked = w.ssh_keygen("id_locked", "correct horse");
    let err = FileSigner::open(&locked).unwrap_err();
    assert!(matches!(err, SignError::Encrypted { .. }));
    assert!(err.to_string().contains("ssh-add"), "{err}");
    w.run(
        "git",
        &repo,
        &["config", "user.signingkey", locked.to_str().unwrap()],
    );
    assert!(
        describe(&sources).contains("-Y sign"),
        "{}",
        describe(&sources)
    );

    // Keys others can read are refused, as OpenSSH refuses them.
    let open = w.ssh_keygen("id_open", "");
    set_mode(&open, 0o644);
    assert!(matches!(
        FileSigner::open(&open),
        Err(SignError::Permissions { .. })
    ));
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn keygen_makes_a_private_key_and_never_overwrites() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let path = w.home().join(".config/git-vouch/signing_key");
    let made = keygen(&path, "dev@example.com").unwrap();
    let mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert!(made.public_path.exists());
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(keygen(&path, "x"), Err(SignError::Exists { .. })));
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let text = made.instructions("dev@example.com");
    let line = made.allowed_signers_line("dev@example.com");
    assert!(
        text.contains(&line) && text.contains("user.signingkey"),
        "{text}"
    );
    assert!(line.contains(&format!("namespaces=\"{NAMESPACE}\"")));
    // The printed line works as-is with ssh-keygen, for a signature by the new key.
    let (file, signers) = allowed(&w, &format!("{line}\n"));
    let envelope = attest(&FileSigner::open(&path).unwrap(), &[C1]);
    assert!(
        w.ssh_keygen_verify(&envelope, &file, "dev@example.com", NAMESPACE)
            .status
            .success()
    );
    assert_verified(&verify_envelope(&envelope, C1, &signers), "dev@example.com");
}

/// Keys for the tampering suite: trusted, unknown, expired, revoked.
struct Keys {
    alice: FileSigner,
    mallory: FileSigner,
    expired: FileSigner,
    revoked: FileSigner,
    signers: AllowedSigners,
}

fn keys(w: &World) -> Keys {
    let make = |name: &str| {
        let path = w.path(&format!("keys/{name}"));
        keygen(&path, name).unwrap();
        (FileSigner::open(&path).unwrap(), World::public_line(&path))
    };
    let (alice, alice_pub) = make("alice");
    let (mallory, _) = make("mallory");
    let (expired, expired_pub) = make("expired");
    let (revoked, revoked_pub) = make("revoked");
    let (_, mut signers) = allowed(
        w,
        &format!(
            "# the team\nalice@example.com namespaces=\"{NAMESPACE}\" {alice_pub}\n\
             old@example.com valid-before=\"20200101Z\" {expired_pub}\n\
             gone@example.com {revoked_pub}\n"
        ),
    );
    let revocations = w.path("revoked_keys");
    std::fs::write(&revocations, format!("{revoked_pub}\n")).unwrap();
    signers.load_revocations(&revocations).unwrap();
    Keys {
        alice,
        mallory,
        expired,
        revoked,
        signers,
    }
}

fn flip_payload_byte(mut e: Envelope) -> Envelope {
    let mut payload = e.payload_bytes().unwrap();
    let mid = payload.len() / 2;
    payload[mid] ^= 0x01;
    e.payload = STANDARD.encode(payload);
    e
}

fn flip_sig_byte(mut e: Envelope) -> Envelope {
    let mut blob = STANDARD.decode(&e.signatures[0].sig).unwrap();
    let last = blob.len() - 1;
    blob[last] ^= 0x01;
    e.signatures[0].sig = STANDARD.encode(blob);
    e
}

/// An envelope signed in the `git` namespace (a commit-signature look-alike).
fn git_namespace_envelope(w: &World, commit: &str) -> Envelope {
    let key = ssh_key::PrivateKey::read_openssh_file(&w.path("keys/alice")).unwrap();
    let mut statement = statement_for(&[commit.to_owned()], TREE, json!({}));
    statement.stamp_signed_at(clock().0).unwrap();
    let payload = statement.to_bytes();
    let pae = dsse::pae(PAYLOAD_TYPE, &payload);
    let sig = key.sign("git", ssh_key::HashAlg::Sha512, &pae).unwrap();
    let mut envelope = Envelope::new(PAYLOAD_TYPE, &payload);
    envelope.push_ssh_signature(&sig).unwrap();
    envelope
}

/// Adds a note for an object id the repository does not have, by writing the notes tree
/// directly (`git notes add` refuses unknown objects; a fetched notes ref can hold them).
fn add_note_for_missing_commit(w: &World, repo: &Path, missing: &str, text: &str) {
    let blob_path = w.path("note.txt");
    std::fs::write(&blob_path, text).unwrap();
    let blob = w.stdout(repo, &["hash-object", "-w", blob_path.to_str().unwrap()]);
    let mut tree = w.stdout(repo, &["ls-tree", "refs/notes/vouch"]);
    write!(tree, "\n100644 blob {blob}\t{missing}\n").unwrap();
    let new_tree = String::from_utf8(
        {
            let mut c = w.cmd("git", repo);
            c.args(["mktree"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped());
            let mut child = c.spawn().unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), tree.as_bytes()).unwrap();
            child.wait_with_output().unwrap()
        }
        .stdout,
    )
    .unwrap();
    let new_tree = new_tree.trim();
    let commit = w.stdout(
        repo,
        &[
            "commit-tree",
            new_tree,
            "-p",
            "refs/notes/vouch",
            "-m",
            "stray",
        ],
    );
    w.run("git", repo, &["update-ref", "refs/notes/vouch", &commit]);
}

fn reason(verdict: &Verdict) -> &str {
    match verdict {
        Verdict::Invalid { reason } | Verdict::Untrusted { reason } => reason,
        Verdict::Verified { .. } => "",
    }
}

/// The tampering repository: what the note on each commit holds, and what verifying must say.
const CASES: [(&str, CommitStatus, &str); 11] = [
    (
        "good",
        CommitStatus::Verified,
        "unreviewed (signed by alice@example.com)",
    ),
    (
        "payload byte flipped",
        CommitStatus::Invalid,
        "signature does not match",
    ),
    (
        "sig byte flipped",
        CommitStatus::Invalid,
        "signature does not match",
    ),
    (
        "copied from c0",
        CommitStatus::Invalid,
        "attestation for another commit",
    ),
    (
        "unknown key",
        CommitStatus::Untrusted,
        "key not in allowed signers",
    ),
    (
        "expired principal",
        CommitStatus::Untrusted,
        "key expired when signed",
    ),
    ("revoked key", CommitStatus::Untrusted, "key revoked"),
    ("git namespace", CommitStatus::Invalid, "namespace \"git\""),
    ("garbage line", CommitStatus::Invalid, "corrupt attestation"),
    (
        "good + garbage",
        CommitStatus::Verified,
        "unreviewed (signed by alice@example.com)",
    ),
    ("no note", CommitStatus::Unsigned, "unsigned"),
];

/// A repository of 11 commits whose notes hold the [`CASES`].
fn tampered_repo(w: &World, k: &Keys) -> (PathBuf, Vec<String>) {
    let (repo, c) = w.repo("repo", CASES.len());
    let git = w.git(&repo);
    let good = |commit: &str| attest(&k.alice, &[commit]);
    let envelopes = [
        Some(good(&c[0])),
        Some(flip_payload_byte(good(&c[1]))),
        Some(flip_sig_byte(good(&c[2]))),
        Some(good(&c[0])),
        Some(attest(&k.mallory, &[&c[4]])),
        Some(attest(&k.expired, &[&c[5]])),
        Some(attest(&k.revoked, &[&c[6]])),
        Some(git_namespace_envelope(w, &c[7])),
        None,
        Some(good(&c[9])),
        None,
    ];
    for (commit, envelope) in c.iter().zip(&envelopes) {
        if let Some(e) = envelope {
            assert!(notes::append(&git, commit, e).unwrap());
        }
    }
    // Appending the same attestation again adds nothing.
    assert!(!notes::append(&git, &c[0], envelopes[0].as_ref().unwrap()).unwrap());
    let garbage = w.path("garbage.txt");
    std::fs::write(&garbage, "{\"payloadType\": garbage\n").unwrap();
    for commit in [&c[8], &c[9]] {
        let args = ["notes", "--ref=refs/notes/vouch", "append", "-F"];
        let out = w
            .cmd("git", &repo)
            .args(args)
            .arg(&garbage)
            .arg(commit)
            .output();
        assert!(out.unwrap().status.success());
    }
    (repo, c)
}

#[test]
fn every_kind_of_tampering_is_reported_for_its_own_commit() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let k = keys(&w);
    let (repo, c) = tampered_repo(&w, &k);
    let git = w.git(&repo);

    let reports = verify_range(&git, "main", &k.signers).unwrap();
    assert_eq!(reports.len(), CASES.len());
    let by_commit = |sha: &str| reports.iter().find(|r| r.commit == sha).unwrap();
    for (commit, (case, status, text)) in c.iter().zip(CASES) {
        let r = by_commit(commit);
        assert_eq!(r.status, status, "{case}: {r:?}");
        assert!(r.summary().contains(text), "{case}: {}", r.summary());
    }
    // The bad line beside a good one is still reported.
    let mixed = by_commit(&c[9]);
    assert_eq!(mixed.attestations.len(), 2);
    assert!(
        mixed
            .attestations
            .iter()
            .any(|a| reason(&a.verdict).contains("corrupt"))
    );
    // The subjects of the copied attestation are named.
    assert!(by_commit(&c[3]).summary().contains(&c[0][..12]));
    // What `verify --json` will print for a commit.
    let json = serde_json::to_value(by_commit(&c[0])).unwrap();
    assert_eq!(json["status"], "verified");
    assert_eq!(json["signers"], json!(["alice@example.com"]));
    assert_eq!(json["attestations"][0]["verdict"], "verified");
    assert_eq!(json["attestations"][0]["principal"], "alice@example.com");
    // The same reports for the same commits asked for directly (rev-list gives newest first).
    let mut direct = verify_commits(&git, &c, &k.signers).unwrap();
    direct.reverse();
    assert_eq!(direct, reports);
}

#[test]
fn a_note_for_an_unknown_commit_is_reported_and_the_rest_still_verify() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let k = keys(&w);
    let (repo, c) = tampered_repo(&w, &k);
    let git = w.git(&repo);
    let stray = "dead00000000000000000000000000000000beef";
    let line = format!("{}\n", attest(&k.alice, &[stray]).to_line());
    add_note_for_missing_commit(&w, &repo, stray, &line);

    let all = verify_all_notes(&git, &k.signers).unwrap();
    assert_eq!(all.len(), 11, "ten notes on commits and the stray one");
    let stray_report = all.iter().find(|r| r.commit == stray).unwrap();
    assert_eq!(stray_report.status, CommitStatus::UnknownCommit);
    assert!(stray_report.summary().contains("does not have"));
    for (commit, (case, status, _)) in c.iter().zip(CASES).take(10) {
        let r = all.iter().find(|r| &r.commit == commit).unwrap();
        assert_eq!(r.status, status, "{case}");
    }
}

/// A bare remote, clone `a` (which made the commits) and clone `b`; a failing pre-push hook in
/// `a` that would block any push running hooks.
fn team(w: &World) -> (PathBuf, PathBuf, PathBuf, Vec<String>) {
    let (a, commits) = w.repo("a", 2);
    let remote = w.path("remote.git");
    let remote_s = remote.to_str().unwrap();
    w.run("git", w.env.root(), &["init", "-q", "--bare", remote_s]);
    w.run("git", &a, &["remote", "add", "origin", remote_s]);
    w.run("git", &a, &["push", "-q", "origin", "main"]);
    let b = w.path("b");
    w.run(
        "git",
        w.env.root(),
        &["clone", "-q", remote_s, b.to_str().unwrap()],
    );
    let hook = a.join(".git/hooks/pre-push");
    std::fs::write(&hook, "#!/bin/sh\ntouch \"$0.ran\"\nexit 1\n").unwrap();
    set_mode(&hook, 0o755);
    (a, b, remote, commits)
}

const FIRST_TRY: PushOutcome = PushOutcome::Pushed {
    attempts: 1,
    merged: false,
};

#[test]
fn notes_push_merges_a_teammates_concurrent_notes_and_fetch_brings_them() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let k = keys(&w);
    let (a, b, remote, commits) = team(&w);
    let config_before = std::fs::read(a.join(".git/config")).unwrap();
    let (ga, gb) = (w.git(&a), w.git(&b));
    let tip = &commits[1];
    // Both attest the same commit, each with their own attestation; B also attests a commit
    // only B has (never pushed): its note travels all the same.
    notes::append(&ga, tip, &attest(&k.alice, &[tip])).unwrap();
    notes::append(&gb, tip, &attest(&k.mallory, &[tip])).unwrap();
    let b_only = w.commit(&b, "local-only");
    notes::append(&gb, &b_only, &attest(&k.alice, &[&b_only])).unwrap();

    assert_eq!(notes::push_notes(&ga, "origin").unwrap(), FIRST_TRY);
    assert!(
        !a.join(".git/hooks/pre-push.ran").exists(),
        "hooks must not run"
    );
    // B's push is rejected (A pushed first), so B fetches, merges and pushes again.
    let merged = PushOutcome::Pushed {
        attempts: 2,
        merged: true,
    };
    assert_eq!(notes::push_notes(&gb, "origin").unwrap(), merged);
    assert_eq!(
        notes::fetch_notes(&ga, "origin").unwrap(),
        FetchOutcome::Merged
    );
    assert_eq!(notes::push_notes(&ga, "origin").unwrap(), FIRST_TRY);

    // Both attestations on the shared commit, in A and in B.
    let tip_report = |g: &Git| {
        verify_commits(g, std::slice::from_ref(tip), &k.signers)
            .unwrap()
            .remove(0)
    };
    for g in [&ga, &gb] {
        let r = tip_report(g);
        assert_eq!(
            (r.status, r.attestations.len()),
            (CommitStatus::Verified, 2),
            "{r:?}"
        );
        let other = r
            .attestations
            .iter()
            .find(|x| !x.verdict.is_verified())
            .unwrap();
        assert!(matches!(other.verdict, Verdict::Untrusted { .. }));
    }

    // A fresh clone has no notes until `notes fetch`.
    let c = w.path("c");
    w.run(
        "git",
        w.env.root(),
        &["clone", "-q", remote.to_str().unwrap(), c.to_str().unwrap()],
    );
    let gc = w.git(&c);
    assert_eq!(tip_report(&gc).status, CommitStatus::Unsigned);
    assert_eq!(
        notes::fetch_notes(&gc, "origin").unwrap(),
        FetchOutcome::Merged
    );
    assert_eq!(tip_report(&gc).attestations.len(), 2);
    let all = verify_all_notes(&gc, &k.signers).unwrap();
    let unknown = all.iter().find(|r| r.commit == b_only).unwrap();
    assert_eq!(
        unknown.status,
        CommitStatus::UnknownCommit,
        "B's unpushed commit"
    );

    // Nothing touched the config: no notes refspec in remote.<name>.push.
    assert_eq!(std::fs::read(a.join(".git/config")).unwrap(), config_before);
    let args = ["config", "--get-regexp", "^remote\\..*\\.push$"];
    for dir in [&a, &b, &c] {
        assert!(
            w.cmd("git", dir)
                .args(args)
                .output()
                .unwrap()
                .stdout
                .is_empty()
        );
    }
}

#[test]
fn notes_sync_with_nothing_to_share_is_not_an_error() {
    let w = World::new();
    let (repo, _) = w.repo("repo", 1);
    let empty = w.path("empty.git");
    w.run(
        "git",
        w.env.root(),
        &["init", "-q", "--bare", empty.to_str().unwrap()],
    );
    let git = w.git(&repo);
    let remote = empty.to_str().unwrap();
    assert_eq!(
        notes::push_notes(&git, remote).unwrap(),
        PushOutcome::NothingToPush
    );
    assert_eq!(
        notes::fetch_notes(&git, remote).unwrap(),
        FetchOutcome::RemoteHasNone
    );
    let Err(err) = notes::fetch_notes(&git, "/nonexistent/remote.git") else {
        panic!("fetching from a missing remote must fail");
    };
    assert!(
        err.to_string().contains("fetching refs/notes/vouch from"),
        "{err}"
    );
    let Err(err) = notes::append(
        &git,
        "0000000000000000000000000000000000000001",
        &Envelope::new(PAYLOAD_TYPE, b"{}"),
    ) else {
        panic!("no such commit");
    };
    assert!(err.to_string().contains("no commit"), "{err}");
}

#[test]
fn trust_files_come_from_git_config() {
    let w = World::new();
    let (repo, _) = w.repo("repo", 1);
    let git = w.git(&repo);
    assert!(matches!(
        AllowedSigners::from_git_config(&git, None),
        Err(TrustError::NotConfigured)
    ));
    let alice = keygen(&w.path("keys/alice"), "alice").unwrap().public_key;
    let line = format!("alice@example.com {}\n", alice.to_openssh().unwrap());
    std::fs::write(repo.join("allowed"), &line).unwrap();
    let key_only = format!("{}\n", alice.to_openssh().unwrap());
    std::fs::write(w.home().join("revoked"), key_only).unwrap();
    w.run(
        "git",
        &repo,
        &["config", "gpg.ssh.allowedSignersFile", "allowed"],
    );
    w.run(
        "git",
        &repo,
        &["config", "gpg.ssh.revocationFile", "~/revoked"],
    );
    let (signers, path) = AllowedSigners::from_git_config(&git, None).unwrap();
    assert_eq!(path, repo.join("allowed"));
    assert_eq!(signers.entries.len(), 1);
    assert!(signers.is_revoked(alice.key_data()));
    // An explicit file wins over the config.
    let other = w.path("other");
    std::fs::write(&other, "# nobody\n").unwrap();
    let (signers, path) = AllowedSigners::from_git_config(&git, Some(&other)).unwrap();
    assert_eq!((path, signers.entries.len()), (other, 0));
    // A missing file is an error naming it.
    let Err(err) = AllowedSigners::from_git_config(&git, Some(&w.path("missing"))) else {
        panic!("a missing file must fail");
    };
    assert!(err.to_string().contains("missing"), "{err}");
}

/// The demo repository at a fixed place with a fixed remote, so its evidence has no temporary
/// path in it, and the fixture key copied with the permissions a private key needs.
fn golden_inputs(w: &World) -> (PathBuf, FileSigner, String) {
    let made = git_vouch::demo::review_workspace(&w.path("made")).unwrap();
    let repo = w.path("demo-review");
    std::fs::rename(&made, &repo).unwrap();
    w.run(
        "git",
        &repo,
        &[
            "remote",
            "set-url",
            "origin",
            "https://example.invalid/demo.git",
        ],
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys/fixture_ed25519");
    let key = w.path("fixture_ed25519");
    std::fs::copy(&fixture, &key).unwrap();
    set_mode(&key, 0o600);
    let public = std::fs::read_to_string(fixture.with_extension("pub")).unwrap();
    (repo, FileSigner::open(&key).unwrap(), public)
}

/// The signed artefact, golden: the demo repository's evidence attested at a fixed time with the
/// fixture key, read back from its git note. The statement (the DSSE payload) and the envelope
/// (ed25519 signatures are deterministic) are snapshotted, and stock OpenSSH verifies it.
#[test]
fn golden_signed_statement_of_the_demo_repository() {
    if !have_openssh() {
        return;
    }
    let w = World::new();
    let (repo, signer, public) = golden_inputs(&w);
    let redactor = git_vouch::redact::Redactor::new(git_vouch::redact::RedactOptions::default());
    let evidence = git_vouch::evidence::build_evidence(
        &repo,
        None,
        git_vouch::pricing::PriceTable::embedded(),
        &redactor,
        &clock(),
    )
    .unwrap();
    let tip = evidence.range.tip.clone();
    let prepared = git_vouch::attest::publish::Prepared::new(evidence);
    let git = w.git(&repo);
    let review = git_vouch::attest::publish::Review::default();
    git_vouch::attest::publish::sign_and_attach(
        &git,
        &prepared,
        &review,
        &redactor,
        &signer,
        &clock(),
    )
    .unwrap();
    let note = notes::read_note(&git, &tip).unwrap().unwrap();
    let bundle = notes::parse_bundle(&note);
    assert_eq!(bundle.len(), 1, "one attestation on the tip");
    let envelope = bundle[0].envelope.clone().unwrap();

    let statement: serde_json::Value =
        serde_json::from_slice(&envelope.payload_bytes().unwrap()).unwrap();
    insta::assert_json_snapshot!("golden_statement_demo", statement);
    insta::assert_snapshot!("golden_envelope_demo", bundle[0].text);

    let line = format!(
        "fixture@git-vouch namespaces=\"{NAMESPACE}\" {}",
        public.trim()
    );
    let (file, signers) = allowed(&w, &line);
    let ok = w.ssh_keygen_verify(&envelope, &file, "fixture@git-vouch", NAMESPACE);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_verified(
        &verify_envelope(&envelope, &tip, &signers),
        "fixture@git-vouch",
    );
}
