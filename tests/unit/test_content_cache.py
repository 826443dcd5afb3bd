"""A figure is drawn again only when what it is drawn from changed (issue 21): its cached copies
are its files when the columns its declaration names, the declaration, the settings, the
library's code and matplotlib are the same; any of these changed draws it again."""

import dataclasses
import json

import pandas as pd
import pytest

from reviewflow.statistics import content_cache, figures
from reviewflow.statistics.analysis_file import figure_columns
from reviewflow.statistics.content_cache import write_figures
from reviewflow.statistics.outcomes import km_figure

from .statistics_cases import make_cases
from .test_figures import committed_analysis


def flags(n=6, **changes):
    values = {
        "level_cervical": [True, True, False, True, False, True],
        "level_thoracic": [True, False, True, True, False, False],
        "initial_pain": [True, False, None, True, True, False],
        "main_pain": [True, True, None, True, False, True],
        "treatment_glucocorticoid": [True, True, False, True, False, True],
        "outcome_improved": [True, None, True, False, True, True],
    }
    return make_cases(n, **{**values, **changes})


@pytest.fixture
def drawings(monkeypatch):
    """The names of the figures drawn (not copied) by each call."""
    drawn = []
    draw_and_save = figures.draw_and_save

    def counting(frame, spec, settings, out_dir, name):
        drawn.append(name)
        return draw_and_save(frame, spec, settings, out_dir, name)

    monkeypatch.setattr(figures, "draw_and_save", counting)
    return drawn


def test_figure_columns_are_the_names_its_declaration_uses():
    frame = pd.DataFrame(columns=["a", "b", "c", "flag", "unused"])
    spec = {
        "title": "n = {flag.true} of {n}",
        "panels": [{"kind": "bars", "of": "c", "bars": [{"label": "A", "column": "a"}]}],
        "codes": {"b": "B"},
    }
    assert figure_columns(spec, frame) == ["a", "b", "c", "flag"]


def test_the_same_content_is_copied_not_drawn_again(tmp_path, drawings):
    analysis, cases = committed_analysis(), flags()
    out, cache = tmp_path / "figures", tmp_path / "cache"
    first = write_figures(cases, analysis, out, cache)
    assert sorted(drawings) == sorted(analysis.figures)
    before = {path.name: path.read_bytes() for path in first}
    for path in first:
        path.unlink()  # as Snakemake removes a job's outputs before it runs

    drawings.clear()
    again = write_figures(cases, analysis, out, cache)
    assert drawings == []
    assert {path.name: path.read_bytes() for path in again} == before

    # a column no figure names: nothing drawn
    drawings.clear()
    write_figures(cases.assign(age_years=cases["age_years"] + 1), analysis, out, cache)
    assert drawings == []


def test_a_value_shown_or_a_setting_changed_draws_the_figure_again(tmp_path, drawings):
    analysis, cases = committed_analysis(), flags()
    out, cache = tmp_path / "figures", tmp_path / "cache"
    write_figures(cases, analysis, out, cache)
    levels = (out / "levels.svg").read_bytes()

    drawings.clear()
    changed = flags(level_thoracic=[True, True, True, True, False, False])
    write_figures(changed, analysis, out, cache)
    assert "levels" in drawings and "symptoms" not in drawings
    assert (out / "levels.svg").read_bytes() != levels

    drawings.clear()
    settings = dataclasses.replace(analysis.settings, not_reported_values=("unknown",))
    write_figures(changed, dataclasses.replace(analysis, settings=settings), out, cache)
    assert sorted(drawings) == sorted(analysis.figures)


def test_a_copy_without_its_key_or_a_key_without_its_copies_is_drawn(tmp_path, drawings):
    analysis, cases = committed_analysis(), flags()
    out, cache = tmp_path / "figures", tmp_path / "cache"
    write_figures(cases, analysis, out, cache)
    (cache / "levels.png").unlink()
    (cache / "symptoms.key").write_text("another drawing", encoding="utf-8")
    drawings.clear()
    write_figures(cases, analysis, out, cache)
    assert sorted(drawings) == ["levels", "symptoms"]
    assert (cache / "levels.png").is_file()


