#!/usr/bin/env python3
"""git-vouch's insights side by side with pisama-detectors on the same Claude Code sessions.

    python3 -m venv target/pisama && target/pisama/bin/pip install pisama-detectors==0.3.6
    target/pisama/bin/python tests/bench/pisama_compare.py target/release/git-vouch DIR...

Each DIR is laid out like a CLAUDE_CONFIG_DIR (`projects/<project>/<session>.jsonl`): the
project's recorded fixtures (`fixtures/claude/*`, and `fixtures/insights/*`, sessions recorded
with the real CLI that go wrong: a command failing three times in a row, an edit flipped back and
forth, success claimed with no test run), or ../shared/fixtures-external arranged so.
For every main transcript it runs `git-vouch insights --session ID --json` (a fresh cache, the
folder as CLAUDE_CONFIG_DIR) and exports the session to pisama-detectors' inputs:

- loops: `detect_loop(states)`, one state per main-thread tool call (its tool and whole input);
- context: `detect_overflow(provider_token_count=...)` twice, with the fullest request's context
  (input + cache reads + cache writes, what git-vouch measures) and with the session's cumulative
  tokens (what pisama-claude-code's lite runner counts);
- completion: `detect_completion(task=first prompt, agent_output=last answer)`.

It prints one row per session and, for every disagreement, why the two differ.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pisama_detectors import detect_completion, detect_loop, detect_overflow


def read_session(path):
    """The main thread's calls, requests, first prompt and last answer of one transcript."""
    calls, requests, results = [], {}, {}
    first_prompt, last_answer = None, None
    for raw in path.read_text(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if line.get("isSidechain"):
            continue
        message = line.get("message") or {}
        content = message.get("content")
        if line.get("type") == "user":
            if isinstance(content, str) and first_prompt is None and not line.get("isMeta"):
                first_prompt = content
            for block in content if isinstance(content, list) else []:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    results[block.get("tool_use_id")] = bool(block.get("is_error"))
        elif line.get("type") == "assistant":
            usage = message.get("usage") or {}
            key = (message.get("id"), line.get("requestId"))
            context = sum(
                usage.get(k) or 0
                for k in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
            )
            total = context + (usage.get("output_tokens") or 0)
            if message.get("model") and message.get("model") != "<synthetic>":
                old = requests.get(key)
                if old is None or old[1] < total:
                    requests[key] = (context, total, message["model"])
            for block in content if isinstance(content, list) else []:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_use":
                    calls.append({"id": block.get("id"), "tool": block.get("name"),
                                  "input": block.get("input")})
                elif block.get("type") == "text" and block.get("text", "").strip():
                    last_answer = block["text"]
    for c in calls:
        c["failed"] = results.get(c["id"])
    return calls, list(requests.values()), first_prompt or "", last_answer or ""


def git_vouch_findings(binary, config_dir, session):
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp, "CLAUDE_CONFIG_DIR": str(config_dir),
               "GIT_VOUCH_CACHE_DIR": tmp, "NO_COLOR": "1"}
        out = subprocess.run([binary, "insights", "--session", session, "--json"],
                             env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    doc = json.loads(out.stdout)
    return doc["sessions"][0] if doc["sessions"] else None


def pisama(calls, requests, prompt, answer):
    states = [{"tool": c["tool"], "input": c["input"]} for c in calls]
    loop = detect_loop(states=states) if len(states) >= 2 else None
    model = requests[-1][2] if requests else "claude-sonnet-4-6"
    peak = max((r[0] for r in requests), default=0)
    cumulative = sum(r[1] for r in requests)
    over_peak = detect_overflow("", "", model, provider_token_count=peak)
    over_sum = detect_overflow("", "", model, provider_token_count=cumulative)
    completion = detect_completion(task=prompt, subtasks=[], agent_output=answer)
    kind = f"{loop.method}, {loop.confidence:.2f}" if loop is not None else None
    return {
        "loop": bool(loop and loop.detected),
        "loop_how": kind,
        "overflow_peak": bool(over_peak.detected),
        "overflow_cumulative": bool(over_sum.detected),
        "completion": bool(completion.detected),
        "peak": peak,
        "cumulative": cumulative,
    }


WHY = {
    ("loop", True, False): "git-vouch counts 3 identical calls in a row; pisama did not find "
    "them repeating within its window",
    ("loop", False, True): "pisama matched states that are not the same call (similar tools and "
    "inputs within its window of 5); git-vouch counts only the same tool with the same whole "
    "input 3 times in a row",
    ("context", True, False): "pisama flags from its model table's limit; git-vouch from 75% of "
    "the window",
    ("context", False, True): "cumulative tokens: every request re-sends the context, so the sum "
    "passes any window in a long session although no request came near it",
    ("completion", True, False): "git-vouch reads a claim of success after an edit with no test "
    "run; pisama compares the answer with the task's words",
    ("completion", False, True): "pisama finds the answer incomplete against the task's words "
    "(no subtasks are known in a transcript); git-vouch only asks whether a claim was verified",
}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, dirs = sys.argv[1], [Path(d) for d in sys.argv[2:]]
    rows, disagreements = [], []
    for config_dir in dirs:
        for path in sorted(config_dir.glob("projects/*/*.jsonl")):
            calls, requests, prompt, answer = read_session(path)
            if not requests:
                continue
            ours = git_vouch_findings(binary, config_dir, path.stem)
            if ours is None:
                continue
            found = {f["id"] for f in ours["findings"]}
            theirs = pisama(calls, requests, prompt, answer)
            pairs = {
                "loop": ("loop" in found, theirs["loop"]),
                "context": ("context_pressure" in found, theirs["overflow_cumulative"]),
                "completion": ("unverified_completion" in found, theirs["completion"]),
            }
            rows.append((path.stem[:8], ours["health"], pairs, theirs))
            for name, (a, b) in pairs.items():
                if a != b:
                    extra = f" (pisama: {theirs['loop_how']})" if name == "loop" else ""
                    disagreements.append((path.stem[:8], name, a, b, extra))
    print(f"{'session':<9} {'health':>6}  {'loop gv/pi':<11} {'context gv/pi(peak)/pi(sum)':<30} "
          f"{'completion gv/pi':<17} peak / cumulative tokens")
    yes = lambda v: "yes" if v else "no"  # noqa: E731
    for sid, health, pairs, t in rows:
        ctx = f"{yes(pairs['context'][0])}/{yes(t['overflow_peak'])}/{yes(t['overflow_cumulative'])}"
        print(f"{sid:<9} {health:>6}  {yes(pairs['loop'][0]) + '/' + yes(pairs['loop'][1]):<11} "
              f"{ctx:<30} {yes(pairs['completion'][0]) + '/' + yes(pairs['completion'][1]):<17} "
              f"{t['peak']:,} / {t['cumulative']:,}")
    agree = 3 * len(rows) - len(disagreements)
    print(f"\n{len(rows)} sessions; git-vouch and pisama-detectors agree on {agree} of {3 * len(rows)} "
          "calls (loop, context, completion)")
    for sid, name, a, b, extra in disagreements:
        why = WHY.get((name, a, b), "")
        print(f"  {sid} {name}: git-vouch {yes(a)}, pisama {yes(b)}{extra}: {why}")


if __name__ == "__main__":
    main()
