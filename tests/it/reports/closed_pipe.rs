//! Every command that prints exits 0, quietly, when its reader goes away (`| head`).

use std::process::Command;

use super::cli::TestEnv;
use super::git;

/// Every command that prints to stdout, text and JSON. `{repo}` is a repository with one
/// commit, `{dir}` a fresh folder for each run.
const PRINTING: &[&str] = &[
    "--help",
    "--version",
    "help",
    "sessions --help",
    "man",
    "--demo sessions",
    "--demo sessions --json",
    "--demo",
    "--demo show 7a694908",
    "--demo show 7a694908 --json",
    "--demo usage daily",
    "--demo usage daily --json",
    "--demo usage monthly",
    "--demo usage monthly --json",
    "--demo usage session",
    "--demo usage session --json",
    "evidence",
    "evidence --format chainloop",
    "log --no-fetch --allowed-signers {repo}/signers",
    "log --no-fetch --json --allowed-signers {repo}/signers",
    "verify --allowed-signers {repo}/signers",
    "verify --json --allowed-signers {repo}/signers",
    "audit",
    "audit --json",
    "policy check",
    "policy check --json",
    "policy list",
    "policy list --json",
    "keygen --path {dir}/signing_key",
    "status",
    "status --json",
    "init --dry-run",
];

/// A repository with one commit and an empty allowed signers file.
fn one_commit_repo(env: &TestEnv) -> std::path::PathBuf {
    let repo = env.dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git::git(&repo, &["init", "-q", "-b", "main"]);
    git::git(&repo, &["commit", "-q", "--allow-empty", "-m", "first"]);
    std::fs::write(repo.join("signers"), "").unwrap();
    repo
}

/// `args` with the placeholders filled in, as a command in `repo` (git's identity is fixed by the
/// hermetic environment).
fn printing_command(env: &TestEnv, repo: &std::path::Path, args: &str, run: usize) -> Command {
    let dir = env.dir.path().join(format!("run{run}"));
    let args = args
        .replace("{repo}", &repo.display().to_string())
        .replace("{dir}", &dir.display().to_string());
    let args: Vec<&str> = args.split(' ').collect();
    let mut cmd = env.command(&args);
    cmd.current_dir(repo);
    cmd
}

#[test]
fn every_command_exits_zero_quietly_when_its_reader_goes_away() {
    let env = TestEnv::new();
    let repo = one_commit_repo(&env);
    let mut wrong = Vec::new();
    for (run, args) in PRINTING.iter().enumerate() {
        // The command does print something when someone reads it.
        let open = printing_command(&env, &repo, args, 2 * run)
            .output()
            .unwrap();
        if open.stdout.is_empty() {
            wrong.push(format!(
                "`{args}` printed nothing: {}",
                String::from_utf8_lossy(&open.stderr)
            ));
        }
        let closed =
            TestEnv::run_into_closed_pipe(printing_command(&env, &repo, args, 2 * run + 1));
        if closed.status.code() != Some(0) || !closed.stderr.is_empty() {
            wrong.push(format!(
                "`{args}` into a closed pipe: exit {:?}, stderr {:?}",
                closed.status.code(),
                String::from_utf8_lossy(&closed.stderr)
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