def test_a_kaplan_meier_figure_is_drawn_once_per_contract(tmp_path, monkeypatch):
    drawn = []

    def fake_draw(result, out_dir):
        drawn.append(result["name"])
        paths = [out_dir / f"{result['name']}{suffix}" for suffix in (".svg", ".png")]
        for path in paths:
            path.write_text(repr(result), encoding="utf-8")
        return paths

    monkeypatch.setattr(km_figure, "write_km_figure", fake_draw)
    result = {"name": "time_to_event", "kind": "survival", "estimates": {"table": []}}
    for _ in range(2):
        content_cache.write_km_figure(result, tmp_path, tmp_path / "cache")
    assert drawn == ["time_to_event"]
    content_cache.write_km_figure({**result, "n_used": 3}, tmp_path, tmp_path / "cache")
    assert drawn == ["time_to_event", "time_to_event"]
    assert (tmp_path / "time_to_event.svg").read_text(encoding="utf-8").endswith("'n_used': 3}")


def committed_outcomes():
    """The committed review's analysis file and its outcome analyses."""
    from reviewflow.statistics.outcomes.declared import declared_outcomes

    from .statistics_cases import CODEBOOK, REPO

    analysis = committed_analysis()
    outcomes = declared_outcomes(
        REPO / "config" / "analysis.yaml",
        CODEBOOK.columns,
        str(REPO / "extraction" / "codebook.yaml"),
        analysis.definitions,
    )
    return analysis, outcomes


def outcome_cases(**changes):
    n = 8
    values = {
        "age_years": [40, 52, 61, 47, 70, 58, 66, 49],
        "outcome_recurrence": [True, False, True, False, False, True, False, None],
        "outcome_improved": [True, True, False, True, None, True, False, True],
        "treatment_rituximab": [True, False, False, True, False, True, False, False],
        "treatment_glucocorticoid": [True, True, True, False, True, True, False, True],
        "treatment_decompression": [False, True, False, False, True, False, True, False],
        "outcome_described": True,
    }
    return make_cases(n, **{**values, **changes})


def test_an_outcome_analysis_runs_again_only_when_what_it_reads_changed(tmp_path, monkeypatch):
    """Each analysis is run once per content: a second build runs none; an age changed runs
    again only the analysis that reads age; the contracts are those run without the cache."""
    from reviewflow.statistics.outcomes import analyse

    from .statistics_cases import CODEBOOK

    analysis, outcomes = committed_outcomes()
    ran = []
    real = analyse.analysed
    monkeypatch.setattr(
        analyse, "analysed", lambda outcome, *a: ran.append(outcome.name) or real(outcome, *a)
    )
    cache = tmp_path / "cache"
    cases = outcome_cases()
    first = content_cache.outcome_contracts(outcomes, cases, CODEBOOK, analysis, cache)
    assert ran == [o.name for o in outcomes] and len(ran) == 4
    direct = json.loads(json.dumps(analyse.contracts(outcomes, cases, CODEBOOK, analysis)))
    assert first == direct
    ran.clear()
    assert content_cache.outcome_contracts(outcomes, cases, CODEBOOK, analysis, cache) == first
    assert ran == []

    older = outcome_cases(age_years=[41, 52, 61, 47, 70, 58, 66, 49])
    again = content_cache.outcome_contracts(outcomes, older, CODEBOOK, analysis, cache)
    assert ran == ["age_by_recurrence"]
    ran.clear()
    expected = analyse.contracts(outcomes, older, CODEBOOK, analysis)
    assert again == json.loads(json.dumps(expected))
    assert again[2] != first[2] and again[:2] == first[:2] and again[3] == first[3]

    ran.clear()
    # a column a group condition reads through a named condition (conventional
    # immunosuppressant: the review's definitions) runs the analysis that groups by it
    drugs = outcome_cases(
        treatment_azathioprine=[False, True, False, False, False, False, False, False]
    )
    content_cache.outcome_contracts(outcomes, drugs, CODEBOOK, analysis, cache)
    assert "improvement_by_treatment" in ran and "recurrence_by_rituximab" not in ran


def test_a_kept_contract_is_used_only_with_its_key(tmp_path):
    path = tmp_path / "a.json"
    assert content_cache.kept_contract(path, "k") is None  # none kept
    path.write_text("{not json", encoding="utf-8")
    assert content_cache.kept_contract(path, "k") is None
    path.write_text(json.dumps({"key": "other", "contract": {"n": 1}}), encoding="utf-8")
    assert content_cache.kept_contract(path, "k") is None
    path.write_text(json.dumps({"key": "k", "contract": {"n": 1}}), encoding="utf-8")
    assert content_cache.kept_contract(path, "k") == {"n": 1}
