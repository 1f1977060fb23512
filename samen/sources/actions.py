"""Writes for accounts and mandates (ingest has its own module: ``ingest.py``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Person
from samen.core.roles import Role
from samen.sources.models import Account, AccountState, Mandate, Stream


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


def do_mark_needs_attention(*, account: Account, reason: str) -> None:
    """The account's credentials were refused: stop using it and tell the comms lead why.

    Called by the listener and the delivery queue; the account stays in this state until the
    comms lead reconnects it (``do_reactivate_account``).
    """
    now = timezone.now()
    changed = Account.objects.filter(pk=account.pk).exclude(
        state=AccountState.NEEDS_ATTENTION, state_reason=reason
    ).update(state=AccountState.NEEDS_ATTENTION, state_reason=reason[:2000],
             last_error=reason[:2000], last_error_at=now)
    if changed:
        audit.record(actor=None, action="sources.account.needs_attention", target=account,
                     data={"reason": reason[:500]})
    account.state = AccountState.NEEDS_ATTENTION
    account.state_reason = reason


@transaction.atomic
def do_reactivate_account(*, account: Account, credentials: dict | None = None,
                          by: Person | None) -> Account:
    """Back to active (optionally with new credentials); streams resume at their cursors."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    account.state = AccountState.ACTIVE
    account.state_reason = ""
    fields = ["state", "state_reason"]
    if credentials is not None:
        account.credentials = credentials
        fields.append("credentials")
    account.save(update_fields=fields)
    account.streams.update(next_poll_at=None, error_count=0)
    audit.record(actor=by, action="sources.account.reactivated", target=account)
    return account


def do_add_stream(*, account: Account, kind: str, query: str = "",
                  by: Person | None) -> Stream:
    """Follow one more thing through ``account`` (idempotent)."""
    stream, created = Stream.objects.get_or_create(account=account, kind=kind, query=query)
    if created:
        audit.record(actor=by, action="sources.stream.added", target=stream,
                     data={"kind": kind, "query": query})
    return stream
