//! The sentence that explains a cost marked `+?`: which models have no price and which file adds
//! them. Every screen and command that shows such a cost uses it.

use std::path::Path;

/// `+? : no price for claude-x, claude-y (their tokens are not in the cost); add them to FILE.`;
/// `None` when every model has a price.
pub fn unpriced_note(models: &[&str], price_file: &Path) -> Option<String> {
    let (last, rest) = models.split_last()?;
    let names = if rest.is_empty() {
        (*last).to_owned()
    } else {
        format!("{} and {last}", rest.join(", "))
    };
    let these = if rest.is_empty() { "its" } else { "their" };
    Some(format!(
        "+? no price for {names}, so {these} tokens are not in the cost; add prices to {}.",
        price_file.display()
    ))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::unpriced_note;

    #[test]
    fn names_the_models_and_the_price_file() {
        let file = Path::new("/c/git-vouch/pricing.toml");
        assert_eq!(unpriced_note(&[], file), None);
        assert_eq!(
            unpriced_note(&["claude-x-9"], file).as_deref(),
            Some(
                "+? no price for claude-x-9, so its tokens are not in the cost; add prices to /c/git-vouch/pricing.toml."
            )
        );
        let two = unpriced_note(&["a", "b", "c"], file).unwrap_or_default();
        assert!(
            two.starts_with("+? no price for a, b and c, so their tokens"),
            "{two}"
        );
    }
}
