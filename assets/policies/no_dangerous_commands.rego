# No dangerous commands: force pushes, `rm -rf` outside the repository, piping a download into a
# shell, disabling git hooks, and reading secrets files (by a command or the Read tool). Extra
# regular expressions in `forbidden_patterns`; `allowed_paths` are folders `rm -rf` may clear.
package vouch.builtin.no_dangerous_commands

import data.vouch.lib
import rego.v1

checks := [
	{"what": "force push", "re": `\bgit\s+(-\S+\s+)*push\b[^;&|\n]*(\s--force(-with-lease)?\b|\s-[a-zA-Z]*f[a-zA-Z]*\b|\s\+\S+)`},
	{"what": "download piped into a shell", "re": `\b(curl|wget)\b[^;&\n]*\|\s*(sudo\s+)?(ba|z|k|da|fi)?sh\b`},
	{"what": "download run by a shell", "re": "\\b(ba|z|k|da)?sh\\s+(-c\\s+)?(\"|')?(\\$\\(|<\\(|`)\\s*(curl|wget)\\b"},
	{"what": "git hooks disabled", "re": `(\bgit\b[^;&|\n]*\s--no-verify\b|core\.hooks[pP]ath|\bHUSKY=0\b|\bgit\s+commit\b[^;&|\n"']*\s-[a-zA-Z]*n[a-zA-Z]*\b)`},
]

secret_file := `(^|/)(\.env(\.[^/]+)?|id_(rsa|dsa|ecdsa|ed25519)|\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|credentials(\.json)?|secrets?\.(ya?ml|json|toml)|[^/]*\.(pem|key|p12|pfx|keystore|jks))$|(^|/)\.(ssh|aws|gnupg|docker)/`

not_secret := `(^|/)\.env\.(example|sample|template|dist)$|\.pub$`

readers := {"cat", "less", "more", "head", "tail", "bat", "grep", "rg", "egrep", "awk", "sed", "cp", "scp", "rsync", "base64", "xxd", "od", "hexdump", "strings", "source", ".", "openssl", "gpg", "nano", "vi", "vim", "jq", "curl"}

violations contains v if {
	some s in input.sessions
	some a in s.actions
	a.kind == "command"
	some c in checks
	regex.match(c.re, a.command)
	v := lib.session_violation(s, sprintf("%s: %s", [c.what, a.command]))
}

violations contains v if {
	some s in input.sessions
	some a in s.actions
	a.kind == "command"
	some pattern in lib.arg("forbidden_patterns", [])
	regex.match(pattern, a.command)
	v := lib.session_violation(s, sprintf("forbidden command (%s): %s", [pattern, a.command]))
}

# rm with recursive and force flags on a target outside the repository.
violations contains v if {
	some s in input.sessions
	some a in s.actions
	a.kind == "command"
	some seg in segments(a.command)
	w := words(seg)
	w[0] == "rm"
	recursive_force(w)
	some t in array.slice(w, 1, count(w))
	not startswith(t, "-")
	outside(t)
	v := lib.session_violation(s, sprintf("rm -rf outside the repository (%s): %s", [t, a.command]))
}

violations contains v if {
	some s in input.sessions
	some a in s.actions
	a.kind == "command"
	some seg in segments(a.command)
	w := words(seg)
	w[0] in readers
	some t in array.slice(w, 1, count(w))
	secret(t)
	v := lib.session_violation(s, sprintf("secrets file read (%s): %s", [t, a.command]))
}

violations contains v if {
	some s in input.sessions
	some a in s.actions
	a.kind == "read"
	secret(a.path)
	v := lib.session_violation(s, sprintf("secrets file read: %s", [a.path]))
}

# The simple commands of a command line, without a leading sudo or environment assignments.
segments(cmd) := [trim_space(p) | some p in regex.split(`&&|\|\||[;|\n]`, cmd); trim_space(p) != ""]

words(seg) := [trim(x, `"'`) | some x in strip_prefix_words(split_words(seg))]

split_words(seg) := [x | some x in regex.split(`\s+`, seg); x != ""]

strip_prefix_words(w) := array.slice(w, first_command(w), count(w))

first_command(w) := min(idx) if {
	idx := [i | some i, x in w; not prefix_word(x)]
	count(idx) > 0
}

first_command(w) := count(w) if {
	count([i | some i, x in w; not prefix_word(x)]) == 0
}

prefix_word(x) if x in {"sudo", "command", "exec", "nohup", "time", "env"}

prefix_word(x) if regex.match(`^[A-Za-z_][A-Za-z0-9_]*=`, x)

recursive_force(w) if {
	flags := concat("", [trim_left(x, "-") | some x in w; regex.match(`^-[a-zA-Z]+$`, x)])
	regex.match(`[rR]`, flags)
	contains(flags, "f")
}

recursive_force(w) if {
	some x in w
	x in {"--recursive", "-r", "-R"}
	some y in w
	y == "--force"
}

outside(t) if {
	regex.match(`^(/|~|\$HOME|\$\{HOME\}|\.\.(/|$))`, t)
	not allowed(t)
}

allowed(t) if {
	some p in lib.arg("allowed_paths", [])
	startswith(t, p)
}

secret(path) if {
	regex.match(secret_file, path)
	not regex.match(not_secret, path)
}
