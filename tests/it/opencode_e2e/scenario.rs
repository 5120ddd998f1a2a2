//! The scenarios: a prompt, and per thread (session) the completions the mock serves in order.
//! Every completion carries its own distinct, non-round usage, so a reader that counts one
//! twice, or takes a subset for a separate figure, cannot land on the right totals by accident.
//!
//! Usage is in the wire's terms (`prompt_tokens` includes `cached_tokens`, `completion_tokens`
//! includes `reasoning_tokens`); opencode stores them disjoint (see `super::record`).

use serde_json::{Value, json};

/// The thread of the session `opencode run` starts.
pub const MAIN: &str = "main";
/// The thread of the child session the `task` tool starts (subagent `general`).
pub const CHILD: &str = "child";

/// The provider and model of the project's `opencode.json`.
pub const PROVIDER: &str = "mock";
pub const MODEL: &str = "mock-model";

/// USD per million tokens, configured for the mock model in `opencode.json` (`models.<m>.cost`)
/// so that opencode stores a non-zero `cost` per message: input (uncached), output (reasoning
/// is billed at this rate too), cache read, cache write.
pub const PRICE_INPUT: f64 = 3.0;
pub const PRICE_OUTPUT: f64 = 15.0;
pub const PRICE_CACHE_READ: f64 = 0.3;
pub const PRICE_CACHE_WRITE: f64 = 3.75;

/// The usage of one completion as the mock sends it (`cached` ⊂ `input`, `reasoning` ⊂
/// `output`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// `prompt_tokens`.
    pub input: u64,
    /// `prompt_tokens_details.cached_tokens`.
    pub cached: u64,
    /// `completion_tokens`.
    pub output: u64,
    /// `completion_tokens_details.reasoning_tokens`.
    pub reasoning: u64,
}

impl Usage {
    /// The cost opencode computes for it (uncached input, output with reasoning, cache reads).
    pub fn cost(self) -> f64 {
        ((self.input - self.cached) as f64 * PRICE_INPUT
            + self.output as f64 * PRICE_OUTPUT
            + self.cached as f64 * PRICE_CACHE_READ)
            / 1_000_000.0
    }
}

const fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cached,
        output,
        reasoning,
    }
}

