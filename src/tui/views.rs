//! The screens. Each borrows the state it shows and renders it; none does I/O.

pub mod branch;
pub mod branch_diff;
pub mod detail;
pub mod help;
pub mod range_diff;
pub mod sessions;
