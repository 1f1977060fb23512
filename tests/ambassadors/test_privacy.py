"""Privacy guides: a checklist per network that each person ticks for themselves only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from samen.ambassadors import selectors
from samen.ambassadors.models import PrivacyGuide, PrivacyStep, StepTick
from samen.ambassadors.starter_guides import GUIDES
from samen.core.models import AuditEvent
from samen.core.roles import Role
from tests.ambassadors.factories import privacy_guide

pytestmark = pytest.mark.django_db

NETWORKS = {"facebook", "instagram", "x", "linkedin", "mastodon", "bluesky", "viva-engage",
            "tiktok"}


def test_the_starting_set_covers_every_network_in_three_languages():
    assert {g[0] for g in GUIDES} == NETWORKS
    for network, _name, _checked, intro, steps in GUIDES:
        assert all(intro), network
        assert len(steps) >= 4, network
        for step in steps:
            assert all(text.strip() for text in step), (network, step)
    call_command("privacy_guides")
    assert set(PrivacyGuide.objects.values_list("network", flat=True)) == NETWORKS
    call_command("privacy_guides")  # a second run adds nothing
    assert PrivacyGuide.objects.count() == len(NETWORKS)


def test_ticks_are_saved_for_the_person_only(client_for):
    guide = privacy_guide(steps=3)
    steps = list(guide.steps.all())
    me = client_for(Role.AMBASSADOR)
    url = reverse("ambassadors:privacy_guide", args=[guide.network])
    me.post(url, {"step": [steps[0].pk, steps[2].pk]})
    assert selectors.ticked_step_ids(person=me.person) == {steps[0].pk, steps[2].pk}
    me.post(url, {"step": [steps[2].pk]})  # unticking the first
    assert selectors.ticked_step_ids(person=me.person) == {steps[2].pk}
    assert not AuditEvent.objects.filter(actor=me.person).exists()


def test_nobody_else_sees_my_ticks_not_even_the_lead(client_for):
    guide = privacy_guide(steps=2)
    step = guide.steps.first()
    me = client_for(Role.AMBASSADOR)
    me.post(reverse("ambassadors:privacy_guide", args=[guide.network]), {"step": [step.pk]})
    assert StepTick.objects.filter(person=me.person).count() == 1
    for role in (Role.COMMS_LEAD, Role.MANAGER, Role.TEAM):
        other = client_for(role)
        page = other.get(reverse("ambassadors:privacy_guide", args=[guide.network]))
        assert " checked>" not in page.content.decode(), role
        overview = other.get(reverse("ambassadors:privacy")).content.decode()
        assert "0 of 2" in overview
    mine = me.get(reverse("ambassadors:privacy")).content.decode()
    assert "1 of 2" in mine
    assert " checked>" in me.get(reverse("ambassadors:privacy_guide",
                                         args=[guide.network])).content.decode()
    # and nothing about the tick reaches the audit log, which the lead reads
    assert not AuditEvent.objects.filter(actor=me.person).exists()


def test_the_lead_edits_a_guide_and_ticks_stay_on_steps_that_stay(client_for, person_factory):
    guide = privacy_guide(steps=3)
    first, _second, third = guide.steps.all()
    me = client_for(Role.AMBASSADOR)
    me.post(reverse("ambassadors:privacy_guide", args=[guide.network]),
            {"step": [first.pk, third.pk]})
    lead = client_for(Role.COMMS_LEAD)
    url = reverse("ambassadors:privacy_guide_edit", args=[guide.network])
    response = lead.post(url, {
        "name": "Mastodon", "last_checked": "2026-11-20", "owner": lead.person.pk,
        "intro_nl": "", "intro_fr": "", "intro_en": "New intro",
        "steps_nl": "Stap 1\nStap 2 herschreven", "steps_fr": "Étape 1\nÉtape 2",
        "steps_en": "Step 1\nStep 2 rewritten"})
    assert response.status_code == 302
    guide.refresh_from_db()
    assert guide.owner == lead.person and str(guide.last_checked) == "2026-11-20"
    assert [s.text_en for s in guide.steps.all()] == ["Step 1", "Step 2 rewritten"]
    assert not PrivacyStep.objects.filter(pk=third.pk).exists()
    assert selectors.ticked_step_ids(person=me.person) == {first.pk}
    assert me.get(url).status_code == 403


def test_an_old_guide_shows_a_warning(client_for):
    guide = privacy_guide()
    client = client_for(Role.AMBASSADOR)
    url = reverse("ambassadors:privacy_guide", args=[guide.network])
    assert "more than six months ago" not in client.get(url).content.decode()
    PrivacyGuide.objects.filter(pk=guide.pk).update(
        last_checked=timezone.localdate() - timedelta(days=200))
    assert "more than six months ago" in client.get(url).content.decode()
