"""Checks that the Snakefile runs while snakemake reads it, and the state of the last build.

Parse-time code may import only the standard library, PyYAML and snakemake's own dependencies
(jsonschema, referencing): `snakemake -n` must work in an environment that holds snakemake
alone, without the reviewflow package. So this module keeps a small copy of the strict YAML
reading of `reviewflow.core.yamlfile` (duplicate keys refused, syntax errors located); the library's
reader stays the one used by the rules.

- `config_problems`: the config files read strictly, then checked against the JSON schema, every
  problem at once, each located `file:line: key: what is wrong` (no schema dump);
  `fill_defaults` then fills in every default the schema files declare.
- `window_problems`: every stored search window's files against its `search_log.json` (present,
  same size and SHA-256), on every build.
- `write_run_state` / `report_problems` / `mark_stale_pages` / `clear_stale_pages`: the state
  of the last build (`results/run_state.json`), so that a failed or out-of-date build is never
  reported as good, and a page that a later build made or found current loses its banner.
- `input_problem_files` / `console_summary`: the located problems the rules found, printed once
  more at the very end of a failed build.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import os
import sys
from pathlib import Path

import yaml

PROBLEMS_SUFFIX = ".problems.txt"  # written by reviewflow.core.rulelog beside a rule's log
STALE_MARK = "<!-- reviewflow:stale -->"


class BuildStop(SystemExit):
    """Stops snakemake while it reads the workflow, with a short located list (no traceback)."""

    def __init__(self, title: str, problems: list[str]):
        n = len(problems)
        lines = [f"{title}: {n} problem{'s' if n != 1 else ''}:", *(f"  {p}" for p in problems)]
        super().__init__("\n".join(lines))


# ------------------------------------------------------------------------------------------
# Strict YAML: the library's one reader (reviewflow.core.yamlfile needs only PyYAML, as parse
# time may)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from reviewflow.core.archives import unzipped_size_problem  # noqa: E402
from reviewflow.core.errors import InputProblems  # noqa: E402
from reviewflow.core.lifeline import other_snakemake_in  # noqa: E402
from reviewflow.core.rule_inputs import SEARCH_LOG, WINDOW_ID, Window  # noqa: E402
from reviewflow.core.run_state import (  # noqa: E402, F401  (re-exported for the rule files)
    read_run_state,
    report_problems,
    sha256_file,
    source_hashes,
    write_run_state,
)
from reviewflow.core.version_index import (  # noqa: E402, F401  (re-exported)
    partial_publications,
    version_problems,
)
from reviewflow.core.yamlfile import read_yaml  # noqa: E402


def read_yaml_strict(path: str | os.PathLike) -> tuple[object, list[str]]:
    """(data, problems) of a YAML file: duplicate keys and syntax errors located."""
    try:
        return read_yaml(path), []
    except InputProblems as error:
        return None, error.problems


# ------------------------------------------------------------------------------------------
# Config: strict reading and a short, located schema check


def _node_line(node, keys: list) -> int | None:
    """Line (1-based) of the mapping key at `keys` in a composed YAML node, or of its parent."""
    line = None
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            found = next((kv for kv in node.value if kv[0].value == str(key)), None)
            if found is None:
                return line
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _locate(config_files: list[str], keys: list, overrides: dict | None = None) -> str:
    """Where `keys` is set: `--config` on the command line, else `file:line` of the last config
    file that sets it (or its nearest parent)."""
    node = overrides or {}
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            break
        node = node[key]
    else:
        if keys:
            return f"--config {keys[0]}=..."
    best = None
    for path in config_files:
        try:
            root = yaml.compose(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        line = _node_line(root, keys) if root is not None else None
        if line is not None:
            best = f"{path}:{line}"
    return best or (config_files[-1] if config_files else "config")


def short_path(path: str | os.PathLike) -> str:
    """`path` relative to the working directory when it lies inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _dotted(keys) -> str:
    return ".".join(str(k) for k in keys) or "(top level)"


