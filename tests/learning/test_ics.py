"""The .ics invitation is valid RFC 5545 that calendars (and the icalendar parser) accept."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.urls import reverse
from icalendar import Calendar

from samen.core.roles import Role
from tests.learning.factories import session

pytestmark = pytest.mark.django_db


def test_the_invitation_parses_back_with_every_field(client_for, person_factory):
    host = person_factory(username="gastvrouw")
    s = session(host=host, topic="Mastodon; lijsten, filters & meer", place="Zaal 2, stadhuis")
    client = client_for(Role.AMBASSADOR)
    response = client.get(reverse("learning:session_ics", args=[s.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert b"\r\n" in raw  # RFC 5545 line endings
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded
    cal = Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == f"{s.uid}@samen"
    assert event["DTSTAMP"].dt.tzinfo is not None
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert start.utcoffset().total_seconds() == 0 and start == s.starts_at.astimezone(UTC)
    assert end == s.ends_at.astimezone(UTC)
    assert b"DTSTART:" in raw and raw.split(b"DTSTART:")[1][:16].endswith(b"Z")
    assert str(event["SUMMARY"]) == "Mastodon; lijsten, filters & meer"
    assert str(event["LOCATION"]) == "Zaal 2, stadhuis"
    assert str(event["URL"]).endswith(reverse("learning:session", args=[s.pk]))
    assert str(event["ORGANIZER"]) == "mailto:gastvrouw@example.org"
    assert event["ORGANIZER"].params["CN"] == "Gastvrouw"


def test_a_video_session_puts_the_link_in_location_and_url(client_for, person_factory):
    s = session(host=person_factory(), place="", video_url="https://meet.example/abc")
    raw = client_for(Role.AMBASSADOR).get(reverse("learning:session_ics", args=[s.pk])).content
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert str(event["URL"]) == "https://meet.example/abc"
    assert str(event["LOCATION"]) == "https://meet.example/abc"
