"""Writes for accounts and mandates (ingest has its own module: ``ingest.py``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audit
from samen.core.models import Person
from samen.core.roles import Role
from samen.sources.base import (
    AuthError,
    Connector,
    OutgoingPost,
    RateLimited,
    SourceError,
    TemporaryError,
    get_provider,
)
from samen.sources.bluesky.tid import tid_for
from samen.sources.ingest import fit_id
from samen.sources.models import (
    Account,
    AccountState,
    Delivery,
    DeliveryState,
    Direction,
    Mandate,
    Post,
    Stream,
)
from samen.sources.types import Visibility


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


# ------------------------------------------------------------------------------- deliveries

MAX_DELIVERY_ATTEMPTS = 5


@transaction.atomic
def do_queue_delivery(
    *, account: Account, text: str, by: Person | None, reply_to_external_id: str = "",
    visibility: str = "public", content_warning: str = "", language: str = "",
) -> Delivery:
    """Queue a post or reply to go out through ``account``; it is sent by a background task.

    Precondition: ``by`` holds the mandate for the account (None only for system posts).
    """
    if by is not None and not Mandate.objects.filter(person=by, account=account).exists():
        raise ValidationError(_("You have no mandate to speak from this account."),
                              code="no_mandate")
    if not text.strip():
        raise ValidationError(_("A reply cannot be empty."), code="empty")
    delivery = Delivery.objects.create(
        account=account, text=text, reply_to_external_id=reply_to_external_id,
        visibility=visibility, content_warning=content_warning, language=language,
        idempotency_key=uuid.uuid4().hex, requested_by=by,
    )
    audit.record(actor=by, action="sources.delivery.queued", target=delivery,
                 data={"account": account.pk, "reply_to": reply_to_external_id})
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


def _enqueue(delivery_id: int, *, run_after: datetime | None = None) -> None:
    from samen.sources.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after is not None else deliver
    task.enqueue(delivery_id=delivery_id)


def do_attempt_delivery(
    *, delivery: Delivery, connector: Connector | None = None
) -> Delivery:
    """Send a queued or retrying delivery once and record the outcome.

    Sent: the post as the network shows it is stored as an outbound Post. Refused credentials:
    failed, and the account needs attention. Temporary trouble: retrying later with backoff,
    until MAX_DELIVERY_ATTEMPTS, then failed with the reason.
    """
    from samen.sources.ingest import store_batch
    from samen.sources.listening import account_config

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("account").get(
            pk=delivery.pk)
        if delivery.state not in (DeliveryState.QUEUED, DeliveryState.RETRYING):
            return delivery  # already sent or given up: a repeated task does nothing
        delivery.attempts += 1
        delivery.save(update_fields=["attempts"])
    account = delivery.account
    outgoing = OutgoingPost(
        text=delivery.text, reply_to_id=delivery.reply_to_external_id or None,
        visibility=Visibility(delivery.visibility), content_warning=delivery.content_warning,
        lang=delivery.language or None,
        # The same key on every attempt; as a TID of the moment it was asked for, Bluesky can
        # use it as the record key (a retry finds the post already there) and keep time order.
        idempotency_key=tid_for(delivery.idempotency_key, at=delivery.created_at),
    )
    now = timezone.now()
    try:
        if account.state != AccountState.ACTIVE:
            raise AuthError(account.state_reason or _("the account is not active"))
        connector = connector or get_provider(account.provider).connector(
            account_config(account))
        sent = connector.send(outgoing)
    except AuthError as exc:
        do_mark_needs_attention(account=account, reason=exc.reason)
        return _delivery_failed(delivery, exc.reason)
    except (RateLimited, TemporaryError) as exc:
        if delivery.attempts >= MAX_DELIVERY_ATTEMPTS:
            return _delivery_failed(delivery, exc.reason)
        wait = getattr(exc, "retry_after", None) or min(3600, 30 * 2 ** delivery.attempts)
        delivery.state = DeliveryState.RETRYING
        delivery.last_error = exc.reason
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
        transaction.on_commit(lambda: _enqueue(delivery.pk, run_after=delivery.next_attempt_at))
        return delivery
    except SourceError as exc:
        return _delivery_failed(delivery, exc.reason)
    with transaction.atomic():
        store_batch(posts=[sent], account=account, direction=Direction.OUTBOUND)
        delivery.post = Post.objects.get(source=sent.source, external_id=fit_id(sent.external_id))
        delivery.state = DeliveryState.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.next_attempt_at = None
        delivery.save(update_fields=["post", "state", "sent_at", "last_error",
                                     "next_attempt_at"])
        audit.record(actor=None, action="sources.delivery.sent", target=delivery,
                     data={"external_id": sent.external_id})
    return delivery


def _delivery_failed(delivery: Delivery, reason: str) -> Delivery:
    delivery.state = DeliveryState.FAILED
    delivery.last_error = reason[:2000]
    delivery.next_attempt_at = None
    delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
    audit.record(actor=None, action="sources.delivery.failed", target=delivery,
                 data={"reason": reason[:500]})
    return delivery


@transaction.atomic
def do_retry_delivery(*, delivery: Delivery, by: Person | None) -> Delivery:
    """Put a failed delivery back in the queue (after the account was fixed, say)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != DeliveryState.FAILED:
        raise ValidationError(_("Only a failed delivery can be retried."), code="not_failed")
    delivery.state = DeliveryState.QUEUED
    delivery.attempts = 0
    delivery.save(update_fields=["state", "attempts"])
    audit.record(actor=by, action="sources.delivery.retried", target=delivery)
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return delivery


