"""The figures are drawn, as SVG and PNG, from a hand-made dataset (one that lacks whole
domains too), and the SVG is reproducible."""

from reviewflow.figures import FIGURES, write_figures

from .statistics_cases import make_cases

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_every_figure_is_written_as_svg_and_png(tmp_path):
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
    written = write_figures(cases, tmp_path / "figures")
    names = {path.name for path in written}
    assert names == {f"{name}.{ext}" for name in FIGURES for ext in ("svg", "png")}
    for path in written:
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) if path.suffix == ".png" else b"<svg" in data[:400]
    svg = (tmp_path / "figures" / "levels.svg").read_text()
    assert "Combinations of areas" in svg and "C + T" in svg
    again = write_figures(cases, tmp_path / "again")
    assert (tmp_path / "again" / "case_overview.svg").read_bytes() == (
        tmp_path / "figures" / "case_overview.svg"
    ).read_bytes()
    assert len(again) == len(written)
