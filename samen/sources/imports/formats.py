"""The archive formats ``samen import FILE --format ...`` understands, in one table."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from samen.sources.imports import bluesky_car, mastodon_archive, tabular, twitter
from samen.sources.imports.common import ImportItem


@dataclass(frozen=True, slots=True)
class Format:
    key: str
    description: str
    needs_mapping: bool = False


FORMATS = {
    f.key: f
    for f in (
        Format("mastodon", "Mastodon account archive: outbox.json, or the .zip/.tar.gz export"),
        Format("bluesky", "Bluesky repository export (.car)"),
        Format("twitter", "X/Twitter archive: data/tweets.js"),
        Format("csv", "CSV with a header row and a column mapping", needs_mapping=True),
        Format("jsonl", "JSON Lines with a field mapping", needs_mapping=True),
    )
}


def read_import(
    path: Path, fmt: str, *, mapping: str = "", handle: str = "", dataset: str = ""
) -> Iterator[ImportItem]:
    """Yield (line or item number, NormalizedPost | ImportProblem) for ``path`` in ``fmt``.

    ValueError for an unknown format or a bad mapping (before anything is read).
    """
    readers: dict[str, Callable[[], Iterator[ImportItem]]] = {
        "mastodon": lambda: mastodon_archive.read(path),
        "bluesky": lambda: bluesky_car.read(path),
        "twitter": lambda: twitter.read(path, handle=handle),
        "csv": lambda: tabular.read_csv(path, tabular.parse_mapping(mapping), dataset=dataset),
        "jsonl": lambda: tabular.read_jsonl(path, tabular.parse_mapping(mapping),
                                            dataset=dataset),
    }
    if fmt not in readers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if FORMATS[fmt].needs_mapping:
        tabular.parse_mapping(mapping)  # fail early on a bad mapping
    return readers[fmt]()
