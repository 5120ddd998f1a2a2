# Tests were run when code changed: a session that edited files other than documentation ran a
# known test runner (or one of `test_commands`, regular expressions) after its last such edit.
package vouch.builtin.tests_run

import data.vouch.lib
import rego.v1

runners := `(^|[\s;&|(])((cargo|cross)\s+(\+\S+\s+)?(test|nextest)|go\s+test|(python3?\s+-m\s+)?pytest|(npm|pnpm|yarn|bun)\s+(run\s+)?test|bun\s+test|deno\s+test|npx\s+(jest|vitest|mocha)|jest|vitest|mocha|(\./)?(mvnw?|gradlew?)\s+(\S+\s+)*(test|verify|check)|make\s+(\S+\s+)*(test|check)|ctest|(bundle\s+exec\s+)?(rspec|rake\s+test)|mix\s+test|dotnet\s+test|phpunit|tox|nox|swift\s+test|cabal\s+test|stack\s+test|zig\s+build\s+test)($|[\s;&|)])`

docs := ["**/*.md", "*.md", "**/*.txt", "*.txt", "**/*.rst", "*.rst", "docs/**", "LICENSE*"]

violations contains v if {
	some s in input.sessions
	edits := [a | some a in s.actions; a.kind == "edit"; a.status == "ok"; not lib.matches_any(docs, a.path)]
	count(edits) > 0
	last := max([a.seq | some a in edits])
	not tested_after(s, last)
	last_edit := [a | some a in edits; a.seq == last][0]
	v := lib.session_violation(s, sprintf("no test runner ran after the last edit (%s, tool call %d)", [last_edit.path, last]))
}

tested_after(s, last) if {
	some a in s.actions
	a.kind == "command"
	a.seq > last
	a.status != "pending"
	runs_tests(a.command)
}

runs_tests(cmd) if regex.match(runners, cmd)

runs_tests(cmd) if {
	some pattern in lib.arg("test_commands", [])
	regex.match(pattern, cmd)
}
