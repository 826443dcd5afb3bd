"""workflow/lib/params_without_pandas.py: Snakemake's params serialiser chosen, and a job's params
stored for its script, without importing pandas when no param can be a pandas object."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow" / "lib"))
import params_without_pandas  # noqa: E402


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
    assert params_without_pandas.serialise_params_without_importing_pandas(Persistence)
    monkeypatch.delitem(sys.modules, "pandas")
    assert Persistence()._serialize_param({"a": 1}) == ("builtin", "{'a': 1}")
    monkeypatch.setitem(sys.modules, "pandas", pd)
    assert Persistence()._serialize_param({"a": 1}) == ("pandas", "{'a': 1}")


def test_a_class_not_as_expected_is_left_alone():
    class Other:
        def _serialize_param(self):  # a method, not a property
            return None

    original = Other.__dict__["_serialize_param"]
    assert not params_without_pandas.serialise_params_without_importing_pandas(Other)
    assert Other.__dict__["_serialize_param"] is original
    assert not params_without_pandas.serialise_params_without_importing_pandas(None.__class__)


def test_snakemake_installed_here_is_patched_and_both_serialisers_agree_on_our_params(
    monkeypatch,
):
    """The Snakemake this project pins has the class as expected (a new version that changes it
    fails here, not silently); and for the kinds of values our rules' params hold, its two
    serialisers give the same text, so params recorded before still match."""
    from snakemake.persistence import PersistenceBase

    monkeypatch.setattr(PersistenceBase, "_serialize_param", PersistenceBase._serialize_param)
    assert params_without_pandas.serialise_params_without_importing_pandas()
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
    params_without_pandas.serialise_params_without_importing_pandas()
    assert persistence._serialize_param.__name__ == "_serialize_param_pandas"
    assert persistence._serialize_param(value) == persistence._serialize_param_pandas(value)


def stored(script_class: type, params: list, names: dict[str, int] | None = None):
    """What `script_class`'s `_safely_store_params` stores for `params` (named as `names`): the
    params its script reads back, and their recorded types."""
    from snakemake.iocontainers import Params

    given = Params(toclone=params)
    for name, index in (names or {}).items():
        given._set_name(name, index)
    script = script_class.__new__(script_class)
    script._safely_store_params(given)
    return script.params, dict(script._params_types)


@pytest.fixture
def script_class(monkeypatch):
    """Snakemake's script object, its own `_safely_store_params` restored after the test."""
    from snakemake.iocontainers import Snakemake

    monkeypatch.setattr(
        Snakemake, "_safely_store_params", Snakemake.__dict__["_safely_store_params"]
    )
    return Snakemake


def test_plain_params_are_stored_as_snakemake_stores_them(script_class):
    """Our params' kinds of values (dicts, lists, text, numbers, None), named: the patched
    method stores what Snakemake's own stores, and the script reads the same values by name."""
    params = [
        {"cases": "Dataset", "nested": {"n": [1, 2.5, None, True]}},
        ["a", ("b", 3)],
        "t",
        None,
    ]
    names = {"settings": 0, "labels": 1, "title": 2, "none": 3}
    own_params, own_types = stored(script_class, params, names)
    assert params_without_pandas.store_script_params_without_importing_pandas()
    new_params, new_types = stored(script_class, params, names)
    assert list(new_params) == list(own_params) == params
    assert new_types == own_types == {}
    assert new_params.settings == own_params.settings and new_params.title == "t"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (pd.DataFrame({"a": [1]}), "pd.DataFrame"),
        (pd.Series([1, 2]), "pd.Series"),
        (np.arange(3), "np.ndarray"),
    ],
)
def test_a_library_object_param_is_stored_by_snakemakes_own_method(script_class, value, kind):
    assert params_without_pandas.store_script_params_without_importing_pandas()
    params, types = stored(script_class, ["text", value])
    assert types == {1: kind}
    assert params[0] == "text" and type(params[1]) is type(value)


def test_is_converted_by_class_and_base_class():
    class Frame(pd.DataFrame):  # a subclass defined outside pandas
        pass

    assert params_without_pandas.is_converted(Frame({"a": [1]}))
    assert params_without_pandas.is_converted(np.float64(1.5))
    assert not params_without_pandas.is_converted({"a": np.arange(2)})  # Snakemake's rule too
    assert not params_without_pandas.is_converted(1.5)


def test_a_script_class_not_as_expected_is_left_alone():
    class Other:
        def _safely_store_params(self, params):
            return None

        def params(self):  # a method, not a property
            return None

    original = Other.__dict__["_safely_store_params"]
    assert not params_without_pandas.store_script_params_without_importing_pandas(Other)
    assert Other.__dict__["_safely_store_params"] is original


def test_storing_plain_params_imports_no_pandas():
    """In a fresh process (numpy imported, as Snakemake's report plugins do): our kinds of params
    stored without pandas imported, and read back."""
    code = (
        "import sys, numpy\n"
        f"sys.path.insert(0, {str(Path(params_without_pandas.__file__).parent)!r})\n"
        "import params_without_pandas\n"
        "from snakemake.iocontainers import Params\n"
        "from snakemake.iocontainers import Snakemake\n"
        "assert 'pandas' not in sys.modules\n"
        "assert params_without_pandas.store_script_params_without_importing_pandas()\n"
        "script = Snakemake.__new__(Snakemake)\n"
        "script._safely_store_params(Params(toclone=[{'a': 1}, 'x']))\n"
        "assert list(script.params) == [{'a': 1}, 'x'], list(script.params)\n"
        "print('pandas' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
