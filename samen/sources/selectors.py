"""Reads of accounts, mandates and posts for other apps."""

from __future__ import annotations

from django.db.models import QuerySet

from samen.core.models import Person
from samen.sources.models import Account, Mandate


def accounts() -> QuerySet[Account]:
    return Account.objects.all()


def mandates_of(person: Person) -> QuerySet[Mandate]:
    return Mandate.objects.filter(person=person).select_related("account")


def has_mandate(*, person: Person, account: Account) -> bool:
    return Mandate.objects.filter(person=person, account=account).exists()


def mandate_holders(account: Account) -> QuerySet[Person]:
    return Person.objects.filter(mandates__account=account, is_active=True)
