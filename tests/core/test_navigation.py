"""The main menu: short for one role, grouped for people who hold several roles, and usable
with the keyboard either way."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from samen.core.navigation import FLAT_LIMIT, GROUPS, all_items, groups_for, items_for
from samen.core.roles import Role
from tests.conftest import assert_accessible, browser_login
from tests.factories import make_person


def test_every_page_in_the_menu_belongs_to_a_known_group():
    assert all(item.group in GROUPS for item in all_items())


def test_groups_hold_each_visible_page_exactly_once_in_menu_order():
    roles = frozenset({Role.COMMS_LEAD, Role.TEAM, Role.MANAGER, Role.AMBASSADOR})
    groups = groups_for(roles)
    grouped = [item.key for group in groups for item in group.items]
    assert sorted(grouped) == sorted(item.key for item in items_for(roles))
    assert [g.key for g in groups] == [k for k in GROUPS if any(g.key == k for g in groups)]
    for group in groups:
        orders = [item.order for item in group.items]
        assert orders == sorted(orders)


def test_a_group_without_visible_pages_is_left_out():
    groups = groups_for(frozenset({Role.AMBASSADOR}))
    assert "admin" not in [g.key for g in groups]


def _menu_links(html: str) -> list[str]:
    nav = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', nav)


@pytest.mark.django_db
def test_an_ambassador_sees_one_flat_row_of_links(organisation):
    client = Client()
    client.force_login(make_person(Role.AMBASSADOR, username="amina"))
    html = client.get(reverse("core:ambassador_home")).content.decode()
    assert "data-nav-group" not in html
    links = _menu_links(html)
    assert len(links) == len(items_for(frozenset({Role.AMBASSADOR}))) <= FLAT_LIMIT


@pytest.mark.django_db
def test_a_comms_lead_who_is_also_in_the_team_gets_the_menu_in_groups(organisation):
    client = Client()
    client.force_login(make_person(Role.COMMS_LEAD, Role.TEAM, username="lotte"))
    html = client.get(reverse("core:lead_home")).content.decode()
    roles = frozenset({Role.COMMS_LEAD, Role.TEAM, Role.AMBASSADOR})
    expected = [reverse(item.url_name) for group in groups_for(roles) for item in group.items]
    assert len(expected) > FLAT_LIMIT
    assert _menu_links(html) == expected  # every page still reachable, each once
    assert html.count("<details data-nav-group>") == len(groups_for(roles))
    assert 'aria-current="page"' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_keyboard_users_open_a_menu_group_and_close_it_with_escape(browser_page):
    make_person(Role.COMMS_LEAD, Role.TEAM, Role.MANAGER, username="veelrollen")
    page = browser_page
    browser_login(page, "veelrollen")
    page.goto(reverse("core:team_home"))
    admin = page.locator("summary", has_text="Administration")
    audit = page.get_by_role("link", name="Audit log")
    assert not audit.is_visible()
    admin.focus()
    page.keyboard.press("Enter")
    assert audit.is_visible()
    assert_accessible(page, context="(menu group open)")
    # Opening another group closes the first one.
    page.locator("summary", has_text="Conversations").click()
    assert not audit.is_visible()
    assert page.get_by_role("navigation").get_by_role("link", name="Inbox", exact=True).is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("navigation").get_by_role("link", name="Inbox", exact=True).is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # Tab into an open group and follow a link with Enter.
    admin.focus()
    page.keyboard.press("Enter")
    audit.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("core:audit_log"))
