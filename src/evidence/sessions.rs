//! The session part of evidence: a session's transcript files (the copies capture archived in
//! the state folder, else the live transcript its record names), read in full, reduced to what a
//! reviewer and a policy need, with a sha256 of every file.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{
    CallsEvidence, MissingCallEvidence, ModelEvidence, Producer, RecordingEvidence,
    SessionEvidence, SubagentEvidence, ToolEvidence, TranscriptDigest, UsageEvidence,
};
use crate::agent_source::{self, AgentSource};
use crate::capture::record::SessionRecord;
use crate::capture::state::{StateDir, read_json};
use crate::git::paths::RepoPaths;
use crate::money::Usd;
use crate::pricing::PriceTable;
use crate::session::detail::{SessionDetail, SubagentNode, ToolStatus, open_file};
use crate::session::recorded::{Recording, Tally};
use crate::session::{ScannedFile, summarize_project};
use crate::transcript::agent::Agent;
use crate::transcript::file_scan::FileScan;
use crate::transcript::source_file::SourceFile;
use crate::usage::Tokens;

/// Usage as evidence.
pub fn usage(tokens: &Tokens, cost: Option<Usd>) -> UsageEvidence {
    UsageEvidence {
        input_tokens: tokens.input,
        output_tokens: tokens.output,
        cache_write_5m_tokens: tokens.cache_write_5m,
        cache_write_1h_tokens: tokens.cache_write_1h,
        cache_read_tokens: tokens.cache_read,
        total_tokens: tokens.total(),
        cost_usd: cost.map(Usd::decimal6),
    }
}

/// The folder of the live transcript the session record names, when it is on this machine.
fn live_folder(state: &StateDir, id: &str) -> Option<PathBuf> {
    let record: SessionRecord = read_json(&state.session_file(id)).ok().flatten()?;
    let path = PathBuf::from(record.transcript_path?);
    path.is_file()
        .then(|| path.parent().map(Path::to_path_buf))
        .flatten()
}

/// The folder holding the session's transcripts: the archive if capture made one, else the
/// folder of the live transcript named by the session record.
fn transcript_folder(state: &StateDir, id: &str) -> Option<PathBuf> {
    let archived = state.transcripts_dir(id);
    if archived.join(format!("{id}.jsonl")).is_file() {
        return Some(archived);
    }
    live_folder(state, id)
}

/// Loads the session `id` from the state folder; `Err` names what is missing.
/// A session's evidence, with what it wrote to files (to tell its lines in a commit no capture
/// record covers, the way the explorer does).
pub struct Loaded {
    pub evidence: SessionEvidence,
    pub written: crate::correlate::Written,
}

/// The source of the agent the session record names: Claude Code when there is no record or it
/// names none (records written before agents were named); `Err` names an agent this build
/// cannot read.
fn source_of(state: &StateDir, id: &str) -> Result<&'static dyn AgentSource, String> {
    let record: Option<SessionRecord> = read_json(&state.session_file(id)).ok().flatten();
    let name = record.map(|r| r.agent).unwrap_or_default();
    if name.is_empty() {
        return Ok(agent_source::of(Agent::ClaudeCode));
    }
    Agent::parse(&name).map(agent_source::of).ok_or_else(|| {
        format!(
            "session {id}: recorded by agent '{name}', whose transcripts this build cannot read"
        )
    })
}

pub fn load(state: &StateDir, id: &str, prices: &PriceTable) -> Result<Loaded, String> {
    let source = source_of(state, id)?;
    let folder = transcript_folder(state, id).ok_or_else(|| {
        format!("session {id}: no transcript found (neither archived nor at its recorded path)")
    })?;
    let mut notes = Vec::new();
    let ours = |f: &SourceFile| f.session_hint.as_deref() == Some(id);
    let mut files: Vec<SourceFile> = source
        .files_in(&folder, &mut notes)
        .into_iter()
        .filter(ours)
        .collect();
    // The other sessions of its project: what a resume or fork copied from them is counted
    // for them, as in the session list.
    if let Some(live) = live_folder(state, id) {
        let others = source.files_in(&live, &mut notes);
        files.extend(others.into_iter().filter(|f| !ours(f)));
    }
    let scanned: Vec<ScannedFile> = files
        .into_iter()
        .filter_map(|file| {
            let mut scan = FileScan::default();
            source
                .scan(&file, &mut scan)
                .ok()
                .map(|()| ScannedFile { source: file, scan })
        })
        .collect();
    let project: Vec<&ScannedFile> = scanned.iter().collect();
    let summary = summarize_project(&project, prices)
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| format!("session {id}: its transcript holds no messages"))?;
    let mut detail = source.detail(&summary, &open_file, prices);
    add_recording(&mut detail, state, prices);
    let transcripts = scanned
        .iter()
        .filter(|f| ours(&f.source))
        .filter_map(|f| digest(&folder, &f.source.path))
        .collect();
    let mut out = from_detail(&detail, transcripts);
    let roots = super::actions::roots(&state.repo.worktree, summary.cwd.as_deref());
    out.actions = super::actions::actions(&detail.tool_calls, &roots);
    let succeeded = detail
        .tool_calls
        .iter()
        .filter(|c| c.status == ToolStatus::Ok)
        .map(|c| c.id.as_str())
        .collect();
    out.guard = super::guard::load(state, id, &succeeded);
    out.insights.clone_from(&summary.insights);
    match crate::capture::state::read_json(&state.config_file(id)) {
        Ok(config) => out.agent_config = config,
        Err(e) => out
            .warnings
            .push(format!("its recorded configuration cannot be read: {e}")),
    }
    if let Some(g) = out.guard.as_ref().filter(|g| g.bypassed > 0) {
        let calls = crate::words::plural(g.bypassed, "denied call", "denied calls");
        out.warnings.push(format!(
            "guard bypass: {calls} ran anyway (see the guard's calls)"
        ));
    }
    Ok(Loaded {
        evidence: out,
        written: crate::correlate::Written::of(
            &session_worktree(state, summary.cwd.as_deref()),
            &detail,
        ),
    })
}

