"""Guidelines: each publication is a new version; people acknowledge the current one; the lead
sees counts per department, never names."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samen.ambassadors import actions, selectors
from samen.ambassadors.models import Acknowledgement, GuidelineVersion
from samen.ambassadors.rendering import render_markdown
from samen.core.models import AuditEvent
from samen.core.roles import Role

pytestmark = pytest.mark.django_db


def _publish(by, text="Gebruik je gezond verstand."):
    return actions.do_publish_guidelines(body_nl=text, body_fr="Faites preuve de bon sens.",
                                         body_en="Use your common sense.", by=by)


def test_each_publication_is_a_new_version_and_history_keeps_the_old_text(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    v1 = _publish(lead, "Eerste tekst")
    v2 = _publish(lead, "Tweede tekst")
    assert (v1.number, v2.number) == (1, 2)
    assert selectors.current_guidelines() == v2
    v1.refresh_from_db()
    assert v1.body_nl == "Eerste tekst"  # publishing never edits an earlier version
    assert [v.number for v in selectors.guideline_history()] == [2, 1]
    assert AuditEvent.objects.filter(action="ambassadors.guidelines.published").count() == 2


def test_publishing_needs_some_text(person_factory):
    with pytest.raises(ValidationError):
        actions.do_publish_guidelines(body_nl=" ", body_fr="", body_en="",
                                      by=person_factory(Role.COMMS_LEAD))


def test_only_the_current_version_can_be_acknowledged_and_twice_is_once(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    employee = person_factory()
    v1 = _publish(lead)
    v2 = _publish(lead)
    with pytest.raises(ValidationError):
        actions.do_acknowledge_guidelines(person=employee, version=v1)
    actions.do_acknowledge_guidelines(person=employee, version=v2)
    actions.do_acknowledge_guidelines(person=employee, version=v2)
    assert Acknowledgement.objects.filter(person=employee).count() == 1


def test_a_new_version_asks_everyone_again_and_counts_are_per_department(person_factory):
    lead = person_factory(Role.COMMS_LEAD, department="Communicatie")
    a = person_factory(department="Burgerzaken")
    b = person_factory(department="Burgerzaken")
    c = person_factory(department="Financiën")
    v1 = _publish(lead)
    for p in (lead, a, c):
        actions.do_acknowledge_guidelines(person=p, version=v1)
    counts = {r.department: (r.acknowledged, r.not_yet)
              for r in selectors.acknowledgement_counts(v1)}
    assert counts == {"Communicatie": (1, 0), "Burgerzaken": (1, 1), "Financiën": (1, 0)}
    v2 = _publish(lead)
    actions.do_acknowledge_guidelines(person=b, version=v2)
    counts = {r.department: (r.acknowledged, r.not_yet)
              for r in selectors.acknowledgement_counts(v2)}
    assert counts == {"Communicatie": (0, 1), "Burgerzaken": (1, 1), "Financiën": (0, 1)}


def test_the_lead_page_shows_counts_but_no_names(client_for, person_factory):
    lead_client = client_for(Role.COMMS_LEAD)
    _publish(lead_client.person)
    person_factory(department="Burgerzaken", username="verborgen")
    page = lead_client.get(reverse("ambassadors:guidelines_manage")).content.decode()
    assert "Burgerzaken" in page
    assert "verborgen" not in page.lower()


def test_an_employee_acknowledges_through_the_page(client_for):
    lead = client_for(Role.COMMS_LEAD)
    version = _publish(lead.person)
    employee = client_for(Role.AMBASSADOR)
    page = employee.get(reverse("ambassadors:guidelines")).content.decode()
    assert "Use your common sense." in page
    response = employee.post(reverse("ambassadors:guidelines"), {"version": version.pk})
    assert response.status_code == 302
    assert selectors.has_acknowledged(person=employee.person, version=version)


def test_the_lead_publishes_a_version_through_the_page(client_for):
    lead = client_for(Role.COMMS_LEAD)
    response = lead.post(reverse("ambassadors:guidelines_manage"), {
        "body_nl": "# Regels\n\nGebruik je gezond verstand.", "body_fr": "", "body_en": "",
        "change_note": "eerste"})
    assert response.status_code == 302
    assert GuidelineVersion.objects.get().body_nl.startswith("# Regels")
    assert client_for(Role.AMBASSADOR).post(reverse("ambassadors:guidelines_manage"), {
        "body_nl": "x"}).status_code == 403


def test_markdown_is_rendered_but_html_and_script_links_are_not():
    html = render_markdown("# Titel\n\n**vet** <script>alert(1)</script> "
                           "[klik](javascript:alert(1)) [stad](https://stad.example)\n\n- a\n")
    assert "<h2>Titel</h2>" in html  # shifted below the page's h1
    assert "<strong>vet</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://stad.example" rel="noopener noreferrer">stad</a>' in html
    assert "<li>a</li>" in html


def test_raw_html_in_a_published_version_is_shown_as_text(client_for):
    lead = client_for(Role.COMMS_LEAD)
    actions.do_publish_guidelines(body_nl="", body_fr="", body_en='<img src=x onerror="boom">',
                                  by=lead.person)
    page = client_for(Role.AMBASSADOR).get(reverse("ambassadors:guidelines")).content.decode()
    assert "<img src=x" not in page and "&lt;img" in page
