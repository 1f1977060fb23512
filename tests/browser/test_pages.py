"""Every page, in Dutch, French and English, is free of axe-core violations and works with
the keyboard. Runs Debian's Chromium through Playwright."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samen.core.navigation import all_items
from samen.core.roles import Role
from tests.conftest import assert_accessible, browser_login
from tests.factories import AccountFactory, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["nl", "fr", "en"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(new_page, language):
    page = new_page(locale=language)
    for url in ["/", reverse("core:password_reset"), reverse("core:password_reset_done")]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page, context=f"({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_every_role_is_accessible(browser_page, language):
    everyone = make_person(Role.COMMS_LEAD, Role.TEAM, Role.MANAGER, username="alle",
                           language=language)
    AccountFactory(name="Stad op Mastodon")
    page = browser_page
    browser_login(page, "alle")
    urls = [reverse(item.url_name) for item in all_items()]
    urls += [reverse("core:preferences"), reverse("core:person", args=[everyone.pk])]
    for url in urls:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language, url
        assert page.locator("h1").count() == 1, f"{url} needs exactly one h1"
        assert_accessible(page, context=f"({language})")


def test_a_page_for_another_role_is_accessible_too(browser_page):
    make_person(Role.AMBASSADOR, username="medewerker")
    page = browser_page
    browser_login(page, "medewerker")
    response = page.goto(reverse("core:audit_log"))
    assert response.status == 403
    assert_accessible(page)


def test_keyboard_users_can_skip_to_the_content_and_switch_language(browser_page):
    make_person(Role.TEAM, username="toetsenbord")
    page = browser_page
    browser_login(page, "toetsenbord")
    page.goto(reverse("core:team_home"))
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.select_option("#language-select", "fr")
    page.click(".language-switcher button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Équipe de conversation"


def test_logging_in_with_the_form_lands_on_the_role_home(browser_page):
    make_person(Role.MANAGER, username="directie")
    page = browser_page
    browser_login(page, "directie")
    assert page.url.endswith(reverse("core:manager_home"))
