# Only allowed MCP servers: every MCP server a session called a tool of, and every one its
# configuration offered it when it started (`agent_config.mcp_servers`: the project's .mcp.json,
# the user's and the project's in ~/.claude.json), matches one of `allowed_servers` (globs).
# Claude Code names an MCP tool `mcp__<server>__<tool>`; the server is the part before the second
# `__`. Calls of sub-agents count, as the session's tools do. An empty list allows no MCP server
# at all; without `allowed_servers` the policy is skipped.
package vouch.builtin.mcp_allowlist

import data.vouch.lib
import rego.v1

default valid_input := false

valid_input if is_array(input.args.allowed_servers)

skip_reason := "no allowed_servers in the policy configuration ([] allows none)" if not valid_input

violations contains v if {
	some s in input.sessions
	some server in servers(s)
	not allowed(server)
	v := lib.session_violation(s, sprintf("MCP server %s is not allowed (%d calls)", [server, calls(s, server)]))
}

violations contains v if {
	some s in input.sessions
	some m in object.get(object.get(s, "agent_config", {}), "mcp_servers", [])
	not m.name in servers(s)
	not allowed(m.name)
	v := lib.session_violation(s, sprintf("MCP server %s is configured (%s) but not allowed", [m.name, m.scope]))
}

servers(s) := {server_of(t.name) | some t in s.tools; startswith(t.name, "mcp__")}

server_of(name) := split(substring(name, 5, -1), "__")[0]

calls(s, server) := sum([t.calls | some t in s.tools; startswith(t.name, "mcp__"); server_of(t.name) == server])

allowed(server) if {
	some pattern in input.args.allowed_servers
	glob.match(pattern, [], server)
}