@functools.lru_cache(maxsize=4)
def _schema_validator(schema_path: Path):
    """A JSON-schema validator of `schema_path`, its `$ref`s read beside it."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schema = dict(_load_schema(schema_path))
    schema["$id"] = schema_path.resolve().as_uri()

    def retrieve(uri: str):
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        return Resource.from_contents(_load_schema(Path(url2pathname(urlparse(uri).path))))

    registry = Registry(retrieve=retrieve).with_resource(
        uri=schema["$id"], resource=Resource.from_contents(schema)
    )
    return Draft202012Validator(schema, registry=registry)


@functools.lru_cache(maxsize=32)
def _load_schema(path: Path) -> dict:
    """The schema file at `path` (YAML), read once per build."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when built
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506


def fill_defaults(config: dict, schema_path: str | Path) -> None:
    """Fill in `config`, in place, every default its JSON schema declares for an absent key,
    the sections' schema files (`$ref`) included: a config that `config_problems` found no
    problem in. (Snakemake's `validate` filled in none of the sections' defaults: jsonschema
    checks a file that declares its own `$schema` with its plain validator.)"""
    path = Path(schema_path)
    _fill(config, _load_schema(path), path)


def _fill(instance, schema: dict, path: Path, document: dict | None = None) -> None:
    """The defaults of `schema` (part of `document`, read from `path`) into `instance`."""
    document = document if document is not None else schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target, _, pointer = ref.partition("#")
        if target:
            path = path.parent / target
            document = _load_schema(path)
        part = document
        for key in (k for k in pointer.split("/") if k):
            part = part.get(key, {}) if isinstance(part, dict) else {}
        _fill(instance, part, path, document)
    for name, subschema in (schema.get("properties") or {}).items():
        if isinstance(subschema, dict) and "default" in subschema:
            instance.setdefault(name, copy.deepcopy(subschema["default"]))
        if name in instance:
            _fill(instance[name], subschema, path, document)


