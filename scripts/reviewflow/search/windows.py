"""Search windows: which are stored, which one a run must add, fetching a new one into its
folder (all or nothing), turning stored windows into records, and the search counts/report.

A window is a folder `resources/searches/<from>_<until>/` (PubMed create dates, both days
included) holding `search_log.json` (written by the fetch), the raw PubMed replies it lists,
and any Web of Science / Embase / Scopus exports a reviewer dropped in later, optionally
described in `exports.yaml`. Stored windows are never rewritten: a fetch writes into a private
temporary folder and moves it into place only when everything arrived.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import platform
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reviewflow import __version__
from reviewflow.core.errors import InputProblems
from reviewflow.core.records import DATABASE_NAMES, SOURCE_DBS, place_records

# The part the rule files need at parse time lives in the stdlib-only rule_inputs module.
from reviewflow.core.rule_inputs import (  # noqa: F401  (re-exported: windows is the search API)
    EXPORTS_INFO,
    NOT_EXPORTS,
    SEARCH_LOG,
    WINDOW_ID,
    Window,
    export_files,
    new_window,
    read_json,
    search_inputs,
    stored_windows,
    window_inputs,
)
from reviewflow.core.yamlfile import read_yaml
from reviewflow.search.entrez import (
    EntrezClient,
    check_union,
    fetch_slices,
    minimum_requests,
    plan_slices,
)
from reviewflow.search.importers import ImportedFile, import_file

EXPORT_INFO_KEYS = {"database", "platform", "date_run", "query", "limits", "notes"}
# Every stored window searches PubMed (its search log says so); the other databases a window
# lists are those the first version declares (`search.databases`) and those with an export.
SEARCHED_EVERY_WINDOW = DATABASE_NAMES["pubmed"]


# --------------------------------------------------------------------------------------------
# Fetching a window


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fetch_window(
    window: Window,
    windows_dir: str | Path,
    *,
    query: str,
    client: EntrezClient,
    progress: bool = True,
) -> dict:
    """Search PubMed for `window` and store it as `windows_dir/<window>/`, all or nothing.

    Returns the search log. On any failure nothing is left behind and stored windows are
    untouched; the target folder must not exist or be empty.
    """
    from tqdm import tqdm

    windows_dir = Path(windows_dir)
    target = windows_dir / window.id
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} already holds files: a stored window is never rewritten")
    windows_dir.mkdir(parents=True, exist_ok=True)
    remove_leftovers(windows_dir, window)
    started = datetime.now(UTC)
    partial = Path(tempfile.mkdtemp(prefix=f".{window.id}.partial-", dir=windows_dir))
    try:
        client.start_deadline()
        whole = client.esearch(query, window.start, window.until)
        slices = plan_slices(client, query, window.start, window.until, whole)
        with tqdm(
            total=whole.count, unit="record", desc=f"PubMed {window.id}", disable=not progress
        ) as bar:
            fetch_slices(client, slices, progress=bar.update)
        check_union(slices, whole.count)
        files = [_store(partial / "pubmed_esearch.xml", whole.raw, "esearch", whole.count)]
        for part in slices:
            if len(slices) > 1:
                name = f"pubmed_esearch_{part.name}.xml"
                files.append(_store(partial / name, part.search.raw, "esearch", part.search.count))
            batch = client.settings.batch_size
            for number, body in enumerate(part.batches, start=1):
                name = f"pubmed_efetch_{part.name}_{number:04d}.xml"
                size = min(batch, part.search.count - (number - 1) * batch)
                files.append(_store(partial / name, body, "efetch", size))
        log = search_log(window, query, client, whole, slices, files, started)
        _store(partial / SEARCH_LOG, (json.dumps(log, indent=2) + "\n").encode(), "log", None)
        if target.exists():
            target.rmdir()  # an empty folder (snakemake makes output folders before a job)
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return log


def remove_leftovers(windows_dir: Path, window: Window) -> list[Path]:
    """Temporary folders of an earlier fetch of `window` that was killed before it could clean
    up (`.<window>.partial-*`): removed before a new fetch starts. Only one fetch of a window
    runs at a time (snakemake locks the working directory)."""
    leftovers = sorted(p for p in windows_dir.glob(f".{window.id}.partial-*") if p.is_dir())
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)
    return leftovers


def _store(path: Path, data: bytes, role: str, records: int | None) -> dict:
    path.write_bytes(data)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # stored windows are read-only
    return {
        "file": path.name,
        "role": role,
        "records": records,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def software_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": platform.python_version(), "reviewflow": __version__}
    for package in ("biopython", "rispy"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def search_log(window, query, client, whole, slices, files, started) -> dict:
    settings = client.settings
    return {
        "window": window.id,
        "database": "PubMed",
        "platform": "PubMed via NCBI E-utilities (esearch + efetch, history server)",
        "eutils_url": settings.base_url,
        "date_run": started.isoformat(timespec="seconds"),
        "query": query,
        "query_translation": whole.translation,
        "limits": {
            "date_type": "crdt (PubMed create date)",
            "mindate": window.start.isoformat(),
            "maxdate": window.until.isoformat(),
            "other": "none (no language, publication type or species limits)",
        },
        "count": whole.count,
        "records_fetched": sum(len(part.pmids) for part in slices),
        "slices": [
            {
                "mindate": p.mindate.isoformat(),
                "maxdate": p.maxdate.isoformat(),
                "count": p.search.count,
            }
            for p in slices
        ],
        "requests": client.requests,
        "minimum_requests": minimum_requests(whole.count, settings.batch_size),
        "api_key_used": bool(settings.api_key),
        "files": files,
        "software": software_versions(),
    }


# --------------------------------------------------------------------------------------------
# Importing stored windows


@dataclass
class FileSummary:
    window: str
    file: str
    database: str
    format: str
    records: int
    declared: int | None
    sha256: str
    info: dict

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def read_exports_info(folder: Path) -> dict[str, dict]:
    path = folder / EXPORTS_INFO
    if not path.is_file():
        return {}
    data = read_yaml(path) or {}
    problems = []
    if not isinstance(data, dict):
        raise InputProblems(path, ["must map each export's file name to its description"])
    for name, info in data.items():
        if not isinstance(info, dict):
            problems.append(f"{name}: must be a mapping with keys {sorted(EXPORT_INFO_KEYS)}")
            continue
        unknown = set(info) - EXPORT_INFO_KEYS
        if unknown:
            problems.append(
                f"{name}: unknown keys {sorted(unknown)}; allowed: {sorted(EXPORT_INFO_KEYS)}"
            )
        if info.get("database") and info["database"] not in SOURCE_DBS:
            problems.append(
                f"{name}: database {info['database']!r} must be one of {', '.join(SOURCE_DBS)}"
            )
        if not (folder / str(name)).is_file():
            problems.append(f"{name}: described but no such file in {folder.name}/")
    if problems:
        raise InputProblems(path, problems)
    return {str(name): info for name, info in data.items()}


def export_database(
    path: Path, imported: ImportedFile, info: Mapping, patterns: Sequence[Mapping]
) -> str:
    """The database of an export: exports.yaml, then config's file-name patterns, then the
    content."""
    if info.get("database"):
        return str(info["database"])
    for rule in patterns:
        if fnmatch.fnmatch(path.name.lower(), str(rule["pattern"]).lower()):
            return str(rule["database"])
    return imported.database or "other"


def import_window(
    folder: str | Path,
    *,
    csv_columns: Mapping[str, Sequence[str]],
    export_patterns: Sequence[Mapping] = (),
) -> tuple[list[dict[str, str]], list[FileSummary]]:
    """All records of one stored window, and what each file gave. Every problem of every file
    is reported at once."""
    folder = Path(folder)
    window = folder.name
    log = read_json(folder / SEARCH_LOG)
    infos = read_exports_info(folder)
    problems: list[str] = []
    records: list[dict[str, str]] = []
    summaries: list[FileSummary] = []
    pubmed_total = 0
    for entry in log.get("files", []):
        path = folder / entry["file"]
        if entry.get("role") != "efetch":
            continue
        if not path.is_file():
            problems.append(f"{window}/{entry['file']}: listed in {SEARCH_LOG} but missing")
            continue
        if sha256_of(path) != entry["sha256"]:
            problems.append(f"{window}/{entry['file']}: changed since it was fetched (SHA-256)")
            continue
        try:
            imported = import_file(path, fmt="pubmed_xml")
        except InputProblems as error:
            problems.append(str(error))
            continue
        pubmed_total += len(imported.records)
        records += place_records(
            imported.records, window=window, source_db="pubmed", source_file=path.name
        )
        summaries.append(_summary(window, path, "pubmed", imported, {}))
    if not problems and pubmed_total != log.get("count"):
        problems.append(
            f"{window}: the PubMed replies hold {pubmed_total} records, the search counted "
            f"{log.get('count')}"
        )
    for path in export_files(folder, log):
        try:
            imported = import_file(path, csv_columns=csv_columns)
        except InputProblems as error:
            problems.append(str(error))
            continue
        info = infos.get(path.name, {})
        database = export_database(path, imported, info, export_patterns)
        records += place_records(
            imported.records, window=window, source_db=database, source_file=path.name
        )
        summaries.append(_summary(window, path, database, imported, info))
    if problems:
        raise InputProblems(folder, problems)
    return unique_ids(records), summaries


def _summary(window, path, database, imported, info) -> FileSummary:
    return FileSummary(
        window=window,
        file=path.name,
        database=database,
        format=imported.format,
        records=len(imported.records),
        declared=imported.declared,
        sha256=imported.sha256,
        info={k: str(v) for k, v in info.items()},
    )


def unique_ids(records: list[dict[str, str]]) -> list[dict[str, str]]:
    """A record id seen before in the window (two export files of one database holding the
    same record) gets `#2`, `#3`: every record stays, and dedup merges them."""
    seen: dict[str, int] = {}
    for record in records:
        rid = record["record_id"]
        if rid in seen:
            seen[rid] += 1
            record["source_id"] = f"{record['source_id']}#{seen[rid]}"
            record["record_id"] = f"{rid}#{seen[rid]}"
        else:
            seen[rid] = 1
    return records


# --------------------------------------------------------------------------------------------
# Counts and report


def declared_databases(first_version: Mapping) -> list[str]:
    """The databases the first version declares it searched (`search.databases`), in its order."""
    return [entry["name"] for entry in first_version["search"]["databases"]]


def first_version_window(first_version: Mapping) -> dict:
    """The v1 entry: the databases the first version declares, with their reported counts (null:
    not reported); a database it does not declare is not listed (it was not searched)."""
    search = first_version["search"]
    names = {entry["name"]: entry["records"] for entry in search["databases"]}
    return {
        "window": "v1",
        "reported": True,
        "from": None,
        "until": str(search["until"]),
        "databases": names,
    }


def search_counts(
    first_version: Mapping, logs: Mapping[str, Mapping], summaries: Sequence[FileSummary]
) -> dict:
    """search_counts.json: v1 (reported counts) first, then every stored window, oldest first;
    a database the first version declares with no file in a window is null (not searched), never
    0. PubMed was searched in every stored window (its search log says so): a search that found
    nothing is 0."""
    windows = [first_version_window(first_version)]
    listed = dict.fromkeys([SEARCHED_EVERY_WINDOW, *declared_databases(first_version)])
    for window_id in sorted(logs, key=lambda w: (w.split("_")[1], w)):
        window = Window.from_id(window_id)
        counts: dict[str, int | None] = dict.fromkeys(listed)
        if logs[window_id].get("database") == DATABASE_NAMES["pubmed"]:
            counts[DATABASE_NAMES["pubmed"]] = 0
        for summary in summaries:
            if summary.window == window_id:
                name = DATABASE_NAMES[summary.database]
                counts[name] = (counts.get(name) or 0) + summary.records
        windows.append(
            {
                "window": window_id,
                "reported": False,
                "from": window.start.isoformat(),
                "until": window.until.isoformat(),
                "databases": counts,
            }
        )
    return {"windows": windows}


def search_report(
    first_version: Mapping,
    logs: Mapping[str, Mapping],
    summaries: Sequence[FileSummary],
    counts: Mapping,
) -> str:
    """A PRISMA-S style account of every search, per window and database (Markdown)."""
    fv = first_version["search"]
    lines = [
        "# Search report (PRISMA-S)",
        "",
        "Every database search of the review, per window: where and when it ran, the full "
        "query as run, limits, records found, and the files it left (with SHA-256).",
        "",
        "## Records per window and database",
        "",
        "| window | reported | from | until | " + " | ".join(_db_columns(counts)) + " |",
        "|---|---|---|---|" + "---|" * len(_db_columns(counts)),
    ]
    for window in counts["windows"]:
        cells = [_n(window["databases"].get(name)) for name in _db_columns(counts)]
        lines.append(
            f"| {window['window']} | {'yes' if window['reported'] else 'no'} | "
            f"{window['from'] or ''} | {window['until']} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "`null`/blank: the database was not searched in that window (or the count was not "
        "reported), never zero.",
        "",
        "## v1: the first version of the review (reported counts)",
        "",
        f"Source: {first_version.get('source', 'config/first_version.yaml')}. Searched up to "
        f"{fv['until']}; terms: {', '.join(fv.get('terms', []))}. Its records were not "
        "published: these counts are transcribed from the article, not derived.",
        "",
    ]
    for window_id in sorted(logs, key=lambda w: (w.split("_")[1], w)):
        log = logs[window_id]
        lines += [f"## Window {window_id}", "", "### PubMed", ""]
        lines += [
            f"- Platform: {log.get('platform')} ({log.get('eutils_url')})",
            f"- Date run: {log.get('date_run')}",
            f"- Query as run: `{log.get('query')}`",
            f"- PubMed's translation: `{log.get('query_translation')}`",
            f"- Limits: {log['limits']['date_type']} from {log['limits']['mindate']} to "
            f"{log['limits']['maxdate']}; {log['limits']['other']}",
            f"- Records found: {log.get('count')} (fetched {log.get('records_fetched')}, in "
            f"{len(log.get('slices', []))} date slice(s); {log.get('requests')} HTTP requests, "
            f"minimum {log.get('minimum_requests')})",
            "- Software: " + ", ".join(f"{k} {v}" for k, v in log.get("software", {}).items()),
            "- Files:",
        ]
        lines += [
            f"  - `{entry['file']}` ({entry['role']}, {_n(entry.get('records'))} records) "
            f"SHA-256 `{entry['sha256']}`"
            for entry in log.get("files", [])
        ]
        exports = [s for s in summaries if s.window == window_id and s.file not in _log_files(log)]
        for summary in exports:
            info = summary.info
            undocumented = f"not documented (describe it in {window_id}/{EXPORTS_INFO})"
            lines += [
                "",
                f"### {DATABASE_NAMES[summary.database]}: `{summary.file}`",
                "",
                f"- Platform: {info.get('platform', undocumented)}",
                f"- Date run: {info.get('date_run', undocumented)}",
                f"- Query as run: {_code(info.get('query')) or undocumented}",
                f"- Limits: {info.get('limits', undocumented)}",
                f"- Records found: {summary.records} ({summary.format} export"
                + (f", declares {summary.declared}" if summary.declared is not None else "")
                + ")",
                f"- SHA-256: `{summary.sha256}`",
            ]
            if info.get("notes"):
                lines.append(f"- Notes: {info['notes']}")
        lines.append("")
    if not logs:
        lines += [
            "No search window is stored yet. Add one with "
            "`snakemake --cores 4 --config search_until=YYYY-MM-DD` (needs network access).",
            "",
        ]
    return "\n".join(lines)


def _log_files(log: Mapping) -> set[str]:
    return {entry["file"] for entry in log.get("files", [])}


def _db_columns(counts: Mapping) -> list[str]:
    names: dict[str, None] = {}
    for window in counts["windows"]:
        names.update(dict.fromkeys(window["databases"]))
    return list(names)


def _n(value) -> str:
    return "" if value is None else str(value)


def _code(text) -> str:
    return f"`{text}`" if text else ""


def build_records(
    windows_dir: str | Path,
    windows: Sequence[str],
    *,
    csv_columns: Mapping[str, Sequence[str]],
    export_patterns: Sequence[Mapping] = (),
) -> tuple[list[dict[str, str]], list[FileSummary], dict[str, dict]]:
    """Records of every window (oldest first), what each file gave, and each search log.
    The problems of all windows are reported together."""
    records, summaries, logs, problems = [], [], {}, []
    for window_id in windows:
        folder = Path(windows_dir) / window_id
        try:
            window_records, window_summaries = import_window(
                folder, csv_columns=csv_columns, export_patterns=export_patterns
            )
        except InputProblems as error:
            problems.append(str(error))
            continue
        records += window_records
        summaries += window_summaries
        logs[window_id] = read_json(folder / SEARCH_LOG)
    if problems:
        raise InputProblems(windows_dir, problems)
    return records, summaries, logs


def describe_exports(
    files: Sequence[str | Path], config_path: str | Path | None
) -> tuple[str, bool]:
    """What the import would make of each export (for `reviewflow check-export`); without a
    config, CSV exports cannot be read (their column names are in config search.csv_columns)."""
    search = read_yaml(config_path)["search"] if config_path else {}
    lines, ok = [], True
    for name in files:
        path = Path(name)
        try:
            if not path.is_file():
                raise InputProblems(path, [f"{path}: no such file"])
            imported = import_file(path, csv_columns=search.get("csv_columns"))
        except InputProblems as error:
            lines.append(str(InputProblems(error.source, error.problems, consequence="")))
            ok = False
            continue
        except ValueError as error:  # a CSV export without the alias table
            lines.append(f"{path}: {error}: give the review's config with --config")
            ok = False
            continue
        except OSError as error:
            lines.append(f"{path}: cannot be read: {error}")
            ok = False
            continue
        database = export_database(path, imported, {}, search.get("exports", []))
        declared = "" if imported.declared is None else f", the file declares {imported.declared}"
        lines.append(
            f"{path}: {imported.format} ({imported.encoding}), {DATABASE_NAMES[database]}, "
            f"{len(imported.records)} records{declared}; SHA-256 {imported.sha256}"
        )
    return "\n".join(lines), ok
