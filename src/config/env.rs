//! Environment lookups, passed in so discovery and configuration are pure functions in tests:
//! [`ProcessEnv`] reads the process environment, [`VarsEnv`] a fixed list.

/// One environment variable lookup; unset and empty are the same.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// A fixed set of variables (tests, and runs that must not see the person's environment).
#[derive(Debug, Clone, Default)]
pub struct VarsEnv(pub Vec<(String, String)>);

impl VarsEnv {
    pub fn new<K: Into<String>, V: Into<String>>(vars: impl IntoIterator<Item = (K, V)>) -> Self {
        Self(
            vars.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl Env for VarsEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }
}
