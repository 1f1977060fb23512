"""The inbox's day summary (ADR 0247) always says what the conversations say: after real
inbox actions, after changes made around them (QuerySet.update(), deletes), after a change of
time zone; and the dashboard's inbox numbers read from it equal the numbers counted
conversation by conversation, across changes of summer time, in a bounded number of queries."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samen.inbox import actions, days
from samen.inbox.models import (
    Contact,
    Conversation,
    ConversationDay,
    ConversationSpan,
    DaySummaryState,
    DirtyConversationDay,
    Team,
)
from samen.insights import registry
from samen.insights.registry import Filters, Period
from samen.insights.selectors import day_bounds
from tests.inbox import factories

pytestmark = pytest.mark.django_db

FIELDS = ("created_at", "channel", "language", "team_id", "first_response_due",
          "first_responded_at", "resolution_due", "resolved_at")


def summary() -> tuple[Counter, Counter]:
    """The summary's rows, as comparable counters."""
    day_rows = Counter()
    for row in ConversationDay.objects.values_list(
            "day", "channel", "language", "team", "opened", "first_response",
            "first_response_target", "resolution", "resolution_target"):
        day_rows[(*row[:5], *(tuple(tuple(pair) for pair in v) for v in row[5:]))] += 1
    spans = Counter()
    for *key, n in ConversationSpan.objects.values_list(
            "day", "channel", "language", "team", "measure", "begins", "ends", "n"):
        spans[tuple(key)] += n
    return day_rows, spans


def recount() -> tuple[Counter, Counter]:
    """The same rows counted now from every conversation."""
    totals, spans = days.summarize(
        [days.Conv(*row) for row in Conversation.objects.values_list(*FIELDS)],
        timezone.get_default_timezone())
    day_rows = Counter()
    for key, t in totals.items():
        day_rows[(*key, t.opened, *(tuple(tuple(pair) for pair in days.pairs(v)) for v in (
            t.first_response, t.first_response_target, t.resolution,
            t.resolution_target)))] += 1
    return day_rows, Counter(spans)


def fresh_summary() -> tuple[Counter, Counter]:
    actions.do_refresh_conversation_days()
    return summary()


def test_the_summary_follows_the_inbox_actions():
    sender = factories.agent(mandate_for=factories.org_account())
    team = actions.do_create_team(name="Loket", members=[sender], by=None)
    first = factories.conversation(minutes=10)
    second = factories.conversation(minutes=2000, provider="bluesky", language="fr")
    assert fresh_summary() == recount() and ConversationDay.objects.count() == 2

    draft = actions.do_save_draft(conversation=first, by=sender, text="Het loket is open.")
    actions.do_record_sent(reply=draft, external_id="out-1", url="", by=sender)
    first.refresh_from_db()
    assert first.first_responded_at is not None
    assert fresh_summary() == recount()
    metric = registry.get("inbox.first_response")
    assert metric is not None
    day = first.created_at.astimezone(timezone.get_default_timezone()).date()
    assert metric.compute(Period(day, day), Filters()).headline is not None

    actions.do_transition(conversation=first, to="resolved", by=sender)
    assert fresh_summary() == recount()
    actions.do_transition(conversation=first, to="open", by=sender)  # reopened
    assert fresh_summary() == recount()
    actions.do_assign(conversation=second, to=sender, by=sender, team=team)
    assert fresh_summary() == recount()
    assert ConversationDay.objects.filter(team=team.pk).count() == 1

    other = factories.conversation(minutes=2010, author="@merge@social.example")
    actions.do_merge_contacts(source=other.contact, into=second.contact, by=sender)
    assert fresh_summary() == recount()

    Team.objects.filter(pk=team.pk).delete()  # conversations lose their team (SET NULL)
    assert fresh_summary() == recount()
    assert not ConversationDay.objects.filter(team=team.pk).exists()

    Conversation.objects.filter(pk=other.pk).delete()
    assert fresh_summary() == recount()
    Conversation.objects.update(resolution_due=datetime(2026, 11, 10, tzinfo=UTC))  # bulk
    assert fresh_summary() == recount()
    assert not DirtyConversationDay.objects.exists()


