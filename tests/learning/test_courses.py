"""The course library: tagged by network and level; each person keeps their own done list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samen.core.roles import Role
from samen.learning import actions, selectors
from samen.learning.models import Course

pytestmark = pytest.mark.django_db


def _course(by, title, network="", level="beginner"):
    return actions.do_add_course(title=title, url="https://learn.example/" + title,
                                 provider="", description="", network=network, level=level,
                                 language="nl", own_material=False, by=by)


def test_the_team_adds_courses_and_ambassadors_cannot(client_for):
    team = client_for(Role.TEAM)
    team.post(reverse("learning:courses"), {"action": "add", "title": "Mastodon 101",
                                            "url": "https://learn.example/m", "level":
                                            "beginner", "network": "Mastodon"})
    assert Course.objects.get().network == "Mastodon"
    client_for(Role.AMBASSADOR).post(reverse("learning:courses"), {
        "action": "add", "title": "Spam", "url": "https://x.example", "level": "beginner"})
    assert Course.objects.count() == 1


def test_filter_by_network_and_level(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    a = _course(lead, "a", "Mastodon", "beginner")
    b = _course(lead, "b", "Mastodon", "advanced")
    _course(lead, "c", "LinkedIn", "beginner")
    assert list(selectors.courses(network="Mastodon")) == [a, b]
    assert list(selectors.courses(network="Mastodon", level="advanced")) == [b]
    assert selectors.course_networks() == ["LinkedIn", "Mastodon"]


def test_done_list_is_per_person(client_for, person_factory):
    course = _course(person_factory(Role.COMMS_LEAD), "a")
    me = client_for(Role.AMBASSADOR)
    me.post(reverse("learning:courses"), {"action": "done", "course": course.pk, "done": "1"})
    assert selectors.done_course_ids(me.person) == {course.pk}
    assert selectors.done_course_ids(client_for(Role.TEAM).person) == set()
    assert "You have done 1 course." in me.get(reverse("learning:courses")).content.decode()
    me.post(reverse("learning:courses"), {"action": "done", "course": course.pk, "done": "0"})
    assert selectors.done_course_ids(me.person) == set()
