"""Factories for every model, built through the actions layer where one exists."""

from __future__ import annotations

from datetime import UTC, datetime

import factory
from factory.django import DjangoModelFactory

from samen.core import actions
from samen.core.models import Organisation, Person
from samen.core.roles import Role
from samen.sources.models import Account, Mandate, Post, Stream

PASSWORD = "correct horse battery staple"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = "Stad Testburg"
    languages = factory.LazyFunction(lambda: ["nl", "fr", "en", "de"])
    default_language = "nl"


def make_person(*roles: str, username: str | None = None, language: str = "",
                password: str = PASSWORD, **fields: object) -> Person:
    """A person holding ``roles`` (every person is also an ambassador)."""
    make_person.counter += 1  # type: ignore[attr-defined]
    name = username or f"person{make_person.counter}"  # type: ignore[attr-defined]
    return actions.do_create_person(
        username=name, password=password, first_name=name.capitalize(),
        email=f"{name}@example.org", language=language, roles=roles or (Role.AMBASSADOR,),
        by=None, **fields,  # type: ignore[arg-type]
    )


make_person.counter = 0  # type: ignore[attr-defined]


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    provider = "mastodon"
    name = factory.Sequence(lambda n: f"Account {n}")
    handle = factory.Sequence(lambda n: f"@org{n}@social.example")
    base_url = "https://social.example"


class StreamFactory(DjangoModelFactory):
    class Meta:
        model = Stream

    account = factory.SubFactory(AccountFactory)
    kind = "mentions"


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    account = factory.SubFactory(AccountFactory)
    source = "mastodon"
    external_id = factory.Sequence(lambda n: f"post-{n}")
    author_handle = factory.Sequence(lambda n: f"@citizen{n}@social.example")
    author_name = "A. Citizen"
    text = "Is het stadhuis morgen open?"
    source_language = "nl"
    language = "nl"
    created_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, 9, 0, tzinfo=UTC))


class MandateFactory(DjangoModelFactory):
    class Meta:
        model = Mandate

    person = factory.LazyFunction(lambda: make_person(Role.TEAM))
    account = factory.SubFactory(AccountFactory)