def _schema_message(error, config_files: list[str], overrides: dict) -> list[str]:
    keys = list(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        unknown = [k for k in error.instance if k not in allowed]
        messages = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            where = _locate(config_files, [*keys, key], overrides)
            messages.append(
                f"{where}: {_dotted([*keys, key])}: unknown key{hint}; "
                f"allowed here: {', '.join(allowed)}"
            )
        return messages
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = _locate(config_files, keys, overrides)
        return [f"{where}: {_dotted([*keys, missing])}: missing (required)"]
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return [f"{_locate(config_files, keys, overrides)}: {_dotted(keys)}: {message}"]


def yaml_problems(paths: list[str]) -> list[str]:
    """Duplicate keys and syntax errors of each YAML file, located."""
    problems: list[str] = []
    for path in paths:
        data, found = read_yaml_strict(path)
        problems += found or empty_config_problems(path, data)
    return problems


def empty_config_problems(path: str, data) -> list[str]:
    """A config file that holds nothing (or only comments): said so, located."""
    if data is not None:
        return []
    return [
        f"{path}: the file is empty: it defines the review (review, search, screening, "
        f"extraction, ... see config/README.md): restore it (git checkout -- {path})"
    ]


def config_problems(
    config: dict,
    config_files: list[str],
    schema_path: str | Path,
    overrides: dict | None = None,
) -> list[str]:
    """Every problem of the config: each file read strictly (duplicate keys, syntax), then the
    merged config (with the `--config` `overrides`) against the schema, each problem located.
    `config_files` in the order they apply (the last one wins)."""
    return yaml_problems(config_files) or schema_problems(
        config, config_files, schema_path, overrides
    )


def schema_problems(
    config: dict,
    config_files: list[str],
    schema_path: str | Path,
    overrides: dict | None = None,
) -> list[str]:
    """Every problem of the merged `config` (read from `config_files`, with the `--config`
    `overrides`) against the JSON schema at `schema_path`, each located."""
    validator = _schema_validator(Path(schema_path))
    errors = sorted(validator.iter_errors(copy.deepcopy(config)), key=lambda e: list(e.path))
    problems: list[str] = []
    for error in errors:
        problems += _schema_message(error, config_files, overrides or {})
    return problems


# ------------------------------------------------------------------------------------------
# Stored search windows: verified on every build


PUBMED_XML_MARKS = (b"<PubmedArticleSet", b"<!DOCTYPE PubmedArticleSet")


def window_problems(windows_dir: str | Path) -> list[str]:
    """Every folder of `windows_dir` must be a stored window as its fetch left it: named
    `<from>_<until>` (from <= until) as its `search_log.json` says (a renamed folder would
    re-key its records and move the next window's start), the files the log lists there and
    unchanged (size when recorded, SHA-256), and no other copy of PubMed's replies (they would
    count twice). A window is never edited: restore it from git. Folders of a fetch in progress
    (`.<window>.partial-*`) are the fetch's own."""
    root = Path(windows_dir)
    if not root.is_dir():
        return []
    problems = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        problems += _one_window_problems(folder)
    return problems


def _not_a_window(folder: Path) -> str:
    match = WINDOW_ID.match(folder.name)
    if match and Window.from_id(f"{match.group(2)}_{match.group(1)}") is not None:
        what = f"its dates are reversed (from {match.group(1)} is after until {match.group(2)})"
    else:
        what = "its name is not <from>_<until> (PubMed create dates, YYYY-MM-DD, from <= until)"
    return (
        f"{folder}/: not a search window: {what}; windows are made by a fetch (snakemake "
        "--cores 4 --config search_until=YYYY-MM-DD), never by hand or renamed: restore it "
        f"(git checkout -- {folder.parent}) or move it out of {folder.parent}/"
    )


def _one_window_problems(folder: Path) -> list[str]:
    window = Window.from_id(folder.name)
    if window is None:
        return [_not_a_window(folder)]
    log_path = folder / SEARCH_LOG
    if not log_path.is_file():
        return []  # empty (removed) or without a log (rule_inputs.stored_windows says so)
    try:
        log = json.loads(log_path.read_text(encoding="utf-8"))
        entries = list(log.get("files", []))
        limits = log.get("limits") or {}
    except (OSError, ValueError, AttributeError, TypeError) as error:
        return [f"{log_path}: not readable JSON ({error}): restore it from git"]
    searched = (log.get("window"), limits.get("mindate"), limits.get("maxdate"))
    if searched != (window.id, window.start.isoformat(), window.until.isoformat()):
        return [
            f"{folder}/: its {SEARCH_LOG} is the search of window {searched[0]} (PubMed create "
            f"dates {searched[1]} to {searched[2]}), not of {folder.name}: a stored window is "
            "never renamed (its record ids and the next window's start come from its name); "
            f"restore it (git checkout -- {folder.parent}) and fetch later days as a new window"
        ]
    problems = []
    listed: dict[str, str] = {}
    for entry in entries:
        path = folder / str(entry.get("file", ""))
        listed[path.name] = str(entry.get("sha256") or "")
        if not path.is_file():
            problems.append(
                f"{path}: listed in {log_path.name} but missing: a stored window is never "
                f"edited; restore it (git checkout -- {folder})"
            )
            continue
        size = entry.get("bytes")
        if (size is not None and path.stat().st_size != size) or (
            entry.get("sha256") and sha256_file(path) != entry["sha256"]
        ):
            problems.append(
                f"{path}: changed since it was fetched (SHA-256 differs from "
                f"{log_path.name}): a stored window is never edited; restore it "
                f"(git checkout -- {path})"
            )
    problems += _unlisted_pubmed_problems(folder, listed)
    return problems


def _unlisted_pubmed_problems(folder: Path, listed: dict[str, str]) -> list[str]:
    """Files the search log does not list that are PubMed's replies again (a copy of a listed
    file, or PubMed XML): PubMed's records of a window are its fetch's, counted once."""
    problems = []
    by_hash = {digest: name for name, digest in listed.items() if digest}
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name not in listed):
        if path.name == SEARCH_LOG:
            continue
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
            copy_of = by_hash.get(sha256_file(path))
        except OSError as error:
            problems.append(f"{path}: cannot be read ({error.strerror})")
            continue
        if copy_of:
            what = f"a copy of {copy_of} (same SHA-256)"
        elif any(mark in head for mark in PUBMED_XML_MARKS):
            what = "PubMed XML"
        else:
            continue
        problems.append(
            f"{path}: {what} that {SEARCH_LOG} does not list: a window's PubMed records are the "
            "replies its fetch stored, counted once (a second copy would count them twice); "
            "remove this file"
        )
    return problems


