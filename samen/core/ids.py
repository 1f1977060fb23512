"""Filtering a table on the ids of a batch, without a placeholder per id.

A queryset filtering on ``field__in=[...]`` with a batch's thousand ids prepares every id
through Django's lookup machinery (about a microsecond and a quarter an id), which costs more
than the query. Three ways around it, by what the caller needs:

- :func:`among`: the posts of a batch have nearly contiguous ids (they were inserted
  together), so a range covers them; the caller reads the range and keeps the rows whose id
  it asked for. When the ids are spread out, the range would read too much, and
  :func:`one_of` is used.
- :func:`exactly`: for a query whose rows the caller cannot sort out afterwards (counts,
  sums): the range when the ids fill it, :func:`one_of` otherwise.
- :func:`one_of`: ``field IN (values)`` with the whole list as one parameter (a JSON array
  unnested by ``json_each`` on SQLite, an array compared with ``= ANY`` on PostgreSQL). Also
  free of the databases' limits on the number of parameters.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import orjson
from django.db.models import F, Lookup, Q

__all__ = ["among", "exactly", "one_of"]

SPREAD = 2  # a range is used while it holds at most this many ids per id asked for


class OneOf(Lookup):  # type: ignore[type-arg]
    """``lhs IN (values)`` with the values sent as one parameter. The values are given as the
    database stores them (ints or strings) and are not prepared one by one."""

    lookup_name = "one_of"  # not registered: built by :func:`one_of`
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        values = list(dict.fromkeys(self.rhs))  # in order, once each: a stable query text
        for value in values:  # the cheap check that keeps a wrong type from matching nothing
            if type(value) is not int and type(value) is not str:
                raise TypeError(f"one_of compares ints or strings, not {type(value).__name__}")
        return values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        return (f"{lhs} IN (SELECT value FROM json_each(%s))",  # noqa: S608 - lhs is a column
                [*lhs_params, orjson.dumps(self.rhs).decode()])


def one_of(field: str, values: Iterable[int] | Iterable[str]) -> Q:
    """Rows whose ``field`` is one of ``values`` (ints or strings, as stored)."""
    return Q(OneOf(F(field), list(values)))


def among(field: str, ids: Collection[int]) -> Q:
    """A condition true for every row whose ``field`` is in ``ids`` — and, when it is a range,
    for others in between: keep only the rows whose ``field`` is in ``ids``."""
    return _range_or_one_of(field, ids, SPREAD)


def exactly(field: str, ids: Collection[int]) -> Q:
    """A condition true for exactly the rows whose ``field`` is in ``ids``: a range when the
    ids fill it (a batch inserted at once), else :func:`one_of`."""
    return _range_or_one_of(field, ids, 1)


def _range_or_one_of(field: str, ids: Collection[int], spread: int) -> Q:
    """The range from the least to the greatest of ``ids`` while it holds at most ``spread``
    ids per distinct id asked for (1: exactly those), else :func:`one_of`."""
    distinct = set(ids)
    if not distinct:
        return Q(pk__in=[])
    low, high = min(distinct), max(distinct)
    if high - low + 1 <= spread * len(distinct):
        return Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return one_of(field, distinct)
