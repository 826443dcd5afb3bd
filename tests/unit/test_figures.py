"""The declared figures are drawn, as SVG and PNG, from a hand-made dataset (one that lacks whole
domains too), the SVG is reproducible, and each panel kind draws what its declaration says."""

from pathlib import Path

import pandas as pd
from matplotlib.text import Text

from reviewflow.extraction.codebook import load_codebook
from reviewflow.statistics.analysis_file import Analysis, Settings, load_analysis
from reviewflow.statistics.figures import combinations, draw, write_figure, write_figures

from .statistics_cases import make_cases

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parents[2]


def committed_analysis():
    codebook = load_codebook(
        REPO / "extraction" / "codebook.yaml", REPO / "extraction" / "vocabulary.yaml"
    )
    schema = REPO / "workflow" / "schemas" / "analysis.schema.yaml"
    return load_analysis(REPO / "config" / "analysis.yaml", codebook.columns, schema)


def test_every_declared_figure_is_written_as_svg_and_png(tmp_path):
    cases = make_cases(
        5,
        level_cervical=[True, True, False, True, False],
        level_thoracic=[True, False, True, True, False],
        mri_enhancement=["yes", "no", "not_reported", "yes", "yes"],
        serum_igg4=["elevated", "normal", "not_reported", "normal", "elevated"],
        initial_pain=[True, False, None, True, True],
        main_pain=[True, True, None, True, False],
        treatment_glucocorticoid=[True, True, False, True, False],
        outcome_improved=[True, None, True, False, True],
    )
    analysis = committed_analysis()
    written = write_figures(cases, analysis, tmp_path / "figures")
    names = {path.name for path in written}
    assert names == {f"{name}.{ext}" for name in analysis.figures for ext in ("svg", "png")}
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) if path.suffix == ".png" else b"<svg" in data[:400]
    svg = (tmp_path / "figures" / "levels.svg").read_text()
    assert "Combinations of areas" in svg and "C + T" in svg
    assert "Spinal levels involved (n = 4;" in svg  # the title's placeholder filled
    outcomes = (tmp_path / "figures" / "treatments_outcomes.svg").read_text()
    assert "Outcomes (of 4 described; 1 not described)" in outcomes
    again = write_figure(cases, analysis, "case_overview", tmp_path / "again")
    assert (tmp_path / "again" / "case_overview.svg").read_bytes() == (
        tmp_path / "figures" / "case_overview.svg"
    ).read_bytes()
    assert len(again) == 2


def test_a_figure_of_another_review_from_its_declaration_alone(tmp_path):
    cases = pd.DataFrame(
        {
            "case_id": ["P1", "P2", "P3"],
            "recurrence": pd.array([True, False, None], dtype="boolean"),
            "size": ["large", "small", "not_reported"],
            "site_a": pd.array([True, True, False], dtype="boolean"),
            "site_b": pd.array([False, True, True], dtype="boolean"),
        }
    )
    figures = {
        "tumours": {
            "title": "Tumours ({n} patients; {recurrence.reported} followed)",
            "panels": [
                {
                    "kind": "bars",
                    "title": "Recurrence",
                    "bars": [{"label": "Recurrence", "column": "recurrence"}],
                },
                {"kind": "combinations", "codes": {"site_a": "A", "site_b": "B"}},
            ],
        },
        "grid": {
            "panels": [
                {
                    "kind": "grid",
                    "title": "All {n}",
                    "row_label": ["case_id"],
                    "present": ["large"],
                    "absent": ["small"],
                    "domains": [
                        {
                            "name": "Tumour",
                            "color": "#123456",
                            "columns": [
                                {"label": "large", "column": "size"},
                                {"label": "recurred", "column": "recurrence"},
                            ],
                        }
                    ],
                }
            ]
        },
    }
    analysis = Analysis("a.yaml", Settings(not_reported_values=("not_reported",)), figures=figures)
    write_figures(cases, analysis, tmp_path)
    svg = (tmp_path / "tumours.svg").read_text()
    assert "Tumours (3 patients; 2 followed)" in svg and "1/2 (50.0%)" in svg
    assert "A + B" in svg
    assert "All 3" in (tmp_path / "grid.svg").read_text()
    counts, denominator = combinations(cases, figures["tumours"]["panels"][1])
    assert counts.to_dict() == {"A": 1, "A B": 1, "B": 1} and denominator == 3


def test_a_long_panel_title_never_runs_into_the_next_panel():
    """Long group names: each panel's title is wrapped to the room up to the next panel."""
    cases = pd.DataFrame(
        {
            "case_id": ["P1", "P2", "P3"],
            "swelling": pd.array([True, False, True], dtype="boolean"),
            "surgery": pd.array([True, True, False], dtype="boolean"),
        }
    )
    long = "Presenting symptoms at the first consultation during the initial treatment course"
    spec = {
        "panels": [
            {"kind": "bars", "title": long, "bars": [{"label": "Swelling", "column": "swelling"}]},
            {
                "kind": "paired_bars",
                "title": f"{long}, and every later course of treatment until the last follow-up",
                "series": [
                    {"label": "First", "color": "#4C72B0"},
                    {"label": "Later", "color": "#DD8452"},
                ],
                "bars": [{"label": "Surgery", "columns": ["surgery", "surgery"]}],
            },
        ]
    }
    figure = draw(cases, spec, Settings(not_reported_values=("not_reported",)))
    renderer = figure.canvas.get_renderer()
    left, right = figure.axes
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    assert [t.replace("\n", " ") for t in titles] == [p["title"] for p in spec["panels"]]
    assert all("\n" in t for t in titles)  # both wrapped
    extents = [title_of(ax).get_window_extent(renderer) for ax in figure.axes]
    assert extents[0].x1 < right.get_tightbbox(renderer).x0
    assert extents[1].x1 <= figure.bbox.x1
    # a title that fits is left as it is
    spec["panels"][0]["title"] = "Symptoms"
    assert draw(cases, spec, Settings()).axes[0].get_title(loc="left") == "Symptoms"


def title_of(ax) -> Text:
    """The drawn text of an axes' left-aligned title."""
    wanted = ax.get_title(loc="left")
    return next(c for c in ax.get_children() if isinstance(c, Text) and c.get_text() == wanted)