/// Counts what `git vouch record` recorded of the session and its transcript lacks (the
/// repository's store, the one of the session's own working folder, the user's).
fn add_recording(detail: &mut SessionDetail, state: &StateDir, prices: &PriceTable) {
    use crate::recorder::accounting::{Ledger, stores_of, transcript_ids};
    let s = &detail.summary;
    let data_dir = crate::config::Config::load(&crate::config::ProcessEnv).data_dir;
    let mut dirs = vec![state.exchanges_dir()];
    dirs.extend(stores_of(s.cwd.as_deref(), &data_dir));
    // A store that cannot be read leaves the session's figures as its transcript counts them.
    let (ledger, _) = Ledger::read(&dirs, Some(&s.id));
    let Some(r) = ledger.recording(&s.id, &transcript_ids(detail), prices) else {
        return;
    };
    detail.summary.add_recording(r);
    detail.add_recorded_turns();
}

/// The working tree a session's file paths are relative to: its own repository's, found from its
/// working folder (another clone or worktree is fine: commits name files relative to the top),
/// else its working folder itself (a session recorded on another machine), else this one's.
pub fn session_worktree(state: &StateDir, cwd: Option<&str>) -> RepoPaths {
    let Some(cwd) = cwd.filter(|c| !c.is_empty()) else {
        return state.repo.clone();
    };
    RepoPaths::discover(Path::new(cwd)).unwrap_or_else(|| RepoPaths {
        worktree: PathBuf::from(cwd),
        ..state.repo.clone()
    })
}

/// A recording as evidence; costs are left out when some model had no price (`complete` false).
fn recording(r: &Recording, complete: bool) -> RecordingEvidence {
    let calls = |t: &Tally| CallsEvidence {
        calls: t.calls,
        usage: usage(&t.tokens, complete.then_some(t.cost)),
    };
    RecordingEvidence {
        recorded: calls(&r.recorded),
        transcript: calls(&r.transcript),
        not_in_transcript: r
            .not_in_transcript
            .iter()
            .map(|m| MissingCallEvidence {
                at: m.at,
                kind: m.kind,
                model: m.model.clone(),
                request_id: m.request_id.clone(),
                usage: usage(&m.tokens, m.cost),
            })
            .collect(),
    }
}

/// The evidence of a session from its detail (figures as the session list counts them) and
/// the digests of its transcripts.
pub fn from_detail(d: &SessionDetail, transcripts: Vec<TranscriptDigest>) -> SessionEvidence {
    let s = &d.summary;
    let complete = s.unpriced_models.is_empty();
    SessionEvidence {
        id: s.id.clone(),
        agent: Producer {
            name: s.agent.id().into(),
            version: s.agent_version.clone().unwrap_or_default(),
        },
        title: s.title.clone().or_else(|| s.first_prompt.clone()),
        started_at: s.start,
        ended_at: s.end,
        duration_seconds: s.duration().map(|d| d.num_seconds()),
        git_branch: s.git_branch.clone(),
        permission_modes: s.permission_modes.clone(),
        models: s
            .models
            .iter()
            .map(|m| ModelEvidence {
                model: m.model.clone(),
                requests: m.messages,
                usage: usage(&m.tokens, m.cost),
            })
            .collect(),
        usage: usage(&s.tokens, complete.then_some(s.cost)),
        tools: d
            .tool_stats()
            .into_iter()
            .map(|t| ToolEvidence {
                name: t.name,
                calls: t.calls,
                failed: t.failed,
            })
            .collect(),
        subagents: d.subagents.iter().map(subagent).collect(),
        user_prompts: s.user_prompts,
        assistant_messages: s.assistant_messages,
        commits: Vec::new(),
        transcripts,
        warnings: d.all_warnings().iter().map(ToString::to_string).collect(),
        actions: Vec::new(),
        guard: None,
        insights: None,
        recording: s.recording.as_deref().map(|r| recording(r, complete)),
        agent_config: None,
    }
}

fn subagent(n: &SubagentNode) -> SubagentEvidence {
    SubagentEvidence {
        id: n.agent_id.clone(),
        kind: n.kind.as_str().to_owned(),
        agent_type: n.agent_type.clone(),
        description: n.description.clone(),
        usage: usage(&n.tokens, n.cost),
        children: n.children.iter().map(subagent).collect(),
    }
}

/// sha256 of one file, streamed.
fn digest(folder: &Path, path: &Path) -> Option<TranscriptDigest> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    let rel = path
        .strip_prefix(folder)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let hex = super::hex(&hasher.finalize());
    Some(TranscriptDigest {
        path: rel,
        sha256: hex,
        bytes,
    })
}
