#!/usr/bin/env python3
"""Pisama's trace store for a corpus of Claude Code transcripts, for the export benchmark.

    pisama-venv/bin/python tests/bench/pisama_records.py CORPUS HOME

pisama-claude-code records one line per tool call with its PostToolUse hook
(`pisama_claude_code/hooks/capture_hook.py`, `_capture`) into
`~/.claude/pisama/traces/traces-<date>.jsonl`: the session, time, tool, input and output, the
working folder, the sub-agent, and the model, usage and cost of the response that asked for the
call. `pisama-cc export-otel` reads those lines back. This writes the lines the hook would have
written for every tool call of the corpus (the call's result is left out: the hook's copy is
what it was given, not part of the export's cost), under HOME, and prints how many.
"""

import json
import sys
from pathlib import Path

from pisama_claude_code.hooks.capture_hook import calculate_cost


def records(path: Path):
    agent_id = path.stem[len("agent-"):] if path.stem.startswith("agent-") else None
    with path.open() as f:
        for line in f:
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            if r.get("type") != "assistant":
                continue
            message = r.get("message") or {}
            usage = message.get("usage") or {}
            model = message.get("model")
            for block in message.get("content") or []:
                if not isinstance(block, dict) or block.get("type") != "tool_use":
                    continue
                yield {
                    "session_id": r.get("sessionId"),
                    "timestamp": r.get("timestamp"),
                    "hook_type": "PostToolUse",
                    "tool_name": block.get("name"),
                    "tool_input": block.get("input"),
                    "tool_output": None,
                    "working_dir": r.get("cwd"),
                    "agent_id": agent_id,
                    "agent_type": None,
                    "is_sidechain": bool(agent_id),
                    "model": model,
                    "usage": usage,
                    "cost_usd": calculate_cost(model, usage) if model and usage else 0.0,
                    "user_input": None,
                    "reasoning": None,
                    "ai_output": None,
                    "ai_response": None,
                }


def main() -> None:
    corpus, home = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir = home / ".claude" / "pisama" / "traces"
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with (out_dir / "traces-2026-12-05.jsonl").open("w") as out:
        for path in sorted((corpus / "projects").rglob("*.jsonl")):
            for record in records(path):
                out.write(json.dumps(record) + "\n")
                count += 1
    print(count)


if __name__ == "__main__":
    main()
