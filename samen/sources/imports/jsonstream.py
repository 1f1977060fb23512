"""Read the items of one big JSON array without loading the whole file.

Archives are large (a busy account's outbox.json or tweets.js runs to hundreds of megabytes),
so the array is decoded item by item from a sliding text buffer. An item that is not valid
JSON ends the stream with a PayloadError naming its number: after a syntax error there is no
reliable way to find where the next item starts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from samen.sources.base import PayloadError

_CHUNK = 1 << 16
_DECODER = json.JSONDecoder()


class _Buffer:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        return True

    def skip_space(self) -> str:
        """Next non-space character (not consumed); '' at the end of the stream."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return ""


def seek_array(buf: _Buffer, key: str | None) -> None:
    """Move to just after the '[' that opens the array (of ``key``, or the first one)."""
    marker = f'"{key}"' if key else "["
    while True:
        index = buf.text.find(marker, buf.pos)
        if index >= 0:
            buf.pos = index + len(marker)
            if key:
                while True:
                    bracket = buf.text.find("[", buf.pos)
                    if bracket >= 0:
                        buf.pos = bracket + 1
                        return
                    if not buf.fill():
                        raise PayloadError(f"no array after {marker}")
            return
        keep = max(buf.pos, len(buf.text) - len(marker))
        buf.pos = keep
        if not buf.fill():
            raise PayloadError(f"no {marker} found: not the expected file")


def iter_array(stream: IO[str], *, key: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield (1-based number, decoded item) for each item of the array."""
    buf = _Buffer(stream)
    buf.fill()
    seek_array(buf, key)
    number = 0
    while True:
        char = buf.skip_space()
        if char == "]":
            return
        if char == "":
            raise PayloadError(f"file ends inside the array, after item {number}")
        if char == ",":
            buf.pos += 1
            continue
        number += 1
        while True:
            try:
                item, end = _DECODER.raw_decode(buf.text, buf.pos)
            except json.JSONDecodeError as exc:
                if buf.fill():
                    continue
                raise PayloadError(f"item {number} is not valid JSON: {exc.msg}") from exc
            # A number cut at the chunk edge: read on before trusting it.
            cut = end == len(buf.text) and not buf.eof and isinstance(item, int | float)
            if cut and buf.fill():
                continue
            buf.pos = end
            break
        yield number, item
