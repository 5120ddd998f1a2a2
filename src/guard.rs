//! The guard: before a tool call runs, what it would do and how risky that is.

pub mod invocation;
pub mod shell;
