"""A stateful flow against the mastodon-mock peer: mention in, reply out, reply visible."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from mastodon import Mastodon

from samen.sources.base import AccountConfig, AuthError, OutgoingPost, StreamKind, StreamSpec
from samen.sources.http import RetryPolicy
from samen.sources.mastodon import client as mclient
from samen.sources.mastodon.client import MastodonConnector
from samen.sources.types import Visibility
from tests.sources.mastodon.openapi import problems, recording_session
from tests.sources.shared import shared_path

pytestmark = pytest.mark.peer


def connect(url: str, token: str, sent: list[requests.PreparedRequest]) -> MastodonConnector:
    config = AccountConfig(provider="mastodon", base_url=url, credentials={"access_token": token})
    api = Mastodon(api_base_url=url, access_token=token, mastodon_version="4.5.0",
                   version_check_mode="created", ratelimit_method="throw",
                   session=recording_session(sent))
    return MastodonConnector(config, api=api, policy=RetryPolicy(attempts=2, base_delay=0.01))


def test_mention_in_reply_out_reply_visible(mastodon_mock):
    sent: list[requests.PreparedRequest] = []
    org = connect(mastodon_mock, "ada_token", sent)  # the organisation's account
    citizen = connect(mastodon_mock, "grace_token", [])
    org_handle = org.verify()["acct"]
    mentions = StreamSpec(StreamKind.MENTIONS)

    # Catch up first, so only what happens next is new.
    cursor = org.fetch(mentions, cursor=None).cursor
    question = citizen.send(OutgoingPost(text=f"@{org_handle} Is het stadhuis morgen open? #vraag",
                                         lang="nl"))
    first = citizen.send(OutgoingPost(text=f"@{org_handle} En zaterdag?",
                                      reply_to_id=question.external_id, lang="nl"))

    batch = org.fetch(mentions, cursor=cursor)
    by_id = {p.external_id: p for p in batch.posts}
    assert question.external_id in by_id and first.external_id in by_id
    incoming = by_id[first.external_id]
    assert incoming.text.endswith("En zaterdag?")
    assert incoming.reply_to_id == question.external_id
    assert incoming.thread_root_id == question.external_id
    assert incoming.author.handle.startswith("@grace@")
    assert by_id[question.external_id].hashtags == ["vraag"]
    assert batch.cursor is not None

    # Nothing is delivered twice from the stored cursor.
    again = org.fetch(mentions, cursor=batch.cursor)
    assert again.posts == []

    reply = org.send(OutgoingPost(text="@grace Ja, van 9 tot 17 uur.",
                                  reply_to_id=incoming.external_id, lang="nl"))
    assert reply.reply_to_id == incoming.external_id
    assert reply.lang == "nl"

    # Grace sees the reply in the thread of her post.
    context = citizen.call("thread", lambda: citizen.api.status_context(
        incoming.external_id.rsplit(":", 1)[-1]))
    assert any(str(s["id"]) == reply.external_id.rsplit(":", 1)[-1]
               for s in context["descendants"])

    org.delete(reply.external_id)
    context = citizen.call("thread", lambda: citizen.api.status_context(
        incoming.external_id.rsplit(":", 1)[-1]))
    assert all(str(s["id"]) != reply.external_id.rsplit(":", 1)[-1]
               for s in context["descendants"])

    spec = shared_path("data", "mastodon", "mastodon-openapi.json")
    assert problems(spec, sent) == []


def test_direct_message_is_heard_as_direct(mastodon_mock):
    org = connect(mastodon_mock, "ada_token", [])
    citizen = connect(mastodon_mock, "grace_token", [])
    handle = org.verify()["acct"]
    direct = StreamSpec(StreamKind.DIRECT)
    cursor = org.fetch(direct, cursor=None).cursor
    citizen.send(OutgoingPost(text=f"@{handle} privé vraag over mijn aanslag",
                              visibility=Visibility.DIRECT))
    batch = org.fetch(direct, cursor=cursor)
    assert [p.visibility for p in batch.posts] == [Visibility.DIRECT]
    assert "privé vraag" in batch.posts[0].text


def test_revoked_token_is_an_auth_error(mastodon_mock):
    bad = connect(mastodon_mock, "no_such_token", [])
    with pytest.raises(AuthError):
        bad.fetch(StreamSpec(StreamKind.MENTIONS), cursor="0")


def test_oauth_registration_and_code_exchange(mastodon_mock):
    redirect = "http://127.0.0.1:9/callback"
    client_id, secret = mclient.register_app(mastodon_mock, redirect_uri=redirect)
    url = mclient.authorization_url(mastodon_mock, client_id=client_id, client_secret=secret,
                                    redirect_uri=redirect, state="s-123")
    assert urlsplit(url).path == "/oauth/authorize" and "state=s-123" in url
    # The person picks their account on the server; it redirects back with a code.
    answer = requests.post(mastodon_mock + "/oauth/authorize", allow_redirects=False, timeout=10,
                           data={"username": "grace", "redirect_uri": redirect, "state": "s-123",
                                 "client_id": client_id})
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert back["state"] == ["s-123"]
    token = mclient.exchange_code(mastodon_mock, client_id=client_id, client_secret=secret,
                                  redirect_uri=redirect, code=back["code"][0])
    assert re.fullmatch(r"\S+", token)
    account = connect(mastodon_mock, token, []).verify()
    assert account["username"] == "grace"
