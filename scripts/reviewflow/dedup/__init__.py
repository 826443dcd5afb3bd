"""Stage dedup: field cleaning (prep), blocking, matching and clustering (match), and the stage's
tables (tables); thresholds in dedup_rules.yaml."""
