"""A Bluesky author stays one contact when their handle changes or arrives later than their
first post (the firehose gives only the DID until the name is resolved)."""

from __future__ import annotations

import pytest

from samen.inbox import actions
from samen.inbox.models import Contact, ContactEvent, ContactHandle
from tests.inbox.factories import inbound_post

pytestmark = pytest.mark.django_db

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"


def bluesky_post(text: str, *, handle: str, name: str = "", did: str = DID):
    return inbound_post(text=text, provider="bluesky", author=handle, name=name,
                        author_external_id=did)


def test_a_post_first_known_by_its_did_and_later_by_handle_stays_one_contact():
    first = bluesky_post("Wanneer komt de vuilniswagen?", handle=DID)
    [one] = actions.do_receive_posts(post_ids=[first.pk])
    assert one.contact.display_name == DID  # all we knew then

    later = bluesky_post("Nog altijd geen vuilniswagen.", handle="lies.bsky.social",
                         name="Lies Peeters")
    [two] = actions.do_receive_posts(post_ids=[later.pk])
    assert two.contact_id == one.contact_id
    contact = Contact.objects.get(pk=one.contact_id)
    assert contact.display_name == "Lies Peeters"
    [handle] = ContactHandle.objects.filter(contact=contact)
    assert (handle.handle, handle.external_id) == ("lies.bsky.social", DID)
    changed = ContactEvent.objects.get(contact=contact, kind="handle_changed")
    assert changed.data["handle"] == "lies.bsky.social"
    assert str(changed.label) == "handle changed on the network"


def test_a_new_handle_follows_the_same_person_and_keeps_a_name_someone_gave():
    first = bluesky_post("Is het zwembad open?", handle="lies.bsky.social", name="Lies")
    [one] = actions.do_receive_posts(post_ids=[first.pk])
    contact = one.contact
    contact.display_name = "Lies Peeters (buurtcomité)"  # an agent named her
    contact.save()
    moved = bluesky_post("Nieuwe handle, zelfde vraag", handle="lies.gent.be", name="Lies")
    [two] = actions.do_receive_posts(post_ids=[moved.pk])
    assert two.contact_id == contact.pk
    assert Contact.objects.get(pk=contact.pk).display_name == "Lies Peeters (buurtcomité)"
    assert ContactHandle.objects.get(contact=contact).handle == "lies.gent.be"


def test_two_people_with_the_same_old_handle_are_not_mixed_up():
    first = bluesky_post("Vraag een", handle="jan.bsky.social", did="did:plc:aaaa")
    [one] = actions.do_receive_posts(post_ids=[first.pk])
    # jan.bsky.social was given up and taken by someone else, with another DID
    other = bluesky_post("Vraag twee", handle="jan.bsky.social", did="did:plc:bbbb")
    [two] = actions.do_receive_posts(post_ids=[other.pk])
    assert two.contact_id != one.contact_id
    # The first person is no longer known by that handle: their contact keeps their DID.
    old = ContactHandle.objects.get(contact=one.contact)
    assert (old.handle, old.external_id) == ("did:plc:aaaa", "did:plc:aaaa")
    assert Contact.objects.get(pk=one.contact_id).display_name == "did:plc:aaaa"
    new = ContactHandle.objects.get(contact=two.contact)
    assert (new.handle, new.external_id) == ("jan.bsky.social", "did:plc:bbbb")
    # ... and when the first person writes again under a new handle, they are found by DID.
    again = bluesky_post("Vraag drie", handle="jan.gent.be", did="did:plc:aaaa")
    [three] = actions.do_receive_posts(post_ids=[again.pk])
    assert three.contact_id == one.contact_id
    assert Contact.objects.get(pk=one.contact_id).display_name == "jan.gent.be"


def test_mastodon_authors_are_still_told_apart_by_handle():
    a = inbound_post(text="Vraag", author="@an@social.example", author_external_id="42")
    b = inbound_post(text="Vraag", author="@bert@other.example", author_external_id="42")
    made = actions.do_receive_posts(post_ids=[a.pk, b.pk])
    assert len({c.contact_id for c in made}) == 2  # account ids are local to an instance