def remove_stale_locks(workdir: str | Path = ".") -> list[str]:
    """Snakemake's locks (`.snakemake/locks/`) left by a snakemake that was killed (SIGKILL,
    power loss): removed when no snakemake process (nor a rule script it started) works in this
    folder on this machine, so that the next run goes on without `--unlock`. Returns a note."""
    lockdir = Path(workdir) / ".snakemake" / "locks"
    locks = sorted(lockdir.glob("*.lock")) if lockdir.is_dir() else []
    if not locks or not Path("/proc").is_dir():
        return []
    running = other_snakemake_in(workdir)
    if running:
        return []
    for lock in locks:
        lock.unlink(missing_ok=True)
    return [
        f"{lockdir}/: the lock of an earlier snakemake that was stopped without cleaning up "
        "(killed, or a power loss); no snakemake works in this folder on this machine, so the "
        "lock was removed and this run goes on"
    ]


def atomic_report(create_report):
    """`workflow.create_report` writing the report (`snakemake --report results/report.html`)
    under a temporary name beside it, renamed into place only once it is complete: a disk
    filling up leaves the previous report (or none), never a truncated one, and says so in one
    line."""

    def create(report_plugin, report_settings, global_report_settings):
        import shutil
        import tempfile

        final = Path(report_settings.path)
        partial = None
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            partial = Path(tempfile.mkdtemp(prefix=f".{final.name}.partial-", dir=final.parent))
            report_settings.path = partial / final.name
            create_report(report_plugin, report_settings, global_report_settings)
            os.replace(partial / final.name, final)
        except OSError as error:
            raise BuildStop(
                "No report made",
                [
                    f"{final}: not written ({error.strerror or error}): {final} is as it was "
                    "before (never a truncated report); free space (or give another place) and "
                    "run snakemake --report again"
                ],
            ) from None
        finally:
            report_settings.path = final
            if partial is not None:
                shutil.rmtree(partial, ignore_errors=True)

    return create


def partial_publication_notes(versions_dir: str | Path) -> list[str]:
    """A line for each folder of a publication that was killed (nothing of it was published)."""
    return [
        f"{folder}: left by a publication that was killed; nothing of it was published "
        "(reviewflow publish-version removes it, or remove it by hand)"
        for folder in partial_publications(versions_dir)
    ]


def missing_inputs(rules) -> list[str]:
    """Declared input files that no rule makes and that are not there (a deleted codebook,
    vocabulary, ...). Snakemake itself says "Nothing to be done" when the outputs exist."""
    rules = list(rules)
    literal: dict[str, set[str]] = {}  # a product (output, log, benchmark) -> its rules
    for rule in rules:
        for item in rule.products():
            literal.setdefault(str(item), set()).add(rule.name)
    patterned = [rule for rule in rules if any("{" in str(item) for item in rule.products())]

    def made_by(path: str, rule=None) -> bool:
        """A rule other than `rule` makes `path` (names it, or matches it with wildcards)."""
        if literal.get(path, set()) - {getattr(rule, "name", None)}:
            return True
        return any(other is not rule and other.is_producer(path) for other in patterned)

    def replaceable(rule) -> bool:
        """Another rule can make an output of `rule` too: its inputs may be absent, snakemake
        then uses the other rule."""
        return any(made_by(str(item), rule) for item in rule.output if "{" not in str(item))

    needed: dict[str, list[str]] = {}
    for rule in rules:
        if replaceable(rule):
            continue
        for item in rule.input:
            if isinstance(item, str) and "{" not in item:
                needed.setdefault(str(item), []).append(rule.name)
    problems = []
    for path, users in sorted(needed.items()):
        if os.path.exists(path) or made_by(path):
            continue
        problems.append(
            f"{path}: missing (read by {', '.join(sorted(set(users)))}): restore it "
            f"(git checkout -- {path}) or correct its path in config/config.yaml"
        )
    return problems


