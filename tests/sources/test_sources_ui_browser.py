"""The sources pages work in a real browser, in three languages, with no axe violations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samen.core.roles import Role
from samen.sources.models import AccountState
from tests.conftest import assert_accessible, browser_login
from tests.factories import AccountFactory, StreamFactory, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_comms_lead_connects_a_feed_and_sees_its_state(browser_page, language):
    make_person(Role.COMMS_LEAD, username="lead", language=language)
    broken = AccountFactory(name="Stad op Bluesky", provider="bluesky",
                            state=AccountState.NEEDS_ATTENTION, state_reason="401")
    StreamFactory(account=broken, kind="hashtag", query="samenburg")
    page = browser_page
    browser_login(page, "lead")
    page.goto(reverse("sources:accounts"))
    assert_accessible(page, context=language)
    page.select_option("#id_provider", "feed")
    page.fill("#id_name", "Persberichten")
    page.fill("#id_base_url", "https://stad.example/pers.xml")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Persberichten"
    assert_accessible(page, context=language)
    page.goto(reverse("sources:account", args=[broken.pk]))
    assert page.locator("#id_secret").count() == 1  # the reconnect form
    assert_accessible(page, context=language)
