"""The comms lead writes rules with a preview, sees matches and alerts; managers read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from samen.core.models import AuditEvent
from samen.core.roles import Role
from samen.understanding import actions
from samen.understanding.models import ListeningRule, RuleMatch, TrendAlert
from samen.understanding.rules import RuleSyntaxError

pytestmark = pytest.mark.django_db


def test_rule_crud_through_actions_is_audited(client_for):
    lead = client_for(Role.COMMS_LEAD).person
    rule = actions.do_create_rule(name="Afval", query="afval OR vuilnis", by=lead)
    actions.do_update_rule(rule=rule, by=lead, query="afval OR vuilnis OR containerpark",
                           to_inbox=True)
    actions.do_update_rule(rule=rule, by=lead, to_inbox=True)  # nothing changed: no record
    actions.do_delete_rule(rule=rule, by=lead)
    events = list(AuditEvent.objects.filter(action__startswith="understanding.rule")
                  .order_by("at", "id").values_list("action", "actor", "data"))
    assert [e[0] for e in events] == ["understanding.rule.created",
                                      "understanding.rule.updated",
                                      "understanding.rule.deleted"]
    assert all(e[1] == lead.pk for e in events)
    assert events[1][2]["changed"]["to_inbox"] == [False, True]
    assert not ListeningRule.objects.exists()


def test_a_rule_that_does_not_parse_is_refused_by_the_action():
    with pytest.raises(RuleSyntaxError) as caught:
        actions.do_create_rule(name="Kapot", query="afval AND (vuilnis", by=None)
    assert caught.value.column == 11
    assert not ListeningRule.objects.exists()


@pytest.mark.parametrize("language,words", [
    ("nl", "Kolom 11"), ("fr", "Colonne 11"), ("en", "Column 11"),
])
def test_a_bad_rule_is_explained_in_the_readers_language_at_its_column(client_for, language,
                                                                       words):
    client = client_for(Role.COMMS_LEAD)
    client.cookies["samen_language"] = language
    page = client.post(reverse("understanding:rule_new"),
                       {"name": "Kapot", "query": "afval AND (vuilnis", "priority": 0,
                        "colour": "blue"}).content.decode()
    assert words in page
    # the place is marked in the rule as written
    assert "afval AND <mark>(</mark>vuilnis" in page
    assert not ListeningRule.objects.exists()


def test_the_preview_escapes_hostile_posts_and_marks_matches(client_for, make_post):
    make_post('Parking permit form fails <script>alert("x")</script> again', language="en")
    make_post("Nothing to see here", language="en")
    page = client_for(Role.COMMS_LEAD).get(reverse("understanding:preview"),
                                           {"query": "parking NEAR/3 permit"}).content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark>Parking</mark> <mark>permit</mark>" in page
    assert "1 of the last 2 posts matches" in page


def test_the_preview_without_javascript_keeps_what_was_typed(client_for, make_post):
    make_post("Is het containerpark open?")
    response = client_for(Role.COMMS_LEAD).post(
        reverse("understanding:rule_new"),
        {"name": "", "query": "containerpark", "preview": "1", "priority": 0, "colour": "blue"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>containerpark</mark>" in page
    assert not ListeningRule.objects.exists()


def test_creating_a_rule_in_the_page(client_for):
    client = client_for(Role.COMMS_LEAD)
    response = client.post(reverse("understanding:rule_new"), {
        "name": "Werken", "query": '"rue de la Station" OR travaux', "enabled": "on",
        "to_inbox": "on", "priority": 5, "colour": "orange"})
    assert response.status_code == 302
    rule = ListeningRule.objects.get()
    assert (rule.name, rule.to_inbox, rule.priority, rule.created_by) == (
        "Werken", True, 5, client.person)


def test_managers_read_the_rules_but_cannot_write_them(client_for):
    actions.do_create_rule(name="Afval", query="afval", by=None)
    manager = client_for(Role.MANAGER)
    page = manager.get(reverse("understanding:rules")).content.decode()
    assert "Afval" in page and reverse("understanding:rule_new") not in page
    assert manager.get(reverse("understanding:rule_new")).status_code == 403
    assert client_for(Role.TEAM).get(reverse("understanding:rules")).status_code == 403


def test_the_rules_list_has_counts_and_a_bounded_number_of_queries(client_for, make_post):
    client = client_for(Role.COMMS_LEAD)
    client.get(reverse("understanding:rules"))  # warm the session and compiled rules

    def add_rule(i):
        rule = actions.do_create_rule(name=f"Regel {i}", query=f"woord{i}", by=None)
        old = make_post(f"woord{i}")
        new = make_post(f"woord{i}")
        RuleMatch.objects.create(rule=rule, post=old,
                                 matched_at=timezone.now() - timedelta(days=3))
        RuleMatch.objects.create(rule=rule, post=new)

    add_rule(0)
    client.get(reverse("understanding:rules"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("understanding:rules"))
    for i in range(1, 15):
        add_rule(i)
    client.get(reverse("understanding:rules"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("understanding:rules")).content.decode()
    assert len(many) == len(one)
    assert '<td class="num">1</td>' in page  # today
    assert "2<span" in page  # last 7 days


def test_alerts_are_listed_with_examples_and_can_be_acknowledged(client_for, make_post):
    post = make_post("Iedereen doet mee met #geefomjedarm vandaag <b>vet</b>")
    alert = TrendAlert.objects.create(
        kind="hashtag", term="#geefomjedarm", since=timezone.now() - timedelta(minutes=40),
        observed=24, expected=1.5, score=18.2, example_post_ids=[post.pk])
    manager = client_for(Role.MANAGER)
    page = manager.get(reverse("understanding:alerts")).content.decode()
    assert "#geefomjedarm" in page
    assert "24 posts in the last hour where 1.5 were expected (16.0 times as many)" in page
    assert "&lt;b&gt;vet&lt;/b&gt;" in page
    assert "1 open trend alert" in page
    response = manager.post(reverse("understanding:alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager.person
    assert AuditEvent.objects.filter(action="understanding.alert.acknowledged").count() == 1
    assert "#geefomjedarm" not in manager.get(reverse("understanding:alerts")).content.decode()


def test_the_comms_lead_sets_the_sensitivity(client_for):
    client = client_for(Role.COMMS_LEAD)
    response = client.post(reverse("understanding:settings"),
                           {"trend_sensitivity": "high", "languages": ["nl", "fr"]})
    assert response.status_code == 302
    from samen.understanding import selectors

    row = selectors.understanding_settings()
    assert (row.trend_sensitivity, row.languages, row.email_alerts) == ("high", ["nl", "fr"],
                                                                        False)
    assert AuditEvent.objects.filter(action="understanding.settings.updated").exists()
