"""Storing a rule match checks nothing per row in the database (ADR 0150): deleting a rule or
a post still removes its matches (a rule's through the index), a rule deleted while a worker
matches does not fail the worker's batch, and upgrading keeps every stored match."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samen.insights.registry import Filters, Period
from samen.understanding import actions, metrics, selectors
from samen.understanding.models import ListeningRule, RuleMatch


def _match(rule, post, when=None):
    return RuleMatch.objects.create(rule=rule, post=post, matched_at=when or timezone.now())


@pytest.mark.django_db
def test_deleting_a_rule_or_a_post_removes_their_matches_and_no_other(make_post):
    keep = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    gone = actions.do_create_rule(name="Brug", query="brug", by=None)
    both, other = make_post("De dijk en de brug"), make_post("Weer de dijk")
    _match(keep, both), _match(gone, both), _match(keep, other)

    actions.do_delete_rule(rule=gone, by=None)
    assert sorted(RuleMatch.objects.values_list("rule_id", "post_id")) == [
        (keep.pk, both.pk), (keep.pk, other.pk)]

    other.delete()
    assert list(RuleMatch.objects.values_list("rule_id", "post_id")) == [(keep.pk, both.pk)]


@pytest.mark.django_db
def test_deleting_a_rule_finds_its_matches_through_the_index(make_post):
    """Django's cascade would ask for ``rule_id = ...`` and read every match ever stored."""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    rule = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    _match(rule, make_post("dijk"))
    with CaptureQueriesContext(connection) as queries:
        actions.do_delete_rule(rule=rule, by=None)
    deletes = [q["sql"] for q in queries if "understanding_rulematch" in q["sql"]
               and q["sql"].startswith("DELETE")]
    assert len(deletes) == 1
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {deletes[0]}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "rulematch_day_hour_rule" in plan and "day=? AND hour=? AND rule_id=?" in plan
    assert not RuleMatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rule_deleted_while_a_batch_is_matched_does_not_fail_the_batch(make_post,
                                                                         monkeypatch):
    """The worker read the rules before the web process deleted one: its batch still commits
    (with a foreign-key constraint it failed at commit), and no page shows the stray match."""
    dyke = actions.do_create_rule(name="Dijk", query="dijk", by=None)
    bridge = actions.do_create_rule(name="Brug", query="brug", by=None)
    stale = selectors.compiled_rules()
    ListeningRule.objects.filter(pk=bridge.pk).delete()  # by another process
    monkeypatch.setattr(selectors, "compiled_rules", lambda: stale)
    post = make_post("De dijk en de brug zijn dicht")

    result = actions.do_understand_posts(post_ids=[post.pk])

    assert result.matches == 2
    made = RuleMatch.objects.get(rule=dyke).matched_at  # "today" is the day it was made
    assert [r.name for r in selectors.rules_with_counts(now=made)] == ["Dijk"]
    assert selectors.rules_with_counts(now=made)[0].matches_today == 1  # type: ignore[attr-defined]
    assert list(selectors.posts_of_rule(dyke)) == [post]
    today = timezone.localdate(made)
    assert metrics.top_rules(Period(today, today), Filters()).categories == ["Dijk"]


def _schema_of_matches() -> tuple[bool, bool]:
    """(whether the match table has foreign-key constraints, whether its id uses SQLite's
    AUTOINCREMENT) as the database says; the day-and-hour index must be there either way."""
    table = RuleMatch._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        autoincrement = False
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            autoincrement = "AUTOINCREMENT" in cursor.fetchone()[0].upper()
    assert constraints["rulematch_day_hour_rule"]["columns"] == [
        "day", "hour", "rule_id", "matched_at"]
    return any(c["foreign_key"] for c in constraints.values()), autoincrement


@pytest.mark.django_db(transaction=True)  # SQLite changes its schema outside a transaction
def test_upgrading_keeps_every_match_and_drops_the_per_row_checks(make_post, migrate):
    before = [("understanding", "0004_rulematch_hour_index")]
    after = [("understanding", "0005_rulematch_lighter_writes")]
    executor = migrate(before)
    try:
        assert _schema_of_matches() == (True, connection.vendor == "sqlite")
        old = executor.loader.project_state(before).apps
        Rule = old.get_model("understanding", "ListeningRule")
        Match = old.get_model("understanding", "RuleMatch")
        now = timezone.now()
        rule = Rule.objects.create(name="Oud", query="oud", created_at=now, updated_at=now)
        when = datetime(2026, 1, 5, 23, 59, tzinfo=UTC)
        stored = sorted(
            (Match.objects.create(rule_id=rule.pk, post_id=make_post(f"oud {i}").pk,
                                  matched_at=when, day=when.date(), hour=23).pk,
             rule.pk)
            for i in range(3))
    finally:
        migrate(after)
    assert sorted(RuleMatch.objects.values_list("pk", "rule_id")) == stored
    assert _schema_of_matches() == (False, False)
    # new matches still get ids above the old ones
    newest = _match(ListeningRule.objects.get(), make_post("oud 4"))
    assert newest.pk > max(pk for pk, _r in stored)

    # Going back puts the constraints back, after deleting the matches they would refuse.
    gone = ListeningRule.objects.create(name="Weg", query="weg", created_at=timezone.now(),
                                        updated_at=timezone.now())
    _match(gone, make_post("weg"))
    ListeningRule.objects.filter(pk=gone.pk).delete()  # not through do_delete_rule
    migrate(before)
    assert _schema_of_matches() == (True, connection.vendor == "sqlite")
    assert sorted(RuleMatch.objects.values_list("pk", flat=True)) == sorted(
        [pk for pk, _r in stored] + [newest.pk])
