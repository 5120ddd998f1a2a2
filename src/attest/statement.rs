//! The in-toto Statement v1 that an attestation signs: the pushed commits (`gitCommit`) and the
//! tip's tree (`gitTree`) as subjects, and git-vouch's own predicate.
//!
//! A statement is serialized once ([`Statement::to_bytes`]) and those bytes are signed; verifiers
//! parse the verified bytes with [`Statement::parse`], which is strict about `_type` and
//! `predicateType` and ignores unknown fields, as the in-toto spec asks.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The exact `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";

/// git-vouch's predicate: an AI coding session attested by a person.
pub const PREDICATE_TYPE: &str = "https://git-vouch.dev/attestation/ai-coding-session/v0.1";

/// The predicate field holding when the statement was signed (RFC 3339, UTC). The signer
/// controls it: it bounds allowed_signers validity windows, but proves nothing on its own.
pub const SIGNED_AT: &str = "signed_at";

/// Digest-set keys for git objects (in-toto digest_set.md): the object id, 40 or 64 hex.
pub const GIT_COMMIT: &str = "gitCommit";
pub const GIT_TREE: &str = "gitTree";

/// Why bytes are not a statement git-vouch accepts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    #[error("payload is not an in-toto statement: {0}")]
    Json(String),
    #[error("statement _type is {found:?}, expected {STATEMENT_TYPE:?}")]
    Type { found: String },
    #[error("predicateType is {found:?}, expected {PREDICATE_TYPE:?}")]
    PredicateType { found: String },
    #[error("statement has no subject")]
    NoSubject,
    #[error("subject {index} has an empty digest set")]
    EmptyDigest { index: usize },
    #[error("predicate is not a JSON object")]
    PredicateNotObject,
    #[error("predicate has no {SIGNED_AT}")]
    NoSignedAt,
    #[error("predicate {SIGNED_AT} {found:?} is not an RFC 3339 time")]
    BadSignedAt { found: String },
}

/// An in-toto ResourceDescriptor, as far as git-vouch uses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub digest: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, Value>>,
}

impl ResourceDescriptor {
    /// A descriptor naming one git object by its id.
    pub fn git_object(name: &str, kind: &str, oid: &str) -> Self {
        Self {
            name: name.to_owned(),
            digest: BTreeMap::from([(kind.to_owned(), oid.trim().to_ascii_lowercase())]),
            annotations: None,
        }
    }
}

/// An in-toto Statement v1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub type_: String,
    pub subject: Vec<ResourceDescriptor>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    pub predicate: Value,
}

/// The statement for a push: every commit as a `gitCommit` subject named `commit`, then the tip's
/// tree as a `gitTree` subject named `tree` (it still matches after a squash or rebase-merge that
/// yields the same tree).
pub fn statement_for(commits: &[String], tip_tree: &str, predicate: Value) -> Statement {
    let mut subject: Vec<ResourceDescriptor> = commits
        .iter()
        .map(|c| ResourceDescriptor::git_object("commit", GIT_COMMIT, c))
        .collect();
    subject.push(ResourceDescriptor::git_object("tree", GIT_TREE, tip_tree));
    Statement {
        type_: STATEMENT_TYPE.to_owned(),
        subject,
        predicate_type: PREDICATE_TYPE.to_owned(),
        predicate,
    }
}

/// Whether `text` looks like a git object id (40 or 64 hex digits).
pub fn is_object_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Statement {
    /// The bytes that get signed: compact JSON, serialized once.
    pub fn to_bytes(&self) -> Vec<u8> {
        // A Statement holds only strings, maps and JSON values: serializing cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses verified payload bytes: `_type` and `predicateType` must be exact, every subject
    /// must carry a digest; unknown fields are ignored, duplicate fields rejected.
    pub fn parse(bytes: &[u8]) -> Result<Self, StatementError> {
        let s: Self =
            serde_json::from_slice(bytes).map_err(|e| StatementError::Json(e.to_string()))?;
        if s.type_ != STATEMENT_TYPE {
            return Err(StatementError::Type { found: s.type_ });
        }
        if s.predicate_type != PREDICATE_TYPE {
            return Err(StatementError::PredicateType {
                found: s.predicate_type,
            });
        }
        if s.subject.is_empty() {
            return Err(StatementError::NoSubject);
        }
        if let Some(index) = s.subject.iter().position(|d| d.digest.is_empty()) {
            return Err(StatementError::EmptyDigest { index });
        }
        Ok(s)
    }

    /// Records the signing time in the predicate (`signed_at`, whole seconds, `Z`).
    pub fn stamp_signed_at(&mut self, at: DateTime<Utc>) -> Result<(), StatementError> {
        let Value::Object(map) = &mut self.predicate else {
            return Err(StatementError::PredicateNotObject);
        };
        map.insert(
            SIGNED_AT.to_owned(),
            Value::String(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
        Ok(())
    }

    /// The signing time the signer wrote into the predicate.
    pub fn signed_at(&self) -> Result<DateTime<Utc>, StatementError> {
        let Value::Object(map) = &self.predicate else {
            return Err(StatementError::PredicateNotObject);
        };
        let text = match map.get(SIGNED_AT) {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(StatementError::BadSignedAt {
                    found: other.to_string(),
                });
            }
            None => return Err(StatementError::NoSignedAt),
        };
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| StatementError::BadSignedAt {
                found: text.clone(),
            })
    }

    /// The `gitCommit` digests among the subjects, lowercase.
    pub fn commits(&self) -> impl Iterator<Item = String> + '_ {
        self.subject
            .iter()
            .filter_map(|d| d.digest.get(GIT_COMMIT))
            .map(|c| c.to_ascii_lowercase())
    }

    /// Whether a subject names commit `sha` (object ids compare case-insensitively).
    pub fn covers_commit(&self, sha: &str) -> bool {
        let sha = sha.trim().to_ascii_lowercase();
        is_object_id(&sha) && self.commits().any(|c| c == sha)
    }
}

