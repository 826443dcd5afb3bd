"""reviewflow: the library behind the workflow's rules. Pure functions; it never imports snakemake."""

__version__ = "0.1.0"
