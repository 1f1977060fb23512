"""Posts addressed to the organisation become conversations, threaded, once."""

from __future__ import annotations

import pytest

from samen.inbox import actions, intake
from samen.inbox.models import (
    Contact,
    ContactHandle,
    Conversation,
    ConversationEvent,
    ConversationPost,
)
from samen.understanding.signals import posts_understood
from tests.inbox.factories import agent, inbound_post, org_account

pytestmark = pytest.mark.django_db


def test_a_mention_becomes_a_conversation_with_a_contact():
    post = inbound_post(text="Waar kan ik mijn parkeerkaart aanvragen?", name="Lies Wouters",
                        author="@lies@social.example")
    [conv] = actions.do_receive_posts(post_ids=[post.pk])
    assert conv.state == "new"
    assert conv.contact.display_name == "Lies Wouters"
    assert conv.channel == "mastodon" and conv.language == "nl"
    assert "parkeerkaart" in conv.subject
    assert ContactHandle.objects.get(contact=conv.contact).handle == "@lies@social.example"
    assert conv.first_response_due is not None and conv.resolution_due is not None
    assert ConversationEvent.objects.filter(conversation=conv, kind="created").exists()


def test_receiving_the_same_posts_twice_changes_nothing():
    posts = [inbound_post(), inbound_post()]
    ids = [p.pk for p in posts]
    assert len(actions.do_receive_posts(post_ids=ids)) == 2
    counts = (Conversation.objects.count(), ConversationPost.objects.count(),
              ConversationEvent.objects.count(), Contact.objects.count())
    assert actions.do_receive_posts(post_ids=ids) == []
    assert actions.do_receive_posts(post_ids=ids + ids) == []
    assert (Conversation.objects.count(), ConversationPost.objects.count(),
            ConversationEvent.objects.count(), Contact.objects.count()) == counts


def test_posts_not_addressed_to_the_organisation_are_left_alone():
    post = inbound_post(text="Mooi weer vandaag in de stad", mention=False)
    assert actions.do_receive_posts(post_ids=[post.pk]) == []
    assert not Conversation.objects.exists()


def test_direct_messages_and_replies_to_our_posts_are_addressed_to_us():
    dm = inbound_post(text="Mijn adres is gewijzigd", mention=False, visibility="direct")
    ours = inbound_post(text="Het stadhuis is gesloten op 11 november.", mention=False,
                        direction="out", author="@stad@social.example")
    answer = inbound_post(text="Ook het containerpark?", mention=False,
                          reply_to=ours.external_id, root=ours.external_id)
    made = actions.do_receive_posts(post_ids=[dm.pk, ours.pk, answer.pk])
    assert len(made) == 2
    assert not ConversationPost.objects.filter(post=ours).exists()


def test_replies_thread_into_the_same_conversation():
    first = inbound_post(author="@an@social.example", text="Is het containerpark open?")
    [conv] = actions.do_receive_posts(post_ids=[first.pk])
    follow = inbound_post(author="@an@social.example", text="En op zondag?", mention=False,
                          reply_to=first.external_id, root=first.external_id)
    deeper = inbound_post(author="@an@social.example", text="Bedankt!", mention=False,
                          reply_to=follow.external_id, root=first.external_id)
    actions.do_receive_posts(post_ids=[follow.pk, deeper.pk])
    assert Conversation.objects.count() == 1
    conv.refresh_from_db()
    assert conv.post_count == 3
    assert list(conv.items.values_list("post_id", flat=True)) == [first.pk, follow.pk, deeper.pk]


def test_the_customer_writing_again_reopens_a_resolved_conversation():
    person = agent()
    first = inbound_post(author="@an@social.example")
    [conv] = actions.do_receive_posts(post_ids=[first.pk])
    for state in ("open", "resolved", "closed"):
        conv = actions.do_transition(conversation=conv, to=state, by=person)
    again = inbound_post(author="@an@social.example", text="Het is nog steeds niet opgelost",
                         mention=False, reply_to=first.external_id)
    actions.do_receive_posts(post_ids=[again.pk])
    conv.refresh_from_db()
    assert conv.state == "open"
    reopen = ConversationEvent.objects.filter(conversation=conv, kind="state").last()
    assert (reopen.from_state, reopen.to_state, reopen.text) == ("closed", "open", "reopened")


def test_one_contact_per_handle_across_conversations():
    a = inbound_post(author="@an@social.example", text="Vraag een")
    b = inbound_post(author="@an@social.example", text="Vraag twee")
    actions.do_receive_posts(post_ids=[a.pk, b.pk])
    assert Conversation.objects.count() == 2
    assert Contact.objects.count() == 1


def test_the_understood_signal_feeds_the_inbox():
    post = inbound_post()
    posts_understood.send(sender=None, post_ids=[post.pk])
    assert ConversationPost.objects.filter(post=post).exists()


def test_mentions_are_recognised_in_every_usual_spelling():
    org = intake.OrgIdentity.build([("mastodon", "@stad@social.example"),
                                    ("bluesky", "stad.bsky.social")], [])
    def addressed(source, text, mentions=()):
        return intake.addressed_to_organisation(source=source, text=text, mentions=mentions,
                                                visibility="public", reply_to="",
                                                thread_root="", org=org)
    assert addressed("mastodon", "hallo @Stad waar is het?")
    assert addressed("mastodon", "hallo", ["@stad@social.example"])
    assert addressed("bluesky", "@stad.bsky.social vraagje")
    assert not addressed("bluesky", "@stad.bsky.socialist vraagje")
    assert not addressed("mastodon", "mail stad@social.example")
    assert not addressed("mastodon", "@stadhuis is open")


def test_a_post_matching_a_to_inbox_rule_becomes_a_conversation_with_the_rule_name(
        django_capture_on_commit_callbacks):
    from samen.understanding import actions as understanding

    org_account()
    understanding.do_create_rule(name="Verkeersveiligheid", query="kruispunt OR fietspad",
                                 to_inbox=True, by=None)
    understanding.do_create_rule(name="Alleen luisteren", query="gevaarlijk", by=None)
    matched = inbound_post(mention=False, text="Gevaarlijk kruispunt aan de school")
    other = inbound_post(mention=False, text="Gevaarlijk weer vandaag")
    with django_capture_on_commit_callbacks(execute=True):  # posts_understood after commit
        understanding.do_understand_posts(post_ids=[matched.pk, other.pk])
    conversation = ConversationPost.objects.get(post=matched).conversation
    assert sorted(conversation.rule_names) == ["Alleen luisteren", "Verkeersveiligheid"]
    assert not ConversationPost.objects.filter(post=other).exists(), \
        "a rule that only listens does not fill the inbox"
