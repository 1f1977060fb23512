"""Reads of accounts, mandates and posts for other apps."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from samen.core.models import Person
from samen.sources.models import Account, Delivery, Direction, Mandate, Stream


def accounts() -> QuerySet[Account]:
    return Account.objects.all()


def mandates_of(person: Person) -> QuerySet[Mandate]:
    return Mandate.objects.filter(person=person).select_related("account")


def has_mandate(*, person: Person, account: Account) -> bool:
    return Mandate.objects.filter(person=person, account=account).exists()


def mandate_holders(account: Account) -> QuerySet[Person]:
    return Person.objects.filter(mandates__account=account, is_active=True)


def account_overview() -> QuerySet[Account]:
    """Accounts with what the comms lead needs to see at a glance: state, last item, last
    error, posts received today, and their streams (one query for the list)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (Account.objects.annotate(
        items_today=Count("posts", filter=Q(posts__ingested_at__gte=start,
                                            posts__direction=Direction.INBOUND)))
            .prefetch_related("streams").order_by("provider", "name"))


def streams_of(account: Account) -> QuerySet[Stream]:
    return account.streams.order_by("kind", "query")


def deliveries(*, account: Account | None = None, limit: int = 20) -> QuerySet[Delivery]:
    rows = Delivery.objects.select_related("account")
    if account is not None:
        rows = rows.filter(account=account)
    return rows.order_by("-created_at")[:limit]
