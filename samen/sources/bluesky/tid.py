"""Record keys for idempotent posting: AT Protocol TIDs made from an idempotency key.

A Bluesky post lives at ``at://DID/app.bsky.feed.post/RKEY``, and the PDS accepts only a TID
as the record key of a post. When Samen chooses the key itself, derived from the delivery's
idempotency key, a retry after a crash (posted, but not yet recorded) writes to the same key
and finds the first post there instead of posting twice.

A TID is 64 bits: a zero bit, 53 bits of microseconds since 1970 and a 10-bit clock id,
written as 13 characters of sortable base32. Record keys of one repository sort by time, and
readers that poll ``listRecords`` rely on that, so the time part should be the moment the
post was asked for (:func:`tid_for` with ``at``), never the future.

Pure Python: no Django import.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# Keys that carry no time get one from their hash, inside a year long past: such a post sorts
# among old records rather than ahead of every later one (which would hide those from pollers).
_FALLBACK_START = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp() * 1_000_000)
_FALLBACK_SPAN = 365 * 24 * 3600 * 1_000_000


def is_tid(value: str) -> bool:
    """True for a syntactically valid TID (13 characters, first one below 'k')."""
    return bool(_TID.match(value))


def make_tid(micros: int, clock_id: int) -> str:
    """Encode a timestamp in microseconds and a 10-bit clock id as a TID."""
    if not 0 <= micros < 2**53 or not 0 <= clock_id < 2**10:
        raise ValueError("a TID holds 53 bits of microseconds and a 10-bit clock id")
    value = (micros << 10) | clock_id
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


def tid_for(key: str, at: datetime | None = None) -> str:
    """The TID for idempotency key ``key``: always the same for the same key (and ``at``).

    ``at`` (when the post was asked for) gives the time part; without it the time part comes
    from the key's hash (see ``_FALLBACK_START``).
    """
    if not key:
        raise ValueError("an idempotency key is needed")
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    clock_id = digest & 0x3FF
    if at is not None:
        micros = int(at.timestamp() * 1_000_000)
    else:
        micros = _FALLBACK_START + (digest >> 10) % _FALLBACK_SPAN
    return make_tid(micros, clock_id)


def record_key(idempotency_key: str) -> str:
    """The record key to post under: the key itself when it is a TID, else one derived."""
    return idempotency_key if is_tid(idempotency_key) else tid_for(idempotency_key)
