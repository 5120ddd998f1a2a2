//! Short session ids: the first eight characters, longer where two sessions share them, so that
//! every short id is a prefix that names exactly one session (what `git vouch show` accepts).

/// The shortest prefix of each id, at least `SHORT_ID` characters, that no other id starts with
/// (the whole id when one id is a prefix of another). In the order of `ids`.
pub fn short_ids(ids: &[&str]) -> Vec<String> {
    let mut sorted: Vec<&str> = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    ids.iter()
        .map(|id| {
            let at = sorted.partition_point(|s| s < id);
            let shared = |other: Option<&&str>| {
                other.map_or(0, |o| {
                    o.chars()
                        .zip(id.chars())
                        .take_while(|(a, b)| a == b)
                        .count()
                })
            };
            let before = at.checked_sub(1).and_then(|i| sorted.get(i));
            let need = shared(before).max(shared(sorted.get(at + 1))) + 1;
            id.chars().take(need.max(SHORT_ID)).collect()
        })
        .collect()
}

/// Characters of a short id when they are enough.
pub const SHORT_ID: usize = 8;

#[cfg(test)]
mod tests {
    use super::short_ids;

    #[test]
    fn eight_characters_unless_another_id_shares_them() {
        let ids = [
            "0b3c1d2e-aaaa",
            "7a694908-1111",
            "7a694908-2222",
            "0b3c1d2f-bbbb",
        ];
        assert_eq!(
            short_ids(&ids),
            ["0b3c1d2e", "7a694908-1", "7a694908-2", "0b3c1d2f"]
        );
        assert_eq!(short_ids(&["abc"]), ["abc"]);
        assert_eq!(
            short_ids(&["abcdefghij", "abcdefghij"]),
            ["abcdefgh", "abcdefgh"]
        );
    }
}
