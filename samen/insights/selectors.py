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
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from samen.core.models import Person
from samen.insights.models import (
    DailyHashtagCount,
    DailyPostCount,
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
    table = Post._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT p.source, p.language, lower(t.tag) AS tag, count(*) "  # noqa: S608
            f"FROM {table} p, jsonb_array_elements_text(CASE WHEN jsonb_typeof(p.hashtags) "
            "= 'array' THEN p.hashtags ELSE '[]'::jsonb END) AS t(tag) "
            "WHERE p.created_at >= %s AND p.created_at < %s AND p.deleted_at IS NULL "
            "AND p.direction = 'in' "
            "GROUP BY 1, 2, 3"
        )
    else:
        sql = (
            f"SELECT p.source, p.language, lower(j.value) AS tag, count(*) "  # noqa: S608
            f"FROM {table} p, json_each(CASE WHEN json_type(p.hashtags) = 'array' "
            "THEN p.hashtags ELSE '[]' END) j "
            "WHERE p.created_at >= %s AND p.created_at < %s AND p.deleted_at IS NULL "
            "AND p.direction = 'in' "
            "GROUP BY 1, 2, 3"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(start),
                             connection.ops.adapt_datetimefield_value(end)])
        rows = cursor.fetchall()
    merged: dict[tuple[str, str, str], int] = defaultdict(int)
    for source, language, tag, n in rows:
        clean = str(tag or "").lstrip("#").strip()[:100]
        if clean:
            merged[(source, language or "", clean)] += int(n)
    return [(s, lang, tag, n) for (s, lang, tag), n in merged.items()]


def post_day_span() -> tuple[date, date] | None:
    """The first and last local day that has posts, or ``None`` without posts."""
    span = Post.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    if span["first"] is None:
        return None
    return local_day(span["first"]), local_day(span["last"])


def days_of_posts(post_ids: list[int]) -> set[date]:
    moments = Post.objects.filter(pk__in=post_ids).values_list("created_at", flat=True)
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


def top_hashtags(*, period: Period, filters: Filters, limit: int = 10) -> list[tuple[str, int]]:
    rows = DailyHashtagCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if filters.channels:
        rows = rows.filter(source__in=filters.channels)
    if filters.languages:
        rows = rows.filter(language__in=filters.languages)
    top = rows.order_by().values("tag").annotate(n=Sum("count")).order_by("-n", "tag")[:limit]
    return [(r["tag"], int(r["n"])) for r in top]


def channels_with_posts() -> list[str]:
    return list(DailyPostCount.objects.order_by("source").values_list("source", flat=True)
                .distinct())


def languages_with_posts() -> list[str]:
    return [lang for lang in DailyPostCount.objects.order_by("language")
            .values_list("language", flat=True).distinct() if lang]


def mandate_holders_per_account() -> list[tuple[str, int]]:
    """(account name, active mandate holders): who may speak for the organisation."""
    from samen.sources import selectors as sources

    rows = (sources.accounts().order_by("name", "pk")
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
