//! Small stable hashes for deduplication keys. They are stored in the index cache, so they must
//! not change between builds (std's `DefaultHasher` makes no such promise).

const FNV64_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV64_PRIME: u64 = 0x0100_0000_01b3;
const FNV128_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV128_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// FNV-1a, 64 bits.
pub fn hash64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV64_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV64_PRIME)
    })
}

/// FNV-1a, 128 bits, over `a`, a separator that cannot occur in JSON strings' ids, and `b`.
/// Never 0, so 0 can mean "no key".
pub fn hash128(a: &str, b: &str) -> u128 {
    let step = |h: u128, byte: u8| (h ^ u128::from(byte)).wrapping_mul(FNV128_PRIME);
    let h = a.bytes().fold(FNV128_OFFSET, step);
    let h = step(h, 0);
    b.bytes().fold(h, step).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_values() {
        // Reference values of FNV-1a; if these change, the index cache format must change too.
        assert_eq!(hash64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(hash128("msg_1", "req_1"), hash128("msg_1req_", "1"));
        assert_ne!(hash128("", ""), 0);
    }
}
