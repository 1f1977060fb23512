"""Writes for accounts and mandates (ingest has its own module: ``ingest.py``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Person
from samen.core.roles import Role
from samen.sources.models import Account, Mandate


@transaction.atomic
def do_grant_mandate(*, person: Person, account: Account, by: Person | None) -> Mandate:
    """Let ``person`` reply on behalf of the organisation from ``account``.

    Precondition: the person is in the conversation team (a mandate outside the team would
    let someone speak for the organisation without working the inbox).
    """
    if not person.has_role(Role.TEAM):
        raise ValidationError(
            _("Only members of the conversation team can hold a mandate."), code="not_team"
        )
    mandate, created = Mandate.objects.get_or_create(
        person=person, account=account, defaults={"granted_by": by}
    )
    if created:
        audit.record(actor=by, action="sources.mandate.granted", target=mandate,
                     data={"person": person.pk, "account": account.pk})
    return mandate


@transaction.atomic
def do_revoke_mandate(*, person: Person, account: Account, by: Person | None) -> bool:
    deleted, _detail = Mandate.objects.filter(person=person, account=account).delete()
    if deleted:
        audit.record(actor=by, action="sources.mandate.revoked", target=account,
                     data={"person": person.pk, "account": account.pk})
    return bool(deleted)


def do_create_account(
    *, provider: str, name: str, handle: str = "", base_url: str = "",
    credentials: dict | None = None, by: Person | None,
) -> Account:
    account = Account.objects.create(provider=provider, name=name, handle=handle,
                                     base_url=base_url, credentials=credentials or {})
    audit.record(actor=by, action="sources.account.created", target=account,
                 data={"provider": provider, "handle": handle})
    return account
