"""Outputs made once per content (issue 21: a one-cell rebuild redid work whose inputs had not
changed).

An output made by this library is a function of what it is made from, of the library's code and
of the versions of the libraries that make it. Its key is a SHA-256 of all of these
(`content_key`). After making it, a copy of its files and its key are kept in a cache folder
(results/cache/<kind>/, beside no output: Snakemake removes a job's outputs before it runs); when
a later build asks for it with the same key, the copies become its files, byte for byte
(`made_once`). Any other content, a line of the library changed, another version of a library:
another key, made again. A copy is trusted only with its key, which is written last.

A check alike (`checked_once`): a file that was found to fit its schema is not checked again
while the file, the schema, the code and jsonschema are the same.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import shutil
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from reviewflow.core.io import atomic_path, write_text

LIBRARY = Path(__file__).resolve().parents[1]  # scripts/reviewflow
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 of every source file of the library."""
    digest = hashlib.sha256()
    for path in sorted(LIBRARY.rglob("*.py")):
        digest.update(f"{path.relative_to(LIBRARY).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def library_versions(names: tuple[str, ...]) -> str:
    """`name version` of each installed package of `names` ("absent" when it is not), one per
    line; looked up once per process (8 ms a time: every analysis's key asks)."""
    lines = []
    for name in names:
        try:
            lines.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            lines.append(f"{name} absent")
    return "\n".join(lines)


def content_key(*parts: str) -> str:
    """The key of an output made from `parts` by this library's code (each part
    length-prefixed)."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def frame_text(frame: pd.DataFrame) -> str:
    """Every value of `frame` with its type (repr: 1, '1', True, nan and <NA> all differ), its
    columns, their types and its index."""
    lines = [repr(list(frame.columns)), repr([str(t) for t in frame.dtypes])]
    lines.append(repr(list(frame.index)))
    lines.extend(repr(row) for row in frame.itertuples(index=False, name=None))
    return "\n".join(lines)


def holds_key(keyfile: Path, key: str) -> bool:
    """Whether `keyfile` exists and holds `key`."""
    return keyfile.is_file() and keyfile.read_text(encoding="utf-8") == key


def made_once(
    name: str, key: str, paths: Sequence[Path], cache: Path, make: Callable[[], object]
) -> bool:
    """`paths` (distinct file names): the copies kept in `cache` when they were made from `key`,
    else made by `make` (then kept in `cache`, with their key in `<cache>/<name>.key`). Returns
    whether they were made."""
    keyfile, copies = cache / f"{name}.key", [cache / path.name for path in paths]
    if holds_key(keyfile, key):
        if all(copy.is_file() for copy in copies):
            for copy, path in zip(copies, paths, strict=True):
                with atomic_path(path) as tmp:
                    shutil.copyfile(copy, tmp)
            log.info("%s: made from the same content before (key %s): its copies", name, key[:12])
            return False
    make()
    keyfile.unlink(missing_ok=True)  # never a key beside copies of another content
    for path, copy in zip(paths, copies, strict=True):
        with atomic_path(copy) as tmp:
            shutil.copyfile(path, tmp)
    write_text(key, keyfile)
    return True


def checked_once(name: str, key: str, cache: Path | None, check: Callable[[], list]) -> list:
    """The problems `check` finds (e.g. a file's schema problems), found again only when `key`
    is not the key of its last check that found none (kept in `<cache>/<name>.key`); always
    found without a `cache`. A check that finds problems keeps no key."""
    keyfile = Path(cache) / f"{name}.key" if cache is not None else None
    if keyfile is not None and holds_key(keyfile, key):
        log.info("%s: checked with the same content before (key %s)", name, key[:12])
        return []
    problems = check()
    if keyfile is not None:
        keyfile.unlink(missing_ok=True)
        if not problems:
            write_text(key, keyfile)
    return problems


def schema_key(data, schema) -> str:
    """The key of checking `data` (as read from YAML or JSON) against the JSON `schema` with
    this library's code and the installed jsonschema."""
    return content_key(
        "schema", repr(data), json.dumps(schema, sort_keys=True, default=str),
        library_versions(("jsonschema",)),
    )  # fmt: skip
