"""The iCalendar invitation of a session (RFC 5545), built with the icalendar package
(ADR 0221). Pure: takes plain values, no Django import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText


@dataclass(frozen=True)
class Invitation:
    uid: str
    summary: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    url: str
    organizer_name: str
    organizer_email: str
    stamp: datetime


def to_ics(invite: Invitation) -> bytes:
    """One VEVENT in a VCALENDAR; times in UTC so every calendar places it right."""
    cal = Calendar()
    cal.add("prodid", "-//Samen//Lunch sessions//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", invite.stamp.astimezone(UTC))
    event.add("dtstart", invite.starts_at.astimezone(UTC))
    event.add("dtend", invite.ends_at.astimezone(UTC))
    event.add("summary", invite.summary)
    if invite.description:
        event.add("description", invite.description)
    if invite.location:
        event.add("location", invite.location)
    if invite.url:
        event.add("url", invite.url)
    if invite.organizer_email:
        organizer = vCalAddress(f"mailto:{invite.organizer_email}")
        organizer.params["cn"] = vText(invite.organizer_name or invite.organizer_email)
        event["organizer"] = organizer
    cal.add_component(event)
    return cal.to_ical()
