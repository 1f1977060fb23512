"""In a real browser, in Dutch, French and English: the comms lead writes a rule and sees the
preview follow the typing; the alerts page is readable and works with the keyboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samen.core.roles import Role
from samen.understanding.models import ListeningRule, TrendAlert
from tests.conftest import assert_accessible, browser_login
from tests.factories import PostFactory, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["nl", "fr", "en"]
MATCHES = {"nl": "1 van de laatste 2 berichten komt overeen",
           "fr": "1 des 2 derniers messages correspond",
           "en": "1 of the last 2 posts matches"}
ERRORS = {"nl": "Kolom 7", "fr": "Colonne 7", "en": "Column 7"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_writing_a_rule_with_a_live_preview(new_page, language):
    make_person(Role.COMMS_LEAD, username="lotte", language=language)
    now = timezone.now()
    PostFactory(text="Is het containerpark open? <script>window.hacked=1</script>",
                created_at=now - timedelta(minutes=3))
    PostFactory(text="Mooi weer vandaag", created_at=now - timedelta(minutes=2))
    page = new_page(locale=language)
    browser_login(page, "lotte")
    page.goto(reverse("understanding:rule_new"))
    page.fill("input[name=name]", "Afval")
    page.locator("textarea[name=query]").press_sequentially("afval OR", delay=20)
    error = page.locator("#preview-body .rule-error")
    error.wait_for()
    assert ERRORS[language] in error.inner_text()
    assert_accessible(page, context=f"(error, {language})")
    page.locator("textarea[name=query]").press_sequentially(" containerpark", delay=20)
    page.locator("#preview-body mark", has_text="containerpark").wait_for()
    assert MATCHES[language] in page.locator("#preview-body").inner_text()
    assert "<script>" in page.locator("#preview-body").inner_text()  # shown as text
    assert page.evaluate("window.hacked") is None
    assert_accessible(page, context=f"(preview, {language})")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**" + reverse("understanding:rules"))
    assert ListeningRule.objects.get().query == "afval OR containerpark"
    assert_accessible(page, context=f"(list, {language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_alerts_page_reads_well_and_alerts_can_be_acknowledged(new_page, language):
    make_person(Role.MANAGER, username="sofie", language=language)
    post = PostFactory(text="Wij lopen mee voor #geefomjedarm", created_at=timezone.now())
    TrendAlert.objects.create(kind="hashtag", term="#geefomjedarm", observed=38, expected=2.1,
                              score=24.6, since=timezone.now() - timedelta(minutes=50),
                              example_post_ids=[post.pk])
    page = new_page(locale=language)
    browser_login(page, "sofie")
    page.goto(reverse("understanding:alerts"))
    assert page.locator("h1").count() == 1
    assert "#geefomjedarm" in page.locator("main").inner_text()
    assert_accessible(page, context=f"(alerts, {language})")
    page.locator("article.alert-card button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert TrendAlert.objects.get().acknowledged_at is not None
    assert_accessible(page, context=f"(acknowledged, {language})")
