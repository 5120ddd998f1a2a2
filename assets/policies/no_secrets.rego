# No secrets found by redaction: the evidence needed no redaction (rules named in `ignore_rules`
# are not counted, such as `email` when emails are redacted on purpose).
package vouch.builtin.no_secrets

import data.vouch.lib
import rego.v1

violations contains v if {
	ignored := {r | some r in lib.arg("ignore_rules", [])}
	found := [sprintf("%s: %d", [rule, n]) | some rule, n in input.redactions; n > 0; not rule in ignored]
	count(found) > 0
	v := {"msg": sprintf("secrets were found and redacted in the evidence (%s)", [concat(", ", found)])}
}
