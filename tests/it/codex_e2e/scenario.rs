//! The scenarios: a prompt, the CLI's extra flags, and per thread the responses the mock
//! serves in order. Every response carries its own distinct, non-round usage, so a reader that
//! counts a response twice, or takes a subset (cached ⊂ input, reasoning ⊂ output) for a
//! separate figure, cannot land on the right totals by accident.

use serde_json::{Value, json};

/// The thread name of the root agent (its `x-codex-turn-metadata.agent_name` is `/root`).
pub const MAIN: &str = "main";
/// The subagent the `subagent` scenario spawns, named by its `task_name`. Codex names it
/// `/root/child_task` (its `agent_name`/`agent_path`, see [`agent_path`]).
pub const CHILD: &str = "child_task";
/// Codex's agent path of the root agent; a subagent's is `/root/<task_name>`.
pub const ROOT_PATH: &str = "/root";

/// The thread name of a Codex agent path: `main` for the root agent (a path of one segment:
/// Codex's `/root`, or `/main` as the fixtures record it), the task name for a subagent (its
/// last segment). The fixtures key threads by these names, not by Codex's paths.
pub fn thread_name(agent_path: Option<&str>) -> String {
    let segments: Vec<&str> = agent_path
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        [] | [_] => MAIN.to_owned(),
        [.., task] => (*task).to_owned(),
    }
}

/// Codex's agent path of a subagent thread.
pub fn agent_path(thread: &str) -> String {
    format!("{ROOT_PATH}/{thread}")
}

/// The usage of one response, as the mock sends it (`cached` ⊂ `input`, `reasoning` ⊂ `output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
    pub reasoning: u64,
}

const fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cached,
        output,
        reasoning,
    }
}

