use chrono::TimeZone;

use super::*;

fn at(second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, second).unwrap()
}

fn pre(second: u32, id: &str, level: Level, verdict: Verdict) -> EventRecord {
    EventRecord {
        ts: at(second),
        event: "PreToolUse".into(),
        tool_use_id: Some(id.into()),
        tool: Some("Bash".into()),
        summary: Some(format!("command {id}")),
        guard: Some(GuardRecord {
            mode: GuardMode::Ask,
            level,
            categories: (level > Level::Low)
                .then_some(Category::Destructive)
                .into_iter()
                .collect(),
            rules: Vec::new(),
            verdict,
            reason: (verdict != Verdict::Allow).then(|| "why".to_owned()),
            interactive: true,
            by_policy: false,
            failed_before: 0,
            error: None,
            micros: 80,
            held: None,
        }),
        ..EventRecord::default()
    }
}

fn post(second: u32, id: &str, ok: bool) -> EventRecord {
    let event = if ok {
        "PostToolUse"
    } else {
        "PostToolUseFailure"
    };
    EventRecord {
        ts: at(second),
        event: event.into(),
        tool_use_id: Some(id.into()),
        tool: Some("Bash".into()),
        ok: Some(ok),
        ..EventRecord::default()
    }
}

#[test]
fn counts_every_checked_call_and_lists_the_high_and_critical_ones_with_what_became_of_them() {
    let mut unassessed = pre(6, "e", Level::Low, Verdict::Ask);
    unassessed.guard.as_mut().unwrap().error = Some("broken rules".into());
    let events = [
        pre(1, "a", Level::Low, Verdict::Allow),
        post(2, "a", true),
        pre(3, "b", Level::Critical, Verdict::Ask),
        post(4, "b", true),
        pre(5, "c", Level::High, Verdict::Allow),
        post(5, "c", false),
        unassessed,
        pre(7, "d", Level::Critical, Verdict::Deny),
        pre(8, "f", Level::Medium, Verdict::Allow),
    ];
    let g = of_events(&events, &BTreeSet::new()).unwrap();
    let levels = LevelCounts {
        low: 2,
        medium: 1,
        high: 1,
        critical: 2,
    };
    assert_eq!(g.levels, levels);
    let verdicts = VerdictCounts {
        allow: 3,
        ask: 2,
        deny: 1,
    };
    assert_eq!((g.verdicts, g.unassessed), (verdicts, 1));
    let calls: Vec<(&str, Level, Verdict, Outcome)> = g
        .calls
        .iter()
        .map(|c| {
            (
                c.tool_use_id.as_deref().unwrap(),
                c.level,
                c.verdict,
                c.outcome,
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("b", Level::Critical, Verdict::Ask, Outcome::Ran),
            ("c", Level::High, Verdict::Allow, Outcome::Failed),
            ("d", Level::Critical, Verdict::Deny, Outcome::NoResult),
        ]
    );
    let unreviewed: Vec<bool> = g.calls.iter().map(GuardedCall::ran_unreviewed).collect();
    assert_eq!(unreviewed, [false, true, false]);
    assert_eq!(g.calls[0].summary.as_deref(), Some("command b"));
    assert_eq!(g.calls[0].at, at(3));
}

#[test]
fn a_session_the_guard_never_checked_has_no_account() {
    assert_eq!(of_events(&[post(1, "a", true)], &BTreeSet::new()), None);
    assert_eq!(of_events(&[], &BTreeSet::new()), None);
}

#[test]
fn a_denied_call_that_ran_anyway_is_a_bypass() {
    let events = [
        // Denied, and the hooks saw it run.
        pre(1, "a", Level::Critical, Verdict::Deny),
        post(2, "a", false),
        // Denied, and its transcript result is a success.
        pre(3, "b", Level::High, Verdict::Deny),
        // Denied and held: its transcript result is the denial.
        pre(4, "c", Level::Critical, Verdict::Deny),
        // Asked, a person said yes: not a bypass.
        pre(5, "d", Level::Critical, Verdict::Ask),
        post(6, "d", true),
    ];
    let succeeded: BTreeSet<&str> = ["b", "d"].into_iter().collect();
    let g = of_events(&events, &succeeded).unwrap();
    let bypassed: Vec<(&str, bool)> = g
        .calls
        .iter()
        .map(|c| (c.tool_use_id.as_deref().unwrap(), c.bypassed))
        .collect();
    assert_eq!(
        bypassed,
        [("a", true), ("b", true), ("c", false), ("d", false)]
    );
    assert_eq!(g.bypassed, 2);
}
