//! The cost of one API response, exactly, in integer picodollars.
//!
//! Formula: `Σ tokens·price` over the five token kinds, where a prompt (input + cache writes +
//! cache reads) above the model's long-context threshold switches the WHOLE request to the
//! premium prices (Anthropic's rule), then × the fast multiplier (fast mode, models that have
//! one), × the US-only multiplier (US-only inference, models that have one), × ½ (batch), plus
//! each web search at `web_search_per_1000 / 1000`, which those multipliers do not touch.
//!
//! Exactness: prices are picodollars per million tokens. The token terms are multiplied out and
//! summed as a numerator `Σ tokens·price_picos × fast × us_num`, and divided ONCE by
//! `1_000_000 × us_den × (2 if batch)`, rounding half up. Every price in the embedded table has at
//! most two decimals of dollars per million tokens, i.e. a multiple of 10,000 picodollars per token (the
//! smallest, $0.03/million, is 30,000 pico/token), so ×1.1 and ×½ stay whole and the division never
//! rounds for the embedded table. Only user prices with more decimals can round, by at most half
//! a picodollar per request. u128 holds the numerator for any u64 token count; arithmetic
//! saturates rather than wraps on absurd user prices.

use super::ModelPrice;
use crate::money::Usd;
use crate::usage::Usage;

/// Tokens per unit of the table's prices.
const TOKENS_PER_MTOK: u128 = 1_000_000;

/// What one response of the model `price` describes costs; see the module docs.
pub(super) fn request_cost(price: &ModelPrice, usage: &Usage, web_search_per_1000: Usd) -> Usd {
    let t = &usage.tokens;
    let premium = price
        .long_context
        .as_ref()
        .filter(|lc| t.prompt() > lc.threshold);
    let rates = match premium {
        Some(lc) => [
            lc.input,
            lc.output,
            lc.cache_write_5m,
            lc.cache_write_1h,
            lc.cache_read,
        ],
        None => [
            price.input,
            price.output,
            price.cache_write_5m,
            price.cache_write_1h,
            price.cache_read,
        ],
    };
    let counts = [
        t.input,
        t.output,
        t.cache_write_5m,
        t.cache_write_1h,
        t.cache_read,
    ];
    let mut num = counts
        .iter()
        .zip(rates)
        .map(|(&n, p)| u128::from(n).saturating_mul(p.picos()))
        .fold(0u128, u128::saturating_add);
    let mut den = TOKENS_PER_MTOK;
    if let (true, Some(m)) = (usage.billing.fast, price.fast_multiplier) {
        num = num.saturating_mul(u128::from(m));
    }
    if let (true, Some((m_num, m_den))) = (usage.billing.us_only, price.us_only_multiplier) {
        num = num.saturating_mul(m_num);
        den = den.saturating_mul(m_den);
    }
    if usage.billing.batch {
        den = den.saturating_mul(2);
    }
    let searches = u128::from(usage.billing.web_search_requests);
    let search_cost = div_round(searches.saturating_mul(web_search_per_1000.picos()), 1000);
    Usd::from_picos(div_round(num, den).saturating_add(search_cost))
}

/// `num / den` rounded half up; `den` is never zero here.
fn div_round(num: u128, den: u128) -> u128 {
    num / den + u128::from(num % den >= den - den / 2)
}

#[cfg(test)]
mod tests {
    use crate::money::Usd;
    use crate::pricing::PriceTable;
    use crate::usage::{Billing, Tokens, Usage};

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn cost(model: &str, tokens: Tokens, billing: Billing) -> Usd {
        PriceTable::embedded()
            .cost(model, &Usage { tokens, billing }, None)
            .unwrap()
    }

    /// Token counts in the order input, output, 5m write, 1h write, read.
    fn tokens(counts: [u64; 5]) -> Tokens {
        Tokens {
            input: counts[0],
            output: counts[1],
            cache_write_5m: counts[2],
            cache_write_1h: counts[3],
            cache_read: counts[4],
        }
    }

    const STANDARD: Billing = Billing {
        fast: false,
        batch: false,
        us_only: false,
        web_search_requests: 0,
    };

