"""An agent's day in a real browser (Debian's Chromium, axe-core), in nl, fr and en:
open the inbox, pick the conversation with the keyboard, assign it to me, answer with a saved
reply, which policy escalates; the manager approves; the reply is sent; the contact page tells
the story. The network is replaced at the delivery seam (see test_peer_day for the real PDS).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from samen.core.models import Organisation
from samen.core.roles import Role
from samen.inbox import actions, delivery
from samen.inbox.models import Reply, ReplyState
from tests.conftest import assert_accessible, browser_login
from tests.factories import MandateFactory, make_person
from tests.inbox.factories import inbound_post, org_account, sent_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "nl": ("Er ligt een gevaarlijke put in het fietspad <script>alert(1)</script>",
           "Dag {contact_name}, we sturen vandaag nog iemand. {agent_first_name}"),
    "fr": ("Il y a un trou dangereux sur la piste cyclable <script>alert(1)</script>",
           "Bonjour {contact_name}, nous envoyons quelqu'un aujourd'hui. {agent_first_name}"),
    "en": ("There is a dangerous hole in the cycle path <script>alert(1)</script>",
           "Hi {contact_name}, we are sending someone today. {agent_first_name}"),
}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_an_agents_day(new_page, monkeypatch, language):
    sent = []

    def fake_send(reply):
        sent.append(reply.text)
        return sent_post(reply, 1)

    monkeypatch.setattr(delivery, "send_reply", fake_send)
    Organisation.objects.create(name="Stad Testburg")
    account = org_account()
    agent = make_person(Role.TEAM, username="jonas", language=language)
    MandateFactory(person=agent, account=account)
    make_person(Role.MANAGER, username="sofie", language=language)
    question, saved = TEXTS[language]
    actions.do_create_saved_reply(title="Hulp onderweg", language=language, intent="request",
                                  body=saved, by=None)
    post = inbound_post(text=question, name="Pieter Maes", language=language, urgent=True,
                        intent="request")
    [conv] = actions.do_receive_posts(post_ids=[post.pk])

    page = new_page(locale=language)
    browser_login(page, "jonas")
    page.goto(reverse("inbox:list") + "?view=unassigned")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("td", has_text="<script>alert(1)</script>").count() == 1
    assert_accessible(page, context=f"inbox list ({language})")
    page.keyboard.press("?")
    assert page.locator("dialog#shortcuts").is_visible()
    assert_accessible(page, context=f"shortcuts dialog ({language})")
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 1, "y": 1})
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**{reverse('inbox:conversation', args=[conv.pk])}")
    with page.expect_navigation():
        page.keyboard.press("a")
    conv.refresh_from_db()
    assert conv.assignee == agent and conv.state == "open"
    assert_accessible(page, context=f"conversation ({language})")

    page.locator("[data-fill]").first.click()
    filled = page.locator("#id_text").input_value()
    assert filled.startswith(saved.split("{")[0]) and "Pieter Maes" in filled and "Jonas" in filled
    with page.expect_navigation():
        page.locator("button[name=send][value='1']").click()
    reply = Reply.objects.get(conversation=conv)
    assert reply.state == "pending" and "urgent" in reply.escalation_reasons

    boss = new_page(locale=language)
    browser_login(boss, "sofie")
    boss.goto(reverse("inbox:approvals"))
    assert "Pieter Maes" in boss.content()
    assert_accessible(boss, context=f"approvals ({language})")
    with boss.expect_navigation():
        boss.locator("button[name=decision][value=approve]").click()
    reply.refresh_from_db()
    assert reply.state == "queued" and reply.decided_by.username == "sofie"

    call_command("worker", burst=True)
    reply.refresh_from_db()
    assert reply.state == "sent" and sent == [filled.strip()]

    page.goto(reverse("inbox:conversation", args=[conv.pk]))
    assert page.locator(".ours .state").first.inner_text().strip() != ""
    assert page.locator(".ours .post-text").first.inner_text().strip() == filled.strip()
    page.goto(reverse("inbox:notices"))
    assert page.locator("main li a").count() == 1
    page.goto(reverse("inbox:contact", args=[conv.contact_id]))
    assert page.locator("h1").inner_text() == "Pieter Maes"
    assert filled.strip() in page.content()
    assert_accessible(page, context=f"contact ({language})")


def test_policy_page_with_data_is_accessible(new_page):
    lead = make_person(Role.COMMS_LEAD, Role.TEAM, username="lotte")
    team = actions.do_create_team(name="Team NL", members=[lead], by=lead)
    actions.do_create_routing_rule(name="NL", conditions={"language": ["nl"]}, team=team,
                                   person=None, by=lead)
    actions.do_create_saved_reply(title="Open", language="nl", intent="question",
                                  body="Dag {contact_name}", by=lead)
    page = new_page(locale="nl")
    browser_login(page, "lotte")
    page.goto(reverse("inbox:policy"))
    for summary in page.locator("summary").all():
        summary.click()
    assert_accessible(page, context="policy with data")


RETRYING = {"nl": ("Wordt opnieuw geprobeerd", "volgende poging om 14:35", "Nu proberen"),
            "fr": ("Nouvel essai prévu", "prochain essai à 14:35", "Essayer maintenant"),
            "en": ("Retrying", "next attempt at 14:35", "Try now")}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_a_retrying_reply_shows_why_and_when_the_next_attempt_is(new_page, language):
    """The network said "later": the agent sees the reason and the time of the next attempt
    (in the installation's time zone), and can try now."""
    account = org_account()
    agent = make_person(Role.TEAM, username="jonas", language=language)
    MandateFactory(person=agent, account=account)
    [conv] = actions.do_receive_posts(post_ids=[inbound_post(language=language).pk])
    reply = actions.do_submit_reply(
        reply=actions.do_save_draft(conversation=conv, by=agent, text="Dag An"), by=agent)
    due = timezone.localtime().replace(hour=14, minute=35, second=0, microsecond=0)
    Reply.objects.filter(pk=reply.pk).update(
        state=ReplyState.RETRYING, attempts=1, next_attempt_at=due,
        last_error="server error 503 <b>busy</b>")
    page = new_page(locale=language)
    browser_login(page, "jonas")
    page.goto(reverse("inbox:conversation", args=[conv.pk]))
    label, when, button = RETRYING[language]
    ours = page.locator("li.ours")
    assert ours.locator(".state").inner_text() == label
    notice = ours.locator("p.retrying").inner_text()
    assert when in notice and "server error 503 <b>busy</b>" in notice
    assert_accessible(page, context=f"retrying reply ({language})")
    with page.expect_navigation():
        ours.get_by_role("button", name=button).click()
    assert Reply.objects.get(pk=reply.pk).state == ReplyState.QUEUED
