"""Generic CSV and JSON Lines with a column mapping, e.g. ``text=body,created_at=date,author=user``.

Fields Samen knows: ``text`` and ``created_at`` (required), ``id``, ``author``, ``lang``, ``url``,
``reply_to``. Rows without an id get one from their content, so importing the same file twice
adds nothing. Posts get source ``import`` and external id ``<dataset>:<id>``, where the dataset
is by default the file name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from samen.sources.base import PayloadError
from samen.sources.imports.common import ImportItem, ImportProblem, content_key, parse_when
from samen.sources.text import find_hashtags, find_links, find_mentions
from samen.sources.types import Author, NormalizedPost

FIELDS = {"text", "created_at", "id", "author", "lang", "url", "reply_to"}
REQUIRED = {"text", "created_at"}


def parse_mapping(spec: str) -> dict[str, str]:
    """``"text=body,created_at=date"`` -> {"text": "body", "created_at": "date"}."""
    mapping: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not column:
            raise ValueError(f"mapping part {part!r} is not field=column")
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}; known: {', '.join(sorted(FIELDS))}")
        mapping[field] = column
    for field in REQUIRED - mapping.keys():
        mapping[field] = field  # a column with the field's own name
    return mapping


def map_row(row: Mapping[str, Any], mapping: Mapping[str, str], *, dataset: str) -> NormalizedPost:
    def get(field: str) -> Any:
        column = mapping.get(field)
        if column is None:
            return None
        if column not in row:
            if field in REQUIRED:
                raise PayloadError(f"column {column!r} is missing")
            return None
        return row[column]

    text = get("text")
    if not isinstance(text, str) or not text.strip():
        raise PayloadError(f"empty {mapping['text']!r}")
    created = parse_when(get("created_at"))
    author = str(get("author") or "").strip()
    row_id = str(get("id") or "").strip() or content_key(author, created.isoformat(), text)
    lang = str(get("lang") or "").strip() or None
    reply_to = str(get("reply_to") or "").strip() or None
    return NormalizedPost(
        source="import",
        external_id=f"{dataset}:{row_id}",
        text=text,
        created_at=created,
        author=Author(handle=author or f"import:{dataset}"),
        url=str(get("url") or ""),
        lang=lang,
        reply_to_id=reply_to,
        mentions=find_mentions(text),
        hashtags=find_hashtags(text),
        links=find_links(text),
        raw=dict(row),
    )


def read_csv(path: Path, mapping: Mapping[str, str], *, dataset: str = "") -> Iterator[ImportItem]:
    """Yield (line number, post or problem); the header is line 1."""
    dataset = dataset or path.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {mapping[f] for f in REQUIRED} - set(reader.fieldnames or [])
        if missing:
            yield 1, ImportProblem(f"header lacks column(s) {', '.join(sorted(missing))}")
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield reader.line_num, ImportProblem(f"unreadable CSV: {exc}")
                return
            line = reader.line_num
            if None in row:
                yield line, ImportProblem("more fields than the header has")
                continue
            try:
                yield line, map_row(row, mapping, dataset=dataset)
            except PayloadError as exc:
                yield line, ImportProblem(exc.reason)


def read_jsonl(
    path: Path, mapping: Mapping[str, str], *, dataset: str = ""
) -> Iterator[ImportItem]:
    dataset = dataset or path.name
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, ImportProblem(f"not valid JSON: {exc.msg} (column {exc.colno})")
                continue
            if not isinstance(row, dict):
                yield number, ImportProblem("line is not a JSON object")
                continue
            try:
                yield number, map_row(row, mapping, dataset=dataset)
            except PayloadError as exc:
                yield number, ImportProblem(exc.reason)
