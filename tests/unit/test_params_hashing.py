"""workflow/lib/params_hashing.py: Snakemake's params serialiser chosen without importing pandas
when no param can be a pandas object."""

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow" / "lib"))
import params_hashing  # noqa: E402


class Persistence:
    """A stand-in for Snakemake's class: a property that picks one of two serialisers."""

    @property
    def _serialize_param(self):
        import importlib.util

        found = importlib.util.find_spec("pandas") is not None
        return self._serialize_param_pandas if found else self._serialize_param_builtin

    def _serialize_param_builtin(self, value):
        return ("builtin", repr(value))

    def _serialize_param_pandas(self, value):
        return ("pandas", repr(value))


def test_the_builtin_serialiser_unless_pandas_is_imported(monkeypatch):
    monkeypatch.setattr(Persistence, "_serialize_param", Persistence._serialize_param)
    assert params_hashing.serialise_params_without_importing_pandas(Persistence)
    monkeypatch.delitem(sys.modules, "pandas")
    assert Persistence()._serialize_param({"a": 1}) == ("builtin", "{'a': 1}")
    monkeypatch.setitem(sys.modules, "pandas", pd)
    assert Persistence()._serialize_param({"a": 1}) == ("pandas", "{'a': 1}")


def test_a_class_not_as_expected_is_left_alone():
    class Other:
        def _serialize_param(self):  # a method, not a property
            return None

    original = Other.__dict__["_serialize_param"]
    assert not params_hashing.serialise_params_without_importing_pandas(Other)
    assert Other.__dict__["_serialize_param"] is original
    assert not params_hashing.serialise_params_without_importing_pandas(None.__class__)


def test_snakemake_installed_here_is_patched_and_both_serialisers_agree_on_our_params(
    monkeypatch,
):
    """The Snakemake this project pins has the class as expected (a new version that changes it
    fails here, not silently); and for the kinds of values our rules' params hold, its two
    serialisers give the same text, so params recorded before still match."""
    from snakemake.persistence import PersistenceBase

    monkeypatch.setattr(PersistenceBase, "_serialize_param", PersistenceBase._serialize_param)
    assert params_hashing.serialise_params_without_importing_pandas()
    persistence = bare(PersistenceBase)
    values = [
        {"cases": "Dataset", "nested": {"n": [1, 2.5, None, True]}},
        ["a", ("b", 3)],
        "text",
        0.05,
        None,
        len,  # not representable: left out of the hash by both
    ]
    for value in values:
        builtin = persistence._serialize_param_builtin(value)
        assert persistence._serialize_param_pandas(value) == builtin
    monkeypatch.delitem(sys.modules, "pandas")
    assert persistence._serialize_param.__name__ == "_serialize_param_builtin"


def bare(abstract: type):
    """An instance of Snakemake's abstract class, without its set-up (the serialisers need none)."""
    concrete = type("Bare", (abstract,), dict.fromkeys(abstract.__abstractmethods__))
    return concrete.__new__(concrete)


@pytest.mark.parametrize("value", [pd.DataFrame({"a": [1]}), pd.Series([1, 2])])
def test_a_pandas_param_is_hashed_by_the_pandas_serialiser(value, monkeypatch):
    """pandas imported (as it must be for a param to be a pandas object): its serialiser."""
    from snakemake.persistence import PersistenceBase

    monkeypatch.setattr(PersistenceBase, "_serialize_param", PersistenceBase._serialize_param)
    persistence = bare(PersistenceBase)
    params_hashing.serialise_params_without_importing_pandas()
    assert persistence._serialize_param.__name__ == "_serialize_param_pandas"
    assert persistence._serialize_param(value) == persistence._serialize_param_pandas(value)
