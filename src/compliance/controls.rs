//! The controls a report tests, and the framework requirements each supports. A mapping names
//! the requirement and the evidence in the report that supports it; it is support for an
//! auditor's judgement, not a claim of compliance. References: SOC 2 = AICPA Trust Services
//! Criteria (2017, points of focus revised 2022); ISO/IEC 27001:2022 Annex A; EU AI Act =
//! Regulation (EU) 2024/1689.

use super::Mapping;

/// A control's fixed words.
pub struct Definition {
    pub id: &'static str,
    pub title: &'static str,
    pub objective: &'static str,
    pub mappings: &'static [Mapping],
}

const fn map(
    framework: &'static str,
    reference: &'static str,
    requirement: &'static str,
    supported_by: &'static str,
) -> Mapping {
    Mapping {
        framework,
        reference,
        requirement,
        supported_by,
    }
}

pub const REVIEW: Definition = Definition {
    id: "AI-1",
    title: "Human review of AI-assisted changes",
    objective: "Every commit with changes made by an AI agent session was reviewed by a named \
                person, who signed an attestation of the evidence before it was pushed.",
    mappings: &[
        map(
            "SOC 2",
            "CC8.1",
            "Changes to infrastructure, data, software and procedures are authorized, designed, \
             developed, configured, documented, tested, approved and implemented.",
            "Each agent commit's signed attestation names the person who reviewed it, when, \
             and the note they wrote (Commits; Verification).",
        ),
        map(
            "ISO/IEC 27001:2022",
            "A.8.32",
            "Changes to information processing facilities and information systems shall be \
             subject to change management procedures.",
            "A review and signature record for every AI-assisted change, checkable in any \
             clone (Commits; Verification).",
        ),
        map(
            "EU AI Act",
            "Art. 14",
            "Human oversight: natural persons can understand, monitor and decide not to use or \
             to override the output of the system.",
            "A person saw what the agent did (sessions, commands, diff) and signed, or refused \
             to sign, before the change left the machine (Commits; Usage).",
        ),
    ],
};

pub const INTEGRITY: Definition = Definition {
    id: "AI-2",
    title: "Integrity of the change record",
    objective: "Every attestation in the range verifies: its signature is good, its key is in \
                the allowed signers, and it is about the commit it is attached to.",
    mappings: &[
        map(
            "SOC 2",
            "CC6.1",
            "Logical access security measures protect information assets; access is restricted \
             to authorized users.",
            "Only keys listed in the allowed-signers file count as approvals; signatures by \
             other keys are reported as untrusted (Scope; Exceptions).",
        ),
        map(
            "SOC 2",
            "CC8.1",
            "Changes are documented and approved.",
            "The statements' sha256 digests and the verify command let anyone re-check the \
             record (Verification).",
        ),
        map(
            "ISO/IEC 27001:2022",
            "A.8.32",
            "Change management procedures.",
            "Tampered or foreign attestations are detected and listed (Exceptions).",
        ),
    ],
};

pub const RECORDS: Definition = Definition {
    id: "AI-3",
    title: "Record-keeping of AI activity",
    objective: "Every agent commit carries a signed record of the sessions behind it: agent and \
                version, models, tokens, cost, tool calls, files changed and transcript digests.",
    mappings: &[
        map(
            "EU AI Act",
            "Art. 12",
            "Record-keeping: the automatic recording of events (logs) over the lifetime of the \
             system, enabling traceability.",
            "Session records signed with each change, with the transcripts' sha256 digests \
             (Usage; Commits).",
        ),
        map(
            "SOC 2",
            "CC7.2",
            "The entity monitors system components for anomalies indicative of malicious acts, \
             natural disasters and errors.",
            "Per-session health scores and findings (loops, failure storms, unverified claims) \
             recorded with the change (Findings).",
        ),
    ],
};

pub const POLICIES: Definition = Definition {
    id: "AI-4",
    title: "Policy checks before changes leave",
    objective: "The repository's policies were evaluated over each attested push, and the \
                evidence records no violation.",
    mappings: &[
        map(
            "SOC 2",
            "CC8.1",
            "Changes are tested and approved before implementation.",
            "Policy results recorded in the signed evidence of each push (Commits).",
        ),
        map(
            "ISO/IEC 27001:2022",
            "A.8.32",
            "Change management procedures.",
            "Policy violations are listed as exceptions (Exceptions).",
        ),
    ],
};

pub const GUARD: Definition = Definition {
    id: "AI-5",
    title: "Risky agent actions guarded",
    objective: "High and critical tool calls were denied, or a person was asked, and no denied \
                call ran anyway.",
    mappings: &[
        map(
            "SOC 2",
            "CC7.2",
            "The entity monitors system components and the operation of those components for \
             anomalies.",
            "Every tool call the guard checked, its risk and decision, and denied calls that \
             ran anyway (Guard decisions).",
        ),
        map(
            "EU AI Act",
            "Art. 14",
            "Human oversight: the ability to intervene in the operation or interrupt the system.",
            "Calls held for a person's answer, and who answered (Guard decisions).",
        ),
    ],
};

pub const PERMISSIONS: Definition = Definition {
    id: "AI-6",
    title: "Agents ran within their permissions",
    objective: "No agent session ran with its permission checks bypassed (Claude Code's \
                bypassPermissions, Codex CLI without its sandbox, Gemini CLI's yolo, opencode's \
                auto-approve).",
    mappings: &[
        map(
            "SOC 2",
            "CC6.1",
            "Access is restricted to what is authorized (least privilege).",
            "The permission modes each session ran in, from its transcript, or the mode it \
             started in, from its command line (Usage).",
        ),
        map(
            "EU AI Act",
            "Art. 14",
            "Human oversight measures built into the system.",
            "Sessions that ran without their agent's own permission prompts are listed \
             (Exceptions).",
        ),
    ],
};

/// Every control, in the order the report lists them.
pub const ALL: [&Definition; 6] = [
    &REVIEW,
    &INTEGRITY,
    &RECORDS,
    &POLICIES,
    &GUARD,
    &PERMISSIONS,
];
