"""Storing normalized posts: batched, idempotent, with the stream's cursor in the same commit.

The one rule that makes ``kill -9`` harmless: a batch's posts, its edits and deletions and the
cursor that says "we have these" are written in **one transaction**. If the process dies before
the commit, nothing of the batch is stored and the cursor still points before it, so the next
run fetches it again; if it dies after, the cursor has moved on. Posts are unique on
``(source, external_id)`` and inserted with conflicts ignored, so a batch delivered twice (a
network that repeats itself, two listeners at a lease hand-over) is stored once.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat
from types import SimpleNamespace
from typing import Any

import orjson
from django.db import connection, models, transaction
from django.utils import timezone

from samen.sources.models import Account, Direction, Post, Stream
from samen.sources.signals import posts_stored
from samen.sources.types import NormalizedPost

MAX_ID = 300
MAX_URL = 1000
CHUNK = 500  # rows per INSERT/SELECT: well under SQLite's and PostgreSQL's parameter limits

Enricher = Callable[[Sequence[NormalizedPost]], Sequence[Mapping[str, Any]]]
ENRICHED_FIELDS = ("language", "sentiment", "sentiment_confidence", "intent", "urgent",
                   "urgency_reasons")
_enricher: Enricher | None = None


def register_enricher(enricher: Enricher | None) -> None:
    """Let understanding fill the enrichment columns at ingest (called from its AppConfig).

    The enricher gets the batch's NormalizedPosts and returns, in the same order, values for
    any of ``ENRICHED_FIELDS``; a whole batch at once, because scoring many posts together is
    much cheaper than one by one. It must be pure and fast: it runs inside the ingest
    transaction.
    """
    global _enricher
    _enricher = enricher


class LeaseLost(Exception):
    """Another listener took this stream over; the batch was rolled back, nothing is lost."""


@dataclass(slots=True)
class IngestResult:
    created: int = 0
    updated: int = 0  # edits applied
    deleted: int = 0
    duplicates: int = 0  # already stored, nothing changed
    post_ids: list[int] = field(default_factory=list)  # created or changed


def fit_id(external_id: str) -> str:
    """Keep ids within the column; a longer one becomes a stable digest (same in every run)."""
    if len(external_id) <= MAX_ID:
        return external_id
    return "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()


def _fit(value: str | None, limit: int) -> str:
    if not value:
        return ""
    return value if len(value) <= limit else ""


def _enrichments(posts: Sequence[NormalizedPost]) -> list[Mapping[str, Any] | None]:
    if _enricher is None or not posts:
        return [None] * len(posts)
    return list(_enricher(posts))


# Every column of Post but ``id``, in the order ``_row`` gives them (checked against the model
# on first use, so a column added to Post cannot be forgotten here).
INSERT_COLUMNS = (
    "account_id", "source", "external_id", "url", "direction", "author_handle", "author_name",
    "author_url", "author_external_id", "text", "source_language", "created_at", "ingested_at",
    "reply_to_external_id", "thread_root_external_id", "mentions", "hashtags", "links",
    "media", "visibility", "edited_at", "deleted_at", "language", "sentiment",
    "sentiment_confidence", "intent", "urgent", "urgency_reasons", "raw",
)
# What an edit rewrites (the rest of a post never changes once stored).
_EDIT_FIELDS = ("text", "url", "mentions", "hashtags", "links", "media", "visibility",
                "edited_at", "raw", "source_language", *ENRICHED_FIELDS)
_EDIT_INDEXES = tuple(INSERT_COLUMNS.index(name) for name in _EDIT_FIELDS)
_statements: dict[tuple[str, str], str] = {}  # (database vendor, kind) -> SQL


def _post_fields() -> dict[str, models.Field[Any, Any]]:
    fields = {f.attname: f for f in Post._meta.concrete_fields if f.attname != "id"}
    if set(fields) != set(INSERT_COLUMNS):
        raise RuntimeError("sources.ingest.INSERT_COLUMNS no longer matches the Post model")
    return fields


def _statement(kind: str) -> str:
    """The INSERT (``"insert"``) or edit UPDATE (``"update"``) of posts, for this database.

    Only quoted names from the model and placeholders go into the text: no data.
    """
    vendor = connection.vendor
    if (vendor, kind) not in _statements:
        fields = _post_fields()
        ops = connection.ops

        def mark(name: str) -> str:
            return ("%s::jsonb" if vendor == "postgresql"
                    and isinstance(fields[name], models.JSONField) else "%s")

        table = ops.quote_name(str(Post._meta.db_table))
        if kind == "insert":
            sql = (f"INSERT INTO {table} "  # noqa: S608
                   f"({', '.join(ops.quote_name(str(fields[n].column)) for n in INSERT_COLUMNS)})"
                   f" VALUES ({', '.join(mark(n) for n in INSERT_COLUMNS)}) "
                   f"ON CONFLICT ({ops.quote_name('source')}, {ops.quote_name('external_id')}) "
                   f"DO NOTHING")
        else:
            sets = ", ".join(f"{ops.quote_name(str(fields[n].column))} = {mark(n)}"
                             for n in _EDIT_FIELDS)
            sql = f"UPDATE {table} SET {sets} WHERE {ops.quote_name('id')} = %s"  # noqa: S608
        _statements[(vendor, kind)] = sql
    return _statements[(vendor, kind)]


def _json_list(value: Sequence[Any] | None) -> str:
    return orjson.dumps(value).decode() if value else "[]"


def _row(post: NormalizedPost, extra: Mapping[str, Any] | None, *, account_id: int | None,
         direction: str, now: Any, db_time: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """The one place a post's columns are made: the database parameters of ``post``, in
    ``INSERT_COLUMNS`` order, enrichment (``extra``) included. An INSERT sends all of them,
    an edit the ``_EDIT_FIELDS`` among them."""
    e = extra or {}
    author = post.author
    return (
        account_id, post.source, fit_id(post.external_id), _fit(post.url, MAX_URL), direction,
        author.handle[:MAX_ID], author.display_name[:MAX_ID],
        _fit(author.profile_url, MAX_URL), author.external_id[:MAX_ID], post.text,
        (post.lang or "")[:16], db_time(post.created_at), now,
        fit_id(post.reply_to_id) if post.reply_to_id else "",
        fit_id(post.thread_root_id) if post.thread_root_id else "",
        _json_list(post.mentions), _json_list(post.hashtags), _json_list(post.links),
        _json_list([{"url": m.url, "alt_text": m.alt_text, "kind": m.kind}
                    for m in post.media]),
        str(post.visibility),
        db_time(post.edited_at) if post.edited_at is not None else None,
        now if post.deleted else None,
        e.get("language", ""), e.get("sentiment", ""), e.get("sentiment_confidence"),
        e.get("intent", ""), e.get("urgent", False), _json_list(e.get("urgency_reasons")),
        orjson.dumps(post.raw).decode(),
    )


def _db_time() -> Callable[[datetime], Any]:
    # psycopg adapts aware datetimes itself; SQLite stores naive UTC text, as Django does.
    return (lambda value: value) if connection.vendor == "postgresql" else _sqlite_time


def _insert(rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING with executemany (ADR 0142).

    The ORM's bulk_create spends most of its time preparing each value through each field;
    here the parameters are built straight from the NormalizedPost (``_row``), each column's
    conversion chosen once, which is what makes ingest keep up with a firehose. Same table,
    same constraint, same stored values as the ORM would write.
    """
    sql = _statement("insert")
    with connection.cursor() as cursor:
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)


