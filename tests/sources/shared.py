"""Locate the shared test data and peers that exist in CI but not on a user's machine."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path | None:
    env = os.environ.get("SAMEN_SHARED_DIR")
    candidate = Path(env) if env else REPO / ".." / "shared"
    return candidate.resolve() if candidate.is_dir() else None


def shared_path(*parts: str) -> Path:
    """A path under shared/, or skip the test with the reason."""
    base = shared_dir()
    if base is None:
        pytest.skip(
            "shared test data not found: set SAMEN_SHARED_DIR or put shared/ beside the repo"
        )
        raise AssertionError  # unreachable; pytest.skip raises
    path = base.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{'/'.join(parts)} is missing from the shared test data")
    return path