def test_a_queryset_update_is_caught_by_the_triggers():
    conv = factories.conversation()
    actions.do_refresh_conversation_days()
    assert not DirtyConversationDay.objects.exists()
    Conversation.objects.filter(pk=conv.pk).update(last_activity_at=datetime.now(UTC))
    assert not DirtyConversationDay.objects.exists()  # not a field the summary depends on
    moved = datetime(2026, 10, 1, 12, tzinfo=UTC)
    Conversation.objects.filter(pk=conv.pk).update(created_at=moved)
    assert set(DirtyConversationDay.objects.values_list("created_at", flat=True)) == \
        {conv.created_at, moved}  # both the day it left and the day it moved to
    metric = registry.get("inbox.conversations")
    assert metric is not None
    assert metric.compute(Period(date(2026, 10, 1), date(2026, 10, 1)), Filters()).headline == 1
    assert metric.compute(Period(date(2026, 11, 2), date(2026, 11, 2)), Filters()).headline == 0
    assert summary() == recount()


def test_a_change_of_time_zone_rebuilds_the_summary():
    # 23:30 UTC on 2 November is 3 November in Brussels, still 2 November in New York.
    conv = factories.conversation()
    Conversation.objects.filter(pk=conv.pk).update(
        created_at=datetime(2026, 11, 2, 23, 30, tzinfo=UTC))
    metric = registry.get("inbox.conversations")
    assert metric is not None
    nov3 = Period(date(2026, 11, 3), date(2026, 11, 3))
    assert metric.compute(nov3, Filters()).headline == 1
    with override_settings(TIME_ZONE="America/New_York"):
        assert metric.compute(nov3, Filters()).headline == 0
        assert DaySummaryState.objects.get().time_zone == "America/New_York"
        assert summary() == recount()
    assert metric.compute(nov3, Filters()).headline == 1
    assert DaySummaryState.objects.get().time_zone == "Europe/Brussels"


def test_an_empty_state_is_built_on_the_first_read():
    factories.conversation()
    DaySummaryState.objects.all().delete()
    ConversationDay.objects.all().delete()
    DirtyConversationDay.objects.all().delete()
    metric = registry.get("inbox.conversations")
    assert metric is not None
    assert metric.compute(Period(date(2026, 11, 2), date(2026, 11, 2)), Filters()).headline == 1


INBOX_KEYS = ("inbox.conversations", "inbox.first_response", "inbox.resolution",
              "inbox.open_breached")


def _queries_for(period: Period) -> int:
    actions.do_refresh_conversation_days()
    with CaptureQueriesContext(connection) as queries:
        for key in INBOX_KEYS:
            metric = registry.get(key)
            assert metric is not None
            metric.compute(period, Filters(languages=("nl",)))
    return len(queries)


def _spread(n: int, first: int) -> None:
    contact = Contact.objects.create(display_name="Burger")
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    Conversation.objects.bulk_create([Conversation(
        contact=contact, channel="mastodon", root_external_id=f"q-{first + i}", language="nl",
        created_at=start + timedelta(hours=7 * i),
        first_response_due=start + timedelta(hours=7 * i + 4),
        first_responded_at=start + timedelta(hours=7 * i + 1) if i % 2 else None,
        resolution_due=start + timedelta(hours=7 * i + 48),
        resolved_at=start + timedelta(hours=7 * i + 30) if i % 3 else None)
        for i in range(n)])


@pytest.mark.parametrize("period", [Period(date(2026, 3, 1), date(2026, 3, 28)),
                                    Period(date(2026, 1, 1), date(2026, 12, 31))])
def test_the_inbox_metrics_read_a_bounded_number_of_queries(period):
    _spread(20, 0)
    few = _queries_for(period)
    _spread(600, 1000)
    assert _queries_for(period) == few
    # and recounting changed days costs the same whatever they hold
    Conversation.objects.filter(created_at__lt=datetime(2026, 1, 3, tzinfo=UTC)).update(
        language="fr")
    with CaptureQueriesContext(connection) as small:
        actions.do_refresh_conversation_days()
    Conversation.objects.filter(created_at__lt=datetime(2026, 1, 3, tzinfo=UTC)).update(
        language="nl")
    _spread(300, 5000)  # more conversations on the same days
    actions.do_refresh_conversation_days()
    Conversation.objects.filter(created_at__lt=datetime(2026, 1, 3, tzinfo=UTC)).update(
        language="fr")
    with CaptureQueriesContext(connection) as large:
        actions.do_refresh_conversation_days()
    assert len(large) == len(small)


# --- the numbers, counted conversation by conversation ---------------------------------

