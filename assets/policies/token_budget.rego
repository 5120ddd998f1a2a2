# Token budget: all tokens (input, output, cache writes and reads) of each session, and of all
# sessions of the push, within `max_tokens_per_session` / `max_tokens_per_push`.
package vouch.builtin.token_budget

import data.vouch.lib
import rego.v1

default valid_input := false

valid_input if input.args.max_tokens_per_session

valid_input if input.args.max_tokens_per_push

skip_reason := "no max_tokens_per_session or max_tokens_per_push in the policy configuration" if not valid_input

violations contains v if {
	max := lib.num(input.args.max_tokens_per_session)
	some s in input.sessions
	s.usage.total_tokens > max
	v := lib.session_violation(s, sprintf("session used %d tokens, over the budget of %d per session", [s.usage.total_tokens, max]))
}

violations contains v if {
	max := lib.num(input.args.max_tokens_per_push)
	total := sum([s.usage.total_tokens | some s in input.sessions])
	total > max
	v := {"msg": sprintf("the push's %d sessions used %d tokens, over the budget of %d per push", [count(input.sessions), total, max])}
}
