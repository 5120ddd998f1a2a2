//! Attribute, span and metric names, pinned to one version of the OpenTelemetry semantic
//! conventions: the GenAI conventions as published in semantic-conventions **v1.41.1** (their
//! last release in that repository; still of Development stability), and the `vcs.*` and
//! `service.*` names of the same release. Names of git-vouch's own start with `vouch.`.

/// The version every name here follows.
pub const SEMCONV_VERSION: &str = "1.41.1";

pub const SERVICE_NAME: &str = "service.name";
pub const SERVICE_VERSION: &str = "service.version";
pub const VCS_REPOSITORY_URL: &str = "vcs.repository.url.full";
pub const VCS_REPOSITORY_NAME: &str = "vcs.repository.name";
pub const VCS_REF_HEAD_NAME: &str = "vcs.ref.head.name";
pub const VCS_REF_HEAD_REVISION: &str = "vcs.ref.head.revision";

pub const OPERATION: &str = "gen_ai.operation.name";
pub const PROVIDER: &str = "gen_ai.provider.name";
pub const CONVERSATION_ID: &str = "gen_ai.conversation.id";
pub const AGENT_ID: &str = "gen_ai.agent.id";
pub const AGENT_NAME: &str = "gen_ai.agent.name";
pub const AGENT_DESCRIPTION: &str = "gen_ai.agent.description";
pub const REQUEST_MODEL: &str = "gen_ai.request.model";
pub const RESPONSE_MODEL: &str = "gen_ai.response.model";
pub const RESPONSE_ID: &str = "gen_ai.response.id";
/// Anthropic: uncached input plus cache reads plus cache writes (the convention's rule).
pub const USAGE_INPUT: &str = "gen_ai.usage.input_tokens";
pub const USAGE_OUTPUT: &str = "gen_ai.usage.output_tokens";
pub const USAGE_CACHE_READ: &str = "gen_ai.usage.cache_read.input_tokens";
pub const USAGE_CACHE_CREATION: &str = "gen_ai.usage.cache_creation.input_tokens";
pub const TOOL_NAME: &str = "gen_ai.tool.name";
pub const TOOL_CALL_ID: &str = "gen_ai.tool.call.id";
pub const TOOL_TYPE: &str = "gen_ai.tool.type";
pub const TOOL_ARGUMENTS: &str = "gen_ai.tool.call.arguments";
pub const TOOL_RESULT: &str = "gen_ai.tool.call.result";
pub const INPUT_MESSAGES: &str = "gen_ai.input.messages";
pub const OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
pub const ERROR_TYPE: &str = "error.type";

/// The event of an evaluation (the insights' findings and the session's health).
pub const EVALUATION_EVENT: &str = "gen_ai.evaluation.result";
pub const EVALUATION_NAME: &str = "gen_ai.evaluation.name";
pub const EVALUATION_SCORE: &str = "gen_ai.evaluation.score.value";
pub const EVALUATION_LABEL: &str = "gen_ai.evaluation.score.label";
pub const EVALUATION_EXPLANATION: &str = "gen_ai.evaluation.explanation";

pub const TOKEN_TYPE: &str = "gen_ai.token.type";
/// The convention's histogram of tokens per request, with its advised bucket boundaries.
pub const TOKEN_USAGE_METRIC: &str = "gen_ai.client.token.usage";
pub const TOKEN_BUCKETS: [f64; 14] = [
    1.0,
    4.0,
    16.0,
    64.0,
    256.0,
    1024.0,
    4096.0,
    16384.0,
    65536.0,
    262_144.0,
    1_048_576.0,
    4_194_304.0,
    16_777_216.0,
    67_108_864.0,
];

/// What a session, a call or a tally cost, in US dollars (exact to the micro-dollar, as the
/// `cost_usd` of the JSON documents).
pub const COST_USD: &str = "vouch.cost.usd";
/// Our metrics: tokens by kind (`input`, `output`, `cache_read`, `cache_creation`), cost, and
/// sessions.
pub const TOKENS_METRIC: &str = "vouch.token.usage";
pub const COST_METRIC: &str = "vouch.cost.usage";
pub const SESSIONS_METRIC: &str = "vouch.session.count";
/// The agent's stable id (`claude-code`), on sessions and metrics.
pub const AGENT: &str = "vouch.agent";
pub const PERMISSION_MODES: &str = "vouch.permission_modes";
pub const BRANCH: &str = "vouch.git.branch";
pub const COMMITS: &str = "vouch.commits";
pub const HEALTH: &str = "vouch.health";
pub const SUBAGENT_KIND: &str = "vouch.subagent.kind";
pub const NOT_IN_TRANSCRIPT: &str = "vouch.not_in_transcript";
pub const GUARD_EVENT: &str = "vouch.guard.decision";
pub const GUARD_LEVEL: &str = "vouch.guard.level";
pub const GUARD_VERDICT: &str = "vouch.guard.verdict";
pub const GUARD_MODE: &str = "vouch.guard.mode";
pub const GUARD_RULES: &str = "vouch.guard.rules";
pub const GUARD_OUTCOME: &str = "vouch.guard.outcome";
pub const GUARD_BYPASSED: &str = "vouch.guard.bypassed";
pub const GUARD_ANSWERED_BY: &str = "vouch.guard.answered_by";
pub const FINDING_SEVERITY: &str = "vouch.finding.severity";
pub const FINDING_CALLS: &str = "vouch.finding.calls";
