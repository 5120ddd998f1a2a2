//! Verifying one attestation for one commit, in the order DSSE prescribes: the signature over the
//! PAE bytes first (namespace exact), then whether its key is listed at all, then the payload
//! type, and only then the payload is parsed: subjects must name the commit the note is attached
//! to, and the key must be allowed at the signing time the statement records (`signed_at`,
//! written by the signer: it bounds validity windows, it does not prove when signing happened).

mod commits;

use chrono::{DateTime, Utc};
use serde::Serialize;
use ssh_key::PublicKey;
use ssh_key::public::KeyData;

pub use commits::{
    CommitReport, CommitStatus, LineVerdict, carry, verified_statements, verify_all_notes,
    verify_commits, verify_note, verify_range,
};

use super::NAMESPACE;
use super::allowed_signers::{AllowedSigners, Denied, fingerprint};
use super::dsse::{Envelope, PAYLOAD_TYPE, blob_to_sshsig, decode_base64, pae};
use super::statement::{Statement, reviewed_by_person};

/// The outcome for one attestation and one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Signed by a key the allowed signers trust, for this commit.
    Verified {
        principal: String,
        key_fingerprint: String,
        signed_at: DateTime<Utc>,
        /// Whether the statement's review block says a person reviewed it (`false` for what
        /// hooks and `git vouch attest` sign).
        reviewed_by_person: bool,
    },
    /// Broken, tampered with, or not about this commit.
    Invalid { reason: String },
    /// Correctly signed, by a key that is not trusted (not listed, revoked, expired, …).
    Untrusted { reason: String },
}

impl Verdict {
    pub fn is_verified(&self) -> bool {
        matches!(self, Self::Verified { .. })
    }

    fn invalid(reason: impl Into<String>) -> Self {
        Self::Invalid {
            reason: reason.into(),
        }
    }
}

/// Verifies one bundle line (a JSON DSSE envelope) for `commit`.
pub fn verify_line(line: &str, commit: &str, signers: &AllowedSigners) -> Verdict {
    match Envelope::from_json(line) {
        Ok(envelope) => verify_envelope(&envelope, commit, signers),
        Err(e) => Verdict::invalid(format!("corrupt attestation: {e}")),
    }
}

/// Verifies an envelope as an attestation of `commit`.
pub fn verify_envelope(envelope: &Envelope, commit: &str, signers: &AllowedSigners) -> Verdict {
    let payload = match envelope.payload_bytes() {
        Ok(p) => p,
        Err(e) => return Verdict::invalid(e.to_string()),
    };
    let signed = pae(&envelope.payload_type, &payload);
    let keys = match valid_signature_keys(envelope, &signed) {
        Ok(keys) => keys,
        Err(reason) => return Verdict::invalid(reason),
    };
    let listed: Vec<&KeyData> = keys
        .iter()
        .filter(|k| signers.check_listed(k, NAMESPACE).is_ok())
        .collect();
    if listed.is_empty() {
        return untrusted(keys.iter().map(|k| signers.check_listed(k, NAMESPACE)));
    }
    if envelope.payload_type != PAYLOAD_TYPE {
        return Verdict::invalid(format!(
            "unsupported payloadType {:?}",
            envelope.payload_type
        ));
    }
    let statement = match Statement::parse(&payload) {
        Ok(s) => s,
        Err(e) => return Verdict::invalid(e.to_string()),
    };
    if !statement.covers_commit(commit) {
        let names: Vec<String> = statement.commits().map(|c| short(&c)).collect();
        return Verdict::invalid(format!(
            "attestation for another commit (subjects: {})",
            if names.is_empty() {
                "no commits".to_owned()
            } else {
                names.join(", ")
            }
        ));
    }
    let signed_at = match statement.signed_at() {
        Ok(t) => t,
        Err(e) => return Verdict::invalid(e.to_string()),
    };
    let mut denials = Vec::new();
    for key in listed {
        match signers.find(key, NAMESPACE, signed_at) {
            Ok(p) => {
                return Verdict::Verified {
                    principal: p.principals,
                    key_fingerprint: p.fingerprint,
                    signed_at,
                    reviewed_by_person: reviewed_by_person(&statement.predicate),
                };
            }
            Err(d) => denials.push(Err(d)),
        }
    }
    untrusted(denials.into_iter())
}

