//! Money as integers: amounts in picodollars (10^-12 USD), so every price in the table and every
//! multiplier (1.1x, 0.5x) stays exact and sums never drift.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of US dollars, held as picodollars.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Usd(u128);

/// Picodollars in one dollar.
pub const PICOS_PER_USD: u128 = 1_000_000_000_000;

impl Usd {
    pub const ZERO: Self = Self(0);

    pub const fn from_picos(picos: u128) -> Self {
        Self(picos)
    }

    pub const fn picos(self) -> u128 {
        self.0
    }

    /// Whole micro-dollars, rounded half up (the unit of our JSON output).
    pub const fn micros(self) -> u128 {
        (self.0 + 500_000) / 1_000_000
    }

    /// Cents, rounded half up.
    pub const fn cents(self) -> u128 {
        (self.0 + PICOS_PER_USD / 200) / (PICOS_PER_USD / 100)
    }

    /// Parses a decimal dollar amount such as `"3"`, `"0.30"` or `"18.75"` exactly.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && frac.is_empty() || frac.len() > 12 {
            return None;
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) {
            return None;
        }
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut frac_picos: u128 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        for _ in frac.len()..12 {
            frac_picos *= 10;
        }
        whole
            .checked_mul(PICOS_PER_USD)?
            .checked_add(frac_picos)
            .map(Self)
    }

    /// `self * num / den`, exact when the division is (prices times rational multipliers).
    #[must_use]
    pub const fn scale(self, num: u128, den: u128) -> Self {
        Self(self.0 * num / den)
    }

    /// Exact decimal rendering with six decimals, for JSON (`"12.345678"`).
    pub fn decimal6(self) -> String {
        let micros = self.micros();
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

impl std::ops::Add for Usd {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl std::ops::AddAssign for Usd {
    fn add_assign(&mut self, rhs: Self) {
        self.0 += rhs.0;
    }
}

impl std::iter::Sum for Usd {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

/// `$12.34`, or `$0.0042` for amounts under a cent so small sessions do not show `$0.00`.
impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cents = self.cents();
        if cents == 0 && self.0 > 0 {
            let ten_thousandths = (self.0 + PICOS_PER_USD / 20_000) / (PICOS_PER_USD / 10_000);
            return write!(
                f,
                "${}.{:04}",
                ten_thousandths / 10_000,
                ten_thousandths % 10_000
            );
        }
        let s = format!("${}.{:02}", grouped(cents / 100), cents % 100);
        f.pad(&s)
    }
}

/// An integer with thousands separators, `1,234,567`: how every screen writes counts and dollars.
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_decimals() {
        assert_eq!(Usd::parse("3"), Some(Usd(3 * PICOS_PER_USD)));
        assert_eq!(Usd::parse("0.30"), Some(Usd(300_000_000_000)));
        assert_eq!(Usd::parse("18.75"), Some(Usd(18_750_000_000_000)));
        assert_eq!(Usd::parse(".5"), Some(Usd(500_000_000_000)));
        for bad in ["", ".", "1.2.3", "-1", "1e3", "abc", "0.0000000000001"] {
            assert_eq!(Usd::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn renders_and_rounds() {
        assert_eq!(Usd::parse("12.345").unwrap().to_string(), "$12.35");
        assert_eq!(Usd::parse("0.00421").unwrap().to_string(), "$0.0042");
        assert_eq!(Usd::ZERO.to_string(), "$0.00");
        assert_eq!(Usd::parse("1234.56").unwrap().to_string(), "$1,234.56");
        assert_eq!(Usd::parse("999.995").unwrap().to_string(), "$1,000.00");
        assert_eq!(Usd::parse("1234567").unwrap().to_string(), "$1,234,567.00");
        assert_eq!(Usd::parse("999.99").unwrap().to_string(), "$999.99");
        assert_eq!(Usd::parse("1.0000005").unwrap().decimal6(), "1.000001");
        assert_eq!(
            Usd::parse("5").unwrap().scale(11, 10),
            Usd::parse("5.5").unwrap()
        );
    }
}
