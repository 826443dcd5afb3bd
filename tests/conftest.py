"""Shared test fixtures: where the repository and the real third-party data are."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REVIEWFLOW_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared() -> Path:
    """The real third-party files in ../shared (never copied into the project)."""
    if not (SHARED / "data").is_dir():
        pytest.skip(f"real third-party data not found at {SHARED} (set REVIEWFLOW_SHARED)")
    return SHARED
