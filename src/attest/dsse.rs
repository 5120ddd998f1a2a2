//! DSSE v1 envelopes (secure-systems-lab/dsse): the payload travels as base64 and each signature
//! is over the pre-authentication encoding [`pae`] of payload type and payload bytes.
//!
//! git-vouch's SSH profile: `keyid` is the signing key's OpenSSH fingerprint (`SHA256:…`), a hint
//! that never drives a decision; `sig` is base64 of the SSHSIG blob (what `ssh-keygen -Y sign`
//! armors between `BEGIN/END SSH SIGNATURE`), made over the PAE bytes in the git-vouch namespace.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use ssh_key::{LineEnding, SshSig};

/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The largest envelope line accepted before parsing.
pub const MAX_ENVELOPE_BYTES: usize = 4 * 1024 * 1024;

/// Why an envelope could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DsseError {
    #[error("envelope is {size} bytes, more than the {MAX_ENVELOPE_BYTES} accepted")]
    TooLarge { size: usize },
    #[error("not a DSSE envelope: {0}")]
    Json(String),
    #[error("{field} is not base64")]
    Base64 { field: &'static str },
    #[error("signature is not an SSHSIG blob: {0}")]
    SshSig(String),
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub keyid: String,
    pub sig: String,
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    pub payload: String,
    pub signatures: Vec<Signature>,
}

/// The DSSE pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths in bytes as ASCII decimal.
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Decodes base64 as DSSE verifiers must: standard or URL-safe alphabet, padded or not.
pub fn decode_base64(text: &str, field: &'static str) -> Result<Vec<u8>, DsseError> {
    let text = text.trim();
    [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or(DsseError::Base64 { field })
}

/// The SSHSIG binary blob of a signature (the body of its PEM armor).
pub fn sshsig_to_blob(sig: &SshSig) -> Result<Vec<u8>, DsseError> {
    let pem = sig
        .to_pem(LineEnding::LF)
        .map_err(|e| DsseError::SshSig(e.to_string()))?;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD
        .decode(body)
        .map_err(|e| DsseError::SshSig(e.to_string()))
}

/// The PEM armor `ssh-keygen -Y verify` reads, for an SSHSIG blob.
pub fn blob_to_pem(blob: &[u8]) -> String {
    let b64 = STANDARD.encode(blob);
    let mut pem = String::from("-----BEGIN SSH SIGNATURE-----\n");
    for chunk in b64.as_bytes().chunks(70) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END SSH SIGNATURE-----\n");
    pem
}

/// Parses an SSHSIG blob.
pub fn blob_to_sshsig(blob: &[u8]) -> Result<SshSig, DsseError> {
    SshSig::from_pem(blob_to_pem(blob)).map_err(|e| DsseError::SshSig(e.to_string()))
}

impl Envelope {
    /// An unsigned envelope around `payload`.
    pub fn new(payload_type: &str, payload: &[u8]) -> Self {
        Self {
            payload_type: payload_type.to_owned(),
            payload: STANDARD.encode(payload),
            signatures: Vec::new(),
        }
    }

    /// Adds an SSH signature in git-vouch's profile.
    pub fn push_ssh_signature(&mut self, sig: &SshSig) -> Result<(), DsseError> {
        let keyid = ssh_key::PublicKey::from(sig.public_key().clone())
            .fingerprint(ssh_key::HashAlg::Sha256)
            .to_string();
        let blob = sshsig_to_blob(sig)?;
        self.signatures.push(Signature {
            keyid,
            sig: STANDARD.encode(blob),
        });
        Ok(())
    }

    /// The payload bytes.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, DsseError> {
        decode_base64(&self.payload, "payload")
    }

    /// The bytes every signature covers.
    pub fn pae(&self) -> Result<Vec<u8>, DsseError> {
        Ok(pae(&self.payload_type, &self.payload_bytes()?))
    }

    /// Parses one envelope (one bundle line), refusing oversized input before parsing.
    pub fn from_json(text: &str) -> Result<Self, DsseError> {
        if text.len() > MAX_ENVELOPE_BYTES {
            return Err(DsseError::TooLarge { size: text.len() });
        }
        serde_json::from_str(text).map_err(|e| DsseError::Json(e.to_string()))
    }

    /// The envelope as one compact JSON line (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_spec_test_vector() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        // Lengths count bytes, not characters.
        assert_eq!(pae("t", "é".as_bytes()), "DSSEv1 1 t 2 é".as_bytes());
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn base64_accepts_both_alphabets() {
        let bytes = [0xfbu8, 0xff, 0xfe, 0x01];
        for engine in [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            assert_eq!(
                decode_base64(&engine.encode(bytes), "payload").unwrap(),
                bytes
            );
        }
        assert_eq!(
            decode_base64("not base64!", "sig"),
            Err(DsseError::Base64 { field: "sig" })
        );
    }

    #[test]
    fn envelope_round_trips_as_one_line() {
        let mut env = Envelope::new(PAYLOAD_TYPE, b"{\"a\":1}\n");
        env.signatures.push(Signature {
            keyid: String::new(),
            sig: "AAAA".into(),
        });
        let line = env.to_line();
        assert!(!line.contains('\n'));
        assert!(!line.contains("keyid"), "an empty keyid is left out");
        let back = Envelope::from_json(&line).unwrap();
        assert_eq!(back, env);
        assert_eq!(back.payload_bytes().unwrap(), b"{\"a\":1}\n");
        assert!(matches!(
            Envelope::from_json("{\"payload\": 1"),
            Err(DsseError::Json(_))
        ));
        let huge = " ".repeat(MAX_ENVELOPE_BYTES + 1);
        assert!(matches!(
            Envelope::from_json(&huge),
            Err(DsseError::TooLarge { .. })
        ));
    }
}
