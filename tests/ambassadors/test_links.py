"""The tracked redirect: only links Samen issued, each to its stored target; a click counts once
per visitor per link per day; no IP address or user agent is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samen.ambassadors import actions, selectors
from samen.ambassadors.models import Click, ClickSalt, TrackedLink
from samen.core.roles import Role
from tests.ambassadors.factories import hub_item

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
UA = "Mozilla/5.0 (X11; Linux x86_64) SamenTest/1.0"


@pytest.fixture
def link(person_factory):
    lead = person_factory(Role.COMMS_LEAD)
    item = hub_item(by=lead, url="https://stad.example/nieuws/fietsstraten?x=1&y=2")
    sharer = person_factory(username="deler")
    return actions.do_share(person=sharer, item=item, network="bluesky", text="Kijk",
                            link_base="http://testserver/ambassadors/s/").share.link


def _visit(client: Client, code: str, **extra):
    return client.get(reverse("ambassadors:short", args=[code]), REMOTE_ADDR=IP,
                      HTTP_USER_AGENT=UA, **extra)


def test_a_known_code_redirects_to_its_stored_target(link):
    response = _visit(Client(), link.code)
    assert response.status_code == 302
    assert response["Location"] == "https://stad.example/nieuws/fietsstraten?x=1&y=2"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("code", ["nope", "AAAAAAAA", "%2F%2Fevil.example", "..", "a" * 300])
def test_an_unknown_code_is_a_404(link, code):
    response = Client().get(f"/ambassadors/s/{code}")
    assert response.status_code == 404


def test_the_target_cannot_be_steered_from_the_request(link):
    response = Client().get(reverse("ambassadors:short", args=[link.code]),
                            {"next": "https://evil.example", "url": "https://evil.example",
                             "u": "//evil.example"}, REMOTE_ADDR=IP)
    assert response["Location"] == link.target_url
    assert Client().post(reverse("ambassadors:short", args=[link.code])).status_code == 405


def test_editing_the_item_does_not_move_an_issued_link(link, person_factory):
    item = link.item
    actions.do_save_hub_item(item=item, title=item.title, url="https://elsewhere.example/",
                             text_nl="", text_fr="", text_en="", department="",
                             ends_on=item.ends_on, by=person_factory(Role.COMMS_LEAD))
    assert _visit(Client(), link.code)["Location"] == link.target_url


def test_a_visitor_is_counted_once_with_or_without_their_cookie(link):
    browser = Client()
    first = _visit(browser, link.code)
    assert "samen_visitor" in first.cookies  # set on the first visit
    _visit(browser, link.code)  # sends the cookie now
    _visit(browser, link.code)
    assert Click.objects.filter(link=link).count() == 1
    no_cookies = Client()
    no_cookies.cookies.clear()
    for _ in range(3):  # a browser that refuses cookies: same IP and user agent, same day
        no_cookies.get(reverse("ambassadors:short", args=[link.code]), REMOTE_ADDR="198.51.100.9",
                       HTTP_USER_AGENT=UA)
        no_cookies.cookies.clear()
    assert Click.objects.filter(link=link).count() == 2
    _visit(Client(), link.code, HTTP_COOKIE="samen_visitor=someone-else")
    assert Click.objects.filter(link=link).count() == 3


def test_no_raw_ip_user_agent_or_cookie_is_stored(link):
    browser = Client()
    first = _visit(browser, link.code)
    cookie = first.cookies["samen_visitor"].value
    rows = list(Click.objects.values())
    assert len(rows) == 1
    stored = " ".join(str(v) for row in rows for v in row.values())
    for secret in (IP, UA, "SamenTest", cookie, "203.0.113"):
        assert secret not in stored
    assert len(rows[0]["cookie_hash"]) == 64 and len(rows[0]["device_hash"]) == 64


def test_old_salts_and_hashes_are_forgotten(link):
    _visit(Client(), link.code)
    today = timezone.localdate()
    Click.objects.update(day=today - timedelta(days=3))
    ClickSalt.objects.update(day=today - timedelta(days=3))
    blanked = actions.do_forget_old_click_data(today=today)
    assert blanked == 1
    click = Click.objects.get()
    assert (click.cookie_hash, click.device_hash) == ("", "")
    assert not ClickSalt.objects.exists()
    # the count itself stays
    assert selectors.my_links(link.person).get().click_count == 1


def test_the_sharer_sees_their_own_counts(link, client_for):
    _visit(Client(), link.code)
    _visit(Client(), link.code, HTTP_COOKIE="samen_visitor=b")
    client = Client()
    client.force_login(link.person)
    page = client.get(reverse("ambassadors:hub")).content.decode()
    assert link.item.title in page
    assert '<td class="num">2</td>' in page
    other = client_for(Role.AMBASSADOR).get(reverse("ambassadors:hub")).content.decode()
    assert '<td class="num">2</td>' not in other


def test_codes_are_unique_per_item_network_and_person(link, person_factory):
    again = actions.get_or_issue_link(item=link.item, network="bluesky", person=link.person)
    assert again == link
    other = actions.get_or_issue_link(item=link.item, network="x", person=link.person)
    assert other.code != link.code
    assert TrackedLink.objects.count() == 2
