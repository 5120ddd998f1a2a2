//! The screens. Each borrows the state it shows and renders it; none does I/O.

pub mod branch;
pub mod detail;
pub mod help;
pub mod sessions;
