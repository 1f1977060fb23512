"""The one narrow seam between an inbox reply and the network: :func:`send_reply`.

It hands the reply to the account's connector from ``samen.sources``
(``get_provider(key).connector(config).send(OutgoingPost)``) and maps the connector's errors
onto :class:`DeliveryError`. The reply's own row (state, attempts, external id) is the record
of the delivery; ``sources.Delivery`` is not used here (see docs/inbox.md, "Sending a reply").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from samen.sources import base
from samen.sources.bluesky.tid import tid_for
from samen.sources.listening import account_config

if TYPE_CHECKING:
    from samen.inbox.models import Reply


class DeliveryError(Exception):
    """Sending failed; ``reason`` is shown to the agent; ``retryable`` says whether to offer
    a retry (auth errors are not worth retrying until the account is fixed)."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def network_key(reply: Reply) -> str:
    """The idempotency key the network sees: the same for every attempt of this reply.

    It is a time-ordered id (an AT Protocol TID: the reply's creation time and bits of its
    own key), so Bluesky can use it as the record key of the post, in time order, and
    Mastodon as its ``Idempotency-Key`` header.
    """
    return tid_for(reply.idempotency_key, at=reply.created_at)


def send_reply(reply: Reply) -> tuple[str, str]:
    """Publish ``reply`` from its conversation's account; return (external id, url)."""
    account = reply.conversation.account
    if account is None:
        raise DeliveryError("This conversation has no account to reply from.", retryable=False)
    try:
        connector = base.get_provider(account.provider).connector(account_config(account))
        sent = connector.send(base.OutgoingPost(
            text=reply.text, reply_to_id=reply.in_reply_to_external_id or None,
            lang=reply.language or None, idempotency_key=network_key(reply),
        ))
    except base.AuthError as exc:
        raise DeliveryError(exc.reason, retryable=False) from exc
    except base.SourceError as exc:
        raise DeliveryError(exc.reason) from exc
    return sent.external_id, sent.url