def _update(edits: Sequence[tuple[int, tuple[Any, ...]]]) -> None:
    """Rewrite the ``_EDIT_FIELDS`` of edited posts ((pk, ``_row``) pairs), one executemany."""
    sql = _statement("update")
    params = [(*(row[i] for i in _EDIT_INDEXES), pk) for pk, row in edits]
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


def _select_in(sql: str, before: Sequence[Any], values: Sequence[Any],
               after: str = "") -> list[tuple[Any, ...]]:
    """Rows of ``sql`` + `` IN (values)`` + ``after``, a chunk of values at a time.

    Plain SQL with one placeholder per value: a queryset filtering on a list of hundreds of
    ids prepares each id through the lookup machinery, which cost more than the query.
    """
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for chunk in _chunks(values):
            cursor.execute(f"{sql} IN ({', '.join(['%s'] * len(chunk))}){after}",
                           [*before, *chunk])
            out.extend(cursor.fetchall())
    return out


def _sqlite_time(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, space-separated)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def store_batch(
    *,
    posts: Sequence[NormalizedPost],
    account: Account | None = None,
    deleted_ids: Sequence[str] = (),
    stream: Stream | None = None,
    cursor: str | None = None,
    lease_owner: str = "",
    direction: str = Direction.INBOUND,
    next_poll_at: datetime | None = None,
    note: str = "",
) -> IngestResult:
    """Store ``posts`` (and edits, and deletions) and move ``stream``'s cursor, atomically.

    With ``lease_owner`` the cursor only moves if this process still holds the stream's
    lease; otherwise :class:`LeaseLost` is raised and the whole batch is rolled back.
    ``note`` (e.g. items the connector skipped, with the reason) is kept as the stream's
    last error so the comms lead sees it.
    """
    now = timezone.now()
    result = IngestResult()
    unique: dict[tuple[str, str], NormalizedPost] = {}
    for post in posts:
        unique[(post.source, fit_id(post.external_id))] = post  # last delivery wins
    by_source: dict[str, list[str]] = {}
    for source, external_id in unique:
        by_source.setdefault(source, []).append(external_id)
    notify = posts_stored.has_listeners()
    db_time = _db_time()
    db_now = db_time(now)  # as the INSERT sends it
    row_of = functools.partial(_row, account_id=account.pk if account is not None else None,
                               direction=direction, now=db_now, db_time=db_time)

    with transaction.atomic():
        existing: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        for source, ids in by_source.items():
            for pk, external_id, edited_at in _select_in(
                    _by_external_id(connection.ops.quote_name("edited_at")), [source], ids):
                existing[(source, external_id)] = (
                    pk, _from_db_time(edited_at) if edited_at is not None else None)

        def needs_values(key: tuple[str, str], post: NormalizedPost) -> bool:
            if key not in existing:
                return True
            stored_edit = existing[key][1]
            return post.edited_at is not None and (stored_edit is None
                                                   or post.edited_at > stored_edit)

        wanted = [(key, post) for key, post in unique.items() if needs_values(key, post)]
        extras = dict(zip((key for key, _p in wanted),
                          _enrichments([post for _k, post in wanted]), strict=True))
        new_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
        edits: list[tuple[int, tuple[Any, ...]]] = []
        for key, post in unique.items():
            if key not in existing:
                new_rows[key] = row_of(post, extras[key])
            elif key in extras:
                edits.append((existing[key][0], row_of(post, extras[key])))
            else:
                result.duplicates += 1
        if new_rows:
            _insert(list(new_rows.values()))
            result.created = len(new_rows)
        if edits:
            _update(edits)
            result.updated = len(edits)
            result.post_ids.extend(pk for pk, _row in edits)
        if deleted_ids:
            fitted = [fit_id(i) for i in deleted_ids]
            gone = Post.objects.filter(external_id__in=fitted, deleted_at__isnull=True)
            if account is not None:
                gone = gone.filter(source=account.provider)
            if notify:
                result.post_ids.extend(gone.values_list("pk", flat=True))
            result.deleted = gone.update(deleted_at=now)
        if stream is not None:
            _advance(stream, cursor=cursor, lease_owner=lease_owner, now=now,
                     got_items=bool(new_rows or edits), next_poll_at=next_poll_at, note=note)
        if account is not None and new_rows:
            Account.objects.filter(pk=account.pk).update(last_item_at=now)
        inserted: list[int] = []  # by this batch's INSERT (not by a process racing it)
        stored: dict[int, tuple[Any, ...]] = {}  # their INSERT parameters, by id
        if notify and new_rows:
            for source, ids in by_source.items():
                # "ingested_at = now" asked of the database: a row this INSERT stored has
                # exactly this batch's time (the answer needs no conversion of a time)
                for pk, external_id, ours in _select_in(
                        _by_external_id(f"{connection.ops.quote_name('ingested_at')} = %s"),
                        [db_now, source], [i for i in ids if (source, i) in new_rows]):
                    result.post_ids.append(pk)
                    if ours:
                        inserted.append(pk)
                        stored[pk] = new_rows[(source, external_id)]
        if notify and result.post_ids:
            ids_to_send = list(result.post_ids)
            transaction.on_commit(lambda: posts_stored.send(
                sender=Post, post_ids=ids_to_send, new_post_ids=inserted, stored_rows=stored))
    return result


