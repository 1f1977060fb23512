"""Every page answers each role as the model says: its own pages 200, others 403, and
anonymous visitors are sent to the log-in page. Pages are found from the URL configuration,
so a page added by any app is covered without editing this test."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samen.core.roles import Role


def _role_pages() -> list[tuple[str, tuple[str, ...]]]:
    pages: list[tuple[str, tuple[str, ...]]] = []

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                roles = getattr(p.callback, "samen_roles", None)
                if roles is not None and not p.pattern.converters:
                    pages.append((f"{namespace}{p.name}", tuple(roles)))

    walk(get_resolver().url_patterns)
    return sorted(pages)


PAGES = _role_pages()


def test_the_role_pages_are_found():
    names = {name for name, _roles in PAGES}
    assert {"core:lead_home", "core:team_home", "core:manager_home", "core:ambassador_home",
            "core:people", "core:audit_log", "core:organisation"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("name,allowed", PAGES, ids=[n for n, _r in PAGES])
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_its_pages(client_for, name, allowed, role):
    response = client_for(role).get(reverse(name))
    if not allowed or role in allowed:
        assert response.status_code == 200, f"{role} should see {name}"
    else:
        assert response.status_code == 403, f"{role} must not see {name}"
        assert "not for your role" in response.content.decode().lower()


@pytest.mark.django_db
@pytest.mark.parametrize("name,allowed", PAGES, ids=[n for n, _r in PAGES])
def test_anonymous_visitors_are_sent_to_log_in(client, name, allowed):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert "next=" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role,home", [
    (Role.COMMS_LEAD, "core:lead_home"), (Role.TEAM, "inbox:list"),
    (Role.MANAGER, "core:manager_home"), (Role.AMBASSADOR, "core:ambassador_home"),
])
def test_each_role_lands_on_its_own_home(client_for, role, home):
    response = client_for(role).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(home)


@pytest.mark.django_db
def test_navigation_shows_only_what_the_role_may_open(client_for):
    team_page = client_for(Role.TEAM).get(reverse("core:team_home")).content.decode()
    assert reverse("core:team_home") in team_page
    assert reverse("core:audit_log") not in team_page
    lead_page = client_for(Role.COMMS_LEAD).get(reverse("core:lead_home")).content.decode()
    assert reverse("core:audit_log") in lead_page


@pytest.mark.django_db
def test_a_person_with_several_roles_sees_the_pages_of_each(person_factory, client):
    person = person_factory(Role.TEAM, Role.MANAGER)
    client.force_login(person)
    assert client.get(reverse("core:team_home")).status_code == 200
    assert client.get(reverse("core:manager_home")).status_code == 200
    assert client.get(reverse("core:people")).status_code == 403
