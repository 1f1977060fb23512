"""Open and breached work, counted as intervals in the database, equals the definition
checked conversation by conversation at the end of every day (or week)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from samen.inbox.models import Conversation
from samen.insights import registry
from samen.insights.registry import Filters, Period
from samen.insights.selectors import day_bounds
from tests.inbox import factories

pytestmark = pytest.mark.django_db


def maybe(rng: random.Random, moment: datetime, hours: int) -> datetime | None:
    return None if rng.random() < 0.3 else moment + timedelta(minutes=rng.randrange(hours * 60))


def by_hand(convs: list[Conversation], moment: datetime) -> tuple[int, int]:
    still_open = [c for c in convs if c.created_at < moment
                  and (c.resolved_at is None or c.resolved_at >= moment)]
    late = [c for c in still_open
            if (c.first_response_due is not None and c.first_response_due < moment
                and (c.first_responded_at is None or c.first_responded_at >= moment))
            or (c.resolution_due is not None and c.resolution_due < moment)]
    return len(still_open), len(late)


def test_open_and_breached_equal_the_definition_day_by_day():
    rng = random.Random(5)
    first = datetime(2026, 9, 1, tzinfo=UTC)
    for i in range(60):
        conv = factories.conversation(provider="mastodon", language="nl")
        created = first + timedelta(minutes=rng.randrange(120 * 24 * 60))
        Conversation.objects.filter(pk=conv.pk).update(
            created_at=created, first_response_due=maybe(rng, created, 48),
            first_responded_at=maybe(rng, created, 72), resolution_due=maybe(rng, created, 200),
            resolved_at=maybe(rng, created, 400) if i % 4 else None)
    convs = list(Conversation.objects.all())
    metric = registry.get("inbox.open_breached")
    assert metric is not None
    for period in (Period(date(2026, 9, 20), date(2026, 10, 10)),
                   Period(date(2026, 8, 1), date(2026, 12, 31)),
                   Period(date(2026, 10, 25), date(2026, 10, 26))):  # to winter time
        table = metric.compute(period, Filters())
        days = [period.start + timedelta(days=i) for i in range(period.days)]
        if period.days > 92:  # weeks: the end of each week's last day within the period
            days = sorted({min(d + timedelta(days=6 - d.weekday()), period.end) for d in days})
        expected = [by_hand(convs, day_bounds(d)[1]) for d in days]
        assert dict(table.series)["Open"] == [float(o) for o, _late in expected]
        assert dict(table.series)["Breached SLA"] == [float(late) for _o, late in expected]
