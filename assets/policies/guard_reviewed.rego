# Risky calls had a person's decision: no tool call the guard found critical (or, with
# `min_level = "high"`, high or critical) ran while the guard only observed it. A call the guard
# asked about ran because a person said yes (at Claude Code's prompt or at `git vouch watch`); a
# denied one never ran. With `require_guard = true`,
# a session the guard never checked (hooks missing, `vouch.guard off`) is a violation too. A denied
# call that ran anyway (a guard bypass) is always a violation.
package vouch.builtin.guard_reviewed

import data.vouch.lib
import rego.v1

ranks := {"low": 0, "medium": 1, "high": 2, "critical": 3}

min_rank := ranks[lib.arg("min_level", "critical")]

# An unknown `min_level` is said, not ignored.
violations contains v if {
	not ranks[lib.arg("min_level", "critical")]
	v := {"msg": sprintf("min_level %v is not low, medium, high or critical", [lib.arg("min_level", "critical")])}
}

violations contains v if {
	some s in input.sessions
	some c in s.guard.calls
	ranks[c.level] >= min_rank
	c.verdict == "allow"
	not is_string(c.answered_by)
	c.outcome != "no_result"
	v := lib.session_violation(s, sprintf("%s call ran with nobody asked (guard mode %s, rule %s): %s", [c.level, c.mode, concat(", ", c.rules), what(c)]))
}

violations contains v if {
	some s in input.sessions
	some c in s.guard.calls
	c.bypassed
	v := lib.session_violation(s, sprintf("guard bypass: a denied %s call ran anyway (rule %s): %s", [c.level, concat(", ", c.rules), what(c)]))
}

violations contains v if {
	lib.arg("require_guard", false) == true
	some s in input.sessions
	not s.guard
	v := lib.session_violation(s, "the guard checked none of this session's tool calls")
}

what(c) := c.summary if is_string(c.summary)

what(c) := c.tool if not is_string(c.summary)
