"""Types of the optional compiled loops (``_speedups.c``, ADR 0107 and 0127)."""

from collections.abc import Callable
from typing import Any

SOURCE_DIGEST: str

class Matcher:
    def __init__(
        self,
        known: dict[str, tuple[int, ...]],
        learn: Callable[[str], tuple[int, ...]],
        pairs: dict[str, list[int]],
        pair_firsts: frozenset[str],
        by_field: dict[tuple[str, str], list[int]],
        required: dict[int, frozenset[tuple[str, str]]],
        vetoes: dict[int, Any],
        preds: list[Any],
        full_preds: list[Any],
        always: tuple[int, ...],
        /,
    ) -> None: ...
    def __call__(self, view: Any, /) -> list[int]: ...

def trend_terms(text: str, stop_words: frozenset[str], min_length: int, /) -> list[str]: ...
def translate(text: str, table: dict[int, str], ascii: bytes, split: bool, /) -> Any: ...
