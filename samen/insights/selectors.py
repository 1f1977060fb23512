"""Reads for insights: the daily aggregates behind the dashboard, the scan's results, and
the few aggregate reads of ``sources.Post`` that only insights needs (to build those
aggregates).

Every dashboard read sums rows of ``DailyPostCount``/``DailyHashtagCount`` (a few per day and
channel), so its cost follows the length of the period, not the number of posts.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, DateField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import Expression
from django.db.models.functions import TruncDate
from django.utils import timezone

from samen.core.ids import exactly
from samen.core.models import Person
from samen.insights.models import (
    DailyHashtagCount,
    DailyPostCount,
    HashtagBlockCount,
    ReportSubscription,
    ScanAnswerCount,
    ScanParticipation,
    ScanRound,
)
from samen.insights.registry import Filters, Period
from samen.sources.models import Post

# --- aggregates of posts (read from sources.Post only to build the daily rollups) ---------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next day, in the installation's time zone."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    """The first instant of the period's first day and of the day after its last."""
    return day_bounds(period.start)[0], day_bounds(period.end)[1]


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def post_counts_on(day: date) -> list[dict[str, Any]]:
    """Posts of one day grouped by channel, direction, language and sentiment (one indexed
    range query on ``created_at``)."""
    start, end = day_bounds(day)
    rows = (
        Post.objects.filter(created_at__gte=start, created_at__lt=end, deleted_at__isnull=True)
        .order_by()
        .values("source", "direction", "language", "sentiment")
        .annotate(n=Count("id"))
    )
    return [dict(r) for r in rows]


def hashtag_counts_on(day: date) -> list[tuple[str, str, str, int]]:
    """(source, language, tag folded to lower case, count) of received posts on one day.

    The JSON list of hashtags is unnested in the database (``json_each`` on SQLite,
    ``jsonb_array_elements_text`` on PostgreSQL), so no post is loaded into Python.
    """
    start, end = day_bounds(day)
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end)
    found = [(s, lang, tag, n) for _d, s, lang, tag, n in _hashtag_rows(posts, by_day=False)]
    return found


def _unnest_sql(posts: QuerySet[Any], *, by_day: bool,
                day_expr: Expression | None = None) -> tuple[str, list[Any]]:
    """SQL counting (day,) source, language and lower-cased tag of received posts, with the
    JSON list of hashtags unnested in the database, sorted by day. ``day_expr``: how the
    local day is found (TruncDate without it)."""
    posts = posts.filter(deleted_at__isnull=True, direction="in").order_by()
    if by_day:
        posts = posts.annotate(day=day_expr if day_expr is not None else TruncDate(
            "created_at", tzinfo=timezone.get_default_timezone()))
        inner = posts.values("day", "source", "language", "hashtags")
    else:
        inner = posts.values("source", "language", "hashtags")
    sql, params = inner.query.sql_with_params()
    day = "p.day, " if by_day else ""
    if connection.vendor == "postgresql":
        unnest = ("jsonb_array_elements_text(CASE WHEN jsonb_typeof(p.hashtags) = 'array' "
                  "THEN p.hashtags ELSE '[]'::jsonb END) AS t(tag)")
        tag = "t.tag"
    else:
        unnest = ("json_each(CASE WHEN json_type(p.hashtags) = 'array' THEN p.hashtags "
                  "ELSE '[]' END) j")
        tag = "j.value"
    group = "1, 2, 3, 4" if by_day else "1, 2, 3"
    return (f"SELECT {day}p.source, p.language, lower({tag}) AS tag, count(*) "  # noqa: S608
            f"FROM ({sql}) p, {unnest} GROUP BY {group} ORDER BY {group}", list(params))


def _hashtag_rows(posts: QuerySet[Any], *, by_day: bool, day_expr: Expression | None = None,
                  ) -> list[tuple[date | None, str, str, str, int]]:
    """Run ``_unnest_sql`` and clean the tags as the rollup stores them ("#" and spaces
    stripped, at most 100 characters, merged when equal after cleaning)."""
    sql, params = _unnest_sql(posts, by_day=by_day, day_expr=day_expr)
    merged: dict[tuple[date | None, str, str, str], int] = defaultdict(int)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            day: date | None = None
            if by_day:
                raw, row = row[0], row[1:]
                day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
            source, language, tag, n = row
            clean = str(tag or "").lstrip("#").strip()[:100]
            if clean:
                merged[(day, source, language or "", clean)] += int(n)
    return [(d, s, lang, tag, n) for (d, s, lang, tag), n in merged.items()]


