"""Stage dataset: harmonisation by field type, quality checks, the dataset package and the typed
cases reader."""