/// The distinct keys whose signatures verify over `signed` in the git-vouch namespace, or why
/// none does.
fn valid_signature_keys(envelope: &Envelope, signed: &[u8]) -> Result<Vec<KeyData>, String> {
    if envelope.signatures.is_empty() {
        return Err("envelope has no signature".to_owned());
    }
    let mut keys: Vec<KeyData> = Vec::new();
    let mut first_problem = None;
    for (i, s) in envelope.signatures.iter().enumerate() {
        let checked = decode_base64(&s.sig, "sig")
            .and_then(|blob| blob_to_sshsig(&blob))
            .map_err(|e| e.to_string())
            .and_then(|sig| {
                if sig.namespace() != NAMESPACE {
                    return Err(format!(
                        "signed in namespace {:?}, not {NAMESPACE:?}",
                        sig.namespace()
                    ));
                }
                let key = sig.public_key().clone();
                PublicKey::from(key.clone())
                    .verify(NAMESPACE, signed, &sig)
                    .map(|()| key)
                    .map_err(|_| "signature does not match the attestation (tampered?)".to_owned())
            });
        match checked {
            Ok(key) if !keys.contains(&key) => keys.push(key),
            Ok(_) => {}
            Err(reason) => {
                first_problem.get_or_insert_with(|| {
                    if envelope.signatures.len() == 1 {
                        reason
                    } else {
                        format!("signature {}: {reason}", i + 1)
                    }
                });
            }
        }
    }
    if keys.is_empty() {
        return Err(first_problem.unwrap_or_default());
    }
    Ok(keys)
}

fn untrusted(denials: impl Iterator<Item = Result<(), Denied>>) -> Verdict {
    let reasons: Vec<String> = denials
        .filter_map(Result::err)
        .map(|d| d.to_string())
        .collect();
    Verdict::Untrusted {
        reason: if reasons.is_empty() {
            "no trusted signature".to_owned()
        } else {
            reasons.join("; ")
        },
    }
}

fn short(sha: &str) -> String {
    sha.chars().take(12).collect()
}

/// The fingerprint of the first key in an envelope's signatures, for reports (unverified).
pub fn claimed_fingerprint(envelope: &Envelope) -> Option<String> {
    let s = envelope.signatures.first()?;
    let blob = decode_base64(&s.sig, "sig").ok()?;
    blob_to_sshsig(&blob)
        .ok()
        .map(|sig| fingerprint(sig.public_key()))
}

#[cfg(test)]
mod tests {
    use ssh_key::rand_core::OsRng;
    use ssh_key::{Algorithm, PrivateKey};

    use super::*;
    use crate::attest::sign::HASH;
    use crate::attest::statement::statement_for;

    const C: &str = "1111111111111111111111111111111111111111";

    fn key() -> PrivateKey {
        PrivateKey::random(&mut OsRng, Algorithm::Ed25519).unwrap()
    }

    fn envelope(payload_type: &str, payload: &[u8], keys: &[&PrivateKey]) -> Envelope {
        let mut e = Envelope::new(payload_type, payload);
        for k in keys {
            let sig = k
                .sign(NAMESPACE, HASH, &pae(payload_type, payload))
                .unwrap();
            e.push_ssh_signature(&sig).unwrap();
        }
        e
    }

    fn statement(signed: bool) -> Vec<u8> {
        let mut s = statement_for(&[C.to_owned()], C, serde_json::json!({}));
        if signed {
            s.stamp_signed_at(DateTime::from_timestamp(1_770_000_000, 0).unwrap())
                .unwrap();
        }
        s.to_bytes()
    }

    fn trust(k: &PrivateKey) -> AllowedSigners {
        AllowedSigners::parse(&format!("a@x {}", k.public_key().to_openssh().unwrap()))
    }

    fn reason(v: Verdict) -> String {
        match v {
            Verdict::Invalid { reason } => format!("invalid: {reason}"),
            Verdict::Untrusted { reason } => format!("untrusted: {reason}"),
            Verdict::Verified { principal, .. } => format!("verified: {principal}"),
        }
    }

    #[test]
    fn one_trusted_signature_is_enough() {
        let (alice, mallory) = (key(), key());
        let signers = trust(&alice);
        let e = envelope(PAYLOAD_TYPE, &statement(true), &[&mallory, &alice]);
        assert_eq!(reason(verify_envelope(&e, C, &signers)), "verified: a@x");
        let mut broken = e.clone();
        broken.signatures[1].sig = "AAAA".into();
        assert!(reason(verify_envelope(&broken, C, &signers)).starts_with("untrusted"));
        assert_eq!(
            claimed_fingerprint(&e),
            Some(fingerprint(mallory.public_key().key_data()))
        );
    }

    #[test]
    fn checks_after_the_signature() {
        let alice = key();
        let signers = trust(&alice);
        let cases = [
            (
                envelope("application/json", &statement(true), &[&alice]),
                "unsupported payloadType",
            ),
            (
                envelope(PAYLOAD_TYPE, b"{}", &[&alice]),
                "not an in-toto statement",
            ),
            (
                envelope(PAYLOAD_TYPE, &statement(false), &[&alice]),
                "no signed_at",
            ),
            (
                envelope(PAYLOAD_TYPE, &statement(true), &[]),
                "no signature",
            ),
        ];
        for (e, text) in cases {
            let r = reason(verify_envelope(&e, C, &signers));
            assert!(r.starts_with("invalid") && r.contains(text), "{r}");
        }
        let r = reason(verify_line("{\"payload\"", C, &signers));
        assert!(r.contains("corrupt attestation"), "{r}");
    }
}
