# The work was verified: no session of the push ended claiming success with no test run after
# its last edit (the insights' `unverified_completion`), or left its work failing (`abandoned`).
# With `min_health`, a session whose health (0–100, `git vouch insights`) is below it is a
# violation too. A session whose insights are missing (evidence made before they existed) is
# said once, not passed silently.
package vouch.builtin.verified_work

import data.vouch.lib
import rego.v1

refused := {"unverified_completion", "abandoned"}

violations contains v if {
	some s in input.sessions
	some f in s.insights.findings
	f.id in refused
	v := lib.session_violation(s, sprintf("%s: %s", [f.id, f.title]))
}

violations contains v if {
	min := lib.num(lib.arg("min_health", 0))
	some s in input.sessions
	s.insights.health < min
	v := lib.session_violation(s, sprintf("health %d (%s) is below min_health %d", [s.insights.health, s.insights.grade, min]))
}

violations contains v if {
	some s in input.sessions
	not s.insights
	v := lib.session_violation(s, "the evidence has no insights for this session (made by an older git-vouch)")
}
