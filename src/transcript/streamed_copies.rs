//! The one rule for streamed copies of an API response. Claude Code writes a response several
//! times while it streams (same `message.id` and `requestId`, growing usage): the copy whose
//! usage [`Usage::replaces`] the kept one wins, and the earliest known time of all the copies is
//! kept. The summary scan and a session's detail both collapse copies through [`Copies`], so
//! their figures agree.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::usage::Usage;

/// A response that may arrive in several copies.
pub trait Response {
    fn usage(&self) -> &Usage;
    /// Takes the earlier of its own time and `other`'s (a known time wins over an unknown one).
    fn keep_earliest_time(&mut self, other: &Self);
}

/// Where the kept copy of each response is, by key (the hash of `message.id` and `requestId`;
/// 0 means no key: such a response is never collapsed).
#[derive(Debug, Default)]
pub struct Copies {
    by_key: HashMap<u128, usize>,
}

impl Copies {
    /// Picks up after `keys`, the keys of the responses kept so far (in their order).
    pub fn resume(keys: impl Iterator<Item = u128>) -> Self {
        let by_key = keys
            .enumerate()
            .filter(|(_, k)| *k != 0)
            .map(|(i, k)| (k, i))
            .collect();
        Self { by_key }
    }

    /// Adds `response` (with `key`) to `kept`: a new response is appended; a copy of a kept one
    /// replaces it when its usage replaces the kept usage, keeping the earliest time.
    pub fn add<T: Response>(&mut self, kept: &mut Vec<T>, key: u128, response: T) {
        if key == 0 {
            kept.push(response);
            return;
        }
        match self.by_key.entry(key) {
            Entry::Occupied(at) => {
                let old = &mut kept[*at.get()];
                if response.usage().replaces(old.usage()) {
                    let older = std::mem::replace(old, response);
                    old.keep_earliest_time(&older);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(kept.len());
                kept.push(response);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::Tokens;

    #[derive(Debug, PartialEq)]
    struct R(Usage, Option<u32>);

    impl Response for R {
        fn usage(&self) -> &Usage {
            &self.0
        }
        fn keep_earliest_time(&mut self, other: &Self) {
            self.1 = match (self.1, other.1) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    fn r(output: u64, at: Option<u32>) -> R {
        let usage = Usage {
            tokens: Tokens {
                output,
                ..Tokens::default()
            },
            ..Usage::default()
        };
        R(usage, at)
    }

    #[test]
    fn the_largest_copy_wins_with_the_earliest_time() {
        let mut kept = Vec::new();
        let mut copies = Copies::default();
        copies.add(&mut kept, 7, r(8, Some(5)));
        copies.add(&mut kept, 7, r(322, None));
        copies.add(&mut kept, 7, r(30, Some(1)));
        copies.add(&mut kept, 0, r(1, None));
        copies.add(&mut kept, 0, r(1, None));
        assert_eq!(kept, vec![r(322, Some(5)), r(1, None), r(1, None)]);
        let mut copies = Copies::resume([7, 0, 0].into_iter());
        copies.add(&mut kept, 7, r(400, Some(2)));
        assert_eq!(
            kept[0],
            r(400, Some(2)),
            "resumed: the first kept copy is replaced"
        );
    }
}
