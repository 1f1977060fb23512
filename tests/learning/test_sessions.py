"""Lunch sessions: proposing, RSVP with a capacity and a waiting list, the reminder, materials
and feedback, and the managers' view of champions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samen.core.roles import Role
from samen.learning import actions, selectors
from samen.learning.models import Feedback, Rsvp, RsvpStatus, Session
from tests.learning.factories import move_to_past, session

pytestmark = pytest.mark.django_db


def test_a_colleague_proposes_a_session_through_the_page(client_for):
    client = client_for(Role.AMBASSADOR)
    start = timezone.localtime() + timedelta(days=5)
    response = client.post(reverse("learning:session_new"), {
        "topic": "Bluesky voor beginners", "description": "Breng je telefoon mee.",
        "level": "beginner", "starts_at": start.strftime("%Y-%m-%dT12:00"),
        "ends_at": start.strftime("%Y-%m-%dT13:00"), "place": "", "video_url":
        "https://meet.example/bsky", "capacity": "10"})
    assert response.status_code == 302
    created = Session.objects.get()
    assert created.host == client.person and created.capacity == 10
    assert timezone.localtime(created.starts_at).hour == 12


def test_a_session_needs_a_place_or_link_and_a_sane_time(client_for):
    client = client_for(Role.AMBASSADOR)
    start = timezone.localtime() + timedelta(days=5)
    response = client.post(reverse("learning:session_new"), {
        "topic": "x", "level": "beginner", "starts_at": start.strftime("%Y-%m-%dT13:00"),
        "ends_at": start.strftime("%Y-%m-%dT12:00"), "capacity": "5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "must end after it starts" in page and "place or a video link" in page
    assert not Session.objects.exists()
    with pytest.raises(ValidationError):
        actions.do_propose_session(host=client.person, data=actions.SessionData(
            topic="x", description="", level="beginner",
            starts_at=timezone.now() - timedelta(days=1),
            ends_at=timezone.now() - timedelta(hours=23), place="Zaal", video_url="",
            capacity=3))


def test_capacity_is_enforced_with_a_waiting_list_that_moves_up(person_factory):
    host = person_factory()
    s = session(host=host, capacity=2)
    a, b, c, d = (person_factory() for _ in range(4))
    assert actions.do_rsvp(person=a, session=s).status == RsvpStatus.GOING
    assert actions.do_rsvp(person=b, session=s).status == RsvpStatus.GOING
    waiting_c = actions.do_rsvp(person=c, session=s)
    waiting_d = actions.do_rsvp(person=d, session=s)
    assert (waiting_c.status, waiting_d.status) == (RsvpStatus.WAITING, RsvpStatus.WAITING)
    assert selectors.waiting_position(waiting_d) == 2
    assert actions.do_rsvp(person=a, session=s).status == RsvpStatus.GOING  # idempotent
    assert Rsvp.objects.filter(session=s, status=RsvpStatus.GOING).count() == 2
    moved = actions.do_cancel_rsvp(person=b, session=s)
    assert moved is not None and moved.person == c and moved.status == RsvpStatus.GOING
    assert Rsvp.objects.filter(session=s, status=RsvpStatus.GOING).count() == 2


def test_a_full_session_says_so_on_the_page(client_for, person_factory):
    s = session(host=person_factory(), capacity=1)
    actions.do_rsvp(person=person_factory(), session=s)
    client = client_for(Role.AMBASSADOR)
    page = client.get(reverse("learning:session", args=[s.pk])).content.decode()
    assert "This session is full" in page
    client.post(reverse("learning:session", args=[s.pk]), {"action": "rsvp"})
    page = client.get(reverse("learning:session", args=[s.pk])).content.decode()
    assert "number 1 on the waiting list" in page


def test_rsvp_enqueues_a_reminder_for_the_day_before(person_factory, django_capture_on_commit_callbacks):
    s = session(host=person_factory(), days=4)
    person = person_factory()
    with django_capture_on_commit_callbacks(execute=True):
        rsvp = actions.do_rsvp(person=person, session=s)
    task = DBTaskResult.objects.get()
    assert task.run_after == s.starts_at - timedelta(days=1)
    assert task.args_kwargs["kwargs"]["rsvp_id"] == rsvp.pk
    assert actions.do_send_reminder(rsvp_id=rsvp.pk, starts_at=s.starts_at.isoformat())
    assert len(mail.outbox) == 1
    assert s.topic in mail.outbox[0].subject and mail.outbox[0].to == [person.email]
    # a moved session or a cancelled place sends nothing
    assert not actions.do_send_reminder(rsvp_id=rsvp.pk, starts_at="2020-01-01T12:00:00+00:00")
    actions.do_cancel_rsvp(person=person, session=s)
    assert not actions.do_send_reminder(rsvp_id=rsvp.pk, starts_at=s.starts_at.isoformat())
    assert len(mail.outbox) == 1


def test_reminders_go_out_in_the_persons_language(person_factory):
    s = session(host=person_factory(), days=4, topic="LinkedIn")
    person = person_factory(language="nl")
    rsvp = actions.do_rsvp(person=person, session=s)
    actions.do_send_reminder(rsvp_id=rsvp.pk, starts_at=s.starts_at.isoformat())
    assert mail.outbox[0].subject == "Morgen: LinkedIn"


def test_only_the_host_adds_materials(person_factory):
    host = person_factory()
    s = session(host=host)
    actions.do_add_material(session=s, title="Slides", url="https://stad.example/slides",
                            by=host)
    with pytest.raises(ValidationError):
        actions.do_add_material(session=s, title="Spam", url="https://evil.example",
                                by=person_factory())
    assert [m.title for m in s.materials.all()] == ["Slides"]


def test_feedback_only_from_attendees_after_the_session(person_factory, client_for):
    s = session(host=person_factory(), capacity=1)
    attendee = client_for(Role.AMBASSADOR)
    actions.do_rsvp(person=attendee.person, session=s)
    waiting = person_factory()
    actions.do_rsvp(person=waiting, session=s)
    with pytest.raises(ValidationError):  # not over yet
        actions.do_give_feedback(session=s, person=attendee.person, rating=5, comment="")
    move_to_past(s)
    with pytest.raises(ValidationError):  # was on the waiting list
        actions.do_give_feedback(session=s, person=waiting, rating=5, comment="")
    response = attendee.post(reverse("learning:session", args=[s.pk]),
                             {"action": "feedback", "rating": "4", "comment": "Top!"})
    assert response.status_code == 302
    attendee.post(reverse("learning:session", args=[s.pk]),
                  {"action": "feedback", "rating": "5", "comment": "Nog beter"})
    assert list(Feedback.objects.values_list("rating", "comment")) == [(5, "Nog beter")]
    with pytest.raises(ValidationError):
        actions.do_give_feedback(session=s, person=attendee.person, rating=9, comment="")


def test_managers_see_champions_with_sessions_held_and_attendance(client_for, person_factory):
    champion = person_factory(username="kampioen", department="ICT")
    held = session(host=champion, capacity=5)
    for _ in range(3):
        actions.do_rsvp(person=person_factory(), session=held)
    session(host=person_factory(username="nognietgegeven"))  # upcoming: not held yet
    move_to_past(held)
    rows = selectors.champions()
    assert [(r["person"], r["sessions"], r["attendance"]) for r in rows] == [(champion, 1, 3)]
    page = client_for(Role.MANAGER).get(reverse("learning:champions")).content.decode()
    assert "Kampioen" in page and "Nognietgegeven" not in page
    assert client_for(Role.AMBASSADOR).get(reverse("learning:champions")).status_code == 403
