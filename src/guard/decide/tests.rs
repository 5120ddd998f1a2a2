use super::*;
use crate::guard::assess::Finding;
use crate::guard::rules::Category;

fn assessed(level: Level) -> Assessment {
    let findings = if level == Level::Low {
        Vec::new()
    } else {
        vec![Finding {
            rule: "delete-outside-repository".into(),
            category: Category::Destructive,
            level,
            reason: "deletes files outside the repository".into(),
            subject: "rm -rf ~/notes".into(),
        }]
    };
    Assessment { level, findings }
}

#[test]
fn each_mode_decides_by_level_and_by_whether_someone_can_answer() {
    use Verdict::{Allow, Ask, Deny};
    let levels = [Level::Low, Level::Medium, Level::High, Level::Critical];
    let table: [(GuardMode, bool, [Verdict; 4]); 8] = [
        (GuardMode::Off, true, [Allow, Allow, Allow, Allow]),
        (GuardMode::Off, false, [Allow, Allow, Allow, Allow]),
        (GuardMode::Observe, true, [Allow, Allow, Allow, Allow]),
        (GuardMode::Observe, false, [Allow, Allow, Allow, Allow]),
        (GuardMode::Ask, true, [Allow, Allow, Allow, Ask]),
        (GuardMode::Ask, false, [Allow, Allow, Allow, Ask]),
        (GuardMode::Enforce, true, [Allow, Allow, Ask, Deny]),
        (GuardMode::Enforce, false, [Allow, Allow, Deny, Deny]),
    ];
    for (mode, interactive, expected) in table {
        for (level, verdict) in levels.into_iter().zip(expected) {
            let d = decide(mode, &assessed(level), interactive);
            assert_eq!(
                d.verdict, verdict,
                "{mode} {level:?} interactive={interactive}"
            );
            assert_eq!(d.reason.is_some(), verdict != Allow, "{mode} {level:?}");
        }
    }
}

#[test]
fn the_reason_tells_the_agent_what_and_why() {
    let d = decide(GuardMode::Enforce, &assessed(Level::Critical), true);
    let reason = d.reason.unwrap();
    assert!(
        reason.contains("deletes files outside the repository"),
        "{reason}"
    );
    assert!(
        reason.contains("`rm -rf ~/notes`") && reason.contains("delete-outside-repository"),
        "{reason}"
    );
    assert!(reason.contains("change approach"), "{reason}");
    let headless = decide(GuardMode::Enforce, &assessed(Level::High), false)
        .reason
        .unwrap();
    assert!(
        headless.contains("nobody can approve it here"),
        "{headless}"
    );
}

#[test]
fn a_call_that_cannot_be_assessed_is_asked_about_never_let_through_silently() {
    assert_eq!(
        cannot_assess(GuardMode::Enforce, "broken rules", true).verdict,
        Verdict::Ask
    );
    assert_eq!(
        cannot_assess(GuardMode::Ask, "broken rules", false).verdict,
        Verdict::Ask
    );
    assert_eq!(
        cannot_assess(GuardMode::Enforce, "broken rules", false).verdict,
        Verdict::Deny
    );
    assert_eq!(
        cannot_assess(GuardMode::Observe, "broken rules", true).verdict,
        Verdict::Allow
    );
    let why = cannot_assess(GuardMode::Ask, ".vouch/guard.toml: bad", true)
        .reason
        .unwrap();
    assert!(why.contains(".vouch/guard.toml: bad"), "{why}");
}

#[test]
fn the_hook_output_is_claude_codes_structured_decision_and_nothing_for_no_objection() {
    assert_eq!(
        hook_output(&decide(GuardMode::Enforce, &assessed(Level::Low), true)),
        None
    );
    let out = hook_output(&decide(
        GuardMode::Enforce,
        &assessed(Level::Critical),
        true,
    ))
    .unwrap();
    assert_eq!(out["hookSpecificOutput"]["hookEventName"], "PreToolUse");
    assert_eq!(out["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(
        out["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("rm -rf")
    );
    let ask = hook_output(&decide(GuardMode::Ask, &assessed(Level::Critical), true)).unwrap();
    assert_eq!(ask["hookSpecificOutput"]["permissionDecision"], "ask");
    assert!(
        ask.get("decision").is_none(),
        "no legacy top-level decision"
    );
}

#[test]
fn modes_are_read_from_git_config_values() {
    assert_eq!("enforce".parse::<GuardMode>(), Ok(GuardMode::Enforce));
    assert_eq!(" Observe ".parse::<GuardMode>(), Ok(GuardMode::Observe));
    assert_eq!("off".parse::<GuardMode>(), Ok(GuardMode::Off));
    let err = "paranoid".parse::<GuardMode>().unwrap_err().to_string();
    assert_eq!(
        err,
        "vouch.guard is `paranoid`; it takes off, observe, ask or enforce"
    );
}
