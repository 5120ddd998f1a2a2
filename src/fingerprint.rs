//! Line fingerprints for attribution: a stable hash of one line's text and whether a line says
//! enough to count as evidence of who wrote it. The recorder, the session model, git diffs and the
//! correlation all compare lines this way, so it sits below them. Also the one way content is
//! named by digest (sha256 in lowercase hex): files, hunks, changes, evidence.

use sha2::{Digest, Sha256};

/// Whether a line says enough to count as evidence that its author wrote it elsewhere (blank
/// lines and lone braces appear in every commit).
pub fn is_distinctive(text: &str) -> bool {
    text.trim().chars().filter(|c| c.is_alphanumeric()).count() >= 3
}

/// Lowercase hexadecimal of bytes (digests).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The sha256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Hash of one line's text for attribution: FNV-1a over the line without trailing whitespace.
pub fn line_hash(text: &str) -> u64 {
    crate::transcript::hash::hash64(text.trim_end().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_whitespace_does_not_change_the_hash() {
        assert_eq!(line_hash("let x = 1;  \n"), line_hash("let x = 1;"));
        assert!(is_distinctive("  fn a()"));
        assert!(!is_distinctive("  });"));
    }
}
