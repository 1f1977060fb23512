"""The one narrow seam between an inbox reply and the network: :func:`send_reply`.

It hands the reply to the account's connector from ``samen.sources``
(``get_provider(key).connector(config).send(OutgoingPost)``) and maps the connector's errors
onto :class:`DeliveryError`. The reply's own row (state, attempts, external id) is the record
of the delivery (it carries the approval workflow a ``sources.Delivery`` has no place for);
the sent post itself is stored as the account's outbound post, like a delivery's (see
docs/inbox.md, "Sending a reply").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from samen.sources import base
from samen.sources.bluesky.tid import tid_for
from samen.sources.listening import account_config
from samen.sources.models import AccountState

if TYPE_CHECKING:
    from samen.inbox.models import Reply
    from samen.sources.types import NormalizedPost


class DeliveryError(Exception):
    """Sending failed; ``reason`` is shown to the agent.

    ``retryable``: the trouble is temporary (a rate limit, a 5xx, a dropped connection), so
    the reply is tried again by itself, after ``retry_after`` seconds when the network said
    so. ``auth``: the network refused the account's login, so the account needs attention.
    Anything else fails the reply at once; the agent can still try again by hand.
    """

    def __init__(self, reason: str, *, retryable: bool = True, auth: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.auth = auth
        self.retry_after = retry_after


def network_key(reply: Reply) -> str:
    """The idempotency key the network sees: the same for every attempt of this reply.

    It is a time-ordered id (an AT Protocol TID: the reply's creation time and bits of its
    own key), so Bluesky can use it as the record key of the post, in time order, and
    Mastodon as its ``Idempotency-Key`` header.
    """
    return tid_for(reply.idempotency_key, at=reply.created_at)


def send_reply(reply: Reply) -> NormalizedPost:
    """Publish ``reply`` from its conversation's account; return the post as the network
    shows it (stored afterwards as the account's outbound post)."""
    account = reply.conversation.account
    if account is None:
        raise DeliveryError("This conversation has no account to reply from.", retryable=False)
    if account.state != AccountState.ACTIVE:
        # Paused, or its login was refused: do not try the network until the comms lead
        # has resumed or reconnected it (the agent can then try again).
        raise DeliveryError(
            _("The account %(account)s is not active: %(reason)s")
            % {"account": account.name, "reason": account.state_reason
               or account.get_state_display()}, retryable=False)
    try:
        connector = base.get_provider(account.provider).connector(account_config(account))
        sent = connector.send(base.OutgoingPost(
            text=reply.text, reply_to_id=reply.in_reply_to_external_id or None,
            lang=reply.language or None, idempotency_key=network_key(reply),
        ))
    except base.AuthError as exc:
        raise DeliveryError(exc.reason, retryable=False, auth=True) from exc
    except base.RateLimited as exc:
        raise DeliveryError(exc.reason, retry_after=exc.retry_after) from exc
    except base.TemporaryError as exc:
        raise DeliveryError(exc.reason) from exc
    except base.SourceError as exc:
        raise DeliveryError(exc.reason, retryable=False) from exc
    return sent
