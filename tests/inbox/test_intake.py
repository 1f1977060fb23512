"""Posts addressed to the organisation become conversations, threaded, once."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.inbox import actions, intake
from samen.inbox.models import (
    Contact,
    ContactEvent,
    ContactHandle,
    Conversation,
    ConversationEvent,
    ConversationPost,
    SearchEntry,
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


def _written_one_by_one(text: str, variants: set[str]) -> bool:
    """The plain reading: one search per variant (what the single pattern must equal)."""
    return any(re.search(r"(?<![\w@])@" + re.escape(v) + r"(?![\w-]|\.\w)", text.lower())
               for v in variants)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(["@", "stad", "Stad", "gent", ".", "-", "_", "social",
                                       ".example", " ", "bsky", "\u00e9", "x", "1", "s-t"]),
                     max_size=12).map("".join),
       handles=st.lists(st.sampled_from(["@stad@social.example", "stad", "stad.gent",
                                         "@gent@stad.gent", "s-t", "stad.bsky.social"]),
                        min_size=1, max_size=3))
def test_a_written_mention_is_found_whichever_variant_it_is(text, handles):
    """One pattern per network finds a written mention exactly where a search for each of
    the organisation's handle variants would."""
    org = intake.OrgIdentity.build([("mastodon", h) for h in handles], [])
    expected = _written_one_by_one(text, org.handles["mastodon"])
    assert intake.addressed_to_organisation(source="mastodon", text=text, mentions=[],
                                            visibility="public", reply_to="", thread_root="",
                                            org=org) is expected


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


def test_a_new_thread_received_in_one_batch_becomes_one_conversation():
    first = inbound_post(author="@an@social.example", text="Is het containerpark open?")
    follow = inbound_post(author="@an@social.example", text="En op zondag?", mention=False,
                          reply_to=first.external_id, root=first.external_id)
    deeper = inbound_post(author="@an@social.example", text="Bedankt!", mention=False,
                          reply_to=follow.external_id, root=first.external_id)
    made = actions.do_receive_posts(post_ids=[deeper.pk, follow.pk, first.pk])
    [conv] = Conversation.objects.all()
    assert [c.pk for c in made] == [conv.pk] * 3
    assert conv.post_count == 3 and conv.root_external_id == first.external_id
    assert list(conv.items.values_list("post_id", flat=True)) == [first.pk, follow.pk, deeper.pk]
    assert conv.last_activity_at == deeper.created_at
    assert Contact.objects.get().last_activity_at == deeper.created_at
    kinds = list(ConversationEvent.objects.filter(conversation=conv).values_list("kind", flat=True))
    assert kinds == ["created", "post", "post"]
    assert set(SearchEntry.objects.filter(conversation=conv, contact=conv.contact)
               .values_list("post_id", flat=True)) == {first.pk, follow.pk, deeper.pk}


def test_a_reply_joins_a_conversation_begun_earlier_in_the_same_batch_only():
    question = inbound_post(author="@an@social.example", text="Waar is het loket?")
    chatter = inbound_post(author="@bo@social.example", text="Mooi weer", mention=False)
    answer = inbound_post(author="@cis@social.example", text="Ik vraag het me ook af",
                          mention=False, reply_to=question.external_id,
                          root=question.external_id)
    aside = inbound_post(author="@dirk@social.example", text="Inderdaad", mention=False,
                         reply_to=chatter.external_id, root=chatter.external_id)
    made = actions.do_receive_posts(post_ids=[question.pk, chatter.pk, answer.pk, aside.pk])
    [conv] = Conversation.objects.all()
    assert len(made) == 2
    assert conv.post_count == 2 and conv.contact.display_name == "An Burger"
    assert set(conv.items.values_list("post_id", flat=True)) == {question.pk, answer.pk}
    assert not ConversationPost.objects.filter(post__in=[chatter, aside]).exists()


def test_a_batch_reopens_and_starts_conversations_as_posts_one_by_one_would():
    person = agent()
    first = inbound_post(author="@an@social.example")
    [old] = actions.do_receive_posts(post_ids=[first.pk])
    for state in ("open", "resolved"):
        old = actions.do_transition(conversation=old, to=state, by=person)
    again = inbound_post(author="@an@social.example", text="Nog steeds kapot", mention=False,
                         reply_to=first.external_id)
    other = inbound_post(author="@an@social.example", text="Andere vraag")
    newcomer = inbound_post(author="@nieuw@social.example", name="", text="Hallo")
    actions.do_receive_posts(post_ids=[again.pk, other.pk, newcomer.pk])
    old.refresh_from_db()
    assert (old.state, old.resolved_at, old.post_count) == ("open", None, 2)
    an = old.contact
    assert Conversation.objects.filter(contact=an).count() == 2
    an.refresh_from_db()
    assert an.last_activity_at == other.created_at
    fresh = Conversation.objects.get(contact__handles__handle="@nieuw@social.example")
    assert fresh.contact.display_name == "@nieuw@social.example"
    assert ContactEvent.objects.filter(contact=fresh.contact, kind="created").count() == 1


def test_a_batch_costs_the_same_number_of_queries_whatever_its_size():
    """No query per post: two posts and twelve posts (new conversations, replies threading
    into them, a to-inbox rule, routing to a team, posts left alone) cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samen.understanding import actions as understanding

    team = actions.do_create_team(name="Balie", members=[agent("ann"), agent("bert")],
                                  by=None)
    actions.do_create_routing_rule(name="Alles", conditions={}, team=team, person=None,
                                   by=None)
    understanding.do_create_rule(name="Fietspad", query="fietspad", to_inbox=True, by=None)

    def batch(n: int) -> list[int]:
        posts = []
        for i in range(n):
            if i % 4 == 0:
                posts.append(inbound_post(author=f"@p{n}x{i}@social.example"))
            elif i % 4 == 1:
                parent = posts[-1]
                posts.append(inbound_post(author=parent.author_handle, mention=False,
                                          reply_to=parent.external_id,
                                          root=parent.external_id))
            elif i % 4 == 2:
                posts.append(inbound_post(text="Het fietspad ligt open", mention=False))
            else:
                posts.append(inbound_post(text="Mooi weer", mention=False))
        ids = [p.pk for p in posts]
        understanding.do_understand_posts(post_ids=ids)  # stores the rule matches
        return ids

    small, large = batch(4), batch(12)
    with CaptureQueriesContext(connection) as few:
        actions.do_receive_posts(post_ids=small)
    with CaptureQueriesContext(connection) as many:
        made = actions.do_receive_posts(post_ids=large)
    assert len(made) == 9 and Conversation.objects.filter(team=team).count() == 2 + 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_one_post_that_cannot_be_received_does_not_hold_back_the_others(monkeypatch):
    good = inbound_post(text="Waar is het loket?")
    bad = inbound_post(text="Dit gaat mis")
    later = inbound_post(text="En de bibliotheek?")
    real = intake.addressed_to_organisation

    def fails_on_bad(**kwargs):
        if "mis" in kwargs["text"]:
            raise RuntimeError("cannot read this post")
        return real(**kwargs)

    monkeypatch.setattr(intake, "addressed_to_organisation", fails_on_bad)
    with pytest.raises(RuntimeError):
        actions.do_receive_posts(post_ids=[good.pk, bad.pk, later.pk])
    assert set(ConversationPost.objects.values_list("post_id", flat=True)) == {good.pk, later.pk}
