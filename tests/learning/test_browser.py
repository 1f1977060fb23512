"""Peer learning in a real browser, in Dutch, French and English, with axe-core: proposing a
session, RSVP, downloading the .ics (parsed back), the waiting list when full."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samen.core.roles import Role
from samen.learning import actions
from samen.learning.models import Rsvp, RsvpStatus, Session
from tests.conftest import assert_accessible, browser_login
from tests.factories import make_person
from tests.learning.factories import move_to_past, session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["nl", "fr", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_proposing_a_session(new_page, language):
    host = make_person(username="kampioen", language=language)
    page = new_page(locale=language)
    browser_login(page, "kampioen")
    page.goto(reverse("learning:sessions"))
    assert_accessible(page, context=f"sessions ({language})")
    page.click(f"a[href='{reverse('learning:session_new')}']")
    page.wait_for_load_state()
    assert_accessible(page, context=f"propose ({language})")
    day = (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%d")
    page.fill("#id_topic", "Bluesky: je eerste week")
    page.fill("#id_description", "Account, feeds en lijsten.")
    page.select_option("#id_level", "beginner")
    page.fill("#id_starts_at", f"{day}T12:15")
    page.fill("#id_ends_at", f"{day}T13:00")
    page.fill("#id_place", "Zaal 2.14")
    page.fill("#id_capacity", "8")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    created = Session.objects.get()
    assert created.host == host and created.capacity == 8
    assert timezone.localtime(created.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day} 12:15"
    assert page.locator("h1").inner_text() == "Bluesky: je eerste week"
    assert_accessible(page, context=f"session ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_rsvp_and_download_a_valid_ics(new_page, language):
    host = make_person(username="gastheer")
    s = session(host=host, capacity=1, topic="Mastodon, lijsten & filters")
    make_person(username="collega", language=language)
    page = new_page(locale=language)
    browser_login(page, "collega")
    page.goto(reverse("learning:session", args=[s.pk]))
    assert_accessible(page, context=f"before RSVP ({language})")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert Rsvp.objects.get(session=s).status == RsvpStatus.GOING
    assert page.locator("#rsvp-status").is_visible()
    assert_accessible(page, context=f"after RSVP ({language})")
    with page.expect_download() as info:
        page.click(f"a[href='{reverse('learning:session_ics', args=[s.pk])}']")
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), "rb") as handle:
        cal = Calendar.from_ical(handle.read())
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Mastodon, lijsten & filters"
    assert str(event["UID"]) == f"{s.uid}@samen"
    assert event["DTSTART"].dt == s.starts_at and event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert event["DTEND"].dt == s.ends_at
    assert str(event["LOCATION"]) == "Zaal 2"
    assert str(event["ORGANIZER"]) == f"mailto:{host.email}"
    # The session is now full: the next colleague sees it and lands on the waiting list.
    make_person(username="laatkomer", language=language)
    late = new_page(locale=language)
    browser_login(late, "laatkomer")
    late.goto(reverse("learning:session", args=[s.pk]))
    assert late.locator("#full").is_visible()
    late.click("main form button[type=submit]")
    late.wait_for_load_state()
    assert Rsvp.objects.get(session=s, person__username="laatkomer").status == RsvpStatus.WAITING
    assert_accessible(late, context=f"waiting list ({language})")


def test_feedback_and_the_champions_page(new_page):
    host = make_person(username="gastvrouw", department="ICT")
    s = session(host=host, capacity=3)
    attendee = make_person(username="deelnemer", language="fr")
    actions.do_rsvp(person=attendee, session=s)
    move_to_past(s)
    actions.do_add_material(session=s, title="Slides", url="https://stad.example/slides", by=host)
    page = new_page(locale="fr")
    browser_login(page, "deelnemer")
    page.goto(reverse("learning:session", args=[s.pk]))
    page.check("#id_rating_3")
    page.fill("#id_comment", "Très utile, merci !")
    assert_accessible(page, context="feedback form")
    page.click("button:has-text('Envoyer mon avis')")
    page.wait_for_load_state()
    assert s.feedback.get().rating == 4
    make_person(Role.MANAGER, username="directie", language="nl")
    manager = new_page(locale="nl")
    browser_login(manager, "directie")
    manager.goto(reverse("learning:champions"))
    assert "Gastvrouw" in manager.locator("main table").first.inner_text()
    assert_accessible(manager, context="champions")