# ------------------------------------------------------------------ accounts, by the comms lead


@transaction.atomic
def do_connect_account(
    *, provider: str, name: str, handle: str, base_url: str, credentials: dict[str, str],
    streams: list[tuple[str, str]], by: Person | None,
) -> Account:
    """Add an account with the streams to follow (the comms lead's "add a source").

    Secrets go into ``credentials`` and are never shown again; the listener reports wrong
    ones as "needs attention" with the network's reason.
    """
    if Account.objects.filter(provider=provider, handle=handle, base_url=base_url).exists():
        raise ValidationError(_("This account is already connected."), code="duplicate")
    account = do_create_account(provider=provider, name=name, handle=handle,
                                base_url=base_url, credentials=credentials, by=by)
    for kind, query in streams:
        do_add_stream(account=account, kind=kind, query=query, by=by)
    return account


@transaction.atomic
def do_set_account_paused(*, account: Account, paused: bool, by: Person | None) -> Account:
    """Pause or resume listening (and sending) through an account."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if paused and account.state != AccountState.PAUSED:
        account.state = AccountState.PAUSED
        account.save(update_fields=["state"])
        audit.record(actor=by, action="sources.account.paused", target=account)
    elif not paused and account.state == AccountState.PAUSED:
        account.state = AccountState.ACTIVE
        account.save(update_fields=["state"])
        audit.record(actor=by, action="sources.account.resumed", target=account)
    return account


@transaction.atomic
def do_remove_account(*, account: Account, by: Person | None) -> None:
    """Stop following an account and forget its secrets. Posts already received stay (they
    belong to the records archive); an account that sent replies cannot be removed, only
    paused, so the record of what the organisation said stays whole."""
    if account.deliveries.exists():
        raise ValidationError(
            _("Replies were sent from this account, so it stays on record. Pause it instead."),
            code="has_deliveries",
        )
    audit.record(actor=by, action="sources.account.removed", target=account,
                 data={"provider": account.provider, "handle": account.handle})
    account.delete()


@transaction.atomic
def do_remove_stream(*, stream: Stream, by: Person | None) -> None:
    audit.record(actor=by, action="sources.stream.removed", target=stream.account,
                 data={"kind": stream.kind, "query": stream.query})
    stream.delete()
