"""reviewflow: the library behind the workflow rules (pure functions, never imports snakemake)."""

__version__ = "0.1.0"
