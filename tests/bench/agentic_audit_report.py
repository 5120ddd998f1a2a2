#!/usr/bin/env python3
"""AgenticAudit's PDF compliance report, timed for the report benchmark.

    python3 tests/bench/agentic_audit_report.py SRC EVENTS RUNS OUT.pdf

SRC is `packages/api/src` of a checkout of dorianganessa/agentic-audit (its API package, which
the PyPI SDK does not ship; it needs sqlmodel, python-ulid and fpdf2). The server builds its
report with `agentaudit_api.services.report_pdf.generate_pdf` from the period's statistics and
its high- and critical-risk events; this hands it EVENTS such events directly (as many as
git-vouch's report has commits, with no database query), times RUNS calls, prints each in
milliseconds on one line and writes the last PDF to OUT.pdf.
"""

import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, sys.argv[1])

from agentaudit_api.models.event import AuditEvent  # noqa: E402
from agentaudit_api.services.report_pdf import generate_pdf  # noqa: E402


def main() -> None:
    count, runs, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    events = [
        AuditEvent(
            agent_id="claude-code",
            action="shell_command",
            data={"command": f"git push origin feature-{i}", "session": f"s{i % 40}"},
            context={"tool": "Bash"},
            api_key_id="bench",
            risk_level="critical" if i % 5 == 0 else "high",
            pii_detected=i % 7 == 0,
            pii_fields=["email"] if i % 7 == 0 else [],
            frameworks={"soc2": {"articles": ["cc8_1"]}},
            created_at=start + timedelta(minutes=i),
        )
        for i in range(count)
    ]
    stats = {
        "total_events": count,
        "pii_events": sum(e.pii_detected for e in events),
        "unique_agents": 1,
        "unique_sessions": 40,
        "by_risk_level": {"high": sum(e.risk_level == "high" for e in events),
                          "critical": sum(e.risk_level == "critical" for e in events)},
    }
    frameworks = {"soc2": {"cc8_1": count}, "ai_act": {"art_12": count, "art_14": count}}
    timings = []
    pdf = b""
    for _ in range(runs):
        t = time.perf_counter()
        pdf = generate_pdf(stats=stats, risky_events=events, framework_counts=frameworks,
                           after=start, before=start + timedelta(days=30), time_range="")
        timings.append((time.perf_counter() - t) * 1000)
    with open(out, "wb") as f:
        f.write(pdf)
    print(" ".join(f"{ms:.1f}" for ms in timings))


if __name__ == "__main__":
    main()
