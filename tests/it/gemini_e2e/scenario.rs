//! The scenarios: a prompt, how the CLI is driven, and per thread the responses the mock
//! serves in order. Every response carries its own distinct, non-round usage, so a reader that
//! counts a message twice (the CLI writes a message with tool calls twice under one `id`), or
//! takes a subset (cached ⊂ input) for a separate figure, or folds thoughts into output twice,
//! cannot land on the right totals by accident.

use serde_json::{Value, json};

/// The thread name of the main session.
pub const MAIN: &str = "main";
/// The subagent the `subagent` scenario invokes (`invoke_agent {agent_name}`): the built-in
/// `generalist` (all tools; it finishes with `complete_task {result: {response}}`).
pub const CHILD: &str = "generalist";
/// The model every request names (pinned with `-m`: the default `auto` would add router
/// side calls to a flash-lite model, which the session file never shows).
pub const MODEL: &str = "gemini-2.5-pro";

/// The usage of one response, as the mock sends it in `usageMetadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// `promptTokenCount` (cached included).
    pub input: u64,
    /// `cachedContentTokenCount` (⊂ input).
    pub cached: u64,
    /// `candidatesTokenCount` (thoughts not included).
    pub output: u64,
    /// `thoughtsTokenCount`.
    pub thoughts: u64,
    /// `toolUsePromptTokenCount`.
    pub tool: u64,
}

impl Usage {
    /// `totalTokenCount`, as the Gemini API computes it.
    pub const fn total(self) -> u64 {
        self.input + self.output + self.thoughts + self.tool
    }
}

const fn usage(input: u64, cached: u64, output: u64, thoughts: u64, tool: u64) -> Usage {
    Usage {
        input,
        cached,
        output,
        thoughts,
        tool,
    }
}

/// One part of a response.
#[derive(Debug, Clone)]
pub enum Item {
    /// A `functionCall` part: tool name and arguments.
    Call(&'static str, Value),
    /// A text part; consecutive ones are sent as separate chunks and the CLI joins them.
    Text(&'static str),
    /// A thought part (`thought: true`): subject and description, recorded as `thoughts`.
    Thought(&'static str, &'static str),
}

/// One scripted response.
#[derive(Debug, Clone)]
pub struct Step {
    pub items: Vec<Item>,
    pub usage: Usage,
    /// Removed by the scenario's `/rewind`.
    pub rewound: bool,
}

fn step(items: Vec<Item>, usage: Usage) -> Step {
    Step {
        items,
        usage,
        rewound: false,
    }
}

/// How the CLI is driven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `gemini -p <prompt> --yolo --output-format json`.
    Prompt,
    /// The interactive CLI in tmux (`-i <prompt>`), then `/rewind` to the prompt, which is sent
    /// again with [`AGAIN`] appended, then `/quit`.
    Rewind,
}

/// A scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub prompt: &'static str,
    pub mode: Mode,
    /// Per thread (`main` or the subagent's name), the responses in order.
    pub threads: Vec<(&'static str, Vec<Step>)>,
}

/// The scenarios the tests run and the fixtures are recorded from.
pub const SCENARIOS: [&str; 3] = ["shell_write_commit", "subagent", "rewind"];

/// What the rewind scenario types after the prompt the rewind puts back in the input box.
pub const AGAIN: &str = " Once more.";
/// The text of the answer the rewind removes, and of the one after it (screen markers).
pub const FIRST_ANSWER: &str = "First answer, soon rewound.";
pub const SECOND_ANSWER: &str = "Second answer, after the rewind.";

fn shell(command: &str, description: &str) -> Item {
    Item::Call(
        "run_shell_command",
        json!({"command": command, "description": description}),
    )
}

impl Scenario {
    pub fn get(name: &str) -> Self {
        match name {
            "shell_write_commit" => shell_write_commit(),
            "subagent" => subagent(),
            "rewind" => rewind(),
            "capture" => capture(),
            other => panic!("no Gemini scenario {other:?} (known: {SCENARIOS:?})"),
        }
    }

    pub fn steps(&self, thread: &str) -> Option<&[Step]> {
        self.threads
            .iter()
            .find(|(t, _)| *t == thread)
            .map(|(_, s)| s.as_slice())
    }

    /// The subagent thread, if the scenario has one.
    pub fn child(&self) -> Option<&'static str> {
        self.threads.iter().map(|(t, _)| *t).find(|t| *t != MAIN)
    }
}

/// Shell command (after a thought), write_file, replace, a commit with its output, text in two
/// chunks.
fn shell_write_commit() -> Scenario {
    Scenario {
        name: "shell_write_commit",
        prompt: "Say hi from the shell, add hello.txt, update it, then commit it.",
        mode: Mode::Prompt,
        threads: vec![(
            MAIN,
            vec![
                step(
                    vec![
                        Item::Thought("Greeting first", "I will say hi from the shell."),
                        shell("echo hi-from-shell", "Say hi."),
                    ],
                    usage(1234, 203, 57, 11, 3),
                ),
                step(
                    vec![Item::Call(
                        "write_file",
                        json!({"file_path": "hello.txt", "content": "hello\n"}),
                    )],
                    usage(1391, 1021, 83, 17, 5),
                ),
                step(
                    vec![Item::Call(
                        "replace",
                        json!({"file_path": "hello.txt",
                            "instruction": "Update the greeting in hello.txt.",
                            "old_string": "hello\n", "new_string": "hello, updated\n"}),
                    )],
                    usage(1517, 1283, 41, 9, 7),
                ),
                step(
                    vec![shell(
                        "git add -A && git commit -m \"Add hello\"",
                        "Commit hello.txt.",
                    )],
                    usage(1663, 1409, 66, 23, 2),
                ),
                step(
                    vec![Item::Text("Committed "), Item::Text("hello.txt.")],
                    usage(1789, 1531, 29, 3, 0),
                ),
            ],
        )],
    }
}

