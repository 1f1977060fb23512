"""A hashtag that suddenly rises becomes a stored alert with examples, reaches people by
e-mail when the organisation wants that, and the detector resumes after a restart."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.db import connection

from samen.understanding import actions, selectors
from samen.understanding.models import TrendAlert, TrendState
from samen.understanding.tasks import email_alerts
from samen.understanding.trends import TrendDetector

pytestmark = pytest.mark.django_db


def _quiet_then_rising(make_post):
    """Five quiet hours (a post every 5 minutes), then #geefomjedarm in the last 30 minutes."""
    quiet = [make_post(f"Gewoon een bericht over de stad, nummer {i}", minutes_ago=300 - i * 5)
             for i in range(54)]
    says = ["Ik doe mee", "Wij lopen zondag", "Steun StopDarmkanker", "Mijn buurman ook",
            "Hele klas doet mee", "Tante Rita liep vorig jaar", "Samen sterker"]
    rising = [make_post(f"{says[i % 7]} #geefomjedarm {'!' * (i // 7)} dag{i}",
                        minutes_ago=30 - i) for i in range(25)]
    return quiet, rising


def test_a_rising_hashtag_is_stored_once_with_example_posts(make_post):
    quiet, rising = _quiet_then_rising(make_post)
    actions.do_understand_posts(post_ids=[p.pk for p in quiet])
    assert not TrendAlert.objects.exists()
    actions.do_understand_posts(post_ids=[p.pk for p in rising])
    alert = TrendAlert.objects.get(term="#geefomjedarm")
    assert alert.kind == "hashtag"
    assert alert.observed >= 6 and alert.observed > 4 * alert.expected
    assert set(alert.example_post_ids) <= {p.pk for p in rising}
    assert alert.example_post_ids
    # the same posts again count nothing twice
    actions.do_understand_posts(post_ids=[p.pk for p in quiet + rising])
    assert TrendAlert.objects.filter(term="#geefomjedarm").count() == 1


def test_the_detector_resumes_from_its_stored_state(make_post):
    quiet, rising = _quiet_then_rising(make_post)
    actions.do_understand_posts(post_ids=[p.pk for p in quiet])
    state = TrendState.objects.get()
    assert state.last_post_id == quiet[-1].pk and state.data["buckets"]
    # a new process: nothing in memory, only the stored state
    actions.forget_trend_memory()
    selectors.forget_compiled_rules()
    actions.do_understand_posts(post_ids=[p.pk for p in rising])
    assert TrendAlert.objects.filter(term="#geefomjedarm").exists()


def test_the_stored_state_is_plain_json_that_restores_the_same_detector(
        make_post, django_capture_on_commit_callbacks):
    """The state is written by orjson (models.StateEncoder): what is stored must be JSON any
    tool reads, and reading it back must give the detector that was saved."""
    quiet, _ = _quiet_then_rising(make_post)
    with django_capture_on_commit_callbacks(execute=True):  # the worker keeps its detector
        actions.do_understand_posts(post_ids=[p.pk for p in quiet])
    saved = actions._trend_memory.detector.to_dict()
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM understanding_trendstate")
        (raw,) = cursor.fetchone()
    stored = raw if isinstance(raw, dict) else json.loads(raw)  # jsonb comes back parsed
    assert stored == json.loads(json.dumps(saved))  # the standard library's reading of it
    loaded = TrendState.objects.get().data
    assert loaded == stored
    assert TrendDetector.from_dict(loaded).to_dict() == TrendDetector.from_dict(saved).to_dict()


@pytest.mark.parametrize("sensitivity,alerts", [("low", False), ("high", True)])
def test_the_sensitivity_set_by_the_comms_lead_decides_small_rises(make_post, organisation,
                                                                    sensitivity, alerts):
    actions.do_update_settings(organisation=organisation, by=None,
                               trend_sensitivity=sensitivity, languages=[], email_alerts=False)
    quiet = [make_post(f"Gewoon een bericht, nummer {i}", minutes_ago=300 - i * 5)
             for i in range(54)]
    few = [make_post(f"#kermis was leuk ({i})", minutes_ago=20 - i) for i in range(7)]
    actions.do_understand_posts(post_ids=[p.pk for p in quiet + few])
    assert TrendAlert.objects.filter(term="#kermis").exists() is alerts


def test_alerts_are_emailed_to_leads_and_managers_in_their_language(person_factory):
    person_factory("comms_lead", username="lotte", language="nl").__class__.objects.filter(
        username="lotte").update(email="lotte@stad.example")
    manager = person_factory("manager", username="sofie", language="fr")
    manager.email = "sofie@stad.example"
    manager.save()
    person_factory("team", username="jonas").__class__.objects.filter(
        username="jonas").update(email="jonas@stad.example")
    from datetime import timedelta

    from django.utils import timezone

    alert = TrendAlert.objects.create(kind="hashtag", term="#geefomjedarm", observed=20,
                                      expected=2.0, score=12.0,
                                      since=timezone.now() - timedelta(minutes=30))
    sent = email_alerts.call(alert_ids=[alert.pk])
    assert sent == 2
    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {"lotte@stad.example", "sofie@stad.example"}
    assert "#geefomjedarm" in by_person["lotte@stad.example"].body
    assert "nieuwe trendmelding" in by_person["lotte@stad.example"].subject
    assert "nouvelle alerte" in by_person["sofie@stad.example"].subject