def _by_external_id(value: str) -> str:
    """SELECT id, external_id and ``value`` (SQL of quoted names) of posts by source and
    external id (then IN)."""
    q = connection.ops.quote_name
    return (f"SELECT {q('id')}, {q('external_id')}, {value} "  # noqa: S608 - names only
            f"FROM {q(str(Post._meta.db_table))} WHERE {q('source')} = %s AND {q('external_id')}")


def read_back(post_ids: Iterable[int], fields: Sequence[str], *, inbound_only: bool = False,
              stored: Mapping[int, Sequence[Any]] | None = None) -> list[SimpleNamespace]:
    """Columns of stored posts as plain objects (in (created_at, id) order when both are among
    ``fields``), for the steps that follow the ingest (understanding, the inbox's intake).

    Each of those steps reads back the batch just stored; done through the ORM, converting
    every value of every row cost more than the query. Here each column's conversion is chosen
    once: JSON text to Python (the backends hand JSON over as text), SQLite's naive UTC times
    to aware datetimes, integers to booleans. ``inbound_only`` leaves out the organisation's
    own posts and deleted ones.

    ``stored`` (the ``stored_rows`` of ``posts_stored``: the INSERT parameters of the posts
    this process just inserted, by id) spares reading those rows: the parameters are what the
    database was given and hands back, and go through the same conversions. A caller that
    changed some of these posts since must leave them out of ``stored``.
    """
    ids = sorted({int(i) for i in post_ids})
    if not ids:
        return []
    convert: list[tuple[int, Callable[[Sequence[Any]], list[Any]]]] = []
    for index, name in enumerate(fields):
        model_field = Post._meta.get_field(name)
        if isinstance(model_field, models.JSONField):
            convert.append((index, _json_column))
        elif isinstance(model_field, models.DateTimeField):
            convert.append((index, _time_column))
        elif isinstance(model_field, models.BooleanField):
            convert.append((index, _bool_column))
    # Column by column: each conversion then runs over a whole column, in C where the column
    # allows it (see _json_column), instead of a Python call per value.
    by_column: list[Sequence[Any]] = [() for _ in fields]
    rest = ids
    if stored:
        direction_at = INSERT_COLUMNS.index("direction")
        deleted_at = INSERT_COLUMNS.index("deleted_at")
        kept: list[int] = []
        picked: list[Sequence[Any]] = []
        for pk in ids:
            row = stored.get(pk)
            if row is None or (inbound_only and (row[direction_at] == Direction.OUTBOUND.value
                                                 or row[deleted_at] is not None)):
                continue
            kept.append(pk)
            picked.append(row)
        if picked:
            transposed = list(zip(*picked, strict=True))
            by_column = [tuple(kept) if name == "id" else transposed[INSERT_COLUMNS.index(name)]
                         for name in fields]
        rest = [pk for pk in ids if pk not in stored]
    if rest:
        q = connection.ops.quote_name
        column = {f.attname: str(f.column) for f in Post._meta.concrete_fields}
        columns = ", ".join(q(column[name]) for name in fields)
        where, before = "", []
        if inbound_only:
            where = f"NOT ({q('direction')} = %s) AND {q('deleted_at')} IS NULL AND "
            before = [Direction.OUTBOUND.value]
        rows = _select_in(
            f"SELECT {columns} FROM {q(str(Post._meta.db_table))} "  # noqa: S608 - names only
            f"WHERE {where}{q('id')}", before, rest)
        if rows:
            by_column = [(*a, *b) for a, b in zip(by_column, zip(*rows, strict=True),
                                                  strict=True)]
    if not by_column or not by_column[0]:
        return []
    for index, conversion in convert:
        by_column[index] = conversion(by_column[index])
    out = [SimpleNamespace(**dict(zip(fields, values, strict=True)))
           for values in zip(*by_column, strict=True)]
    if "created_at" in fields and "id" in fields:
        out.sort(key=operator.attrgetter("created_at", "id"))
    return out


