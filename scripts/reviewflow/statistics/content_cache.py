"""Figures drawn, and outcome analyses run, once per content (issue 21: drawing was most of a
one-cell rebuild; the outcome analyses' Firth models, most of what was left of it).

A figure is a function of what it is drawn from (a declared figure: the dataset columns its
declaration names, the declaration and the settings; a Kaplan-Meier figure: its analysis's
contract), of this library's code and of the drawing libraries' versions. Its key is a SHA-256 of
all of these. After drawing, a copy of its files and its key are kept in a cache folder
(results/cache/<kind>/, beside no output: Snakemake removes a job's outputs before it runs); when a
later build asks for a figure of the same key, the copies become its files, byte for byte, and
matplotlib is not imported at all. Any other value shown, a line of the library changed, another
matplotlib: another key, drawn again. A copy is trusted only with its key, which is written last.

An outcome analysis's contract is kept alike (results/cache/contracts/<name>.json: its key and
the contract), keyed on the columns its declaration names (with the dataset's ids and order), the
declaration, the settings, the columns' types, the library's code and the statistics libraries'
versions: an edit of a cell no analysis reads runs none again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from reviewflow.core.io import atomic_path, write_text
from reviewflow.extraction.codebook import Codebook
from reviewflow.statistics.analysis_file import Analysis, figure_columns, with_flags
from reviewflow.statistics.outcomes.declared import Outcome

LIBRARY = Path(__file__).resolve().parents[1]  # scripts/reviewflow
DRAWING_LIBRARIES = ("matplotlib", "numpy", "pandas", "pillow")
# what an outcome analysis's estimates are computed with (statsmodels: survival; firthmodels
# with scikit-learn: Firth models)
STATISTICS_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "firthmodels", "scikit-learn")
SUFFIXES = (".svg", ".png")
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 of every source file of the library and of the drawing libraries' versions."""
    digest = hashlib.sha256()
    for path in sorted(LIBRARY.rglob("*.py")):
        digest.update(f"{path.relative_to(LIBRARY).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    digest.update(f"{library_versions(DRAWING_LIBRARIES)}\n".encode())
    return digest.hexdigest()


@cache
def library_versions(names: tuple[str, ...]) -> str:
    """`name version` of each installed package of `names` ("absent" when it is not), one per
    line; looked up once per process (8 ms a time: every analysis's key asks)."""
    lines = []
    for name in names:
        try:
            lines.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"{name} absent")
    return "\n".join(lines)


def content_key(*parts: str) -> str:
    """The key of a drawing or contract made from `parts` by this code (each part
    length-prefixed)."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def frame_text(frame: pd.DataFrame) -> str:
    """Every value of `frame` with its type (repr: 1, '1', True, nan and <NA> all differ), its
    columns, their types and its index."""
    lines = [repr(list(frame.columns)), repr([str(t) for t in frame.dtypes])]
    lines.append(repr(list(frame.index)))
    lines.extend(repr(row) for row in frame.itertuples(index=False, name=None))
    return "\n".join(lines)


def drawn(
    name: str, key: str, out_dir: Path, cache: Path, draw: Callable[[], list[Path]]
) -> list[Path]:
    """`<out_dir>/<name>.svg` and `.png`: the cached copies when they were drawn from `key`, else
    drawn by `draw` (then kept in `cache` with their key)."""
    paths = [out_dir / f"{name}{suffix}" for suffix in SUFFIXES]
    keyfile, copies = cache / f"{name}.key", [cache / path.name for path in paths]
    if keyfile.is_file() and keyfile.read_text(encoding="utf-8") == key:
        if all(copy.is_file() for copy in copies):
            for copy, path in zip(copies, paths, strict=True):
                with atomic_path(path) as tmp:
                    shutil.copyfile(copy, tmp)
            log.info("%s: drawn from the same content before (key %s): its copies", name, key[:12])
            return paths
    written = draw()
    keyfile.unlink(missing_ok=True)  # never a key beside copies of another drawing
    for path, copy in zip(paths, copies, strict=True):
        with atomic_path(copy) as tmp:
            shutil.copyfile(path, tmp)
    write_text(key, keyfile)
    return written


def write_figures(
    cases: pd.DataFrame, analysis: Analysis, out_dir: str | os.PathLike, cache: str | os.PathLike
) -> list[Path]:
    """Every declared figure (`reviewflow.statistics.figures.write_figure`), each drawn only when
    its content changed since the copy kept in `cache`; returns the paths written."""
    frame = with_flags(cases, analysis)
    written = []
    for name, spec in analysis.figures.items():
        shown = frame[figure_columns(spec, frame)]
        key = content_key(
            "figure", name, json.dumps(spec, sort_keys=True, default=str),
            repr(analysis.settings), frame_text(shown),
        )  # fmt: skip

        def draw(shown=shown, spec=spec, name=name) -> list[Path]:
            from reviewflow.statistics.figures import draw_and_save

            return draw_and_save(shown, spec, analysis.settings, out_dir, name)

        written.extend(drawn(name, key, Path(out_dir), Path(cache), draw))
    return written


def write_km_figure(result: dict, out_dir: str | os.PathLike, cache: str | os.PathLike):
    """The Kaplan-Meier figure of a survival analysis's contract `result`
    (`reviewflow.statistics.outcomes.km_figure`), drawn only when the contract changed."""
    key = content_key("kaplan-meier", json.dumps(result, sort_keys=True, default=str))

    def draw() -> list[Path]:
        from reviewflow.statistics.outcomes.km_figure import write_km_figure as draw_km

        return draw_km(result, out_dir)

    return drawn(result["name"], key, Path(out_dir), Path(cache), draw)


def outcome_contracts(
    outcomes: Sequence[Outcome],
    cases: pd.DataFrame,
    book: Codebook,
    analysis: Analysis,
    cache: str | os.PathLike,
) -> list[dict]:
    """The contract of each of `outcomes` (`reviewflow.statistics.outcomes.analyse.contracts`),
    each run only when what it reads changed since the copy kept in `cache`. Both ways the
    contract is the one its JSON file says (read back from that text), so that what is written
    from it does not depend on whether it was run."""
    from reviewflow.statistics.outcomes.analyse import analysed, flagged_cases

    flagged, types = flagged_cases(cases, book, analysis)
    key_column, settings = book.primary_key, analysis.settings
    folder = Path(cache)
    results = []
    for outcome in outcomes:
        names = figure_columns(dataclasses.asdict(outcome), flagged)  # the columns it names
        read = flagged[list(dict.fromkeys([key_column, *names]))]
        key = content_key(
            "outcome", repr(outcome), repr(settings),
            repr([(name, types.get(name)) for name in read.columns]),
            frame_text(read), library_versions(STATISTICS_LIBRARIES),
        )  # fmt: skip
        path = folder / f"{outcome.name}.json"
        contract = kept_contract(path, key)
        if contract is None:
            text = json.dumps(analysed(outcome, flagged, key_column, settings, types))
            contract = json.loads(text)
            write_text(json.dumps({"key": key, "contract": contract}), path)  # atomic: whole
        else:
            log.info("%s: run on the same content before (key %s)", outcome.name, key[:12])
        results.append(contract)
    return results


def kept_contract(path: Path, key: str) -> dict | None:
    """The contract kept at `path` when it was made from `key` (None when it was not, or the
    file cannot be read as one)."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(kept, dict) and kept.get("key") == key and isinstance(kept.get("contract"), dict):
        return kept["contract"]
    return None
