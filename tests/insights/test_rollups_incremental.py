"""Posts new in a batch are added to the rollups instead of recounting their day (ADR 0246):
after any sequence of batches through the real ingest the rows equal a full recount, a
redelivered batch counts nothing twice, edits and deletions fall back to the recount, and
the work per batch does not grow with the posts already stored that day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.insights import actions
from samen.insights.models import DailyHashtagCount, DailyPostCount, HashtagBlockCount
from samen.sources.ingest import store_batch
from samen.sources.models import Post
from samen.sources.signals import posts_stored
from samen.sources.types import Author, NormalizedPost
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

# 22:30 UTC is already the next day in Brussels (UTC+1 in winter): local days are counted.
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TAGS = [["afval"], ["Afval", "#park"], [], ["Fiets", "fiets", "  trein "], ["#"]]


def post(n: int, *, at: datetime = T0, source: str = "mastodon", **changes) -> NormalizedPost:
    values = {"source": source, "external_id": f"{source}:{n}", "text": f"Bericht {n}",
              "created_at": at, "author": Author(handle=f"@p{n % 7}", display_name="P"),
              "lang": ["nl", "fr", "en", ""][n % 4], "hashtags": TAGS[n % len(TAGS)],
              "raw": {"id": n}}
    values.update(changes)
    return NormalizedPost(**values)


def rows():
    return (
        sorted(DailyPostCount.objects.values_list("day", "source", "direction", "language",
                                                  "sentiment", "count")),
        sorted(DailyHashtagCount.objects.values_list("day", "source", "language", "tag",
                                                     "count")),
        sorted(HashtagBlockCount.objects.values_list("span", "first_day", "source",
                                                     "language", "tag", "count")),
    )


def recounted():
    """The rows a full rebuild gives, leaving the live rows as they were."""
    live = rows()
    actions.do_rebuild_post_rollups()
    full = rows()
    for model in (DailyPostCount, DailyHashtagCount, HashtagBlockCount):
        model.objects.all().delete()
    DailyPostCount.objects.bulk_create(DailyPostCount(
        day=d, source=s, direction=di, language=lang, sentiment=se, count=n)
        for d, s, di, lang, se, n in live[0])
    DailyHashtagCount.objects.bulk_create(DailyHashtagCount(
        day=d, source=s, language=lang, tag=t, count=n) for d, s, lang, t, n in live[1])
    HashtagBlockCount.objects.bulk_create(HashtagBlockCount(
        span=sp, first_day=f, source=s, language=lang, tag=t, count=n)
        for sp, f, s, lang, t, n in live[2])
    return full


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    accounts = {p: AccountFactory(provider=p) for p in ("mastodon", "bluesky")}

    def run(posts, **kwargs):
        source = posts[0].source if posts else "mastodon"
        with django_capture_on_commit_callbacks(execute=True):
            return store_batch(posts=posts, account=accounts[source], **kwargs)
    return run


def test_batches_over_days_channels_and_time_zones_add_up_to_a_recount(ingest):
    for batch in range(4):
        at = T0 + timedelta(hours=batch * 5)  # 08:00 ... 23:00 UTC: two local days
        ingest([post(batch * 100 + i, at=at + timedelta(minutes=i)) for i in range(30)])
        ingest([post(batch * 100 + i, at=at, source="bluesky") for i in range(10)])
    ingest([post(900 + i) for i in range(5)], direction="out")
    assert {d for d, *_rest in rows()[0]} == {date(2026, 3, 2), date(2026, 3, 3)}
    assert rows()[1] and rows()[2]
    assert rows() == recounted()
    week = HashtagBlockCount.objects.filter(span=7, first_day=date(2026, 3, 2), tag="afval")
    assert sum(week.values_list("count", flat=True)) == sum(
        DailyHashtagCount.objects.filter(tag="afval").values_list("count", flat=True)) > 0


def test_language_and_sentiment_of_new_posts_are_counted(ingest, monkeypatch):
    from samen.sources import ingest as ingest_module

    def enrich(posts):
        return [{"language": p.lang or "nl", "sentiment": "negative" if "1" in p.text
                 else "positive"} for p in posts]

    monkeypatch.setattr(ingest_module, "_enricher", enrich)
    ingest([post(i) for i in range(20)])
    ingest([post(i) for i in range(20, 45)])
    assert {(lang, s) for _d, _s, _di, lang, s, _n in rows()[0]} >= {
        ("fr", "negative"), ("nl", "positive")}
    assert rows() == recounted()


def test_a_redelivered_batch_changes_nothing(ingest):
    batch = [post(i) for i in range(25)]
    ingest(batch)
    before = rows()
    assert ingest(batch).created == 0
    assert rows() == before == recounted()


def test_edits_and_deletions_fall_back_to_the_recount(ingest):
    ingest([post(i) for i in range(20)])
    edited = post(3, hashtags=["nieuw"], edited_at=T0 + timedelta(hours=1))
    ingest([edited, post(50), post(51, at=T0 - timedelta(days=3))])
    assert DailyHashtagCount.objects.filter(tag="nieuw").exists()
    ingest([post(60)], deleted_ids=["mastodon:4", "mastodon:51"])
    assert rows() == recounted()
    assert sum(DailyPostCount.objects.values_list("count", flat=True)) == \
        Post.objects.filter(deleted_at__isnull=True).count()


def test_a_sender_without_new_ids_still_recounts(ingest):
    ingest([post(i) for i in range(10)])
    DailyPostCount.objects.update(count=1)
    posts_stored.send(sender=Post, post_ids=list(Post.objects.values_list("pk", flat=True)))
    assert rows() == recounted()


def test_a_lost_increment_heals_when_the_next_day_gets_its_first_posts(ingest):
    ingest([post(i) for i in range(10)])
    DailyPostCount.objects.update(count=1)  # as if an increment was lost in a crash
    DailyHashtagCount.objects.all().delete()
    ingest([post(100 + i, at=T0 + timedelta(days=1)) for i in range(5)])
    assert rows() == recounted()


def test_two_additions_of_the_same_key_both_count(ingest):
    ingest([post(i) for i in range(0, 10, 5)])  # n % 5 == 0: tag "afval"
    ingest([post(i) for i in range(10, 30, 5)])
    day = DailyHashtagCount.objects.filter(tag="afval", day=date(2026, 3, 2))
    assert sum(day.values_list("count", flat=True)) == 6
    assert sum(DailyPostCount.objects.values_list("count", flat=True)) == 6
    assert rows() == recounted()


def test_queries_per_batch_do_not_grow_with_the_day(ingest):
    quiet, busy = T0, T0 + timedelta(days=8)
    ingest([post(i, at=quiet) for i in range(10)])
    for start in range(1000, 1500, 250):
        ingest([post(i, at=busy) for i in range(start, start + 250)])

    def queries_of_a_batch(at, first):
        with CaptureQueriesContext(connection) as captured:
            ingest([post(first + i, at=at) for i in range(50)])
        assert not any("DELETE" in q["sql"] and "insights_" in q["sql"]
                       for q in captured.captured_queries)  # no recount of the day
        return len(captured.captured_queries)

    assert queries_of_a_batch(quiet, 5000) == queries_of_a_batch(busy, 6000)
    assert rows() == recounted()


def test_only_posts_this_batch_inserted_are_reported_new(ingest, monkeypatch):
    from samen.sources import ingest as ingest_module

    ingest([post(1), post(2)])
    sent = []

    def receiver(sender, post_ids, new_post_ids=None, **kwargs):
        sent.append((sorted(post_ids), sorted(new_post_ids or [])))

    real_insert = ingest_module._insert
    at_id = ingest_module.INSERT_COLUMNS.index("external_id")
    at_time = ingest_module.INSERT_COLUMNS.index("ingested_at")

    def earlier(value):  # the database parameter of a time (SQLite: text), a second before
        if isinstance(value, str):
            return (datetime.fromisoformat(value) - timedelta(seconds=1)).isoformat(" ")
        return value - timedelta(seconds=1)

    def racing_insert(rows):
        # Another process stores post 5 between this batch's read and its INSERT.
        real_insert([(*row[:at_time], earlier(row[at_time]), *row[at_time + 1:])
                     for row in rows if row[at_id] == "mastodon:5"])
        real_insert(rows)

    monkeypatch.setattr(ingest_module, "_insert", racing_insert)
    posts_stored.connect(receiver)
    try:
        ingest([post(2, text="Bewerkt", edited_at=T0 + timedelta(hours=1)), post(4), post(5)])
    finally:
        posts_stored.disconnect(receiver)
    pk = dict(Post.objects.values_list("external_id", "pk"))
    assert sent == [(sorted([pk["mastodon:2"], pk["mastodon:4"], pk["mastodon:5"]]),
                     [pk["mastodon:4"]])]
