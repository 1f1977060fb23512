"""Rule matches are filed by day and hour (ADRs 0147, 0149): a rule's page still finds every
post it matched, at any hour of any day; the rules list counts "today" by the organisation's
clock; old matches get their day and hour when the database is upgraded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from samen.understanding import actions, selectors
from samen.understanding.models import RuleMatch, match_day, match_slot

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_rule_s_page_finds_its_posts_on_every_day_it_matched(make_post):
    rule = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    other = actions.do_create_rule(name="Brug", query="brug", by=None)
    now = timezone.now()
    posts = []
    for days_ago in (40, 3, 0):  # with days without any match between them
        post = make_post(f"De dijk, {days_ago} dagen geleden", minutes_ago=days_ago * 1440 + 5)
        RuleMatch.objects.create(rule=rule, post=post, matched_at=now - timedelta(days=days_ago))
        posts.append(post)
    elsewhere = make_post("De brug is dicht")
    RuleMatch.objects.create(rule=other, post=elsewhere)
    assert list(selectors.posts_of_rule(rule)) == posts[::-1]  # newest first
    assert list(selectors.posts_of_rule(other)) == [elsewhere]


def test_a_match_is_filed_under_the_utc_day_and_hour_it_was_made():
    late = datetime(2026, 3, 1, 23, 30, tzinfo=BRUSSELS)  # 22:30 UTC
    after_midnight = datetime(2026, 3, 2, 0, 30, tzinfo=BRUSSELS)  # 23:30 UTC, the day before
    assert match_day(late) == date(2026, 3, 1)
    assert match_day(after_midnight) == date(2026, 3, 1)
    assert match_slot(late) == (date(2026, 3, 1), 22)
    assert match_slot(after_midnight) == (date(2026, 3, 1), 23)


def test_matches_stored_by_the_pipeline_and_by_hand_carry_their_hour(make_post):
    rule = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    by_hand = RuleMatch.objects.create(rule=rule, post=make_post("dijk"),
                                       matched_at=datetime(2026, 3, 1, 23, 30, tzinfo=BRUSSELS))
    assert (by_hand.day, by_hand.hour) == (date(2026, 3, 1), 22)
    by_hand.matched_at = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    by_hand.save()  # a moved match moves its day and hour too
    assert RuleMatch.objects.values_list("day", "hour").get(pk=by_hand.pk) == (date(2026, 3, 2), 9)
    post = make_post("de dijk houdt")
    actions.do_understand_posts(post_ids=[post.pk])
    stored = RuleMatch.objects.get(post=post, rule=rule)
    assert (stored.day, stored.hour) == match_slot(stored.matched_at)


@pytest.mark.parametrize("tz", ["Europe/Brussels", "America/New_York"])
def test_today_on_the_rules_list_is_the_organisation_s_today(make_post, settings, tz):
    """A match just after local midnight is filed under yesterday's UTC date in Brussels (and
    under today's in New York): "today" follows the clock on the wall either way."""
    settings.TIME_ZONE = tz
    zone = ZoneInfo(tz)
    rule = actions.do_create_rule(name="Regen", query="regen", by=None)
    now = datetime(2026, 3, 10, 12, 0, tzinfo=zone)
    midnight = now.replace(hour=0, minute=0)
    for when in (midnight + timedelta(minutes=30),  # today, local
                 midnight - timedelta(minutes=30),  # yesterday, local
                 now - timedelta(days=6, hours=23),  # this week
                 now - timedelta(days=8)):  # longer ago
        RuleMatch.objects.create(rule=rule, post=make_post("regen"), matched_at=when)
    with timezone.override(zone):
        (found,) = [r for r in selectors.rules_with_counts(now=now) if r.pk == rule.pk]
    assert (found.matches_today, found.matches_week) == (1, 3)


def test_a_rule_s_posts_are_looked_up_by_day_and_hour_in_the_index(make_post):
    """The rule page must not read every match ever made: SQLite's plan seeks the index led
    by day and hour once per day and hour for the rule. (PostgreSQL plans by its own
    statistics; SQLite is the embedded default that most small organisations run.)"""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    rule = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    RuleMatch.objects.create(rule=rule, post=make_post("dijk"))
    sql, params = selectors.posts_of_rule(rule).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "rulematch_day_hour_rule" in plan and "day=? AND hour=? AND rule_id=?" in plan


@pytest.mark.django_db(transaction=True)
def test_upgrading_files_existing_matches_under_their_day_and_hour(make_post, migrate):
    before = [("understanding", "0002_rulematch_no_single_column_indexes")]
    after = [("understanding", "0004_rulematch_hour_index")]
    executor = migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Rule = old.get_model("understanding", "ListeningRule")
        Match = old.get_model("understanding", "RuleMatch")
        now = timezone.now()
        rule = Rule.objects.create(name="Oud", query="oud", created_at=now, updated_at=now)
        made = [datetime(2026, 1, 5, 23, 59, tzinfo=UTC), datetime(2026, 1, 6, 0, 1, tzinfo=UTC)]
        for when in made:
            Match.objects.create(rule_id=rule.pk, post_id=make_post("oud").pk, matched_at=when)
    finally:
        migrate(after)
    slots = sorted(RuleMatch.objects.values_list("day", "hour"))
    assert slots == [(date(2026, 1, 5), 23), (date(2026, 1, 6), 0)]


def test_a_rule_s_page_still_works_when_its_days_outnumber_what_sqlite_may_bind(make_post):
    """SQLite before 3.32 binds at most 999 values a statement: after years of matches the
    page reads the rule's matches without the list of days rather than fail."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's limit on bound values")
    import sqlite3

    rule = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    now = timezone.now()
    old = make_post("dijk, lang geleden", minutes_ago=100 * 1440)
    new = make_post("dijk, vandaag")
    RuleMatch.objects.create(rule=rule, post=old, matched_at=now - timedelta(days=100))
    RuleMatch.objects.create(rule=rule, post=new, matched_at=now)
    connection.ensure_connection()
    limit = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
    days = len(selectors.match_days())  # 101
    # fewer than the days; then around where the days and the 24 hours just fit
    for allowed in (60, days + 24, days + 34, days + 35, days + 40):
        before = connection.connection.setlimit(limit, allowed)
        try:
            assert list(selectors.posts_of_rule(rule)) == [new, old], allowed
        finally:
            connection.connection.setlimit(limit, before)
