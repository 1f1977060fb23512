"""Locate the shared test data that exists in CI but not on a user's machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.peers import shared_dir


def shared_path(*parts: str) -> Path:
    """A path under shared/, or skip the test with the reason."""
    base = shared_dir()
    if base is None:
        pytest.skip("shared test data not found (set SAMEN_SHARED_DIR, or shared/ beside the repo)")
    path = base.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{'/'.join(parts)} is missing from the shared test data")
    return path
