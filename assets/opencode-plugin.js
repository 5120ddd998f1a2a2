// git-vouch-managed: records this opencode session for git-vouch (installed by
// `git vouch init --agent opencode`; `git vouch uninstall --agent opencode` removes it).
//
// Each hook hands its event to `git-vouch hook opencode <event>` as JSON on stdin, in the shape
// of Claude Code's hooks, and waits for it (a few milliseconds). Without git-vouch on PATH, or
// when it fails, nothing happens: the agent is never blocked by accident. Before a tool runs,
// the guard's decision is read back: a denial stops the call, and the agent reads its reason.
import { spawnSync } from "node:child_process";

const HOLD_MS = 310000;

function run(event, payload) {
  try {
    const r = spawnSync("git-vouch", ["hook", "opencode", event], {
      input: JSON.stringify({ ...payload, hook_event_name: event }),
      encoding: "utf8",
      timeout: HOLD_MS,
    });
    return typeof r.stdout === "string" ? r.stdout : "";
  } catch {
    return "";
  }
}

function decision(out) {
  const line = out.trim().split("\n").pop() || "";
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
}

function text(parts) {
  return (parts || [])
    .filter((p) => p && p.type === "text" && !p.synthetic)
    .map((p) => p.text || "")
    .join("\n");
}

export const GitVouch = async ({ directory }) => {
  const base = (session) => ({ session_id: session, cwd: directory });
  return {
    "tool.execute.before": async (input, output) => {
      const d = decision(
        run("PreToolUse", {
          ...base(input.sessionID),
          tool_name: input.tool,
          tool_input: output.args,
          tool_use_id: input.callID,
        }),
      );
      if (d.decision === "deny") {
        throw new Error(d.reason || "git-vouch guard denied this call");
      }
    },
    "tool.execute.after": async (input, output) => {
      run("PostToolUse", {
        ...base(input.sessionID),
        tool_name: input.tool,
        tool_input: input.args,
        tool_use_id: input.callID,
        tool_response: output && typeof output.output === "string" ? output.output : "",
      });
    },
    "chat.message": async (input, output) => {
      run("UserPromptSubmit", { ...base(input.sessionID), prompt: text(output && output.parts) });
    },
    event: async ({ event }) => {
      const p = event.properties || {};
      if (event.type === "session.created" && p.info) {
        run("SessionStart", { ...base(p.info.id), source: "startup" });
      } else if (event.type === "session.idle" && p.sessionID) {
        run("Stop", base(p.sessionID));
      } else if (event.type === "session.deleted" && p.info) {
        run("SessionEnd", { ...base(p.info.id), reason: "deleted" });
      }
    },
  };
};
