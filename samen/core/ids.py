"""Filtering a table on the ids of a batch, without a placeholder per id.

A queryset filtering on ``field__in=[...]`` with a batch's thousand ids prepares every id
through Django's lookup machinery, which costs more than the query. The posts of a batch have
nearly contiguous ids (they were inserted together), so a range covers them: the caller reads
the range and keeps the rows whose id it asked for. When the ids are spread out, the range
would read too much, and the ordinary ``__in`` is used.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

SPREAD = 2  # a range is used while it holds at most this many ids per id asked for


def among(field: str, ids: Collection[int]) -> Q:
    """A condition true for every row whose ``field`` is in ``ids`` — and, when it is a range,
    for others in between: keep only the rows whose ``field`` is in ``ids``."""
    if not ids:
        return Q(pk__in=[])
    low, high = min(ids), max(ids)
    if high - low + 1 <= SPREAD * len(ids):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return Q(**{f"{field}__in": list(ids)})
