"""The `reviewflow` command line. Each subcommand is a thin wrapper over a library function."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviewflow", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-export",
        help="read database exports as the search stage will (before dropping them into a "
        "window folder): format, database, record count, or every problem found",
    )
    check.add_argument("files", nargs="+", help="export files (RIS, WoS, CSV, MEDLINE, ...)")
    check.add_argument(
        "--config",
        help="the review's config/config.yaml (for the CSV column names); default: the one of "
        "the review this directory is in, else of the installed workflow",
    )
    check.set_defaults(func=check_export)
    add_dedup_command(commands)
    add_living_commands(commands)
    new = commands.add_parser(
        "new-review",
        help="write the skeleton of a new review (config, starter codebook, vocabulary, empty "
        "analysis file, the workbook generated from the codebook) that builds at once",
    )
    new.add_argument("folder", metavar="DIR", help="a new or empty folder")
    new.add_argument("--title", help="the review's title (config/config.yaml)")
    new.set_defaults(func=new_review)
    add_review_commands(commands)
    return parser


def add_review_commands(commands) -> None:
    check = commands.add_parser(
        "check",
        help="check every file of a review that reviewers edit (config, first version, "
        "codebook, vocabulary, analysis, reported results, workbooks, decision files) without "
        "building: the build's own messages, all at once; exit status 1 on a problem",
    )
    check.add_argument("folder", metavar="DIR", nargs="?", default=".", help="default: here")
    check.set_defaults(func=run_check)
    workbook = commands.add_parser(
        "workbook",
        help="the extraction workbook from the codebook, without a build: --upgrade rewrites "
        "the reviewers' workbook(s) for the current codebook (every typed cell kept, new "
        "fields added with their drop-downs and help, the old file kept as a backup); "
        "without it, writes the blank workbook where none exists yet (or to --out)",
    )
    workbook.add_argument("folder", metavar="DIR", nargs="?", default=".", help="default: here")
    workbook.add_argument("--upgrade", action="store_true")
    workbook.add_argument("--out", metavar="FILE.xlsx", help="where to write the blank workbook")
    workbook.set_defaults(func=run_workbook)


def run_check(args: argparse.Namespace) -> int:
    from reviewflow.review_check import check_review

    report = check_review(args.folder)
    print(report.text(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def run_workbook(args: argparse.Namespace) -> int:
    from reviewflow.core.errors import InputProblems
    from reviewflow.extraction.codebook import load_codebook
    from reviewflow.extraction.upgrade import upgrade_workbook, workbooks_of
    from reviewflow.extraction.workbook import write_workbook

    folder = Path(args.folder)
    try:
        codebook_path, workbooks = workbooks_of(folder)
        codebook = load_codebook(folder / codebook_path)
        if not args.upgrade:
            out = Path(args.out) if args.out else folder / workbooks[0]
            if out.exists():
                print(
                    f"reviewflow workbook: {out} exists: `reviewflow workbook --upgrade` "
                    "rewrites it for the codebook (keeping every typed cell), or give --out",
                    file=sys.stderr,
                )
                return 2
            write_workbook(codebook, out)
            print(f"{out}: blank workbook of {codebook_path}")
            return 0
        existing = [folder / path for path in workbooks if (folder / path).is_file()]
        if not existing:
            print(f"reviewflow workbook: no workbook to upgrade ({', '.join(workbooks)})")
            return 2
        failed = 0
        for path in existing:
            try:
                print(upgrade_workbook(path, codebook).summary())
            except InputProblems as error:
                print(InputProblems(error.source, error.problems, "not upgraded"), file=sys.stderr)
                failed = 1
        return failed
    except InputProblems as error:
        print(f"reviewflow workbook: {error}", file=sys.stderr)
        return 2


def find_config(start: Path | None = None) -> Path | None:
    """config/config.yaml of the review `start` (default: the current directory) is in, else
    of the checkout the reviewflow package was installed from; None when there is none."""
    start = (start or Path.cwd()).resolve()
    package_root = Path(__file__).resolve().parents[2]
    for folder in [start, *start.parents, package_root]:
        candidate = folder / "config" / "config.yaml"
        if candidate.is_file():
            return candidate
    return None


def new_review(args: argparse.Namespace) -> int:
    from reviewflow.core.errors import InputProblems
    from reviewflow.new_review import create_review

    try:
        written = create_review(args.folder, args.title)
    except InputProblems as error:
        print(f"reviewflow new-review: {error}", file=sys.stderr)
        return 2
    print(f"{args.folder}: new review, {len(written)} files:")
    for path in written:
        print(f"  {path}")
    print(f"Build it: cd {args.folder} && snakemake --cores 4")
    print(f"Then make it yours: {args.folder}/README.md")
    return 0


def check_export(args: argparse.Namespace) -> int:
    from reviewflow.core.errors import InputProblems
    from reviewflow.search.windows import describe_exports

    config = Path(args.config) if args.config else find_config()
    try:
        text, ok = describe_exports(args.files, config)
    except InputProblems as error:  # the config itself
        print(f"reviewflow check-export: {InputProblems(error.source, error.problems, '')}")
        return 2
    print(text)
    return 0 if ok else 1


def add_dedup_command(commands) -> None:
    dedup = commands.add_parser(
        "dedup",
        help="group duplicate bibliographic records",
        description="Group duplicate records. RECORDS.csv is in reviewflow's record schema "
        "(record_id, title, authors, ...) or in the bib-dedupe benchmark layout "
        "(records_pre_merged.csv: ID,ENTRYTYPE,title,year,author,journal,volume,number,pages"
        "[,doi,abstract]), UTF-8 or latin-1. GROUPS.csv gets one row per duplicate group: "
        "merged_ids, the ';'-joined ids (the layout of the labelled sets' merged_record_ids.csv).",
    )
    dedup.add_argument("records", metavar="RECORDS.csv")
    dedup.add_argument("--out", required=True, metavar="GROUPS.csv")
    dedup.add_argument("--uncertain", metavar="PAIRS.csv", help="write the pairs left to reviewers")
    dedup.add_argument("--decisions", metavar="DECISIONS.tsv", help="reviewers' same/different")
    dedup.set_defaults(func=run_dedup)


def run_dedup(args: argparse.Namespace) -> int:
    from reviewflow.core.errors import InputProblems
    from reviewflow.dedup.tables import dedup_file

    try:
        result = dedup_file(
            args.records, args.out, uncertain_path=args.uncertain, decisions_path=args.decisions
        )
    except (InputProblems, FileNotFoundError) as error:
        print(f"reviewflow dedup: {error}", file=sys.stderr)
        return 2
    groups = sum(1 for group in result.clusters if len(group) > 1)
    if result.encoding not in ("", "utf-8-sig"):
        print(f"{args.records}: not UTF-8, read as {result.encoding}")
    print(
        f"{len(result.prepared)} records, {groups} duplicate groups, "
        f"{len(result.prepared) - len(result.clusters)} duplicates, "
        f"{len(result.uncertain)} uncertain pairs -> {args.out}"
    )
    return 0


def add_living_commands(commands) -> None:
    publish = commands.add_parser(
        "publish-version",
        help="freeze the build's outputs as version N of the review (versions/vN/, never "
        "rewritten); run from the repository root after `snakemake --cores 4`",
        description="Freeze the outputs of the current build (dataset, raw extraction values, "
        "summary, reconciliation, descriptive table when present, PRISMA counts, search/dedup/"
        "screening counts, records, What's new, update digest) into versions/vN/ with "
        "version.json (the declaration in config/versions.yaml, SHA-256 of every file). Refuses "
        "when vN exists, when N is not declared, or when the build's windows are not N's.",
    )
    publish.add_argument("number", type=int, metavar="N")
    publish.add_argument("--versions-file", default="config/versions.yaml")
    publish.add_argument("--versions-dir", default="versions")
    publish.set_defaults(func=run_publish)
    update = commands.add_parser(
        "update",
        help="the monthly search update: fetch a new PubMed window up to --until (default: "
        "today), rebuild everything, and print the update digest (Markdown for a pull request)",
    )
    update.add_argument("--until", default=None, help="end of the new window (YYYY-MM-DD)")
    update.add_argument("--cores", default="2")
    update.add_argument("--digest", default="results/living/update_digest.md")
    update.set_defaults(func=run_update)


def run_publish(args: argparse.Namespace) -> int:
    import subprocess

    from reviewflow.core.errors import InputProblems
    from reviewflow.living.versions import (
        PublishWriteError,
        publish_version,
        remove_partial_publications,
    )

    try:
        for folder in remove_partial_publications(args.versions_dir):
            print(
                f"{folder}: left by a publication that was killed (nothing of it was published): "
                "removed"
            )
    except OSError as error:
        print(
            f"reviewflow publish-version: {error.filename}: cannot remove the folder of a "
            f"killed publication ({error.strerror}): remove it by hand",
            file=sys.stderr,
        )
        return 2
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        commit = ""
    try:
        folder = publish_version(
            args.number,
            versions_file=args.versions_file,
            versions_dir=args.versions_dir,
            commit=commit,
        )
    except (InputProblems, FileExistsError, PublishWriteError) as error:
        print(f"reviewflow publish-version: {error}", file=sys.stderr)
        return 2
    print(f"version {args.number} published in {folder}/ (commit it; it is never rewritten)")
    return 0


def run_update(args: argparse.Namespace) -> int:
    import subprocess
    from datetime import date
    from pathlib import Path

    until = args.until or date.today().isoformat()
    command = [sys.executable, "-m", "snakemake", "--cores", str(args.cores)]
    built = subprocess.run([*command, "--config", f"search_until={until}"], check=False)
    if built.returncode != 0:
        print(f"reviewflow update: the build failed ({built.returncode})", file=sys.stderr)
        return built.returncode
    digest = Path(args.digest)
    print(digest.read_text(encoding="utf-8"))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
