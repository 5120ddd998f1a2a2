use chrono::{DateTime, Utc};
use ssh_key::rand_core::OsRng;
use ssh_key::{Algorithm, PrivateKey};

use super::*;

const NS: &str = "git-vouch@git-vouch.dev";

fn key() -> PublicKey {
    PrivateKey::random(&mut OsRng, Algorithm::Ed25519)
        .unwrap()
        .public_key()
        .clone()
}

fn text(k: &PublicKey) -> String {
    k.to_openssh().unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn finds_the_principal_of_a_listed_key() {
    let (alice, mallory) = (key(), key());
    let file = format!(
        "# team\n\nalice@example.com namespaces=\"{NS},git\" {}\n",
        text(&alice)
    );
    let signers = AllowedSigners::parse(&file);
    assert!(signers.problems.is_empty(), "{:?}", signers.problems);
    let p = signers
        .find(alice.key_data(), NS, at("2026-01-01T00:00:00Z"))
        .unwrap();
    assert_eq!(p.principals, "alice@example.com");
    assert_eq!(p.line, 3);
    assert!(p.fingerprint.starts_with("SHA256:"));
    let denied = signers
        .find(mallory.key_data(), NS, at("2026-01-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(denied.reason, DenyReason::NotListed);
    assert_eq!(
        denied.to_string(),
        format!("key {}: key not in allowed signers", denied.fingerprint)
    );
}

#[test]
fn namespaces_and_validity_windows_are_enforced() {
    let k = key();
    let file = format!(
        "a@x namespaces=\"git\" {k}\nb@x valid-after=\"20260101Z\",valid-before=\"20260201Z\" {k}\n",
        k = text(&k)
    );
    let signers = AllowedSigners::parse(&file);
    let reason = |t| signers.find(k.key_data(), NS, at(t)).map_err(|d| d.reason);
    assert_eq!(reason("2026-01-15T00:00:00Z").unwrap().principals, "b@x");
    assert_eq!(
        reason("2026-02-01T00:00:00Z").unwrap().principals,
        "b@x",
        "valid-before is inclusive, as in ssh-keygen"
    );
    assert!(matches!(
        reason("2025-12-31T23:59:59Z"),
        Err(DenyReason::NotYetValid { .. })
    ));
    assert!(matches!(
        reason("2026-02-01T00:00:01Z"),
        Err(DenyReason::Expired { .. })
    ));
    assert!(
        signers.check_listed(k.key_data(), NS).is_ok(),
        "no time, no window"
    );

    let only_git = AllowedSigners::parse(&format!("a@x namespaces=\"git\" {}", text(&k)));
    assert!(matches!(
        only_git
            .find(k.key_data(), NS, at("2026-01-15T00:00:00Z"))
            .unwrap_err()
            .reason,
        DenyReason::NamespaceNotAllowed { .. }
    ));
}

#[test]
fn revoked_keys_are_refused_whatever_the_file_says() {
    let k = key();
    let dir = tempfile::tempdir().unwrap();
    let revoked = dir.path().join("revoked");
    std::fs::write(&revoked, format!("# gone\n{}\n", text(&k))).unwrap();
    let mut signers = AllowedSigners::parse(&format!("a@x {}", text(&k)));
    signers.load_revocations(&revoked).unwrap();
    let d = signers
        .find(k.key_data(), NS, at("2026-01-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(d.reason, DenyReason::Revoked);

    std::fs::write(&revoked, "not a key\n").unwrap();
    assert!(matches!(
        signers.load_revocations(&revoked),
        Err(AllowedSignersError::BadRevokedKey { line: 1, .. })
    ));
    std::fs::write(&revoked, b"SSHKRL\n\0\0\0\x01").unwrap();
    assert!(matches!(
        signers.load_revocations(&revoked),
        Err(AllowedSignersError::Krl { .. })
    ));
}

#[test]
fn bad_lines_are_reported_and_the_rest_still_counts() {
    let (a, b) = (key(), key());
    let file = format!(
        "broken@x\nca@x cert-authority {}\nb@x bogus=\"1\" {}\na@x {}\n",
        text(&b),
        text(&b),
        text(&a)
    );
    let signers = AllowedSigners::parse(&file);
    let lines: Vec<usize> = signers.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [1, 2, 3]);
    assert!(signers.problems[1].message.contains("cert-authority"));
    assert!(
        signers
            .find(a.key_data(), NS, at("2026-01-01T00:00:00Z"))
            .is_ok()
    );
    assert!(
        signers
            .find(b.key_data(), NS, at("2026-01-01T00:00:00Z"))
            .is_err()
    );
}

#[test]
fn find_for_matches_identity_patterns() {
    let k = key();
    let signers = AllowedSigners::parse(&format!(
        "\"*@example.com,!mallory@example.com\" {}",
        text(&k)
    ));
    let t = at("2026-01-01T00:00:00Z");
    assert!(
        signers
            .find_for("alice@example.com", k.key_data(), NS, t)
            .is_ok()
    );
    assert!(
        signers
            .find_for("mallory@example.com", k.key_data(), NS, t)
            .is_err()
    );
    assert!(
        signers
            .find_for("alice@other.org", k.key_data(), NS, t)
            .is_err()
    );
}
