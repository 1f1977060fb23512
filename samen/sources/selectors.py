"""Reads of accounts, mandates and posts for other apps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from samen.core.models import Person
from samen.sources.models import Account, Delivery, DeliveryState, Mandate


def accounts() -> QuerySet[Account]:
    return Account.objects.all()


def mandates_of(person: Person) -> QuerySet[Mandate]:
    return Mandate.objects.filter(person=person).select_related("account")


def has_mandate(*, person: Person, account: Account) -> bool:
    return Mandate.objects.filter(person=person, account=account).exists()


def mandate_holders(account: Account) -> QuerySet[Person]:
    return Person.objects.filter(mandates__account=account, is_active=True)


def accounts_overview() -> list[Account]:
    """Every account with its streams and the number of posts received today, in three
    queries whatever the number of accounts (for the comms lead's sources page)."""
    from django.db.models import Count, Prefetch
    from django.utils import timezone

    from samen.sources.models import Post, Stream

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = dict(
        Post.objects.filter(ingested_at__gte=start, account__isnull=False)
        .order_by().values_list("account").annotate(n=Count("id")).values_list("account", "n")
    )
    result = list(Account.objects.prefetch_related(
        Prefetch("streams", queryset=Stream.objects.order_by("kind", "query"))))
    for account in result:
        account.items_today = today.get(account.pk, 0)  # type: ignore[attr-defined]
    return result


def deliveries_sent_per_day(*, requested_by: QuerySet[Person, Any], start: datetime, end: datetime,
                            providers: Sequence[str] = ()) -> list[tuple[date, int]]:
    """(local day, posts) that the organisation's accounts sent at the request of the given
    people between ``start`` and ``end``; only ``providers``' accounts when given. For the
    "walk the talk" numbers: a delivery always goes out through one of the organisation's own
    accounts, never a private one."""
    qs = Delivery.objects.filter(state=DeliveryState.SENT, requested_by__in=requested_by,
                                 sent_at__gte=start, sent_at__lt=end)
    if providers:
        qs = qs.filter(account__provider__in=providers)
    return [(day, n) for day, n in qs.annotate(day=TruncDate("sent_at")).order_by()
            .values_list("day").annotate(n=Count("id")).values_list("day", "n")]

