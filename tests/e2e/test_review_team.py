"""A review team without a programmer, replayed with a NON-editable install of reviewflow (a
wheel built once per test session, installed into a cached virtualenv that sees this run's
dependencies): `reviewflow new-review` -> codebook changed -> `reviewflow workbook --upgrade`
-> `reviewflow check` -> `snakemake --cores 2` inside the folder, green at the first build. And a
bad cell is reported by `reviewflow check` exactly as the build reports it."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewflow import __version__

from .conftest import REPO

pytestmark = pytest.mark.e2e

# What a wheel is built from (setup.py copies the workflow's files into the package).
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "Snakefile", "workflow",
           "scripts", "envs", "config/appraisal"]  # fmt: skip
NEW_FIELDS = """        - name: treatment
          label: Treatment
          type: choice
          words: [Surgery, Steroids, None, NR]
          help: Initial treatment.
          dataset: {description: Initial treatment.}
        - name: follow_up
          label: Follow-up
          type: number
          unit: months
          words: [NR]
          range: [0, 600]
          help: Follow-up in months, or NR.
          dataset: {name: follow_up_months, description: Follow-up in months.}
        - name: relapse
          label: Relapse
          type: choice
          words: [Relapse, No relapse, NR]
          help: Relapse during follow-up.
          dataset: {description: Relapse during follow-up.}
"""
OUTCOME_CODES = """  outcome:
    values: {Recovered: recovered, Not recovered: not_recovered, Died: died, NR: ""}
"""
NEW_CODES = """  treatment:
    values: {Surgery: surgery, Steroids: steroids, None: none, NR: ""}
  relapse:
    values: {Relapse: relapse, No relapse: no_relapse, NR: ""}
