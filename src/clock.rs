//! The one source of the current time. Everything that needs "now" takes a `&dyn Clock`, so tests
//! run against a fixed instant and produce the same output every time.

use chrono::{DateTime, Utc};

/// Tells the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The single sanctioned read of the wall clock.
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A shared clock is a clock.
impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// A clock stopped at one instant, for tests and reproducible output.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

impl FixedClock {
    /// Parses an RFC 3339 instant; for `GIT_VOUCH_NOW` and tests.
    pub fn parse(text: &str) -> Option<Self> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| Self(t.with_timezone(&Utc)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_is_fixed() {
        let clock = FixedClock::parse("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(clock.now().to_rfc3339(), "2026-01-02T03:04:05+00:00");
        assert!(FixedClock::parse("yesterday").is_none());
    }
}
