"""Snakemake's hashing of rule params without importing pandas when no param can be a pandas
object (parse time: standard library only).

To tell whether a job's params changed since its last run, Snakemake (9.x,
`snakemake.persistence`) writes each param as text with a serialiser it picks once: the pandas
one whenever pandas is installed (`importlib.util.find_spec`, snakemake PR #2300), which imports
pandas. Every build of this workflow, a no-op's included, paid that import (0.3-0.4 s) in
Snakemake's own process, although no param of ours is a pandas object. A param can be a pandas
object only once pandas has been imported: so the pandas serialiser is used when pandas is
already imported, the built-in one otherwise. For anything but a pandas object the two give the
same text (the pandas one hands it to the built-in one), so recorded params still match.
"""

from __future__ import annotations

import sys

SERIALISERS = ("_serialize_param_builtin", "_serialize_param_pandas")


def serialise_params_without_importing_pandas(persistence_class: type | None = None) -> bool:
    """Make Snakemake's `PersistenceBase` (or `persistence_class`) pick its params serialiser as
    the module says. Returns False, changing nothing, when the class is not as expected (another
    Snakemake version): its own serialiser is then kept."""
    if persistence_class is None:
        import snakemake.persistence

        persistence_class = getattr(snakemake.persistence, "PersistenceBase", None)
    chooser = getattr(persistence_class, "__dict__", {}).get("_serialize_param")
    if not isinstance(chooser, property) or not all(
        callable(getattr(persistence_class, name, None)) for name in SERIALISERS
    ):
        return False
    persistence_class._serialize_param = property(_serialiser)
    return True


def _serialiser(persistence):
    """The pandas serialiser when pandas is imported (a param may be a pandas object), else the
    built-in one."""
    if "pandas" in sys.modules:
        return persistence._serialize_param_pandas
    return persistence._serialize_param_builtin
