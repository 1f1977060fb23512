"""The hashtag weeks and 28-day blocks (ADR 0244) give exactly the numbers of the daily
rows, for any period and filter, after a full rebuild and after a day is refreshed; and a
rebuild in one pass over the posts gives the same rows as refreshing day by day."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from samen.insights import actions, selectors
from samen.insights.models import DailyHashtagCount, DailyPostCount, HashtagBlockCount
from samen.insights.registry import Filters, Period
from samen.sources.signals import posts_stored
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db

FIRST = date(2026, 2, 1)
DAYS = 120  # over the change to summer time (29 March 2026 in Brussels)
TAGS = ["afval", "Afval", "#afval", "zomerfeest", "fiets", "stadhuis", "  park ", "#", "trein"]


@pytest.fixture
def spread_posts():
    rng = random.Random(7)
    accounts = {p: AccountFactory(provider=p) for p in ("mastodon", "bluesky")}
    for i in range(400):
        source = rng.choice(["mastodon", "mastodon", "bluesky"])
        moment = datetime.combine(FIRST, datetime.min.time(), UTC) + timedelta(
            minutes=rng.randrange(DAYS * 24 * 60))
        if i % 20 == 0:  # just before local midnight in winter and summer
            moment = moment.replace(hour=22, minute=59 + rng.choice([0, 1]) - 1)
        PostFactory(account=accounts[source], source=source, external_id=f"s{i}",
                    created_at=moment, language=rng.choice(["nl", "fr", "en", ""]),
                    sentiment=rng.choice(["positive", "negative", ""]),
                    direction="out" if i % 9 == 0 else "in",
                    deleted_at=moment if i % 31 == 0 else None,
                    hashtags=rng.sample(TAGS, k=rng.choice([0, 1, 2, 3])))


def rows():
    return (
        sorted(DailyPostCount.objects.values_list("day", "source", "direction", "language",
                                                  "sentiment", "count")),
        sorted(DailyHashtagCount.objects.values_list("day", "source", "language", "tag",
                                                     "count")),
        sorted(HashtagBlockCount.objects.values_list("span", "first_day", "source",
                                                     "language", "tag", "count")),
    )


def test_a_period_splits_into_aligned_pieces_covering_each_day_once():
    for start in (date(2026, 1, 1) + timedelta(days=i) for i in range(0, 60, 3)):
        for length in (1, 6, 7, 13, 28, 29, 56, 91, 365):
            end = start + timedelta(days=length - 1)
            pieces = selectors.split_period(start, end)
            covered = [first + timedelta(days=i) for span, first in pieces for i in range(span)]
            assert covered == [start + timedelta(days=i) for i in range(length)]
            for span, first in pieces:
                assert span in (1, 7, 28)
                assert span == 1 or first.weekday() == 0
                assert span == 1 or (first.toordinal() - 1) % span == 0
    # A year is a few dozen pieces, not 365 days.
    assert len(selectors.split_period(date(2025, 11, 28), date(2026, 11, 27))) <= 13 + 6 + 12


def test_a_rebuild_in_one_pass_equals_refreshing_each_day(spread_posts):
    assert actions.do_rebuild_post_rollups() > actions.BULK_REBUILD_DAYS
    bulk = rows()
    assert bulk[1] and bulk[2]
    DailyPostCount.objects.all().delete()
    DailyHashtagCount.objects.all().delete()
    HashtagBlockCount.objects.all().delete()
    actions.do_refresh_post_rollups(days=[FIRST + timedelta(days=i) for i in range(DAYS + 1)])
    assert rows() == bulk
    # From a given day on: the days before keep their rows, the rest is rebuilt the same way.
    actions.do_rebuild_post_rollups(since=date(2026, 3, 10))
    assert rows() == bulk


def test_top_hashtags_from_blocks_equal_the_daily_sums(spread_posts):
    actions.do_rebuild_post_rollups()
    rng = random.Random(3)
    filter_sets = [Filters(), Filters(channels=("bluesky",)), Filters(languages=("fr", "")),
                   Filters(channels=("mastodon",), languages=("nl",))]
    periods = [Period(FIRST + timedelta(days=s), FIRST + timedelta(days=s + n - 1))
               for s, n in [(0, 1), (0, 7), (3, 28), (0, 121), (-30, 365), (40, 91)]]
    for _ in range(60):
        start = FIRST + timedelta(days=rng.randrange(-10, DAYS))
        periods.append(Period(start, start + timedelta(days=rng.randrange(1, 130))))
    for period in periods:
        for filters in filter_sets:
            for limit in (3, 10, 100):
                assert selectors.top_hashtags(period=period, filters=filters, limit=limit) \
                    == selectors.top_hashtags_daily(period=period, filters=filters,
                                                     limit=limit), (period, filters, limit)


def test_blocks_follow_a_refreshed_day(spread_posts):
    actions.do_rebuild_post_rollups()
    year = Period(FIRST - timedelta(days=100), FIRST + timedelta(days=DAYS + 100))
    before = dict(selectors.top_hashtags(period=year, filters=Filters(), limit=100))
    new = PostFactory(source="mastodon", external_id="late", hashtags=["fiets", "nieuw"],
                      created_at=datetime(2026, 3, 18, 12, tzinfo=UTC))
    posts_stored.send(sender=None, post_ids=[new.pk])
    after = dict(selectors.top_hashtags(period=year, filters=Filters(), limit=100))
    assert after["fiets"] == before["fiets"] + 1
    assert after["nieuw"] == 1
    assert list(after.items()) == selectors.top_hashtags_daily(period=year, filters=Filters(),
                                                               limit=100)
    new.delete()
    posts_stored.send(sender=None, post_ids=[])
    actions.do_refresh_post_rollups(days=[date(2026, 3, 18)])
    assert dict(selectors.top_hashtags(period=year, filters=Filters(), limit=100)) == before
