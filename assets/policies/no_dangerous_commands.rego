# No dangerous commands: force pushes, `rm -rf` outside the repository, piping a download into a
# shell, disabling git hooks, and reading secrets files (by a command or the Read tool). Extra
# regular expressions in `forbidden_patterns`; `allowed_paths` are folders `rm -rf` may clear.
#
# Regular expressions are matched against all of a session's commands at once (one per line)
# and only a session that matches is looked at command by command: a session has thousands.
package vouch.builtin.no_dangerous_commands

import data.vouch.lib
import rego.v1

checks := [
	{"what": "force push", "re": `\bgit\s+(-\S+\s+)*push\b[^;&|\n]*(\s--force(-with-lease)?\b|\s-[a-zA-Z]*f[a-zA-Z]*\b|\s\+\S+)`},
	{"what": "download piped into a shell", "re": `\b(curl|wget)\b[^;&\n]*\|\s*(sudo\s+)?(ba|z|k|da|fi)?sh\b`},
	{"what": "download run by a shell", "re": "\\b(ba|z|k|da)?sh\\s+(-c\\s+)?(\"|')?(\\$\\(|<\\(|`)\\s*(curl|wget)\\b"},
	{"what": "git hooks disabled", "re": `(\bgit\b[^;&|\n]*\s--no-verify\b|core\.hooks[pP]ath|\bHUSKY=0\b|\bgit\s+commit\b[^;&|\n"']*\s-[a-zA-Z]*n[a-zA-Z]*\b)`},
]

mentions_secret := `\.env|id_(rsa|dsa|ecdsa|ed25519)|\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|credentials|secret|\.(pem|key|p12|pfx|keystore|jks)\b|\.(ssh|aws|gnupg|docker)/`

secret_file := `(^|/)(\.env(\.[^/]+)?|id_(rsa|dsa|ecdsa|ed25519)|\.netrc|\.git-credentials|\.npmrc|\.pypirc|\.pgpass|credentials(\.json)?|secrets?\.(ya?ml|json|toml)|[^/]*\.(pem|key|p12|pfx|keystore|jks))$|(^|/)\.(ssh|aws|gnupg|docker)/`

not_secret := `(^|/)\.env\.(example|sample|template|dist)$|\.pub$`

readers := {"cat", "less", "more", "head", "tail", "bat", "grep", "rg", "egrep", "awk", "sed", "cp", "scp", "rsync", "base64", "xxd", "od", "hexdump", "strings", "source", ".", "openssl", "gpg", "nano", "vi", "vim", "jq", "curl"}

# Per session: its commands and the paths it read, one per line.
commands[s.id] := concat("\n", [a.command | some a in s.actions; a.kind == "command"]) if some s in input.sessions

reads[s.id] := concat("\n", [a.path | some a in s.actions; a.kind == "read"]) if some s in input.sessions

# The distinct commands of sessions whose commands match `re`.
matching(re) := {[id, a.command] |
	some s in input.sessions
	id := s.id
	regex.match(re, commands[id])
	some a in s.actions
	a.kind == "command"
	regex.match(re, a.command)
}

violations contains v if {
	some c in checks
	some [id, cmd] in matching(c.re)
	v := {"session": id, "msg": sprintf("%s: %s", [c.what, cmd])}
}

violations contains v if {
	some pattern in lib.arg("forbidden_patterns", [])
	some [id, cmd] in matching(pattern)
	v := {"session": id, "msg": sprintf("forbidden command (%s): %s", [pattern, cmd])}
}

# rm with recursive and force flags on a target outside the repository.
violations contains v if {
	some [id, cmd] in rm_commands
	some seg in segments(cmd)
	w := words(seg)
	w[0] == "rm"
	recursive_force(w)
	some t in array.slice(w, 1, count(w))
	not startswith(t, "-")
	outside(t)
	v := {"session": id, "msg": sprintf("rm -rf outside the repository (%s): %s", [t, cmd])}
}

rm_commands contains [s.id, a.command] if {
	some s in input.sessions
	contains(commands[s.id], "rm ")
	some a in s.actions
	a.kind == "command"
	contains(a.command, "rm ")
}

violations contains v if {
	some [id, cmd] in matching(mentions_secret)
	some seg in segments(cmd)
	w := words(seg)
	w[0] in readers
	some t in array.slice(w, 1, count(w))
	secret(t)
	v := {"session": id, "msg": sprintf("secrets file read (%s): %s", [t, cmd])}
}

violations contains v if {
	some s in input.sessions
	regex.match(mentions_secret, reads[s.id])
	some a in s.actions
	a.kind == "read"
	secret(a.path)
	v := lib.session_violation(s, sprintf("secrets file read: %s", [a.path]))
}

# The simple commands of a command line.
segments(cmd) := [trim_space(p) |
	some p in split(replace(replace(replace(replace(cmd, "&&", "\n"), "||", "\n"), ";", "\n"), "|", "\n"), "\n")
	trim_space(p) != ""
]

# The words of a simple command, from its command name on (no sudo, env or assignments).
words(seg) := [trim(x, `"'`) | some x in array.slice(w, first_command(w), count(w))] if {
	w := [x | some x in split(replace(seg, "\t", " "), " "); x != ""]
}

first_command(w) := min(idx) if {
	idx := [i | some i, x in w; not prefix_word(x)]
	count(idx) > 0
}

first_command(w) := count(w) if {
	count([i | some i, x in w; not prefix_word(x)]) == 0
}

prefix_word(x) if x in {"sudo", "command", "exec", "nohup", "time", "env"}

prefix_word(x) if {
	contains(x, "=")
	not startswith(x, "-")
}

recursive_force(w) if {
	flags := concat("", [trim_left(x, "-") | some x in w; startswith(x, "-"); not startswith(x, "--")])
	contains(flags, "f")
	recursive(flags)
}

recursive_force(w) if {
	some x in w
	x in {"--recursive", "-r", "-R"}
	some y in w
	y == "--force"
}

recursive(flags) if contains(flags, "r")

recursive(flags) if contains(flags, "R")

outside(t) if {
	some p in ["/", "~", "$HOME", "${HOME}", "../"]
	startswith(t, p)
	not allowed(t)
}

outside(t) if t == ".."

allowed(t) if {
	some p in lib.arg("allowed_paths", [])
	startswith(t, p)
}

secret(path) if {
	regex.match(secret_file, path)
	not regex.match(not_secret, path)
}
