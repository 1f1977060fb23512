"""Factories for the inbox: posts addressed to the organisation, through the real intake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from samen.core.roles import Role
from samen.inbox import actions
from samen.inbox.models import Conversation
from samen.sources.models import Account, Post
from samen.sources.types import Author, NormalizedPost
from tests.factories import AccountFactory, MandateFactory, PostFactory, make_person

_seq = count(1)
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def org_account(provider: str = "mastodon") -> Account:
    handles = {"mastodon": "@stad@social.example", "bluesky": "stad.bsky.social"}
    account = Account.objects.filter(provider=provider).first()
    return account or AccountFactory(provider=provider, handle=handles[provider],
                                     name=f"Stad op {provider}")


def inbound_post(*, text: str = "Is het stadhuis morgen open?", provider: str = "mastodon",
                 author: str | None = None, name: str = "An Burger", language: str = "nl",
                 reply_to: str = "", root: str = "", minutes: int | None = None,
                 mention: bool = True, **fields: object) -> Post:
    """A post by a citizen; by default it mentions the organisation's account."""
    account = org_account(provider)
    n = next(_seq)
    handle = account.handle.lstrip("@").split("@")[0] if provider == "mastodon" \
        else account.handle
    if mention and f"@{handle}" not in text:
        text = f"@{handle} {text}"
    return PostFactory(
        account=account, source=provider, external_id=f"{provider}-{n}",
        author_handle=author or f"@burger{n}@social.example", author_name=name,
        text=text, language=language, reply_to_external_id=reply_to,
        thread_root_external_id=root,
        created_at=START + timedelta(minutes=minutes if minutes is not None else n),
        **fields)


def conversation(**post_fields: object) -> Conversation:
    post = inbound_post(**post_fields)
    made = actions.do_receive_posts(post_ids=[post.pk])
    assert made, "the post should have become a conversation"
    return made[0]


def agent(username: str | None = None, *, mandate_for: Account | None = None, **kw: object):
    person = make_person(Role.TEAM, username=username, **kw)
    if mandate_for is not None:
        MandateFactory(person=person, account=mandate_for)
    return person


def manager(username: str | None = None):
    return make_person(Role.MANAGER, username=username)


def sent_post(reply, n: int) -> NormalizedPost:
    """The post as the network shows it after sending ``reply``."""
    return NormalizedPost(
        source="mastodon", external_id=f"out-{n}", text=reply.text,
        created_at=datetime.now(UTC), author=Author(handle="@stad@social.example"),
        url=f"https://social.example/@stad/{n}", lang=reply.language or None,
        reply_to_id=reply.in_reply_to_external_id or None)
