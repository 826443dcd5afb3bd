"""What a reviewer wrote, hashed: tests take it before and after a failure to prove that the
workflow changed nothing of it (config/, extraction/, resources/searches/, versions/)."""

import hashlib
from pathlib import Path

REVIEWER_PARTS = ["config", "extraction", "resources", "versions"]


def reviewer_files(workdir: Path) -> dict[str, str]:
    """SHA-256 of every file under the reviewer's folders of `workdir`, by relative path."""
    digests = {}
    for part in REVIEWER_PARTS:
        for path in sorted((workdir / part).rglob("*")):
            if path.is_file():
                rel = str(path.relative_to(workdir))
                digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder` (hidden ones too), by path relative to it; {} when
    it does not exist."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
