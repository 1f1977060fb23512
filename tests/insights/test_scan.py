"""The maturity scan: staff answer once, anonymously; results show only from the minimum
number of respondents, per element with spread, change and recommendations."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from samen.core.models import AuditEvent, Person
from samen.core.roles import Role
from samen.insights import actions, results, scan, selectors
from samen.insights.models import ScanAnswerCount, ScanParticipation, ScanRound
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def all_answers(score_of_element: dict[str, int]) -> dict[str, int]:
    return {s.key: score_of_element[s.element] for s in scan.STATEMENTS}


FLAT = dict.fromkeys(["customer", "trust", "management", "ambassadors", "team"], 3)


@pytest.fixture
def lead():
    return make_person(Role.COMMS_LEAD, username="lead", password=None)


@pytest.fixture
def staff():
    return [make_person(username=f"staff{i}", password=None) for i in range(6)]


def test_answer_tables_cannot_hold_a_person_a_time_or_an_address():
    for model in (ScanAnswerCount, ScanParticipation):
        for f in model._meta.get_fields():
            assert not (f.is_relation and f.related_model is Person), f"{model} {f.name}"
            assert not isinstance(f, models.DateTimeField | models.DateField | models.TimeField)
            assert not isinstance(f, models.GenericIPAddressField)
    # The only link between the two tables is the round itself.
    answer_fields = {f.name for f in ScanAnswerCount._meta.get_fields()}
    participation_fields = {f.name for f in ScanParticipation._meta.get_fields()}
    assert answer_fields & participation_fields == {"id", "round"}


def test_answers_only_add_to_counters_that_exist_from_the_start(lead, staff):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead)
    before = list(ScanAnswerCount.objects.order_by("pk").values_list("pk", "question", "score"))
    assert len(before) == len(scan.STATEMENTS) * 5
    actions.do_answer_scan(scan_round=scan_round, person=staff[0],
                           answers=all_answers({**FLAT, "trust": 5}))
    after = list(ScanAnswerCount.objects.order_by("pk").values_list("pk", "question", "score"))
    # No new rows and no reordering: the table's shape says nothing about who answered when.
    assert after == before
    assert ScanAnswerCount.objects.get(round=scan_round, question="trust.1", score=5).count == 1
    token = ScanParticipation.objects.get().token
    # Not a plain hash of the ids (anyone could recompute that), and unlinkable across rounds.
    plain = hashlib.sha256(f"{scan_round.pk}:{staff[0].pk}".encode()).hexdigest()
    assert len(token) == 64 and token != plain
    assert token == selectors.participation_token(round_id=scan_round.pk, person_id=staff[0].pk)
    assert token != selectors.participation_token(round_id=scan_round.pk + 1,
                                                  person_id=staff[0].pk)


def test_answering_leaves_no_trace_of_the_person_in_the_audit_log(lead, staff):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead)
    events_before = AuditEvent.objects.count()
    actions.do_answer_scan(scan_round=scan_round, person=staff[0], answers=all_answers(FLAT))
    assert AuditEvent.objects.count() == events_before


def test_nobody_answers_twice_and_closed_rounds_take_no_answers(lead, staff):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead)
    actions.do_answer_scan(scan_round=scan_round, person=staff[0], answers=all_answers(FLAT))
    with pytest.raises(ValidationError, match="already answered"):
        actions.do_answer_scan(scan_round=scan_round, person=staff[0], answers=all_answers(FLAT))
    assert selectors.respondents(scan_round) == 1
    assert selectors.has_answered(scan_round=scan_round, person=staff[0])
    assert not selectors.has_answered(scan_round=scan_round, person=staff[1])
    with pytest.raises(ValidationError, match="every statement"):
        actions.do_answer_scan(scan_round=scan_round, person=staff[1], answers={"trust.1": 3})
    with pytest.raises(ValidationError, match="1 to 5"):
        actions.do_answer_scan(scan_round=scan_round, person=staff[1],
                               answers={**all_answers(FLAT), "trust.1": 6})
    actions.do_close_scan_round(scan_round=scan_round, by=lead)
    with pytest.raises(ValidationError, match="closed"):
        actions.do_answer_scan(scan_round=scan_round, person=staff[1], answers=all_answers(FLAT))


def test_only_the_comms_lead_opens_rounds_and_one_at_a_time(lead, staff):
    with pytest.raises(ValidationError):
        actions.do_open_scan_round(name="X", by=staff[0])
    actions.do_open_scan_round(name="Voorjaar", by=lead)
    with pytest.raises(ValidationError, match="Close the open round"):
        actions.do_open_scan_round(name="Najaar", by=lead)
    with pytest.raises(ValidationError, match="three respondents"):
        ScanRound.objects.update(state="closed")
        actions.do_open_scan_round(name="Najaar", by=lead, min_respondents=2)


def test_results_stay_hidden_below_the_minimum(lead, staff, client_for):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead, min_respondents=5)
    for person in staff[:4]:
        actions.do_answer_scan(scan_round=scan_round, person=person, answers=all_answers(FLAT))
    assert not results.round_result(scan_round).visible
    page = client_for(Role.MANAGER).get(reverse("insights:scan_results")).content.decode()
    assert "4 respondent" in page and "Mean" not in page
    actions.do_answer_scan(scan_round=scan_round, person=staff[4], answers=all_answers(FLAT))
    assert results.round_result(scan_round).visible


def test_results_per_element_with_spread_change_and_recommendations(lead, staff):
    first = actions.do_open_scan_round(name="Voorjaar", by=lead)
    for person in staff[:5]:
        actions.do_answer_scan(scan_round=first, person=person, answers=all_answers(FLAT))
    actions.do_close_scan_round(scan_round=first, by=lead)
    second = actions.do_open_scan_round(name="Najaar", by=lead)
    scores = [1, 2, 2, 3, 5, 4]
    for person, management in zip(staff, scores, strict=True):
        actions.do_answer_scan(scan_round=second, person=person,
                               answers=all_answers({**FLAT, "management": management,
                                                    "team": 4, "trust": 2}))
    result = results.round_result(second)
    by_element = {e.element: e for e in result.elements}
    management = by_element["management"]
    assert management.summary.n == 6 * 5
    assert management.summary.mean == pytest.approx(17 / 6, abs=0.01)
    assert (management.summary.q1, management.summary.median, management.summary.q3) == (2, 2, 4)
    assert management.summary.distribution == (5, 10, 5, 5, 5)
    assert by_element["team"].change == 1.0
    assert by_element["trust"].change == -1.0
    assert result.previous == first
    # The two lowest elements get recommendations, with links to Samen's features.
    assert [label for label, _t, _f in result.recommendations] == [
        "Culture of trust", "Top management"]
    assert 'data-value="2"' in result.radar_svg and "Najaar" in result.radar_svg


def test_staff_answer_through_the_page_and_are_not_shown_their_answers(lead, client_for):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead)
    client = client_for(Role.AMBASSADOR)
    page = client.get(reverse("insights:scan")).content.decode()
    assert "Voorjaar" in page and "trust.1" in page
    incomplete = client.post(reverse("insights:scan"), {"trust.1": "4"})
    assert incomplete.status_code == 200
    assert "Please choose how much you agree." in incomplete.content.decode()
    assert selectors.respondents(scan_round) == 0
    answers = {k: str(v) for k, v in all_answers({**FLAT, "customer": 4}).items()}
    response = client.post(reverse("insights:scan"), answers, follow=True)
    page = response.content.decode()
    assert "Thank you" in page
    assert 'type="radio"' not in page and "checked" not in page
    assert selectors.respondents(scan_round) == 1
    again = client.post(reverse("insights:scan"), answers).content.decode()
    assert "You have answered" in again and 'type="radio"' not in again
    assert selectors.respondents(scan_round) == 1


def test_the_comms_lead_opens_and_closes_rounds_in_the_ui(client_for):
    client = client_for(Role.COMMS_LEAD)
    client.post(reverse("insights:scan_rounds"), {"action": "open", "name": "Najaar 2026",
                                                  "min_respondents": "5"})
    scan_round = ScanRound.objects.get()
    assert scan_round.state == "open"
    assert AuditEvent.objects.filter(action="insights.scan.opened").exists()
    client.post(reverse("insights:scan_rounds"), {"action": "close", "round": scan_round.pk})
    scan_round.refresh_from_db()
    assert scan_round.state == "closed"
    assert client_for(Role.MANAGER).post(reverse("insights:scan_rounds"),
                                         {"action": "open", "name": "x"}).status_code == 403


def test_the_numbers_behind_the_radar_download_as_csv(lead, staff, client_for):
    scan_round = actions.do_open_scan_round(name="Voorjaar", by=lead)
    client = client_for(Role.MANAGER)
    url = reverse("insights:scan_results_csv")
    for person in staff[:4]:
        actions.do_answer_scan(scan_round=scan_round, person=person,
                               answers=all_answers({**FLAT, "team": 5}))
    hidden = client.get(url, {"round": scan_round.pk}).content.decode().splitlines()
    assert len(hidden) == 1  # a header only: too few respondents
    actions.do_answer_scan(scan_round=scan_round, person=staff[4],
                           answers=all_answers({**FLAT, "team": 5}))
    rows = list(csv.reader(io.StringIO(client.get(url, {"round": scan_round.pk})
                                       .content.decode())))
    team = next(r for r in rows if r[0] == "Conversation team")
    assert team[1:5] == ["5.00", "5", "5", "5"] and team[5:10] == ["0", "0", "0", "0", "25"]


def test_results_open_on_the_latest_closed_round(lead, staff, client_for):
    for name in ("Voorjaar", "Najaar"):
        scan_round = actions.do_open_scan_round(name=name, by=lead)
        for person in staff[:5]:
            actions.do_answer_scan(scan_round=scan_round, person=person,
                                   answers=all_answers(FLAT))
        actions.do_close_scan_round(scan_round=scan_round, by=lead)
    assert [r.name for r in selectors.rounds()] == ["Najaar", "Voorjaar"]
    page = client_for(Role.MANAGER).get(reverse("insights:scan_results")).content.decode()
    assert "“Najaar”: 5 colleagues answered" in page
    assert "Compared with “Voorjaar”" in page
