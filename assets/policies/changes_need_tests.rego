# Changes need tests: a session whose commits change code (`code_paths`, globs) also changes
# tests (`test_paths`, globs).
package vouch.builtin.changes_need_tests

import data.vouch.lib
import rego.v1

default_code := ["src/**", "lib/**", "app/**", "pkg/**", "cmd/**", "internal/**"]

default_tests := ["test/**", "tests/**", "spec/**", "**/test/**", "**/tests/**", "**/__tests__/**", "**/*_test.*", "**/*.test.*", "**/*.spec.*", "**/test_*", "*_test.*", "test_*"]

violations contains v if {
	some s in input.sessions
	files := [f | some c in input.commits; c.sha in s.commits; some f in c.files; f.status != "deleted"]
	code := [f.path | some f in files; is_code(f.path)]
	count(code) > 0
	not any_test(files)
	v := lib.session_violation(s, sprintf("code changed without a test change: %s", [concat(", ", code)]))
}

is_code(path) if {
	lib.matches_any(lib.arg("code_paths", default_code), path)
	not is_test(path)
}

is_test(path) if lib.matches_any(lib.arg("test_paths", default_tests), path)

any_test(files) if {
	some f in files
	is_test(f.path)
}
