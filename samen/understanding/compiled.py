"""The optional compiled loops of the pure cores, found once (ADR 0107, 0127 and 0128).

``_speedups.c`` holds the listening-rule matcher's per-post loop, the trend terms of a post,
and the translation that folds text and cuts it into words. It is built at install where a
C compiler is found; each loop's Python twin stays the reference and runs where it was not
built, where it was built from another version of the source, or where
``SAMEN_PURE_PYTHON`` is set. Plain Python, no Django import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from samen.core.env import env_bool

__all__ = ["ALLOWED", "MODULE", "NOT_BUILT", "SOURCE", "load", "twin"]

SOURCE = Path(__file__).with_name("_speedups.c")


def load(source: Path = SOURCE) -> tuple[ModuleType | None, str]:
    """The compiled module, or None and why: not built, or built from another version of
    ``source`` (a checkout updated without ``pip install -e .`` again: running an older loop
    against newer Python code would give wrong answers)."""
    try:
        from samen.understanding import _speedups
    except ImportError:  # pragma: no cover - depends on how Samen was installed
        return None, "it was not built (no C compiler or Python headers at install)"
    if source.exists():  # a source checkout; a wheel has only the compiled file
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        if digest != getattr(_speedups, "SOURCE_DIGEST", ""):
            return None, (
                f"it was built from another version of {source.name}: run pip install -e . "
                "again to rebuild it"
            )
    return _speedups, ""


MODULE, NOT_BUILT = load()

#: May the compiled loops run? ``SAMEN_PURE_PYTHON=1`` keeps every core on its Python twin.
ALLOWED: bool = not env_bool("SAMEN_PURE_PYTHON")


def twin(name: str) -> Callable[..., Any] | None:
    """The compiled function ``name``, or None where the Python twin must run instead."""
    return getattr(MODULE, name) if MODULE is not None and ALLOWED else None
