# Cost budget: each session's cost, and all sessions' cost, within `max_cost_usd_per_session` /
# `max_cost_usd_per_push` (exact decimal dollars, compared as integer micro-dollars). A session
# whose cost is unknown (a model without a price) cannot be shown to be within budget.
package vouch.builtin.cost_budget

import data.vouch.lib
import rego.v1

default valid_input := false

valid_input if input.args.max_cost_usd_per_session

valid_input if input.args.max_cost_usd_per_push

skip_reason := "no max_cost_usd_per_session or max_cost_usd_per_push in the policy configuration" if not valid_input

violations contains v if {
	budget := input.args.max_cost_usd_per_session
	some s in input.sessions
	s.usage.cost_usd != null
	lib.micros(s.usage.cost_usd) > lib.micros(budget)
	v := lib.session_violation(s, sprintf("session cost $%s, over the budget of $%v per session", [s.usage.cost_usd, budget]))
}

violations contains v if {
	budget := input.args.max_cost_usd_per_push
	total := sum([lib.micros(s.usage.cost_usd) | some s in input.sessions; s.usage.cost_usd != null])
	total > lib.micros(budget)
	v := {"msg": sprintf("the push's sessions cost $%s, over the budget of $%v per push", [dollars(total), budget])}
}

violations contains v if {
	valid_input
	some s in input.sessions
	s.usage.cost_usd == null
	v := lib.session_violation(s, "session cost is unknown (a model has no price), so the budget cannot be checked")
}

dollars(micros) := sprintf("%d.%s", [floor(micros / 1000000), substring(sprintf("%d", [1000000 + (micros % 1000000)]), 1, 6)])
