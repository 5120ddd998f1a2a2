//! Errors from reading a price table. Each names where the table came from so a user with an
//! override file knows which file and which row to fix.

/// A price table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// The text is not TOML, or does not have the shape of a price table.
    #[error("{origin}:{line}:{column}: {message}")]
    Parse {
        /// File path, or "embedded price table".
        origin: String,
        /// 1-based line of the problem (0 when the parser gave no position).
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        message: String,
    },
    /// A model row holds a value that is not a valid price, multiplier or date.
    #[error("{origin}: model {model}: field `{field}`: invalid value '{value}' ({expected})")]
    InvalidValue {
        origin: String,
        model: String,
        field: String,
        value: String,
        /// What the field must hold.
        expected: &'static str,
    },
    /// A table-wide setting (outside any model row) holds an invalid value.
    #[error("{origin}: field `{field}`: invalid value '{value}' ({expected})")]
    InvalidSetting {
        origin: String,
        field: String,
        value: String,
        expected: &'static str,
    },
    /// Two rows of one model start on the same day, so neither can be chosen.
    #[error("{origin}: model {model}: two rows with effective_from {effective_from}")]
    DuplicateRow {
        origin: String,
        model: String,
        effective_from: chrono::NaiveDate,
    },
    /// One spelling is given to two different models.
    #[error("{origin}: alias '{alias}' names both model {first} and model {second}")]
    AliasConflict {
        origin: String,
        alias: String,
        first: String,
        second: String,
    },
}

impl PricingError {
    /// A parse error from `toml`, positioned as `line:column` in `text`.
    pub(super) fn parse(origin: &str, text: &str, err: &toml::de::Error) -> Self {
        let (line, column) = err
            .span()
            .map_or((0, 0), |span| line_column(text, span.start));
        Self::Parse {
            origin: origin.to_owned(),
            line,
            column,
            message: err.message().trim_end().to_owned(),
        }
    }
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::line_column;
    use crate::pricing::table::{PRICE, parse};

    const ROW: &str = r#"
        [[model]]
        id = "claude-x-1"
        effective_from = 2026-01-01
        input = "3"
        output = "15"
        cache_write_5m = "3.75"
        cache_write_1h = "6"
        cache_read = "0.30"
    "#;

    fn err(text: &str) -> String {
        parse(text, "/home/u/.config/git-vouch/pricing.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn malformed_toml_names_origin_line_and_column() {
        let e = err("web_search_per_1000 = \"10\"\n[[model]\n");
        assert!(
            e.starts_with("/home/u/.config/git-vouch/pricing.toml:2:"),
            "{e}"
        );
        let e = err(&ROW.replace("cache_read =", "cache_reed ="));
        assert!(
            e.contains("pricing.toml:9:") && e.contains("cache_reed"),
            "{e}"
        );
        let e = parse("[[model]\n", "embedded price table")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("embedded price table:1:"), "{e}");
    }

    #[test]
    fn bad_values_name_origin_model_field_and_value() {
        let e = err(&ROW.replace("\"0.30\"", "\"abc\""));
        assert_eq!(
            e,
            format!(
                "/home/u/.config/git-vouch/pricing.toml: model claude-x-1: field `cache_read`: \
                 invalid value 'abc' ({PRICE})"
            )
        );
        let e = err(&ROW.replace("\"15\"", "\"-15\""));
        assert!(
            e.contains("model claude-x-1: field `output`: invalid value '-15'"),
            "{e}"
        );
        let e = err(&format!("{ROW}us_only_multiplier = \"0\"\n"));
        assert!(
            e.contains("field `us_only_multiplier`: invalid value '0'"),
            "{e}"
        );
        let e = err(&ROW.replace("2026-01-01", "2026-01-01T10:00:00"));
        assert!(
            e.contains("field `effective_from`: invalid value '2026-01-01T10:00:00'"),
            "{e}"
        );
        let e = err(&format!(
            "{ROW}[model.long_context]\nthreshold = 1\ninput = \"x\"\n\
            output = \"1\"\ncache_write_5m = \"1\"\ncache_write_1h = \"1\"\ncache_read = \"1\"\n"
        ));
        assert!(
            e.contains("field `long_context.input`: invalid value 'x'"),
            "{e}"
        );
        let e = err("web_search_per_1000 = \"ten\"\n");
        assert!(
            e.contains("field `web_search_per_1000`: invalid value 'ten'"),
            "{e}"
        );
    }

    #[test]
    fn rejects_duplicate_rows_and_conflicting_aliases() {
        let e = err(&format!("{ROW}{ROW}"));
        assert!(
            e.contains("model claude-x-1: two rows with effective_from 2026-01-01"),
            "{e}"
        );
        let y = ROW.replace("claude-x-1", "claude-y-1");
        let e = err(&format!(
            "{}{}",
            ROW.replace("id = ", "aliases = [\"xy\"]\nid = "),
            y.replace("id = ", "aliases = [\"xy\"]\nid = ")
        ));
        assert!(
            e.contains("alias 'xy' names both model claude-x-1 and model claude-y-1"),
            "{e}"
        );
        let e = err(&format!(
            "{ROW}{}",
            y.replace("id = ", "aliases = [\"claude-x-1\"]\nid = ")
        ));
        assert!(e.contains("alias 'claude-x-1'"), "{e}");
    }

    #[test]
    fn positions_are_one_based() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nx", 99), (2, 2));
    }
}
