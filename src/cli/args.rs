//! Command-line arguments. The doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Capture, explore, review and sign what AI coding agents did in a git repository.
#[derive(Debug, Parser)]
#[command(name = "git-vouch", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options for every command.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Use the built-in demo sessions instead of the local Claude Code data.
    #[arg(long, global = true)]
    pub demo: bool,
    /// When to use colours (NO_COLOR is honoured by `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Read every transcript again instead of using the index cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List sessions: when, where, what it cost.
    Sessions(SessionsArgs),
    /// Show one session in full.
    Show(ShowArgs),
    /// Token and cost totals by day, month or session.
    Usage(UsageArgs),
    /// Print the evidence document of a range of commits (default: the current branch).
    Evidence(EvidenceArgs),
    /// Sign the evidence of a range (default: the current branch) and attach it as git notes,
    /// marked as not reviewed by a person.
    Attest(AttestArgs),
    /// Check the attestations of a range (default: the current branch) against allowed signers.
    Verify(VerifyArgs),
    /// Review a range (default: the current branch) on the review screen, write a note, and sign
    /// it as reviewed by a person (what `git push` opens when commits involve agent sessions).
    Review(ReviewArgs),
    /// The AI provenance of a branch (default: the current branch against its upstream or the
    /// default branch): each commit's sessions, models, cost and attestation state.
    Log(LogArgs),
    /// Who wrote each line of a file: the agent session (with the prompt behind the edit) or the
    /// person, from the hooks' records of each commit, else by matching what sessions wrote.
    Blame(BlameArgs),
    /// The diff of a range (default: the current branch against its upstream or default branch),
    /// each added line marked with its agent session and prompt, or its person.
    Diff(DiffArgs),
    /// The guard's timeline: every tool call it checked in this repository, with its risk, the
    /// decision, who made it and what became of the call.
    Audit(AuditArgs),
    /// What went wrong in sessions (loops, failure storms, churn, unverified claims, context
    /// pressure, waste) and a health score for each.
    Insights(InsightsArgs),
    /// A compliance report over a range of commits (default: the current branch) or a period,
    /// for auditors: controls and their evidence, attestations with their digests, AI usage,
    /// guard decisions, findings, redactions and exceptions, as HTML, PDF or JSON.
    Report(ReportArgs),
    /// Send sessions elsewhere: `export otlp` to an OpenTelemetry collector.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Record every model exchange through a local proxy: run COMMAND (`claude`) pointed at it,
    /// or, without one, record until interrupted for agents pointed at it by hand.
    Record(RecordArgs),
    /// The live view: the sessions running in this repository, their tool calls with the guard's
    /// risk, and the calls the guard holds for you to allow once, deny or hand to Claude Code.
    Watch,
    /// Check the repository's policies (`.vouch/policies/`) over a range or a session, or list them.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Create an ed25519 signing key for git-vouch.
    Keygen(KeygenArgs),
    /// Share attestations: fetch teammates' notes or push yours.
    #[command(subcommand)]
    Notes(NotesCommand),
    /// Install the Claude Code and git hooks that capture sessions in this repository.
    Init(InstallArgs),
    /// Remove what `init` installed, restoring the previous files byte for byte.
    Uninstall(InstallArgs),
    /// Report what is installed, what is missing, where the state lives, and recent hook errors.
    Status(StatusArgs),
    /// Print the manual page (roff), or install it where `man` and `git vouch --help` find it.
    Man(ManArgs),
    /// Hook entry points called by Claude Code and git (not for direct use).
    #[command(hide = true, subcommand)]
    Hook(HookCommand),
    /// Developer tools: fixture recording and demo data.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Commits to cover: `A..B`, `A...B`, or a revision (from its merge base with the upstream
    /// or default branch).
    pub range: Option<String>,
    /// The document format.
    #[arg(long, value_enum, default_value_t = EvidenceFormat::Vouch)]
    pub format: EvidenceFormat,
    /// Also remove email addresses (personal data), not only secrets.
    #[arg(long)]
    pub redact_emails: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvidenceFormat {
    /// git-vouch's own document (assets/evidence.schema.json).
    Vouch,
    /// chainloop's CHAINLOOP_AI_CODING_SESSION materials, one per session.
    Chainloop,
}

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// Commits to cover (same forms as `evidence`).
    pub range: Option<String>,
    /// Also remove email addresses (personal data), not only secrets.
    #[arg(long)]
    pub redact_emails: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Commits to check (same forms as `evidence`).
    pub range: Option<String>,
    /// The allowed signers file (default: git's `gpg.ssh.allowedSignersFile`).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Print the stable JSON document instead of text (the same as `--format json`).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// What to print.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per commit, then the counts.
    Text,
    /// The stable JSON document (`git-vouch/verify@1`).
    Json,
    /// A summary for a pull request: commits, their attestation and reviewers, the agent
    /// sessions behind them with tokens, cost and health, policy results (exit status as for
    /// text).
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Evaluate the enabled policies over the evidence of a range (default: the current branch)
    /// or of one session; exit 1 on violations, 2 when a policy could not be evaluated.
    Check(PolicyCheckArgs),
    /// List the built-in and repository policies, enabled or not.
    List(PolicyListArgs),
    /// Evaluate one repository policy for a parent process (not for direct use).
    #[command(hide = true)]
    Worker,
}

