"""Snakemake's handling of rule params without importing pandas when no param can be a pandas
object (parse time: standard library only).

Snakemake (9.x) imported pandas in its own process for our params twice, although none of them
is a pandas object:

- to hash them (`snakemake.persistence`): to tell whether a job's params changed since its last
  run, it writes each param as text with a serialiser it picks once, the pandas one whenever
  pandas is installed (`importlib.util.find_spec`, snakemake PR #2300), which imports pandas.
  Every build, a no-op's included, paid that import (0.3-0.4 s).
- to hand them to a script (`snakemake.iocontainers.Snakemake._safely_store_params`): before it
  pickles a job's `snakemake` object, it imports pandas, numpy and polars to convert any param
  that is one of their objects to plain values. Every build that runs a job paid those imports
  again (0.35 s).

A param can be an object of one of those libraries only once that library has been imported.
So the pandas serialiser is used when pandas is already imported, the built-in one otherwise; and
a job's params are stored as they are when none of them is an object of those libraries (numpy
is imported in Snakemake's process by then, by its report plugins), by Snakemake's own method
otherwise. For anything but a pandas object the two serialisers give the same text (the
pandas one hands it to the built-in one), so recorded params still match; the stored params are
those Snakemake's method stores, which converts nothing when no param is such an object.
"""

from __future__ import annotations

import sys

SERIALISERS = ("_serialize_param_builtin", "_serialize_param_pandas")
# The libraries whose objects Snakemake's `_safely_store_params` converts to plain values.
CONVERTED_LIBRARIES = ("pandas", "numpy", "polars")


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


def store_script_params_without_importing_pandas(script_class: type | None = None) -> bool:
    """Make Snakemake's script object (`snakemake.iocontainers.Snakemake`, or `script_class`)
    store a job's params as the module says. Returns False, changing nothing, when the class is
    not as expected (another Snakemake version): its own method is then kept."""
    if script_class is None:
        import snakemake.iocontainers

        script_class = getattr(snakemake.iocontainers, "Snakemake", None)
    own = getattr(script_class, "__dict__", {}).get("_safely_store_params")
    reader = getattr(script_class, "__dict__", {}).get("params")
    # the class its method copies params into, from the method's own module
    params_class = getattr(sys.modules.get(getattr(script_class, "__module__", "")), "Params", None)
    if not callable(own) or not isinstance(reader, property) or params_class is None:
        return False

    def store_params(self, params):
        """Snakemake's own method when a param is a converted library's object; else the params
        as they are, none converted (what that method stores for such params)."""
        if any(is_converted(value) for value in params):
            return own(self, params)
        self._params_store = params_class(toclone=list(params))
        self._params_types = {}
        self._params_store._take_names(params._get_names())

    store_params.__wrapped__ = own
    script_class._safely_store_params = store_params
    return True


def is_converted(value) -> bool:
    """Whether `value` is an object of one of CONVERTED_LIBRARIES (its class or a base class is
    defined in one): such an object exists only once its library is imported."""
    return any(cls.__module__.split(".")[0] in CONVERTED_LIBRARIES for cls in type(value).__mro__)