/// What one completion asks for.
#[derive(Debug, Clone)]
pub enum Item {
    /// `bash {"command", "description"}`.
    Bash(&'static str),
    /// `write {"filePath", "content"}`, the file relative to the repository.
    Write(&'static str, &'static str),
    /// `edit {"filePath", "oldString", "newString"}`, the file relative to the repository.
    Edit(&'static str, &'static str, &'static str),
    /// `task {"description", "prompt", "subagent_type"}`.
    Task {
        description: &'static str,
        prompt: &'static str,
        subagent: &'static str,
    },
    /// Assistant text (ends the turn: `finish_reason: "stop"`).
    Text(&'static str),
}

impl Item {
    /// The tool's name (`text` for a message).
    pub fn label(&self) -> &'static str {
        match self {
            Self::Bash(_) => "bash",
            Self::Write(..) => "write",
            Self::Edit(..) => "edit",
            Self::Task { .. } => "task",
            Self::Text(_) => "text",
        }
    }

    /// The tool call's `function.arguments` (paths made absolute in `repo`); `None` for text.
    pub fn arguments(&self, repo: &str) -> Option<Value> {
        let abs = |rel: &str| format!("{repo}/{rel}");
        Some(match self {
            Self::Bash(cmd) => json!({"command": cmd, "description": "Run a shell command"}),
            Self::Write(path, content) => json!({"filePath": abs(path), "content": content}),
            Self::Edit(path, old, new) => {
                json!({"filePath": abs(path), "oldString": old, "newString": new})
            }
            Self::Task {
                description,
                prompt,
                subagent,
            } => json!({"description": description, "prompt": prompt,
                "subagent_type": subagent}),
            Self::Text(_) => return None,
        })
    }
}

/// One scripted completion.
#[derive(Debug, Clone)]
pub struct Step {
    pub items: Vec<Item>,
    pub usage: Usage,
}

fn step(items: Vec<Item>, usage: Usage) -> Step {
    Step { items, usage }
}

/// A scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub prompt: &'static str,
    /// Per thread (`main`, then the child sessions in the order they start), the completions.
    pub threads: Vec<(&'static str, Vec<Step>)>,
}

/// The scenarios the tests run and the fixtures are recorded from.
pub const SCENARIOS: [&str; 2] = ["bash_write_edit_commit", "subagent"];

/// The usage of the title request (no tools) of each scenario: the mock answers it with plain
/// text and does not advance the script; opencode stores this usage nowhere.
pub fn side_usage(scenario: &str, index: u64) -> Usage {
    match scenario {
        "bash_write_edit_commit" => usage(613 + index, 0, 11 + index, 0),
        _ => usage(587 + index, 0, 9 + index, 0),
    }
}

/// The command the guard denies in the `capture` scenario: it deletes a folder outside the
/// repository (the work folder's `outside/`).
pub const OUTSIDE_RM: &str = "rm -rf ../outside";

/// With git-vouch's plugin installed (`init --agent opencode`, `vouch.guard enforce`): a shell
/// command, a write, a deletion outside the repository the guard denies, a commit.
fn capture() -> Scenario {
    Scenario {
        name: "capture",
        prompt: "Say hi, write hello.txt, clean up the folder next to the repository, commit.",
        threads: vec![(
            MAIN,
            vec![
                step(
                    vec![Item::Bash("echo hi-from-shell")],
                    usage(1301, 211, 47, 7),
                ),
                step(
                    vec![Item::Write("hello.txt", "hello\n")],
                    usage(1433, 1097, 71, 13),
                ),
                step(vec![Item::Bash(OUTSIDE_RM)], usage(1559, 1301, 37, 5)),
                step(
                    vec![Item::Bash(
                        "git add hello.txt && git commit -m \"Add hello\"",
                    )],
                    usage(1687, 1429, 53, 11),
                ),
                step(
                    vec![Item::Text("Committed hello.txt.")],
                    usage(1811, 1553, 23, 2),
                ),
            ],
        )],
    }
}

impl Scenario {
    pub fn get(name: &str) -> Self {
        match name {
            "bash_write_edit_commit" => Self {
                name: "bash_write_edit_commit",
                prompt: "Say hi from the shell, write hello.txt, edit it, then commit it.",
                threads: vec![(
                    MAIN,
                    vec![
                        step(
                            vec![Item::Bash("echo hi-from-shell")],
                            usage(1234, 203, 57, 11),
                        ),
                        step(
                            vec![Item::Write("hello.txt", "hello\n")],
                            usage(1391, 1021, 83, 17),
                        ),
                        step(
                            vec![Item::Edit("hello.txt", "hello", "hello, updated")],
                            usage(1517, 1283, 41, 9),
                        ),
                        step(
                            vec![Item::Bash("git add -A && git commit -q -m \"Add hello\"")],
                            usage(1663, 1409, 66, 23),
                        ),
                        step(
                            vec![Item::Text("Committed hello.txt.")],
                            usage(1789, 1531, 29, 3),
                        ),
                    ],
                )],
            },
            "capture" => capture(),
            "subagent" => Self {
                name: "subagent",
                prompt: "Look around, then have a subagent create child.txt.",
                threads: vec![
                    (
                        MAIN,
                        vec![
                            step(
                                vec![Item::Bash("echo parent-before-task")],
                                usage(2345, 307, 61, 13),
                            ),
                            step(
                                vec![Item::Task {
                                    description: "Create child file",
                                    prompt: "Create child.txt containing 'from the child' with \
                                        the write tool, then report back.",
                                    subagent: "general",
                                }],
                                usage(2468, 2039, 74, 19),
                            ),
                            step(
                                vec![Item::Text("The subagent created child.txt.")],
                                usage(2717, 2423, 31, 5),
                            ),
                        ],
                    ),
                    (
                        CHILD,
                        vec![
                            step(
                                vec![Item::Write("child.txt", "from the child\n")],
                                usage(3141, 509, 59, 26),
                            ),
                            step(
                                vec![Item::Text("child.txt created.")],
                                usage(3272, 2551, 37, 9),
                            ),
                        ],
                    ),
                ],
            },
            other => panic!("no opencode scenario {other:?} (known: {SCENARIOS:?})"),
        }
    }

    pub fn steps(&self, thread: &str) -> Option<&[Step]> {
        self.threads
            .iter()
            .find(|(t, _)| *t == thread)
            .map(|(_, s)| s.as_slice())
    }

    /// The tools a thread calls, in order.
    pub fn tool_calls(&self, thread: &str) -> Vec<&'static str> {
        self.steps(thread)
            .unwrap_or_default()
            .iter()
            .flat_map(|s| &s.items)
            .filter(|i| !matches!(i, Item::Text(_)))
            .map(Item::label)
            .collect()
    }
}
