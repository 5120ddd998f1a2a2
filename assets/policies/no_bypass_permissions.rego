# No session ran with permissions bypassed, in any agent's words:
# - Claude Code's transcript records the permission modes a session ran in (`permissionMode` on
#   typed prompts and `permission-mode` lines); `bypassPermissions` (`--dangerously-skip-permissions`)
#   runs every tool call without asking;
# - Codex CLI's rollouts record `approval:<policy>` and `sandbox:<mode>`; `sandbox:danger-full-access`
#   (`--dangerously-bypass-approvals-and-sandbox`) runs without its sandbox;
# - Gemini CLI and opencode record no mode in their transcripts: the SessionStart hook reads the
#   mode the session started in from the agent's command line (`agent_config.launch_mode`):
#   Gemini CLI's `yolo` (`--yolo`), opencode's `auto-approve` (`--auto`).
# `forbidden_modes` replaces that list (for example ["bypassPermissions", "acceptEdits"]). With
# `require_mode = true`, a session with no recorded mode at all is a violation too (older Claude
# Code versions wrote none; a session captured without its command line has no launch mode).
package vouch.builtin.no_bypass_permissions

import data.vouch.lib
import rego.v1

forbidden := lib.arg("forbidden_modes", ["bypassPermissions", "sandbox:danger-full-access", "yolo", "auto-approve"])

violations contains v if {
	some s in input.sessions
	some mode in object.get(s, "permission_modes", [])
	mode in forbidden
	v := lib.session_violation(s, sprintf("ran in permission mode %s", [mode]))
}

violations contains v if {
	some s in input.sessions
	mode := launch_mode(s)
	mode in forbidden
	v := lib.session_violation(s, sprintf("started in permission mode %s (its command line)", [mode]))
}

violations contains v if {
	lib.arg("require_mode", false) == true
	some s in input.sessions
	count(object.get(s, "permission_modes", [])) == 0
	not launch_mode(s)
	v := lib.session_violation(s, "it records no permission mode")
}

launch_mode(s) := mode if {
	config := object.get(s, "agent_config", null)
	config != null
	mode := object.get(config, "launch_mode", null)
	mode != null
}