/// Whether a predicate's review block says a person reviewed what was signed
/// (`review.reviewed_by_person: true`); hooks and `git vouch attest` write `false`.
pub fn reviewed_by_person(predicate: &Value) -> bool {
    predicate
        .pointer("/review/reviewed_by_person")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "9f2a1c3e5b7d9f1a2c3e4b5d6f7a8b9c0d1e2f3a";
    const T: &str = "4b1a1c3e5b7d9f1a2c3e4b5d6f7a8b9c0d1e2f3a";

    #[test]
    fn builds_commit_and_tree_subjects() {
        let s = statement_for(&[A.to_uppercase()], T, json!({"schema_version": "0.1"}));
        let v: Value = serde_json::from_slice(&s.to_bytes()).unwrap();
        assert_eq!(v["_type"], STATEMENT_TYPE);
        assert_eq!(v["predicateType"], PREDICATE_TYPE);
        assert_eq!(
            v["subject"][0],
            json!({"name": "commit", "digest": {"gitCommit": A}})
        );
        assert_eq!(
            v["subject"][1],
            json!({"name": "tree", "digest": {"gitTree": T}})
        );
        assert!(s.covers_commit(A) && s.covers_commit(&A.to_uppercase()));
        assert!(!s.covers_commit(T), "a tree is not a commit subject");
    }

    #[test]
    fn parse_is_strict_where_it_matters() {
        let mut s = statement_for(&[A.to_owned()], T, json!({}));
        s.stamp_signed_at(DateTime::from_timestamp(1_700_000_000, 0).unwrap())
            .unwrap();
        let back = Statement::parse(&s.to_bytes()).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.signed_at().unwrap().timestamp(), 1_700_000_000);

        let mut v: Value = serde_json::from_slice(&s.to_bytes()).unwrap();
        v["unknown"] = json!(1);
        assert!(Statement::parse(&serde_json::to_vec(&v).unwrap()).is_ok());
        v["predicateType"] = json!("https://slsa.dev/provenance/v1");
        assert!(matches!(
            Statement::parse(&serde_json::to_vec(&v).unwrap()),
            Err(StatementError::PredicateType { .. })
        ));
        let dup = br#"{"_type":"x","_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"p","predicate":{}}"#;
        assert!(matches!(
            Statement::parse(dup),
            Err(StatementError::Json(_))
        ));
        let no_digest = format!(
            r#"{{"_type":"{STATEMENT_TYPE}","subject":[{{"name":"x","digest":{{}}}}],"predicateType":"{PREDICATE_TYPE}","predicate":{{}}}}"#
        );
        assert_eq!(
            Statement::parse(no_digest.as_bytes()),
            Err(StatementError::EmptyDigest { index: 0 })
        );
    }

    #[test]
    fn signed_at_must_be_present_and_valid() {
        let mut s = statement_for(&[A.to_owned()], T, json!({}));
        assert_eq!(s.signed_at(), Err(StatementError::NoSignedAt));
        s.predicate = json!({"signed_at": "yesterday"});
        assert!(matches!(
            s.signed_at(),
            Err(StatementError::BadSignedAt { .. })
        ));
        s.predicate = json!([]);
        assert_eq!(
            s.stamp_signed_at(DateTime::from_timestamp(0, 0).unwrap()),
            Err(StatementError::PredicateNotObject)
        );
    }
}
