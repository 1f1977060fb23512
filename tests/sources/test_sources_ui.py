"""The comms lead connects, follows, pauses and removes sources, and sees each one's state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from samen.core.models import AuditEvent
from samen.core.roles import Role
from samen.sources.models import Account, AccountState, Delivery, Post, Stream
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_connecting_a_mastodon_account_follows_mentions_dms_and_hashtags(client_for):
    lead = client_for(Role.COMMS_LEAD)
    response = lead.post(reverse("sources:accounts"), {
        "provider": "mastodon", "name": "Stad op Mastodon",
        "base_url": "https://social.stad.example", "handle": "@stad@social.stad.example",
        "secret": "token-123", "hashtags": "#Samenburg, afval, samenburg",
    })
    account = Account.objects.get(name="Stad op Mastodon")
    assert response.status_code == 302
    assert account.credentials == {"access_token": "token-123"}
    assert sorted(account.streams.values_list("kind", "query")) == [
        ("direct", ""), ("hashtag", "afval"), ("hashtag", "samenburg"), ("mentions", "")]
    page = lead.get(reverse("sources:account", args=[account.pk])).content.decode()
    assert "token-123" not in page, "secrets are never shown again"
    assert AuditEvent.objects.filter(action="sources.account.created").exists()


def test_a_network_account_needs_a_handle_and_a_secret(client_for):
    response = client_for(Role.COMMS_LEAD).post(reverse("sources:accounts"), {
        "provider": "bluesky", "name": "Stad op Bluesky", "base_url": "https://bsky.social",
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "The handle is needed for this network." in page
    assert "app password" in page
    assert not Account.objects.exists()


def test_a_feed_needs_only_its_address(client_for):
    client_for(Role.COMMS_LEAD).post(reverse("sources:accounts"), {
        "provider": "feed", "name": "Persberichten", "base_url": "https://stad.example/pers.xml",
    })
    account = Account.objects.get(name="Persberichten")
    assert list(account.streams.values_list("kind", flat=True)) == ["feed"]


def test_the_overview_shows_state_last_item_last_error_and_items_today(client_for,
                                                                      django_assert_max_num_queries):
    lead = client_for(Role.COMMS_LEAD)
    broken = AccountFactory(name="Kapot", state=AccountState.NEEDS_ATTENTION,
                            state_reason="the server refused the token (401)",
                            last_error="401 Unauthorized")
    fine = AccountFactory(name="Goed", last_item_at=timezone.now())
    PostFactory.create_batch(3, account=fine, ingested_at=timezone.now())
    PostFactory(account=fine, ingested_at=timezone.now() - timedelta(days=2))
    for i in range(5):
        AccountFactory(name=f"Extra {i}")
    with django_assert_max_num_queries(12):
        page = lead.get(reverse("sources:accounts")).content.decode()
    assert "Needs attention" in page and "the server refused the token (401)" in page
    assert "401 Unauthorized" in page
    row = page[page.index("Goed"):]
    assert '<td class="num">3</td>' in row[:2000]
    assert broken.name in page


def test_pause_resume_and_stop_following(client_for):
    lead = client_for(Role.COMMS_LEAD)
    account = AccountFactory()
    stream = Stream.objects.create(account=account, kind="hashtag", query="afval")
    lead.post(reverse("sources:account_pause", args=[account.pk]), {"paused": "1"})
    account.refresh_from_db()
    assert account.state == AccountState.PAUSED
    lead.post(reverse("sources:account_pause", args=[account.pk]), {"paused": "0"})
    account.refresh_from_db()
    assert account.state == AccountState.ACTIVE
    lead.post(reverse("sources:stream_remove", args=[stream.pk]))
    assert not Stream.objects.filter(pk=stream.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"sources.account.paused", "sources.account.resumed",
            "sources.stream.removed"} <= actions


def test_reconnecting_an_account_that_needs_attention(client_for):
    lead = client_for(Role.COMMS_LEAD)
    account = AccountFactory(provider="bluesky", state=AccountState.NEEDS_ATTENTION,
                             state_reason="bad app password",
                             credentials={"app_password": "old"})
    page = lead.get(reverse("sources:account", args=[account.pk])).content.decode()
    assert "Reconnect" in page
    lead.post(reverse("sources:account", args=[account.pk]),
              {"form": "reconnect", "secret": "new-app-password"})
    account.refresh_from_db()
    assert account.state == AccountState.ACTIVE
    assert account.credentials["app_password"] == "new-app-password"


def test_removing_keeps_the_posts_and_refuses_when_replies_were_sent(client_for):
    lead = client_for(Role.COMMS_LEAD)
    account = AccountFactory()
    post = PostFactory(account=account)
    lead.post(reverse("sources:account_remove", args=[account.pk]))
    assert not Account.objects.filter(pk=account.pk).exists()
    post.refresh_from_db()
    assert post.account is None and Post.objects.filter(pk=post.pk).exists()
    speaking = AccountFactory()
    Delivery.objects.create(account=speaking, text="Dag!", idempotency_key="k1")
    response = lead.post(reverse("sources:account_remove", args=[speaking.pk]), follow=True)
    assert Account.objects.filter(pk=speaking.pk).exists()
    assert "Pause it instead" in response.content.decode()


def test_hostile_text_in_an_error_is_shown_as_text(client_for):
    AccountFactory(name="Feed", last_error="<script>alert('x')</script>")
    page = client_for(Role.COMMS_LEAD).get(reverse("sources:accounts")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
