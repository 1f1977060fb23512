"""An agent's whole day against the real Bluesky PDS, in a real browser (Debian's Chromium,
axe-core on every page).

A citizen mentions the city on Bluesky; Samen's listener hears it on the PDS firehose and the
intake makes it a conversation; the understanding step finds it urgent, a routing rule sends
it to the safety team, where it goes to the one member who is not away. The agent names the
contact, answers with a saved reply and a mention; the policy escalates (urgent); a manager,
in a browser of her own, approves; the worker sends it through the Bluesky connector. The
reply is read back from the PDS (thread refs, facets, record key), the citizen answers on
Bluesky, and the contact page tells the whole story. Nothing in between is faked.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from atproto import Client, models
from django.core.management import call_command
from django.urls import reverse

from samen.core.models import Organisation
from samen.core.roles import Role
from samen.inbox import actions
from samen.inbox.delivery import network_key
from samen.inbox.models import Conversation, Reply
from samen.sources import actions as source_actions
from samen.sources.bluesky import mapping
from samen.sources.listening import Listener
from samen.sources.models import Post
from tests.conftest import assert_accessible, browser_login
from tests.factories import MandateFactory, make_person

pytestmark = [pytest.mark.browser, pytest.mark.peer, pytest.mark.django_db(transaction=True)]

PASSWORD = "hunter22-not-real"
QUESTION = ("@stad.test Er ligt een omgevallen boom op het fietspad in de Veldstraat, "
            "fietsers moeten uitwijken naar de rijbaan! <script>alert(1)</script>")
SAVED = ("Dag {contact_name}, dank je voor de melding. Onze ploeg is onderweg; volg het op "
         "https://stad.example/werken #Veldstraat. Groet, {agent_first_name}")


def pds_account(pds: str, name: str) -> tuple[Client, str, str]:
    """``name.test`` on the PDS: (its logged-in client, DID, an app password for Samen)."""
    client = Client(base_url=pds)
    made = client.com.atproto.server.create_account(models.ComAtprotoServerCreateAccount.Data(
        handle=f"{name}.test", email=f"{name}@example.org", password=PASSWORD))
    client.login(f"{name}.test", PASSWORD, fetch_bsky_profile=False)
    app = client.com.atproto.server.create_app_password({"name": "samen"})
    return client, made.did, app.password


def listen_until(listener: Listener, done: Callable[[], bool], what: str) -> None:
    """Run the listener (as ``samen listen`` does) until ``done()``; the firehose is live."""
    deadline = time.monotonic() + 30
    while not done():
        assert time.monotonic() < deadline, f"{what} never reached the inbox"
        listener.run_once()
        time.sleep(0.2)


def test_an_agents_day_on_bluesky(bluesky_pds, new_page):
    # --- the organisation: a Bluesky account, a safety team, a rule, a saved reply.
    org_client, org_did, org_app_password = pds_account(bluesky_pds, "stad")
    citizen, citizen_did, _ = pds_account(bluesky_pds, "lies")
    Organisation.objects.create(name="Stad Testburg")
    lead = make_person(Role.COMMS_LEAD, username="lotte", language="nl")
    account = source_actions.do_create_account(
        provider="bluesky", name="Stad op Bluesky", handle="stad.test", base_url=bluesky_pds,
        credentials={"app_password": org_app_password}, by=lead)
    stream = source_actions.do_add_stream(account=account, kind="mentions", by=lead)
    stream.cursor = "0"  # replay the firehose from the start: nothing can slip by
    stream.save(update_fields=["cursor"])
    jonas = make_person(Role.TEAM, username="jonas", language="nl")
    mira = make_person(Role.TEAM, username="mira", language="nl")
    MandateFactory(person=jonas, account=account)
    make_person(Role.MANAGER, username="sofie", language="nl")
    safety = actions.do_create_team(name="Veiligheid", members=[mira, jonas], by=lead)
    french = actions.do_create_team(name="Équipe FR", members=[mira], by=lead)
    actions.do_create_routing_rule(name="Frans", conditions={"language": ["fr"]}, team=french,
                                   person=None, position=10, by=lead)
    actions.do_create_routing_rule(name="Dringend op Bluesky",
                                   conditions={"channel": ["bluesky"], "urgent": [True]},
                                   team=safety, person=None, priority="high", position=20,
                                   by=lead)
    actions.do_set_away(person=mira, away=True, by=mira)
    actions.do_create_saved_reply(title="Ploeg onderweg", language="nl", intent="",
                                  body=SAVED, by=lead)

    # --- a citizen posts on Bluesky; the listener hears it on the PDS firehose.
    question = citizen.send_post(QUESTION, profile_identify=citizen_did, langs=["nl"],
                                 facets=[models.AppBskyRichtextFacet.Main(
                                     index=models.AppBskyRichtextFacet.ByteSlice(
                                         byte_start=0, byte_end=len(b"@stad.test")),
                                     features=[models.AppBskyRichtextFacet.Mention(
                                         did=org_did)])])
    listener = Listener(owner="test:agent-day", poll_seconds=0)
    try:
        listen_until(listener, lambda: Conversation.objects.filter(
            root_external_id=question.uri).exists(), "the mention")
        post = Post.objects.get(external_id=question.uri)
        assert post.account == account and post.author_external_id == citizen_did
        assert post.urgent  # understanding: a fallen tree on a cycle path is a danger
        conv = Conversation.objects.get(root_external_id=question.uri)
        # Routed by the rule to the safety team, to the member who is not away.
        assert conv.channel == "bluesky" and conv.urgent and conv.priority == "high"
        assert conv.team == safety and conv.assignee == jonas
        assert conv.events.filter(kind="assigned").get().data["rule"] == "Dringend op Bluesky"

        # --- the agent: the inbox, the conversation, the contact's name.
        page = new_page(locale="nl-BE")
        browser_login(page, "jonas")
        page.goto(reverse("inbox:list") + "?view=mine")
        row = page.locator("tbody tr", has_text="omgevallen boom")
        assert row.count() == 1
        assert row.locator(".urgent").count() == 1
        assert_accessible(page, context="inbox, my conversations")
        with page.expect_navigation():
            row.locator("a").click()
        heading = page.locator("h1").inner_text()
        assert citizen_did in heading or "lies.test" in heading  # the firehose carries no name
        assert "Veiligheid" in page.locator("main").inner_text()
        said = page.locator(".thread .post-text").first
        assert said.inner_text() == QUESTION  # the hostile bit is shown as text, never run
        assert page.locator(".thread script").count() == 0
        assert_accessible(page, context="the Bluesky conversation")
        with page.expect_navigation():
            page.locator(f"a[href='{reverse('inbox:contact', args=[conv.contact_id])}']").click()
        page.fill("#id_display_name", "Lies Peeters")
        with page.expect_navigation():
            page.locator("section[aria-labelledby=edit-heading] button[type=submit]").click()
        assert page.locator("h1").inner_text() == "Lies Peeters"

        # --- a saved reply, with a mention so Lies is notified; urgent: it is escalated.
        page.goto(reverse("inbox:conversation", args=[conv.pk]))
        page.locator("[data-fill]").first.click()
        filled = page.locator("#id_text").input_value()
        assert filled.startswith("Dag Lies Peeters, dank je") and filled.endswith("Jonas")
        text = f"@lies.test {filled}"
        page.fill("#id_text", text)
        with page.expect_navigation():
            page.locator("button[name=send][value='1']").click()
        reply = Reply.objects.get(conversation=conv)
        assert reply.state == "pending" and reply.escalation_reasons == ["urgent"]
        assert page.locator(".ours .notice").count() == 1  # waiting for a manager

        # --- the manager, in her own browser, approves.
        boss = new_page(locale="nl-BE")
        browser_login(boss, "sofie")
        boss.goto(reverse("inbox:approvals"))
        assert "omgevallen boom" in boss.locator("main").inner_text()
        assert_accessible(boss, context="approvals")
        with boss.expect_navigation():
            boss.locator("button[name=decision][value=approve]").click()
        reply.refresh_from_db()
        assert reply.state == "queued" and reply.decided_by.username == "sofie"

        # --- the worker sends it through the Bluesky connector to the PDS.
        call_command("worker", burst=True)
        reply.refresh_from_db()
        assert reply.state == "sent", reply.last_error
        key = network_key(reply)
        assert reply.external_id == f"at://{org_did}/{mapping.POST}/{key}"  # idempotent key

        # --- on the PDS: one post, in Lies's thread, with its facets.
        listed = org_client.com.atproto.repo.list_records(
            {"repo": org_did, "collection": mapping.POST, "limit": 100}).records
        assert [r.uri for r in listed] == [reply.external_id]
        stored = org_client.com.atproto.repo.get_record(
            {"repo": org_did, "collection": mapping.POST, "rkey": key})
        record = stored.value
        assert record.text == text.strip() and record.langs == ["nl"]
        assert record.reply.root.uri == record.reply.parent.uri == question.uri
        assert record.reply.root.cid == record.reply.parent.cid == question.cid
        raw = record.text.encode("utf-8")
        facets = {f.features[0].py_type: f for f in record.facets}
        mention = facets["app.bsky.richtext.facet#mention"]
        assert mention.features[0].did == citizen_did
        assert raw[mention.index.byte_start:mention.index.byte_end] == b"@lies.test"
        link = facets["app.bsky.richtext.facet#link"]
        assert link.features[0].uri == "https://stad.example/werken"
        assert raw[link.index.byte_start:link.index.byte_end] == b"https://stad.example/werken"
        assert facets["app.bsky.richtext.facet#tag"].features[0].tag == "Veldstraat"

        # --- Lies answers on Bluesky; it joins the same conversation.
        ours = models.create_strong_ref(stored)
        root = models.create_strong_ref(question)
        thanks = citizen.send_post("Top, ze zijn er al. Bedankt!", profile_identify=citizen_did,
                                   langs=["nl"], reply_to=models.AppBskyFeedPost.ReplyRef(
                                       root=root, parent=ours))
        listen_until(listener, lambda: conv.items.filter(external_id=thanks.uri).exists(),
                     "Lies's answer")
    finally:
        listener.release()
    assert Conversation.objects.count() == 1

    # --- the agent sees the reply as sent, the history, and the contact's story.
    page.goto(reverse("inbox:conversation", args=[conv.pk]))
    ours_item = page.locator(".thread .ours")
    assert ours_item.locator(".post-text").inner_text() == text.strip()
    assert ours_item.locator("a").count() == 1  # "on the network"
    history = page.locator(".history").inner_text()
    assert "urgent" in history and "sofie" in history.lower()
    assert "Top, ze zijn er al" in page.locator(".thread").inner_text()
    page.goto(reverse("inbox:contact", args=[conv.contact_id]))
    story = page.locator(".story").inner_text()
    for said in ("omgevallen boom", text.strip(), "Top, ze zijn er al. Bedankt!"):
        assert said in story
    assert story.index("omgevallen boom") < story.index("Top, ze zijn er al")
    assert_accessible(page, context="the contact's story")
