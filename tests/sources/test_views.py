"""The comms lead's sources pages: add a source, see its state and reason, add streams."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samen.core.roles import Role
from samen.sources import actions
from samen.sources.models import Account, AccountState, Stream

pytestmark = pytest.mark.django_db


def test_the_lead_adds_a_feed_and_sees_it_with_its_stream(client_for):
    lead = client_for(Role.COMMS_LEAD)
    response = lead.post(reverse("sources:index"), {
        "provider": "feed", "name": "Nieuws van de stad",
        "base_url": "https://stad.example/nieuws.rss"})
    account = Account.objects.get(name="Nieuws van de stad")
    assert response.status_code == 302
    assert response["Location"] == reverse("sources:account", args=[account.pk])
    assert list(account.streams.values_list("kind", flat=True)) == ["feed"]
    page = lead.get(reverse("sources:index")).content.decode()
    assert "Nieuws van de stad" in page and "RSS/Atom feed" in page


def test_a_mastodon_account_needs_its_token_and_gets_mentions_and_direct(client_for):
    lead = client_for(Role.COMMS_LEAD)
    data = {"provider": "mastodon", "name": "Stad op Mastodon",
            "base_url": "https://social.example"}
    page = lead.post(reverse("sources:index"), data).content.decode()
    assert "needs a token" in page and not Account.objects.exists()
    lead.post(reverse("sources:index"), {**data, "secret": "s3cret-token"})
    account = Account.objects.get()
    assert account.credentials == {"access_token": "s3cret-token"}
    assert sorted(account.streams.values_list("kind", flat=True)) == ["direct", "mentions"]
    assert "s3cret-token" not in lead.get(reverse("sources:account",
                                                  args=[account.pk])).content.decode()


def test_needs_attention_shows_the_reason_and_reconnecting_resumes(client_for):
    lead = client_for(Role.COMMS_LEAD)
    account = actions.do_connect_account(provider="mastodon", name="Stad",
                                         base_url="https://social.example", secret="old",
                                         by=None)
    actions.do_mark_needs_attention(account=account, reason="the server refused the token")
    page = lead.get(reverse("sources:index")).content.decode()
    assert "Needs attention: the server refused the token" in page
    lead.post(reverse("sources:account", args=[account.pk]),
              {"form": "reconnect", "secret": "new-token"})
    account.refresh_from_db()
    assert account.state == AccountState.ACTIVE
    assert account.credentials["access_token"] == "new-token"


def test_streams_can_be_added_paused_and_the_account_paused(client_for):
    lead = client_for(Role.COMMS_LEAD)
    account = actions.do_connect_account(provider="mastodon", name="Stad",
                                         base_url="https://social.example", secret="t", by=None)
    url = reverse("sources:account", args=[account.pk])
    page = lead.post(url, {"form": "stream", "kind": "hashtag", "query": ""}).content.decode()
    assert "Say which hashtag" in page
    lead.post(url, {"form": "stream", "kind": "hashtag", "query": "stadsfeest"})
    stream = Stream.objects.get(kind="hashtag")
    assert stream.query == "stadsfeest"
    lead.post(reverse("sources:toggle_stream", args=[stream.pk]))
    stream.refresh_from_db()
    assert not stream.enabled
    lead.post(reverse("sources:pause", args=[account.pk]))
    account.refresh_from_db()
    assert account.state == AccountState.PAUSED


def test_other_roles_cannot_change_sources(client_for):
    account = actions.do_connect_account(provider="feed", name="F",
                                         base_url="https://f.example/rss", by=None)
    team = client_for(Role.TEAM)
    assert team.post(reverse("sources:pause", args=[account.pk])).status_code == 403
    assert team.get(reverse("sources:account", args=[account.pk])).status_code == 403
