"""How the files of this folder were made, with ASReview's own code (asreview 3.0.8):
our export of five hand-made records -> an ASReview project (asreview.Project.add_dataset, its
CSV and RIS readers) -> four labels and two notes -> ASReview's export (the steps of its web
app's export_dataset, with its CSV/TSV/Excel/RIS writers).

    python -m venv /tmp/asr && /tmp/asr/bin/pip install asreview pytest hypothesis pyyaml
    PYTHONPATH=scripts:. /tmp/asr/bin/python tests/unit/asreview_exports/make_exports.py DIR

tests/unit/test_asreview.py reads the committed files, and runs this again when asreview is
installed.
"""

import sys
import tempfile
from pathlib import Path

import pandas as pd

from reviewflow.screening import asreview as reviewflow_asreview
from tests.unit.test_screening import W1, make_records

# (record number, ASReview label, ASReview note) given in ASReview
LABELS = [(1, 1, None), (2, 0, "Not a case report"), (3, 0, "just a note"), (4, 1, None)]


def tricky_records() -> pd.DataFrame:
    records = make_records(W1, [1, 2, 3, 4, 5])
    records.loc[0, "title"] = '=HYPERLINK("x") IgG4: a "quoted", tricky\ttitle'
    records.loc[1, "abstract"] = "Line one.\nLine two; with semicolons, commas and é ü."
    records.loc[2, "doi"] = ""
    records.loc[3, "year"] = ""
    records.loc[4, "authors"] = "Müller, Hans-Peter; O'Brien, C"
    return records


def export_like_the_web_app(project, path: Path, writer) -> None:
    """asreview.webapp._api.projects.api_export_dataset, without Flask and users."""
    from asreview.webapp._api.projects import _flatten_tags
    from asreview.webapp._api.utils import read_tags_data

    with project.db as db:
        results = db.get_results_table(groups=True).set_index("record_id")
        groups = db.input[["record_id", "group_id"]].set_index("record_id")
        all_ids = db.input["record_id"].tolist()
    not_seen = [r for r in all_ids if r not in set(results.index)]
    order = [*results.index[results.label == 1], *not_seen, *results.index[results.label == 0]]
    results = _flatten_tags(results, read_tags_data(project))
    results["time"] = pd.to_datetime(results["time"], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
    model = ["classifier", "querier", "balancer", "feature_extractor", "training_set", "user_id"]
    results = results.drop(columns=model)
    data = project.read_input_data()
    data = data.loc[:, ~data.columns.str.startswith("asreview_")].join(groups)
    if path.suffix != ".ris" and project.get_input_data_reader().__name__ == "RISReader":
        from asreview.data.utils import convert_ris_list_columns_to_string

        data = convert_ris_list_columns_to_string(data)
    exported = data.join(results.add_prefix("asreview_"), on="group_id", how="left").loc[order]
    writer.write_data(exported.rename(columns={"group_id": "asreview_group_id"}), path)


def make_exports(out: Path) -> dict[str, list]:
    """Write our exports and ASReview's labelled exports into `out`; returns what ASReview read
    from our exports: {"csv"|"ris": [asreview.Record, ...]}."""
    from asreview import Project
    from asreview.data import CSVWriter, ExcelWriter, RISWriter, TSVWriter
    from asreview.project.api import _from_file

    out.mkdir(parents=True, exist_ok=True)
    records = tricky_records()
    read_back = {}
    for kind, write in (
        ("csv", reviewflow_asreview.write_csv),
        ("ris", reviewflow_asreview.write_ris),
    ):
        ours = out / f"to_screen.{kind}"
        write(records, ours)
        read_back[kind] = _from_file(ours, dataset_id=kind)
        project = Project.create(Path(tempfile.mkdtemp()) / kind)
        project.add_dataset(ours)
        with project.db as db:
            ids = db.input["record_id"].tolist()
            for number, label, note in LABELS:
                db.label_record(ids[number - 1], label)
                if note:
                    db.update_note(ids[number - 1], note)
        writers = {"csv": CSVWriter, "tsv": TSVWriter, "xlsx": ExcelWriter}
        if kind == "ris":
            writers["ris"] = RISWriter  # ASReview offers RIS only for a RIS project
        for ext, writer in writers.items():
            path = out / f"title_abstract_from-{kind}.asreview.{ext}"
            export_like_the_web_app(project, path, writer)
    return read_back


if __name__ == "__main__":
    make_exports(Path(sys.argv[1]))
