"""`reviewflow check`: every file reviewers edit, read by the build's own validators, every
problem of every file at once, exit status 1 on a problem; nothing written."""

import subprocess
import sys

from openpyxl import load_workbook

from reviewflow.cli import main
from reviewflow.new_review import create_review
from reviewflow.review_check import check_review


def test_a_new_review_is_clean(tmp_path, capsys):
    review = tmp_path / "review"
    create_review(review)
    report = check_review(review)
    assert report.ok, report.text()
    edited = {"config/config.yaml", "extraction/cases.xlsx", "config/analysis.yaml",
              "config/reported_results.yaml", "config/first_version.yaml"}  # fmt: skip
    assert edited <= set(report.checked)
    assert main(["check", str(review)]) == 0
    assert "no problem" in capsys.readouterr().out
    assert not (review / "results").exists()  # nothing built, nothing written


def test_every_problem_of_every_file_at_once(tmp_path, capsys):
    review = tmp_path / "review"
    create_review(review)
    book = load_workbook(review / "extraction/cases.xlsx")
    book["cases"]["D2"] = "Mle"
    book["cases"]["E3"] = 340
    book.save(review / "extraction/cases.xlsx")
    analysis = review / "config/analysis.yaml"
    analysis.write_text(
        analysis.read_text().replace("sensitivity: []", "sensitivity: []\ncolour: red")
    )
    reported = review / "config/reported_results.yaml"
    reported.write_text(reported.read_text().replace("statistic: count", "statistic: tally"))

    assert main(["check", str(review)]) == 1
    err = capsys.readouterr().err
    assert "cases!D2: 'Mle': sex is not an allowed value: one of Male, Female, NR" in err
    assert "cases!E3: '340': age is outside the possible range" in err
    assert "config/analysis.yaml" in err and "colour" in err
    assert "config/reported_results.yaml" in err and "tally" in err
    assert "nothing was written" not in err  # a check writes nothing anyway


def test_a_config_problem_is_located_as_the_snakefile_does(tmp_path):
    review = tmp_path / "review"
    create_review(review)
    config = review / "config/config.yaml"
    config.write_text(config.read_text().replace("overlap_days: 5", "overlap_days: five"))
    report = check_review(review)
    assert not report.ok
    (problems,) = report.problems
    assert problems.source == "config/config.yaml"
    assert any("overlap_days" in p and "five" in p for p in problems.problems), problems.problems


def test_check_imports_no_plotting_or_statistics_library(tmp_path):
    review = tmp_path / "review"
    create_review(review)
    code = (
        "import sys; from reviewflow.review_check import check_review; "
        f"assert check_review({str(review)!r}).ok; "
        "print(sorted(m for m in ('matplotlib', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