/// The command the guard denies in the `capture` scenario: it deletes a folder outside the
/// repository (the work folder's `outside/`).
pub const OUTSIDE_RM: &str = "rm -rf ../outside";

/// With git-vouch's hooks installed (`init --agent gemini`, `vouch.guard enforce`): a shell
/// command, write_file, a deletion outside the repository the guard denies, a commit.
fn capture() -> Scenario {
    Scenario {
        name: "capture",
        prompt: "Say hi, add hello.txt, clean up the folder next to the repository, commit.",
        mode: Mode::Prompt,
        threads: vec![(
            MAIN,
            vec![
                step(
                    vec![shell("echo hi-from-shell", "Say hi.")],
                    usage(1301, 211, 47, 7, 3),
                ),
                step(
                    vec![Item::Call(
                        "write_file",
                        json!({"file_path": "hello.txt", "content": "hello\n"}),
                    )],
                    usage(1433, 1097, 71, 13, 5),
                ),
                step(
                    vec![shell(OUTSIDE_RM, "Clean up.")],
                    usage(1559, 1301, 37, 5, 2),
                ),
                step(
                    vec![shell(
                        "git add hello.txt && git commit -m \"Add hello\"",
                        "Commit.",
                    )],
                    usage(1687, 1429, 53, 11, 4),
                ),
                step(
                    vec![Item::Text("Committed hello.txt.")],
                    usage(1811, 1553, 23, 2, 0),
                ),
            ],
        )],
    }
}

/// A shell command, then `invoke_agent` (with a thought) running the generalist, which writes a
/// file and calls `complete_task`.
fn subagent() -> Scenario {
    Scenario {
        name: "subagent",
        prompt: "Look around, then have a sub-agent create child.txt.",
        mode: Mode::Prompt,
        threads: vec![
            (
                MAIN,
                vec![
                    step(
                        vec![shell("ls", "List the files.")],
                        usage(2345, 307, 61, 13, 4),
                    ),
                    step(
                        vec![
                            Item::Thought(
                                "Delegating",
                                "The generalist sub-agent can create the file.",
                            ),
                            Item::Call(
                                "invoke_agent",
                                json!({"agent_name": CHILD,
                                    "prompt": "Create child.txt containing 'from the child' with write_file, then report back."}),
                            ),
                        ],
                        usage(2419, 1999, 52, 17, 6),
                    ),
                    step(
                        vec![Item::Text("The sub-agent created child.txt.")],
                        usage(2717, 2423, 31, 5, 0),
                    ),
                ],
            ),
            (
                CHILD,
                vec![
                    step(
                        vec![Item::Call(
                            "write_file",
                            json!({"file_path": "child.txt", "content": "from the child\n"}),
                        )],
                        usage(3141, 509, 59, 26, 8),
                    ),
                    step(
                        vec![Item::Call(
                            "complete_task",
                            json!({"result": {"response": "child.txt created."}}),
                        )],
                        usage(3272, 2551, 37, 9, 1),
                    ),
                ],
            ),
        ],
    }
}

/// A turn (shell command, text) that `/rewind` removes, then the prompt again: the same shape.
fn rewind() -> Scenario {
    Scenario {
        name: "rewind",
        prompt: "Run echo first-try, then answer.",
        mode: Mode::Rewind,
        threads: vec![(
            MAIN,
            vec![
                Step {
                    rewound: true,
                    ..step(
                        vec![shell("echo first-try", "First try.")],
                        usage(1111, 101, 41, 7, 2),
                    )
                },
                Step {
                    rewound: true,
                    ..step(vec![Item::Text(FIRST_ANSWER)], usage(1213, 907, 23, 5, 0))
                },
                step(
                    vec![shell("echo second-try", "Second try.")],
                    usage(1319, 211, 37, 11, 3),
                ),
                step(
                    vec![Item::Text(SECOND_ANSWER)],
                    usage(1427, 1117, 19, 13, 0),
                ),
            ],
        )],
    }
}

/// A thread name as it may appear in an id or a file name.
pub fn slug(thread: &str) -> String {
    let s: String = thread
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    s.trim_matches('_').to_owned()
}

impl Item {
    /// The part as the Gemini API sends it.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Call(name, args) => json!({"functionCall": {"name": name, "args": args}}),
            Self::Text(text) => json!({"text": text}),
            Self::Thought(subject, description) => json!({
                "text": format!("**{subject}**\n{description}"),
                "thought": true,
                "thoughtSignature": "bW9jay10aG91Z2h0"}),
        }
    }

    /// What the log shows for it: the tool name, `text` or `thought`.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Call(name, _) => name,
            Self::Text(_) => "text",
            Self::Thought(..) => "thought",
        }
    }

    /// The tool it calls, if any.
    pub fn tool(&self) -> Option<&'static str> {
        match self {
            Self::Call(name, _) => Some(name),
            _ => None,
        }
    }
}
