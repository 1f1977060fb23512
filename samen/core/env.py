"""Reading on/off switches from the environment, one way for all of Samen.

Plain Python (no Django import), so that the settings and the pure cores (the rule matcher's
``SAMEN_PURE_PYTHON``) read a switch alike: "1", "true", "yes", "on" are on, anything else
off.
"""

from __future__ import annotations

import os


def env_bool(name: str, default: bool = False) -> bool:
    """The switch ``name``; ``default`` when it is unset or empty."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}
