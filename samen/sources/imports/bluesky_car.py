"""A Bluesky repository export (``.car``, from ``com.atproto.sync.getRepo`` or the app's export).

The CAR holds the signed commit, the Merkle search tree (MST) and the records. We walk the tree
in key order to learn each record's path (``app.bsky.feed.post/<rkey>``), since a post's AT URI
needs it; the atproto SDK decodes the CAR blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atproto import CAR
from atproto_core.cid import CID

from samen.sources.base import PayloadError
from samen.sources.bluesky import mapping
from samen.sources.imports.common import ImportItem, ImportProblem


def _cid(link: Any) -> Any:
    if link is None:
        return None
    if isinstance(link, bytes):
        return CID.decode(link)
    return link


def walk_mst(blocks: dict[Any, Any], root: Any) -> Iterator[tuple[str, Any]]:
    """Yield (record path, record CID) in key order; PayloadError on a malformed tree."""
    seen: set[str] = set()
    # Stack of work items: ("node", cid) to expand, or ("leaf", path, cid) to yield.
    stack: list[tuple[Any, ...]] = [("node", root)]
    while stack:
        item = stack.pop()
        if item[0] == "leaf":
            yield item[1], item[2]
            continue
        cid = item[1]
        if str(cid) in seen:
            raise PayloadError("the repository tree loops")
        seen.add(str(cid))
        node = blocks.get(cid)
        if not isinstance(node, dict) or "e" not in node:
            raise PayloadError(f"tree node {cid} is missing from the file")
        work: list[tuple[Any, ...]] = []
        if node.get("l") is not None:
            work.append(("node", _cid(node["l"])))
        key = b""
        for entry in node["e"]:
            key = key[: int(entry["p"])] + bytes(entry["k"])
            work.append(("leaf", key.decode("utf-8", errors="replace"), _cid(entry["v"])))
            if entry.get("t") is not None:
                work.append(("node", _cid(entry["t"])))
        stack.extend(reversed(work))


def read(path: Path) -> Iterator[ImportItem]:
    """Yield (record number in key order, post or problem) for every post record."""
    try:
        car = CAR.from_bytes(path.read_bytes())
    except Exception as exc:  # libipld raises several kinds for a corrupt file
        yield 0, ImportProblem(f"not a readable CAR file: {exc}")
        return
    commit = car.blocks.get(car.root)
    if not isinstance(commit, dict) or "did" not in commit or "data" not in commit:
        yield 0, ImportProblem("the CAR file has no repository commit at its root")
        return
    did = str(commit["did"])
    number = 0
    try:
        for record_path, cid in walk_mst(car.blocks, _cid(commit["data"])):
            number += 1
            collection, _, rkey = record_path.partition("/")
            if collection != mapping.POST:
                continue
            record = car.blocks.get(cid)
            if record is None:
                yield number, ImportProblem(f"{record_path}: record missing from the file")
                continue
            try:
                yield number, mapping.map_record(record, repo=did, rkey=rkey, cid=str(cid))
            except PayloadError as exc:
                yield number, ImportProblem(f"{record_path}: {exc.reason}")
    except PayloadError as exc:
        yield number, ImportProblem(f"stopped reading: {exc.reason}")
