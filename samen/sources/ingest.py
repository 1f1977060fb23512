"""Storing normalized posts: batched, idempotent, with the stream's cursor in the same commit.

The one rule that makes ``kill -9`` harmless: a batch's posts, its edits and deletions and the
cursor that says "we have these" are written in **one transaction**. If the process dies before
the commit, nothing of the batch is stored and the cursor still points before it, so the next
run fetches it again; if it dies after, the cursor has moved on. Posts are unique on
``(source, external_id)`` and inserted with conflicts ignored, so a batch delivered twice (a
network that repeats itself, two listeners at a lease hand-over) is stored once.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


def _values(post: NormalizedPost, *, account: Account | None, direction: str,
            now: datetime, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Post columns for ``post`` (by attribute name), enrichment included."""
    values: dict[str, Any] = {
        "account_id": account.pk if account is not None else None,
        "source": post.source,
        "external_id": fit_id(post.external_id),
        "url": _fit(post.url, MAX_URL),
        "direction": direction,
        "author_handle": post.author.handle[:MAX_ID],
        "author_name": post.author.display_name[:MAX_ID],
        "author_url": _fit(post.author.profile_url, MAX_URL),
        "author_external_id": post.author.external_id[:MAX_ID],
        "text": post.text,
        "source_language": (post.lang or "")[:16],
        "created_at": post.created_at,
        "ingested_at": now,
        "reply_to_external_id": fit_id(post.reply_to_id) if post.reply_to_id else "",
        "thread_root_external_id": fit_id(post.thread_root_id) if post.thread_root_id else "",
        "mentions": post.mentions,
        "hashtags": post.hashtags,
        "links": post.links,
        "media": [{"url": m.url, "alt_text": m.alt_text, "kind": m.kind} for m in post.media],
        "visibility": str(post.visibility),
        "edited_at": post.edited_at,
        "deleted_at": now if post.deleted else None,
        "language": "",
        "sentiment": "",
        "sentiment_confidence": None,
        "intent": "",
        "urgent": False,
        "urgency_reasons": [],
        "raw": post.raw,
    }
    if extra:
        values.update((k, v) for k, v in extra.items() if k in ENRICHED_FIELDS)
    return values


def _enrichments(posts: Sequence[NormalizedPost]) -> list[Mapping[str, Any] | None]:
    if _enricher is None or not posts:
        return [None] * len(posts)
    return list(_enricher(posts))


# The columns ``_insert`` fills, in the order ``_new_row`` gives them (checked against the
# model on first use, so a column added to Post cannot be forgotten here).
INSERT_COLUMNS = (
    "account_id", "source", "external_id", "url", "direction", "author_handle", "author_name",
    "author_url", "author_external_id", "text", "source_language", "created_at", "ingested_at",
    "reply_to_external_id", "thread_root_external_id", "mentions", "hashtags", "links",
    "media", "visibility", "edited_at", "deleted_at", "language", "sentiment",
    "sentiment_confidence", "intent", "urgent", "urgency_reasons", "raw",
)
_insert_sql: dict[str, str] = {}  # per database vendor


def _insert_statement() -> str:
    vendor = connection.vendor
    if vendor not in _insert_sql:
        fields = {f.attname: f for f in Post._meta.concrete_fields if f.attname != "id"}
        if set(fields) != set(INSERT_COLUMNS):
            raise RuntimeError("sources.ingest.INSERT_COLUMNS no longer matches the Post model")
        ops = connection.ops
        marks = ["%s::jsonb" if vendor == "postgresql"
                 and isinstance(fields[name], models.JSONField) else "%s"
                 for name in INSERT_COLUMNS]
        # Only quoted names from the model and placeholders go into the text: no data.
        _insert_sql[vendor] = (
            f"INSERT INTO {ops.quote_name(str(Post._meta.db_table))} "  # noqa: S608
            f"({', '.join(ops.quote_name(str(fields[n].column)) for n in INSERT_COLUMNS)}) "
            f"VALUES ({', '.join(marks)}) "
            f"ON CONFLICT ({ops.quote_name('source')}, {ops.quote_name('external_id')}) "
            f"DO NOTHING")
    return _insert_sql[vendor]


def _json_list(value: Sequence[Any] | None) -> str:
    return orjson.dumps(value).decode() if value else "[]"


