# Tests were run when code changed: a session that edited files other than documentation ran a
# known test runner (or one of `test_commands`, regular expressions) after its last such edit.
#
# A session's paths and commands are matched one per line in a single string: evaluating a
# regular expression per action would cost more than the whole check.
package vouch.builtin.tests_run

import data.vouch.lib
import rego.v1

runners := `(^|[\s;&|(])((cargo|cross)\s+(\+\S+\s+)?(test|nextest)|go\s+test|(python3?\s+-m\s+)?pytest|python3?\s+-m\s+unittest|(npm|pnpm|yarn|bun)\s+(run\s+)?test|bun\s+test|deno\s+test|npx\s+(jest|vitest|mocha)|jest|vitest|mocha|(\./)?(mvnw?|gradlew?)\s+(\S+\s+)*(test|verify|check)|make\s+(\S+\s+)*(test|check)|ctest|(bundle\s+exec\s+)?(rspec|rake\s+test)|mix\s+test|dotnet\s+test|phpunit|tox|nox|swift\s+test|cabal\s+test|stack\s+test|zig\s+build\s+test)($|[\s;&|)])`

# Documentation, one path per line: editing only these needs no test run.
doc_lines := `(?m)^([^\n]*\.(md|txt|rst|adoc)|docs/[^\n]*|[^\n]*LICENSE[^\n]*)$`

violations contains v if {
	some s in input.sessions
	edits := [a | some a in s.actions; a.kind == "edit"; a.status == "ok"]
	count(edits) > 0
	docs := {p | some p in regex.find_n(doc_lines, concat("\n", [a.path | some a in edits]), -1)}
	code_edits := [a | some a in edits; not a.path in docs]
	count(code_edits) > 0
	last := code_edits[count(code_edits) - 1]
	not tested_after(s, last.seq)
	v := lib.session_violation(s, sprintf("no test runner ran after the last edit (%s, tool call %d)", [last.path, last.seq]))
}

# The commands that ran after the last edit, one per line, matched at once.
tested_after(s, last) if runs_tests(concat("\n", [a.command |
	some a in s.actions
	a.kind == "command"
	a.seq > last
	a.status != "pending"
]))

runs_tests(cmds) if regex.match(runners, cmds)

runs_tests(cmds) if {
	some pattern in lib.arg("test_commands", [])
	regex.match(concat("", ["(?m)", pattern]), cmds)
}
