//! Trace and span ids derived from what they stand for, so exporting a session again sends the
//! same ids and a backend sees the same spans, not copies.
//!
//! A trace id is the first 16 bytes of `sha256("git-vouch trace\0" + session id)`; a span id
//! the first 8 of `sha256("git-vouch span\0" + session id + "\0" + key)`, where the key names
//! the session, a sub-agent, a response or a tool call. An all-zero id is invalid in OTLP, so
//! its last byte is set (a chance of 2^-64).

use sha2::{Digest, Sha256};

pub fn trace_id(session: &str) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"git-vouch trace\0")
        .chain_update(session.as_bytes())
        .finalize();
    let mut id = [0u8; 16];
    id.copy_from_slice(&digest[..16]);
    nonzero(&mut id);
    id
}

pub fn span_id(session: &str, key: &str) -> [u8; 8] {
    let digest = Sha256::new()
        .chain_update(b"git-vouch span\0")
        .chain_update(session.as_bytes())
        .chain_update(b"\0")
        .chain_update(key.as_bytes())
        .finalize();
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    nonzero(&mut id);
    id
}

fn nonzero(id: &mut [u8]) {
    if id.iter().all(|b| *b == 0)
        && let Some(last) = id.last_mut()
    {
        *last = 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_only_on_what_they_name() {
        assert_eq!(trace_id("s1"), trace_id("s1"));
        assert_ne!(trace_id("s1"), trace_id("s2"));
        assert_eq!(span_id("s1", "tool:a"), span_id("s1", "tool:a"));
        assert_ne!(span_id("s1", "tool:a"), span_id("s2", "tool:a"));
        assert_ne!(span_id("s1", "tool:a"), span_id("s1", "tool:b"));
        // The separator keeps ("s1", "0x") and ("s10", "x") apart.
        assert_ne!(span_id("s1", "0x"), span_id("s10", "x"));
    }
}