def _new_row(post: NormalizedPost, extra: Mapping[str, Any] | None, *, account_id: int | None,
             direction: str, now: Any, db_time: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """The INSERT parameters of a new post (``INSERT_COLUMNS``; same values as ``_values``)."""
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


def _insert(new: Sequence[tuple[NormalizedPost, Mapping[str, Any] | None]], *,
            account: Account | None, direction: str, now: datetime) -> None:
    """INSERT ... ON CONFLICT DO NOTHING with executemany.

    The ORM's bulk_create spends most of its time preparing each value through each field;
    here the parameters are built straight from the NormalizedPost, each column's conversion
    chosen once, which is what makes ingest keep up with a firehose. Same table, same
    constraint, same stored values as the ORM would write.
    """
    sql = _insert_statement()
    # psycopg adapts aware datetimes itself; SQLite stores naive UTC text, as Django does.
    db_time: Callable[[datetime], Any] = \
        (lambda value: value) if connection.vendor == "postgresql" else _sqlite_time
    account_id = account.pk if account is not None else None
    db_now = db_time(now)
    params = [_new_row(post, extra, account_id=account_id, direction=direction, now=db_now,
                       db_time=db_time) for post, extra in new]
    with connection.cursor() as cursor:
        for chunk in _chunks(params):
            cursor.executemany(sql, chunk)


def _sqlite_time(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (naive UTC, space-separated)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


_EDIT_FIELDS = ["text", "url", "mentions", "hashtags", "links", "media", "visibility",
                "edited_at", "raw", "source_language", *ENRICHED_FIELDS]


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

    with transaction.atomic():
        existing: dict[tuple[str, str], tuple[int, datetime | None]] = {}
        for source, ids in by_source.items():
            for chunk in _chunks(ids):
                for pk, external_id, edited_at in Post.objects.filter(
                    source=source, external_id__in=chunk
                ).values_list("pk", "external_id", "edited_at"):
                    existing[(source, external_id)] = (pk, edited_at)
        new_rows: list[tuple[NormalizedPost, Mapping[str, Any] | None]] = []
        new_keys: set[tuple[str, str]] = set()
        edits: list[Post] = []
        def needs_values(key: tuple[str, str], post: NormalizedPost) -> bool:
            if key not in existing:
                return True
            stored_edit = existing[key][1]
            return post.edited_at is not None and (stored_edit is None
                                                   or post.edited_at > stored_edit)

        wanted = [(key, post) for key, post in unique.items() if needs_values(key, post)]
        extras = dict(zip((key for key, _p in wanted),
                          _enrichments([post for _k, post in wanted]), strict=True))
        for key, post in unique.items():
            if key not in existing:
                new_rows.append((post, extras[key]))
                new_keys.add(key)
                continue
            pk, stored_edit = existing[key]
            if post.edited_at is not None and (stored_edit is None or post.edited_at > stored_edit):
                row = Post(**_values(post, account=account, direction=direction, now=now,
                                     extra=extras[key]))
                row.pk = pk
                edits.append(row)
            else:
                result.duplicates += 1
        if new_rows:
            _insert(new_rows, account=account, direction=direction, now=now)
            result.created = len(new_rows)
        if edits:
            Post.objects.bulk_update(edits, _EDIT_FIELDS, batch_size=CHUNK)
            result.updated = len(edits)
            result.post_ids.extend(row.pk for row in edits)
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
        if notify and new_rows:
            for source, ids in by_source.items():
                for chunk in _chunks([i for i in ids if (source, i) in new_keys]):
                    for pk, ingested_at in Post.objects.filter(
                            source=source, external_id__in=chunk).values_list(
                                "pk", "ingested_at"):
                        result.post_ids.append(pk)
                        if ingested_at == now:
                            inserted.append(pk)
        if notify and result.post_ids:
            ids_to_send = list(result.post_ids)
            transaction.on_commit(lambda: posts_stored.send(
                sender=Post, post_ids=ids_to_send, new_post_ids=inserted))
    return result


def read_back(post_ids: Iterable[int], fields: Sequence[str], *,
              inbound_only: bool = False) -> list[SimpleNamespace]:
    """Columns of stored posts as plain objects (in (created_at, id) order when both are among
    ``fields``), for the steps that follow the ingest (understanding, the inbox's intake).

    Each of those steps reads back the batch just stored; done through the ORM, converting
    every value of every row cost more than the query. Here the ORM writes the SQL and each
    column's conversion is chosen once: JSON text to Python (the backends hand JSON over as
    text), SQLite's naive UTC times to aware datetimes, integers to booleans. ``inbound_only``
    leaves out the organisation's own posts and deleted ones.
    """
    ids = sorted({int(i) for i in post_ids})
    out: list[SimpleNamespace] = []
    if not ids:
        return out
    convert: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(fields):
        model_field = Post._meta.get_field(name)
        if isinstance(model_field, models.JSONField):
            convert.append((index, _from_json))
        elif isinstance(model_field, models.DateTimeField):
            convert.append((index, _from_db_time))
        elif isinstance(model_field, models.BooleanField):
            convert.append((index, _from_db_bool))
    for chunk in _chunks(ids):
        rows = Post.objects.filter(pk__in=chunk)
        if inbound_only:
            rows = rows.exclude(direction=Direction.OUTBOUND).filter(deleted_at__isnull=True)
        sql, params = rows.order_by().values_list(*fields).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        for row in fetched:
            values = list(row)
            for index, conversion in convert:
                if values[index] is not None:
                    values[index] = conversion(values[index])
            out.append(SimpleNamespace(**dict(zip(fields, values, strict=True))))
    if "created_at" in fields and "id" in fields:
        out.sort(key=operator.attrgetter("created_at", "id"))
    return out


def _from_json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _from_db_time(value: Any) -> Any:
    """SQLite hands over naive UTC (text, or parsed by the converter Django registers)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _from_db_bool(value: Any) -> bool:
    return bool(value)


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