/// One output item of a response.
#[derive(Debug, Clone)]
pub enum Item {
    /// `function_call` `exec_command {"cmd": …}`.
    Exec(&'static str),
    /// `custom_tool_call` `apply_patch` with the freeform patch text (gpt-5.5's shape).
    Patch(&'static str),
    /// `function_call` in namespace `collaboration` (multi_agent_v2): name and arguments.
    Collab(&'static str, Value),
    /// An assistant `message` with one `output_text`.
    Message(&'static str),
}

/// One scripted response.
#[derive(Debug, Clone)]
pub struct Step {
    pub items: Vec<Item>,
    pub usage: Usage,
    /// Served only once this thread has been served this many responses (waits up to a
    /// minute): keeps the parent from finishing before its child has.
    pub after: Option<(&'static str, usize)>,
}

fn step(items: Vec<Item>, usage: Usage) -> Step {
    Step {
        items,
        usage,
        after: None,
    }
}

/// A scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub prompt: &'static str,
    /// Flags after `codex exec --dangerously-bypass-approvals-and-sandbox --json`.
    pub args: Vec<&'static str>,
    /// Per thread (`main` or an agent path), the responses in order.
    pub threads: Vec<(&'static str, Vec<Step>)>,
    /// `git vouch init --agent codex` runs first (with `vouch.guard enforce`), and Codex runs
    /// the hooks because they are trusted, without `--dangerously-bypass-hook-trust`.
    pub capture: bool,
}

/// The scenarios the tests run and the fixtures are recorded from.
pub const SCENARIOS: [&str; 2] = ["shell_patch_commit", "subagent"];

/// The command the guard denies in the `capture` scenario: it deletes a folder outside the
/// repository (the work folder's `outside/`).
pub const OUTSIDE_RM: &str = "rm -rf ../outside";

pub const HELLO_ADD: &str = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n";
pub const HELLO_UPDATE: &str =
    "*** Begin Patch\n*** Update File: hello.txt\n@@\n-hello\n+hello, updated\n*** End Patch\n";
pub const CHILD_ADD: &str =
    "*** Begin Patch\n*** Add File: child.txt\n+from the child\n*** End Patch\n";

impl Scenario {
    pub fn get(name: &str) -> Self {
        match name {
            "capture" => Self::capture(),
            "shell_patch_commit" => Self {
                name: "shell_patch_commit",
                capture: false,
                prompt: "Say hi from the shell, add hello.txt, update it, then commit it.",
                args: Vec::new(),
                threads: vec![(
                    MAIN,
                    vec![
                        step(
                            vec![Item::Exec("echo hi-from-shell")],
                            usage(1234, 203, 57, 11),
                        ),
                        step(vec![Item::Patch(HELLO_ADD)], usage(1391, 1021, 83, 17)),
                        step(vec![Item::Patch(HELLO_UPDATE)], usage(1517, 1283, 41, 9)),
                        step(
                            vec![Item::Exec("git add -A && git commit -q -m \"Add hello\"")],
                            usage(1663, 1409, 66, 23),
                        ),
                        step(
                            vec![Item::Message("Committed hello.txt.")],
                            usage(1789, 1531, 29, 3),
                        ),
                    ],
                )],
            },
            "subagent" => Self {
                name: "subagent",
                capture: false,
                prompt: "Look around, then spawn a sub-agent that creates child.txt, and wait for it.",
                args: vec!["--enable", "multi_agent_v2"],
                threads: vec![
                    (
                        MAIN,
                        vec![
                            step(
                                vec![Item::Exec("echo parent-before-spawn")],
                                usage(2345, 307, 61, 13),
                            ),
                            step(vec![Item::Exec("ls")], usage(2419, 1999, 52, 17)),
                            step(
                                vec![Item::Collab(
                                    "spawn_agent",
                                    json!({"task_name": CHILD,
                                        "message": "Create child.txt containing 'from the child' with apply_patch, then report back.",
                                        "fork_turns": "all"}),
                                )],
                                usage(2468, 2039, 74, 19),
                            ),
                            step(
                                vec![Item::Collab("wait_agent", json!({"timeout_ms": 30000}))],
                                usage(2591, 2297, 43, 7),
                            ),
                            Step {
                                after: Some((CHILD, 2)),
                                ..step(
                                    vec![Item::Message("The sub-agent created child.txt.")],
                                    usage(2717, 2423, 31, 5),
                                )
                            },
                        ],
                    ),
                    (
                        CHILD,
                        vec![
                            step(vec![Item::Patch(CHILD_ADD)], usage(3141, 509, 59, 26)),
                            step(
                                vec![Item::Message("child.txt created.")],
                                usage(3272, 2551, 37, 9),
                            ),
                        ],
                    ),
                ],
            },
            other => panic!("no Codex scenario {other:?} (known: {SCENARIOS:?})"),
        }
    }

    /// A shell call, a patch, a deletion outside the repository the guard denies, and a
    /// commit, with git-vouch's hooks installed.
    fn capture() -> Self {
        Self {
            name: "capture",
            prompt: "Say hi, add hello.txt, clean up the folder next to the repository, commit.",
            args: Vec::new(),
            capture: true,
            threads: vec![(
                MAIN,
                vec![
                    step(
                        vec![Item::Exec("echo hi-from-shell")],
                        usage(1301, 211, 47, 7),
                    ),
                    step(vec![Item::Patch(HELLO_ADD)], usage(1433, 1097, 71, 13)),
                    step(vec![Item::Exec(OUTSIDE_RM)], usage(1559, 1301, 37, 5)),
                    step(
                        vec![Item::Exec(
                            "git add hello.txt && git commit -m \"Add hello\"",
                        )],
                        usage(1687, 1429, 53, 11),
                    ),
                    step(
                        vec![Item::Message("Committed hello.txt.")],
                        usage(1811, 1553, 23, 2),
                    ),
                ],
            )],
        }
    }

    pub fn steps(&self, thread: &str) -> Option<&[Step]> {
        self.threads
            .iter()
            .find(|(t, _)| *t == thread)
            .map(|(_, s)| s.as_slice())
    }
}

/// A thread name as it may appear in an id: `main`, `child_task`.
pub fn slug(thread: &str) -> String {
    let s: String = thread
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    s.trim_matches('_').to_owned()
}

impl Item {
    /// The item as a Responses API output item; `id` names it (`call_…`, `msg_…`).
    pub fn to_json(&self, id: &str) -> Value {
        match self {
            Self::Exec(cmd) => json!({"type": "function_call", "call_id": format!("call_{id}"),
                "name": "exec_command", "arguments": json!({"cmd": cmd}).to_string()}),
            Self::Patch(patch) => json!({"type": "custom_tool_call",
                "call_id": format!("call_{id}"), "name": "apply_patch", "input": patch}),
            Self::Collab(name, args) => json!({"type": "function_call",
                "call_id": format!("call_{id}"), "name": name, "namespace": "collaboration",
                "arguments": args.to_string()}),
            Self::Message(text) => json!({"type": "message", "role": "assistant",
                "id": format!("msg_{id}"), "status": "completed",
                "content": [{"type": "output_text", "text": text, "annotations": []}]}),
        }
    }

    /// What the log shows for it: `exec_command`, `apply_patch`, `spawn_agent`, `message`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Exec(_) => "exec_command",
            Self::Patch(_) => "apply_patch",
            Self::Collab(name, _) => name,
            Self::Message(_) => "message",
        }
    }
}
