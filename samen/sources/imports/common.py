"""What every import reader yields, and helpers they share."""

from __future__ import annotations

import email.utils
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from samen.sources.base import PayloadError
from samen.sources.types import NormalizedPost


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A line or item that could not be imported, and why; the rest of the file still imports."""

    reason: str


ImportItem = tuple[int, NormalizedPost | ImportProblem]


def parse_when(value: object) -> datetime:
    """ISO 8601, RFC 2822, Twitter's ``Wed Oct 10 20:19:24 +0000 2018`` or epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"missing date: {value!r}")
    text = value.strip()
    result: datetime | None = None
    parsers = (
        datetime.fromisoformat,
        lambda t: datetime.strptime(t, "%a %b %d %H:%M:%S %z %Y"),  # Twitter
        email.utils.parsedate_to_datetime,
    )
    for parse in parsers:
        try:
            result = parse(text)
        except (TypeError, ValueError):
            continue
        break
    if result is None and text.replace(".", "", 1).isdigit():
        result = datetime.fromtimestamp(float(text), tz=UTC)
    if result is None:
        raise PayloadError(f"not a date: {value!r}")
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def content_key(*parts: str) -> str:
    """An id for rows that have none, stable across runs so a re-import adds nothing."""
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
