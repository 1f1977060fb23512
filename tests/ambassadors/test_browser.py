"""The ambassador flows in a real browser (Chromium), in Dutch, French and English, with
axe-core on every page. Requests to the networks are intercepted: nothing leaves the machine."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from samen.ambassadors import actions, selectors
from samen.ambassadors.models import Click, Share, TrackedLink
from samen.core.roles import Role
from tests.ambassadors.factories import hub_item, privacy_guide
from tests.conftest import assert_accessible, browser_login
from tests.factories import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["nl", "fr", "en"]
TEXT = "Fietsstraten & #Samenburg 🚲 — café à l'été"


def _login(new_page, language: str, *roles: str, username: str = "amina", **fields):
    person = make_person(*roles, username=username, language=language, **fields)
    page = new_page(locale=language)
    browser_login(page, username)
    return person, page


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledging_the_guidelines(new_page, language):
    lead = make_person(Role.COMMS_LEAD, username="lotte")
    version = actions.do_publish_guidelines(
        body_nl="## Gebruik je gezond verstand\n\n- Spreek voor jezelf",
        body_fr="## Faites preuve de bon sens\n\n- Parlez en votre nom",
        body_en="## Use your common sense\n\n- Speak for yourself", by=lead)
    person, page = _login(new_page, language)
    page.goto(reverse("ambassadors:guidelines"))
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    expected = {"nl": "Gebruik je gezond verstand", "fr": "Faites preuve de bon sens",
                "en": "Use your common sense"}[language]
    assert page.locator("article.guidelines h2").inner_text() == expected
    assert_accessible(page, context=f"guidelines ({language})")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#acknowledged").is_visible()
    assert selectors.has_acknowledged(person=person, version=version)
    assert_accessible(page, context=f"acknowledged ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_ticking_a_privacy_checklist(new_page, language):
    guide = privacy_guide(network="bluesky", steps=3)
    person, page = _login(new_page, language)
    page.goto(reverse("ambassadors:privacy"))
    assert_accessible(page, context=f"privacy list ({language})")
    page.click(f"a[href='{reverse('ambassadors:privacy_guide', args=[guide.network])}']")
    page.wait_for_load_state()
    steps = list(guide.steps.all())
    page.check(f"#step-{steps[0].pk}")
    page.check(f"#step-{steps[2].pk}")
    assert_accessible(page, context=f"checklist ({language})")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.is_checked(f"#step-{steps[0].pk}") and not page.is_checked(f"#step-{steps[1].pk}")
    assert selectors.ticked_step_ids(person=person) == {steps[0].pk, steps[2].pk}
    # Another person, even the comms lead, sees an empty checklist.
    make_person(Role.COMMS_LEAD, username="lead")
    other = new_page(locale=language)
    browser_login(other, "lead")
    other.goto(reverse("ambassadors:privacy_guide", args=[guide.network]))
    assert other.locator("input[name=step]:checked").count() == 0


def _capture(page, pattern: str) -> list[str]:
    """Answer requests to an external host ourselves and remember where the browser went."""
    seen: list[str] = []

    def handle(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><html lang=en><title>composer</title></html>")

    page.route(pattern, handle)
    return seen


@pytest.mark.parametrize("language", LANGUAGES)
def test_sharing_an_item_to_mastodon_and_bluesky(new_page, language):
    lead = make_person(Role.COMMS_LEAD, username="lotte")
    item = hub_item(by=lead)
    person, page = _login(new_page, language)
    mastodon = _capture(page, "https://social.example/**")
    bluesky = _capture(page, "https://bsky.app/**")
    page.goto(reverse("ambassadors:hub"))
    assert_accessible(page, context=f"hub ({language})")
    # Mastodon needs the person's own server first.
    page.goto(reverse("ambassadors:preferences") + f"?item={item.pk}")
    assert_accessible(page, context=f"preferences ({language})")
    page.fill("#id_mastodon_instance", "social.example")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == reverse("ambassadors:share", args=[item.pk])
    assert_accessible(page, context=f"share ({language})")
    page.fill("#id_text", TEXT)
    page.click("button[name=network][value=mastodon]")
    page.wait_for_url("https://social.example/**")
    link = TrackedLink.objects.get(person=person, network="mastodon")
    assert mastodon and urlsplit(mastodon[0]).path == "/share"
    sent = parse_qs(urlsplit(mastodon[0]).query)["text"][0]
    assert sent.startswith(TEXT + " http://") and sent.endswith(f"/ambassadors/s/{link.code}")
    page.goto(reverse("ambassadors:share", args=[item.pk]))
    page.fill("#id_text", TEXT)
    page.click("button[name=network][value=bluesky]")
    page.wait_for_url("https://bsky.app/**")
    assert bluesky and bluesky[0].startswith("https://bsky.app/intent/compose?text=")
    assert "%20%26%20%23Samenburg%20%F0%9F%9A%B2" in bluesky[0]
    assert parse_qs(urlsplit(bluesky[0]).query)["text"][0].startswith(TEXT + " http://")
    assert sorted(Share.objects.filter(person=person).values_list("network", flat=True)) == [
        "bluesky", "mastodon"]


def _post_with_link(page, live_url: str, code: str) -> None:
    """A post on some network, as a reader sees it, with the ambassador's short link in it."""
    short = f"{live_url}{reverse('ambassadors:short', args=[code])}"
    page.route("https://social.example/@amina/1", lambda route: route.fulfill(
        status=200, content_type="text/html",
        body=f'<!doctype html><html lang="nl"><title>post</title><a href="{short}">link</a>'))
    page.goto("https://social.example/@amina/1")


def test_a_click_on_the_tracked_link_is_counted_once(new_page, live_server, browser_instance):
    lead = make_person(Role.COMMS_LEAD, username="lotte")
    item = hub_item(by=lead, url="https://stad.example/nieuws/fietsstraten")
    sharer = make_person(username="deler")
    link = actions.do_share(person=sharer, item=item, network="bluesky", text="x",
                            link_base="/ambassadors/s/").share.link
    reader = new_page(locale="nl")
    landed = _capture(reader, "https://stad.example/**")
    for _ in range(3):
        _post_with_link(reader, live_server.url, link.code)
        reader.click("a")
        reader.wait_for_url("https://stad.example/**")
    assert landed == ["https://stad.example/nieuws/fietsstraten"] * 3
    assert Click.objects.filter(link=link).count() == 1
    # Another reader (another browser, so another visitor) counts too.
    context = browser_instance.new_context(base_url=live_server.url, locale="fr-BE",
                                           user_agent="Mozilla/5.0 (Other reader)")
    try:
        other = context.new_page()
        _capture(other, "https://stad.example/**")
        _post_with_link(other, live_server.url, link.code)
        other.click("a")
        other.wait_for_url("https://stad.example/**")
        assert Click.objects.filter(link=link).count() == 2
        response = other.goto("/ambassadors/s/unknown1")
        assert response is not None and response.status == 404
    finally:
        context.close()
