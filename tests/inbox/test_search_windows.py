"""Search reads the newest entries first and widens only when it found too few: the answers
must be the same as reading everything (newest matches first, rare old ones still found)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from samen.core.roles import Role
from samen.inbox import actions, selectors
from tests.inbox.factories import agent, conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_windows(monkeypatch):
    """A first window of two entries, a second of at most four and at most three matches: a
    handful of posts then takes every path the production sizes only reach with a million."""
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", 2)
    monkeypatch.setattr(selectors, "SEARCH_MAX_WINDOW", 4)
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 3)


def test_a_common_word_returns_the_newest_matches_first(tiny_windows):
    convs = [conversation(text=f"Is het containerpark open op dag {i}?") for i in range(6)]
    conversation(text="Iets heel anders")
    found = selectors.find("containerpark")
    assert found.conversations == [c.pk for c in reversed(convs)][:3]


def test_a_rare_old_match_is_still_found(tiny_windows):
    old = conversation(text="Een zeldzame vraag over de hondenweide")
    for i in range(12):
        conversation(text=f"Wanneer komt de vuilniskar in straat {i}?")
    assert selectors.find("hondenweide").conversations == [old.pk]
    if connection.vendor == "sqlite":  # FTS5 also reads the last word as a prefix
        assert selectors.find("hondenw").conversations == [old.pk]
    assert selectors.find("hondenweide vuilniskar").conversations == []


def test_windows_give_the_same_answer_as_reading_everything(monkeypatch):
    for i in range(15):
        conversation(text=f"De {'fietspad' if i % 3 else 'bushalte'} aan nummer {i % 4} is stuk")
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 4)
    for q in ("fietspad", "bushalte", "stuk", "nummer 2", "bushalte 1", "niets"):
        monkeypatch.setattr(selectors, "SEARCH_WINDOW", 10**9)
        everything = selectors.find(q)
        for window, max_window in ((1, 1), (2, 4), (3, 100), (1, 0)):
            monkeypatch.setattr(selectors, "SEARCH_WINDOW", window)
            monkeypatch.setattr(selectors, "SEARCH_MAX_WINDOW", max_window)
            assert selectors.find(q) == everything, (q, window, max_window)


def test_contacts_are_found_even_when_the_word_fills_the_posts(tiny_windows):
    mine = conversation(text="Ik ben de parkwachter", name="Jo Parkwachter")
    for i in range(8):
        conversation(text=f"De parkwachter zei iets over bank {i}", name=f"Burger {i}")
    found = selectors.find("parkwachter")
    assert mine.pk not in found.conversations  # its post is older than the newest three
    assert found.contacts == [mine.contact_id]
    assert [c.pk for c in selectors.search_contacts("parkwachter")] == [mine.contact_id]
    # ...and the list page shows that contact's conversation through the contact match
    ids = selectors.search_conversation_ids("parkwachter")
    assert mine.pk in ids


def test_the_list_shows_the_newest_matching_conversations_first(client_for, tiny_windows):
    client = client_for(Role.TEAM)
    for i in range(5):
        conversation(text=f"Vraag nummer {i} over de bibliotheek")
    page = client.get(reverse("inbox:list") + "?view=all&q=bibliotheek").content.decode()
    assert "nummer 4" in page and "nummer 3" in page and "nummer 2" in page
    assert page.index("nummer 4") < page.index("nummer 3") < page.index("nummer 2")
    assert "nummer 0" not in page  # beyond the newest three matches


def test_the_contact_index_stays_in_step_through_edits_and_merges():
    person = agent()
    a = conversation(author="@an@social.example", name="Xander Janssens")
    b = conversation(author="@bert@social.example", name="Bert Peeters")
    actions.do_update_contact(contact=a.contact, by=person, display_name="Annemie Janssens",
                              language="nl", notes="", kind="person", followers=0)
    assert selectors.search_contacts("Xander") == []  # the old name is out of the index
    actions.do_update_contact(contact=b.contact, by=person, display_name="Bert Peeters",
                              language="nl", notes="komt elke week langs", kind="person",
                              followers=0)
    actions.do_merge_contacts(source=b.contact, into=a.contact, by=person)
    # the survivor's entry was rewritten with the merged notes: old words out, new ones in
    assert [c.pk for c in selectors.search_contacts("Annemie")] == [a.contact_id]
    assert [c.pk for c in selectors.search_contacts("elke week")] == [a.contact_id]
    assert selectors.search_contacts("Peeters") == []  # the merged contact's entry is gone
    if connection.vendor == "sqlite":  # the index of every entry agrees with its text
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO inbox_search_fts(inbox_search_fts, rank) "
                           "VALUES ('integrity-check', 1)")
