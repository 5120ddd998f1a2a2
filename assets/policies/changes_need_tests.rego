# Changes need tests: a session whose commits change code (default: files under src/, lib/,
# app/, pkg/, cmd/, internal/; or `code_paths`, globs) also changes tests (default: test and spec
# folders, test_* and *_test.*, *.test.*, *.spec.* files; or `test_paths`, globs).
package vouch.builtin.changes_need_tests

import data.vouch.lib
import rego.v1

# The defaults match a session's paths one per line, all at once.
code_lines := `(?m)^(src|lib|app|pkg|cmd|internal)/[^\n]*$`

test_lines := `(?m)(^|/)(tests?|spec|__tests__)/|(^|/)test_[^/\n]*$|(_test|\.test|\.spec)\.[^/\n]+$`

changed(s) := [f.path | some c in input.commits; c.sha in s.commits; some f in c.files; f.status != "deleted"]

violations contains v if {
	not configured
	some s in input.sessions
	paths := concat("\n", changed(s))
	not regex.match(test_lines, paths)
	code := regex.find_n(code_lines, paths, -1)
	count(code) > 0
	v := lib.session_violation(s, sprintf("code changed without a test change: %s", [concat(", ", code)]))
}

configured if input.args.code_paths

configured if input.args.test_paths

violations contains v if {
	configured
	some s in input.sessions
	paths := changed(s)
	code := [p | some p in paths; is_code(p)]
	count(code) > 0
	not any_test(paths)
	v := lib.session_violation(s, sprintf("code changed without a test change: %s", [concat(", ", code)]))
}

is_code(path) if {
	code_path(path)
	not is_test(path)
}

code_path(path) if lib.matches_any(input.args.code_paths, path)

code_path(path) if {
	not input.args.code_paths
	regex.match(code_lines, path)
}

is_test(path) if lib.matches_any(input.args.test_paths, path)

is_test(path) if {
	not input.args.test_paths
	regex.match(test_lines, path)
}

any_test(paths) if {
	some p in paths
	is_test(p)
}
