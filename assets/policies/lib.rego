# Helpers shared by git-vouch's built-in policies.
package vouch.lib

import rego.v1

# A number given as a number or a string ("5000000", "5_000_000").
num(x) := x if is_number(x)

num(x) := to_number(replace(trim_space(x), "_", "")) if is_string(x)

# Exact decimal dollars ("1.234567", "5", "5.5", 5) as integer micro-dollars.
micros(x) := round(x * 1000000) if is_number(x)

micros(x) := n if {
	is_string(x)
	parts := split(trim_prefix(trim_space(x), "$"), ".")
	count(parts) == 1
	n := to_number(parts[0]) * 1000000
}

micros(x) := n if {
	is_string(x)
	parts := split(trim_prefix(trim_space(x), "$"), ".")
	count(parts) == 2
	frac := substring(concat("", [parts[1], "000000"]), 0, 6)

	n := (integer(parts[0]) * 1000000) + integer(frac)
}

# Digits as an integer ("000500" is not a JSON number: leading zeros go first).
integer(digits) := 0 if trim_left(digits, "0") == ""

integer(digits) := to_number(trim_left(digits, "0")) if trim_left(digits, "0") != ""

# The argument `name`, else `default_value`.
arg(name, default_value) := input.args[name]

arg(name, default_value) := default_value if not input.args[name]

# Violation about one session.
session_violation(s, msg) := {"session": s.id, "msg": msg}

# Does `path` match one of the globs (`*` within a folder, `**` across folders)?
matches_any(globs, path) if {
	some g in globs
	glob.match(g, ["/"], path)
}
