"""What a zip archive (an .xlsx workbook) inflates to, bounded before any reader opens it: a
1 MB workbook can hold a sheet that inflates to gigabytes. Standard library only, as the
Snakefile's parse-time checks use it too (workflow/lib/buildcheck.py)."""

from __future__ import annotations

import os
import zipfile

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a review's workbook or screening file holds far less
MAX_MEMBERS = 10_000  # files inside one workbook


def unzipped_size_problem(path: str | os.PathLike, limit: int | None = None) -> str:
    """What is wrong (the caller names the file) when the archive at `path` would inflate beyond
    `limit` bytes or holds more than MAX_MEMBERS files; "" otherwise, and for a file that is not
    a zip archive (its reader says why it cannot be read). The sizes are those the archive
    declares, which Python's zipfile never reads past."""
    limit = MAX_UNZIPPED_BYTES if limit is None else limit
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile):
        return ""
    total = sum(member.file_size for member in members)
    if len(members) > MAX_MEMBERS or total > limit:
        return (
            f"inflates to {total / 1024**2:,.0f} MB in {len(members)} files (at most "
            f"{limit / 1024**2:,.0f} MB and {MAX_MEMBERS} files are read; a workbook of a review "
            "holds far less): save only the sheets the review reads, without embedded files, in "
            "a new workbook"
        )
    return ""