#[derive(Debug, Args)]
pub struct PolicyCheckArgs {
    /// Commits to cover (same forms as `evidence`).
    pub range: Option<String>,
    /// Only this session (an id or a unique prefix), even before it has commits.
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PolicyListArgs {
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Commits to review (same forms as `evidence`).
    pub range: Option<String>,
    /// Also remove email addresses (personal data), not only secrets.
    #[arg(long)]
    pub redact_emails: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Commits to show (same forms as `evidence`).
    pub range: Option<String>,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not fetch the remote's attestation notes first.
    #[arg(long)]
    pub no_fetch: bool,
    /// The allowed signers file (default: git's `gpg.ssh.allowedSignersFile`).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BlameArgs {
    /// The file to blame.
    pub file: PathBuf,
    /// Blame the file as it is in this revision (default: the working tree).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Tell one line's story: its commit, the session and prompt behind it, the tool call that
    /// wrote it with its patch, and the conversation around that call.
    #[arg(long, value_name = "LINE")]
    pub why: Option<u32>,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Commits to diff (same forms as `evidence`).
    pub range: Option<String>,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the key (default: `$XDG_CONFIG_HOME/git-vouch/signing_key`).
    #[arg(long, value_name = "FILE")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum NotesCommand {
    /// Fetch the remote's attestation notes and merge them into yours.
    Fetch {
        #[arg(default_value = "origin")]
        remote: String,
    },
    /// Push your attestation notes (merging the remote's first if needed; never forced).
    Push {
        #[arg(default_value = "origin")]
        remote: String,
    },
    /// Sign a carry-over onto each commit of a range (default: the current branch) that repeats
    /// attested changes as a whole (a squash or rebase merge): it names the attested commits and
    /// holds their attestations, so the commit keeps their standing when they are gone. Not a
    /// review.
    Carry {
        /// Commits to look at (same forms as `evidence`).
        range: Option<String>,
    },
}

/// Where hooks go.
#[derive(Debug, Args, Clone, Default)]
pub struct InstallArgs {
    /// The agent whose hooks to install or remove: claude (Claude Code, the default), codex
    /// (Codex CLI: `$CODEX_HOME/hooks.json`, trusted in its `config.toml`), gemini (Gemini CLI:
    /// `~/.gemini/settings.json`), opencode (a plugin in `~/.config/opencode/plugin/`) or all.
    #[arg(long, value_enum, default_value_t = AgentArg::Claude)]
    pub agent: AgentArg,
    /// Use `.claude/settings.local.json` (not committed) instead of `.claude/settings.json`.
    #[arg(long, conflicts_with = "user")]
    pub local: bool,
    /// Use the user's `~/.claude/settings.json` (honours CLAUDE_CONFIG_DIR).
    #[arg(long)]
    pub user: bool,
    /// Print what would change (as a diff) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Whose hooks `init` and `uninstall` handle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum AgentArg {
    #[default]
    Claude,
    Codex,
    Gemini,
    Opencode,
    All,
}

#[derive(Debug, Args, Clone, Default)]
pub struct AuditArgs {
    /// Only this session (its id, or the first characters of it).
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    /// Only calls made since then: a date (2026-12-01, UTC), a time (RFC 3339) or a span back
    /// from now (90m, 24h, 7d).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only calls at this level of risk or above.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub risk: Option<RiskArg>,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

/// A level of risk, as `--risk` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RiskArg {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Args, Clone, Default)]
pub struct StatusArgs {
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ManArgs {
    /// Write the page to `<folder of this binary>/../share/man/man1/git-vouch.1`, where `man`
    /// finds it through PATH, instead of printing it.
    #[arg(long)]
    pub install: bool,
    /// With --install: the manual folder to write `man1/git-vouch.1` under.
    #[arg(long, value_name = "DIR", requires = "install")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// A Claude Code hook event; the JSON payload arrives on stdin.
    Claude {
        /// The event name (SessionStart, PreToolUse, …).
        event: String,
    },
    /// A Codex CLI hook event; the JSON payload arrives on stdin.
    Codex {
        /// The event name (SessionStart, PreToolUse, …).
        event: String,
    },
    /// A Gemini CLI hook event; the JSON payload arrives on stdin.
    Gemini {
        /// The event name (SessionStart, BeforeTool, …).
        event: String,
    },
    /// An event of git-vouch's opencode plugin; the JSON payload arrives on stdin.
    Opencode {
        /// The event name (SessionStart, PreToolUse, …).
        event: String,
    },
    /// A git hook; its arguments follow the name.
    Git {
        /// The hook name (commit-msg, post-commit, post-rewrite, pre-push).
        name: String,
        /// A foreign hook to run after ours, with the same arguments and stdin.
        #[arg(long)]
        chain: Option<PathBuf>,
        /// The hook's own arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Copy a recorded run's transcripts into a fixture folder with neutral paths.
    ImportRun {
        /// The run folder (holds home/.claude/projects).
        run: PathBuf,
        /// The fixture folder to write (gets a projects/ tree).
        dest: PathBuf,
        /// The neutral path that replaces the run folder's absolute path.
        #[arg(long, default_value = "/home/dev/demo")]
        neutral: String,
    },
    /// Pack fixture folders into the demo archive (assets/demo/transcripts.txt).
    PackDemo {
        /// Where to write the archive.
        #[arg(long)]
        out: PathBuf,
        /// Fixture folders, each holding a projects/ tree.
        roots: Vec<PathBuf>,
    },
}

/// Which sessions to include.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only sessions whose working directory is this folder or inside it.
    #[arg(long, value_name = "PATH")]
    pub project: Option<PathBuf>,
    /// Only sessions active on or after DATE (2026-03-01, 20260301, or a span such as 7d).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only sessions started on or before DATE (same forms as --since).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only sessions of this agent: claude-code, codex, gemini-cli or opencode (repeat for
    /// several).
    #[arg(long, value_name = "AGENT", value_parser = parse_agent)]
    pub agent: Vec<crate::transcript::agent::Agent>,
}

fn parse_agent(id: &str) -> Result<crate::transcript::agent::Agent, String> {
    let all = crate::agent_source::ALL;
    crate::transcript::agent::Agent::parse(id).ok_or_else(|| {
        let ids: Vec<&str> = all.iter().map(|a| a.id()).collect();
        format!("unknown agent `{id}`; one of: {}", ids.join(", "))
    })
}

#[derive(Debug, Args)]
pub struct SessionsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print the stable JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// The sessions credited to these commits (same forms as `evidence`), in commit order.
    #[arg(conflicts_with_all = ["session", "project", "since", "until"])]
    pub range: Option<String>,
    /// One session: its id or a unique prefix of one (the others filter the sessions).
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Commits to report on (same forms as `evidence`; default: the current branch).
    #[arg(conflicts_with_all = ["since", "until"])]
    pub range: Option<String>,
    /// Instead of a range: the current branch's commits made on or after DATE (2026-11-01,
    /// 20261101, or a span such as 30d).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// With or without --since: commits made before the end of DATE.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// html (self-contained, prints well), pdf, or json (the report's data).
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Where to write it (default: standard output; a PDF needs a file or a pipe).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The allowed signers file (default: git's `gpg.ssh.allowedSignersFile`).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Do not fetch the remote's attestation notes first.
    #[arg(long)]
    pub no_fetch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Pdf,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Send sessions to an OpenTelemetry collector over OTLP: each session as a trace (GenAI
    /// semantic conventions 1.41.1), tokens, cost and sessions as metrics. Traces the collector
    /// already holds unchanged are skipped and metrics never count a session twice; sessions a
    /// failed export left are sent by the next one to the same endpoint.
    Otlp(OtlpArgs),
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)] // independent command-line switches
pub struct OtlpArgs {
    /// The sessions credited to these commits (same forms as `evidence`).
    #[arg(conflicts_with_all = ["session", "project", "since", "until"])]
    pub range: Option<String>,
    /// One session: its id or a unique prefix of one.
    #[arg(long, value_name = "ID")]
    pub session: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The collector's base URL (default `$OTEL_EXPORTER_OTLP_ENDPOINT`, else `git config
    /// vouch.otlp.endpoint`, else http://localhost:4318, or :4317 for grpc).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// http/protobuf, http/json or grpc (default `$OTEL_EXPORTER_OTLP_PROTOCOL`, else `git
    /// config vouch.otlp.protocol`, else http/protobuf).
    #[arg(long, value_name = "PROTOCOL")]
    pub protocol: Option<String>,
    /// Also send the conversation: prompts, answers, tool inputs and results, redacted.
    #[arg(long)]
    pub content: bool,
    /// Send traces the collector already holds unchanged (metrics still count each session once).
    #[arg(long)]
    pub again: bool,
    /// Print what was sent as JSON.
    #[arg(long)]
    pub json: bool,
    /// The export a session end starts in the background: quiet, failures to `errors.log`.
    #[arg(long, hide = true)]
    pub live: bool,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Where to forward: default `$ANTHROPIC_BASE_URL` as this command was started with, else
    /// https://api.anthropic.com.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// The loopback address to listen on (default: 127.0.0.1, a free port).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Refuse further requests once the recorded cost reaches this many US dollars (for
    /// unattended runs; default `git config vouch.record.maxCost`).
    #[arg(long, value_name = "USD")]
    pub max_cost: Option<String>,
    /// The exchange store's folder (default: `<git-dir>/vouch/exchanges` inside a repository,
    /// else `$XDG_DATA_HOME/git-vouch/exchanges`).
    #[arg(long, value_name = "DIR")]
    pub store: Option<std::path::PathBuf>,
    /// The command to run with `ANTHROPIC_BASE_URL` pointing at the recorder, after `--`; it
    /// gets a one-run token instead of `ANTHROPIC_API_KEY` / `ANTHROPIC_AUTH_TOKEN`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A session id or a unique prefix of one.
    pub session: String,
    /// Print the stable JSON document instead of text.
    #[arg(long)]
    pub json: bool,
    /// Hide secrets (`[REDACTED:rule]`, the evidence's rules), for sharing the output.
    #[arg(long)]
    pub redact: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// How to group usage.
    #[arg(value_enum)]
    pub period: PeriodArg,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Time zone for days and months: local, UTC, or an offset such as +02:00.
    #[arg(long, default_value = "local")]
    pub timezone: String,
    /// Print the stable JSON document instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Daily,
    Monthly,
    Session,
}
