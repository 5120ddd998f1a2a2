//! Compact storage of a file scan: its small fields as JSON, its entries and tool calls as
//! fixed-size little-endian records (a large corpus has hundreds of thousands of entries, and
//! this keeps writing the cache a small fraction of scanning).

use crate::transcript::file_scan::{CallStatus, Entry, FileScan, ToolUse};
use crate::usage::{Billing, Tokens, Usage};

const ENTRY_LEN: usize = 16 + 8 + 5 * 8 + 1 + 8 + 8 + 2 + 8;
const TOOL_LEN: usize = 8 + 2 + 8 + 8 + 4 + 4 + 1;

/// Encodes a scan.
pub fn encode(scan: &FileScan) -> Vec<u8> {
    let meta = serde_json::to_vec(scan).unwrap_or_default();
    let mut out = Vec::with_capacity(
        16 + meta.len()
            + scan.entries.len() * ENTRY_LEN
            + scan.tools.len() * TOOL_LEN
            + scan.uuids.len() * 8,
    );
    out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    out.extend_from_slice(&(scan.entries.len() as u32).to_le_bytes());
    out.extend_from_slice(&(scan.tools.len() as u32).to_le_bytes());
    out.extend_from_slice(&(scan.uuids.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta);
    for e in &scan.entries {
        encode_entry(e, &mut out);
    }
    for t in &scan.tools {
        encode_tool(t, &mut out);
    }
    for u in &scan.uuids {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn encode_tool(t: &ToolUse, out: &mut Vec<u8>) {
    out.extend_from_slice(&t.id.to_le_bytes());
    out.extend_from_slice(&t.name.to_le_bytes());
    out.extend_from_slice(&t.key.to_le_bytes());
    out.extend_from_slice(&t.ts_ms.to_le_bytes());
    out.extend_from_slice(&t.path.to_le_bytes());
    out.extend_from_slice(&t.output_bytes.to_le_bytes());
    let status = match t.status {
        CallStatus::Pending => 0,
        CallStatus::Ok => 1,
        CallStatus::Failed => 2,
    };
    out.push(status | u8::from(t.sidechain) << 2);
}

fn decode_tool(r: &mut Reader<'_>) -> Option<ToolUse> {
    let (id, name, key, ts_ms) = (r.u64()?, r.u16()?, r.u64()?, r.u64()? as i64);
    let (path, output_bytes, flags) = (r.u32()?, r.u32()?, r.take(1)?[0]);
    let status = match flags & 3 {
        0 => CallStatus::Pending,
        1 => CallStatus::Ok,
        2 => CallStatus::Failed,
        _ => return None,
    };
    Some(ToolUse {
        id,
        name,
        key,
        ts_ms,
        path,
        output_bytes,
        status,
        sidechain: flags & 4 != 0,
    })
}

fn encode_entry(e: &Entry, out: &mut Vec<u8>) {
    let t = &e.usage.tokens;
    let b = &e.usage.billing;
    out.extend_from_slice(&e.key.to_le_bytes());
    out.extend_from_slice(&e.msg.to_le_bytes());
    for n in [
        t.input,
        t.output,
        t.cache_write_5m,
        t.cache_write_1h,
        t.cache_read,
    ] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    let flags = u8::from(b.fast)
        | u8::from(b.batch) << 1
        | u8::from(b.us_only) << 2
        | u8::from(e.sidechain) << 3;
    out.push(flags);
    out.extend_from_slice(&b.web_search_requests.to_le_bytes());
    out.extend_from_slice(&e.ts_ms.to_le_bytes());
    out.extend_from_slice(&e.model.to_le_bytes());
    let legacy = e.legacy_cost.map_or(u64::MAX, |c| c.min(u64::MAX - 1));
    out.extend_from_slice(&legacy.to_le_bytes());
}

/// Decodes a scan; `None` when the bytes are not one of ours.
pub fn decode(bytes: &[u8]) -> Option<FileScan> {
    let mut r = Reader(bytes);
    let meta_len = r.u32()? as usize;
    let entries = r.u32()? as usize;
    let tools = r.u32()? as usize;
    let uuids = r.u32()? as usize;
    let mut scan: FileScan = serde_json::from_slice(r.take(meta_len)?).ok()?;
    if r.0.len() != entries * ENTRY_LEN + tools * TOOL_LEN + uuids * 8 {
        return None;
    }
    scan.entries = (0..entries)
        .map(|_| decode_entry(&mut r))
        .collect::<Option<_>>()?;
    scan.tools = (0..tools)
        .map(|_| decode_tool(&mut r))
        .collect::<Option<_>>()?;
    scan.uuids = (0..uuids).map(|_| r.u64()).collect::<Option<_>>()?;
    Some(scan)
}

fn decode_entry(r: &mut Reader<'_>) -> Option<Entry> {
    let key = u128::from_le_bytes(r.take(16)?.try_into().ok()?);
    let msg = r.u64()?;
    let tokens = Tokens {
        input: r.u64()?,
        output: r.u64()?,
        cache_write_5m: r.u64()?,
        cache_write_1h: r.u64()?,
        cache_read: r.u64()?,
    };
    let flags = r.take(1)?[0];
    let billing = Billing {
        fast: flags & 1 != 0,
        batch: flags & 2 != 0,
        us_only: flags & 4 != 0,
        web_search_requests: r.u64()?,
    };
    let ts_ms = r.u64()? as i64;
    let model = r.u16()?;
    let legacy = r.u64()?;
    Some(Entry {
        key,
        msg,
        usage: Usage { tokens, billing },
        ts_ms,
        model,
        sidechain: flags & 8 != 0,
        legacy_cost: (legacy != u64::MAX).then_some(legacy),
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_scan() {
        let mut scan = FileScan {
            session_id: Some("s".into()),
            lines: 7,
            ..FileScan::default()
        };
        scan.models.push("claude-x".into());
        scan.entries.push(Entry {
            key: u128::MAX - 5,
            msg: 42,
            usage: Usage {
                tokens: Tokens {
                    input: 1,
                    output: 2,
                    cache_write_5m: 3,
                    cache_write_1h: 4,
                    cache_read: 5,
                },
                billing: Billing {
                    fast: true,
                    batch: false,
                    us_only: true,
                    web_search_requests: 9,
                },
            },
            ts_ms: 1_700_000_000_123,
            model: 0,
            sidechain: true,
            legacy_cost: Some(77),
        });
        scan.tools.push(ToolUse {
            id: 99,
            name: 3,
            key: 7,
            ts_ms: -5,
            path: 2,
            output_bytes: 40_000,
            status: CallStatus::Failed,
            sidechain: true,
        });
        let back = decode(&encode(&scan)).unwrap();
        assert_eq!(back.entries, scan.entries);
        assert_eq!(back.tools, scan.tools);
        assert_eq!(back.session_id.as_deref(), Some("s"));
        assert_eq!(back.lines, 7);
        assert!(decode(b"junk").is_none());
        assert!(decode(&encode(&scan)[..40]).is_none());
    }
}