    #[test]
    fn sonnet_4_5_small_request() {
        // 1000·3 + 500·15 + 2000·3.75 + 10000·0.30 = 21,000 $/MTok·tok = $0.021
        let t = tokens([1000, 500, 2000, 0, 10_000]);
        assert_eq!(
            cost("claude-sonnet-4-5-20250929", t, STANDARD),
            usd("0.021")
        );
    }

    #[test]
    fn sonnet_4_5_long_prompt_is_premium_for_the_whole_request() {
        // prompt 200,010 > 200k: 10·6 + 200000·0.60 + 1000·22.50 = 142,560 → $0.14256
        let t = tokens([10, 1000, 0, 0, 200_000]);
        assert_eq!(cost("claude-sonnet-4-5", t, STANDARD), usd("0.14256"));
        // exactly 200k is not above the threshold: 200000·0.30 + 1000·15 = 75,000 → $0.075
        let t = tokens([0, 1000, 0, 0, 200_000]);
        assert_eq!(cost("claude-sonnet-4-5", t, STANDARD), usd("0.075"));
        // Opus 4.6 has 1M context at the standard price.
        let t = tokens([300_000, 0, 0, 0, 0]);
        assert_eq!(cost("claude-opus-4-6", t, STANDARD), usd("1.5"));
    }

    #[test]
    fn fast_mode_and_us_only_multiply() {
        // 100·5 + 1000·25 + 5000·10 + 50000·0.50 = 100,500 → $0.1005; fast ×6 = $0.603
        let t = tokens([100, 1000, 0, 5000, 50_000]);
        let fast = Billing {
            fast: true,
            ..STANDARD
        };
        assert_eq!(cost("claude-opus-4-6", t, STANDARD), usd("0.1005"));
        assert_eq!(cost("claude-opus-4-6", t, fast), usd("0.603"));
        assert_eq!(cost("claude-opus-4-8", t, fast), usd("0.201"));
        assert_eq!(
            cost("claude-opus-4-5", t, fast),
            usd("0.1005"),
            "no fast multiplier"
        );
        let fast_us = Billing {
            us_only: true,
            ..fast
        };
        assert_eq!(cost("claude-opus-4-6", t, fast_us), usd("0.6633"));
        let us = Billing {
            us_only: true,
            ..STANDARD
        };
        assert_eq!(
            cost("claude-opus-4-5", t, us),
            usd("0.1005"),
            "no US-only multiplier"
        );
    }

    #[test]
    fn haiku_4_5_batch_is_half_price() {
        // 1,000,000·1 + 200,000·5 + 3·0.10 = 2,000,000.3 → $2.0000003; batch → $1.00000015
        let t = tokens([1_000_000, 200_000, 0, 0, 3]);
        let batch = Billing {
            batch: true,
            ..STANDARD
        };
        assert_eq!(
            cost("claude-haiku-4-5-20251001", t, STANDARD),
            usd("2.0000003")
        );
        assert_eq!(
            cost("claude-haiku-4-5-20251001", t, batch),
            usd("1.00000015")
        );
    }

    #[test]
    fn one_hour_cache_writes_cost_more_than_five_minute_ones() {
        // 10,000·6.25 = $0.0625 against 10,000·10 = $0.10
        assert_eq!(
            cost("claude-opus-4-5", tokens([0, 0, 10_000, 0, 0]), STANDARD),
            usd("0.0625")
        );
        assert_eq!(
            cost("claude-opus-4-5", tokens([0, 0, 0, 10_000, 0]), STANDARD),
            usd("0.10")
        );
    }

    #[test]
    fn web_searches_are_a_cent_each_and_not_discounted() {
        let billing = Billing {
            batch: true,
            web_search_requests: 3,
            ..STANDARD
        };
        assert_eq!(
            cost("claude-haiku-4-5", Tokens::default(), billing),
            usd("0.03")
        );
    }

    #[test]
    fn rounds_half_up_only_below_a_picodollar() {
        assert_eq!(super::div_round(5, 10), 1);
        assert_eq!(super::div_round(4, 10), 0);
        assert_eq!(super::div_round(15, 10), 2);
        assert_eq!(super::div_round(7, 3), 2);
        assert_eq!(super::div_round(u128::MAX, 1), u128::MAX);
    }
}
