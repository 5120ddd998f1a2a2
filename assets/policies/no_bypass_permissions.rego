# No session ran with permissions bypassed: each session's transcript records the permission
# modes it ran in (Claude Code writes `permissionMode` on typed prompts and on `permission-mode`
# lines), and a session that ran in `bypassPermissions` (`--dangerously-skip-permissions`: every
# tool call runs without asking) is a violation, as is a Codex CLI session that ran without its
# sandbox (`sandbox:danger-full-access`, which `--dangerously-bypass-approvals-and-sandbox` sets;
# Codex's rollouts record `approval:<policy>` and `sandbox:<mode>`). `forbidden_modes` replaces
# that list (for example ["bypassPermissions", "acceptEdits"]). With `require_mode = true`, a session whose
# transcript records no mode at all is a violation too (older Claude Code versions wrote none).
package vouch.builtin.no_bypass_permissions

import data.vouch.lib
import rego.v1

forbidden := lib.arg("forbidden_modes", ["bypassPermissions", "sandbox:danger-full-access"])

violations contains v if {
	some s in input.sessions
	some mode in object.get(s, "permission_modes", [])
	mode in forbidden
	v := lib.session_violation(s, sprintf("ran in permission mode %s", [mode]))
}

violations contains v if {
	lib.arg("require_mode", false) == true
	some s in input.sessions
	count(object.get(s, "permission_modes", [])) == 0
	v := lib.session_violation(s, "its transcript records no permission mode")
}
