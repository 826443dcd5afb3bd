"""Stage statistics: measures, the condition language, declared figures recomputed and reconciled,
the analysis file, tables, figures and sensitivity analyses."""