def remove_empty_window_folders(windows_dir: str | Path) -> list[Path]:
    """Empty `<from>_<until>/` folders (left by a fetch that was killed) are removed."""
    removed = []
    for folder in Path(windows_dir).glob("????-??-??_????-??-??"):
        if folder.is_dir() and not any(folder.iterdir()):
            try:
                folder.rmdir()
                removed.append(folder)
            except OSError:
                pass
    return removed


# ------------------------------------------------------------------------------------------
# The extraction workbook saved again without a change


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats (ECMA-376 18.8.30) that programs also write out as custom ones.
_BUILTIN_FORMATS = {"0": "General", "1": "0", "2": "0.00", "9": "0%", "10": "0.00%", "49": "@"}


def _xml(archive, name: str):
    from xml.etree import ElementTree

    try:
        data = archive.read(name)
    except KeyError:
        return None
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:  # never in a workbook: no entity tricks
        raise ValueError(f"{name}: a DOCTYPE or an entity declaration")
    return ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entities to expand


def _text(element) -> str:
    """The text of a shared or inline string (rich text runs joined)."""
    return "".join(node.text or "" for node in element.iter(f"{_MAIN}t"))


def workbook_content(path: str | Path) -> list:
    """What the extraction reader sees of a workbook, whichever program saved it: each sheet in
    order with its name and state, every cell's address, type, value, formula and number format,
    hidden rows and columns, merged ranges. Not the program's own bookkeeping (styles order,
    zip time stamps, time of saving, calculation chain)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        book = _xml(archive, "xl/workbook.xml")
        rels = _xml(archive, "xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
        strings_xml = _xml(archive, "xl/sharedStrings.xml")
        strings = (
            [_text(si) for si in strings_xml.iter(f"{_MAIN}si")] if strings_xml is not None else []
        )
        styles = _xml(archive, "xl/styles.xml")
        formats, cell_formats = {}, []
        if styles is not None:
            for fmt in styles.iter(f"{_MAIN}numFmt"):
                formats[fmt.get("numFmtId")] = fmt.get("formatCode")
            xfs = styles.find(f"{_MAIN}cellXfs")
            for xf in xfs if xfs is not None else []:
                fmt_id = xf.get("numFmtId", "0")
                code = formats.get(fmt_id) or _BUILTIN_FORMATS.get(fmt_id, f"builtin:{fmt_id}")
                cell_formats.append("General" if code.lower() == "general" else code)
        content = []
        for sheet in book.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "")
            name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            root = _xml(archive, name)
            cells, hidden_rows, hidden_cols, merged = [], [], [], []
            if root is not None:
                for row in root.iter(f"{_MAIN}row"):
                    if row.get("hidden") in ("1", "true"):
                        hidden_rows.append(row.get("r"))
                for col in root.iter(f"{_MAIN}col"):
                    if col.get("hidden") in ("1", "true"):
                        hidden_cols.append((col.get("min"), col.get("max")))
                for merge in root.iter(f"{_MAIN}mergeCell"):
                    merged.append(merge.get("ref"))
                for cell in root.iter(f"{_MAIN}c"):
                    kind = cell.get("t", "n")
                    value = cell.findtext(f"{_MAIN}v")
                    if kind == "s" and value is not None:
                        value = strings[int(value)]
                    elif kind == "inlineStr":
                        node = cell.find(f"{_MAIN}is")
                        kind, value = "s", _text(node) if node is not None else ""
                    formula = cell.find(f"{_MAIN}f")
                    style = int(cell.get("s", "0"))
                    fmt = cell_formats[style] if style < len(cell_formats) else "General"
                    if value in (None, "") and formula is None:
                        continue  # an empty cell, styled or holding "" (openpyxl reads None)
                    shown = None if formula is None else (formula.text or "", dict(formula.attrib))
                    cells.append((cell.get("r"), kind, value, shown, fmt))
            content.append(
                {
                    "sheet": sheet.get("name"),
                    "state": sheet.get("state", "visible"),
                    "cells": cells,
                    "hidden_rows": hidden_rows,
                    "hidden_cols": hidden_cols,
                    "merged": sorted(merged),
                }
            )
    return content


def sheet_digest(path: str | Path, sheet: str, files: list[str | Path]) -> str:
    """SHA-256 of one sheet's `workbook_content` and of the bytes of `files` (the codebook and
    vocabulary that read it); "" when one cannot be read."""
    try:
        content = _workbook_content_cached(str(path), *_stamp(path))
        digest = hashlib.sha256(
            json.dumps([s for s in content if s["sheet"] == sheet], sort_keys=True).encode()
        )
        for file in files:
            digest.update(Path(file).read_bytes())
    except Exception:  # noqa: BLE001 - anything unreadable: not the same, read it again
        return ""
    return digest.hexdigest()


def rows_digest(path: str | Path, sheet: str, column: str) -> str:
    """SHA-256 of which rows of one sheet hold a value (not only blanks) and of what its column
    headed `column` holds in each: the rows and the study ids of the patients, what the PRISMA
    diagram counts, unchanged when a patient's other cells are edited. "" when the workbook or
    the column cannot be read."""
    try:
        content = _workbook_content_cached(str(path), *_stamp(path))
        cells = next(s["cells"] for s in content if s["sheet"] == sheet)
    except Exception:  # noqa: BLE001 - anything unreadable: not the same, read it again
        return ""
    rows, values, letter = set(), {}, None
    for ref, _kind, value, formula, _fmt in cells:
        col, row = ref.rstrip("0123456789"), int(ref[len(ref.rstrip("0123456789")) :])
        if formula is not None or str(value).strip():
            rows.add(row)
        if row == 1 and str(value).strip() == column:
            letter = col
        values[(col, row)] = (value, formula)
    if letter is None:
        return ""
    column_values = [[row, values.get((letter, row))] for row in sorted(rows) if row > 1]
    return hashlib.sha256(json.dumps([sorted(rows), column_values]).encode()).hexdigest()


def studies_unchanged(digest_file: str | Path, digest: str, studies: str | Path) -> bool:
    """Whether the studies table exists and was written from the studies sheet, codebook and
    vocabulary that give `digest` (line 2 of the digest file): reading them again gives the
    same table."""
    return bool(digest) and Path(studies).exists() and recorded_digest(digest_file, 1) == digest


def _stamp(path: str | Path) -> tuple[int, int]:
    info = Path(path).stat()
    return info.st_mtime_ns, info.st_size


@functools.lru_cache(maxsize=4)
def _workbook_content_cached(path: str, mtime_ns: int, size: int) -> list:
    """`workbook_content`, read once per version of the file while snakemake reads the rules."""
    return workbook_content(path)


def workbook_digest(path: str | Path) -> str:
    """SHA-256 of `workbook_content`; "" when the file cannot be read as a workbook or would
    inflate beyond what is read (the rule that reads it says why)."""
    if unzipped_size_problem(path):
        return ""
    try:
        content = _workbook_content_cached(str(path), *_stamp(path))
    except Exception:  # noqa: BLE001 - any unreadable workbook: not the same, read it again
        return ""
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def recorded_digest(digest_file: str | Path, line: int = 0) -> str:
    """The workbook digest the last extraction wrote (line 1: its studies sheet's), or ""."""
    try:
        lines = Path(digest_file).read_text(encoding="utf-8").splitlines() or [""]
    except OSError:
        return ""
    return lines[line].strip() if line < len(lines) else ""


def extraction_mode_problems(config: dict, config_files: list[str]) -> list[str]:
    """Single and double extraction cannot both be active: with `extraction.extractors` listed
    the single workbook must not exist (two rules would make the raw tables)."""
    extraction = config.get("extraction") or {}
    extractors = list(extraction.get("extractors") or [])
    workbook = extraction.get("workbook", "extraction/cases.xlsx")
    if not extractors or not os.path.exists(workbook):
        return []
    where = _locate(config_files, ["extraction", "extractors"])
    return [
        f"{where}: extraction.extractors lists {', '.join(map(str, extractors))} (double "
        f"extraction, from their copies of the workbook) while {workbook} (extraction.workbook, "
        "single extraction) still exists: the two ways of extracting cannot both be active: "
        f"move {workbook} out of the way (e.g. rename it to keep it) for double extraction, or "
        "empty extraction.extractors for single extraction"
    ]


# ------------------------------------------------------------------------------------------
# The state of the last build


def out_of_date(
    path: str, producers: dict[str, list[str]], generated: str, seen: dict | None = None
) -> bool:
    """Whether a file is older than an input of the rule that makes it, or made from a file that
    is out of date itself (through the whole chain of rules), or is a missing result (under
    `generated`: deleted by snakemake after its rule failed). A missing file elsewhere (a search
    window whose fetch failed) leaves the results made without it as they were."""
    seen = {} if seen is None else seen
    if path in seen:
        return seen[path]
    seen[path] = False  # no cycles in a workflow; this guards the recursion anyway
    target = Path(path)
    if not target.exists():
        seen[path] = Path(path).is_relative_to(generated)
        return seen[path]
    mtime = target.stat().st_mtime
    result = any(
        out_of_date(source, producers, generated, seen)
        or (Path(source).exists() and Path(source).stat().st_mtime > mtime)
        for source in producers.get(path, [])
    )
    seen[path] = result
    return result


def mark_stale_pages(
    pages: list[str], producers: dict[str, list[str]], state: dict, generated: str = "results"
) -> list[str]:
    """After a failed build, mark each HTML page that is out of date (see `out_of_date`: it
    shows an earlier build's results): a banner at its top, its time stamp kept so that the next
    build still remakes it. `producers`: each output -> the inputs of the rule that makes it.
    Returns the pages marked."""
    marked = []
    banner = (
        f"{STALE_MARK}<div style='background:#fdd;border:2px solid #a00;padding:8px;"
        f"margin:8px 0;font-weight:bold'>Out of date: the build of {state.get('finished_utc')} "
        "failed before remaking this page. It shows an earlier build's results; do not "
        "circulate it.</div>"
    )
    seen: dict = {}
    for page in pages:
        page_path = Path(page)
        if not page_path.is_file() or not out_of_date(page, producers, generated, seen):
            continue
        text = page_path.read_text(encoding="utf-8")
        if STALE_MARK in text:
            continue
        mtime = page_path.stat().st_mtime
        at = text.find("<body")
        at = text.find(">", at) + 1 if at >= 0 else 0
        page_path.write_text(text[:at] + banner + text[at:], encoding="utf-8")
        os.utime(page_path, (mtime, mtime))
        marked.append(page)
    return marked


def clear_stale_pages(pages: list[str]) -> list[str]:
    """After a successful build, remove the banner `mark_stale_pages` put on each of `pages`
    (the HTML pages of the build's DAG: snakemake has just remade them or found them current,
    e.g. made from a workbook saved again without a change), its time stamp kept. Returns the
    pages cleared."""
    cleared = []
    for page in pages:
        page_path = Path(page)
        if not page_path.is_file():
            continue
        text = page_path.read_text(encoding="utf-8")
        start = text.find(STALE_MARK)
        if start < 0:
            continue
        end = text.find("</div>", start)
        end = end + len("</div>") if end >= 0 else start + len(STALE_MARK)
        mtime = page_path.stat().st_mtime
        page_path.write_text(text[:start] + text[end:], encoding="utf-8")
        os.utime(page_path, (mtime, mtime))
        cleared.append(page)
    return cleared


# ------------------------------------------------------------------------------------------
# The console at the end of a failed build


def input_problem_files(logs_dir: str | Path, since: float) -> list[Path]:
    """Problem lists (`<rule log>.problems.txt`) that rules of this build wrote."""
    return sorted(
        path
        for path in Path(logs_dir).rglob(f"*{PROBLEMS_SUFFIX}")
        if path.stat().st_mtime >= since - 1
    )


def console_summary(files: list[Path]) -> str:
    """The located problems of the failed rules, for the end of the console."""
    if not files:
        return ""
    parts = ["", "=" * 78, "The build stopped on problems in the review's files:"]
    for path in files:
        parts.append(path.read_text(encoding="utf-8").rstrip())
    parts.append("=" * 78)
    return "\n".join(parts)


def print_summary(text: str) -> None:
    if text:
        print(text, file=sys.stderr)
