"""A batch's posts are counted under their local day, found by comparing created_at with the
local midnights in the batch's span (not by a per-row time-zone function): the days must be
those the wall clock gives, across daylight saving changes, odd offsets and long spans."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from samen.insights import selectors
from samen.sources.models import Post
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def _moments(start: datetime, hours: float, step_minutes: int) -> list[datetime]:
    """Times from ``start`` over ``hours``, every ``step_minutes``, plus each local midnight
    of the span and the microsecond before it."""
    out = [start + timedelta(minutes=m) for m in range(0, int(hours * 60), step_minutes)]
    zone = timezone.get_default_timezone()
    day = start.astimezone(zone).date()
    while True:
        midnight = selectors.day_bounds(day)[1]
        if midnight > start + timedelta(hours=hours):
            break
        out += [midnight, midnight - timedelta(microseconds=1)]
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(("zone", "start", "hours"), [
    ("Europe/Brussels", datetime(2026, 3, 28, 20, 0, tzinfo=UTC), 30),  # into summer time
    ("Europe/Brussels", datetime(2026, 10, 24, 20, 0, tzinfo=UTC), 30),  # back to winter time
    ("America/New_York", datetime(2026, 3, 7, 18, 0, tzinfo=UTC), 60),  # three days
    ("Asia/Kathmandu", datetime(2026, 5, 1, 17, 0, tzinfo=UTC), 14),  # UTC+05:45
    ("Europe/Amsterdam", datetime(1930, 6, 1, 20, 0, tzinfo=UTC), 8),  # +00:19:32 in 1930
    ("Europe/Brussels", datetime(2026, 3, 20, 12, 0, tzinfo=UTC), 24 * 12),  # beyond the bound
    ("Pacific/Kiritimati", datetime(2026, 1, 5, 10, 0, tzinfo=UTC), 3),  # UTC+14, one day
])
def test_new_posts_are_counted_under_the_day_of_the_wall_clock(settings, zone, start, hours):
    settings.TIME_ZONE = zone
    tz = ZoneInfo(zone)
    moments = _moments(start, hours, step_minutes=17)
    posts = [PostFactory(created_at=m, source=("mastodon", "bluesky")[i % 2], language="nl",
                         hashtags=["dijk"]) for i, m in enumerate(moments)]
    want = Counter((m.astimezone(tz).date(), p.source) for m, p in zip(moments, posts,
                                                                          strict=True))
    ids = [p.pk for p in posts]
    got = Counter()
    for row in selectors.post_counts_of(ids):
        got[(row["day"], row["source"])] += row["n"]
    assert got == want
    tags = Counter()
    for day, source, _lang, tag, n in selectors.hashtag_counts_of(ids):
        assert tag == "dijk"
        tags[(day, source)] += n
    assert tags == want


def test_the_days_equal_truncdate_on_this_database(settings):
    """What the rollups stored before (TruncDate in the database) and what they store now
    agree post for post, so increments still add up to older recounts."""
    settings.TIME_ZONE = "Europe/Brussels"
    moments = _moments(datetime(2026, 10, 24, 21, 0, tzinfo=UTC), 28, step_minutes=23)
    ids = [PostFactory(created_at=m).pk for m in moments]
    old = {(r["day"], r["n"]) for r in Post.objects.filter(pk__in=ids)
           .annotate(day=TruncDate("created_at", tzinfo=timezone.get_default_timezone()))
           .order_by().values("day").annotate(n=Count("id"))}
    new = Counter()
    for row in selectors.post_counts_of(ids):
        new[row["day"]] += row["n"]
    assert set(new.items()) == old
    assert len(old) == 3


def _counting_day_function(calls: list[int]) -> None:
    """Count SQLite's calls of the per-row time-zone function behind TruncDate."""
    from django.db import connection
    from django.db.backends.sqlite3 import _functions

    connection.ensure_connection()

    def counted(*args):
        calls.append(1)
        return _functions._sqlite_datetime_cast_date(*args)

    connection.connection.create_function("django_datetime_cast_date", 3, counted)


def test_a_batch_is_counted_without_a_time_zone_function_per_post(settings):
    """The point of the change: on SQLite a batch's rollup makes no per-row Python call. A
    post outside the batch's span (changed between the two queries) and a batch of more
    than eight days still get TruncDate's exact answer."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's per-row function")
    settings.TIME_ZONE = "Europe/Brussels"
    calls: list[int] = []
    _counting_day_function(calls)
    moments = _moments(datetime(2026, 3, 28, 20, 0, tzinfo=UTC), 30, step_minutes=17)
    ids = [PostFactory(created_at=m, hashtags=["dijk"]).pk for m in moments]
    selectors.post_counts_of(ids)
    selectors.hashtag_counts_of(ids)
    assert calls == []
    batch = Post.objects.filter(pk__in=ids)
    day = selectors._local_day_of_created(batch)
    before = PostFactory(created_at=datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    after = PostFactory(created_at=datetime(2026, 4, 2, 22, 30, tzinfo=UTC))  # 00:30, summer
    found = dict(Post.objects.filter(pk__in=[*ids, before.pk, after.pk]).annotate(day=day)
                 .values_list("pk", "day"))
    assert (found[before.pk], found[after.pk]) == (date(2026, 3, 20), date(2026, 4, 3))
    assert len(calls) == 2  # only the posts outside the span
    long_ago = PostFactory(created_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    rows = selectors.post_counts_of([*ids, long_ago.pk])
    assert sum(r["n"] for r in rows if r["day"] == date(2026, 3, 1)) == 1
    assert len(calls) > 1  # more than eight days: TruncDate for every post