def hashtag_counts_from(first: date | None) -> list[tuple[date | None, str, str, str, int]]:
    """(local day, source, language, tag, count) of every received post from ``first`` on
    (all posts without ``first``), in one pass over the table: a full rebuild reads each post
    once instead of a range query per day (ADR 0244)."""
    posts = Post.objects.all()
    if first is not None:
        posts = posts.filter(created_at__gte=day_bounds(first)[0])
    return _hashtag_rows(posts, by_day=True)


def post_counts_from(first: date | None) -> list[dict[str, Any]]:
    """Like ``post_counts_on``, with the local day, for every post from ``first`` on (all
    posts without it), grouped in the database in one pass."""
    posts = Post.objects.filter(deleted_at__isnull=True)
    if first is not None:
        posts = posts.filter(created_at__gte=day_bounds(first)[0])
    rows = (posts.annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
            .order_by().values("day", "source", "direction", "language", "sentiment")
            .annotate(n=Count("id")))
    return [dict(r) for r in rows]


def post_day_span() -> tuple[date, date] | None:
    """The first and last local day that has posts, or ``None`` without posts."""
    span = Post.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return None
    return local_day(span["first"]), local_day(span["last"])


def post_counts_of(post_ids: list[int], *,
                   day: Expression | None = None) -> list[dict[str, Any]]:
    """Like ``post_counts_from``, for the given posts only: what a batch of new posts adds to
    the daily rows (same grouping and same local day, so it adds up to a recount). ``day``:
    ``local_day_of_batch(post_ids)``, when the caller has it already."""
    posts = Post.objects.filter(exactly("pk", post_ids), deleted_at__isnull=True)
    rows = (posts.annotate(day=day if day is not None else local_day_of_batch(post_ids))
            .order_by().values("day", "source", "direction", "language", "sentiment")
            .annotate(n=Count("id")))
    return [dict(r) for r in rows]


# Up to this many local days in a batch of posts, their day is told by comparing created_at
# with the local midnights of its span; beyond it by TruncDate.
_DAYS_BY_MIDNIGHTS = 8


def _local_day_of_created(posts: QuerySet[Any]) -> Expression:
    """The local day of ``created_at`` for ``posts`` (a batch), as an expression to annotate
    them with.

    TruncDate with a time zone is a Python function on SQLite, called once per row: for a
    batch of new posts it cost more than the rest of the rollup. A batch spans a day or two,
    so its posts' day is found instead by comparing ``created_at`` with the few local
    midnights in its span (computed here by zoneinfo, so daylight saving time and any
    offset are exact), which every database does natively. A post outside the span (one
    that changed between the two queries) gets TruncDate's answer, and so does a batch of
    more than ``_DAYS_BY_MIDNIGHTS`` days. Same days as TruncDate
    (tests/insights/test_local_day_of_posts.py)."""
    by_truncation = TruncDate("created_at", tzinfo=timezone.get_default_timezone())
    span = posts.order_by().aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return by_truncation
    first, last = local_day(span["first"]), local_day(span["last"])
    days = (last - first).days + 1
    if days > _DAYS_BY_MIDNIGHTS:
        return by_truncation
    whens = [When(created_at__lt=day_bounds(first)[0], then=by_truncation)]  # before the span
    whens += [When(created_at__lt=day_bounds(day)[1], then=Value(day))
              for day in (first + timedelta(days=n) for n in range(days))]
    return Case(*whens, default=by_truncation, output_field=DateField())


def hashtag_counts_of(post_ids: list[int], *, day: Expression | None = None,
                      ) -> list[tuple[date | None, str, str, str, int]]:
    """Like ``hashtag_counts_from``, for the given posts only (tags folded by the database,
    as a recount folds them). ``day`` as for ``post_counts_of``."""
    return _hashtag_rows(Post.objects.filter(exactly("pk", post_ids)), by_day=True,
                         day_expr=day if day is not None else local_day_of_batch(post_ids))