def _types(column: Sequence[Any]) -> set[type]:
    return set(map(type, column))


def _json_column(column: Sequence[Any]) -> list[Any]:
    """``_from_json`` of each value (None kept): JSON text to Python; the backends hand JSON
    over as text, so this is usually one ``orjson.loads`` over the column."""
    if _types(column) <= {str, bytes}:
        return list(map(orjson.loads, column))
    return [None if v is None else _from_json(v) for v in column]


def _time_column(column: Sequence[Any]) -> list[Any]:
    """``_from_db_time`` of each value (None kept)."""
    kinds = _types(column)
    if kinds == {str}:  # SQLite's naive UTC text, as _sqlite_time writes it
        try:
            return list(map(datetime.fromisoformat, map(str.__add__, column, repeat("+00:00"))))
        except ValueError:  # one of them had an offset of its own
            column = tuple(map(datetime.fromisoformat, column))
            kinds = {datetime}
    if kinds == {datetime} and set(map(_tzinfo, column)) == {None}:
        return list(map(_as_utc, column))
    return [None if v is None else _from_db_time(v) for v in column]


_tzinfo = operator.attrgetter("tzinfo")
_as_utc = operator.methodcaller("replace", tzinfo=UTC)


def _bool_column(column: Sequence[Any]) -> list[Any]:
    if None in column:
        return [None if v is None else bool(v) for v in column]
    return list(map(bool, column))


def _from_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _from_db_time(value: Any) -> Any:
    """SQLite hands over naive UTC (text, or parsed by the converter Django registers)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _advance(stream: Stream, *, cursor: str | None, lease_owner: str, now: datetime,
             got_items: bool, next_poll_at: datetime | None, note: str) -> None:
    updates: dict[str, Any] = {"last_polled_at": now, "last_error": note, "error_count": 0,
                               "next_poll_at": next_poll_at}
    if cursor is not None:
        updates["cursor"] = cursor
    if got_items:
        updates["last_item_at"] = now
    rows = Stream.objects.filter(pk=stream.pk)
    if lease_owner:
        rows = rows.filter(lease_owner=lease_owner)
    if rows.update(**updates) != 1:
        raise LeaseLost(f"stream {stream.pk} is no longer leased by {lease_owner}")
    if cursor is not None:
        stream.cursor = cursor
