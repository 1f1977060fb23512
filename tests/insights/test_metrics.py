"""The post metrics count what is in the database, per local day, channel, language and
sentiment, through the daily rollups; other apps' metrics show as "not available yet"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.insights import actions, dashboard, registry, selectors
from samen.insights.metrics import hashtags, languages, mention_volume, sentiment_over_time
from samen.insights.models import DailyPostCount
from samen.insights.registry import Filters, Metric, MetricTable, Period
from samen.sources.signals import posts_stored
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db

NOV = Period(date(2026, 11, 2), date(2026, 11, 8))


def post(day: int, hour: int = 10, **fields):
    fields.setdefault("created_at", datetime(2026, 11, day, hour, 0, tzinfo=UTC))
    return PostFactory(**fields)


@pytest.fixture
def known_posts():
    mastodon = AccountFactory(provider="mastodon")
    bluesky = AccountFactory(provider="bluesky")
    post(2, account=mastodon, source="mastodon", language="nl", sentiment="negative",
         hashtags=["Afval", "#afval"])
    post(2, account=mastodon, source="mastodon", language="nl", sentiment="positive",
         hashtags=["zomerfeest"])
    post(3, account=bluesky, source="bluesky", language="fr", sentiment="neutral",
         hashtags=["afval"])
    post(3, account=bluesky, source="bluesky", language="en", sentiment="negative")
    # 23:00 UTC on the 3rd is already the 4th in Brussels.
    post(3, 23, account=mastodon, source="mastodon", language="nl", sentiment="positive",
         hashtags=["nacht"])
    # Sent by the organisation: not a mention.
    post(4, account=mastodon, source="mastodon", direction="out", language="nl")
    # Deleted posts no longer count; posts outside the period neither.
    post(5, account=mastodon, source="mastodon", deleted_at=datetime(2026, 11, 6, tzinfo=UTC))
    post(20, account=mastodon, source="mastodon")
    actions.do_rebuild_post_rollups()


def test_mentions_are_counted_per_local_day_and_channel(known_posts):
    table = mention_volume(NOV, Filters())
    assert table.categories[:3] == ["2 Nov", "3 Nov", "4 Nov"]
    series = dict(table.series)
    assert series["Mastodon"][:3] == [2, 0, 1]
    assert series["Bluesky"][:3] == [0, 2, 0]
    assert table.headline == 5


def test_filters_narrow_every_metric(known_posts):
    only_fr = Filters(languages=("fr",))
    assert mention_volume(NOV, only_fr).headline == 1
    only_bluesky = Filters(channels=("bluesky",))
    assert dict(languages(NOV, only_bluesky).series)["Posts"] == [1, 1]
    assert hashtags(NOV, only_bluesky).categories == ["#afval"]


def test_the_languages_headline_counts_languages_not_posts(known_posts):
    table = languages(NOV, Filters())
    assert dict(table.series)["Posts"] == [3, 1, 1]  # nl, then en and fr
    assert table.headline == 3
    assert str(table.headline_unit) == "languages"  # "3 posts" read as if three posts came in


def test_sentiment_headline_is_the_share_of_negative_posts(known_posts):
    table = sentiment_over_time(NOV, Filters())
    series = dict(table.series)
    assert series["Negative"][:2] == [1, 1]
    assert series["Positive"][:3] == [1, 0, 1]
    assert table.headline == 40.0
    assert table.headline_better == "lower"


def test_hashtags_are_folded_and_ranked(known_posts):
    table = hashtags(NOV, Filters())
    assert table.categories == ["#afval", "#nacht", "#zomerfeest"]
    assert dict(table.series)["Posts"] == [3, 1, 1]
    # Counted on the local day: the late post belongs to the 4th, not the 3rd.
    assert hashtags(Period(date(2026, 11, 4), date(2026, 11, 4)), Filters()).categories == [
        "#nacht"]
    assert "#nacht" not in hashtags(Period(date(2026, 11, 3), date(2026, 11, 3)),
                                    Filters()).categories


def test_long_periods_are_shown_per_week(known_posts):
    year = Period(date(2025, 11, 9), date(2026, 11, 8))
    table = mention_volume(year, Filters())
    assert len(table.categories) == 53
    assert sum(dict(table.series)["Mastodon"]) == 3


def test_new_posts_reach_the_rollups_through_the_signal(known_posts):
    new = post(6, source="mastodon", language="de")
    posts_stored.send(sender=None, post_ids=[new.pk])
    assert selectors.language_mix(period=NOV, filters=Filters())["de"] == 1
    # Sending twice does not count twice: a day is recomputed, not incremented.
    posts_stored.send(sender=None, post_ids=[new.pk])
    assert selectors.language_mix(period=NOV, filters=Filters())["de"] == 1


def test_the_dashboard_reads_aggregates_in_a_bounded_number_of_queries(known_posts):
    for i in range(50):
        post(2 + i % 6, external_id=f"bulk-{i}", language="nl")
    actions.do_rebuild_post_rollups()
    with CaptureQueriesContext(connection) as small:
        dashboard.build(NOV, Filters())
    for i in range(300):
        post(2 + i % 6, external_id=f"more-{i}", language="fr")
    actions.do_rebuild_post_rollups()
    with CaptureQueriesContext(connection) as large:
        dashboard.build(NOV, Filters())
    assert len(large) == len(small)
    assert not any("sources_post" in q["sql"] for q in large.captured_queries)
    assert DailyPostCount.objects.count() < 30


@pytest.fixture
def placeholder():
    """A metric some app promised but has not registered yet (every real one is registered)."""
    registry.expect(registry.ExpectedMetric("archive.completeness", "Archive completeness",
                                            "trust", "archive"))
    yield "archive.completeness"
    registry._registry.expected.pop("archive.completeness", None)


def test_missing_metrics_are_listed_as_not_available_yet(placeholder):
    slots = {s.key: s for s in registry.slots()}
    assert slots["posts.mentions"].available
    assert not slots[placeholder].available
    assert slots[placeholder].app == "archive"
    assert {s.element for s in slots.values()} == set(registry.Element.values)


def test_a_metric_registered_by_another_app_replaces_its_placeholder(placeholder):
    def clicks(period: Period, filters: Filters) -> MetricTable:
        return MetricTable(categories=["2 Nov"], series=[("Clicks", [42.0])],
                           headline=42.0, headline_better="lower")

    registry.register(Metric(placeholder, "Clicks", "trust", clicks, app="archive"))
    try:
        slot = next(s for s in registry.slots() if s.key == placeholder)
        panel = dashboard.build_panel(slot, NOV, Filters())
        assert panel.available and panel.headline == 42.0
        assert 'data-value="42"' in panel.svg
    finally:
        registry.unregister(placeholder)
    assert not next(s for s in registry.slots() if s.key == placeholder).available


def test_unknown_elements_are_refused():
    with pytest.raises(ValueError, match="unknown model element"):
        registry.register(Metric("x.y", "X", "marketing", lambda p, f: MetricTable([], [])))


def test_a_failing_rollup_refresh_never_stops_ingest(known_posts, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(actions, "do_refresh_post_rollups", broken)
    new = post(6, source="mastodon", language="de")
    posts_stored.send(sender=None, post_ids=[new.pk])  # does not raise
    assert "Could not refresh the insights rollups" in caplog.text
