"""Logging in and out, password reset by e-mail, and throttling of guessed passwords."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from samen.core.roles import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post(reverse("core:login"), {"username": username, "password": password},
                       REMOTE_ADDR="192.0.2.10")


def test_log_in_and_out(client, person_factory, organisation):
    person_factory(Role.TEAM, username="jonas")
    response = login(client, "jonas", PASSWORD)
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == reverse("inbox:list")
    response = client.post(reverse("core:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:team_home")).status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client, person_factory):
    person_factory(username="amina")
    response = login(client, "amina", "wrong")
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode().lower()


def test_guessing_is_throttled_even_with_the_right_password_after(client, person_factory,
                                                                  settings):
    person_factory(username="sofie")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "sofie", "guess")
    response = login(client, "sofie", PASSWORD)
    assert response.status_code == 429
    assert "too many failed log-in attempts" in response.content.decode().lower()
    assert not client.session.get("_auth_user_id")


def test_password_reset_by_email(client, person_factory):
    person_factory(username="lotte")
    response = client.post(reverse("core:password_reset"), {"email": "lotte@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.request["PATH_INFO"],
                           {"new_password1": "a new long passphrase 42",
                            "new_password2": "a new long passphrase 42"})
    assert response.status_code == 302
    assert login(client, "lotte", "a new long passphrase 42").status_code == 302


def test_password_reset_for_an_unknown_address_reveals_nothing(client, person_factory):
    response = client.post(reverse("core:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
