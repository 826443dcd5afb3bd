"""Writing outputs safely: atomically (never half-written) and guarded against formula injection."""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from reviewflow.core.errors import InputProblems, OutputNotWritten

# A cell starting with one of these is run as a formula by Excel/LibreOffice when a CSV/TSV opens.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# Why an output cannot be written that the reviewer can act on (other OSErrors stay tracebacks).
DISK_PROBLEMS = {
    errno.ENOSPC: "no space left on the device: free some space (df -h) and run again",
    errno.EDQUOT: "the disk quota is used up: free some space and run again",
    errno.EROFS: "the file system is read-only: run the workflow where results/ can be written",
    errno.EACCES: "permission denied: make the folder writable (ls -ld) and run again",
}


@contextlib.contextmanager
def _disk_problems(path: Path) -> Iterator[None]:
    """A full, read-only or forbidden disk ends the rule with one located line (no traceback);
    the file at `path` is left as it was."""
    try:
        yield
    except OSError as error:
        if error.errno not in DISK_PROBLEMS:
            raise
        message = f"{path}: not written, the previous file is left as it was: "
        message += DISK_PROBLEMS[error.errno]
        if logging.getLogger().handlers:  # the rule's log (the console gets the exit line)
            logging.getLogger("reviewflow").error("%s", message)
        raise OutputNotWritten(message) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(tmp: str | os.PathLike, path: Path) -> None:
    """Give the temporary file the usual permissions (mkstemp makes it 0600), then rename it."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", **kwargs: Any) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success it replaces `path` in one step.

    On an exception the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
        kwargs.setdefault("newline", "")
    with _disk_problems(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, mode, **kwargs) as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            _publish(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path` for writers that want a file name (openpyxl, matplotlib).

    The suffix is kept so that libraries that look at it pick the right format.
    """
    path = Path(path)
    with _disk_problems(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            _publish(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def guard_cell(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unguard_cell(value: Any) -> Any:
    """The text `guard_cell` protected, without its quote: for writers that keep text as text
    themselves (an .xlsx string cell, a RIS file), where the quote would show."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def unguard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a generated table read back (`read_table`) with `guard_cell`'s quotes removed."""
    return frame.map(unguard_cell)


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot be run as formulas (numbers are left alone)."""
    guarded = frame.copy()
    for column in guarded.columns:
        if guarded[column].dtype == object or pd.api.types.is_string_dtype(guarded[column]):
            guarded[column] = guarded[column].map(guard_cell)
    return guarded


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, guard: bool = True) -> None:
    """Write a TSV (`.tsv`) or CSV (other suffixes) atomically, text cells guarded."""
    path = Path(path)
    sep = "\t" if path.suffix == ".tsv" else ","
    out = guard_frame(frame) if guard else frame
    with atomic_write(path) as handle:
        out.to_csv(handle, sep=sep, index=False, lineterminator="\n")


def write_json(data: Any, path: str | os.PathLike) -> None:
    with atomic_write(path) as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, sort_keys=False)
        handle.write("\n")


def write_text(text: str, path: str | os.PathLike) -> None:
    with atomic_write(path) as handle:
        handle.write(text)


def read_json(path: str | os.PathLike) -> Any:
    """A JSON file another rule wrote (UTF-8); InputProblems, located, when it is not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputProblems(str(path), [f"line {err.lineno}: not valid JSON: {err.msg}"]) from err


def read_table(path: str | os.PathLike, encodings: Sequence[str] = ("utf-8-sig",)) -> pd.DataFrame:
    """A TSV (`.tsv`) or CSV, every cell as text, empty cells as ''; decoded with the first of
    `encodings` that decodes it (kept in `frame.attrs["encoding"]`); InputProblems when it cannot
    be decoded or parsed."""
    path = Path(path)
    sep = "\t" if path.suffix == ".tsv" else ","
    for encoding in encodings:
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                quoting=csv.QUOTE_MINIMAL,
                encoding=encoding,
            )
        except UnicodeDecodeError as error:
            if encoding == encodings[-1]:
                problem = f"cannot be read as {' or '.join(encodings)} text: {error}"
                raise InputProblems(str(path), [problem]) from error
            continue
        except pd.errors.ParserError as error:
            raise InputProblems(str(path), [f"cannot be read as a table: {error}"]) from error
        frame.attrs["encoding"] = encoding
        return frame
    raise AssertionError("no encoding given")