def local_day_of_batch(post_ids: list[int]) -> Expression:
    """How ``post_counts_of`` and ``hashtag_counts_of`` tell the local day of a batch's posts
    (one query for the batch's span; see ``_local_day_of_created``)."""
    return _local_day_of_created(Post.objects.filter(exactly("pk", post_ids)))


def days_with_rollups(days: set[date]) -> set[date]:
    """Which of ``days`` already have daily rows."""
    return set(DailyPostCount.objects.filter(day__in=days).order_by()
               .values_list("day", flat=True).distinct())


def days_of_posts(post_ids: list[int]) -> set[date]:
    moments = Post.objects.filter(exactly("pk", post_ids)).values_list("created_at", flat=True)
    return {local_day(m) for m in moments}


def most_engaged_posts(*, period: Period, filters: Filters, limit: int = 5) -> list[Post]:
    """Received posts of the period that people reacted to most (replies in Samen's data),
    falling back to the most recent urgent ones: the report's "notable conversations" until
    the inbox provides its own."""
    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    posts = Post.objects.filter(created_at__gte=start, created_at__lt=end, direction="in",
                                deleted_at__isnull=True)
    if filters.channels:
        posts = posts.filter(source__in=filters.channels)
    if filters.languages:
        posts = posts.filter(language__in=filters.languages)
    return list(posts.order_by("-urgent", "-created_at")
                .only("id", "source", "author_handle", "author_name", "text", "language",
                      "sentiment", "created_at", "urgent", "url")[:limit])


# --- dashboard reads (from the rollups) ---------------------------------------------------


def _counts(period: Period, filters: Filters, *, direction: str | None) -> QuerySet[Any]:
    rows = DailyPostCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if direction:
        rows = rows.filter(direction=direction)
    if filters.channels:
        rows = rows.filter(source__in=filters.channels)
    if filters.languages:
        rows = rows.filter(language__in=filters.languages)
    return rows.order_by()


def volume_by_day(*, period: Period, filters: Filters,
                  direction: str = "in") -> dict[tuple[date, str], int]:
    """{(day, channel): posts} for received (``in``) or sent (``out``) posts."""
    rows = (_counts(period, filters, direction=direction)
            .values("day", "source").annotate(n=Sum("count")))
    return {(r["day"], r["source"]): int(r["n"]) for r in rows}


def sentiment_by_day(*, period: Period, filters: Filters) -> dict[tuple[date, str], int]:
    rows = (_counts(period, filters, direction="in")
            .values("day", "sentiment").annotate(n=Sum("count")))
    return {(r["day"], r["sentiment"]): int(r["n"]) for r in rows}


def language_mix(*, period: Period, filters: Filters) -> dict[str, int]:
    rows = (_counts(period, filters, direction="in")
            .values("language").annotate(n=Sum("count")))
    return {r["language"]: int(r["n"]) for r in rows}


BLOCK_SPANS = (28, 7)  # days; each a multiple of the next, all aligned on a Monday


def aligned(day: date, span: int) -> bool:
    """Blocks start on Mondays: ordinal 1 (1 January of year 1) is a Monday."""
    return (day.toordinal() - 1) % span == 0


def block_start(day: date, span: int) -> date:
    return day - timedelta(days=(day.toordinal() - 1) % span)


def split_period(start: date, end: date) -> list[tuple[int, date]]:
    """``[start, end]`` as consecutive (span, first day) pieces: single days up to the first
    Monday, weeks up to the first 28-day block, then blocks, then weeks and days at the end.
    Greedy on aligned blocks, so the pieces cover every day exactly once."""
    pieces: list[tuple[int, date]] = []
    day = start
    while day <= end:
        span = next((s for s in BLOCK_SPANS
                     if aligned(day, s) and day + timedelta(days=s - 1) <= end), 1)
        pieces.append((span, day))
        day += timedelta(days=span)
    return pieces


