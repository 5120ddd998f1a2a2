# Only approved models: every model a session used matches one of `approved_models` (globs).
package vouch.builtin.approved_models

import data.vouch.lib
import rego.v1

default valid_input := false

valid_input if count(lib.arg("approved_models", [])) > 0

skip_reason := "no approved_models in the policy configuration" if not valid_input

violations contains v if {
	some s in input.sessions
	some m in s.models
	m.model != "<synthetic>"
	not approved(m.model)
	v := lib.session_violation(s, sprintf("model %s is not approved (%d requests)", [m.model, m.requests]))
}

approved(model) if {
	some pattern in input.args.approved_models
	glob.match(pattern, [], model)
}
