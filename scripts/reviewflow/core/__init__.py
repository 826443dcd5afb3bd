"""Shared by every stage: located input problems, atomic writes with the formula guard, the strict
YAML reader, reviewer spreadsheets, rule logs, the record schema, the studies table, the first
version's counts, and what the rule files compute at parse time (stdlib only)."""
