"""Figures drawn, and outcome analyses run, once per content (issue 21: drawing was most of a
one-cell rebuild; the outcome analyses' Firth models, most of what was left of it), with the keys
and kept copies of `reviewflow.core.content_keys`.

A figure is a function of what it is drawn from (a declared figure: the dataset columns its
declaration names, the declaration and the settings; a Kaplan-Meier figure: its analysis's
contract), of this library's code and of the drawing libraries' versions: a figure of the same
key is copied (results/cache/figures/, results/cache/outcomes/) and matplotlib is not imported.

An outcome analysis's contract is kept alike (results/cache/contracts/<name>.json: its key and
the contract), keyed on the columns its declaration names (with the dataset's ids and order), the
declaration, the settings, the columns' types, the library's code and the statistics libraries'
versions: an edit of a cell no analysis reads runs none again.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from reviewflow.core.content_keys import content_key, frame_text, library_versions, made_once
from reviewflow.core.io import write_text
from reviewflow.extraction.codebook import Codebook
from reviewflow.statistics.analysis_file import Analysis, figure_columns, with_flags
from reviewflow.statistics.outcomes.declared import Outcome

DRAWING_LIBRARIES = ("matplotlib", "numpy", "pandas", "pillow")
# what an outcome analysis's estimates are computed with (statsmodels: survival; firthmodels
# with scikit-learn: Firth models)
STATISTICS_LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "firthmodels", "scikit-learn")
SUFFIXES = (".svg", ".png")
log = logging.getLogger(__name__)


def drawn(
    name: str, key: str, out_dir: Path, cache: Path, draw: Callable[[], object]
) -> list[Path]:
    """`<out_dir>/<name>.svg` and `.png`: the cached copies when they were drawn from `key`, else
    drawn by `draw`."""
    paths = [out_dir / f"{name}{suffix}" for suffix in SUFFIXES]
    made_once(name, key, paths, cache, draw)
    return paths


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
            repr(analysis.settings), frame_text(shown), library_versions(DRAWING_LIBRARIES),
        )  # fmt: skip

        def draw(shown=shown, spec=spec, name=name) -> list[Path]:
            from reviewflow.statistics.figures import draw_and_save

            return draw_and_save(shown, spec, analysis.settings, out_dir, name)

        written.extend(drawn(name, key, Path(out_dir), Path(cache), draw))
    return written


def write_km_figure(result: dict, out_dir: str | os.PathLike, cache: str | os.PathLike):
    """The Kaplan-Meier figure of a survival analysis's contract `result`
    (`reviewflow.statistics.outcomes.km_figure`), drawn only when the contract changed."""
    key = content_key(
        "kaplan-meier",
        json.dumps(result, sort_keys=True, default=str),
        library_versions(DRAWING_LIBRARIES),
    )

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
