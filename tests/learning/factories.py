"""Builders for the learning tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from samen.core.models import Person
from samen.learning import actions
from samen.learning.models import Session


def session(*, host: Person, capacity: int = 2, days: int = 3, topic: str = "Mastodon",
            place: str = "Zaal 2", video_url: str = "") -> Session:
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0, second=0)
    return actions.do_propose_session(host=host, data=actions.SessionData(
        topic=topic, description="Samen leren", level="beginner", starts_at=start,
        ends_at=start + timedelta(minutes=45), place=place, video_url=video_url,
        capacity=capacity))


def move_to_past(s: Session, *, days: int = 2) -> Session:
    """Tests of what happens after a session: shift it into the past."""
    start: datetime = timezone.now() - timedelta(days=days)
    Session.objects.filter(pk=s.pk).update(starts_at=start, ends_at=start + timedelta(hours=1))
    s.refresh_from_db()
    return s