def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def by_hand(period: Period, convs: list[Conversation]) -> dict[str, object]:
    """The inbox metrics' definitions (docs/insights.md), checked one conversation at a
    time in the installation's time zone, with the period cut in days (or weeks)."""
    tz = timezone.get_default_timezone()
    weeks = period.days > 92
    firsts = period.each_day()
    if weeks:  # weeks from Monday, the first one holding the period's first day
        monday = period.start - timedelta(days=period.start.weekday())
        firsts = [monday + timedelta(days=7 * i)
                  for i in range((period.end - monday).days // 7 + 1)]

    def bucket(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weeks else day

    inside = [c for c in convs if period.start <= c.created_at.astimezone(tz).date()
              <= period.end]
    out: dict[str, object] = {"conversations": float(len(inside))}
    for name, done, due, per in (("first", "first_responded_at", "first_response_due", 60),
                                 ("resolution", "resolved_at", "resolution_due", 3600)):
        took = {b: [] for b in firsts}
        goal = {b: [] for b in firsts}
        for c in inside:
            b = bucket(c.created_at.astimezone(tz).date())
            if getattr(c, done) is not None:
                took[b].append((getattr(c, done) - c.created_at).total_seconds() / per)
            if getattr(c, due) is not None:
                goal[b].append((getattr(c, due) - c.created_at).total_seconds() / per)
        out[name] = ([_median(took[b]) or 0.0 for b in firsts],
                     [_median(goal[b]) or 0.0 for b in firsts],
                     _median([v for b in firsts for v in took[b]]))
    moments = [min(b + timedelta(days=6), period.end) if weeks else b for b in firsts]
    still_open, late = [], []
    for m in moments:
        at = day_bounds(m)[1]
        live = [c for c in convs if c.created_at < at
                and (c.resolved_at is None or c.resolved_at >= at)]
        still_open.append(float(len(live)))
        late.append(float(sum(
            1 for c in live
            if (c.first_response_due is not None and c.first_response_due < at
                and (c.first_responded_at is None or c.first_responded_at >= at)
                and (c.resolution_due is None or c.resolution_due >= at))
            or (c.resolution_due is not None and c.resolution_due < at))))
    out["open"] = (still_open, late)
    return out


def from_metrics(period: Period) -> dict[str, object]:
    def table(key: str) -> registry.MetricTable:
        metric = registry.get(key)
        assert metric is not None
        return metric.compute(period, Filters())

    out: dict[str, object] = {"conversations": table("inbox.conversations").headline}
    for name, key in (("first", "inbox.first_response"), ("resolution", "inbox.resolution")):
        t = table(key)
        out[name] = (t.series[0][1], t.series[1][1], t.headline)
    t = table("inbox.open_breached")
    out["open"] = (t.series[0][1], t.series[1][1])
    return out


# Around both changes of summer time in Brussels (29 March, 25 October 2026).
ANCHORS = [datetime(2026, 3, 28, 22, tzinfo=UTC), datetime(2026, 10, 24, 21, tzinfo=UTC)]
moment_st = st.builds(lambda a, minutes: a + timedelta(minutes=minutes),
                      st.sampled_from(ANCHORS), st.integers(-3000, 3000))
offset_st = st.one_of(st.none(), st.integers(-120, 4000).map(lambda m: timedelta(minutes=m)))
conv_st = st.tuples(moment_st, st.sampled_from(["mastodon", "bluesky"]),
                    st.sampled_from(["nl", "fr"]), offset_st, offset_st, offset_st, offset_st)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(convs=st.lists(conv_st, min_size=0, max_size=25),
       spans=st.sampled_from([(date(2026, 3, 27), 4), (date(2026, 10, 20), 10),
                              (date(2026, 3, 1), 120), (date(2026, 1, 1), 365)]))
def test_summary_metrics_equal_the_direct_count(convs, spans):
    Conversation.objects.all().delete()
    contact = Contact.objects.first() or Contact.objects.create(display_name="Burger")

    def plus(moment: datetime, offset: timedelta | None) -> datetime | None:
        return None if offset is None else moment + offset

    Conversation.objects.bulk_create([Conversation(
        contact=contact, channel=channel, language=language, root_external_id=f"h-{i}",
        created_at=created, first_response_due=plus(created, frd),
        first_responded_at=plus(created, fra), resolution_due=plus(created, rd),
        resolved_at=plus(created, ra))
        for i, (created, channel, language, frd, fra, rd, ra) in enumerate(convs)])
    first, length = spans
    period = Period(first, first + timedelta(days=length - 1))
    assert from_metrics(period) == by_hand(period, list(Conversation.objects.all()))
    assert summary() == recount()


def test_the_worker_minute_check_and_the_command_keep_the_summary():
    from io import StringIO

    from django.core.management import call_command

    from samen.core import worker

    factories.conversation()
    worker.run_periodic()
    assert not DirtyConversationDay.objects.exists() and summary() == recount()
    ConversationDay.objects.all().delete()  # lost, say, in a restore
    call_command("inbox_rebuild_days", stdout=StringIO())
    assert summary() == recount() and ConversationDay.objects.exists()
