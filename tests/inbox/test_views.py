"""The pages of the inbox, driven as the team uses them (no JavaScript needed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samen.core.roles import Role
from samen.inbox import actions
from samen.inbox.models import Conversation, Reply
from tests.factories import MandateFactory
from tests.inbox.factories import agent, conversation, inbound_post, org_account

pytestmark = pytest.mark.django_db


def test_hostile_text_in_a_post_is_shown_as_text(client_for):
    client = client_for(Role.TEAM)
    conv = conversation(text='Formulier stuk <script>alert("x")</script> <b>vet</b>')
    actions.do_assign(conversation=conv, to=client.person, by=client.person)
    for url in (reverse("inbox:list"), reverse("inbox:conversation", args=[conv.pk]),
                reverse("inbox:contact", args=[conv.contact_id])):
        page = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in page
        assert "<b>vet</b>" not in page
    page = client.get(reverse("inbox:conversation", args=[conv.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_assign_to_me_from_the_conversation_page(client_for):
    client = client_for(Role.TEAM)
    conv = conversation()
    response = client.post(reverse("inbox:assign", args=[conv.pk]), {"to": "me"})
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.assignee == client.person and conv.state == "open"
    mine = client.get(reverse("inbox:list") + "?view=mine").content.decode()
    assert reverse("inbox:conversation", args=[conv.pk]) in mine


def test_views_show_the_right_conversations(client_for):
    client = client_for(Role.TEAM)
    urgent = conversation(text="Er ligt een gevaarlijke put", urgent=True)
    quiet = conversation(text="Wanneer is de bib open?")
    unassigned = client.get(reverse("inbox:list") + "?view=unassigned").content.decode()
    assert "gevaarlijke put" in unassigned and "bib open" in unassigned
    urgent_page = client.get(reverse("inbox:list") + "?view=urgent").content.decode()
    assert "gevaarlijke put" in urgent_page and "bib open" not in urgent_page
    assert urgent.urgent and not quiet.urgent


def test_search_finds_posts_and_contacts(client_for):
    client = client_for(Role.TEAM)
    conversation(text="De rue de la Station est bloquée", name="Marc Lefèvre", language="fr")
    conversation(text="Containerpark zaterdag?", name="An Peeters")
    page = client.get(reverse("inbox:list") + "?view=open&q=bloquee").content.decode()
    assert "rue de la Station" in page and "Containerpark" not in page
    page = client.get(reverse("inbox:list") + "?view=open&q=Lefèvre").content.decode()
    assert "Marc Lefèvre" in page


def test_saved_views_belong_to_their_person(client_for):
    client = client_for(Role.TEAM)
    url = reverse("inbox:list") + "?view=urgent&language=fr"
    client.post(url, {"name": "Dringend Frans"})
    page = client.get(reverse("inbox:list")).content.decode()
    assert "Dringend Frans" in page and "language=fr" in page
    other = client_for(Role.COMMS_LEAD).get(reverse("inbox:list")).content.decode()
    assert "Dringend Frans" not in other


def test_new_rows_arrive_through_polling(client_for):
    client = client_for(Role.TEAM)
    conversation(text="eerste vraag")
    page = client.get(reverse("inbox:list") + "?view=unassigned").content.decode()
    assert 'hx-trigger="every 5s"' in page
    conversation(text="tweede vraag net binnen")
    rows = client.get(reverse("inbox:list") + "?view=unassigned",
                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-rows").content.decode()
    assert "tweede vraag net binnen" in rows and "<h1>" not in rows


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_run_a_constant_number_of_queries(client_for):
    client = client_for(Role.TEAM)
    conversation(author="@een@social.example")
    counts = {}
    for view in ("unassigned", "open", "urgent", "breached"):
        counts[view] = _queries(client, reverse("inbox:list") + f"?view={view}")
    for i in range(30):
        conv = conversation(author=f"@burger{i}@social.example", urgent=i % 2 == 0)
        if i % 3 == 0:
            actions.do_assign(conversation=conv, to=client.person, by=client.person)
    for view in counts:
        assert _queries(client, reverse("inbox:list") + f"?view={view}") == counts[view], view
    mine = _queries(client, reverse("inbox:list") + "?view=mine")
    conversation(author="@nog@social.example")
    assert _queries(client, reverse("inbox:list") + "?view=mine") == mine


def test_a_search_runs_a_constant_number_of_queries(client_for):
    client = client_for(Role.TEAM)
    url = reverse("inbox:list") + "?view=all&q=fietspad"
    conversation(text="Het fietspad is stuk", name="Fien Fietspad")
    one = _queries(client, url)
    for i in range(30):
        conversation(text=f"Nog een fietspad stuk, nummer {i}")
    assert _queries(client, url) == one


def test_contact_page_queries_do_not_grow_with_the_story(client_for):
    client = client_for(Role.TEAM)
    first = conversation(author="@an@social.example")
    url = reverse("inbox:contact", args=[first.contact_id])
    before = _queries(client, url)
    for _ in range(10):
        conversation(author="@an@social.example")
    assert Conversation.objects.filter(contact=first.contact).count() == 11
    assert _queries(client, url) == before


def test_without_mandate_the_composer_only_drafts(client_for):
    client = client_for(Role.TEAM)
    conv = conversation()
    page = client.get(reverse("inbox:conversation", args=[conv.pk])).content.decode()
    assert "You do not hold the mandate" in page
    response = client.post(reverse("inbox:reply", args=[conv.pk]),
                           {"text": "Dag An, we kijken het na.", "send": "1"})
    assert response.status_code == 302
    reply = Reply.objects.get(conversation=conv)
    assert reply.state == "draft"


def test_with_mandate_sending_queues_the_reply(client_for, django_capture_on_commit_callbacks):
    client = client_for(Role.TEAM)
    conv = conversation()
    MandateFactory(person=client.person, account=org_account())
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("inbox:reply", args=[conv.pk]),
                    {"text": "Dag An, het containerpark is open.", "send": "1"})
    assert Reply.objects.get(conversation=conv).state == "queued"


def test_manager_approves_from_the_queue(client_for, django_capture_on_commit_callbacks):
    agent_client = client_for(Role.TEAM)
    conv = conversation(urgent=True)
    MandateFactory(person=agent_client.person, account=org_account())
    agent_client.post(reverse("inbox:reply", args=[conv.pk]),
                      {"text": "We sturen meteen iemand.", "send": "1"})
    reply = Reply.objects.get(conversation=conv)
    assert reply.state == "pending"
    boss = client_for(Role.MANAGER)
    page = boss.get(reverse("inbox:approvals")).content.decode()
    assert "We sturen meteen iemand." in page
    with django_capture_on_commit_callbacks(execute=False):
        boss.post(reverse("inbox:decide", args=[reply.pk]),
                  {f"r{reply.pk}-text": "We sturen vandaag nog iemand.",
                   f"r{reply.pk}-comment": "", "decision": "approve"})
    reply.refresh_from_db()
    assert reply.state == "queued" and reply.text == "We sturen vandaag nog iemand."
    notices = agent_client.get(reverse("inbox:notices")).content.decode()
    assert "approved" in notices


def test_policy_page_saves_an_sla_target(client_for):
    lead = client_for(Role.COMMS_LEAD)
    lead.post(reverse("inbox:policy"), {"form": "sla", "sla-channel": "bluesky",
                                        "sla-priority": "high",
                                        "sla-first_response_minutes": "30",
                                        "sla-resolution_minutes": "240"})
    conv = conversation(provider="bluesky", urgent=True)
    assert (conv.first_response_due - conv.created_at).total_seconds() == 30 * 60


def test_contact_page_tells_the_whole_story_across_networks(client_for):
    client = client_for(Role.TEAM)
    a = conversation(author="@an@social.example", name="An", text="Vraag op Mastodon")
    b = conversation(provider="bluesky", author="an.bsky.social", name="An B",
                     text="Vraag op Bluesky")
    actions.do_merge_contacts(source=b.contact, into=a.contact, by=client.person)
    page = client.get(reverse("inbox:contact", args=[a.contact_id])).content.decode()
    assert page.index("Vraag op Mastodon") < page.index("Vraag op Bluesky")
    assert "an.bsky.social" in page
    # the merged contact's page leads to the survivor
    assert client.get(reverse("inbox:contact", args=[b.contact_id])).status_code == 302


def test_hostile_post_media_and_names_stay_text(client_for):
    client = client_for(Role.TEAM)
    post = inbound_post(name='<img src=x onerror=alert(1)>')
    [conv] = actions.do_receive_posts(post_ids=[post.pk])
    page = client.get(reverse("inbox:conversation", args=[conv.pk])).content.decode()
    assert "<img src=x" not in page


def test_conversation_page_queries_do_not_grow_with_the_thread(client_for):
    client = client_for(Role.TEAM)
    conv = conversation(text="Is het zwembad open?")
    url = reverse("inbox:conversation", args=[conv.pk])
    actions.do_save_draft(conversation=conv, by=client.person, text="Mijn eigen kladversie")
    client.get(url)  # the first visit records presence and builds the suggestion index
    before = _queries(client, url)
    colleague = agent()
    for i in range(5):
        sent = actions.do_save_draft(conversation=conv, by=colleague, text=f"Antwoord {i}")
        actions.do_record_sent(reply=sent, external_id=f"x-{i}", url="", by=colleague)
    page = client.get(url).content.decode()  # new sent replies: the index is built again
    assert "Mijn eigen kladversie" in page  # my open draft fills the composer
    assert "Antwoord 4" in page
    assert _queries(client, url) == before