"""


@pytest.fixture(scope="session")
def installed(request, tmp_path_factory) -> Path:
    """The bin/ folder of a virtualenv holding reviewflow installed from a wheel (not editable),
    with this run's other packages visible (offline, fast). The venv is cached; the wheel is
    built from the working tree once per session."""
    source = tmp_path_factory.mktemp("source")
    for part in SOURCES:
        src = REPO / part
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "_workflow")
            shutil.copytree(src, source / part, ignore=ignore)
        else:
            (source / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, source / part)
    wheels = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    home = Path(request.config.cache.mkdir("reviewflow-wheel-venv")) / (
        f"py{sys.version_info.major}{sys.version_info.minor}"
    )
    python = home / "bin" / "python"
    if not python.exists():
        venv.create(home, with_pip=False, clear=True)
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # this run's packages, after the venv's own (its .pth files are not read: no editable
    # reviewflow comes through)
    (site / "zz_test_run.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(wheels.glob("reviewflow-*.whl"))
    done = subprocess.run(
        [*pip, "--python", str(python), "install", "-q", "--no-deps", "--force-reinstall",
         str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return home / "bin"


def run(bin_dir: Path, cwd: Path, *cmd: str, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def snakemake(bin_dir: Path, review: Path) -> subprocess.CompletedProcess:
    return run(bin_dir, review, str(bin_dir / "python"), "-m", "snakemake", "--cores", "2")


def change_codebook(review: Path) -> None:
    """Three fields added, the example field `outcome` removed (and its vocabulary codes)."""
    codebook = review / "extraction" / "codebook.yaml"
    text = codebook.read_text()
    start = text.index("        - name: outcome")
    end = text.index("    - name: studies")
    codebook.write_text(text[:start] + NEW_FIELDS + text[end:])
    vocabulary = review / "extraction" / "vocabulary.yaml"
    assert OUTCOME_CODES in vocabulary.read_text()
    vocabulary.write_text(vocabulary.read_text().replace(OUTCOME_CODES, NEW_CODES))


def set_cells(workbook: Path, values: dict[str, object]) -> None:
    book = load_workbook(workbook)
    for address, value in values.items():
        book["cases"][address] = value
    book.save(workbook)


def sheet_rows(workbook: Path, sheet: str) -> list[dict]:
    rows = list(load_workbook(workbook)[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if any(row)]


def test_a_new_team_from_new_review_to_a_green_first_build(installed, tmp_path):
    review = tmp_path / "my-review"
    made = run(installed, tmp_path, str(installed / "reviewflow"), "new-review", str(review))
    assert made.returncode == 0, made.stderr
    assert f"Build it: cd {review} && snakemake --cores 4" in made.stdout
    question = "from reviewflow.deployment import workflow_snakefile; print(workflow_snakefile())"
    where = run(installed, tmp_path, str(installed / "python"), "-c", question)
    packaged = Path(where.stdout.strip())
    assert packaged.is_file() and packaged.parent.name == "_workflow"  # the wheel's copy
    assert "site-packages" in packaged.parts

    workbook = review / "extraction" / "cases.xlsx"
    examples = sheet_rows(workbook, "cases")
    studies = sheet_rows(workbook, "studies")
    change_codebook(review)
    refused = run(installed, review, str(installed / "reviewflow"), "workbook", "--upgrade")
    assert refused.returncode == 1
    assert "cases!G1: 'outcome': the field outcome is no longer in the codebook" in refused.stderr
    assert "3 cells hold data (G2, G3, G4)" in refused.stderr
    set_cells(workbook, {"G2": None, "G3": None, "G4": None})  # the team empties the column

    upgraded = run(installed, review, str(installed / "reviewflow"), "workbook", "--upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "new columns treatment, follow_up, relapse" in upgraded.stdout
    assert len(list((review / "extraction").glob("cases.before-upgrade-*.xlsx"))) == 1
    rows = sheet_rows(workbook, "cases")
    for before, after in zip(examples, rows, strict=True):
        kept = {k: v for k, v in before.items() if k != "outcome"}
        assert {k: after[k] for k in kept} == kept
        assert (after["treatment"], after["follow_up"], after["relapse"]) == (None, None, None)
    assert sheet_rows(workbook, "studies") == studies
    sheet = load_workbook(workbook)["cases"]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["G2:G1000"].formula1 == '"Surgery,Steroids,None,NR"'
    assert validations["I2:I1000"].formula1 == '"Relapse,No relapse,NR"'

    typed = {"G2": "Surgery", "H2": 12, "I2": "No relapse", "G3": "Steroids", "H3": "NR",
             "I3": "Relapse", "G4": "None", "H4": 6, "I4": "NR"}  # fmt: skip
    set_cells(workbook, typed)
    checked = run(installed, review, str(installed / "reviewflow"), "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no problem" in checked.stdout

    build = snakemake(installed, review)
    assert build.returncode == 0, build.stdout + build.stderr[-5000:]
    state = json.loads((review / "results/run_state.json").read_text())
    assert state["state"] == "succeeded" and state["reviewflow"] == __version__
    code = [path for path in state["sources"] if path.endswith("Snakefile")]
    assert code == [str(packaged)]  # built by the installed workflow, not this checkout's
    header = (review / "results/dataset/cases.csv").read_text().splitlines()[0].split(",")
    assert {"treatment", "follow_up_months", "relapse"} <= set(header)
    assert "outcome" not in header


def test_a_bad_cell_is_reported_by_check_exactly_as_by_the_build(installed, tmp_path):
    review = tmp_path / "review"
    made = run(installed, tmp_path, str(installed / "reviewflow"), "new-review", str(review))
    assert made.returncode == 0, made.stderr
    set_cells(review / "extraction" / "cases.xlsx", {"D3": "Mle"})
    checked = run(installed, review, str(installed / "reviewflow"), "check")
    assert checked.returncode == 1
    expected = "cases!D3: 'Mle': sex is not an allowed value: one of Male, Female, NR"
    assert expected in [line.strip() for line in checked.stderr.splitlines()]

    build = snakemake(installed, review)
    assert build.returncode != 0
    assert expected in [line.strip() for line in build.stderr.splitlines()]
    assert json.loads((review / "results/run_state.json").read_text())["state"] == "failed"
