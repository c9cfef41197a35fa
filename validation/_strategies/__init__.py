"""Private homes of the public strategies; import them from validation.strategies."""
