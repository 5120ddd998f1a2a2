//! Reports over session summaries: filters, usage totals by period, and the stable JSON shapes
//! of `sessions`, `usage` and `show` (documented in the README; field names never change within
//! a schema version).

pub mod filter;
pub mod json;
pub mod period;
pub mod session_json;
pub mod short_id;

pub use filter::SessionFilter;
pub use period::{Period, UsageRow, usage_rows};
pub use short_id::short_ids;