def _tag_filters(rows: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.channels:
        rows = rows.filter(source__in=filters.channels)
    if filters.languages:
        rows = rows.filter(language__in=filters.languages)
    return rows.order_by()


def top_hashtags(*, period: Period, filters: Filters, limit: int = 10) -> list[tuple[str, int]]:
    """The ``limit`` most used hashtags (ties by tag), summed from 28-day blocks, weeks and
    single days (ADR 0244): the same numbers as ``top_hashtags_daily``, from a tenth of the
    rows on a year."""
    pieces = split_period(period.start, period.end)
    days = [first for span, first in pieces if span == 1]
    blocks = [(span, first) for span, first in pieces if span > 1]
    parts: list[QuerySet[Any]] = []
    if days:
        parts.append(DailyHashtagCount.objects.filter(day__in=days))
    if blocks:
        where = Q()
        for span in sorted({span for span, _first in blocks}):
            where |= Q(span=span, first_day__in=[f for s, f in blocks if s == span])
        parts.append(HashtagBlockCount.objects.filter(where))
    selects: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = _tag_filters(part, filters).values("tag", "count").query \
            .sql_with_params()
        selects.append(sql)
        params.extend(part_params)
    union = " UNION ALL ".join(selects)
    sql = (f'SELECT u.tag, SUM(u."count") AS n FROM ({union}) u '  # noqa: S608
           "GROUP BY u.tag ORDER BY n DESC, u.tag LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(str(tag), int(n)) for tag, n in cursor.fetchall()]


def top_hashtags_daily(*, period: Period, filters: Filters,
                       limit: int = 10) -> list[tuple[str, int]]:
    """``top_hashtags`` from the daily rows only: the reference the blocks must equal."""
    rows = _tag_filters(DailyHashtagCount.objects.filter(day__gte=period.start,
                                                         day__lte=period.end), filters)
    top = rows.values("tag").annotate(n=Sum("count")).order_by("-n", "tag")[:limit]
    return [(r["tag"], int(r["n"])) for r in top]


def channels_with_posts() -> list[str]:
    return list(DailyPostCount.objects.order_by("source").values_list("source", flat=True)
                .distinct())


def languages_with_posts() -> list[str]:
    return [lang for lang in DailyPostCount.objects.order_by("language")
            .values_list("language", flat=True).distinct() if lang]


def mandate_holders_per_account(*, channels: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """(account name, active mandate holders): who may speak for the organisation, on the
    accounts of ``channels`` (every account when empty)."""
    from samen.sources import selectors as sources

    accounts = sources.accounts()
    if channels:
        accounts = accounts.filter(provider__in=channels)
    rows = (accounts.order_by("name", "pk")
            .annotate(n=Count("mandates", filter=Q(mandates__person__is_active=True)))
            .values_list("name", "n"))
    return [(str(name), int(n)) for name, n in rows]


# --- report subscriptions ----------------------------------------------------------------


def is_subscribed(person: Person) -> bool:
    return ReportSubscription.objects.filter(person=person).exists()


def subscribers() -> QuerySet[Person]:
    return Person.objects.filter(report_subscription__isnull=False, is_active=True) \
        .exclude(email="").order_by("pk")


# --- the maturity scan ------------------------------------------------------------------


def participation_token(*, round_id: int, person_id: int) -> str:
    """A keyed hash of (round, person): the same person gets the same token within a round
    (so they cannot answer twice) but without the server's key nobody can tell whose it is,
    and tokens of different rounds cannot be linked."""
    key = hashlib.sha256(("samen.insights.scan:" + settings.SECRET_KEY).encode()).digest()
    message = f"{round_id}:{person_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def open_round() -> ScanRound | None:
    return ScanRound.objects.filter(state=ScanRound.State.OPEN).first()


def rounds() -> QuerySet[ScanRound]:
    # Meta.ordering is not applied to GROUP BY queries: order explicitly, newest first.
    return ScanRound.objects.annotate(respondents=Count("participations")) \
        .order_by("-opened_at", "-id")


def has_answered(*, scan_round: ScanRound, person: Person) -> bool:
    token = participation_token(round_id=scan_round.pk, person_id=person.pk)
    return ScanParticipation.objects.filter(round=scan_round, token=token).exists()


def respondents(scan_round: ScanRound) -> int:
    return ScanParticipation.objects.filter(round=scan_round).count()


def answer_distributions(scan_round: ScanRound) -> dict[str, dict[int, int]]:
    """{statement key: {score: count}} of one round."""
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for question, score, count in ScanAnswerCount.objects.filter(round=scan_round) \
            .values_list("question", "score", "count"):
        found[question][score] = count
    return dict(found)


def previous_round(scan_round: ScanRound) -> ScanRound | None:
    return (ScanRound.objects.filter(opened_at__lt=scan_round.opened_at)
            .order_by("-opened_at", "-id").first())
